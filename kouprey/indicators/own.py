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

from collections.abc import Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from kouprey.indicators import tallies
from kouprey.indicators.copying import copy_rows
from kouprey.indicators.models import Bucket, SeizureTally
from kouprey.indicators.tallies import GROUP, SCOPE, column, table
from kouprey.seizures.models import Seizure

SEIZURE_IDS = "indicators_own_ids"
At = tuple[int, str, bool]  # month, signature, validated
Rows = dict[tuple[str, str], list[int]]  # (dimension, key) -> figures
Own = dict[int, tuple[At, Rows]]  # by seizure id
COLUMNS = ["seizure_id", "month", "bucket_id", "validated", "rows"]
CHUNK = 50_000  # seizures counted at a time by a full rebuild


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


def rebuild(connection: BaseDatabaseWrapper, ids: dict[str, int]) -> None:
    """Every seizure's figures (after the full count of the tallies), CHUNK seizures at a
    time by id: consecutive ids keep their rows on neighbouring pages, where a year's
    seizures are scattered over every table."""
    using = connection.alias
    SeizureTally.objects.using(using).all()._raw_delete(using)  # noqa: SLF001 - one DELETE
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table(Seizure)}")  # nosec B608
        first, last = cursor.fetchone()
    if first is None:
        return
    for start in range(first, last + 1, CHUNK):
        where = ("s.id BETWEEN %s AND %s", [start, start + CHUNK - 1])
        with tallies.scope(connection, where) as cursor:
            own = count(connection, cursor)
        copy_rows(connection, table(SeizureTally), COLUMNS,
                  (_row(sid, at, rows, ids) for sid, (at, rows) in own.items()))
