"""Builders for the import/export tests: reference rows and small seizure files."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import pycountry
from openpyxl import Workbook

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


def reference_data() -> None:
    """Every ISO country and a small Cambodian vocabulary (idempotent)."""
    known = set(Country.objects.values_list("iso2", flat=True))
    Country.objects.bulk_create([
        Country(iso2=c.alpha_2, iso3=c.alpha_3, name=c.name) for c in pycountry.countries
        if c.alpha_2 not in known])
    kh = Country.objects.get(iso2="KH")
    for name, kind, locode, iata in (
            ("Sihanoukville Autonomous Port", "seaport", "KHKOS", ""),
            ("Phnom Penh International Airport", "airport", "KHPNH", "PNH"),
            ("Siem Reap International Airport", "airport", "", "REP")):
        Place.objects.get_or_create(name=name, defaults={"kind": kind, "country": kh,
                                                         "locode": locode, "iata": iata})
    for code, name, kind in (("gdce", "General Department of Customs and Excise", "customs"),
                             ("fa", "Forestry Administration", "forestry"),
                             ("police", "National Police", "police")):
        Agency.objects.get_or_create(code=code, defaults={"name": name, "kind": kind,
                                                          "country": kh})
    for code, name, ivory, term in (("ivory-raw", "Raw ivory", True, "tusks"),
                                    ("ivory-worked", "Worked ivory", True, "carvings"),
                                    ("rhino-horn", "Rhino horn", False, "horns"),
                                    ("pangolin-scales", "Pangolin scales", False, "scales"),
                                    ("live", "Live animals", False, "live")):
        CommodityType.objects.get_or_create(code=code, defaults={
            "name": name, "is_ivory": ivory, "cites_term": term})
    for code, name, dimension in (("kg", "kilograms", "mass"), ("pieces", "pieces", "count"),
                                  ("individuals", "individuals", "count")):
        Unit.objects.get_or_create(code=code, defaults={"name": name, "dimension": dimension})
    for model, code, name in ((DetectionMethod, "xray", "X-ray scan"),
                              (DetectionMethod, "tip", "Tip-off"),
                              (TransportMode, "sea", "Sea"), (TransportMode, "air", "Air"),
                              (ConcealmentType, "container", "In a container"),
                              (ConcealmentType, "luggage", "In checked luggage")):
        model.objects.get_or_create(code=code, defaults={"name": name})
    for name, common in (("Loxodonta africana", "African elephant"),
                         ("Ceratotherium simum", "White rhinoceros"),
                         ("Smutsia gigantea", "Giant pangolin")):
        Taxon.objects.get_or_create(scientific_name=name, defaults={"common_name_en": common})


HEADER = ["external_id", "reference", "date", "place", "agencies", "detection_method",
          "transport_mode", "concealment", "container", "export_country",
          "destination_country", "origins", "transits", "taxon", "commodity", "worked",
          "pieces", "weight_kg", "value", "currency", "suspect_name", "suspect_nationality",
          "suspect_role", "suspect_synthetic"]

GOOD_ROWS = [
    ["KH-2019-001", "KOS/19/001", "2019-03-02", "KHKOS", "gdce;fa", "xray", "sea",
     "container", "MSCU1234567", "MZ", "VN", "MZ:0.6;NG:0.4", "MY;SG*", "Loxodonta africana",
     "ivory-raw", "no", "120", "1000.5", "", "", "Synthetic Person A", "VN", "courier",
     "yes"],
    ["KH-2019-001", "", "", "", "", "", "", "", "", "", "", "", "", "Loxodonta africana",
     "ivory-worked", "yes", "40", "70", "", "", "Synthetic Person B", "CN", "owner", "yes"],
    ["KH-2019-002", "PNH/19/002", "2019-12-20", "PNH", "gdce", "tip", "air", "luggage", "",
     "ZA", "VN", "ZA", "", "Ceratotherium simum", "rhino-horn", "", "6", "12.25", "300000",
     "USD", "", "", "", ""],
]


def write_csv(path: Path, rows: Iterable[Sequence[object]], header: Sequence[str] = HEADER,
              delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: Iterable[Sequence[object]], header: Sequence[str] = HEADER
               ) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path
