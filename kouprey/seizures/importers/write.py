"""Batched writing of imported seizures, with one audit entry per seizure.

Django's ``bulk_create`` compiles SQL and prepares every value of every object through the
field machinery; a seizure is a dozen rows (items, suspects, origins, transits, agency
links, audit entry), and a 20,000-seizure file took 64 s that way against 24 s this way.
The importer has already validated every value, so it writes with ``BulkInsert``: one
INSERT statement per table, built from the model's own metadata (table, columns,
defaults), run with ``executemany`` in the import's transaction. The database's
constraints (foreign keys, not-negative checks, unique external ids) still apply. Same SQL
on SQLite and PostgreSQL.

Signals do not fire on bulk writes, so the audit log gets its ``import`` entries here, in
bulk too, and the full-text ``search_text`` is computed here from the cached reference
words, the same words ``seizures.services.search_text`` takes from a saved seizure.

Building the rows and writing them are two halves: ``Writer`` turns checked records into a
``Batch`` of finished rows (new seizures get their ids beforehand, from ``SeizureIds``, so
their children can name them), and ``Tables`` inserts a batch in the import's transaction.
Both run in one process, or the first in a reading process while the second writes
(``core.importing``: a large file from the command line).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from kouprey.core import search
from kouprey.core.bulk_indexes import DeferredIndexes
from kouprey.core.models import AuditEntry
from kouprey.reference.words import token
from kouprey.seizures.models import (
    OriginCountry,
    Seizure,
    SeizureItem,
    Source,
    Suspect,
    TransitCountry,
)
from kouprey.seizures.services import join_words

if TYPE_CHECKING:
    from kouprey.seizures.importers import Record
    from kouprey.seizures.importers.references import Ref

LOOKUP_CHUNK = 900  # external ids per existence query (below SQLite's variable limit)
MULTI_ROW = 400  # rows per INSERT statement into a table with a full-text index (SQLite)
SPECIAL = {"place", "agencies", "origins", "transits"}
Conflict = Callable[..., None]  # (record, reason[, column]): a refused record
NOW = object()  # marks auto_now / auto_now_add columns
AGENCIES = Seizure.agencies.through
TABLES = (Seizure, SeizureItem, Suspect, Source, OriginCountry, TransitCountry, AGENCIES,
          AuditEntry)  # in the order a batch is inserted
SEIZURES = str(Seizure._meta.db_table)  # noqa: SLF001


class BulkInsert:
    """Batched INSERT of a model's rows, built from its metadata.

    ``row(values)`` takes model attribute names (``place_id``...); a column not given takes
    the field's default, auto_now columns the batch's time. With ``with_id`` the primary key
    is a column too (ids from ``SeizureIds``).

    Two small backend paths, the rest shared: SQLite runs one prepared INSERT for all rows
    (``executemany``); PostgreSQL streams rows with ``COPY`` (psycopg), since one statement
    per row costs a round trip each.
    """

    def __init__(self, db: BaseDatabaseWrapper, model: type[models.Model],
                 with_id: bool = False) -> None:
        self.db = db
        quote = db.ops.quote_name
        fields = [f for f in model._meta.concrete_fields  # noqa: SLF001
                  if with_id or not f.primary_key]
        self.defaults: dict[str, Any] = {
            f.attname: NOW if getattr(f, "auto_now", False) or getattr(
                f, "auto_now_add", False) else f.get_default() for f in fields}
        self._get = itemgetter(*self.defaults)
        self._base = dict(self.defaults)
        # Decimals and dates go as the text the database adapters would make of them
        # (Django's SQLite adapters: str() and isoformat(); PostgreSQL's COPY reads text):
        # the same values stored, and a batch crossing from a reading process pickles
        # 25 times faster than with Decimal and date objects in it.
        self.converters = {f.attname: c for f in fields if (c := _as_text(f)) is not None}
        self.names = ", ".join(quote(str(f.column)) for f in fields)
        self.db_table = str(model._meta.db_table)  # noqa: SLF001
        self.table = quote(self.db_table)
        # Table and column names come from the model, values go as parameters.
        self.head = f"INSERT INTO {self.table} ({self.names}) VALUES "  # noqa: S608 # nosec B608
        self.one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        # SQLite, a table with a full-text index: rows go MULTI_ROW to a statement. FTS5
        # writes its pending words out as a new segment at every statement's end, so one
        # statement per row (executemany) made a segment per seizure to merge: an import
        # three times slower.
        self.chunk = MULTI_ROW if self.db_table in search.SEARCHABLE_TABLES else 1

    def start(self) -> None:
        now = self.db.ops.adapt_datetimefield_value(timezone.now())
        self._base = {k: now if v is NOW else v for k, v in self.defaults.items()}

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        merged = self._base | values
        for name, convert in self.converters.items():
            merged[name] = convert(merged[name])
        return self._get(merged)  # type: ignore[no-any-return]

    def maker(self, *names: str) -> Callable[..., tuple[Any, ...]]:
        """A function of the values of ``names`` (in that order) returning the whole row,
        defaults in place: for rows of always the same columns, without a dict per row.
        Call after ``start()`` (the batch's time is part of the defaults)."""
        order = list(self.defaults)
        slots = {order.index(name): n for n, name in enumerate(names)}
        converted = {i for i in slots if order[i] in self.converters}
        cells = ", ".join((f"c[{i}](a{slots[i]})" if i in converted else f"a{slots[i]}")
                          if i in slots else f"b[{i}]" for i in range(len(order)))
        arguments = ", ".join(f"a{n}" for n in range(len(names)))
        # The source holds only argument names and indexes, never a value.
        return eval(f"lambda {arguments}: ({cells},)",  # type: ignore[no-any-return] # noqa: S307 # nosec B307
                    {"b": tuple(self._base[k] for k in order),
                     "c": {i: self.converters[order[i]] for i in converted}})

    def many(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        with self.db.cursor() as cursor:
            if self.db.vendor == "postgresql":
                with cursor.cursor.copy(  # the psycopg cursor under Django's wrapper
                        f"COPY {self.table} ({self.names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            elif self.chunk == 1:
                cursor.executemany(self.head + self.one, rows)
            else:
                self._statements(cursor, rows)

    def _statements(self, cursor: Any, rows: Sequence[tuple[Any, ...]]) -> None:
        """Rows ``chunk`` at a time, one multi-row INSERT each."""
        full = f"{self.head}{', '.join([self.one] * self.chunk)}"
        for start in range(0, len(rows), self.chunk):
            part = rows[start:start + self.chunk]
            sql = full if len(part) == self.chunk else (
                f"{self.head}{', '.join([self.one] * len(part))}")
            cursor.execute(sql, [value for row in part for value in row])


def _decimal_text(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _date_text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _as_text(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    if isinstance(field, models.DecimalField):
        return _decimal_text
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return _date_text
    return None


class SeizureIds:
    """Primary keys for new seizures, taken before they are written so that their items,
    suspects and links can name them in the same batch.

    PostgreSQL: from the table's sequence (``nextval``: never handed out twice, whichever
    connection asks). SQLite: counted on from the largest id the table has had (its
    AUTOINCREMENT counter or its largest row). Sound because the import's transaction holds
    SQLite's write lock from its first statement (``transaction_mode`` IMMEDIATE): no other
    connection inserts a seizure until the import has committed or rolled back. ``first``
    passes that number to a reading process, which cannot take the lock itself.
    """

    def __init__(self, db: BaseDatabaseWrapper, first: int | None = None) -> None:
        self.db = db
        self.next = first

    def take(self, count: int) -> list[int]:
        if self.db.vendor == "postgresql":
            with self.db.cursor() as cursor:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                               "FROM generate_series(1, %s)", [SEIZURES, count])
                return [pk for (pk,) in cursor.fetchall()]
        if self.next is None:
            self.next = next_sqlite_id(self.db)
        first, self.next = self.next, self.next + count
        return list(range(first, self.next))


def next_sqlite_id(db: BaseDatabaseWrapper) -> int:
    """The id SQLite's AUTOINCREMENT would give the next seizure (ids are never reused)."""
    with db.cursor() as cursor:
        # The table name comes from the model; it is a parameter where SQL allows one.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [SEIZURES])
        counter = cursor.fetchone()
        cursor.execute(f"SELECT max(id) FROM {SEIZURES}")  # noqa: S608 # nosec B608
        largest = cursor.fetchone()[0]
        return max(counter[0] if counter else 0, largest or 0) + 1


@dataclass(slots=True)
class Batch:
    """Finished rows of new seizures for ``Tables.write``: per table, in the order they are
    inserted; the seizures' dates (the indicators' marks) and how many seizures there are.
    Plain values only, so a batch can cross from a reading process to the writing one."""

    rows: dict[str, list[tuple[Any, ...]]]
    dates: list[date]
    seizures: int


def search_text(record: Record) -> str:
    """The words ``services.search_text`` would give the saved seizure, in the same order."""
    values = record.values
    parts: list[str] = [values.get(k, "") for k in (
        "reference", "external_id", "description", "container_number", "vessel_name",
        "flight_number", "bill_of_lading", "air_waybill")]
    for suspect in record.suspects:
        parts += [suspect.get("name", ""), suspect.get("name_latin", "")]
    parts += [item.get("description", "") for item in record.items]
    return join_words(parts)


def search_refs(record: Record) -> str:
    """The tokens ``services.search_refs`` would give the saved seizure, in the same order."""
    parts = [_token("p", record.values.get("place"))]
    for item in record.items:
        parts += [_token("c", item.get("commodity")), _token("t", item.get("taxon"))]
    parts += [token("a", agency.id) for agency in
              sorted(record.values.get("agencies", ()), key=lambda a: a.name)]
    return join_words(parts)


def _token(kind: str, ref: Ref | None) -> str:
    return token(kind, ref.id if ref is not None else None)


def _repr(record: Record, pk: int) -> str:
    values = record.values
    place = values.get("place")
    name = place.name if place is not None else ""
    label = values.get("reference") or f"#{pk}"
    return f"{label} {values['date']:%Y-%m-%d} {name}".strip()[:200]


class Tables:
    """The writing half: inserts batches in the import's transaction, in table order, marks
    the months written for the indicators, and defers the indexes of a large import."""

    def __init__(self, marks: Any = None) -> None:
        self.db = connections[DEFAULT_DB_ALIAS]
        self.marks = marks  # indicators.triggers.Marks: the months written, or None
        self.inserts = {str(m._meta.db_table): BulkInsert(  # noqa: SLF001
            self.db, m, with_id=m is Seizure) for m in TABLES}
        self.indexes = DeferredIndexes(self.db, [m._meta.db_table for m in TABLES  # noqa: SLF001
                                                 if m is not AuditEntry], counted=SEIZURES)

    def write(self, batch: Batch) -> None:
        for table, rows in batch.rows.items():
            self.inserts[table].many(rows)
        if self.marks is not None:
            self.marks.mark_dates(batch.dates)
        self.indexes.written(batch.seizures)

    def finish(self) -> None:
        """Before the commit: the indexes a large import deferred are built."""
        self.indexes.restore()


class Writer:
    """The building half: skips seizures already imported, reports external ids another
    organisation uses, counts, and turns the new records into a ``Batch`` for ``output``."""

    def __init__(self, org_id: int, actor: tuple[int | None, str], file_name: str,
                 mapping: str, dry_run: bool, conflict: Conflict,
                 output: Callable[[Batch], None] | None = None,
                 ids: SeizureIds | None = None) -> None:
        self.db = connections[DEFAULT_DB_ALIAS]
        self.org_id = org_id
        self.actor_id, self.actor_name = actor
        self.file_name = file_name
        self.mapping = mapping
        self.dry_run = dry_run
        self.conflict = conflict
        self.output = output
        self.ids = ids or SeizureIds(self.db)
        self.created = 0
        self.unchanged = 0
        self.children: Counter[str] = Counter()
        # Reference -> row, of the new seizures read so far: a reference names one seizure
        # of the organisation (services.check_reference), in the file as in the database.
        self.references: dict[str, int] = {}
        self._before: int | None = None  # SQLite: the first id this import writes
        self.inserts: dict[Any, BulkInsert] = {}
        self._json_template = (
            '{"file": ' + json.dumps(file_name).replace("%", "%%") + ', "row": %d, "mapping": '
            + json.dumps(mapping).replace("%", "%%") + "}")

    def existing(self, ids: list[str]) -> dict[str, int]:
        """External id -> owning organisation, for the ids already in the database.

        Reads every organisation's ids on purpose: external ids are unique across the
        database, so a clash with another organisation's record must be reported.
        """
        return dict(self._owners("external_id", ids))

    def existing_references(self, references: list[str]) -> set[str]:
        """The ``references`` that a seizure of the importing organisation already had
        before the import began.

        The seizures this import writes are in ``self.references`` already; on SQLite they
        are left out by id, so that a large import, whose indexes ``core.bulk_indexes``
        drops until the end, scans only the rows that were there before it (none, into an
        empty database) instead of its own, ever more, rows at every batch. The
        organisation is compared here, not in SQL (see ``_owners``).
        """
        before: int | None = None
        if self.db.vendor == "sqlite":
            if self._before is None:  # before this import's first seizure is written
                self._before = (self.ids.next if self.ids.next is not None
                                else next_sqlite_id(self.db))
            before = self._before
        return {ref for ref, owner in self._owners("reference", references, before)
                if owner == self.org_id}

    def _owners(self, column: str, values: list[str], before: int | None = None
                ) -> list[tuple[str, int]]:
        """(value, owning organisation) of the seizures whose ``column`` is one of
        ``values`` (and whose id is below ``before``), ``LOOKUP_CHUNK`` values a query.

        Through the column's index only. PostgreSQL's planner has no statistics for the
        rows of an import not yet committed: with the organisation in the WHERE clause it
        chose the (owner, date) index for references, and with the reference alone a full
        scan, either way every seizure the import had written so far, at each batch (a 1M
        import: 333 -> 412 s). So a sequential scan is ruled out for these queries
        (transaction-local, put back after).
        """
        table = self.db.ops.quote_name(SEIZURES)
        bound, extra = (" AND id < %s", [before]) if before is not None else ("", [])
        found: list[tuple[str, int]] = []
        with self.db.cursor() as cursor, _index_only(self.db, cursor):
            for start in range(0, len(values), LOOKUP_CHUNK):
                chunk = values[start:start + LOOKUP_CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                # The column is one of ours; the values go as parameters.
                cursor.execute(f"SELECT {column}, owner_org_id FROM {table} "  # noqa: S608 # nosec B608
                               f"WHERE {column} IN ({marks}){bound}", [*chunk, *extra])
                found.extend(cursor.fetchall())
        return found

    def unique_references(self, records: list[Record]) -> list[Record]:
        """The new ``records`` whose reference no other seizure of the organisation has,
        in this file (an earlier row) or in the database; the others are reported."""
        seen = self.references
        wanted = list(dict.fromkeys(
            ref for r in records if (ref := r.values.get("reference")) and ref not in seen))
        taken = self.existing_references(wanted) if wanted else set()
        kept: list[Record] = []
        for record in records:
            reference = record.values.get("reference")
            if not reference:
                kept.append(record)
            elif reference in seen:
                self.conflict(record, _("the same reference as row %(row)s of this file: a "
                                        "reference names one seizure of the organisation")
                              % {"row": seen[reference]}, "reference")
            elif reference in taken:
                self.conflict(record, _("another seizure of this organisation already has "
                                        "this reference"), "reference")
            else:
                seen[reference] = record.row
                kept.append(record)
        return kept

    def write(self, records: list[Record], write: bool) -> None:
        """Skip the seizures already imported; hand the others to ``output`` (when
        ``write``)."""
        present = self.existing([r.values["external_id"] for r in records])
        new: list[Record] = []
        for record in records:
            owner = present.get(record.values["external_id"])
            if owner is None:
                new.append(record)
            elif owner == self.org_id:
                self.unchanged += 1
            else:
                self.conflict(record, _("this external id is already used by another "
                                        "organisation's record"))
        new = self.unique_references(new)
        self.created += len(new)
        self._count(new)
        if write and not self.dry_run and new and self.output is not None:
            self.output(self.batch(new))

    def _count(self, records: Iterable[Record]) -> None:
        children = self.children
        for record in records:
            children["items"] += len(record.items)
            children["suspects"] += len(record.suspects)
            children["sources"] += len(record.sources)
            children["origins"] += len(record.values.get("origins", ()))
            children["transits"] += len(record.values.get("transits", ()))

    def _table(self, model: Any) -> BulkInsert:
        if model not in self.inserts:
            self.inserts[model] = BulkInsert(self.db, model, with_id=model is Seizure)
        insert = self.inserts[model]
        insert.start()
        return insert

    def _seizure_row(self, insert: BulkInsert, record: Record, pk: int) -> tuple[Any, ...]:
        values = {k: v for k, v in record.values.items() if k not in SPECIAL}
        values["id"] = pk
        place = record.values.get("place")
        if place is not None:
            values["place_id"] = place.id
            values.setdefault("discovery_country_id", place.extra)
        values["owner_org_id"] = self.org_id
        values["search_text"] = search_text(record)
        values["search_refs"] = search_refs(record)
        return insert.row(values)

    def batch(self, records: list[Record]) -> Batch:
        """The rows of ``records`` (new seizures) for every table."""
        seizures = self._table(Seizure)
        tables = {model: self._table(model) for model in TABLES[1:]}
        make = self._makers(tables)
        rows: dict[Any, list[tuple[Any, ...]]] = {model: [] for model in TABLES}
        for record, pk in zip(records, self.ids.take(len(records)), strict=True):
            rows[Seizure].append(self._seizure_row(seizures, record, pk))
            self._children(pk, record, tables, rows, make)
        return Batch({str(m._meta.db_table): rows[m] for m in TABLES},  # noqa: SLF001
                     [r.values["date"] for r in records], len(records))

    def _children(self, pk: int, record: Record, tables: dict[Any, BulkInsert],
                  rows: dict[Any, list[tuple[Any, ...]]], make: dict[Any, Any]) -> None:
        items, people, sources = tables[SeizureItem], tables[Suspect], tables[Source]
        for values in record.items:
            values["seizure_id"] = pk
            rows[SeizureItem].append(items.row(_ids(values)))
        for values in record.suspects:
            values["seizure_id"] = pk
            rows[Suspect].append(people.row(values))
        for values in record.sources:
            values["seizure_id"] = pk
            rows[Source].append(sources.row(values))
        get = record.values.get
        origin = make[OriginCountry]
        rows[OriginCountry] += [origin(pk, country, share)
                                for country, share in get("origins", ())]
        transit = make[TransitCountry]
        rows[TransitCountry] += [transit(pk, country, n, flag) for n, (country, flag)
                                 in enumerate(get("transits", ()), start=1)]
        link = make[AGENCIES]
        rows[AGENCIES] += [link(pk, agency.id) for agency in get("agencies", ())]
        key = str(pk)
        rows[AuditEntry].append(make[AuditEntry](
            key, _repr(record, pk), key, self._changes(record.row)))

    def _makers(self, tables: dict[Any, BulkInsert]) -> dict[Any, Any]:
        """Row functions of the tables whose rows always have the same columns; the audit
        entry's constant columns (actor, action, model) are filled in once."""
        audit = tables[AuditEntry]
        constant = {"actor_id": self.actor_id, "actor_name": self.actor_name,
                    "action": AuditEntry.Action.IMPORT.value, "model": "seizures.seizure",
                    "root_model": "seizures.seizure"}
        saved = audit._base  # noqa: SLF001
        audit._base = saved | constant  # noqa: SLF001
        try:
            entry = audit.maker("object_id", "object_repr", "root_id", "changes")
        finally:
            audit._base = saved  # noqa: SLF001
        return {
            OriginCountry: tables[OriginCountry].maker("seizure_id", "country_id",
                                                       "proportion"),
            TransitCountry: tables[TransitCountry].maker(
                "seizure_id", "country_id", "position", "seizure_opportunity"),
            AGENCIES: tables[AGENCIES].maker("seizure_id", "agency_id"),
            AuditEntry: entry,
        }

    def _changes(self, row: int) -> str:
        """``{"file": ..., "row": ..., "mapping": ...}`` as JSON text (both databases take
        it: SQLite stores text, PostgreSQL's COPY parses it)."""
        return self._json_template % row


@contextmanager
def _index_only(db: BaseDatabaseWrapper, cursor: Any) -> Iterator[None]:
    """PostgreSQL: no sequential scan for the block's queries (``SET LOCAL``, in a
    transaction or savepoint of their own, the previous value put back after)."""
    if db.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=db.alias):
        cursor.execute("SHOW enable_seqscan")
        before = cursor.fetchone()[0]
        cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            yield
        finally:
            cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [before])


def _ids(values: dict[str, Any]) -> dict[str, Any]:
    """An item's values with its taxon and commodity as ids (the dict is the record's own,
    used once, so it is changed in place)."""
    taxon = values.pop("taxon", None)
    if taxon is not None:
        values["taxon_id"] = taxon.id
    values["commodity_id"] = values.pop("commodity").id
    return values
