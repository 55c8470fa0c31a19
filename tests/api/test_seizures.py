"""The seizure API: the list page's filters, detail, create and update through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kouprey.core.models import AuditEntry
from kouprey.core.permissions import Confidentiality, Role
from kouprey.reference.models import Place
from kouprey.seizures.models import Seizure, SeizureItem
from tests import factories as f
from tests.factories.api import TokenClient, reference_data, seizure_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def ref() -> dict:
    return reference_data()


@pytest.fixture
def wcs():
    return f.organisation("wcs")


@pytest.fixture
def editor(wcs) -> TokenClient:
    return TokenClient(f.user(Role.EDITOR, wcs, username="synthetic.editor"))


def create(client: TokenClient, **fields) -> dict:
    response = client.post("/api/seizures/", seizure_payload(**fields))
    assert response.status_code == 201, response.content
    return response.json()


def test_create_with_codes_saves_the_whole_record(ref, editor, wcs) -> None:
    body = create(editor)
    seizure = Seizure.objects.get(pk=body["id"])
    assert seizure.owner_org == wcs
    assert seizure.place == ref["kos"]
    assert sorted(a.code for a in seizure.agencies.all()) == ["fa", "gdce"]
    assert seizure.items.count() == 2 and seizure.origins.count() == 2
    assert body["place"] == {"id": ref["kos"].pk, "code": "KHKOS",
                             "name": "Sihanoukville Autonomous Port"}
    assert body["rie_kg"] == "80.000" and body["total_weight_kg"] == "77.000"
    chain = body["chain"]
    assert [o["country"]["code"] for o in chain["origins"]] == ["MZ", "NG"]
    assert chain["export"]["code"] == "KE" and chain["destination"]["code"] == "VN"
    assert chain["transits"][0] == {"country": chain["transits"][0]["country"], "position": 1,
                                    "seizure_opportunity": True}
    assert body["suspects"][0]["nationality"]["code"] == "VN"
    assert body["items"][0]["taxon"]["code"] == "Loxodonta africana"
    assert body["url"] == f"/api/seizures/{body['id']}"


def test_places_are_found_by_iata_code_and_by_id(ref, editor) -> None:
    assert create(editor, place="PNH")["place"]["id"] == ref["pnh"].pk
    assert create(editor, place="pnh", reference="x")["place"]["code"] == "PNH"
    assert create(editor, place=ref["kos"].pk, reference="y")["place"]["code"] == "KHKOS"


def test_unknown_codes_are_all_named_and_nothing_is_written(ref, editor) -> None:
    payload = seizure_payload(place="XXXXX", agencies=["gdce", "nope"])
    payload["items"][0]["commodity"] = "unicorn-horn"
    payload["chain"]["origins"][0]["country"] = "ZZ"
    response = editor.post("/api/seizures/", payload)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "place", "message": "unknown place code XXXXX"},
        {"field": "agencies[1]", "message": "unknown agency code nope"},
        {"field": "items[0].commodity", "message": "unknown commodity type code unicorn-horn"},
        {"field": "chain.origins[0].country", "message": "unknown country code ZZ"},
    ]
    assert Seizure.objects.count() == 0


def test_an_ambiguous_place_code_asks_for_the_id(ref, editor) -> None:
    f.place("Phnom Penh Autonomous Port", kind=Place.Kind.RIVER_PORT, locode="KHPNH")
    response = editor.post("/api/seizures/", seizure_payload(place="KHPNH"))
    assert response.status_code == 422
    assert "more than one place" in response.json()["detail"][0]["message"]


def test_service_validation_errors_name_the_field(ref, editor) -> None:
    payload = seizure_payload()
    payload["items"][0]["weight_kg"] = "-3"
    payload["chain"]["origins"][0]["proportion"] = "0.5"
    response = editor.post("/api/seizures/", payload)
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert fields["items[0].weight_kg"] == "Must not be negative."
    assert "sum to 1" in fields["chain.origins"]
    assert Seizure.objects.count() == 0
    assert SeizureItem.objects.count() == 0


def test_payloads_that_do_not_fit_the_schema_name_the_field(ref, editor) -> None:
    payload = seizure_payload(date="20 December")
    payload["items"][1]["weight_kg"] = "heavy"
    response = editor.post("/api/seizures/", payload)
    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["detail"]]
    assert fields == ["date", "items[1].weight_kg"]


def test_confidentiality_above_ones_clearance_is_refused(ref, editor) -> None:
    response = editor.post("/api/seizures/",
                           seizure_payload(confidentiality=Confidentiality.SECRET))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "confidentiality"


def test_list_uses_the_list_page_filters(ref, editor, wcs) -> None:
    create(editor)
    create(editor, reference="API-2", place="PNH", date="2016-05-01", items=[
        {"commodity": "pangolin-scales", "weight_kg": "300"}],
        suspects=[{"name": "Synthetic Broker", "role": "broker", "synthetic": True}],
        chain={"origins": [{"country": "CN"}]})
    f.seizure(org=f.organisation("gdce"), reference="OTHER-ORG")
    client = editor
    listed = client.get("/api/seizures/").json()
    assert listed["count"] == 2
    assert {s["reference"] for s in listed["items"]} == {"API-1", "API-2"}
    assert client.get("/api/seizures/", {"place": "PNH"}).json()["count"] == 1
    assert client.get("/api/seizures/", {"year": 2016}).json()["items"][0]["reference"] \
        == "API-2"
    assert client.get("/api/seizures/", {"commodity": "pangolin-scales"}).json()["count"] == 1
    assert client.get("/api/seizures/", {"q": "Broker"}).json()["count"] == 1
    assert client.get("/api/seizures/", {"origin": "MZ"}).json()["count"] == 1
    by_date = client.get("/api/seizures/", {"sort": "date"}).json()["items"]
    assert [s["reference"] for s in by_date] == ["API-2", "API-1"]
    first = by_date[0]["id"]
    assert client.get("/api/seizures/", {"ids": str(first)}).json()["count"] == 1


def test_list_totals_count_every_item_even_when_filtering_on_one(ref, editor) -> None:
    payload = seizure_payload()
    payload["items"].append({"commodity": "pangolin-scales", "weight_kg": "23"})
    create(editor, **{k: v for k, v in payload.items() if k == "items"})
    row = editor.get("/api/seizures/", {"commodity": "pangolin-scales"}).json()["items"][0]
    assert row["total_weight_kg"] == "100.000"
    assert row["rie_kg"] == "80.000"


def test_list_pages_carry_the_count_and_links(ref, editor) -> None:
    for n in range(5):
        create(editor, reference=f"P{n}")
    page = editor.get("/api/seizures/", {"page_size": 2, "page": 2, "sort": "reference"}).json()
    assert (page["count"], page["pages"], page["page"], page["page_size"]) == (5, 3, 2, 2)
    assert [s["reference"] for s in page["items"]] == ["P2", "P3"]
    assert "page=3" in page["next"] and "page=1" in page["previous"]
    assert "sort=reference" in page["next"]


def test_bad_filters_are_422_naming_the_filter(ref, editor) -> None:
    response = editor.get("/api/seizures/", {"place": "NOWHERE"})
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "place",
                                          "message": "unknown place code NOWHERE"}]
    bad_sort = editor.get("/api/seizures/", {"sort": "secret_field"})
    assert bad_sort.status_code == 422
    assert bad_sort.json()["detail"][0]["field"] == "sort"
    assert editor.get("/api/seizures/", {"page": 0}).status_code == 422
    bad_ids = editor.get("/api/seizures/", {"ids": "1,x"})
    assert bad_ids.status_code == 422, "not a server error"
    assert bad_ids.json()["detail"][0]["field"] == "ids"
    assert editor.get("/api/seizures/", {"date_from": "yesterday"}).status_code == 422


def test_bodies_that_are_not_json_objects_are_refused(ref, editor) -> None:
    client, headers = editor.client, editor._headers()
    broken = client.post("/api/seizures/", "{not json", content_type="application/json",
                         headers=headers)
    assert broken.status_code == 400
    assert editor.post("/api/seizures/", []).status_code == 422
    response = editor.post("/api/seizures/", {"date": "2020-01-01", "agencies": "gdce"})
    assert response.json()["detail"] == [{"field": "agencies",
                                          "message": "Input should be a valid list"}]


def test_a_duplicate_external_id_is_422(ref, editor) -> None:
    create(editor, external_id="LEMIS-1")
    response = editor.post("/api/seizures/", seizure_payload(external_id="LEMIS-1"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "external_id"


def test_another_organisations_seizure_is_not_found(ref, editor) -> None:
    other = f.seizure(org=f.organisation("gdce"))
    assert editor.get(f"/api/seizures/{other.pk}").status_code == 404
    assert editor.patch(f"/api/seizures/{other.pk}", {"description": "x"}).status_code == 404
    assert editor.put(f"/api/seizures/{other.pk}", seizure_payload()).status_code == 404


def test_shared_seizures_are_read_but_not_changed(ref, editor, wcs) -> None:
    other = f.seizure(org=f.organisation("gdce"))
    other.shared_with.add(wcs)
    assert editor.get(f"/api/seizures/{other.pk}").status_code == 200
    assert editor.patch(f"/api/seizures/{other.pk}", {"description": "x"}).status_code == 404


def test_patch_changes_only_the_fields_given_and_keeps_the_items(ref, editor) -> None:
    body = create(editor)
    item_ids = [i["id"] for i in body["items"]]
    before = AuditEntry.objects.count()
    response = editor.patch(body["url"], {"description": "Updated", "place": "PNH"})
    assert response.status_code == 200, response.content
    after = response.json()
    assert after["description"] == "Updated" and after["place"]["code"] == "PNH"
    assert [i["id"] for i in after["items"]] == item_ids
    assert after["chain"] == body["chain"]
    assert after["suspects"] == body["suspects"]
    changed = AuditEntry.objects.order_by("id")[before:]
    assert [(e.model, e.action) for e in changed] == [("seizures.seizure", "update")]
    assert set(changed[0].changes) == {"description", "place"}


def test_patch_with_a_list_replaces_the_list(ref, editor) -> None:
    body = create(editor)
    kept = body["items"][0]
    kept_payload = {"id": kept["id"], "commodity": "ivory-raw", "weight_kg": "71"}
    response = editor.patch(body["url"], {"items": [
        kept_payload, {"commodity": "pangolin-scales", "weight_kg": "5"}]})
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert items[0]["id"] == kept["id"] and items[0]["weight_kg"] == "71.000"
    assert len(items) == 2 and items[1]["commodity"]["code"] == "pangolin-scales"
    assert not SeizureItem.objects.filter(pk=body["items"][1]["id"]).exists()


def test_an_item_id_of_another_seizure_is_refused(ref, editor) -> None:
    first, second = create(editor), create(editor, reference="B")
    stolen = {"id": second["items"][0]["id"], "commodity": "ivory-raw"}
    response = editor.patch(first["url"], {"items": [stolen]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "items[0].id"


def test_put_replaces_the_whole_record(ref, editor) -> None:
    body = create(editor)
    response = editor.put(body["url"], {"date": "2020-01-02", "reference": "Replaced"})
    assert response.status_code == 200, response.content
    replaced = response.json()
    assert replaced["reference"] == "Replaced" and replaced["place"] is None
    assert replaced["items"] == [] and replaced["chain"]["origins"] == []
    assert Seizure.objects.get(pk=body["id"]).date == date(2020, 1, 2)


def test_patch_with_null_for_a_required_field_is_422(ref, editor) -> None:
    body = create(editor)
    response = editor.patch(body["url"], {"date": None})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "date"


def test_detail_shows_the_derived_weights(ref, editor, wcs) -> None:
    seizure = f.seizure(org=wcs)
    f.item(seizure, weight="70")
    f.item(seizure, weight="7", worked=True, commodity=f.commodity("ivory-worked"))
    body = editor.get(f"/api/seizures/{seizure.pk}").json()
    assert Decimal(body["rie_kg"]) == Decimal("80")
    assert Decimal(body["total_weight_kg"]) == Decimal("77")
