"""Keeping the stored tallies true to the records: the dirty months recomputed and stored.

Three levels of rows, so that a table reads few of them: months (``yyyymm``), years
(``-yyyy``: the sum of the year's months) and all time (``ALL_TIME``: the sum of every
month; month 0, the cases without seizures, stays apart). A refresh recomputes the dirty
months from the records (indicators.tallies), replaces their rows, and adds the difference
between the new and the old rows to the year and all-time rows (an upsert on the unique
row key), so one changed month costs its own recomputation, not a pass over the store.
After a full rebuild (everything dirty) the year and all-time rows are summed in SQL.
"""

from __future__ import annotations

import calendar
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.db.models import Max

from kouprey.cases.models import Case
from kouprey.indicators import facts, own, tallies
from kouprey.indicators.copying import copy_rows
from kouprey.indicators.models import (
    ALL_MONTHS,
    ALL_TIME,
    COURT,
    EVERYTHING,
    RESOLVE,
    UNDATED,
    Bucket,
    DirtyMonth,
    SeizureTally,
    Tally,
)
from kouprey.indicators.tallies import column, table
from kouprey.seizures.models import Seizure

# ruff: noqa: S608 - SQL text holds only names from model metadata and our own constants;
# every value is a query parameter (bandit: the nosec B608 markers).

LOCK = 0x6B6F7570  # PostgreSQL advisory lock of the refreshers ("koup")
WAIT_MS = 200  # SQLite: how long a refresh waits for the write lock before leaving it
REBUILD_ABOVE = 36  # dirty months beyond which one grouped pass is cheaper than each month
REBUILD_NAMED = 20000  # seizures and cases named by case writes beyond which, likewise
KEY = ["month", "bucket_id", "validated", "dimension", "key"]
FIGURES = ["seizures", "weight_g", "weighed", "worked_g"]
# PostgreSQL: a recount's queries take tens of milliseconds each; compiling them (JIT, for
# their cost estimates over a million rows) would cost as much again.
NO_JIT = "SET LOCAL jit = off"
Row = tuple[int, int, bool, str, str]  # month, bucket id, validated, dimension, key


def ensure_buckets(signatures: set[str], using: str) -> dict[str, int]:
    """Bucket id of every signature, creating the missing ones (refresh only, under lock)."""
    known = dict(Bucket.objects.using(using).values_list("signature", "pk"))
    for sig in sorted(signatures - known.keys()):
        owner, level, shared = sig.split(":", 2)
        bucket = Bucket.objects.using(using).create(signature=sig, owner_org_id=int(owner),
                                                    confidentiality=int(level))
        if shared:
            bucket.shared_with.set([int(i) for i in shared.split(",")])
        known[sig] = bucket.pk
    return known


def month_range(month: int) -> tallies.Range:
    year, number = divmod(month, 100)
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def dirty_months(connection: Any, last: int | None = None) -> set[tuple[int, int]]:
    """(month, part) of the marks up to id ``last`` (all: None), the seizures and cases the
    SQLite triggers name looked up: a seizure's month; for a seizure marked COURT also the
    months of the seizures sharing a case with it; for a case its seizures' months and 0."""
    marks, s, links = table(DirtyMonth), table(Seizure), table(Case.seizures.through)
    month = tallies.month_sql(connection.vendor, f"s.{column(Seizure, 'date')}")
    upto, params = ("AND d.id <= %s", [last]) if last is not None else ("", [])
    named = f"d.month = {RESOLVE} {upto}"
    # SQLite: CROSS JOIN keeps the (few) marks the outer loop, not the million links.
    join = "CROSS JOIN" if connection.vendor == "sqlite" else "JOIN"
    with connection.cursor() as cursor:
        cursor.execute(  # nosec B608 - names from the models, values as parameters
            f"SELECT DISTINCT d.month, d.part FROM {marks} d WHERE d.month <> {RESOLVE} {upto} "  # nosec B608
            f"UNION SELECT {month}, d.part FROM {marks} d "
            f"{join} {s} s ON s.id = d.seizure_pk WHERE {named} "
            f"UNION SELECT {month}, {COURT} FROM {marks} d "
            f"{join} {links} l1 ON l1.seizure_id = d.seizure_pk "
            f"{join} {links} l2 ON l2.case_id = l1.case_id {join} {s} s ON s.id = l2.seizure_id "
            f"WHERE {named} AND d.part = {COURT} "
            f"UNION SELECT {month}, {COURT} FROM {marks} d "
            f"{join} {links} l ON l.case_id = d.case_pk {join} {s} s ON s.id = l.seizure_id "
            f"WHERE {named} "
            f"UNION SELECT {UNDATED}, {COURT} FROM {marks} d "
            f"WHERE {named} AND d.case_pk IS NOT NULL",
            params * 5)
        return {(int(m), int(p)) for m, p in cursor.fetchall()}


def refresh(using: str = DEFAULT_DB_ALIAS) -> int:
    """Store the tallies of the dirty months; returns how many months were recomputed.

    PostgreSQL: one refresher at a time (a session advisory lock taken before the
    transaction, so its REPEATABLE READ snapshot is taken after the previous refresher
    committed); writers never wait for it, and the marks it deletes are those its snapshot
    saw. SQLite: in one write transaction.
    """
    connection = connections[using]
    if not DirtyMonth.objects.using(using).exists():
        return 0
    if connection.vendor != "postgresql":
        return _store_sqlite(using)
    if connection.in_atomic_block:  # a caller's transaction (a script, a test): lock in it
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
            cursor.execute(NO_JIT)
            return _store(using)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
    try:
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute(NO_JIT)
            return _store(using)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])


def bring_up_to_date(using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """``refresh()`` timed, for the end of an import (the command line and the import page):
    ``{"recounted": months and records counted again, "seconds": ...}``. Run after the
    import's commit, so that the next person to open the indicators does not wait for the
    months it wrote (a full recount after a million seizures takes a minute or more)."""
    started = time.perf_counter()
    recounted = refresh(using)
    return {"recounted": recounted, "seconds": round(time.perf_counter() - started, 1)}


def _store_sqlite(using: str) -> int:
    """In a write transaction, if the write lock comes within WAIT_MS; else nothing is stored
    (an import may hold the lock for minutes): readers compute the dirty months themselves."""
    connection = connections[using]
    if connection.in_atomic_block:
        with transaction.atomic(using=using):
            return _store(using)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        waited = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA busy_timeout = {int(WAIT_MS)}")
    try:
        with transaction.atomic(using=using):
            return _store(using)
    except OperationalError as exc:
        if "locked" not in str(exc):
            raise
        return 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(waited)}")


def _delete(queryset: Any) -> None:
    """One DELETE statement: ``QuerySet.delete()`` would first fetch every row, because the
    audit log listens to the deletions of all models."""
    queryset._raw_delete(queryset.db)  # noqa: SLF001


def _store(using: str) -> int:
    connection = connections[using]
    dirty = DirtyMonth.objects.using(using)
    last = dirty.aggregate(last=Max("id"))["last"]
    if last is None:
        return 0
    todo = _pending(connection, last)
    whole = todo.months - {UNDATED}
    if todo.rebuild or ALL_MONTHS in todo.months or len(whole) > REBUILD_ABOVE:
        _rebuild(connection)
    else:
        if whole:
            _recount_months(connection, whole)
        if todo.seizures:
            _recount_own(connection, todo.seizures)
        if todo.seizures or todo.court or todo.cases:
            _recount_named(connection, todo.seizures | todo.court, todo.cases)
    _delete(dirty.filter(id__lte=last))
    return len(todo.months) + len(todo.seizures | todo.court) + len(todo.cases)


@dataclass
class Pending:
    """What the marks up to one id ask to count again."""

    months: set[int] = field(default_factory=set)  # whole months (marks naming no seizure)
    seizures: set[int] = field(default_factory=set)  # seizures written (part EVERYTHING)
    court: set[int] = field(default_factory=set)  # seizures whose cases changed (COURT)
    cases: set[int] = field(default_factory=set)  # cases written (COURT)
    rebuild: bool = False  # too many named, or a month marked COURT by older triggers


def _pending(connection: Any, last: int) -> Pending:
    marks = table(DirtyMonth)
    todo = Pending()
    with connection.cursor() as cursor:
        cursor.execute(  # nosec B608 - names from the models, values as parameters
            f"SELECT COUNT(*) FROM (SELECT DISTINCT d.part, d.seizure_pk, d.case_pk "  # nosec B608
            f"FROM {marks} d WHERE d.id <= %s) named", [last])
        if cursor.fetchone()[0] > REBUILD_NAMED:
            todo.rebuild = True
            return todo
        cursor.execute(  # nosec B608 - names from the models, values as parameters
            f"SELECT DISTINCT d.month, d.part, d.seizure_pk, d.case_pk FROM {marks} d "  # nosec B608
            f"WHERE d.id <= %s", [last])
        for month, part, seizure, case in cursor.fetchall():
            if seizure is None and case is None:
                todo.months.add(int(month))
                todo.rebuild |= part == COURT  # which cases, unknown
            elif part == EVERYTHING:
                todo.seizures.add(int(seizure))
            else:
                if seizure is not None:
                    todo.court.add(int(seizure))
                if case is not None:
                    todo.cases.add(int(case))
    return todo


def _recount_months(connection: Any, whole: set[int]) -> None:
    """Whole months counted again (marks that name no seizure: a bulk import's): each
    seizure's own figures, kept again (indicators.own), and what cases decide taken from
    the kept facts (indicators.facts), which move with their seizures."""
    old = _rows(connection, whole)
    counter = tallies.Counter()
    ranges = [month_range(m) for m in sorted(whole)]
    with tallies.scope(connection, tallies.in_ranges(ranges)) as cursor:
        mine = own.count(connection, cursor)
        court, kept, gone = tallies.kept_court(connection, cursor, whole)
        own.add_to(counter, mine)
        for at, found in court.values():
            found.add_to(counter, at)
        ids = ensure_buckets(set(counter.signatures.values()) | counter.case_signatures,
                             connection.alias)
        own.replace_months(cursor, whole, mine, ids)
    new = {(m, ids[sig], v, d, k): f for (m, sig, v, d, k), f in counter.rows.items()}
    _write(connection, old, new)
    _add(connection, _differences(old, new))
    facts.move(connection, tallies.Computed({}, set(), court=court, kept=kept, gone=gone), ids)


def _apply(connection: Any, counter: tallies.Counter, ids: dict[str, int]) -> None:
    """Month rows += the counter's differences, and so their year and all-time rows."""
    delta = {(m, ids[sig], v, d, k): f for (m, sig, v, d, k), f in counter.rows.items()
             if any(f)}
    _add(connection, {**delta, **_differences({}, delta)})


def _recount_own(connection: Any, seizures: set[int]) -> None:
    """The own figures of the seizures named: the differences added."""
    counter, now, kept = own.recount(connection, seizures)
    ids = ensure_buckets(set(counter.signatures.values()), connection.alias)
    own.store(connection, now, kept, ids)
    _apply(connection, counter, ids)


def _recount_named(connection: Any, seizures: set[int], cases: set[int]) -> None:
    """What cases decide for the seizures and cases named: the differences added."""
    found = facts.recount(connection, seizures, cases)
    ids = ensure_buckets(found.signatures, connection.alias)
    facts.store(connection, found, ids)
    _apply(connection, found.counter, ids)


def _rows(connection: Any, months: set[int]) -> dict[Row, list[int]]:
    """The stored month rows about to be replaced (all but the case figures, which are
    kept per case)."""
    found: dict[Row, list[int]] = {}
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in KEY + FIGURES)
    params: list[Any] = [*sorted(months), *tallies.CASE_DIMENSIONS]
    with connection.cursor() as cursor:
        cursor.execute(  # nosec B608 - names from the model, values as parameters
            f"SELECT {columns} FROM {q(Tally._meta.db_table)} "  # noqa: SLF001  # nosec B608
            f"WHERE {q('month')} IN ({', '.join(['%s'] * len(months))}) AND {q('dimension')} "
            f"NOT IN ({', '.join(['%s'] * len(tallies.CASE_DIMENSIONS))})", params)
        for row in cursor.fetchall():
            found[(row[0], row[1], bool(row[2]), row[3], row[4])] = list(row[5:])
    return found


def _write(connection: Any, old: dict[Row, list[int]], new: dict[Row, list[int]]) -> None:
    """Only the month rows that changed: most of a recomputed month is as it was."""
    q = connection.ops.quote_name
    name = q(Tally._meta.db_table)  # noqa: SLF001
    gone = [list(key) for key in old.keys() - new.keys()]
    changed = [[*key, *figures] for key, figures in new.items() if old.get(key) != figures]
    with connection.cursor() as cursor:
        if gone:
            cursor.executemany(  # nosec B608 - names from the model, values as parameters
                f"DELETE FROM {name} WHERE "  # nosec B608
                + " AND ".join(f"{q(c)} = %s" for c in KEY), gone)
        if changed:
            cursor.executemany(  # nosec B608 - names from the model, values as parameters
                f"INSERT INTO {name} ({', '.join(q(c) for c in KEY + FIGURES)}) "  # nosec B608
                f"VALUES ({', '.join(['%s'] * 9)}) "
                f"ON CONFLICT ({', '.join(q(c) for c in KEY)}) DO UPDATE SET "
                + ", ".join(f"{q(f)} = excluded.{q(f)}" for f in FIGURES), changed)


def _differences(old: dict[Row, list[int]], new: dict[Row, list[int]]
                 ) -> dict[Row, list[int]]:
    """What the year and all-time rows gain (or lose) from the replaced month rows."""
    delta: dict[Row, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    changed = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
    for rows, sign in ((new, 1), (old, -1)):
        for (month, *rest), figures in ((k, rows[k]) for k in changed if k in rows):
            if month <= 0:
                continue  # month 0 (cases without seizures) has no year
            for level in (-(month // 100), ALL_TIME):
                total = delta[(level, *rest)]  # type: ignore[index]
                for i, value in enumerate(figures):
                    total[i] += sign * value
    return {k: v for k, v in delta.items() if any(v)}


def _insert(rows: dict[Row, list[int]], connection: Any) -> None:
    copy_rows(connection, table(Tally), KEY + FIGURES, ([*key, *f] for key, f in rows.items()))


def _add(connection: Any, delta: dict[Row, list[int]]) -> None:
    """Year and all-time rows += delta (an upsert); rows that fall to no seizure go."""
    if not delta:
        return
    q = connection.ops.quote_name
    name = q(Tally._meta.db_table)  # noqa: SLF001
    sums = ", ".join(f"{q(f)} = {name}.{q(f)} + excluded.{q(f)}" for f in FIGURES)
    columns = ", ".join(q(c) for c in KEY + FIGURES)
    with connection.cursor() as cursor:
        cursor.executemany(  # nosec B608 - names from the model, values as parameters
            f"INSERT INTO {name} ({columns}) VALUES ({', '.join(['%s'] * 9)}) "  # nosec B608
            f"ON CONFLICT ({', '.join(q(c) for c in KEY)}) DO UPDATE SET {sums}",
            [[*key, *figures] for key, figures in delta.items()])
    levels = sorted({key[0] for key in delta})
    _delete(Tally.objects.using(connection.alias).filter(month__in=levels, seizures__lte=0))


def _rebuild(connection: Any) -> None:
    """Everything from the records, each figure counted once: the seizures chunk by chunk,
    their own figures kept and summed into the month rows in the database (own.Sums), what
    their cases decide kept and counted; then every case; then years and all time in SQL."""
    using = connection.alias

    def buckets(signatures: set[str]) -> dict[str, int]:
        return ensure_buckets(signatures, using)

    sums = own.Sums(connection, buckets)  # (drops SeizureTally's month index until write)
    for model in (Tally, SeizureTally):
        _delete(model.objects.using(using).all())
    facts.clear(connection)
    counter = tallies.Counter()  # the rows cases decide (prosecuted ... interagency)
    for chunk in own.chunks(connection):
        where = ("s.id BETWEEN %s AND %s", list(chunk))
        with tallies.scope(connection, where, own.SIGNATURES) as cursor:
            sums.keep(cursor, chunk)
            court = tallies.court_records(connection, cursor, chunk)
        for at, found in court.values():
            found.add_to(counter, at)
        facts.keep_court(connection, court, buckets({at[1] for at, _ in court.values()}))
    cases = facts.every_case(connection)
    for case in cases.values():
        case.add_to(counter)
    ids = buckets(set(counter.signatures.values()) | counter.case_signatures)
    facts.keep_cases(connection, cases, ids)
    sums.write()
    _insert({(m, ids[sig], v, d, k): f for (m, sig, v, d, k), f in counter.rows.items()},
            connection)
    q = connection.ops.quote_name
    name = q(Tally._meta.db_table)  # noqa: SLF001
    month, rest = q("month"), ", ".join(q(c) for c in KEY[1:])
    figures = ", ".join(f"SUM({q(f)})" for f in FIGURES)
    into = f"INSERT INTO {name} ({', '.join(q(c) for c in KEY + FIGURES)}) "
    with connection.cursor() as cursor:
        cursor.execute(  # nosec B608 - names from the model
            f"{into} SELECT -({month} / 100), {rest}, {figures} FROM {name} "  # nosec B608
            f"WHERE {month} > 0 GROUP BY {month} / 100, {rest}")
        cursor.execute(  # nosec B608 - names from the model, values as parameters
            f"{into} SELECT %s, {rest}, {figures} FROM {name} "  # nosec B608
            f"WHERE {month} < 0 AND {month} > %s GROUP BY {rest}", [ALL_TIME, ALL_TIME])
