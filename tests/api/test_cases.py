"""The case API: filters, the derived stage, timelines saved through the case services."""

from __future__ import annotations

import pytest

from kouprey.cases.models import Case, CaseEvent
from kouprey.core.permissions import Role
from tests import factories as f
from tests.factories.api import TokenClient, reference_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def wcs():
    return f.organisation("wcs")


@pytest.fixture
def editor(wcs) -> TokenClient:
    reference_data()
    return TokenClient(f.user(Role.EDITOR, wcs))


@pytest.fixture
def seizure(wcs):
    return f.seizure(org=wcs, reference="S-1")


def case_payload(seizure, **fields) -> dict:
    payload = {
        "title": "Lion bone at Phnom Penh airport", "case_number": "PP-2019-001",
        "opened_on": "2019-12-21", "seizures": [seizure.pk],
        "agencies": [{"agency": "gdce", "role": "detecting"},
                     {"agency": "fa", "role": "investigating"}],
        "defendants": [{"name": "Synthetic Defendant One", "nationality": "VN",
                        "synthetic": True},
                       {"name": "Synthetic Defendant Two", "synthetic": True}],
        "events": [
            {"kind": "arrest", "date": "2019-12-20", "defendant": 0, "authority": "gdce"},
            {"kind": "charge", "date": "2020-01-10", "defendant": 0,
             "law_section": "Forestry Law art. 98"},
            {"kind": "verdict", "date": "2020-06-01", "defendant": 0,
             "outcome": "conviction"},
        ],
    }
    payload.update(fields)
    return payload


def create(client: TokenClient, seizure, **fields) -> dict:
    response = client.post("/api/cases/", case_payload(seizure, **fields))
    assert response.status_code == 201, response.content
    return response.json()


def test_create_saves_the_timeline_and_derives_the_stage(editor, seizure, wcs) -> None:
    body = create(editor, seizure)
    case = Case.objects.get(pk=body["id"])
    assert case.owner_org == wcs
    assert body["stage"] == "verdict" and body["convicted"] and body["prosecuted"]
    assert body["interagency_coordination"] is True
    assert body["seizures"] == [seizure.pk]
    assert [e["kind"] for e in body["events"]] == ["arrest", "charge", "verdict"]
    assert body["events"][0]["defendant"] == 0
    first = case.defendants.order_by("id").first()
    assert CaseEvent.objects.filter(case=case, defendant=first).count() == 3
    assert body["agencies"][0] == {"agency": body["agencies"][0]["agency"],
                                   "role": "detecting"}


def test_an_event_before_the_seizure_is_refused_and_nothing_saved(editor, seizure) -> None:
    payload = case_payload(seizure)
    payload["events"][2]["date"] = "2019-01-01"
    response = editor.post("/api/cases/", payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "events[2].date"
    assert "before the seizure" in response.json()["detail"][0]["message"]
    assert Case.objects.count() == 0


def test_bad_choices_codes_and_positions_are_named(editor, seizure) -> None:
    payload = case_payload(seizure, court="no-such-court")
    payload["events"][0]["defendant"] = 5
    payload["agencies"][1]["role"] = "spectator"
    response = editor.post("/api/cases/", payload)
    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["detail"]]
    assert fields == ["court", "events[0].defendant"]
    payload = case_payload(seizure)
    payload["agencies"][1]["role"] = "spectator"
    response = editor.post("/api/cases/", payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "agencies[1].role"


def test_seizures_the_user_cannot_read_are_unknown(editor, seizure) -> None:
    hidden = f.seizure(org=f.organisation("gdce"))
    response = editor.post("/api/cases/", case_payload(seizure, seizures=[hidden.pk]))
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "seizures[0]",
                                          "message": f"unknown seizure id {hidden.pk}"}]


def test_updates_keep_links_to_seizures_the_user_cannot_see(editor, seizure) -> None:
    body = create(editor, seizure)
    hidden = f.seizure(org=f.organisation("gdce"))
    Case.objects.get(pk=body["id"]).seizures.add(hidden)
    assert editor.get(body["url"]).json()["seizures"] == [seizure.pk]
    response = editor.patch(body["url"], {"title": "Renamed"})
    assert response.status_code == 200, response.content
    assert set(Case.objects.get(pk=body["id"]).seizures.all()) == {seizure, hidden}


def test_patch_events_keeps_the_defendants(editor, seizure) -> None:
    body = create(editor, seizure)
    defendants = [d["id"] for d in body["defendants"]]
    response = editor.patch(body["url"], {"events": [
        {"kind": "arrest", "date": "2019-12-20", "defendant": 1}]})
    assert response.status_code == 200, response.content
    after = response.json()
    assert [d["id"] for d in after["defendants"]] == defendants
    assert after["stage"] == "investigation"
    assert after["events"][0]["defendant"] == 1


def test_patch_unchanged_case_writes_no_history(editor, seizure) -> None:
    from kouprey.core.models import AuditEntry

    body = create(editor, seizure)
    before = AuditEntry.objects.count()
    assert editor.patch(body["url"], {}).status_code == 200
    assert AuditEntry.objects.count() == before


def test_list_filters_and_stage(editor, seizure, wcs) -> None:
    create(editor, seizure)
    create(editor, seizure, title="Pangolin scales", case_number="SV-1", events=[],
           agencies=[{"agency": "gdce", "role": "detecting"}])
    f.case(org=f.organisation("gdce"), title="Not ours")
    listed = editor.get("/api/cases/").json()
    assert listed["count"] == 2
    assert {c["stage"] for c in listed["items"]} == {"verdict", "seizure"}
    assert editor.get("/api/cases/", {"agency": "fa"}).json()["count"] == 1
    assert editor.get("/api/cases/", {"q": "Pangolin"}).json()["count"] == 1
    assert editor.get("/api/cases/", {"seizure": seizure.pk}).json()["count"] == 2
    assert editor.get("/api/cases/", {"agency": "nope"}).status_code == 422


def test_another_organisations_case_is_not_found(editor) -> None:
    other = f.case(org=f.organisation("gdce"))
    assert editor.get(f"/api/cases/{other.pk}").status_code == 404
    assert editor.patch(f"/api/cases/{other.pk}", {"title": "x"}).status_code == 404
