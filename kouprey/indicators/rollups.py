"""The indicator table from the stored month tallies: exact, and fast at a million seizures.

``refresh()`` recomputes the months the triggers marked dirty (indicators.triggers) and
stores them, with each year's sum; ``compute(scope)`` then adds up, for the buckets the
reader sees (``Bucket.objects.restrict``): the year sums of the years wholly inside the date
range, the month tallies of the other months wholly inside it, and, computed from the
records on the spot (indicators.tallies), the partial months at the two edges and any month
still dirty. So no stored figure is ever used while a write has made it stale, and the
result is exactly ``services.compute(scope)``. Why and how:
docs/decisions/2026-11-21-indicator-rollups.md.
"""

# ruff: noqa: S608 - SQL text holds only names from model metadata and our own
# constants; every value is a query parameter (bandit: the nosec B608 markers).

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Max, Q, Sum

from kouprey.indicators import services, tallies
from kouprey.indicators.breakdowns import BREAKDOWNS, Flows
from kouprey.cases.models import Case
from kouprey.indicators.models import (
    ALL_MONTHS,
    COURT,
    EVERYTHING,
    RESOLVE,
    UNDATED,
    Bucket,
    DirtyMonth,
    Tally,
)
from kouprey.indicators.tallies import column, table
from kouprey.reference.models import CommodityType
from kouprey.seizures.models import Seizure
from kouprey.seizures.services import WORKED_TO_RAW

LOCK = 0x6B6F7570  # PostgreSQL advisory lock of the refreshers ("koup")
FIRST, LAST = date(1, 1, 1), date(9999, 12, 31)
Sums = dict[tuple[str, str], list[int]]


class Stale(Exception):  # noqa: N818 - a state, not a failure
    """The records name a visibility no bucket stands for yet: refresh, then read again."""


# --- buckets -------------------------------------------------------------------------------

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


# --- storing dirty months ------------------------------------------------------------------

def month_range(month: int) -> tallies.Range:
    year, number = divmod(month, 100)
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def refresh(using: str = DEFAULT_DB_ALIAS) -> int:
    """Store the tallies of the dirty months; returns how many months were recomputed.

    PostgreSQL: one refresher at a time (a session advisory lock taken before the
    transaction, so its REPEATABLE READ snapshot is taken after the previous refresher
    committed); writers never wait for it, and the dirty rows it deletes are those its
    snapshot saw. SQLite: in one write transaction.
    """
    connection = connections[using]
    if not DirtyMonth.objects.using(using).exists():
        return 0
    if connection.vendor != "postgresql":
        with transaction.atomic(using=using):
            return _store(using)
    if connection.in_atomic_block:  # a caller's transaction (a script, a test): lock in it
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
            return _store(using)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
    try:
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            return _store(using)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])


def _delete(queryset: Any) -> None:
    """One DELETE statement: ``QuerySet.delete()`` would first fetch every row, because the
    audit log listens to the deletions of all models."""
    queryset._raw_delete(queryset.db)  # noqa: SLF001


def dirty_months(connection: Any, last: int | None = None) -> set[tuple[int, int]]:
    """(month, part) of the marks up to id ``last`` (all: None), the seizures and cases the
    SQLite triggers name looked up: a seizure's month; for a seizure marked COURT also the
    months of the seizures sharing a case with it; for a case its seizures' months and 0."""
    marks, s, links = table(DirtyMonth), table(Seizure), table(Case.seizures.through)
    month = tallies.month_sql(connection.vendor, f"s.{column(Seizure, 'date')}")
    upto, params = ("AND d.id <= %s", [last]) if last is not None else ("", [])
    named = f"d.month = {RESOLVE} {upto}"
    with connection.cursor() as cursor:
        cursor.execute(  # nosec B608 - names from the models, values as parameters
            f"SELECT DISTINCT d.month, d.part FROM {marks} d WHERE d.month <> {RESOLVE} {upto} "
            f"UNION SELECT {month}, d.part FROM {marks} d "
            f"JOIN {s} s ON s.id = d.seizure_pk WHERE {named} "
            f"UNION SELECT {month}, {COURT} FROM {marks} d "
            f"JOIN {links} l1 ON l1.seizure_id = d.seizure_pk "
            f"JOIN {links} l2 ON l2.case_id = l1.case_id JOIN {s} s ON s.id = l2.seizure_id "
            f"WHERE {named} AND d.part = {COURT} "
            f"UNION SELECT {month}, {COURT} FROM {marks} d "
            f"JOIN {links} l ON l.case_id = d.case_pk JOIN {s} s ON s.id = l.seizure_id "
            f"WHERE {named} "
            f"UNION SELECT {UNDATED}, {COURT} FROM {marks} d "
            f"WHERE {named} AND d.case_pk IS NOT NULL",
            params * 5)
        return {(int(m), int(p)) for m, p in cursor.fetchall()}


def _store(using: str) -> int:
    connection = connections[using]
    dirty = DirtyMonth.objects.using(using)
    last = dirty.aggregate(last=Max("id"))["last"]
    if last is None:
        return 0
    marks = dirty_months(connection, last)
    whole = {m for m, part in marks if part == EVERYTHING and m != UNDATED}
    court = {m for m, _ in marks} - whole  # cases decide only these months' changes
    tally = Tally.objects.using(using)
    if ALL_MONTHS in whole | court:
        computed = [tallies.compute(connection, None, True)]
        _delete(tally.all())
        _store_rows(computed, using)
        _sum_years(connection, None)
    else:
        computed = []
        if whole:
            computed.append(tallies.compute(connection, [month_range(m) for m in sorted(whole)],
                                            False))
        if court:
            computed.append(tallies.compute(connection, [month_range(m) for m in sorted(court)
                                                         if m], UNDATED in court,
                                            court_only=True))
        _delete(tally.filter(month__in=sorted(whole)))
        _delete(tally.filter(month__in=sorted(court), dimension__in=tallies.COURT_DIMENSIONS))
        _store_rows(computed, using)
        _sum_years(connection, {m // 100 for m in whole})
        _sum_years(connection, {m // 100 for m in court if m} - {m // 100 for m in whole},
                   tallies.COURT_DIMENSIONS)
    _delete(dirty.filter(id__lte=last))
    return len({m for m, _ in marks})


def _store_rows(computed: list[tallies.Computed], using: str) -> None:
    ids = ensure_buckets(set().union(*(c.signatures for c in computed)), using)
    Tally.objects.using(using).bulk_create(
        (Tally(month=m, bucket_id=ids[sig], validated=v, dimension=d, key=k, seizures=f[0],
               weight_g=f[1], weighed=f[2], worked_g=f[3])
         for c in computed for (m, sig, v, d, k), f in c.rows.items()), batch_size=2000)


def _sum_years(connection: Any, years: set[int] | None,
               dimensions: tuple[str, ...] | None = None) -> None:
    """The year rows (month ``-yyyy``): the sums of the years' month rows (of ``dimensions``
    only, when given); ``years`` None: every year."""
    tally = Tally.objects.using(connection.alias)
    if years is not None and not years:
        return
    old = tally.filter(month__lt=0) if years is None else tally.filter(
        month__in=[-y for y in years])
    _delete(old if dimensions is None else old.filter(dimension__in=dimensions))
    q = connection.ops.quote_name
    names = ["month", "bucket_id", "validated", "dimension", "key"]
    figures = ["seizures", "weight_g", "weighed", "worked_g"]
    where = f"{q('month')} > 0"
    params: list[Any] = []
    if years is not None:
        where += f" AND {q('month')} / 100 IN (" + ", ".join(["%s"] * len(years)) + ")"
        params += sorted(years)
    if dimensions is not None:
        where += f" AND {q('dimension')} IN (" + ", ".join(["%s"] * len(dimensions)) + ")"
        params += list(dimensions)
    grouped = ", ".join(q(n) for n in names[1:])
    with connection.cursor() as cursor:
        cursor.execute(  # nosec B608 - names from the model, values as parameters
            f"INSERT INTO {q(Tally._meta.db_table)} ({', '.join(q(n) for n in names + figures)}) "  # noqa: SLF001
            f"SELECT -({q('month')} / 100), {grouped}, "
            + ", ".join(f"SUM({q(n)})" for n in figures)
            + f" FROM {q(Tally._meta.db_table)} WHERE {where} "  # noqa: SLF001
            f"GROUP BY {q('month')} / 100, {grouped}", params)


# --- reading -------------------------------------------------------------------------------

@dataclass
class Plan:
    """Which figures a date range takes from the store and which it computes afresh."""

    stored: Q
    ranges: list[tallies.Range] | None = field(default_factory=list)
    undated: bool = False


def _next_month(month: int) -> int:
    year, number = divmod(month, 100)
    return year * 100 + number + 1 if number < 12 else (year + 1) * 100 + 1


def _previous_month(month: int) -> int:
    year, number = divmod(month, 100)
    return year * 100 + number - 1 if number > 1 else (year - 1) * 100 + 12


def plan(since: date | None, until: date | None, dirty: set[int]) -> Plan:
    unbounded = since is None and until is None
    if ALL_MONTHS in dirty:
        return Plan(Q(pk__in=[]), None if unbounded else [(since or FIRST, until or LAST)],
                    unbounded)
    start, end = since or FIRST, until or LAST
    lo = tallies.month_of(start) if start.day == 1 else _next_month(tallies.month_of(start))
    hi = tallies.month_of(end) if end == month_range(tallies.month_of(end))[1] \
        else _previous_month(tallies.month_of(end))
    ranges: list[tallies.Range] = []
    if start.day != 1:
        ranges.append((start, min(end, month_range(tallies.month_of(start))[1])))
    if tallies.month_of(end) != hi:
        edge = (max(start, month_range(tallies.month_of(end))[0]), end)
        if edge not in ranges:
            ranges.append(edge)
    stored = Q(pk__in=[])
    if lo <= hi:
        stored = _stored_months(lo, hi, dirty)
        ranges += [month_range(m) for m in sorted(dirty) if m > 0 and lo <= m <= hi]
    if unbounded and UNDATED not in dirty:
        stored |= Q(month=UNDATED)
    return Plan(stored, ranges, unbounded and UNDATED in dirty)


def _stored_months(lo: int, hi: int, dirty: set[int]) -> Q:
    """Year rows for whole clean years, month rows for the other clean months of lo..hi."""
    y_lo = lo // 100 if lo % 100 == 1 else lo // 100 + 1
    y_hi = hi // 100 if hi % 100 == 12 else hi // 100 - 1
    dirty_years = {m // 100 for m in dirty if m > 0}
    if y_lo > y_hi:
        months = [(lo, hi)]
        stored = Q(pk__in=[])
    else:
        months = [(lo, (y_lo - 1) * 100 + 12), ((y_hi + 1) * 100 + 1, hi)]
        months += [(y * 100 + 1, y * 100 + 12) for y in sorted(dirty_years)
                   if y_lo <= y <= y_hi]
        stored = Q(month__gte=-y_hi, month__lte=-y_lo) & ~Q(
            month__in=[-y for y in dirty_years])
    for a, b in months:
        if a <= b:
            stored |= Q(month__gte=a, month__lte=b) & ~Q(month__in=sorted(dirty))
    return stored


def compute(scope: services.Scope, using: str = DEFAULT_DB_ALIAS) -> list[services.Indicator]:
    """``services.compute(scope)`` from the tallies (call ``refresh()`` first to be fast).

    Raises ``Stale`` when the records hold a visibility no bucket stands for (written after
    the last refresh): refresh and call again.
    """
    connection = connections[using]
    known = dict(Bucket.objects.using(using).values_list("signature", "pk"))
    visible = set(Bucket.objects.using(using).restrict(scope.reader, "view")
                  .values_list("signature", flat=True))
    dirty = {m for m, _ in dirty_months(connection)}
    todo = plan(scope.since, scope.until, dirty)
    stored = Tally.objects.using(using).filter(todo.stored)
    if visible != known.keys():
        stored = stored.filter(bucket_id__in=sorted(known[s] for s in visible))
    if scope.validated_only:
        stored = stored.filter(Q(validated=True) | Q(dimension__in=tallies.CASE_DIMENSIONS))
    sums: Sums = {}
    for row in stored.values("dimension", "key").annotate(
            n=Sum("seizures"), g=Sum("weight_g"), w=Sum("weighed"), wk=Sum("worked_g")):
        sums[(row["dimension"], row["key"])] = [row["n"], row["g"], row["w"], row["wk"]]
    if todo.ranges is None or todo.ranges or todo.undated:
        computed = tallies.compute(connection, todo.ranges, todo.undated)
        if computed.signatures - known.keys():
            raise Stale
        for (_, sig, validated, dimension, key), figures in computed.rows.items():
            wanted = validated or not scope.validated_only \
                or dimension in tallies.CASE_DIMENSIONS
            if sig in visible and wanted:
                total = sums.setdefault((dimension, key), [0, 0, 0, 0])
                for i, value in enumerate(figures):
                    total[i] += value
    return assemble(sums, visible, connection.vendor)


# --- from sums to the table ----------------------------------------------------------------

def _median(histogram: Counter[int]) -> tuple[float | None, int]:
    """statistics.median of the days, from how many seizures had each number of days."""
    count = sum(histogram.values())
    if not count:
        return None, 0
    ordered = sorted(histogram.items())
    middle = [(count - 1) // 2, count // 2]
    found, seen = [], 0
    for days, n in ordered:
        found += [days for m in middle if seen <= m < seen + n]
        seen += n
    return (found[0] if count % 2 else (found[0] + found[1]) / 2), count


def assemble(sums: Sums, visible: set[str], vendor: str) -> list[services.Indicator]:
    def n(dimension: str) -> int:
        return sums.get((dimension, ""), [0])[0]

    def seen(dimension: str) -> int:
        return sum(f[0] for (d, k), f in sums.items()
                   if d == dimension and not visible.isdisjoint(k.split(";")))

    counts = {"seizures_total": n("total"), "seizures_with_prosecution": seen("prosecuted"),
              "seizures_with_conviction": seen("convicted"), "cases_total": n("cases"),
              "cases_interagency": n("interagency")}
    ivory = {str(pk) for pk in CommodityType.objects.filter(is_ivory=True)
             .values_list("pk", flat=True)}
    commodities = {k: f for (d, k), f in sums.items() if d == "commodity"}
    worked = sum(f[3] for k, f in commodities.items() if k in ivory)
    raw = sum(f[1] for k, f in commodities.items() if k in ivory) - worked
    weights = {"weight": Decimal(sum(f[1] for f in commodities.values())).scaleb(-3),
               "rie": Decimal(raw).scaleb(-3) + Decimal(worked).scaleb(-3) / WORKED_TO_RAW}
    histogram: Counter[int] = Counter()
    for (d, k), f in sums.items():
        if d == "verdict":
            days = [int(p.rsplit("=", 1)[1]) for p in k.split(";")
                    if p.rsplit("=", 1)[0] in visible]
            if days:
                histogram[min(days)] += f[0]
    rows = services.headline_rows(counts, weights, *_median(histogram))
    for breakdown in BREAKDOWNS.values():
        rows.extend(breakdown.rows_from(_grouped(breakdown, sums, vendor)))
    return rows


def _sort_key(values: tuple[Any, ...], vendor: str) -> tuple[Any, ...]:
    """The databases' ORDER BY: NULL first on SQLite, last on PostgreSQL."""
    nulls = 1 if vendor == "postgresql" else -1
    return tuple((nulls, 0) if v is None else (0, v) for v in values)


def _grouped(breakdown: Any, sums: Sums, vendor: str) -> list[dict[str, Any]]:
    """What ``breakdown.grouped(scope)`` returns, from the sums."""
    def value(key: str) -> int | None:
        return None if key == "" else int(key)

    if isinstance(breakdown, Flows):
        rows = []
        for (d, k), f in sums.items():
            if d == "flow":
                keys = tuple(value(v) for v in k.split("|"))
                rows.append({**dict(zip(Flows.FIELDS, keys, strict=True)), "n": f[0]})
        return sorted(rows, key=lambda r: _sort_key(tuple(r[x] for x in Flows.FIELDS), vendor))
    rows = []
    for (d, k), f in sums.items():
        if d == breakdown.key:
            row: dict[str, Any] = {breakdown.key: value(k), "n": f[0]}
            if breakdown.weight:
                row["kg"] = Decimal(f[1]).scaleb(-3) if f[2] else None
            rows.append(row)
    return sorted(rows, key=lambda r: _sort_key((r[breakdown.key],), vendor))

