"""Seizure exports: the import layout (CSV/XLSX that ``kouprey import`` reads back), a
one-row-per-seizure summary, and nested JSON.

Callers pass a queryset they obtained through ``Seizure.objects.restrict(user, "export")``
(and any filters); these functions only shape rows. They stream: seizures are read in
chunks with their children prefetched, so memory does not grow with the export.
CSV/XLSX cells are escaped against formula injection by ``core.tabular``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from itertools import zip_longest
from typing import IO, Any

from django.db.models import Prefetch, QuerySet

from kouprey.core.permissions import Confidentiality
from kouprey.seizures.mappings import FIELDS, ITEM_FIELDS, SOURCE_FIELDS, SUSPECT_FIELDS
from kouprey.seizures.models import Seizure, SeizureItem
from kouprey.seizures.services import seizure_rie_kg

CHUNK = 1000
IMPORT_HEADER = list(FIELDS)
SUMMARY_HEADER = [
    "id", "external_id", "reference", "date", "place", "place_code", "discovery_country",
    "agencies", "detection_method", "transport_mode", "concealment", "commodities", "taxa",
    "pieces", "weight_kg", "rie_kg", "value", "origins", "export_country", "transits",
    "destination_country", "suspects", "suspect_nationalities", "validation_status",
    "confidentiality", "owner",
]
CONFIDENTIALITY_NAMES = {c.value: c.name.lower() for c in Confidentiality}


def prefetched(queryset: QuerySet[Seizure]) -> QuerySet[Seizure]:
    """The seizures with everything an export reads, in a fixed order."""
    return queryset.select_related(
        "place__country", "discovery_country", "detection_method", "transport_mode", "concealment",
        "export_country", "destination_country", "owner_org",
    ).prefetch_related(
        Prefetch("items", SeizureItem.objects.select_related("taxon", "commodity",
                                                             "count_unit")),
        "suspects__nationality", "sources", "origins__country", "transits__country",
        "agencies",
    ).order_by("date", "pk")


def each(queryset: QuerySet[Seizure]) -> Iterator[Seizure]:
    yield from prefetched(queryset).iterator(chunk_size=CHUNK)


def _code(term: Any) -> str:
    return term.code if term is not None else ""


def _iso(country: Any) -> str:
    return country.iso2 if country is not None else ""


def _number(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def origins_text(seizure: Seizure) -> str:
    """``MZ:0.6;NG:0.4`` (the import syntax)."""
    return ";".join(f"{o.country.iso2}:{_number(o.proportion)}" for o in seizure.origins.all())


def transits_text(seizure: Seizure) -> str:
    """``MY;SG*``: route order, ``*`` = seizure opportunity (the import syntax)."""
    return ";".join(t.country.iso2 + ("*" if t.seizure_opportunity else "")
                    for t in seizure.transits.all())


def agencies_text(seizure: Seizure) -> str:
    return ";".join(sorted(a.code for a in seizure.agencies.all()))


def _seizure_cells(s: Seizure) -> list[Any]:
    place = s.place.code or s.place.name if s.place is not None else ""
    return [
        s.external_id or f"kouprey:{s.pk}", s.reference, s.date, place,
        _iso(s.discovery_country), agencies_text(s), _code(s.detection_method),
        _code(s.transport_mode), _code(s.concealment), s.flight_number, s.vessel_name,
        s.container_number, s.bill_of_lading, s.air_waybill, _iso(s.export_country),
        _iso(s.destination_country), origins_text(s), transits_text(s), s.description,
        s.reason, s.validation_status, CONFIDENTIALITY_NAMES.get(s.confidentiality, ""),
        _yes(s.synthetic),
    ]


def _item_cells(i: SeizureItem | None) -> list[Any]:
    if i is None:
        return [""] * len(ITEM_FIELDS)
    return [i.taxon.scientific_name if i.taxon else "", i.commodity.code, _yes(i.worked),
            i.pieces, _code(i.count_unit), _number(i.weight_kg), _number(i.volume_m3),
            _number(i.value), i.currency, i.description, i.disposal]


def _suspect_cells(p: Any) -> list[Any]:
    if p is None:
        return [""] * len(SUSPECT_FIELDS)
    return [p.name, p.name_latin, _iso(p.nationality), p.role, _yes(p.arrested),
            _yes(p.synthetic)]


def _source_cells(s: Any) -> list[Any]:
    return [""] * len(SOURCE_FIELDS) if s is None else [s.kind, s.reference, s.url, s.date]


def import_rows(queryset: QuerySet[Seizure]) -> Iterator[list[Any]]:
    """One row per item / suspect / source (the n-th of each on the n-th row), the seizure's
    columns repeated on each: exactly what ``kouprey import seizures`` reads back."""
    for seizure in each(queryset):
        head = _seizure_cells(seizure)
        children = zip_longest(seizure.items.all(), seizure.suspects.all(),
                               seizure.sources.all())
        first = True
        for item, suspect, source in children:
            first = False
            yield head + _item_cells(item) + _suspect_cells(suspect) + _source_cells(source)
        if first:
            yield head + _item_cells(None) + _suspect_cells(None) + _source_cells(None)


def summary_rows(queryset: QuerySet[Seizure]) -> Iterator[list[Any]]:
    """One row per seizure, with its items, weights, RIE and people summed up."""
    for s in each(queryset):
        items = list(s.items.all())
        suspects = list(s.suspects.all())
        weights = [i.weight_kg for i in items if i.weight_kg is not None]
        values = [i.value for i in items if i.value is not None]
        yield [
            s.pk, s.external_id or "", s.reference, s.date, s.place.name if s.place else "",
            s.place.code if s.place else "", _iso(s.discovery_country), agencies_text(s),
            _code(s.detection_method), _code(s.transport_mode), _code(s.concealment),
            ";".join(dict.fromkeys(i.commodity.code for i in items)),
            ";".join(dict.fromkeys(i.taxon.scientific_name for i in items if i.taxon)),
            sum(i.pieces or 0 for i in items), _number(sum(weights, Decimal(0))),
            _number(seizure_rie_kg(items)), _number(sum(values, Decimal(0))) if values else "",
            origins_text(s), _iso(s.export_country), transits_text(s),
            _iso(s.destination_country), len(suspects),
            ";".join(dict.fromkeys(_iso(p.nationality) for p in suspects if p.nationality)),
            s.validation_status, CONFIDENTIALITY_NAMES.get(s.confidentiality, ""),
            s.owner_org.code,
        ]


def as_json(s: Seizure) -> dict[str, Any]:
    """A seizure with everything that belongs to it, in plain JSON types."""
    items = list(s.items.all())
    return {
        "id": s.pk, "external_id": s.external_id, "reference": s.reference,
        "date": s.date.isoformat(),
        "place": {"code": s.place.code, "name": s.place.name, "kind": s.place.kind,
                  "country": s.place.country.iso2}
        if s.place else None,
        "discovery_country": _iso(s.discovery_country) or None,
        "agencies": sorted(a.code for a in s.agencies.all()),
        "detection_method": _code(s.detection_method) or None,
        "transport_mode": _code(s.transport_mode) or None,
        "concealment": _code(s.concealment) or None,
        "conveyance": {"flight": s.flight_number, "vessel": s.vessel_name,
                       "container": s.container_number, "bill_of_lading": s.bill_of_lading,
                       "air_waybill": s.air_waybill},
        "origins": [{"country": o.country.iso2, "proportion": _number(o.proportion)}
                    for o in s.origins.all()],
        "export_country": _iso(s.export_country) or None,
        "transits": [{"country": t.country.iso2, "seizure_opportunity": t.seizure_opportunity}
                     for t in s.transits.all()],
        "destination_country": _iso(s.destination_country) or None,
        "items": [{"taxon": i.taxon.scientific_name if i.taxon else None,
                   "commodity": i.commodity.code, "worked": i.worked, "pieces": i.pieces,
                   "count_unit": _code(i.count_unit) or None,
                   "weight_kg": _number(i.weight_kg) or None,
                   "volume_m3": _number(i.volume_m3) or None,
                   "value": _number(i.value) or None, "currency": i.currency or None,
                   "description": i.description, "disposal": i.disposal or None}
                  for i in items],
        "rie_kg": _number(seizure_rie_kg(items)) or None,  # None: no ivory item
        "suspects": [{"name": p.name, "name_latin": p.name_latin,
                      "nationality": _iso(p.nationality) or None, "role": p.role,
                      "arrested": p.arrested, "synthetic": p.synthetic}
                     for p in s.suspects.all()],
        "sources": [{"kind": x.kind, "reference": x.reference, "url": x.url,
                     "date": x.date.isoformat() if x.date else None} for x in s.sources.all()],
        "description": s.description, "reason": s.reason or None,
        "validation_status": s.validation_status,
        "confidentiality": CONFIDENTIALITY_NAMES.get(s.confidentiality),
        "owner": s.owner_org.code, "synthetic": s.synthetic,
    }


def write_json(queryset: QuerySet[Seizure], out: IO[str]) -> int:
    """Stream a JSON array of seizures to ``out``; return how many were written."""
    out.write("[")
    count = 0
    for seizure in each(queryset):
        out.write(",\n" if count else "\n")
        json.dump(as_json(seizure), out, ensure_ascii=False)
        count += 1
    out.write("\n]\n")
    return count
