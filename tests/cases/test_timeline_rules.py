"""The order rules of a timeline (a verdict needs a charge, a sentence a conviction): one rule
(``services.ORDER_RULES``) read by `kouprey check` and applied by the forms and the API to a
new or changed event, while older inconsistent data stays readable and editable."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kouprey.cases import services
from kouprey.cases.models import Case, CaseEvent, Defendant
from kouprey.core.checks import run_checks
from kouprey.core.permissions import Role
from kouprey.reference.models import Place
from tests import factories as f
from tests.factories.api import TokenClient, reference_data

pytestmark = pytest.mark.django_db
K = CaseEvent.Kind
SEIZED = date(2019, 12, 20)


def signed_in(client: Any) -> Any:
    user = f.user(Role.EDITOR, f.organisation("wcs"))
    client.force_login(user)
    return user


def a_case(org: Any, charge: bool = False) -> Case:
    c = f.case(org=org, seizures=[f.seizure(org=org, date=SEIZED)], case_number="PP-9",
               title="Pangolin scales")
    f.defendant(c, "Synthetic Person A")
    if charge:
        f.event(c, K.CHARGE, date(2020, 1, 15), defendant=c.defendants.get())
    return c


def rules() -> list[str]:
    return sorted(p.rule for p in run_checks())


def test_the_check_reads_the_shared_rules() -> None:
    from kouprey.cases import checks

    assert set(checks.RULES) == {"verdict_without_charge", "sentence_without_conviction"}
    assert checks.RULES["verdict_without_charge"] is services.ORDER_RULES[0]


# -- the add-event form --------------------------------------------------------------------

def test_a_conviction_of_the_whole_case_without_charge_is_refused_on_kind(client) -> None:
    user = signed_in(client)
    c = a_case(user.organisation)
    url = reverse("cases:add_event", args=[c.pk])
    response = client.post(url, {"event-kind": "verdict", "event-date": "2020-06-01",
                                 "event-outcome": "conviction"})
    assert response.status_code == 400
    form = response.context["form"]
    assert "A verdict needs a charge first" in str(form.errors["kind"])
    assert not c.events.exists() and rules() == []


def test_a_conviction_of_a_defendant_without_their_charge_is_refused_on_defendant(client):
    user = signed_in(client)
    c = a_case(user.organisation)
    other = f.defendant(c, "Synthetic Person B")
    f.event(c, K.CHARGE, date(2020, 1, 15), defendant=other)
    url = reverse("cases:add_event", args=[c.pk]) + "?format=json"
    a = c.defendants.get(name="Synthetic Person A")
    response = client.post(url, {"event-kind": "verdict", "event-date": "2020-06-01",
                                 "event-outcome": "conviction", "event-defendant": a.pk})
    assert response.status_code == 400
    assert "A verdict needs a charge for this defendant first" in str(
        response.json()["errors"]["defendant"])
    # the same verdict for the charged defendant is accepted
    ok = client.post(url, {"event-kind": "verdict", "event-date": "2020-06-01",
                           "event-outcome": "conviction", "event-defendant": other.pk})
    assert ok.status_code == 201 and rules() == []


def test_a_charge_after_the_verdict_is_named_on_the_date(client) -> None:
    user = signed_in(client)
    c = a_case(user.organisation, charge=True)
    url = reverse("cases:add_event", args=[c.pk])
    response = client.post(url, {"event-kind": "verdict", "event-date": "2020-01-14",
                                 "event-outcome": "acquittal"},
                           HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline")
    assert response["HX-Retarget"] == "#add-event"
    assert "A verdict needs a charge on or before its date" in str(
        response.context["form"].errors["date"])


def test_a_sentence_needs_a_conviction(client) -> None:
    user = signed_in(client)
    c = a_case(user.organisation, charge=True)
    f.event(c, K.VERDICT, date(2020, 6, 1), outcome="acquittal")
    url = reverse("cases:add_event", args=[c.pk])
    response = client.post(url, {"event-kind": "sentence", "event-date": "2020-06-02",
                                 "event-prison_months": "12"})
    assert response.status_code == 400
    assert "A sentence needs a conviction first" in str(response.context["form"].errors["kind"])


# -- the case form and save_case -----------------------------------------------------------

def event_row(event: CaseEvent | None = None, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {}
    if event is not None:
        row = {"id": event.pk, "kind": event.kind, "date": event.date.isoformat(),
               "outcome": event.outcome, "defendant": event.defendant_id or ""}
    row.update(fields)
    return row


def edit_data(c: Case, events: list[dict[str, Any]], initial: int) -> dict[str, Any]:
    data: dict[str, Any] = {"title": c.title, "case_number": c.case_number,
                            "confidentiality": str(c.confidentiality),
                            "seizures": [s.pk for s in c.seizures.all()],
                            "roles-TOTAL_FORMS": "0", "roles-INITIAL_FORMS": "0"}
    defendants = list(c.defendants.all())
    data.update({"defendants-TOTAL_FORMS": str(len(defendants)),
                 "defendants-INITIAL_FORMS": str(len(defendants))})
    for i, d in enumerate(defendants):
        data.update({f"defendants-{i}-id": d.pk, f"defendants-{i}-name": d.name})
    data.update({"events-TOTAL_FORMS": str(len(events)), "events-INITIAL_FORMS": str(initial)})
    for i, row in enumerate(events):
        data.update({f"events-{i}-{k}": v for k, v in row.items()})
    return data


def test_the_case_form_refuses_a_new_conviction_without_charge(client) -> None:
    user = signed_in(client)
    c = a_case(user.organisation)
    url = reverse("cases:edit", args=[c.pk])
    response = client.post(url, edit_data(c, [event_row(kind="verdict", date="2020-06-01",
                                                        outcome="conviction")], 0))
    assert response.status_code == 400
    assert "A verdict needs a charge first" in response.content.decode()
    assert not c.events.exists()


def test_old_inconsistent_data_stays_readable_and_editable(client) -> None:
    user = signed_in(client)
    c = a_case(user.organisation)
    old = f.event(c, K.VERDICT, date(2020, 6, 1), outcome="conviction")  # stored before
    assert rules() == ["verdict_without_charge"]
    assert client.get(reverse("cases:detail", args=[c.pk])).status_code == 200
    assert client.get(reverse("cases:edit", args=[c.pk])).status_code == 200
    url = reverse("cases:edit", args=[c.pk])
    data = edit_data(c, [event_row(old)], 1)
    data["title"] = "Pangolin scales (renamed)"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["forms"].summary()
    assert rules() == ["verdict_without_charge"]  # the check still reports it
    # changing the old verdict asks for the charge
    response = client.post(url, edit_data(c, [event_row(old, date="2020-06-02")], 1))
    assert response.status_code == 400
    assert "A verdict needs a charge first" in response.content.decode()
    # adding the charge makes it consistent
    fixed = edit_data(c, [event_row(old), event_row(kind="charge", date="2020-01-15")], 1)
    assert client.post(url, fixed).status_code == 302
    assert rules() == []


def test_removing_the_charge_a_verdict_needs_is_refused() -> None:
    org = f.organisation("wcs")
    c = a_case(org, charge=True)
    verdict = f.event(c, K.VERDICT, date(2020, 6, 1), defendant=c.defendants.get(),
                      outcome="conviction")
    with pytest.raises(ValidationError) as caught:
        services.save_case(c, list(c.seizures.all()), defendants=list(c.defendants.all()),
                           events=[verdict])
    assert "events[0].defendant" in caught.value.message_dict
    assert c.events.count() == 2


def test_save_case_checks_the_order_within_the_given_events() -> None:
    org = f.organisation("wcs")
    seizure = f.seizure(org=org, date=SEIZED)
    case = Case(title="New", owner_org=org)
    d = Defendant(name="Synthetic Person C", synthetic=True)
    events = [CaseEvent(kind=K.CHARGE, date=date(2020, 1, 1), defendant=d),
              CaseEvent(kind=K.VERDICT, date=date(2020, 6, 1), defendant=d,
                        outcome="conviction"),
              CaseEvent(kind=K.SENTENCE, date=date(2020, 6, 1), defendant=d,
                        prison_months=6)]
    services.save_case(case, [seizure], defendants=[d], events=events)
    assert rules() == []


# -- the API -------------------------------------------------------------------------------

def test_the_api_refuses_a_conviction_without_charge_naming_the_field() -> None:
    reference_data()
    wcs = f.organisation("wcs")
    client = TokenClient(f.user(Role.EDITOR, wcs))
    seizure = f.seizure(org=wcs, date=SEIZED)
    payload = {"title": "Ivory", "seizures": [seizure.pk],
               "defendants": [{"name": "Synthetic Defendant", "synthetic": True}],
               "events": [{"kind": "verdict", "date": "2020-06-01", "defendant": 0,
                           "outcome": "conviction"}]}
    response = client.post("/api/cases/", payload)
    assert 400 <= response.status_code < 500, response.content
    body = response.content.decode()
    assert "events[0].defendant" in body and "needs a charge" in body
    assert not Case.objects.exists()
    payload["events"].insert(0, {"kind": "charge", "date": "2020-01-10", "defendant": 0})
    assert client.post("/api/cases/", payload).status_code == 201
    assert rules() == []


# -- an event's place: one shared <datalist>, loaded on the first focus --------------------

def test_the_edit_page_loads_the_places_once_on_demand(client) -> None:
    user = signed_in(client)
    c = a_case(user.organisation, charge=True)
    port = f.place("Sihanoukville Autonomous Port", locode="KHKOS", iata="")
    for n in range(30):
        f.place(f"Airport {n:02d}", iata=f"A{n:02d}", locode="")
    f.event(c, K.ARREST, date(2019, 12, 20), place=port)
    page = client.get(reverse("cases:edit", args=[c.pk])).content.decode()
    # the page names no place but the chosen one: the list is not in it
    assert "Airport 07" not in page and "<option value=\"Airport" not in page
    # one empty list, filled from the reference endpoint on the first focus of any row
    assert page.count("<datalist") == 1
    datalist = re.search(r'<datalist id="places" hx-get="([^"]+)"[^>]*></datalist>', page)
    assert datalist and datalist.group(1).startswith("/reference/places/datalist?lang=en&amp;v=")
    assert "focusin[target.list&amp;&amp;target.list.id==&#x27;places&#x27;] from:body once" \
        in page or "focusin[target.list&&target.list.id=='places'] from:body once" in page
    # every event row (the arrest, the charge, the empty row, the template for added rows)
    # points at that one list, and no id is written twice
    inputs = re.findall(r'<input type="text" name="events-([\w_]+)-place"[^>]*>', page)
    assert sorted(inputs) == ["0", "1", "2", "__prefix__"]
    assert page.count('list="places"') == 4
    outside = re.sub(r"<template>.*?</template>", "", page, flags=re.DOTALL)
    ids = re.findall(r'\sid="([^"]+)"', outside)
    assert len(ids) == len(set(ids))
    assert 'value="Sihanoukville Autonomous Port (KHKOS)"' in page  # the chosen place
    # the edit page is no longer weighed down by the list
    assert client.get(datalist.group(1).replace("&amp;", "&")).content.decode().count(
        "<option") == 31


def test_a_typed_name_or_code_is_found_without_javascript_on_the_edit_page(client) -> None:
    user = signed_in(client)
    c = a_case(user.organisation, charge=True)
    port = f.place("Sihanoukville Autonomous Port", locode="KHKOS", iata="")
    charge = c.events.get()
    data = edit_data(c, [event_row(charge), event_row(kind="arrest", date="2019-12-20",
                                                      place="khkos")], 1)
    response = client.post(reverse("cases:edit", args=[c.pk]), data)
    assert response.status_code == 302, response.content.decode()[:800]
    assert c.events.get(kind=K.ARREST).place == port


@pytest.mark.parametrize("typed", ["Phnom Penh International Airport (PNH)", "pnh",
                                   "Phnom Penh International Airport", "{pk}",
                                   "អាកាសយានដ្ឋានអន្តរជាតិភ្នំពេញ (PNH)"])
def test_a_place_is_found_by_label_code_name_or_id(client, typed: str) -> None:
    user = signed_in(client)
    c = a_case(user.organisation, charge=True)
    airport = f.place("Phnom Penh International Airport", iata="PNH", locode="",
                      name_km="អាកាសយានដ្ឋានអន្តរជាតិភ្នំពេញ")
    url = reverse("cases:add_event", args=[c.pk])
    response = client.post(url, {"event-kind": "hearing", "event-date": "2020-03-02",
                                 "event-place": typed.format(pk=airport.pk)})
    assert response.status_code == 302
    assert c.events.get(kind="hearing").place == airport


def test_an_unknown_or_ambiguous_place_is_refused(client) -> None:
    user = signed_in(client)
    c = a_case(user.organisation, charge=True)
    first = f.place("Pemba Airport", iata="POL", locode="")
    Place.objects.create(name="Pemba Airport", iata="PMA", kind=first.kind,
                         country=first.country)
    url = reverse("cases:add_event", args=[c.pk])
    for typed in ("Atlantis", "Pemba Airport"):
        response = client.post(url, {"event-kind": "hearing", "event-date": "2020-03-02",
                                     "event-place": typed})
        assert response.status_code == 400
        assert "Pick a place from the list" in str(response.context["form"].errors["place"])
    response = client.post(url, {"event-kind": "hearing", "event-date": "2020-03-02",
                                 "event-place": "Pemba Airport (PMA)"})
    assert response.status_code == 302
