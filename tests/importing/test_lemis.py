"""The built-in LEMIS mapping on the real US Fish & Wildlife Service file in ../shared/data."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kouprey.reference.loaders import load_all
from kouprey.reference.models import Agency, Place, Taxon
from kouprey.seizures.importers import import_seizures
from kouprey.seizures.mappings.lemis import codes, port_kind
from kouprey.seizures.models import OriginCountry, Seizure, SeizureItem
from kouprey.seizures.services import search_refs, search_text
from tests import factories as f
from tests.factories.importing import write_csv
from tests.importing.test_seizure_import import table_counts

pytestmark = pytest.mark.django_db
LEMIS = Path("lemis") / "amphibian_LEMIS_1999_and_2015.csv"
SEIZED_ROWS = 43  # rows with disposition S; the file has no control numbers


@pytest.fixture
def org() -> object:
    load_all()  # the real reference data that `kouprey init` loads
    return f.organisation("wcs")


def test_the_seized_shipments_of_the_real_file(shared_data: Path, org) -> None:
    result = import_seizures(shared_data / LEMIS, mapping="lemis", org_id=org.pk)
    assert result.committed, result.problems
    assert result.rows == 7823
    # Each seized row has no control number, so it is a shipment of its own.
    assert Seizure.objects.count() == SEIZED_ROWS
    assert SeizureItem.objects.count() == SEIZED_ROWS
    assert not Seizure.objects.exclude(external_id__startswith="lemis:row-").exists()

    # Spot check: the Chinese giant salamanders refused at San Francisco in 2015
    # (ANDA, 2 specimens, purpose S, source W, from China).
    seizure = Seizure.objects.get(items__taxon__scientific_name="Andrias davidianus")
    assert seizure.date.isoformat() == "2015-07-14"  # the disposition (seizure) date
    assert (seizure.place.name, seizure.place.kind, seizure.place.country.iso2) == (
        "San Francisco", "city", "US")
    assert seizure.discovery_country.iso2 == "US"
    assert seizure.export_country.iso2 == "CN"
    assert seizure.destination_country.iso2 == "US"
    assert [(o.country.iso2, o.proportion) for o in seizure.origins.all()] == [
        ("CN", Decimal("1.000"))]
    assert [a.code for a in seizure.agencies.all()] == ["usfws"]
    item = seizure.items.get()
    assert (item.pieces, item.weight_kg, item.worked) == (2, None, False)
    assert item.taxon.common_name_en == "Chinese Giant Salamander"
    assert item.commodity.code == "other"  # SPE (scientific specimen): no Kouprey type
    assert "purpose: S (Scientific)" in seizure.description
    assert "shipment_date: 2015-01-30" in seizure.description
    assert seizure.search_text == search_text(seizure)
    assert seizure.search_refs == search_refs(seizure) != ""


def test_codes_are_decoded(shared_data: Path, org) -> None:
    import_seizures(shared_data / LEMIS, mapping="lemis", org_id=org.pk)
    # Grams become kilograms: 2,330 g of whole dead amphibians from Laos, 2015-01-14.
    bodies = SeizureItem.objects.get(seizure__date="2015-01-14")
    assert bodies.weight_kg == Decimal("2.330") and bodies.pieces is None
    assert bodies.commodity.code == "bodies"
    assert bodies.taxon.scientific_name == "Amphibia"  # "Non-CITES entry": the class
    assert "2330 Grams" in bodies.description
    # A subspecies, alive: Dendrobates tinctorius azureus, 20 live frogs at Miami.
    frogs = SeizureItem.objects.get(taxon__scientific_name="Dendrobates tinctorius azureus")
    assert (frogs.commodity.code, frogs.pieces, frogs.taxon.rank) == ("live", 20, "subspecies")
    assert frogs.count_unit.code == "individuals"
    assert frogs.seizure.place.name == "Miami"
    # "sp." is the genus; an unknown origin (XX) gives no country of origin.
    shoes = SeizureItem.objects.get(description__startswith="Shoe")
    assert (shoes.taxon.scientific_name, shoes.taxon.rank, shoes.worked) == (
        "Bufo", "genus", True)
    assert not shoes.seizure.origins.exists()
    assert Agency.objects.get(code="usfws").country.iso2 == "US"


def test_importing_it_again_changes_nothing(shared_data: Path, org) -> None:
    import_seizures(shared_data / LEMIS, mapping="lemis", org_id=org.pk)
    before = table_counts()
    again = import_seizures(shared_data / LEMIS, mapping="lemis", org_id=org.pk)
    assert again.committed
    assert (again.created, again.unchanged) == (0, SEIZED_ROWS)
    assert table_counts() == before


def test_a_dry_run_creates_no_places_or_taxa(shared_data: Path, org) -> None:
    before = table_counts()
    result = import_seizures(shared_data / LEMIS, mapping="lemis", org_id=org.pk,
                             dry_run=True)
    assert result.ok and result.created == SEIZED_ROWS
    assert result.children["new places"] == 13
    assert table_counts() == before
    assert not Place.objects.filter(country__iso2="US").exists()
    assert not Taxon.objects.filter(scientific_name="Andrias davidianus").exists()


def test_shipments_group_by_control_number(tmp_path: Path, org) -> None:
    header = ["control_number", "genus", "species", "subspecies", "specific_name",
              "generic_name", "class", "description", "quantity", "unit", "value",
              "country_origin", "country_imp_exp", "disposition", "disposition_date",
              "shipment_date", "import_export", "port", "action", "purpose", "source"]
    rows = [
        ["100", "Python", "regius", "NA", "BALL", "PYTHON", "Reptilia", "LIV", "3", "NO",
         "150", "GH", "GH", "S", "2015-03-01", "2015-02-27", "I", "NY", "R", "T", "W"],
        ["100", "Python", "regius", "NA", "BALL", "PYTHON", "Reptilia", "SKI", "1.5", "KG",
         "NA", "GH", "GH", "S", "2015-03-01", "2015-02-27", "I", "NY", "R", "T", "W"],
        ["101", "Python", "regius", "NA", "BALL", "PYTHON", "Reptilia", "LIV", "9", "NO",
         "NA", "GH", "GH", "C", "2015-03-02", "2015-03-01", "I", "NY", "C", "T", "W"],
    ]
    result = import_seizures(write_csv(tmp_path / "l.csv", rows, header=header),
                             mapping="lemis", org_id=org.pk)
    assert result.committed, result.problems
    seizure = Seizure.objects.get()  # 101 was cleared, not seized
    assert (seizure.external_id, seizure.reference) == ("lemis:100", "LEMIS 100")
    assert [(i.pieces, i.weight_kg, i.value, i.currency) for i in seizure.items.all()] == [
        (3, None, Decimal("150.00"), "USD"), (None, Decimal("1.500"), None, "")]


def test_a_non_lemis_file_is_refused_at_the_header(tmp_path: Path, org) -> None:
    result = import_seizures(write_csv(tmp_path / "x.csv", [["1"]], header=["date"]),
                             mapping="lemis", org_id=org.pk)
    assert {p.column for p in result.problems} >= {"control_number", "disposition", "port"}
    assert all(p.row == 1 for p in result.problems)


def test_every_port_has_a_kind() -> None:
    kinds = {port_kind(code, name) for code, name in codes()["port"].items()}
    assert kinds <= {"airport", "border", "city"}
    assert port_kind("DU", codes()["port"]["DU"]) == "airport"
    assert port_kind("NG", "Nogales") == "border"


def test_tusks_are_ivory_only_from_elephants(tmp_path: Path, org) -> None:
    header = ["control_number", "genus", "species", "description", "quantity", "unit",
              "country_origin", "country_imp_exp", "disposition", "disposition_date", "port"]
    rows = [["7", "Loxodonta", "africana", "TUS", "2", "NO", "MZ", "ZA", "S", "2015-05-01",
             "NY"],
            ["7", "Odobenus", "rosmarus", "TUS", "1", "NO", "CA", "CA", "S", "2015-05-01",
             "NY"],
            ["7", "Loxodonta", "africana", "IVC", "0.5", "KG", "MZ", "ZA", "S", "2015-05-01",
             "NY"]]
    assert import_seizures(write_csv(tmp_path / "t.csv", rows, header=header),
                           mapping="lemis", org_id=org.pk).committed
    assert [(i.commodity.code, i.worked, i.count_unit and i.count_unit.code)
            for i in SeizureItem.objects.order_by("pk")] == [
        ("ivory-raw", False, "pieces"), ("other", False, "pieces"), ("ivory-worked", True, None)]
    # One shipment, rows from two countries of origin: both, in equal shares.
    assert sorted((o.country.iso2, o.proportion) for o in OriginCountry.objects.all()) == [
        ("CA", Decimal("0.500")), ("MZ", Decimal("0.500"))]
