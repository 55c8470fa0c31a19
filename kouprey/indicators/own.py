"""Each seizure's own figures, kept (``SeizureTally``): a write to a few seizures changes the
tallies by their differences instead of a recount of their months.

A seizure's own figures are its rows in the ``total``, ``year``, ``place``, ``agency``,
``nationality``, ``taxon``, ``commodity`` and ``flow`` tallies of its (month, bucket,
validated), counted by the same queries as a month's (``tallies._seizure_figures``, grouped
by seizure as well). The triggers name the seizure of every write to it or its rows; the
store counts those seizures again (a few primary-key look-ups, where a month at a million
seizures means reading ~5,500 seizures and their ~40,000 rows) and adds the differences
from their kept figures. The tallies always equal the sum of the kept figures: a full
rebuild writes both, and a month counted again (a bulk import's marks) replaces its kept
figures too. Why: docs/decisions/2026-11-21-indicator-rollups.md.
"""

# ruff: noqa: S608 - SQL text holds only names from model metadata and our own
# constants; every value is a query parameter (bandit: the nosec B608 markers).

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from kouprey.indicators import tallies
from kouprey.indicators.models import Bucket, SeizureTally, Tally
from kouprey.indicators.tallies import GROUP, SCOPE, column, table
from kouprey.seizures.models import Seizure

SEIZURE_IDS = "indicators_own_ids"
# A full rebuild's temporary tables (Sums): a chunk's own rows, the month sums, the buckets.
OWN_ROWS, SUMS, SIGNATURES = "indicators_own_rows", "indicators_own_sums", "indicators_own_sigs"
BY_BUCKET = "t.id, t.month, t.bucket, t.validated"  # a full rebuild's rows, by seizure
At = tuple[int, str, bool]  # month, signature, validated
Rows = dict[tuple[str, str], list[int]]  # (dimension, key) -> figures
Own = dict[int, tuple[At, Rows]]  # by seizure id
COLUMNS = ["seizure_id", "month", "bucket_id", "validated", "rows"]
CHUNK = 50_000  # seizures counted at a time by a full rebuild
WORK_MEM = "64MB"  # PostgreSQL, during a full rebuild


def count(connection: BaseDatabaseWrapper, cursor: Any) -> Own:
    """The own figures of every seizure of the scope table."""
    found: Own = {}

    def add(head: Sequence[Any], dimension: str, key: str, figures: Sequence[Any]) -> None:
        seizure = head[0]
        mine = found.get(seizure)
        if mine is None:
            mine = found[seizure] = ((head[1], tallies._canonical(head[2]), bool(head[3])), {})  # noqa: SLF001
        rows = mine[1]
        values = [int(v or 0) for v in figures] + [0] * (4 - len(figures))
        row = rows.get((dimension, key))
        if row is None:
            rows[(dimension, key)] = values
        else:
            for i, value in enumerate(values):
                row[i] += value

    tallies._seizure_figures(connection, cursor, add, f"t.id, {GROUP}")  # noqa: SLF001
    return found


def add_to(counter: tallies.Counter, own: Own, sign: int = 1) -> None:
    for (month, sig, validated), rows in own.values():
        for (dimension, key), figures in rows.items():
            counter.add(month, sig, validated, dimension, key, *(sign * f for f in figures))


def encode(rows: Rows) -> str:
    return "\n".join(f"{d}\t{k}\t{n}\t{g}\t{w}\t{x}"
                     for (d, k), (n, g, w, x) in sorted(rows.items()))


def decode(text: str) -> Rows:
    found: Rows = {}
    for line in text.split("\n"):
        if line:
            dimension, key, *figures = line.split("\t")
            found[(dimension, key)] = [int(f) for f in figures]
    return found


def _row(seizure_id: int, at: At, rows: Rows, ids: dict[str, int]) -> list[Any]:
    month, sig, validated = at
    return [seizure_id, month, ids[sig], validated, encode(rows)]


def recount(connection: BaseDatabaseWrapper, seizures: set[int]
            ) -> tuple[tallies.Counter, Own, Own]:
    """The named seizures counted again: the differences from their kept figures (in a
    counter), their figures now and as kept."""
    with connection.cursor() as cursor:
        tallies.fill_ids(cursor, SEIZURE_IDS, seizures)
    with tallies.scope_of(connection, SEIZURE_IDS) as cursor:
        now = count(connection, cursor)
    b, kept_table = table(Bucket), table(SeizureTally)
    with connection.cursor() as cursor:
        cursor.execute(  # nosec B608
            f"SELECT f.seizure_id, f.month, b.{column(Bucket, 'signature')}, f.validated, "  # nosec B608
            f"f.rows FROM {SEIZURE_IDS} k JOIN {kept_table} f ON f.seizure_id = k.id "
            f"JOIN {b} b ON b.id = f.bucket_id")
        kept = {sid: ((month, sig, bool(v)), decode(rows))
                for sid, month, sig, v, rows in cursor.fetchall()}
    counter = tallies.Counter()
    add_to(counter, now)
    add_to(counter, kept, -1)
    return counter, now, kept


def store(connection: BaseDatabaseWrapper, now: Own, kept: Own, ids: dict[str, int]) -> None:
    """Keep the figures of a recount that differ from the kept ones."""
    changed = {sid: own for sid, own in now.items() if kept.get(sid) != own}
    removed = changed.keys() | (kept.keys() - now.keys())
    with connection.cursor() as cursor:
        if removed:
            cursor.executemany(  # nosec B608
                f"DELETE FROM {table(SeizureTally)} WHERE seizure_id = %s",  # nosec B608
                [(i,) for i in sorted(removed)])
        _insert(cursor, [_row(sid, at, rows, ids) for sid, (at, rows) in changed.items()])


def _insert(cursor: Any, rows: list[list[Any]]) -> None:
    if rows:
        cursor.executemany(  # nosec B608
            f"INSERT INTO {table(SeizureTally)} ({', '.join(COLUMNS)}) "  # nosec B608
            f"VALUES ({', '.join(['%s'] * len(COLUMNS))})", rows)


def replace_months(cursor: Any, months: set[int], own: Own, ids: dict[str, int]) -> None:
    """After whole ``months`` were counted again (the scope table still filled): their kept
    figures are those of the scope's seizures."""
    cursor.execute(  # nosec B608
        f"DELETE FROM {table(SeizureTally)} WHERE month IN "  # nosec B608
        f"({', '.join(['%s'] * len(months))}) OR seizure_id IN (SELECT id FROM {SCOPE})",
        sorted(months))
    _insert(cursor, [_row(sid, at, rows, ids) for sid, (at, rows) in own.items()])


def chunks(connection: BaseDatabaseWrapper) -> Iterator[tuple[int, int]]:
    """A full rebuild's seizures, CHUNK at a time by id (the lowest and highest id):
    consecutive ids keep their rows on neighbouring pages, where a year's seizures are
    scattered over every table."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table(Seizure)}")  # nosec B608
        first, last = cursor.fetchone()
    if first is None:
        return
    for start in range(first, last + 1, CHUNK):
        yield start, start + CHUNK - 1


class Sums:
    """A full rebuild's seizure figures, counted once and never brought into Python.

    Per chunk of the scope table: the rows read from the scope alone (``total``, ``year``,
    ``place``: one each per seizure) are counted by month row directly, the others
    (``tallies.figure_selects`` grouped by seizure) go to a temporary table; from it and the
    scope the database writes each seizure's kept figures (``SeizureTally``: the lines
    ``encode`` writes, in no particular order, as ``decode`` reads them into a dict) and
    adds their sums by month row to a second temporary table. ``write`` then inserts the
    month rows of the seizure dimensions: the sums of the kept figures, as a refresh keeps
    them. SeizureTally's secondary indexes are dropped meanwhile and built once at the end.
    """

    def __init__(self, connection: BaseDatabaseWrapper,
                 buckets: Callable[[set[str]], dict[str, int]]) -> None:
        self.connection, self.buckets = connection, buckets
        figures = "seizures bigint, weight_g bigint, weighed bigint, worked_g bigint"
        # SQLite: the rows kept in seizure order (the figure queries stream them out of the
        # scope in id order), so a seizure's lines are read without sorting every row.
        own_key = ", PRIMARY KEY (id, dimension, key)) WITHOUT ROWID" if (
            connection.vendor == "sqlite") else ")"
        with connection.cursor() as cursor:
            for name, columns in (
                    (SIGNATURES, "raw varchar(400) PRIMARY KEY, bucket bigint"),
                    (OWN_ROWS, "id bigint, month integer, bucket bigint, validated boolean, "
                               f"dimension varchar(20), key text, {figures}{own_key}"),
                    (SUMS, "month integer, bucket bigint, validated boolean, "
                           f"dimension varchar(20), key text, {figures}")):
                cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} ({columns}"
                               + ("" if name == OWN_ROWS else ")"))
                tallies._empty(cursor, name)  # noqa: SLF001
            if connection.vendor == "postgresql":  # month sums hashed in memory, not sorted
                cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            self.indexes = _secondary_indexes(connection, cursor)
            for name, _columns in self.indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")

    def keep(self, cursor: Any, within: tuple[int, int]) -> None:
        """The seizures of the scope table (ids ``within`` that range): their figures kept,
        and summed by month row."""
        self._map_signatures(cursor)
        into = ["month", "bucket", "validated", *tallies.FIGURE_COLUMNS]
        by_month = tallies.figure_selects(self.connection, "t.month, t.bucket, t.validated")
        for select in by_month[:tallies.SCOPE_ONLY]:
            cursor.execute(f"INSERT INTO {SUMS} ({', '.join(into)}) {select}")  # nosec B608
        selects = tallies.figure_selects(self.connection, BY_BUCKET, within)[
            tallies.SCOPE_ONLY:]
        figures = ", ".join(f"SUM(r.{f})" for f in tallies.FIGURE_COLUMNS[2:])
        row = "r.month, r.bucket, r.validated, r.dimension, r.key"
        sums = f"INSERT INTO {SUMS} SELECT {row}, {figures} FROM {{rows}} r GROUP BY {row}"  # nosec B608
        if self.connection.vendor == "postgresql":
            # One statement: the rows in memory (work_mem), not written to a temporary
            # table (whose 8 MB of buffers a chunk's rows overflow) and read back twice.
            union = " UNION ALL ".join(f"SELECT * FROM ({select}) q{i}"  # nosec B608
                                       for i, select in enumerate(selects))
            cursor.execute(  # nosec B608
                f"WITH own (id, {', '.join(into)}) AS MATERIALIZED ({union}), "  # nosec B608
                f"kept AS ({self._keep_sql('own')}) {sums.format(rows='own')}")
            return
        tallies._empty(cursor, OWN_ROWS)  # noqa: SLF001
        for select in selects:
            cursor.execute(f"INSERT INTO {OWN_ROWS} (id, {', '.join(into)}) {select}")  # nosec B608
        cursor.execute(self._keep_sql(OWN_ROWS))
        cursor.execute(sums.format(rows=OWN_ROWS))
        tallies._empty(cursor, OWN_ROWS)  # noqa: SLF001

    def _keep_sql(self, rows: str) -> str:
        """INSERT the kept figures of the scope's seizures: the lines of the rows read from
        the scope alone (as ``tallies.figure_selects`` counts them: one seizure each; the
        year's key is the month // 100, the place's its id or ''), then those in ``rows``.
        No ORDER BY: sorting every row again for it costs a fifth of the rebuild."""
        figures = [f"r.{f}" for f in tallies.FIGURE_COLUMNS]
        ones = "\t1\t0\t0\t0"  # one seizure, no weight (tabs in the SQL text itself)
        if self.connection.vendor == "postgresql":
            line = " || chr(9) || ".join(f"{f}::text" for f in figures)
            agg = f"string_agg({line}, chr(10))"
            scope = (f"'total\t{ones}\nyear\t' || (t.month / 100)::text || "
                     f"'{ones}\nplace\t' || COALESCE(t.place::text, '') || '{ones}'")
            rest = "COALESCE(chr(10) || g.rows, '')"
            return (f"INSERT INTO {table(SeizureTally)} ({', '.join(COLUMNS)}) "  # nosec B608
                    f"SELECT t.id, t.month, t.bucket, t.validated, {scope} || {rest} "
                    f"FROM {SCOPE} t LEFT JOIN (SELECT r.id, {agg} AS rows FROM {rows} r "
                    f"GROUP BY r.id) g ON g.id = t.id")
        # SQLite: printf, one call where || made a string for every piece; each seizure's
        # rows read by their key (in its order: dimension, then key).
        fields = "\t".join(["%s", "%s", "%d", "%d", "%d", "%d"])
        agg = f"group_concat(printf('{fields}', {', '.join(figures)}), char(10))"
        scope = (f"printf('total\t{ones}\nyear\t%d{ones}\nplace\t%s{ones}', "
                 "t.month / 100, COALESCE(t.place, ''))")
        return (f"INSERT INTO {table(SeizureTally)} ({', '.join(COLUMNS)}) "  # nosec B608
                f"SELECT t.id, t.month, t.bucket, t.validated, {scope} || COALESCE(char(10) || "
                f"(SELECT {agg} FROM {rows} r WHERE r.id = t.id), '') FROM {SCOPE} t")

    def _map_signatures(self, cursor: Any) -> None:
        """The bucket of every seizure of the scope table, so its rows are grouped by a
        number: the scope looked them up in SIGNATURES (``tallies.scope(..., SIGNATURES)``);
        the signatures not in it yet are added."""
        cursor.execute(f"SELECT DISTINCT t.sig FROM {SCOPE} t WHERE t.bucket IS NULL")  # nosec B608
        raw = {row[0] for row in cursor.fetchall()}
        if not raw:
            return
        ids = self.buckets({tallies._canonical(r) for r in raw})  # noqa: SLF001
        cursor.executemany(  # nosec B608
            f"INSERT INTO {SIGNATURES} (raw, bucket) VALUES (%s, %s)",  # nosec B608
            [(r, ids[tallies._canonical(r)]) for r in sorted(raw)])  # noqa: SLF001
        cursor.execute(f"UPDATE {SCOPE} SET bucket = (SELECT m.bucket FROM {SIGNATURES} m "  # nosec B608
                       f"WHERE m.raw = {SCOPE}.sig) WHERE bucket IS NULL")

    def write(self) -> None:
        """The month rows of the seizure dimensions: the sums of every chunk's; and
        SeizureTally's indexes built again."""
        q = self.connection.ops.quote_name
        columns = ["month", "bucket_id", "validated", *tallies.FIGURE_COLUMNS]
        figures = ", ".join(f"SUM(s.{f})" for f in tallies.FIGURE_COLUMNS[2:])
        row = "s.month, s.bucket, s.validated, s.dimension, s.key"
        with self.connection.cursor() as cursor:
            cursor.execute(  # nosec B608
                f"INSERT INTO {q(table(Tally))} ({', '.join(q(c) for c in columns)}) "  # nosec B608
                f"SELECT {row}, {figures} FROM {SUMS} s GROUP BY {row}")
            for name in (OWN_ROWS, SUMS, SIGNATURES):
                tallies._empty(cursor, name)  # noqa: SLF001
            for name, index_columns in self.indexes:
                cursor.execute(f"CREATE INDEX {q(name)} ON {q(table(SeizureTally))} "
                               f"({', '.join(q(c) for c in index_columns)})")


def _secondary_indexes(connection: BaseDatabaseWrapper, cursor: Any
                       ) -> list[tuple[str, list[str]]]:
    """SeizureTally's plain indexes (the month's): name and columns."""
    found = connection.introspection.get_constraints(cursor, table(SeizureTally))
    return sorted((name, list(c["columns"])) for name, c in found.items()
                  if c["index"] and not c["primary_key"] and not c["unique"]
                  and not c.get("foreign_key"))
