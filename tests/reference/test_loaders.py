"""Loading the bundled reference data: complete, idempotent, and kind to what admins added."""

from __future__ import annotations

import pytest

from kouprey.reference.loaders import load_all
from kouprey.reference.models import (
    Agency,
    CommodityType,
    ConcealmentType,
    Country,
    DetectionMethod,
    Place,
    Taxon,
    TransportMode,
    Unit,
)

pytestmark = pytest.mark.django_db

TABLES = ["countries", "places", "agencies", "taxa", "commodity types", "units",
          "detection methods", "transport modes", "concealment types"]


def snapshot() -> dict[str, list[tuple]]:
    return {
        "countries": list(Country.objects.order_by("pk").values_list()),
        "places": list(Place.objects.order_by("pk").values_list()),
        "agencies": list(Agency.objects.order_by("pk").values_list()),
        "taxa": list(Taxon.objects.order_by("pk").values_list()),
        "commodities": list(CommodityType.objects.order_by("pk").values_list()),
    }


def test_loading_twice_changes_nothing():
    first = load_all()
    assert list(first) == TABLES
    assert all(c.created > 0 and c.updated == 0 for c in first.values())
    before = snapshot()
    second = load_all()
    assert all(c.created == 0 and c.updated == 0 for c in second.values())
    assert {k: c.unchanged for k, c in second.items()} == {k: c.total for k, c in first.items()}
    assert snapshot() == before


def test_progress_is_reported_per_table():
    seen: list[tuple[str, int, int]] = []
    load_all(lambda label, done, total: seen.append((label, done, total)))
    assert seen == [(label, i, len(TABLES)) for i, label in enumerate(TABLES, start=1)]


def test_countries_have_khmer_names():
    load_all()
    assert Country.objects.count() == 249
    assert Country.objects.get(iso2="KH").name_km == "កម្ពុជា"
    viet_nam = Country.objects.get(iso2="VN")
    assert (viet_nam.name, viet_nam.iso3, viet_nam.name_km) == ("Viet Nam", "VNM", "វៀតណាម")
    assert Country.objects.get(iso2="TZ").name == "Tanzania"
    assert not Country.objects.filter(name_km__contains="\u200b").exists()


@pytest.mark.parametrize(("kind", "code", "km"), [
    ("seaport", "KHKOS", "កំពង់ផែស្វយ័តក្រុងព្រះសីហនុ"),
    ("river_port", "KHPNH", "កំពង់ផែស្វយ័តភ្នំពេញ"),
    ("dry_port", "KHPNH", "កំពង់ផែស្ងួតភ្នំពេញ"),
    ("airport", "PNH", "អាកាសយានដ្ឋានអន្តរជាតិភ្នំពេញ"),
    ("airport", "REP", "អាកាសយានដ្ឋានអន្តរជាតិសៀមរាប"),
    ("airport", "SAI", "អាកាសយានដ្ឋានអន្តរជាតិសៀមរាប-អង្គរ"),
    ("border", "KHBVT", "ច្រកព្រំដែនអន្តរជាតិបាវិត"),
    ("border", "KHPPT", "ច្រកព្រំដែនអន្តរជាតិប៉ោយប៉ែត"),
])
def test_cambodian_focal_places(kind, code, km):
    load_all()
    lookup = {"iata": code} if len(code) == 3 else {"locode": code}
    place = Place.objects.get(kind=kind, **lookup)
    assert place.country.iso2 == "KH"
    assert place.name_km == km
    assert 10 < place.latitude < 15 and 102 < place.longitude < 108


def test_named_places_and_crossings():
    load_all()
    assert "Bavet" in Place.objects.get(locode="KHBVT").name
    assert Place.objects.get(locode="KHKOS", kind="seaport").code == "KHKOS"
    assert Place.objects.get(iata="PNH").code == "PNH"
    laos = Place.objects.get(kind="border", name__startswith="Trapeang Kriel")
    assert "Laos" in laos.name
    assert Place.objects.filter(kind="seaport", country__iso2="MZ", locode="MZMPM").exists()
    assert Place.objects.filter(kind="airport", iata="NBO", country__iso2="KE").exists()
    assert not Place.objects.filter(kind="airport", name__contains="Air Base").exists()


def test_agencies_taxa_and_vocabularies():
    load_all()
    gdce = Agency.objects.get(code="gdce")
    assert gdce.kind == "customs" and gdce.parent.code == "mef" and gdce.country.iso2 == "KH"
    assert {"fa", "fia", "moe", "moj", "pp-court", "police", "gendarmerie", "moi", "nbc",
            "wcs", "wildlife-alliance", "ffi", "traffic", "unodc", "trace",
            "vn-customs", "cn-customs", "na-police"} <= set(
        Agency.objects.values_list("code", flat=True))
    assert Taxon.objects.get(scientific_name="Elephas maximus").common_name_km == "ដំរីអាស៊ី"
    assert Taxon.objects.get(scientific_name="Dalbergia cochinchinensis").cites_appendix == "II"
    assert Taxon.objects.get(scientific_name="Panthera tigris").cites_appendix == "I"
    ivory = set(CommodityType.objects.filter(is_ivory=True).values_list("code", flat=True))
    assert ivory == {"ivory-raw", "ivory-worked"}
    assert CommodityType.objects.get(code="ivory-raw").cites_term == "TUS"
    kg = Unit.objects.get(code="kg")
    assert (kg.dimension, kg.cites_code) == ("mass", "KIL")
    assert Unit.objects.get(code="m3").dimension == "volume"
    assert DetectionMethod.objects.filter(code="sniffer-dog").exists()


def test_admin_additions_survive_reloading():
    load_all()
    mine = Place.objects.create(name="Kampot fishing port", kind="seaport",
                                country=Country.objects.get(iso2="KH"))
    taxon = Taxon.objects.create(scientific_name="Cuora galbinifrons", cites_appendix="I")
    ghost = Unit.objects.get(code="pairs")
    ghost.active, ghost.sort = False, 5
    ghost.save()
    pangolin = Taxon.objects.get(scientific_name="Smutsia gigantea")
    pangolin.common_name_km = "ពង្រូលយក្ស"
    pangolin.save()
    counts = load_all()
    assert counts["places"].created == 0 and counts["taxa"].updated == 0
    assert Place.objects.filter(pk=mine.pk).exists()
    assert Taxon.objects.filter(pk=taxon.pk).exists()
    ghost.refresh_from_db()
    assert (ghost.active, ghost.sort) == (False, 5)
    pangolin.refresh_from_db()
    assert pangolin.common_name_km == "ពង្រូលយក្ស"


def test_a_changed_bundled_value_is_restored_but_names_are_kept():
    load_all()
    Country.objects.filter(iso2="KH").update(name="Kampuchea")
    Place.objects.filter(iata="PNH").update(latitude=None)
    counts = load_all()
    assert counts["countries"].updated == 0 and counts["countries"].names_kept == 1
    assert counts["places"].updated == 1
    assert Country.objects.get(iso2="KH").name == "Kampuchea"
    assert Place.objects.get(iata="PNH").latitude == pytest.approx(11.5466)


def test_rerun_fills_blank_khmer_names_and_keeps_edited_ones():
    """An older database (names blank where an earlier bundle had none) gets the new Khmer
    names on the next init; a name an admin typed stays as it is."""
    load_all()
    Agency.objects.filter(code="wcs").update(name_km="")
    DetectionMethod.objects.filter(code="sniffer-dog").update(name_km="")
    Taxon.objects.filter(scientific_name="Panthera pardus").update(common_name_km="")
    Agency.objects.filter(code="gdce").update(name_km="គយ")  # an admin's own name
    Taxon.objects.filter(scientific_name="Cyclemys").update(common_name_km="អណ្តើក")
    counts = load_all()
    assert counts["agencies"].updated == 1 and counts["agencies"].names_kept == 1
    assert counts["detection methods"].updated == 1 and counts["taxa"].updated == 1
    assert Agency.objects.get(code="wcs").name_km == "សមាគមអភិរក្សសត្វព្រៃ (WCS)"
    assert DetectionMethod.objects.get(code="sniffer-dog").name_km == "ឆ្កែធុំក្លិន"
    assert Taxon.objects.get(scientific_name="Panthera pardus").common_name_km == "ខ្លារខិន"
    assert Agency.objects.get(code="gdce").name_km == "គយ"
    # the bundle has no name for it: the admin's stays, and is not counted as differing
    assert Taxon.objects.get(scientific_name="Cyclemys").common_name_km == "អណ្តើក"
    assert load_all()["agencies"].updated == 0


@pytest.mark.parametrize("model", [CommodityType, Unit, DetectionMethod, TransportMode,
                                   ConcealmentType])
def test_every_vocabulary_entry_has_a_khmer_name(model):
    load_all()
    assert not model.objects.filter(name_km="").exists()


def test_cambodian_and_foreign_agencies_have_khmer_names():
    load_all()
    blank = set(Agency.objects.filter(name_km="").values_list("code", flat=True))
    # known by their English names, or (CCC) not yet known in full
    assert blank == {"ccc", "wildlife-alliance", "ffi", "traffic", "trace"}
