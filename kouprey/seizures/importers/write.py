"""Batched writing of imported seizures: bulk inserts, one audit entry per seizure.

Signals do not fire on ``bulk_create``, so the audit log gets its ``import`` entries here,
in bulk too, and the full-text ``search_text`` is computed here from the cached reference
words, the same words ``seizures.services.search_text`` takes from a saved seizure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from kouprey.core.models import AuditEntry
from kouprey.seizures.models import (
    OriginCountry,
    Seizure,
    SeizureItem,
    Source,
    Suspect,
    TransitCountry,
)

if TYPE_CHECKING:
    from kouprey.seizures.importers import Record

LOOKUP_CHUNK = 900  # external ids per existence query (below SQLite's variable limit)
SPECIAL = {"place", "agencies", "origins", "transits"}
Conflict = Callable[["Record", str], None]


def search_text(record: Record) -> str:
    """The words ``services.search_text`` would give the saved seizure, in the same order."""
    values = record.values
    parts: list[str] = [values.get(k, "") for k in (
        "reference", "external_id", "description", "container_number", "vessel_name",
        "flight_number", "bill_of_lading", "air_waybill")]
    place = values.get("place")
    if place is not None:
        parts += place.words
    for suspect in record.suspects:
        parts += [suspect.get("name", ""), suspect.get("name_latin", "")]
    for item in record.items:
        commodity = item.get("commodity")
        if commodity is not None:
            parts += commodity.words
        parts.append(item.get("description", ""))
        taxon = item.get("taxon")
        if taxon is not None:
            parts += taxon.words
    for agency in sorted(values.get("agencies", ()), key=lambda a: a.extra):
        parts += agency.words
    return " ".join(p for p in parts if p)


def _repr(seizure: Seizure, record: Record) -> str:
    place = record.values.get("place")
    name = place.words[0] if place is not None else ""
    label = seizure.reference or f"#{seizure.pk}"
    return f"{label} {seizure.date:%Y-%m-%d} {name}".strip()[:200]


class Writer:
    def __init__(self, org_id: int, user: Any, file_name: str, mapping: str,
                 dry_run: bool, conflict: Conflict) -> None:
        self.org_id = org_id
        self.user = user
        self.actor_id = user.pk if user is not None and user.pk else None
        self.actor_name = getattr(user, "username", "") or "system"
        self.file_name = file_name
        self.mapping = mapping
        self.dry_run = dry_run
        self.conflict = conflict
        self.created = 0
        self.unchanged = 0
        self.children: Counter[str] = Counter()

    def existing(self, ids: list[str]) -> dict[str, int]:
        """External id -> owning organisation, for the ids already in the database.

        Reads every organisation's ids on purpose: external ids are unique across the
        database, so a clash with another organisation's record must be reported.
        """
        found: dict[str, int] = {}
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = ids[start:start + LOOKUP_CHUNK]
            found.update(Seizure._base_manager.filter(  # noqa: SLF001
                external_id__in=chunk).values_list("external_id", "owner_org_id"))
        return found

    def write(self, records: list[Record], write: bool) -> None:
        """Skip the seizures already imported; insert the others (when ``write``)."""
        present = self.existing([r.values.get("external_id", "") for r in records])
        new: list[Record] = []
        for record in records:
            owner = present.get(record.values.get("external_id", ""))
            if owner is None:
                new.append(record)
            elif owner == self.org_id:
                self.unchanged += 1
            else:
                self.conflict(record, _("this external id is already used by another "
                                        "organisation's record"))
        self.created += len(new)
        self._count(new)
        if write and not self.dry_run and new:
            self._insert(new)

    def _count(self, records: Iterable[Record]) -> None:
        for record in records:
            self.children["items"] += len(record.items)
            self.children["suspects"] += len(record.suspects)
            self.children["sources"] += len(record.sources)
            self.children["origins"] += len(record.values.get("origins", ()))
            self.children["transits"] += len(record.values.get("transits", ()))

    def _seizure(self, record: Record) -> Seizure:
        values = {k: v for k, v in record.values.items() if k not in SPECIAL}
        place = record.values.get("place")
        if place is not None:
            values["place_id"] = place.id
            values.setdefault("discovery_country_id", place.extra)
        return Seizure(owner_org_id=self.org_id, search_text=search_text(record), **values)

    def _insert(self, records: list[Record]) -> None:
        seizures = Seizure.objects.bulk_create([self._seizure(r) for r in records])
        items, suspects, sources, origins, transits, links, audit = [], [], [], [], [], [], []
        link = Seizure.agencies.through
        for seizure, record in zip(seizures, records, strict=True):
            pk = seizure.pk
            for values in record.items:
                items.append(SeizureItem(seizure_id=pk, **_refs_to_ids(values)))
            suspects += [Suspect(seizure_id=pk, **values) for values in record.suspects]
            sources += [Source(seizure_id=pk, **values) for values in record.sources]
            origins += [OriginCountry(seizure_id=pk, country_id=country, proportion=share)
                        for country, share in record.values.get("origins", ())]
            transits += [TransitCountry(seizure_id=pk, country_id=country, position=n,
                                        seizure_opportunity=flag)
                         for n, (country, flag) in enumerate(
                             record.values.get("transits", ()), start=1)]
            links += [link(seizure_id=pk, agency_id=agency.id)
                      for agency in record.values.get("agencies", ())]
            audit.append(self._audit(seizure, record))
        for model, rows in ((SeizureItem, items), (Suspect, suspects), (Source, sources),
                            (OriginCountry, origins), (TransitCountry, transits),
                            (link, links), (AuditEntry, audit)):
            if rows:
                model.objects.bulk_create(rows)

    def _audit(self, seizure: Seizure, record: Record) -> AuditEntry:
        return AuditEntry(
            actor_id=self.actor_id, actor_name=self.actor_name, action=AuditEntry.Action.IMPORT,
            model="seizures.seizure", object_id=str(seizure.pk),
            object_repr=_repr(seizure, record), root_model="seizures.seizure",
            root_id=str(seizure.pk),
            changes={"file": self.file_name, "row": record.row, "mapping": self.mapping},
        )


def _refs_to_ids(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for key in ("taxon", "commodity"):
        if key in out:
            out[f"{key}_id"] = out.pop(key).id
    return out
