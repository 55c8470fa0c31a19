"""Load the bundled reference data into the database: ``load_all`` (run by ``kouprey init``).

Idempotent: each row is matched on its natural key (country ISO code; place kind with IATA
code, else UN/LOCODE, else country and name; agency, vocabulary code; taxon scientific name),
created when missing and updated when a bundled value changed. Loading twice changes nothing.
Rows that admins added are never deleted, a value the bundle leaves blank never erases what an
admin typed, and ``active`` and ``order`` of a vocabulary entry are only set when it is
created (admins may retire or reorder entries).

Names (English and Khmer names, a taxon's common names) are only filled in where the row has
none: a Khmer name added to the bundle reaches existing databases, while a name already there
is kept, whoever wrote it (the loader cannot tell an admin's correction from an older
bundle's name); ``Counts.names_kept`` counts the names that differ from the bundle.
Sources and licences: data/README.md.
"""

from __future__ import annotations

import csv
import gettext
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycountry
from django.db import models, transaction

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

DATA_DIR = Path(__file__).resolve().parent / "data"
BATCH = 500
ZWSP = "\u200b"

# Fields filled in only where the database has no value (never overwritten: see above).
NAMES = ("name", "name_km", "common_name_en", "common_name_km")

Progress = Callable[[str, int, int], None]
"""Called after each table with (table label, tables done, tables in all)."""

Row = dict[str, Any]


@dataclass
class Counts:
    """What loading one table did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    names_kept: int = 0  # names in the database that differ from the bundle's, kept

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def read_rows(name: str) -> Iterator[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _merge(obj: models.Model, values: Row, counts: Counts) -> bool:
    """Set the bundled values on an existing row; blanks never erase, names only fill
    blanks (a different name is kept and counted in ``counts``). True if changed."""
    changed = False
    for field, value in values.items():
        current = getattr(obj, field)
        if value in ("", None) and current not in ("", None):
            continue
        if field in NAMES and current not in ("", None):
            counts.names_kept += int(current != value)
            continue
        if current != value:
            setattr(obj, field, value)
            changed = True
    return changed


def sync(model: type[models.Model], rows: Iterable[Row], key: Callable[[Any], Hashable],
         create_only: tuple[str, ...] = ()) -> Counts:
    """Create or update ``rows`` (field -> value) matched on ``key``; never delete."""
    existing: dict[Hashable, models.Model] = {}
    for row in model._default_manager.all():  # noqa: SLF001
        existing.setdefault(key(row), row)
    counts = Counts()
    new: list[models.Model] = []
    changed: list[models.Model] = []
    fields: set[str] = set()
    for values in rows:
        candidate = model(**values)
        obj = existing.get(key(candidate))
        if obj is None:
            new.append(candidate)
            counts.created += 1
            continue
        updatable = {k: v for k, v in values.items() if k not in create_only}
        if _merge(obj, updatable, counts):
            changed.append(obj)
            fields.update(updatable)
            counts.updated += 1
        else:
            counts.unchanged += 1
    model._default_manager.bulk_create(new, batch_size=BATCH)  # noqa: SLF001
    if changed:
        model._default_manager.bulk_update(changed, sorted(fields), batch_size=BATCH)  # noqa: SLF001
    return counts


def clean_km(text: str) -> str:
    """Khmer text without zero-width spaces (line-break hints that defeat search)."""
    return " ".join(text.replace(ZWSP, "").split())


def country_rows() -> list[Row]:
    """ISO 3166-1 from pycountry, with its Khmer translations (Debian iso-codes)."""
    khmer = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["km"],
                                fallback=True)
    rows = []
    for country in pycountry.countries:
        name = country.name
        if "," in name and hasattr(country, "common_name"):
            name = country.common_name  # "Tanzania", not "Tanzania, United Republic of"
        name_km = khmer.gettext(country.name)
        rows.append({"iso2": country.alpha_2, "iso3": country.alpha_3, "name": name,
                     "name_km": clean_km(name_km) if name_km != country.name else ""})
    return rows


def _float(text: str) -> float | None:
    return float(text) if text else None


def place_key(place: Place) -> tuple[str, ...]:
    if place.iata:
        return (place.kind, "iata", place.iata)
    if place.locode:
        return (place.kind, "locode", place.locode)
    return (place.kind, str(place.country_id), place.name)


def place_rows() -> list[Row]:
    countries = dict(Country.objects.values_list("iso2", "pk"))
    return [
        {"kind": r["kind"], "country_id": countries[r["country"]], "name": r["name"],
         "name_km": r["name_km"], "locode": r["locode"], "iata": r["iata"],
         "latitude": _float(r["latitude"]), "longitude": _float(r["longitude"])}
        for r in read_rows("places.csv")
    ]


def agency_rows() -> list[Row]:
    countries = dict(Country.objects.values_list("iso2", "pk"))
    return [
        {"code": r["code"], "kind": r["kind"], "name": r["name"], "name_km": r["name_km"],
         "country_id": countries[r["country"]] if r["country"] else None}
        for r in read_rows("agencies.csv")
    ]


def link_agency_parents() -> None:
    """Second pass: each agency's ``parent`` by code (parents may come later in the file)."""
    ids = dict(Agency.objects.values_list("code", "pk"))
    wanted = {r["code"]: ids[r["parent"]] for r in read_rows("agencies.csv") if r["parent"]}
    stale = [a for a in Agency.objects.filter(code__in=wanted) if a.parent_id != wanted[a.code]]
    for agency in stale:
        agency.parent_id = wanted[agency.code]
    Agency.objects.bulk_update(stale, ["parent"], batch_size=BATCH)


def taxon_rows() -> list[Row]:
    fields = ("scientific_name", "rank", "group", "common_name_en", "common_name_km",
              "cites_appendix")
    return [{f: r[f] for f in fields} for r in read_rows("taxa.csv")]


def term_rows(name: str, extra: dict[str, Callable[[str], Any]]) -> list[Row]:
    rows = []
    for r in read_rows(name):
        row: Row = {"code": r["code"], "name": r["name"], "name_km": r["name_km"],
                    "sort": int(r["sort"]), "active": True}
        row.update({field: convert(r[field]) for field, convert in extra.items()})
        rows.append(row)
    return rows


def _flag(text: str) -> bool:
    return text.strip() == "1"


def _text(text: str) -> str:
    return text


def _by_code(obj: Any) -> Hashable:
    return obj.code


TERMS: list[tuple[str, type[models.Model], str, dict[str, Callable[[str], Any]]]] = [
    ("commodity types", CommodityType, "commodity_types.csv",
     {"is_ivory": _flag, "cites_term": _text}),
    ("units", Unit, "units.csv", {"dimension": _text, "cites_code": _text}),
    ("detection methods", DetectionMethod, "detection_methods.csv", {}),
    ("transport modes", TransportMode, "transport_modes.csv", {}),
    ("concealment types", ConcealmentType, "concealment_types.csv", {}),
]


def _steps() -> list[tuple[str, Callable[[], Counts]]]:
    steps: list[tuple[str, Callable[[], Counts]]] = [
        ("countries", lambda: sync(Country, country_rows(), lambda c: c.iso2)),
        ("places", lambda: sync(Place, place_rows(), place_key)),
        ("agencies", _load_agencies),
        ("taxa", lambda: sync(Taxon, taxon_rows(), lambda t: t.scientific_name)),
    ]
    for label, model, name, extra in TERMS:
        steps.append((label, _term_loader(model, name, extra)))
    return steps


def _term_loader(model: type[models.Model], name: str,
                 extra: dict[str, Callable[[str], Any]]) -> Callable[[], Counts]:
    return lambda: sync(model, term_rows(name, extra), _by_code,
                        create_only=("active", "sort"))


def _load_agencies() -> Counts:
    counts = sync(Agency, agency_rows(), _by_code)
    link_agency_parents()
    return counts


def load_all(progress: Progress | None = None) -> dict[str, Counts]:
    """Load every bundled table, in one transaction; returns what happened per table."""
    steps = _steps()
    result: dict[str, Counts] = {}
    with transaction.atomic():
        for done, (label, load) in enumerate(steps, start=1):
            result[label] = load()
            if progress is not None:
                progress(label, done, len(steps))
    return result
