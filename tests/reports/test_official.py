"""The CITES Annual Illegal Trade Report sheet and the ETIS-style ivory export."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from kouprey.cases.models import CaseEvent
from kouprey.core.permissions import Role
from kouprey.reference.models import CommodityType, Unit
from kouprey.reports import cites_aitr, etis
from kouprey.reports.common import write_table
from kouprey.seizures.importers import import_seizures
from kouprey.seizures.models import Seizure, SeizureItem
from tests import factories as f
from tests.factories.importing import GOOD_ROWS, reference_data, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(tmp_path: Path):
    reference_data()
    org = f.organisation("wcs")
    import_seizures(write_csv(tmp_path / "s.csv", GOOD_ROWS), org_id=org.pk)
    ivory = Seizure.objects.get(external_id="KH-2019-001")
    case = f.case(org=org, seizures=[ivory])
    f.event(case, CaseEvent.Kind.CHARGE, date(2019, 4, 1),
            law_section="Forestry Law art. 98")
    f.event(case, CaseEvent.Kind.SENTENCE, date(2020, 1, 15), prison_months=24,
            amount=Decimal("15000000"), currency="KHR")
    f.seizure(org=f.organisation("gdce"), date=date(2019, 5, 5))  # another org's: not shown
    return f.user(Role.ANALYST, org=org)


def test_aitr_columns_follow_the_domain_field_list() -> None:
    """Kouprey's headings and order, from DOMAIN.md: the Secretariat's template could not be
    read (see the module docstring); change this list with ``COLUMNS`` once it is."""
    assert cites_aitr.HEADER == [
        "Date of seizure", "Species (scientific name)", "Description of specimens",
        "Quantity", "Unit", "Location of seizure", "Country of origin",
        "Country of export/re-export", "Country(ies) of transit",
        "Country of destination/import", "Detection location type", "Mode of transport",
        "Method of detection", "Concealment", "Reason for seizure", "Estimated value",
        "Currency", "Nationality of offenders", "Legal basis (law and section)", "Sanctions",
        "Disposal of confiscated specimens", "Additional information"]


@pytest.mark.parametrize("language", ["en", "km"])
def test_aitr_row_of_a_known_seizure(analyst, language: str) -> None:
    with translation.override(language):  # English either way (the sanctions' words too)
        rows = [dict(zip(cites_aitr.HEADER, r, strict=True))
                for r in cites_aitr.rows(analyst, 2019)]
    assert len(rows) == 3  # one per item: raw ivory, worked ivory, rhino horn
    raw = rows[0]
    assert raw == {
        "Date of seizure": date(2019, 3, 2),
        "Species (scientific name)": "Loxodonta africana",
        "Description of specimens": "tusks",
        "Quantity": Decimal("1000.500"), "Unit": "kg",
        "Location of seizure": "Sihanoukville Autonomous Port",
        "Country of origin": "MZ; NG", "Country of export/re-export": "MZ",
        "Country(ies) of transit": "MY; SG", "Country of destination/import": "VN",
        "Detection location type": "Seaport", "Mode of transport": "Sea",
        "Method of detection": "X-ray scan", "Concealment": "In a container",
        "Reason for seizure": "", "Estimated value": None, "Currency": "",
        "Nationality of offenders": "VN; CN",
        "Legal basis (law and section)": "Forestry Law art. 98",
        "Sanctions": "prison 24 months, fine 15000000 KHR",
        "Disposal of confiscated specimens": "",
        "Additional information": f"Kouprey #{Seizure.objects.get(reference='KOS/19/001').pk}"
                                  " / KOS/19/001 / KH-2019-001",
    }
    horn = rows[2]
    assert (horn["Quantity"], horn["Estimated value"], horn["Currency"]) == (
        Decimal("12.250"), Decimal("300000.00"), "USD")
    assert horn["Sanctions"] == ""


@pytest.mark.parametrize("language", ["en", "km"])
def test_aitr_rows_of_a_seizure_built_here(language: str) -> None:
    """Counted and measured items, a reason and a disposal: the cells as Kouprey writes them
    (the template's own vocabularies could not be checked; see the module docstring). In
    English whatever language is active (a Khmer deployment's KOUPREY_LANGUAGE): the report
    goes to the Secretariat."""
    org = f.organisation("wcs")
    seizure = f.seizure(org=org, date=date(2021, 8, 9), reason=Seizure.Reason.NO_PERMIT,
                        export_country=f.country("NG"), destination_country=f.country("CN"))
    f.origin(seizure, "NG")
    f.suspect(seizure, nationality=f.country("VN"))
    scales = f.commodity("pangolin-scales", name="Pangolin scales", cites_term="SCA")
    pangolin = f.taxon("Phataginus tricuspis", cites_appendix="I")
    bags = Unit.objects.create(code="bag", name="bag", dimension=Unit.Dimension.COUNT)
    boxes = Unit.objects.create(code="box", name="box", dimension=Unit.Dimension.COUNT,
                                cites_code="BOX")
    common = {"seizure": seizure, "commodity": scales, "taxon": pangolin}
    SeizureItem.objects.create(**common, weight_kg=Decimal("250.000"), value=Decimal("1000"),
                               currency="USD", disposal=SeizureItem.Disposal.DESTROYED)
    SeizureItem.objects.create(**common, pieces=12, count_unit=boxes)
    SeizureItem.objects.create(**common, pieces=3, count_unit=bags)
    SeizureItem.objects.create(**common, pieces=7)
    SeizureItem.objects.create(**common, volume_m3=Decimal("1.500"))
    SeizureItem.objects.create(**common)
    with translation.override(language):
        rows = [dict(zip(cites_aitr.HEADER, r, strict=True))
                for r in cites_aitr.rows(f.user(Role.ANALYST, org=org), 2021)]
    assert [(r["Quantity"], r["Unit"]) for r in rows] == [
        (Decimal("250.000"), "kg"), (12, "BOX"), (3, "bag"), (7, "number of specimens"),
        (Decimal("1.500"), "m3"), (None, "")]
    first = rows[0]
    assert {k: first[k] for k in ("Date of seizure", "Species (scientific name)",
                                  "Description of specimens", "Country of origin",
                                  "Country of export/re-export", "Country(ies) of transit",
                                  "Country of destination/import", "Reason for seizure",
                                  "Estimated value", "Currency", "Nationality of offenders",
                                  "Legal basis (law and section)", "Sanctions",
                                  "Disposal of confiscated specimens")} == {
        "Date of seizure": date(2021, 8, 9), "Species (scientific name)": "Phataginus tricuspis",
        "Description of specimens": "SCA", "Country of origin": "NG",
        "Country of export/re-export": "NG", "Country(ies) of transit": "",
        "Country of destination/import": "CN",
        "Reason for seizure": "No CITES permit or certificate",
        "Estimated value": Decimal("1000.00"), "Currency": "USD",
        "Nationality of offenders": "VN", "Legal basis (law and section)": "",
        "Sanctions": "", "Disposal of confiscated specimens": "Destroyed"}
    assert {r["Disposal of confiscated specimens"] for r in rows[1:]} == {""}
    assert {r["Reason for seizure"] for r in rows} == {"No CITES permit or certificate"}


def test_aitr_holds_only_the_year_and_what_the_user_may_export(analyst) -> None:
    assert list(cites_aitr.rows(analyst, 2018)) == []
    outsider = f.user(Role.ANALYST, org=f.organisation("fa"))
    assert list(cites_aitr.rows(outsider, 2019)) == []


def test_aitr_workbook(analyst, tmp_path: Path) -> None:
    path = tmp_path / "aitr.xlsx"
    write_table(path, cites_aitr.HEADER, cites_aitr.rows(analyst, 2019), title=cites_aitr.SHEET)
    sheet = load_workbook(path, read_only=True)[cites_aitr.SHEET]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == cites_aitr.HEADER
    assert len(values) == 4


def test_etis_has_only_ivory_seizures_with_rie(analyst) -> None:
    rows = [dict(zip(etis.HEADER, r, strict=True)) for r in etis.rows(analyst, 2019)]
    assert len(rows) == 1  # the rhino horn seizure is not ivory
    row = rows[0]
    assert row["country_of_discovery"] == "KH"
    assert row["date_of_seizure"] == date(2019, 3, 2)
    assert (row["raw_pieces"], row["raw_weight_kg"]) == (120, Decimal("1000.500"))
    assert (row["worked_pieces"], row["worked_weight_kg"]) == (40, Decimal("70.000"))
    assert row["rie_kg"] == Decimal("1100.500")  # 1000.5 + 70 / 0.7
    assert row["origin_countries"] == "MZ:0.6;NG:0.4"
    assert (row["export_country"], row["destination_country"]) == ("MZ", "VN")
    assert (row["transit_countries"], row["transit_seizure_opportunity"]) == ("MY;SG", "SG")
    assert row["agencies"] == "fa;gdce"
    assert (row["detection_method"], row["transport_mode"], row["concealment"]) == (
        "xray", "sea", "container")
    assert row["suspect_nationalities"] == "VN;CN"
    assert row["place_type"] == "seaport"


def test_etis_validated_only(analyst) -> None:
    assert list(etis.rows(analyst, 2019, validated_only=True)) == []
    Seizure.objects.filter(external_id="KH-2019-001").update(validation_status="validated")
    assert len(list(etis.rows(analyst, 2019, validated_only=True))) == 1


weights = st.decimals(min_value=0, max_value=100000, places=3, allow_nan=False)


@given(st.lists(st.tuples(weights, st.booleans()), min_size=1, max_size=6))
def test_rie_is_raw_plus_worked_over_0_7(items: list[tuple[Decimal, bool]]) -> None:
    ivory = CommodityType(code="ivory-raw", name="Ivory", is_ivory=True)
    built = [SeizureItem(commodity=ivory, weight_kg=w, worked=worked) for w, worked in items]
    line = etis.Ivory(Seizure(), [i for i in built if not i.worked],
                      [i for i in built if i.worked])
    raw = sum((w for w, worked in items if not worked), Decimal(0))
    worked = sum((w for w, is_worked in items if is_worked), Decimal(0))
    got = dict(etis.COLUMNS)["rie_kg"](line)
    assert abs(got - (raw + worked / Decimal("0.7"))) <= Decimal("0.0005")


def test_reports_read_a_fixed_number_of_queries(analyst) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(build) -> int:
        with CaptureQueriesContext(connection) as captured:
            list(build())
        return len(captured)

    before = (queries(lambda: cites_aitr.rows(analyst, 2019)),
              queries(lambda: etis.rows(analyst, 2019)))
    org = analyst.organisation
    for n in range(5):
        more = f.seizure(org=org, date=date(2019, 6, 1 + n))
        f.item(more, weight="10", worked=bool(n % 2))
        f.suspect(more, nationality=f.country("VN"))
    assert (queries(lambda: cites_aitr.rows(analyst, 2019)),
            queries(lambda: etis.rows(analyst, 2019))) == before
