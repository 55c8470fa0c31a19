"""Column mappings for seizure imports: which file column feeds which Kouprey field.

Every mapping turns a file row into the same *canonical row*: a list of texts, one per field
of ``FIELDS`` (Kouprey's own CSV columns, documented in docs/import-export.md), plus, for
problem reports, the name of the file column each field came from. The importer validates
canonical rows; it never sees the file's own layout.

- ``default``: the file's headers are Kouprey's column names (or their aliases).
- saved mappings (``core.ColumnMapping``): headers renamed to Kouprey's column names.
- ``lemis``: the US LEMIS wildlife-import records (``mappings.lemis``), decoded with code lists.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from operator import itemgetter
from typing import TYPE_CHECKING, Protocol

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from kouprey.core.importing import Problems
    from kouprey.seizures.importers.references import References

SEIZURE_FIELDS = (
    "external_id", "reference", "date", "place", "discovery_country", "agencies",
    "detection_method", "transport_mode", "concealment", "flight", "vessel", "container",
    "bill_of_lading", "air_waybill", "export_country", "destination_country", "origins",
    "transits", "description", "reason", "validation_status", "confidentiality", "synthetic",
)
ITEM_FIELDS = (
    "taxon", "commodity", "worked", "pieces", "count_unit", "weight_kg", "volume_m3", "value",
    "currency", "item_description", "disposal",
)
SUSPECT_FIELDS = (
    "suspect_name", "suspect_name_latin", "suspect_nationality", "suspect_role",
    "suspect_arrested", "suspect_synthetic",
)
SOURCE_FIELDS = ("source_kind", "source_reference", "source_url", "source_date")
FIELDS = SEIZURE_FIELDS + ITEM_FIELDS + SUSPECT_FIELDS + SOURCE_FIELDS
INDEX = {name: i for i, name in enumerate(FIELDS)}
SEIZURE_COUNT = len(SEIZURE_FIELDS)

ALIASES = {
    "id": "external_id", "external id": "external_id", "seizure_date": "date",
    "date_of_seizure": "date", "place_code": "place", "agency": "agencies",
    "flight_number": "flight", "vessel_name": "vessel", "container_number": "container",
    "bl": "bill_of_lading", "awb": "air_waybill", "export": "export_country",
    "destination": "destination_country", "origin": "origins", "transit": "transits",
    "species": "taxon", "scientific_name": "taxon", "weight": "weight_kg",
    "volume": "volume_m3", "estimated_value": "value", "raw_worked": "worked",
    "reason_for_seizure": "reason",
}


class BoundMapping(Protocol):
    """A mapping bound to one file's header."""

    sources: list[str]
    """For each canonical field, the file column to name in a problem."""

    def convert(self, number: int, values: list[str]) -> list[str] | None:
        """The canonical row for a file row, or None to skip the row."""


class Mapping(Protocol):
    name: str
    creates_references: bool
    """Whether reading a file may create reference rows (then it is read in the process
    that writes: a reading process could not see rows created in the import's transaction)."""

    def bind(self, header: list[str], refs: References, problems: Problems
             ) -> tuple[BoundMapping, list[str]]:
        """Check the header (problems on row 1); return the bound mapping and warnings."""


def normalise(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).lower()


class RowIds:
    """Stable ids for rows that carry none: a hash of the row's content, and for the n-th
    identical row of a file ``-n`` after it, so re-importing the same file finds them again."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.seen: Counter[str] = Counter()

    def __call__(self, values: Iterable[str]) -> str:
        digest = hashlib.sha256("\x1f".join(values).encode()).hexdigest()[:24]
        self.seen[digest] += 1
        count = self.seen[digest]
        return f"{self.prefix}{digest}" + (f"-{count}" if count > 1 else "")


class HeaderMapping:
    """File headers -> canonical fields: the default mapping and every saved mapping."""

    creates_references = False

    def __init__(self, name: str, columns: dict[str, str] | None = None) -> None:
        self.name = name
        self.columns = {normalise(k): v for k, v in (columns or {}).items()}

    def field_for(self, header: str) -> str | None:
        key = normalise(header)
        if self.columns:
            return self.columns.get(key)
        key = key.replace(" ", "_")
        return key if key in INDEX else ALIASES.get(key)

    def bind(self, header: list[str], refs: References, problems: Problems
             ) -> tuple[BoundHeaderMapping, list[str]]:
        positions: dict[str, int] = {}
        ignored: list[str] = []
        for position, title in enumerate(header):
            target = self.field_for(title) if title else None
            if target is None or target not in INDEX:
                if title:
                    ignored.append(title)
                continue
            if target in positions:
                problems.add(1, title, target, _("a second column for the same field"))
                continue
            positions[target] = position
        if "date" not in positions:
            problems.add(1, "date", "", _("the file has no date column (required)"))
        warnings = [_("Columns not imported: %(names)s") % {"names": ", ".join(ignored)}
                    ] if ignored else []
        return BoundHeaderMapping(header, positions, RowIds("row:")), warnings


class BoundHeaderMapping:
    def __init__(self, header: list[str], positions: dict[str, int], ids: RowIds) -> None:
        self.width = len(header)
        missing = self.width  # index of the "" appended to every row
        self._get = itemgetter(*[positions.get(name, missing) for name in FIELDS])
        self.sources = [header[positions[n]] if n in positions else n for n in FIELDS]
        self._has_id = "external_id" in positions
        self._ids = ids

    def convert(self, number: int, values: list[str]) -> list[str] | None:
        if len(values) < self.width:
            values = values + [""] * (self.width - len(values))
        elif len(values) > self.width:
            values = values[:self.width]
        canonical = list(self._get([*values, ""]))
        if not canonical[0]:
            canonical[0] = self._ids(values)
        return canonical


def builtin_mappings() -> dict[str, Mapping]:
    from kouprey.seizures.mappings.lemis import LemisMapping

    return {"default": HeaderMapping("default"), "lemis": LemisMapping()}


def get_mapping(name: str | None, org_id: int | None) -> Mapping:
    """A built-in mapping by name, else the organisation's saved one, else a shared one."""
    from kouprey.core.models import ColumnMapping

    name = name or "default"
    builtins = builtin_mappings()
    if name in builtins:
        return builtins[name]
    saved = (ColumnMapping.objects.filter(target="seizures", name=name, owner_org_id=org_id)
             .first() or ColumnMapping.objects.filter(target="seizures", name=name,
                                                       owner_org__isnull=True).first())
    if saved is None:
        raise LookupError(_("There is no mapping named %(name)s (built-in: %(builtins)s).")
                          % {"name": name, "builtins": ", ".join(builtins)})
    return HeaderMapping(saved.name, saved.columns)


def check_columns(columns: dict[str, str]) -> list[str]:
    """Problems with a saved mapping's ``columns`` (header -> field)."""
    errors = []
    for header, target in columns.items():
        if target not in INDEX:
            errors.append(_("%(header)s: %(field)s is not a Kouprey column")
                          % {"header": header, "field": target})
    targets = list(columns.values())
    for target in sorted({t for t in targets if targets.count(t) > 1}):
        errors.append(_("%(field)s is fed by more than one column") % {"field": target})
    if "date" not in targets:
        errors.append(_("no column is mapped to date (required)"))
    return errors
