"""Weights and RIE as people write them: in the list's CSV, XLSX and JSON downloads no
trailing zeros (SQLite's sums came as 283.600000000000) and RIE to the gram; a seizure with
no ivory item has no RIE ("—" on pages, an empty cell in downloads), one with ivory of 0 kg
keeps its 0."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kouprey.core.permissions import Role
from kouprey.core.tabular import csv_lines, plain_decimal
from kouprey.seizures.services import with_totals
from tests import factories as f

pytestmark = pytest.mark.django_db
LIST = reverse("seizures:list")


@pytest.fixture
def seizures() -> dict[str, int]:
    wcs = f.organisation("wcs")
    lion = f.seizure(wcs, reference="LION")
    f.item(lion, "283.6", commodity=f.commodity("lion-bone"), taxon=f.taxon("Panthera leo"))
    worked = f.seizure(wcs, reference="WORKED")
    f.item(worked, "3.1", worked=True, commodity=f.commodity("ivory-worked"))
    raw = f.seizure(wcs, reference="RAW")
    f.item(raw, "120.000")
    zero = f.seizure(wcs, reference="ZERO")
    f.item(zero, "0")
    return {"LION": lion.pk, "WORKED": worked.pk, "RAW": raw.pk, "ZERO": zero.pk}


@pytest.fixture
def client_in(client: Client) -> Client:
    client.force_login(f.user(Role.EDITOR, f.organisation("wcs")))
    return client


EXPECTED = {  # reference: (weight, RIE) as written in a download
    "LION": ("283.6", ""), "WORKED": ("3.1", "4.429"), "RAW": ("120", "120"),
    "ZERO": ("0", "0"),
}


def test_csv_writes_numbers_plainly_and_no_rie_without_ivory(client_in: Client,
                                                             seizures) -> None:
    body = b"".join(client_in.get(LIST, {"format": "csv"}).streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    found = {r["Reference"]: (r["Weight (kg)"], r["RIE (kg)"]) for r in rows}
    assert found == EXPECTED


def test_xlsx_has_the_same_numbers(client_in: Client, seizures) -> None:
    response = client_in.get(LIST, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    at = {name: header.index(name) for name in ("Reference", "Weight (kg)", "RIE (kg)")}
    found = {}
    for line in sheet.iter_rows(min_row=2, values_only=True):
        found[line[at["Reference"]]] = (line[at["Weight (kg)"]], line[at["RIE (kg)"]])
    assert found["LION"][1] in (None, "")
    assert float(found["LION"][0]) == 283.6
    assert float(found["WORKED"][1]) == 4.429
    assert float(found["RAW"][0]) == 120 and float(found["ZERO"][1]) == 0


def test_json_twin_has_rounded_numbers_and_null_rie(client_in: Client, seizures) -> None:
    results = client_in.get(LIST, {"format": "json"}).json()["results"]
    found = {r["reference"]: (r["total_weight_kg"], r["rie_kg"]) for r in results}
    assert found == {"LION": (283.6, None), "WORKED": (3.1, 4.429), "RAW": (120, 120),
                     "ZERO": (0, 0)}


def test_the_list_page_shows_a_dash_without_ivory(client_in: Client, seizures) -> None:
    page = client_in.get(LIST, {"sort": "reference"}).content.decode()
    rie = '<td data-label="RIE (kg)" class="num ">'
    cells = [part.split("</td>")[0] for part in page.split(rie)[1:]]
    assert cells == ["—", "120", "4.429", "0"]  # LION, RAW, WORKED, ZERO


def test_the_detail_page_and_its_twin(client_in: Client, seizures) -> None:
    lion = reverse("seizures:detail", args=[seizures["LION"]])
    page = client_in.get(lion).content.decode()
    assert 'Raw ivory equivalent: <span data-total="rie">—</span></span>' in page
    assert client_in.get(lion, {"format": "json"}).json()["totals"]["rie_kg"] is None
    worked = reverse("seizures:detail", args=[seizures["WORKED"]])
    page = client_in.get(worked).content.decode()
    assert '<span data-total="rie">4.429</span> kg' in page
    zero = reverse("seizures:detail", args=[seizures["ZERO"]])
    assert '<span data-total="rie">0</span> kg' in client_in.get(zero).content.decode()


def test_with_totals_gives_no_rie_without_ivory_and_sums_the_rest(seizures) -> None:
    from kouprey.seizures.models import Seizure

    found = {s.reference: s.rie_kg for s in with_totals(Seizure.objects.all())}
    assert found["LION"] is None
    assert found["ZERO"] == 0 and found["RAW"] == 120
    assert abs(found["WORKED"] - Decimal("4.4285714")) < Decimal("0.0001")


@pytest.mark.parametrize(("value", "text"), [
    ("283.600000000000", "283.6"), ("6.00000000000000", "6"), ("120", "120"),
    ("1.2E+2", "120"), ("0.000", "0"), ("0.0000001", "0.0000001"), ("-4.50", "-4.50"),
])
def test_decimals_are_written_plainly(value: str, text: str) -> None:
    line = list(csv_lines(["n"], [[Decimal(value)]]))[1].strip()
    assert line == (text if not text.startswith("-") else "-4.5")
    assert plain_decimal(Decimal(value)) == Decimal(value)
