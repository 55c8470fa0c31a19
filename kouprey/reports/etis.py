"""An ETIS-style export of ivory seizures: one row per seizure with ivory, for a year.

ETIS (the Elephant Trade Information System, run by TRAFFIC for CITES) records each ivory
seizure with its country of discovery, date, raw and worked ivory (pieces and weights),
the trade chain (countries of origin with proportions, export, transit countries each with
a "seizure opportunity" flag, destination), agencies, detection, transport, concealment and
the suspects' nationalities. ``COLUMNS`` below is the one place that mapping lives.

This is *ETIS-style*: ETIS's own data collection form and ETIS Online's upload layout were
not available to check headings against, so the headings are ours (documented in
docs/import-export.md). Raw ivory equivalent (RIE) = raw weight + worked weight / 0.7, the
ETIS conversion, computed by ``seizures.services.rie_kg``; only ivory items count (commodity
types marked "counts as ivory"). ETIS counts a record once validated: the validation status
is a column, and ``validated_only`` keeps only validated seizures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kouprey.reports.common import code, iso, seizures_of_year
from kouprey.seizures.exporters import each, origins_text
from kouprey.seizures.models import Seizure, SeizureItem
from kouprey.seizures.services import rie_kg


@dataclass
class Ivory:
    """A seizure and its ivory items, split raw / worked."""

    seizure: Seizure
    raw: list[SeizureItem]
    worked: list[SeizureItem]

    @property
    def items(self) -> list[SeizureItem]:
        return self.raw + self.worked


def _pieces(items: list[SeizureItem]) -> int | None:
    known = [i.pieces for i in items if i.pieces is not None]
    return sum(known) if known else None


def _weight(items: list[SeizureItem]) -> Decimal | None:
    known = [i.weight_kg for i in items if i.weight_kg is not None]
    return sum(known, Decimal(0)) if known else None


def _discovery(s: Seizure) -> str:
    if s.discovery_country is not None:
        return s.discovery_country.iso2
    return s.place.country.iso2 if s.place is not None else ""


def _transits(s: Seizure, flagged: bool | None = None) -> str:
    return ";".join(t.country.iso2 for t in s.transits.all()
                    if flagged is None or t.seizure_opportunity == flagged)


def _nationalities(s: Seizure) -> str:
    return ";".join(dict.fromkeys(iso(p.nationality) for p in s.suspects.all()
                                  if p.nationality is not None))


COLUMNS: list[tuple[str, Callable[[Ivory], Any]]] = [
    ("kouprey_id", lambda x: x.seizure.pk),
    ("reference", lambda x: x.seizure.reference),
    ("country_of_discovery", lambda x: _discovery(x.seizure)),
    ("date_of_seizure", lambda x: x.seizure.date),
    ("place_of_seizure", lambda x: x.seizure.place.name if x.seizure.place else ""),
    ("place_type", lambda x: x.seizure.place.kind if x.seizure.place else ""),
    ("raw_pieces", lambda x: _pieces(x.raw)),
    ("raw_weight_kg", lambda x: _weight(x.raw)),
    ("worked_pieces", lambda x: _pieces(x.worked)),
    ("worked_weight_kg", lambda x: _weight(x.worked)),
    ("rie_kg", lambda x: rie_kg(x.items)),
    ("origin_countries", lambda x: origins_text(x.seizure)),
    ("export_country", lambda x: iso(x.seizure.export_country)),
    ("transit_countries", lambda x: _transits(x.seizure)),
    ("transit_seizure_opportunity", lambda x: _transits(x.seizure, flagged=True)),
    ("destination_country", lambda x: iso(x.seizure.destination_country)),
    ("agencies", lambda x: ";".join(sorted(a.code for a in x.seizure.agencies.all()))),
    ("detection_method", lambda x: code(x.seizure.detection_method)),
    ("transport_mode", lambda x: code(x.seizure.transport_mode)),
    ("concealment", lambda x: code(x.seizure.concealment)),
    ("suspect_nationalities", lambda x: _nationalities(x.seizure)),
    ("validation_status", lambda x: x.seizure.validation_status),
]
HEADER = [name for name, _get in COLUMNS]
SHEET = "ETIS"


def ivory_of(seizure: Seizure) -> Ivory | None:
    items = [i for i in seizure.items.all() if i.commodity.is_ivory]
    if not items:
        return None
    return Ivory(seizure, [i for i in items if not i.worked], [i for i in items if i.worked])


def rows(user: Any, year: int, validated_only: bool = False) -> Iterator[list[Any]]:
    """One row per ivory seizure of ``year`` that ``user`` may export, in date order."""
    queryset = seizures_of_year(user, year).filter(items__commodity__is_ivory=True).distinct()
    if validated_only:
        queryset = queryset.filter(validation_status=Seizure.Validation.VALIDATED)
    for seizure in each(queryset):
        ivory = ivory_of(seizure)
        if ivory is not None:
            yield [get(ivory) for _name, get in COLUMNS]
