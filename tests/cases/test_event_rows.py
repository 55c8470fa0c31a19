"""The rows of the case edit page (agencies, defendants, events) and the case page's inline
"Add an event" form: a row's errors that no visible field holds (a rule of the whole event, a
row deleted by someone else meanwhile) are written once, inside the row they concern, and
the page's summary names the row by the same number as its title."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kouprey.cases import services
from kouprey.cases.models import Case, CaseEvent
from kouprey.core.permissions import Role
from tests import factories as f

pytestmark = pytest.mark.django_db
K = CaseEvent.Kind
SEIZED = date(2019, 12, 20)
ROW_WIDE = "This event contradicts the rest of the case."


def signed_in(client: Any) -> Any:
    user = f.user(Role.EDITOR, f.organisation("wcs"))
    client.force_login(user)
    return user


def a_case(org: Any) -> Case:
    c = f.case(org=org, seizures=[f.seizure(org=org, date=SEIZED)], case_number="PP-9",
               title="Pangolin scales")
    f.event(c, K.ARREST, date(2019, 12, 20))
    f.event(c, K.CHARGE, date(2020, 1, 15))
    return c


def edit_data(c: Case, extra: list[dict[str, Any]] = ()) -> dict[str, Any]:
    """The edit page posted back with the case's events unchanged, plus ``extra`` rows."""
    data: dict[str, Any] = {"title": c.title, "case_number": c.case_number,
                            "confidentiality": str(c.confidentiality),
                            "seizures": [s.pk for s in c.seizures.all()],
                            "roles-TOTAL_FORMS": "0", "roles-INITIAL_FORMS": "0",
                            "defendants-TOTAL_FORMS": "0", "defendants-INITIAL_FORMS": "0"}
    events = [{"id": e.pk, "kind": e.kind, "date": e.date.isoformat()}
              for e in c.events.order_by("pk")]
    initial = len(events)
    events += list(extra)
    data.update({"events-TOTAL_FORMS": str(len(events)),
                 "events-INITIAL_FORMS": str(initial)})
    for i, row in enumerate(events):
        data.update({f"events-{i}-{k}": v for k, v in row.items()})
    return data


def rows(page: str, section: str = "events") -> dict[str, str]:
    """The rows the server wrote in one fieldset of the edit page, by their title."""
    start = page.index(f'id="{section}"')
    part = page[start:page.index("</fieldset>", start)]
    part = part.split("<template>", 1)[0]  # the row "Add ..." clones is not a row
    found: dict[str, str] = {}
    for chunk in part.split('<div class="child"')[1:]:
        title = re.search(r'<div class="child-head"><span[^>]*>(.*?)</span>', chunk, re.S)
        assert title, chunk[:200]
        found[" ".join(re.sub(r"<[^>]+>", " ", title.group(1)).split())] = chunk
    return found


def summary(page: str) -> str:
    match = re.search(r'<div class="form-errors".*?</div>', page, re.S)
    return match.group(0) if match else ""


def refuse_whole_event(monkeypatch: Any, kinds: tuple[str, ...] = (K.VERDICT,)) -> None:
    """A rule of the whole event (``CaseEvent.clean``, as a model rule would be): the form
    holds its message as a non-field error."""
    def clean(event: CaseEvent) -> None:
        if event.kind in kinds:
            raise ValidationError(ROW_WIDE)

    monkeypatch.setattr(CaseEvent, "clean", clean, raising=False)


def test_a_rule_of_the_whole_event_is_written_once_in_its_row(client, monkeypatch) -> None:
    refuse_whole_event(monkeypatch)
    user = signed_in(client)
    c = a_case(user.organisation)
    response = client.post(reverse("cases:edit", args=[c.pk]), edit_data(
        c, [{"kind": "verdict", "date": "2020-06-01", "outcome": "acquittal"}]))
    assert response.status_code == 400
    page = response.content.decode()
    found = rows(page)
    assert list(found) == ["Event 1", "Event 2", "Event 3"]
    assert found["Event 3"].count(ROW_WIDE) == 1
    assert ROW_WIDE not in found["Event 1"] + found["Event 2"]
    assert summary(page).count(ROW_WIDE) == 1
    assert "Event 3" in summary(page)
    assert page.count(ROW_WIDE) == 2  # the summary at the top, and the row


def test_a_service_error_of_a_whole_row_lands_in_that_row(client, monkeypatch) -> None:
    """``save_case`` names a row's error without a field ``events[1]`` (a model rule of the
    whole child, ``services._collect``): it belongs to that row, not to the case."""
    def check_events(*args: Any, **kwargs: Any) -> None:
        raise ValidationError({"events[1]": [ROW_WIDE]})

    monkeypatch.setattr(services, "check_events", check_events)
    user = signed_in(client)
    c = a_case(user.organisation)
    response = client.post(reverse("cases:edit", args=[c.pk]), edit_data(c))
    assert response.status_code == 400
    page = response.content.decode()
    found = rows(page)
    assert found["Event 2"].count(ROW_WIDE) == 1
    assert ROW_WIDE not in found["Event 1"]
    case_section = page[page.index("<legend>Case</legend>"):page.index('id="roles"')]
    assert ROW_WIDE not in case_section
    assert "Event 2" in summary(page)


def test_a_field_error_stays_next_to_its_field_once(client) -> None:
    user = signed_in(client)
    c = a_case(user.organisation)
    response = client.post(reverse("cases:edit", args=[c.pk]), edit_data(
        c, [{"kind": "sentence", "date": "2019-01-01"}]))
    page = response.content.decode()
    row = rows(page)["Event 3"]
    assert row.count("is before the seizure") == 1
    assert row.count("A sentence needs a conviction first") == 1
    assert page.count("is before the seizure") == 2  # and once in the summary


def test_a_row_deleted_meanwhile_says_so_in_its_row(client) -> None:
    user = signed_in(client)
    c = a_case(user.organisation)
    data = edit_data(c)
    c.events.get(kind=K.CHARGE).delete()  # by someone else, after the page was opened
    response = client.post(reverse("cases:edit", args=[c.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    found = rows(page)
    message = "deleted by someone else"
    assert found["Event 2"].count(message) == 1
    assert message not in found["Event 1"]
    assert summary(page).count(message) == 1
    assert "None" not in summary(page)  # the hidden id field has no label to show
    assert "Event 2:" in re.sub(r"<[^>]+>", "", summary(page))
    # ticking "Remove" on that row saves the rest
    data["events-1-DELETE"] = "on"
    data["title"] = "Pangolin scales (renamed)"
    assert client.post(reverse("cases:edit", args=[c.pk]), data).status_code == 302
    assert Case.objects.get(pk=c.pk).title == "Pangolin scales (renamed)"


def test_the_inline_event_form_writes_a_whole_event_error_once(client, monkeypatch) -> None:
    refuse_whole_event(monkeypatch)
    user = signed_in(client)
    c = a_case(user.organisation)
    response = client.post(reverse("cases:add_event", args=[c.pk]),
                           {"event-kind": "verdict", "event-date": "2020-06-01",
                            "event-outcome": "acquittal"},
                           HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline")
    assert response["HX-Retarget"] == "#add-event"
    assert response.content.decode().count(ROW_WIDE) == 1
    # and on the event page of its own
    response = client.post(reverse("cases:add_event", args=[c.pk]),
                           {"event-kind": "verdict", "event-date": "2020-06-01",
                            "event-outcome": "acquittal"})
    assert response.status_code == 400
    assert response.content.decode().count(ROW_WIDE) == 1


def test_the_rows_added_by_the_page_are_numbered_by_its_script(client) -> None:
    """The rows "Add ..." clones carry a number placeholder the script replaces (the browser
    test, tests/browser/test_case_forms.py, checks the numbers themselves)."""
    user = signed_in(client)
    c = a_case(user.organisation)
    page = client.get(reverse("cases:edit", args=[c.pk])).content.decode()
    templates = re.findall(r"<template>(.*?)</template>", page, re.S)
    assert len(templates) == 3
    for template in templates:
        head = re.search(r'<div class="child-head">(.*?)</div>', template, re.S)
        assert head and "__number__" in head.group(1)
    assert "__number__" in page[page.index("<script>"):]


def test_a_row_ticked_remove_shows_no_errors(client) -> None:
    """The server ignores a row ticked "Remove" (its errors are not in the summary): when the
    page comes back for another row's error, the removed row shows none either."""
    user = signed_in(client)
    c = a_case(user.organisation)
    response = client.post(reverse("cases:edit", args=[c.pk]), edit_data(
        c, [{"notes": "half typed, then removed", "DELETE": "on"},
            {"kind": "hearing", "date": "2019-01-01"}]))
    assert response.status_code == 400
    found = rows(response.content.decode())
    assert "errorlist" not in found["Event 3"] and "has-error" not in found["Event 3"]
    assert "checked" in found["Event 3"]  # still ticked
    assert found["Event 4"].count("is before the seizure") == 1
