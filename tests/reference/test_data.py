"""The bundled files themselves: well formed, small, documented."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pycountry
import pytest

from kouprey.reference.loaders import DATA_DIR
from kouprey.reference.models import Agency, Place, Unit

ISO2 = {c.alpha_2 for c in pycountry.countries}


def rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_bundle_is_small_and_every_file_is_documented():
    files = [p for p in DATA_DIR.iterdir() if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 3 * 1024 * 1024
    readme = (DATA_DIR / "README.md").read_text()
    for path in files:
        if path.suffix == ".csv":
            assert f"`{path.name}`" in readme, f"{path.name} is not in data/README.md"


def test_places_are_well_formed():
    places = rows("places.csv")
    kinds = set(Place.Kind.values)
    keys = Counter()
    for row in places:
        assert row["kind"] in kinds and row["country"] in ISO2 and row["name"]
        assert not row["locode"] or (len(row["locode"]) == 5
                                     and row["locode"][:2] == row["country"])
        assert not row["iata"] or len(row["iata"]) == 3
        if row["latitude"]:
            assert -90 <= float(row["latitude"]) <= 90
            assert -180 <= float(row["longitude"]) <= 180
        keys[(row["kind"], row["iata"] or row["locode"] or row["name"])] += 1
    assert [k for k, n in keys.items() if n > 1] == []
    airports = [r for r in places if r["kind"] == "airport"]
    assert all(r["iata"] and not r["locode"] for r in airports)


def test_agencies_are_well_formed():
    agencies = rows("agencies.csv")
    codes = [r["code"] for r in agencies]
    assert len(codes) == len(set(codes))
    kinds = set(Agency.Kind.values)
    for row in agencies:
        assert row["kind"] in kinds
        assert not row["country"] or row["country"] in ISO2
        assert not row["parent"] or row["parent"] in codes


@pytest.mark.parametrize("name", ["commodity_types.csv", "units.csv", "detection_methods.csv",
                                  "transport_modes.csv", "concealment_types.csv"])
def test_vocabularies_have_unique_slug_codes(name):
    codes = [r["code"] for r in rows(name)]
    assert len(codes) == len(set(codes))
    assert all(c == c.lower() and " " not in c for c in codes)


def test_units_have_a_known_dimension():
    assert {r["dimension"] for r in rows("units.csv")} <= set(Unit.Dimension.values)


def test_khmer_names_are_khmer_script():
    for name, column in [("places.csv", "name_km"), ("agencies.csv", "name_km"),
                         ("taxa.csv", "common_name_km"), ("commodity_types.csv", "name_km")]:
        for row in rows(name):
            text = row[column]
            assert not text or any("\u1780" <= ch <= "\u17ff" for ch in text), (name, text)
            assert "\u200b" not in text


def test_taxa_name_their_khmer_source():
    for row in rows("taxa.csv"):
        assert bool(row["common_name_km"]) == bool(row["km_source"]), row
        assert row["cites_appendix"] in {"", "I", "II", "III"}


def test_build_script_is_beside_the_data():
    assert (DATA_DIR / "build.py").is_file()
    assert Path(DATA_DIR / "README.md").read_text().count("build.py") >= 2
