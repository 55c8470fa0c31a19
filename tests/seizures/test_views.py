"""Seizure pages: list (filters, search, sort, pages, JSON/CSV/XLSX twins), detail, forms."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kouprey.core.models import AuditEntry
from kouprey.core.permissions import Role
from kouprey.seizures.models import OriginCountry, Seizure, SeizureItem
from kouprey.seizures.services import refresh_search_text
from tests import factories as f
from tests.factories.pages import form_data, full_seizure

pytestmark = pytest.mark.django_db
LIST = reverse("seizures:list")


def _refs(html: str) -> list[str]:
    """The references of the rows in the results table, in order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r'<td data-label="Reference"[^>]*><a href="[^"]+">([^<]+)</a>', body)


def _seizures(org, count: int, **fields) -> list[Seizure]:
    made = []
    for n in range(count):
        s = f.seizure(org=org, reference=f"R{n:03d}", date=date(2015, 1, 1 + n % 28), **fields)
        f.item(s, weight=str(10 + n))
        f.suspect(s, nationality=f.country("VN"))
        s.agencies.add(f.agency())
        made.append(s)
    return made


# -- list ---------------------------------------------------------------------------------

def test_list_shows_columns_with_totals_and_rie(client: Client, editor, wcs):
    full_seizure(org=wcs)
    html = client.get(LIST).content.decode()
    assert _refs(html) == ["KH-2019-001"]
    for text in ("Sihanoukville Autonomous Port", "General Department of Customs and Excise",
                 "Lion bone", "287.5", "10", "Viet Nam", "Draft"):
        assert text in html


def test_list_only_shows_the_users_organisation(client: Client, editor, wcs):
    f.seizure(org=wcs, reference="MINE")
    f.seizure(org=f.organisation("gdce"), reference="THEIRS")
    assert _refs(client.get(LIST).content.decode()) == ["MINE"]


def test_filters_narrow_the_list(client: Client, editor, wcs):
    full_seizure(org=wcs)
    other = f.seizure(org=wcs, reference="AIRPORT", place=f.place(
        "Phnom Penh International Airport", iata="PNH", locode=""))
    f.suspect(other, nationality=f.country("CN"))
    assert _refs(client.get(LIST, {"place": other.place_id}).content.decode()) == ["AIRPORT"]
    cn = f.country("CN").pk
    assert _refs(client.get(LIST, {"nationality": cn}).content.decode()) == ["AIRPORT"]
    assert _refs(client.get(LIST, {"origin": f.country("MZ").pk}).content.decode()) == [
        "KH-2019-001"]


def test_search_finds_a_khmer_word_inside_a_sentence(client: Client, editor, wcs):
    hit = f.seizure(org=wcs, reference="IVORY", description="ការរឹបអូសភ្លុកដំរីនៅកំពង់ផែ")
    miss = f.seizure(org=wcs, reference="SCALES", description="ស្រកាសត្វលំពែង")
    refresh_search_text(hit)
    refresh_search_text(miss)
    assert _refs(client.get(LIST, {"q": "ភ្លុកដំរី"}).content.decode()) == ["IVORY"]


def test_filtered_totals_still_count_every_item(client: Client, editor, wcs):
    s = full_seizure(org=wcs)
    f.suspect(s, name="Second Person", nationality=f.country("VN"))
    rows = client.get(LIST, {"format": "json", "nationality": f.country("VN").pk,
                             "commodity": f.commodity("lion-bone").pk}).json()["results"]
    assert [r["total_weight_kg"] for r in rows] == [287.5]
    assert rows[0]["rie_kg"] == 10.0


def test_sort_links_toggle_and_order_rows(client: Client, editor, wcs):
    _seizures(wcs, 3)
    assert _refs(client.get(LIST, {"sort": "reference"}).content.decode()) == [
        "R000", "R001", "R002"]
    html = client.get(LIST, {"sort": "-reference"}).content.decode()
    assert _refs(html) == ["R002", "R001", "R000"]
    assert 'aria-sort="descending"' in html and "?sort=reference" in html


def test_pagination_uses_page_size(client: Client, editor, wcs, settings):
    settings.PAGE_SIZE = 2
    _seizures(wcs, 5)
    first = client.get(LIST, {"sort": "reference"}).content.decode()
    assert _refs(first) == ["R000", "R001"] and "Page 1 of 3" in first
    last = client.get(LIST, {"sort": "reference", "page": 3}).content.decode()
    assert _refs(last) == ["R004"]


def test_htmx_request_gets_only_the_results(client: Client, editor, wcs):
    _seizures(wcs, 1)
    fragment = client.get(LIST, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="results"') and "<html" not in fragment


def test_json_twin_equals_the_html_rows(client: Client, editor, wcs, settings):
    settings.PAGE_SIZE = 3
    _seizures(wcs, 5)
    params = {"sort": "-reference", "page": 2}
    html_refs = _refs(client.get(LIST, params).content.decode())
    data = client.get(LIST, {**params, "format": "json"}).json()
    assert [r["reference"] for r in data["results"]] == html_refs == ["R001", "R000"]
    assert data["count"] == 5 and data["next"] is None and "page=1" in data["previous"]
    first = client.get(LIST, {"sort": "-reference", "format": "json"}).json()
    assert "page=2" in first["next"] and "format=json" in first["next"]
    row = data["results"][0]
    assert set(row) >= {"id", "url", "date", "place", "agencies", "commodities",
                        "total_weight_kg", "rie_kg", "nationalities", "validation_status"}


def test_json_twin_rejects_a_bad_filter(client: Client, editor):
    response = client.get(LIST, {"format": "json", "date_from": "not a date"})
    assert response.status_code == 400 and "date_from" in response.json()["errors"]


def _filtered_export_setup(wcs):
    _seizures(wcs, 3)
    f.seizure(org=wcs, reference="FORMULA", description="=HYPERLINK(\"http://x\")",
              place=f.place("Phnom Penh International Airport", iata="PNH", locode=""))
    f.seizure(org=wcs, reference="=1+1", place=f.place("Phnom Penh International Airport"))


def test_csv_has_exactly_the_filtered_rows_of_every_page(client: Client, editor, wcs,
                                                          settings):
    settings.PAGE_SIZE = 1
    _filtered_export_setup(wcs)
    airport = f.place("Phnom Penh International Airport").pk
    response = client.get(LIST, {"format": "csv", "place": airport, "sort": "reference"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Reference"] for r in rows] == ["'=1+1", "FORMULA"]
    assert rows[1]["Description"] == "'=HYPERLINK(\"http://x\")"


def test_xlsx_has_exactly_the_filtered_rows_and_escapes_formulas(client: Client, editor,
                                                                  wcs, settings):
    settings.PAGE_SIZE = 1
    _filtered_export_setup(wcs)
    airport = f.place("Phnom Penh International Airport").pk
    response = client.get(LIST, {"format": "xlsx", "place": airport, "sort": "reference"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    refs = [r[header.index("Reference")] for r in rows[1:]]
    assert refs == ["'=1+1", "FORMULA"]
    assert rows[2][header.index("Description")] == "'=HYPERLINK(\"http://x\")"
    assert all(not str(cell).startswith("=") for row in rows for cell in row if cell)


def test_viewer_may_not_download(client: Client, wcs):
    client.force_login(f.user(Role.VIEWER, wcs))
    assert client.get(LIST, {"format": "csv"}).status_code == 403
    assert client.get(LIST, {"format": "json"}).status_code == 200


def test_list_query_count_does_not_grow_with_rows(client: Client, editor, wcs):
    _seizures(wcs, 5)
    with CaptureQueriesContext(connection) as five:
        assert client.get(LIST).status_code == 200
    _seizures(wcs, 15)
    with CaptureQueriesContext(connection) as twenty:
        html = client.get(LIST).content.decode()
    assert len(_refs(html)) == 20
    assert len(twenty) == len(five), [q["sql"] for q in twenty.captured_queries]


# -- detail -------------------------------------------------------------------------------

def test_detail_shows_everything(client: Client, editor, wcs):
    s = full_seizure(org=wcs)
    html = client.get(reverse("seizures:detail", args=[s.pk])).content.decode()
    for text in ("KH-2019-001", "Lion bone", "Panthera leo", "280.5", 'data-total="rie">10<',
                 "South Africa", "Mozambique", "0.6", "Namibia", "seizure opportunity",
                 "Viet Nam", "Nguyễn Văn Giả", "Nguyen Van Gia", "Courier",
                 "GDCE press release 12/2019", "Change history"):
        assert text in html, text


def test_detail_lists_only_visible_cases(client: Client, editor, wcs):
    s = full_seizure(org=wcs)
    f.case(org=wcs, seizures=[s], title="Lion bone case")
    f.case(org=f.organisation("gdce"), seizures=[s], title="Hidden case")
    html = client.get(reverse("seizures:detail", args=[s.pk])).content.decode()
    assert "Lion bone case" in html and "Hidden case" not in html


def test_detail_json_twin(client: Client, editor, wcs):
    s = full_seizure(org=wcs)
    data = client.get(reverse("seizures:detail", args=[s.pk]), {"format": "json"}).json()
    assert data["reference"] == "KH-2019-001"
    assert data["totals"]["weight_kg"] == 287.5 and data["totals"]["rie_kg"] == 10.0
    chain = data["trade_chain"]
    assert [o["country"]["iso2"] for o in chain["origins"]] == ["ZA", "MZ"]
    assert chain["transits"][0]["seizure_opportunity"] is True
    assert chain["destination"]["iso2"] == "VN"
    assert data["suspects"][0]["name"] == "Nguyễn Văn Giả"
    assert data["history"], "creation is in the history"


@pytest.mark.parametrize("name", ["seizures:detail", "seizures:edit"])
def test_other_organisations_seizure_is_not_found(client: Client, editor, name):
    s = f.seizure(org=f.organisation("gdce"))
    assert client.get(reverse(name, args=[s.pk])).status_code == 404
    assert client.get(reverse(name, args=[s.pk]), {"format": "json"}).status_code == 404


def test_shared_seizure_is_seen_but_not_edited(client: Client, editor):
    s = f.seizure(org=f.organisation("gdce"))
    s.shared_with.add(editor.organisation)
    assert client.get(reverse("seizures:detail", args=[s.pk])).status_code == 200
    assert client.get(reverse("seizures:edit", args=[s.pk])).status_code == 404


# -- create and edit -----------------------------------------------------------------------

def test_viewer_cannot_open_the_create_form(client: Client, wcs):
    client.force_login(f.user(Role.VIEWER, wcs))
    assert client.get(reverse("seizures:create")).status_code == 403
    assert client.post(reverse("seizures:create"), form_data()).status_code == 403
    assert Seizure.objects.count() == 0


def test_create_saves_the_whole_record_for_the_users_organisation(client: Client, editor):
    data = form_data(
        reference="NEW-1", agencies=[f.agency().pk],
        rows={"items": [{"commodity": f.commodity().pk, "weight_kg": "12.5"}],
              "origins": [{"country": f.country("NG").pk, "proportion": "1"}],
              "suspects": [{"name": "Synthetic Courier", "role": "courier"}]},
    )
    response = client.post(reverse("seizures:create"), data)
    s = Seizure.objects.get(reference="NEW-1")
    assert response.status_code == 302 and response["Location"] == reverse(
        "seizures:detail", args=[s.pk])
    assert s.owner_org == editor.organisation
    assert [i.weight_kg for i in s.items.all()] == [Decimal("12.5")]
    assert list(s.agencies.all()) == [f.agency()]
    assert s.origins.get().country.iso2 == "NG"
    assert "Synthetic Courier" in s.search_text


def test_empty_extra_rows_are_ignored(client: Client, editor):
    data = form_data(reference="EMPTY-ROWS", rows={"origins": [{"proportion": "1"}],
                                                   "transits": [{"position": "1"}]})
    assert client.post(reverse("seizures:create"), data).status_code == 302
    s = Seizure.objects.get(reference="EMPTY-ROWS")
    assert s.origins.count() == 0 and s.transits.count() == 0


def test_negative_weight_is_rejected_naming_the_field(client: Client, editor):
    data = form_data(rows={"items": [{"commodity": f.commodity().pk, "weight_kg": "-3"}]})
    response = client.post(reverse("seizures:create"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Item 1, Weight (kg)" in html and "Must not be negative." in html
    assert Seizure.objects.count() == 0 and SeizureItem.objects.count() == 0


def test_origin_proportions_not_summing_to_one_are_rejected(client: Client, editor):
    data = form_data(rows={"origins": [{"country": f.country("MZ").pk, "proportion": "0.5"},
                                       {"country": f.country("KE").pk, "proportion": "0.3"}]})
    response = client.post(reverse("seizures:create"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Countries of origin" in html and "sum to 0.8" in html
    assert Seizure.objects.count() == 0 and OriginCountry.objects.count() == 0


def test_unknown_place_is_named(client: Client, editor):
    response = client.post(reverse("seizures:create"), form_data(place=999999))
    assert response.status_code == 400
    assert "Unknown place" in response.content.decode()
    assert Seizure.objects.count() == 0


def test_json_post_gets_the_errors_by_field(client: Client, editor):
    data = form_data(rows={"items": [{"commodity": f.commodity().pk, "weight_kg": "-3"}]})
    response = client.post(reverse("seizures:create") + "?format=json", data)
    assert response.status_code == 400
    assert "weight_kg" in response.json()["errors"]["items"]["rows"]["0"]


def test_confidentiality_above_clearance_is_refused(client: Client, editor):
    response = client.post(reverse("seizures:create"), form_data(confidentiality=4))
    assert response.status_code == 400 and "clearance" in response.content.decode()


def test_add_a_row_shows_one_more_form_without_saving(client: Client, editor):
    data = form_data(rows={"items": [{"commodity": f.commodity().pk, "weight_kg": "1"}]},
                     _add="items")
    html = client.post(reverse("seizures:create"), data).content.decode()
    assert 'name="items-TOTAL_FORMS" value="2"' in html
    assert Seizure.objects.count() == 0


def test_edit_records_history_shown_on_the_detail_page(client: Client, editor, wcs):
    s = full_seizure(org=wcs)
    items = list(s.items.order_by("id"))
    detail = reverse("seizures:detail", args=[s.pk])
    edit_page = client.get(reverse("seizures:edit", args=[s.pk]))
    assert edit_page.status_code == 200
    data = form_data(
        reference="KH-2019-001", date="2019-12-20", place=s.place_id,
        agencies=[a.pk for a in s.agencies.all()], description="Lion bone, 12 boxes",
        export_country=s.export_country_id, destination_country=s.destination_country_id,
        rows={"items": [{"id": items[0].pk, "commodity": items[0].commodity_id,
                         "taxon": items[0].taxon_id, "weight_kg": "281"},
                        {"id": items[1].pk, "commodity": items[1].commodity_id,
                         "weight_kg": "7", "worked": "on", "DELETE": "on"}]},
        initial={"items": 2},
    )
    response = client.post(reverse("seizures:edit", args=[s.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    s.refresh_from_db()
    assert s.description == "Lion bone, 12 boxes"
    assert [i.weight_kg for i in s.items.all()] == [Decimal("281")]
    assert s.origins.count() == 0  # rows not sent are removed (the form sends the whole record)
    entry = AuditEntry.objects.filter(root_id=str(s.pk), action="update",
                                      model="seizures.seizure").first()
    assert entry.changes == {"description": ["Lion bone in checked luggage",
                                             "Lion bone, 12 boxes"]}
    assert entry.actor == editor
    html = client.get(detail).content.decode()
    assert "Lion bone in checked luggage" in html and "Lion bone, 12 boxes" in html
    assert "280.5" in html and editor.username in html


# -- delete -------------------------------------------------------------------------------

def test_only_admins_delete_and_linked_seizures_are_kept(client: Client, editor, wcs):
    s = f.seizure(org=wcs)
    url = reverse("seizures:delete", args=[s.pk])
    assert client.post(url).status_code == 403
    client.force_login(f.user(Role.ADMIN, wcs))
    linked = f.seizure(org=wcs)
    f.case(org=wcs, seizures=[linked])
    assert client.post(reverse("seizures:delete", args=[linked.pk])).status_code == 409
    assert client.post(url).status_code == 302
    assert not Seizure.objects.filter(pk=s.pk).exists()
    assert Seizure.objects.filter(pk=linked.pk).exists()


def test_edit_form_query_count_does_not_grow_with_rows(client: Client, editor, wcs):
    s = full_seizure(org=wcs)
    url = reverse("seizures:edit", args=[s.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(6):
        f.item(s, weight=str(n + 1))
        f.suspect(s, name=f"Synthetic {n}", nationality=f.country("CN"))
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert 'name="items-TOTAL_FORMS" value="9"' in html
    assert len(many) == len(few)


def test_form_pages_have_json_twins(client: Client, editor):
    described = client.get(reverse("seizures:create"), {"format": "json"}).json()
    assert {"name": "date", "label": "Date of seizure", "required": True, "help": ""} in \
        described["fields"]
    assert "weight_kg" in [f["name"] for f in described["rows"]["items"]]
    created = client.post(reverse("seizures:create") + "?format=json",
                          form_data(reference="JSON-1"))
    assert created.status_code == 201
    assert created.json()["url"] == reverse("seizures:detail", args=[created.json()["id"]])


def test_only_superusers_choose_the_owning_organisation(client: Client, editor, wcs):
    gdce = f.organisation("gdce")
    client.post(reverse("seizures:create"), form_data(reference="MINE", owner_org=gdce.pk))
    assert Seizure.objects.get(reference="MINE").owner_org == wcs  # the field is ignored
    root = f.user(Role.VIEWER, is_superuser=True)
    root.organisation = None
    root.save()
    client.force_login(root)
    assert 'name="owner_org"' in client.get(reverse("seizures:create")).content.decode()
    client.post(reverse("seizures:create"), form_data(reference="THEIRS", owner_org=gdce.pk))
    assert Seizure.objects.get(reference="THEIRS").owner_org == gdce


def test_a_linked_seizure_names_the_cases_to_unlink_it_from(client: Client, wcs):
    """"Unlink it from the case" said which case only by a count: the page links the cases
    the user may open."""
    client.force_login(f.user(Role.ADMIN, wcs))
    linked = f.seizure(org=wcs)
    case = f.case(org=wcs, seizures=[linked], case_number="PP-CFI-2019-0001",
                  title="Ivory at the port")
    page = client.get(reverse("seizures:delete", args=[linked.pk])).content.decode()
    detail = reverse("cases:detail", args=[case.pk])
    assert f'<a href="{detail}">PP-CFI-2019-0001 Ivory at the port</a>' in page
    # a case the user may not open is counted, never named
    f.case(org=f.organisation("other"), seizures=[linked], title="Secret case")
    page = client.get(reverse("seizures:delete", args=[linked.pk])).content.decode()
    assert "linked to 2 cases" in page and "Secret case" not in page


def test_every_error_is_shown_at_once_not_the_chains_on_the_next_try(client: Client, editor):
    """A negative weight and origins summing to 0.8 and a transit country listed twice: all
    three come back together, so the editor corrects them in one go."""
    viet_nam = f.country("VN").pk
    data = form_data(rows={"items": [{"commodity": f.commodity().pk, "weight_kg": "-3"}],
                           "origins": [{"country": f.country("MZ").pk, "proportion": "0.5"},
                                       {"country": f.country("KE").pk, "proportion": "0.3"}],
                           "transits": [{"country": viet_nam, "position": "1"},
                                        {"country": viet_nam, "position": "2"}]})
    response = client.post(reverse("seizures:create"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Must not be negative." in html
    assert "sum to 0.8" in html
    assert "A transit country is listed twice." in html
    assert "Already listed in another row." in html  # on the second Viet Nam row
    assert "Please correct the duplicate" not in html  # Django's words, not Kouprey's
    assert Seizure.objects.count() == 0


def test_a_refused_origin_row_is_not_also_summed(client: Client, editor):
    """An origin row with its own error (a share above 1) is not counted into a sum the
    editor has not finished: only the row's own message is shown."""
    data = form_data(rows={"origins": [{"country": f.country("MZ").pk, "proportion": "1.5"},
                                       {"country": f.country("KE").pk, "proportion": "0.3"}],
                           "items": [{"commodity": f.commodity().pk, "weight_kg": "-3"}]})
    html = client.post(reverse("seizures:create"), data).content.decode()
    assert "sum to" not in html
