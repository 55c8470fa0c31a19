"""Case pages: list (filters, JSON, CSV), detail (timeline, history), forms, add event."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kouprey.cases.models import Case, CaseEvent, Defendant
from kouprey.cases.services import refresh_search_text, save_case
from kouprey.core.models import AuditEntry
from kouprey.core.permissions import Role
from kouprey.seizures.services import refresh_search_text as refresh_seizure_search
from tests import factories as f

pytestmark = pytest.mark.django_db
K = CaseEvent.Kind
SEIZED = date(2019, 12, 20)


def signed_in(client: Any, role: str = Role.EDITOR, org: Any = None) -> Any:
    user = f.user(role, org or f.organisation("wcs"))
    client.force_login(user)
    return user


def lion_bone_case(org: Any = None) -> Case:
    org = org or f.organisation("wcs")
    s = f.seizure(org=org, date=SEIZED, reference="PNH-2019-12")
    c = f.case(org=org, seizures=[s], title="Lion bone at PNH", case_number="PP-77",
               opened_on=date(2019, 12, 21))
    f.involve(c, f.agency("gdce"), "detecting")
    f.involve(c, f.agency("police", kind="police"), "investigating")
    d = f.defendant(c, "Synthetic Person A", nationality=f.country("VN"))
    f.event(c, K.CHARGE, date(2020, 1, 15), law_section="Art. 49")
    f.event(c, K.ARREST, date(2019, 12, 20), defendant=d)
    refresh_search_text(c)
    return c


def form_data(roles: list[dict[str, Any]] = (), defendants: list[dict[str, Any]] = (),
              events: list[dict[str, Any]] = (), initial: dict[str, int] | None = None,
              **case: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"title": "A case", "confidentiality": "2", **case}
    for prefix, rows in (("roles", roles), ("defendants", defendants), ("events", events)):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str((initial or {}).get(prefix, 0))
        for index, row in enumerate(rows):
            data.update({f"{prefix}-{index}-{k}": v for k, v in row.items()})
    return data


# -- list ---------------------------------------------------------------------------------

def test_list_shows_columns_and_derived_stage(client):
    signed_in(client)
    f.involve(lion_bone_case(), f.agency("gdce"), "custody")
    page = client.get(reverse("cases:list")).content.decode()
    for text in ("PP-77", "Lion bone at PNH", "PNH-2019-12",
                 "GDCE (Detected the seizure, Evidence custody)",
                 "Prosecution"):
        assert text in page


def test_list_json_twin_and_filters(client):
    signed_in(client)
    lion_bone_case()
    f.case(title="Pangolin scales at KHKOS", owner_org=f.organisation("wcs"))
    data = client.get(reverse("cases:list"), {"format": "json"}).json()
    assert data["count"] == 2
    found = client.get(reverse("cases:list"), {"format": "json", "q": "Lion"}).json()
    assert [r["title"] for r in found["results"]] == ["Lion bone at PNH"]
    row = found["results"][0]
    assert row["stage"] == "prosecution" and row["interagency"] is True
    assert row["defendants"] == 1
    assert [s["label"] for s in row["seizures"]] == [
        "PNH-2019-12 2019-12-20 Sihanoukville Autonomous Port"]
    assert {(a["agency"], a["role"]) for a in row["agencies"]} >= {("gdce", "detecting")}
    by_agency = client.get(reverse("cases:list"), {"format": "json",
                                                   "agency": f.agency("police").pk}).json()
    assert by_agency["count"] == 1


def test_csv_export_is_exactly_the_filtered_list(client):
    signed_in(client, Role.ANALYST)
    lion_bone_case()
    f.case(title="=HYPERLINK(evil)", owner_org=f.organisation("wcs"))
    f.case(title="Other org", owner_org=f.organisation("fa"))
    response = client.get(reverse("cases:list"), {"format": "csv", "q": "Lion"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()
                                       .lstrip("\ufeff"))))
    assert rows[0][:4] == ["Id", "Case number", "Title", "Opened"]
    assert [r[2] for r in rows[1:]] == ["Lion bone at PNH"]
    assert rows[1][7] == "Prosecution"
    everything = client.get(reverse("cases:list"), {"format": "csv"})
    text = b"".join(everything.streaming_content).decode()
    assert "'=HYPERLINK" in text and "Other org" not in text
    xlsx = client.get(reverse("cases:list"), {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_viewer_may_not_download(client):
    signed_in(client, Role.VIEWER)
    assert client.get(reverse("cases:list"), {"format": "csv"}).status_code == 403


def test_list_query_count_does_not_grow_with_rows(client):
    signed_in(client)
    lion_bone_case()

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("cases:list")).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for n in range(8):
        c = lion_bone_case()
        c.case_number = f"PP-{n}"
        c.save()
    assert queries() == few


# -- detail ---------------------------------------------------------------------------------

def test_detail_shows_timeline_in_date_order_with_stage_and_defendants(client):
    signed_in(client)
    c = lion_bone_case()
    page = client.get(reverse("cases:detail", args=[c.pk])).content.decode()
    assert page.index("Arrest") < page.index("Charge")  # 2019-12-20 before 2020-01-15
    assert "Art. 49" in page and "Viet Nam" in page and "Prosecution" in page
    assert "PNH-2019-12" in page


def test_detail_json_twin(client):
    signed_in(client)
    c = lion_bone_case()
    data = client.get(reverse("cases:detail", args=[c.pk]), {"format": "json"}).json()
    assert data["stage"] == "prosecution" and data["interagency"] is True
    assert [e["kind"] for e in data["events"]] == ["arrest", "charge"]
    assert data["defendants"][0]["nationality"] == "VN"
    assert data["defendants"][0]["stage"] == "prosecution"
    assert {a["role"] for a in data["agencies"]} == {"detecting", "investigating"}
    assert data["history"]


def test_detail_hides_seizures_the_user_may_not_see(client):
    signed_in(client)
    c = lion_bone_case()
    c.seizures.add(f.seizure(org=f.organisation("fa"), reference="FA-SECRET"))
    page = client.get(reverse("cases:detail", args=[c.pk])).content.decode()
    assert "FA-SECRET" not in page and "1 more seizure" in page
    assert "a seizure you may not see" in page  # the history does not name it either
    assert "PNH-2019-12" in page


@pytest.mark.parametrize("name", ["cases:detail", "cases:edit", "cases:add_event"])
def test_other_organisations_case_is_not_found(client, name):
    signed_in(client, Role.ADMIN, f.organisation("gdce"))
    c = lion_bone_case(f.organisation("wcs"))
    assert client.get(reverse(name, args=[c.pk])).status_code == 404
    assert client.get(reverse(name, args=[c.pk]), {"format": "json"}).status_code == 404


def test_shared_case_is_read_but_not_edited(client):
    gdce = f.organisation("gdce")
    signed_in(client, Role.EDITOR, gdce)
    c = lion_bone_case()
    c.shared_with.add(gdce)
    assert client.get(reverse("cases:detail", args=[c.pk])).status_code == 200
    assert client.get(reverse("cases:edit", args=[c.pk])).status_code == 404


@pytest.mark.parametrize("name", ["cases:edit", "cases:add_event"])
def test_viewer_cannot_edit(client, name):
    signed_in(client, Role.VIEWER)
    c = lion_bone_case()
    assert client.get(reverse(name, args=[c.pk])).status_code == 403
    assert client.post(reverse(name, args=[c.pk]), {}).status_code == 403
    assert client.get(reverse("cases:create")).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302 and "login" in response["Location"]


# -- create and edit -------------------------------------------------------------------------

def test_create_case_with_children(client):
    user = signed_in(client)
    s = f.seizure(org=user.organisation, date=SEIZED)
    gdce = f.agency("gdce")
    response = client.post(reverse("cases:create"), form_data(
        title="New case", case_number="PP-1", opened_on="2019-12-22", seizures=[s.pk],
        roles=[{"agency": gdce.pk, "role": "detecting"}],
        defendants=[{"name": "Synthetic Person B", "nationality": f.country("CN").pk}],
        events=[{"kind": "arrest", "date": "2019-12-20"},
                {"kind": "transaction", "date": "2019-12-21", "fine_status": "paid",
                 "amount": "1000", "currency": "USD"}]))
    assert response.status_code == 302
    c = Case.objects.get(title="New case")
    assert c.owner_org == user.organisation
    assert list(c.seizures.all()) == [s]
    assert c.defendants.count() == 1 and c.events.count() == 2
    detail = client.get(response["Location"]).content.decode()
    assert "Settled (transactional fine paid)" in detail


def test_event_before_the_seizure_is_rejected_naming_the_field_and_nothing_written(client):
    user = signed_in(client)
    s = f.seizure(org=user.organisation, date=SEIZED)
    counts = (Case.objects.count(), CaseEvent.objects.count(), AuditEntry.objects.count())
    response = client.post(reverse("cases:create"), form_data(
        title="Bad case", seizures=[s.pk],
        events=[{"kind": "verdict", "date": "2019-01-05", "outcome": "conviction"}]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Verdict dated 2019-01-05 is before the seizure (2019-12-20)" in page
    assert "Event 1 · Date" in page
    errors = response.context["forms"].events.forms[0].errors
    assert "date" in errors
    assert (Case.objects.count(), CaseEvent.objects.count(),
            AuditEntry.objects.count()) == counts


@pytest.mark.parametrize(("event", "field", "words"), [
    ({"kind": "verdict", "date": "2020-02-01"}, "outcome", "needs an outcome"),
    ({"kind": "transaction", "date": "2020-02-01"}, "fine_status", "paid or refused"),
])
def test_timeline_rules_are_field_messages(client, event, field, words):
    signed_in(client)
    response = client.post(reverse("cases:create") + "?format=json",
                           form_data(title="T", events=[event]))
    assert response.status_code == 400
    problems = response.json()["errors"]["events"]["rows"]["0"][field]
    assert words in " ".join(p["message"] for p in problems)
    assert not Case.objects.exists()


def test_seizures_offered_are_only_those_the_user_may_see(client):
    user = signed_in(client)
    mine = f.seizure(org=user.organisation, reference="MINE-1")
    theirs = f.seizure(org=f.organisation("fa"), reference="THEIRS-1")
    refresh_seizure_search(mine)
    refresh_seizure_search(theirs)
    page = client.get(reverse("cases:create")).content.decode()
    assert "MINE-1" in page and "THEIRS-1" not in page
    response = client.post(reverse("cases:create"), form_data(title="T",
                                                              seizures=[theirs.pk]))
    assert response.status_code == 400 and not Case.objects.exists()
    found = client.get(reverse("cases:seizure_choices"), {"q": "THEIRS"}).content.decode()
    assert "THEIRS-1" not in found
    found = client.get(reverse("cases:seizure_choices"), {"q": "MINE"}).content.decode()
    assert f'value="{mine.pk}"' in found


def edit_data(c: Case, **changes: Any) -> dict[str, Any]:
    roles = [{"id": r.pk, "agency": r.agency_id, "role": r.role} for r in c.agency_roles.all()]
    defendants = [{"id": d.pk, "name": d.name, "nationality": d.nationality_id or ""}
                  for d in c.defendants.all()]
    events = [{"id": e.pk, "kind": e.kind, "date": e.date.isoformat(),
               "defendant": e.defendant_id or "", "law_section": e.law_section}
              for e in c.events.all()]
    data = form_data(roles=roles, defendants=defendants, events=events,
                     initial={"roles": len(roles), "defendants": len(defendants),
                              "events": len(events)},
                     title=c.title, case_number=c.case_number,
                     opened_on=c.opened_on.isoformat() if c.opened_on else "",
                     seizures=[s.pk for s in c.seizures.all()])
    data.update(changes)
    return data


def test_edit_shows_in_history_and_keeps_unchanged_children(client):
    user = signed_in(client)
    c = lion_bone_case(user.organisation)
    events_before = set(c.events.values_list("pk", flat=True))
    response = client.post(reverse("cases:edit", args=[c.pk]),
                           edit_data(c, title="Lion bone, 280 kg"))
    assert response.status_code == 302, response.context["forms"].summary()
    c.refresh_from_db()
    assert c.title == "Lion bone, 280 kg"
    assert set(c.events.values_list("pk", flat=True)) == events_before
    page = client.get(reverse("cases:detail", args=[c.pk])).content.decode()
    assert "Lion bone, 280 kg" in page and user.username in page
    history = client.get(reverse("cases:detail", args=[c.pk]), {"format": "json"}).json()
    assert history["history"][0]["who"] == user.username
    assert history["history"][0]["changes"][0]["new"] == "Lion bone, 280 kg"


def test_edit_removes_a_deleted_event_and_adds_a_new_one(client):
    user = signed_in(client)
    c = lion_bone_case(user.organisation)
    data = edit_data(c)
    data["events-0-DELETE"] = "on"  # the arrest (first in date order)
    data["events-TOTAL_FORMS"] = "3"
    data.update({"events-2-kind": "hearing", "events-2-date": "2020-03-01"})
    assert client.post(reverse("cases:edit", args=[c.pk]), data).status_code == 302
    assert sorted(c.events.values_list("kind", flat=True)) == ["charge", "hearing"]


def test_edit_keeps_seizures_the_editor_may_not_see(client):
    user = signed_in(client)
    c = lion_bone_case(user.organisation)
    data = edit_data(c)  # before the hidden link: the form does not offer it
    hidden = f.seizure(org=f.organisation("fa"))
    c.seizures.add(hidden)
    assert client.post(reverse("cases:edit", args=[c.pk]), data).status_code == 302
    assert hidden in c.seizures.all()


def test_form_json_twin_lists_fields(client):
    signed_in(client)
    data = client.get(reverse("cases:create"), {"format": "json"}).json()
    assert "title" in [f["name"] for f in data["fields"]["case"]]
    assert "fine_status" in [f["name"] for f in data["fields"]["events"]]


# -- add one event (htmx) ------------------------------------------------------------------

def test_add_event_with_htmx_updates_the_timeline(client):
    user = signed_in(client)
    c = lion_bone_case(user.organisation)
    d = c.defendants.get()
    url = reverse("cases:add_event", args=[c.pk])
    form = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="add-event").content.decode()
    assert "<form" in form and "<html" not in form and 'hx-target="#timeline"' in form
    response = client.post(url, {"event-kind": "verdict", "event-date": "2020-06-01",
                                 "event-outcome": "conviction", "event-defendant": d.pk},
                           HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="timeline"' in page and "Conviction" in page and "hx-swap-oob" in page
    assert c.events.filter(kind="verdict", defendant=d).exists()


def test_add_event_rejected_stays_in_the_form(client):
    user = signed_in(client)
    c = lion_bone_case(user.organisation)
    url = reverse("cases:add_event", args=[c.pk])
    response = client.post(url, {"event-kind": "hearing", "event-date": "2019-01-01"},
                           HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline")
    assert response.status_code == 200 and response["HX-Retarget"] == "#add-event"
    assert "is before the seizure" in response.content.decode()
    assert not c.events.filter(kind="hearing").exists()


def test_add_event_without_script_redirects(client):
    user = signed_in(client)
    c = lion_bone_case(user.organisation)
    url = reverse("cases:add_event", args=[c.pk])
    page = client.get(url).content.decode()
    # the page of its own has no #timeline: its form must post normally, not with htmx
    assert "<html" in page and "hx-post" not in page and 'id="timeline"' not in page
    assert f'action="{url}"' in page
    response = client.post(url, {"event-kind": "appeal", "event-date": "2020-08-01"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:detail", args=[c.pk])
    detail = client.get(reverse("cases:detail", args=[c.pk]), {"format": "json"}).json()
    assert detail["stage"] == "appeal"


def test_add_event_on_its_own_page_shows_the_field_errors(client):
    user = signed_in(client)
    c = lion_bone_case(user.organisation)
    url = reverse("cases:add_event", args=[c.pk])
    response = client.post(url, {"event-kind": "hearing", "event-date": "2019-01-01"})
    assert response.status_code == 400 and "HX-Retarget" not in response
    page = response.content.decode()
    assert "<html" in page and "hx-post" not in page and "is before the seizure" in page
    assert 'value="2019-01-01"' in page  # what was typed is kept
    assert not c.events.filter(kind="hearing").exists()


def test_an_htmx_request_from_elsewhere_gets_the_whole_page(client):
    """A boosted link or a form whose target is not the case page's gets no fragment."""
    user = signed_in(client)
    c = lion_bone_case(user.organisation)
    url = reverse("cases:add_event", args=[c.pk])
    page = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="main").content.decode()
    assert "<html" in page and "hx-post" not in page
    response = client.post(url, {"event-kind": "appeal", "event-date": "2020-08-01"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 302


def test_the_case_page_loads_the_inline_form_into_add_event(client):
    user = signed_in(client)
    c = lion_bone_case(user.organisation)
    page = client.get(reverse("cases:detail", args=[c.pk])).content.decode()
    url = reverse("cases:add_event", args=[c.pk])
    assert f'href="{url}" hx-get="{url}" hx-target="#add-event"' in page


def test_add_event_json(client):
    user = signed_in(client)
    c = lion_bone_case(user.organisation)
    url = reverse("cases:add_event", args=[c.pk]) + "?format=json"
    assert "outcome" in [f["name"] for f in client.get(url).json()["fields"]]
    bad = client.post(url, {"event-kind": "transaction", "event-date": "2020-08-01"})
    assert bad.status_code == 400 and "fine_status" in bad.json()["errors"]
    good = client.post(url, {"event-kind": "transaction", "event-date": "2020-08-01",
                             "event-fine_status": "refused"})
    assert good.status_code == 201 and good.json()["fine_status"] == "refused"


def test_search_finds_a_khmer_word_inside_a_defendants_name(client):
    user = signed_in(client)
    c = Case(title="Turtles at Sre Ambel", owner_org=user.organisation, synthetic=True)
    save_case(c, defendants=[Defendant(name="លោកសុខសំណាងប្រុស", synthetic=True)])
    found = client.get(reverse("cases:list"), {"format": "json", "q": "សុខសំណាង"}).json()
    assert [r["title"] for r in found["results"]] == ["Turtles at Sre Ambel"]
