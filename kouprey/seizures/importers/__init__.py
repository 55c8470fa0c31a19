"""Import seizures with their items, suspects, sources and trade chain from CSV or XLSX.

Rows sharing an ``external_id`` are one seizure (its first row gives the seizure's columns;
each row may add an item, a suspect and a source); they must follow each other. A row with no
external id is a seizure of its own, with a stable id from its content (``mappings.RowIds``).

Validation is per row, in Python, against reference data cached in dicts; writing is in
batches (``write.Writer``) inside the one transaction ``core.importing.run_import`` opens.
Seizures whose external id already exists in the importing organisation are left as they
are, so importing the same file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from functools import partial
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from kouprey.core.importing import ImportResult, Problems, Progress, run_import
from kouprey.core.permissions import IMPORT, can
from kouprey.seizures.importers.fields import (
    MISSING,
    Converter,
    Invalid,
    Lookups,
    child_converters,
    seizure_converters,
)
from kouprey.seizures.importers.references import References
from kouprey.seizures.importers.write import (
    Batch,
    SeizureIds,
    Tables,
    Writer,
    next_sqlite_id,
)
from kouprey.seizures.mappings import (
    FIELDS,
    INDEX,
    ITEM_FIELDS,
    SEIZURE_COUNT,
    SOURCE_FIELDS,
    SUSPECT_FIELDS,
    BoundMapping,
    Mapping,
    get_mapping,
)

BATCH = 2000  # seizures written per batch
ORIGINS = INDEX["origins"]
ITEMS = slice(INDEX[ITEM_FIELDS[0]], INDEX[ITEM_FIELDS[-1]] + 1)
SUSPECTS = slice(INDEX[SUSPECT_FIELDS[0]], INDEX[SUSPECT_FIELDS[-1]] + 1)
SOURCES = slice(INDEX[SOURCE_FIELDS[0]], INDEX[SOURCE_FIELDS[-1]] + 1)

# canonical index, model attribute, converter, the converter's remembered results
Spec = list[tuple[int, str, Converter, dict[str, Any] | None]]


@dataclass(slots=True)
class Record:
    """One seizure being read: model values by attribute, then its children."""

    row: int
    values: dict[str, Any]
    items: list[dict[str, Any]] = field(default_factory=list)
    suspects: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    seizure_raw: list[str] = field(default_factory=list)
    merged: bool = False  # origins were added by later rows


def actor_of(user: Any) -> tuple[int | None, str]:
    """Who the audit log names for an import: the user's id and name, or "system"."""
    if user is None or not user.pk:
        return None, "system"
    return int(user.pk), str(user.username)


class SeizureImporter:
    """The seizure target of ``core.importing.run_import``.

    ``first_id``: in a reading process on SQLite, the first seizure id to use (see
    ``write.SeizureIds``); the writing process passes it in ``reader()``.
    """

    def __init__(self, mapping: Mapping, org_id: int, actor: tuple[int | None, str] = (
            None, "system"), file_name: str = "", first_id: int | None = None) -> None:
        self.mapping = mapping
        self.mapping_name = mapping.name
        self.org_id = org_id
        self.actor = actor
        self.file_name = file_name
        self.first_id = first_id
        self.output: Any = None  # where finished batches go (``send_to``)
        self.tables: Tables | None = None

    # -- core.importing.Importer ------------------------------------------------------------
    def enter(self, stack: ExitStack) -> None:
        # The indicators' row triggers skip the import's rows; the tables name the months
        # they wrote instead (one mark a month, not one a row).
        from kouprey.indicators.triggers import bulk

        self.tables = Tables(stack.enter_context(bulk()))
        self.output = self.output or self.receive

    def receive(self, batch: Batch) -> None:
        """Write a batch of finished rows (in the import's transaction)."""
        assert self.tables is not None, "enter() opens the tables"  # noqa: S101 # nosec B101
        self.tables.write(batch)

    def done(self) -> None:
        """Every batch was written and nothing was wrong: finish the tables (indexes)."""
        if self.tables is not None:
            self.tables.finish()

    def send_to(self, output: Any) -> None:
        """Send finished batches to ``output`` (a reading process's channel)."""
        self.output = output

    def reader(self) -> Callable[[], SeizureImporter] | None:
        """A picklable function making this importer in a reading process, or None when
        the mapping must read in the writing process (it creates reference rows there)."""
        if getattr(self.mapping, "creates_references", False):
            return None
        first = None
        if connection.vendor == "sqlite":
            first = next_sqlite_id(connection)
        return partial(SeizureImporter, self.mapping, self.org_id, self.actor,
                       self.file_name, first)

    def start(self, header: list[str], problems: Problems, dry_run: bool) -> list[str]:
        self.problems = problems
        self.dry_run = dry_run
        self.refs = References(dry_run=dry_run)
        self.bound: BoundMapping
        self.bound, warnings = self.mapping.bind(header, self.refs, problems)
        lookups = Lookups(self.refs)
        seizure = seizure_converters(lookups)
        children = child_converters(lookups)
        self.seizure_spec = self._spec(seizure, FIELDS[:SEIZURE_COUNT])
        self.item_spec = self._spec(children, ITEM_FIELDS)
        self.suspect_spec = self._spec(children, SUSPECT_FIELDS)
        self.source_spec = self._spec(children, SOURCE_FIELDS)
        self.writer = Writer(self.org_id, self.actor, self.file_name, self.mapping_name,
                             dry_run=dry_run, conflict=self._conflict, output=self.output,
                             ids=SeizureIds(connection, self.first_id))
        self.current: Record | None = None
        self.current_id = ""
        self.seen: set[str] = set()
        self.batch: list[Record] = []
        return warnings

    def feed(self, number: int, values: list[str]) -> None:
        try:
            canonical = self.bound.convert(number, values)
        except Invalid as exc:  # a mapping's own decoding problem, e.g. LEMIS codes
            self.problems.add(number, "", "", exc.reason)
            return
        if canonical is None:
            return
        external_id = canonical[0]
        if external_id != self.current_id:
            self._close()
            self.current_id = external_id
            if external_id in self.seen:  # (reported once per run of such rows)
                self.problems.add(number, self.bound.sources[0], external_id, _(
                    "rows of this seizure are not together: sort the file by external id"))
                return
            self.seen.add(external_id)
            self.current = self._seizure(number, canonical)
        elif self.current is not None:
            self._check_same(number, canonical, self.current)
        if self.current is not None:
            self._children(number, canonical, self.current)

    def finish(self, result: ImportResult) -> None:
        self._close()
        self._flush()
        result.created = self.writer.created
        result.unchanged = self.writer.unchanged
        result.children = dict(self.writer.children)
        for kind, number in self.refs.created.items():
            result.children[f"new {kind}"] = number

    # -- reading ---------------------------------------------------------------------------
    @staticmethod
    def _spec(converters: dict[str, tuple[str, Converter]], names: tuple[str, ...]) -> Spec:
        return [(INDEX[name], converters[name][0], converters[name][1],
                 getattr(converters[name][1], "seen", None)) for name in names]

    def _convert(self, number: int, canonical: list[str], spec: Spec) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for index, attribute, convert, seen in spec:
            raw = canonical[index]
            if raw:
                if seen is not None:
                    value = seen.get(raw, MISSING)
                    if value is not MISSING:
                        values[attribute] = value
                        continue
                try:
                    values[attribute] = convert(raw)
                except Invalid as exc:
                    self.problems.add(number, self.bound.sources[index], raw, exc.reason)
        return values

    def _seizure(self, number: int, canonical: list[str]) -> Record:
        values = self._convert(number, canonical, self.seizure_spec)
        if not canonical[INDEX["date"]]:
            self.problems.add(number, self.bound.sources[INDEX["date"]], "",
                              _("the date of seizure is required"))
        return Record(number, values, seizure_raw=canonical[:SEIZURE_COUNT])

    def _check_same(self, number: int, canonical: list[str], record: Record) -> None:
        """A later row of a seizure may leave the seizure's columns empty or repeat them
        (or, where the mapping merges origins, add countries of origin)."""
        if canonical[:SEIZURE_COUNT] == record.seizure_raw:
            return
        for index in range(1, SEIZURE_COUNT):
            raw = canonical[index]
            if not raw or raw == record.seizure_raw[index]:
                continue
            if index == ORIGINS and getattr(self.bound, "merge_origins", False):
                self._merge_origins(number, raw, record)
                continue
            self.problems.add(number, self.bound.sources[index], raw, _(
                "differs from the first row of this seizure (row %(row)s)")
                % {"row": record.row})

    def _merge_origins(self, number: int, raw: str, record: Record) -> None:
        """Add a row's countries of origin; the shares are split equally at the end (the
        mapping's rows name an origin each but give no shares)."""
        index, convert = ORIGINS, self.seizure_spec[ORIGINS][2]
        try:
            found = convert(raw)
        except Invalid as exc:
            self.problems.add(number, self.bound.sources[index], raw, exc.reason)
            return
        origins = list(record.values.get("origins", ()))
        known = {country for country, _share in origins}
        origins += [(country, share) for country, share in found if country not in known]
        record.values["origins"] = origins
        record.merged = True

    @staticmethod
    def _split_origins(record: Record) -> None:
        origins = record.values.get("origins", [])
        if len(origins) > 1 and all(share == 1 for _c, share in origins):
            share = (Decimal(1) / len(origins)).quantize(Decimal("0.001"), ROUND_DOWN)
            last = Decimal(1) - share * (len(origins) - 1)
            record.values["origins"] = [(c, share) for c, _s in origins[:-1]] + [
                (origins[-1][0], last)]

    def _children(self, number: int, canonical: list[str], record: Record) -> None:
        item = self._convert(number, canonical, self.item_spec) if any(
            canonical[ITEMS]) else None
        if item:
            if "commodity" not in item and not canonical[INDEX["commodity"]]:
                self.problems.add(number, self.bound.sources[INDEX["commodity"]], "",
                                  _("an item needs its commodity type"))
            record.items.append(item)
        suspect = self._convert(number, canonical, self.suspect_spec) if any(
            canonical[SUSPECTS]) else None
        if suspect:
            if not canonical[INDEX["suspect_name"]]:
                self.problems.add(number, self.bound.sources[INDEX["suspect_name"]], "",
                                  _("a suspect needs a name"))
            record.suspects.append(suspect)
        source = self._convert(number, canonical, self.source_spec) if any(
            canonical[SOURCES]) else None
        if source:
            if not canonical[INDEX["source_reference"]]:
                self.problems.add(number, self.bound.sources[INDEX["source_reference"]], "",
                                  _("a source needs its reference"))
            record.sources.append(source)

    def _conflict(self, record: Record, reason: str, name: str = "external_id") -> None:
        """A record the writer refused, reported at its ``name`` column (a canonical
        column whose model attribute has the same name: external_id, reference)."""
        self.problems.add(record.row, self.bound.sources[INDEX[name]],
                          record.values.get(name, ""), reason)

    def _close(self) -> None:
        if self.current is not None:
            if self.current.merged:
                self._split_origins(self.current)
            self.batch.append(self.current)
            self.current = None
            if len(self.batch) >= BATCH:
                self._flush()

    def _flush(self) -> None:
        if self.batch:
            self.writer.write(self.batch, write=not self.problems)
            self.batch = []


def import_seizures(path: Path, *, mapping: str | None = None, user: Any = None,
                    org_id: int | None = None, dry_run: bool = False,
                    progress: Progress | None = None, parallel: bool = False) -> ImportResult:
    """Import a seizures file (``kouprey import seizures``; the web import page).

    ``user`` must hold the import permission; the records are owned by ``org_id`` (default:
    the user's organisation; only a superuser may import into another one). Without a user
    (an administrator at the shell) ``org_id`` is required and the audit log says "system".
    ``parallel``: a large file may be read and checked in a second process while this one
    writes (``core.importing.run_import``); the command line asks for it.
    """
    if user is not None:
        if not can(user, IMPORT):
            raise PermissionError(_("%(user)s may not import records.") % {"user": user})
        if org_id is None:
            org_id = user.organisation_id
        elif org_id != user.organisation_id and not user.is_superuser:
            raise PermissionError(_("You may only import into your own organisation."))
    if org_id is None:
        raise ValueError(_("Say which organisation will own the imported records."))
    chosen = get_mapping(mapping, org_id)
    importer = SeizureImporter(chosen, org_id, actor_of(user), path.name)
    return run_import(importer, path, dry_run=dry_run, progress=progress, parallel=parallel)
