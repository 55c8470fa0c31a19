"""The indicator table from the stored month tallies: exact, and fast at a million seizures.

``store.refresh()`` recomputes the months the triggers marked dirty (indicators.triggers);
``compute(scope)`` then adds up, for the buckets the reader sees
(``Bucket.objects.restrict``): the all-time rows when there is no date range, else the year
rows of the years wholly inside the range and the month rows of the other months wholly
inside it, and, computed from the records on the spot (indicators.tallies), the partial
months at the two edges and any month still dirty. So no stored figure is ever used while
a write has made it stale, and the result is exactly ``services.compute(scope)``. Why and
how:
docs/decisions/2026-11-21-indicator-rollups.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q, Sum

from kouprey.indicators import services, tallies
from kouprey.indicators.breakdowns import BREAKDOWNS, Flows
from kouprey.indicators.models import ALL_MONTHS, ALL_TIME, UNDATED, Bucket, Tally
from kouprey.indicators.store import dirty_months, month_range
from kouprey.indicators.tallies import month_of
from kouprey.reference.models import CommodityType
from kouprey.seizures.services import WORKED_TO_RAW

READ_WORK_MEM = "16MB"  # PostgreSQL, while summing the stored rows (_plain_rows)

FIRST, LAST = date(1, 1, 1), date(9999, 12, 31)
Sums = dict[tuple[str, str], list[int]]


class Stale(Exception):  # noqa: N818 - a state, not a failure
    """The records name a visibility no bucket stands for yet: refresh, then read again."""


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
    if unbounded and not dirty:
        return Plan(Q(month__in=[ALL_TIME, UNDATED]))
    start, end = since or FIRST, until or LAST
    lo = month_of(start) if start.day == 1 else _next_month(month_of(start))
    hi = month_of(end) if end == month_range(month_of(end))[1] \
        else _previous_month(month_of(end))
    ranges: list[tallies.Range] = []
    if start.day != 1:
        ranges.append((start, min(end, month_range(month_of(start))[1])))
    if month_of(end) != hi:
        edge = (max(start, month_range(month_of(end))[0]), end)
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
    grouped = stored.values("dimension", "key").annotate(
        n=Sum("seizures"), g=Sum("weight_g"), w=Sum("weighed"), wk=Sum("worked_g"))
    for dimension, key, *figures in _plain_rows(grouped):
        sums[(dimension, key)] = [int(f or 0) for f in figures]
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
    return assemble({k: f for k, f in sums.items() if f[0] > 0}, visible, connection.vendor)


def _plain_rows(queryset: Any) -> list[tuple[Any, ...]]:
    """The rows of a values() queryset without the ORM's per-row converters (thousands of
    all-time rows: ~0.1 s saved). PostgreSQL: with READ_WORK_MEM, so the ~50,000 all-time
    rows of 1M seizures are summed in a hash instead of sorted on disk (134 -> 55 ms)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return []
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{READ_WORK_MEM}'")
        cursor.execute(sql, params)
        return cursor.fetchall()


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

