"""Reference data looked up once per import and held in dicts (not one query per row).

Keys are what a file may write: place UN/LOCODE or IATA code (or, for a code several places
share, the place's name), ISO 3166 alpha-2 or alpha-3 country codes, agency codes,
vocabulary codes or English names, taxon scientific names, all case-insensitive. Mappings
that create reference rows (LEMIS ports, taxa) use ``ensure_*``: inside the import's
transaction the row is created (and rolled back with a rejected import); in a dry run it is
only counted, under a placeholder id.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pycountry

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

PLACEHOLDER = 0  # the id of a row a dry run would create


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference row: its id, its name (for messages and the agencies' order) and, for a
    place, its country's id."""

    id: int
    name: str
    extra: Any = None


def _terms(model: Any) -> dict[str, int]:
    found: dict[str, int] = {}
    for pk, code, name in model.objects.values_list("pk", "code", "name"):
        found.setdefault(name.lower(), pk)
        found[code.lower()] = pk
    return found


class References:
    def __init__(self, dry_run: bool = False) -> None:
        self.dry_run = dry_run
        self.created: Counter[str] = Counter()
        self.countries: dict[str, int] = {}
        for pk, iso2, iso3 in Country.objects.values_list("pk", "iso2", "iso3"):
            self.countries[iso2.upper()] = pk
            if iso3:
                self.countries[iso3.upper()] = pk
        self.places: dict[str, Ref] = {}  # by a code that names one place (or ensure_place's key)
        self.shared_codes: dict[str, list[str]] = {}  # a code several places share: their names
        self.place_names: dict[str, list[Ref]] = {}  # by English or Khmer name, case folded
        by_code: dict[str, list[Ref]] = {}
        for row in Place.objects.order_by("pk").values_list("pk", "name", "name_km", "locode",
                                                            "iata", "country_id"):
            pk, name, name_km, locode, iata, country = row
            ref = Ref(pk, name, country)
            for code in {locode.upper(), iata.upper()} - {""}:
                by_code.setdefault(code, []).append(ref)
            for text in {name.casefold(), name_km.casefold()} - {""}:
                self.place_names.setdefault(text, []).append(ref)
        for code, found in by_code.items():
            if len(found) == 1:
                self.places[code] = found[0]
            else:  # e.g. KHPNH: Phnom Penh's river port and its dry port
                self.shared_codes[code] = [ref.name for ref in found]
        self.agencies = {code.lower(): Ref(pk, name) for pk, code, name in
                         Agency.objects.values_list("pk", "code", "name")}
        self.commodities: dict[str, Ref] = {}
        for pk, code, name in CommodityType.objects.values_list("pk", "code", "name"):
            ref = Ref(pk, name)
            self.commodities.setdefault(name.lower(), ref)
            self.commodities[code.lower()] = ref
        self.taxa = {name.lower(): Ref(pk, name) for pk, name in
                     Taxon.objects.values_list("pk", "scientific_name")}
        self.detection = _terms(DetectionMethod)
        self.transport = _terms(TransportMode)
        self.concealment = _terms(ConcealmentType)
        self.units = _terms(Unit)
        self.currencies = {c.alpha_3 for c in pycountry.currencies}

    def _new(self, kind: str, model: Any, fields: dict[str, Any]) -> int:
        self.created[kind] += 1
        if self.dry_run:
            return PLACEHOLDER
        return int(model.objects.create(**fields).pk)

    def ensure_place(self, key: str, name: str, kind: str, country_iso2: str) -> Ref:
        """The place registered under ``key``: an existing one of that name in that country,
        or a new one."""
        if key in self.places:
            return self.places[key]
        country = self.countries.get(country_iso2)
        if country is None:
            raise LookupError(f"country {country_iso2} is not in the reference data")
        found = Place.objects.filter(country_id=country, name__iexact=name).values_list(
            "pk", "name").first()
        if found:
            ref = Ref(found[0], found[1], country)
        else:
            pk = self._new("places", Place, {"name": name, "kind": kind,
                                              "country_id": country})
            ref = Ref(pk, name, country)
        self.places[key] = ref
        return ref

    def ensure_taxon(self, name: str, **fields: Any) -> Ref:
        key = name.lower()
        if key not in self.taxa:
            pk = self._new("taxa", Taxon, {"scientific_name": name, **fields})
            self.taxa[key] = Ref(pk, name)
        return self.taxa[key]

    def ensure_commodity(self, code: str, name: str) -> Ref:
        key = code.lower()
        if key not in self.commodities:
            pk = self._new("commodity types", CommodityType, {"code": code, "name": name})
            self.commodities[key] = Ref(pk, name)
        return self.commodities[key]

    def ensure_agency(self, code: str, name: str, kind: str, country_iso2: str) -> Ref:
        key = code.lower()
        if key not in self.agencies:
            pk = self._new("agencies", Agency, {
                "code": code, "name": name, "kind": kind,
                "country_id": self.countries.get(country_iso2)})
            self.agencies[key] = Ref(pk, name)
        return self.agencies[key]
