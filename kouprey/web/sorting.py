"""How a list page reads its rows in the requested order without sorting every match.

**By a related record's field** (seizures by place name), one related record at a time.

``ORDER BY place.name, ... LIMIT 50`` makes the database join and sort every matching row
first: at 1,000,000 seizures a filter keeping 200,000 of them costs over a second on SQLite
and PostgreSQL, whose planners keep the seizures as the outer side of the (nullable) join.
``GroupedIds`` instead lists the related records that have any row, in the sort's order (a
small table: places), and reads each one's matching rows through its own index (``(place,
date)``), counting them with a limit, until the page is full. The rows without a
related record come last in an ascending sort and first in a descending one (PostgreSQL's
NULL order, on both databases).

**By another column than the filters' indexes end with** (PostgreSQL): for ``ORDER BY
reference ... LIMIT 50`` PostgreSQL walks the reference index and checks each row, counting
on the matches being spread evenly along it. When they are not (references hold the year:
a filter on 2013 walks every later year first) the page took 1-3 s at 1M.
``fenced_page`` lists the matching ids first through the filters' own indexes when there
are at most ``FENCE_ROWS`` of them (a derived table with a ``LIMIT``, which PostgreSQL
plans apart), then sorts those. SQLite's planner already does so.

**A search with many matches, by date** (PostgreSQL): for two words that mostly come together
(a name pair) PostgreSQL multiplies the words' shares and expects 8 times fewer matches than
there are, so it reads every match through the trigram index and sorts them (66,000 heap
rows: 0.7 s) where walking the date index would meet the page's 150 rows after 2,300.
``core.search.share_on_postgres`` measures the words' share among the newest records: from
``WALK_PAGE_SHARE`` up, ``walked_page`` reads the page inside ``walking`` (``SET LOCAL
enable_sort = off`` and ``enable_bitmapscan = off``, that transaction only), so PostgreSQL
walks the index instead; from ``WALK_COUNT_SHARE`` up the capped count walks too (it needs
1,001 matches, the page 50-250: a rarer phrase is counted faster through the index).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections, transaction
from django.db.models import Exists, OuterRef, QuerySet

FENCE_ROWS = 50_000
WALK_PAGE_SHARE = 0.02
WALK_COUNT_SHARE = 0.2


def related_sort(queryset: QuerySet[Any]) -> tuple[str, str] | None:
    """(relation, ordering of the related model) when the first sort key is a field of a
    many-to-one relation (``place__name`` -> ``("place", "name")``), else None."""
    order = [str(o) for o in queryset.query.order_by]
    if not order or "__" not in order[0]:
        return None
    descending = order[0].startswith("-")
    relation, _sep, field_name = order[0].lstrip("-").partition("__")
    model_field = queryset.model._meta.get_field(relation)  # noqa: SLF001
    if not model_field.many_to_one or "__" in field_name:
        return None
    return relation, f"-{field_name}" if descending else field_name


class GroupedIds:
    """The primary keys of ``queryset`` (ordered by ``relation__field`` then the rest), as a
    sequence a Paginator slices; ``counted`` is what its count counts."""

    def __init__(self, queryset: QuerySet[Any], relation: str, related_order: str) -> None:
        self.counted = queryset.order_by()
        self.relation = relation
        self.related_order = related_order
        self.within = list(queryset.query.order_by)[1:] or ["-pk"]
        self.base = queryset.order_by().values_list("pk", flat=True)

    def _groups(self) -> list[Any]:
        """The keys of the related records that have any row at all, in the sort order, and
        None (rows without one) where PostgreSQL puts NULLs. Checked on the whole table, one
        index probe per related record: with the list's filters inside, an ``IN (...)``
        filter was listed again for every place on SQLite, and an EXISTS over the filtered
        rows became a semi-join over every match on PostgreSQL (1.4 s at 1M). A related
        record without a matching row costs one more capped count in ``__getitem__``."""
        model = self.counted.model
        related = model._meta.get_field(self.relation).related_model  # noqa: SLF001
        any_row = model._base_manager.filter(**{self.relation: OuterRef("pk")})  # noqa: SLF001
        keys: list[Any] = list(
            related._base_manager.filter(Exists(any_row))  # noqa: SLF001
            .order_by(self.related_order, "pk").values_list("pk", flat=True))
        if self.base.filter(**{f"{self.relation}__isnull": True}).exists():
            keys = [None, *keys] if self.related_order.startswith("-") else [*keys, None]
        return keys

    def _rows(self, key: Any) -> QuerySet[Any]:
        if key is None:
            return self.base.filter(**{f"{self.relation}__isnull": True})
        return self.base.filter(**{self.relation: key})

    def __getitem__(self, window: slice) -> list[Any]:
        start, stop = window.start or 0, window.stop
        found: list[Any] = []
        seen = 0  # rows of the groups before the current one
        for key in self._groups():
            if stop is not None and seen >= stop:
                break
            rows = self._rows(key)
            size = rows[:stop - seen].count() if stop is not None else rows.count()
            if seen + size > start:
                found += list(rows.order_by(*self.within)[max(start - seen, 0):
                                                          None if stop is None else stop - seen])
            seen += size
        return found

    def count(self) -> int:
        return self.counted.count()

    def __len__(self) -> int:
        return self.count()


def fenced_page(ids: QuerySet[Any], matches: int | None, start: int, stop: int
                ) -> list[Any] | None:
    """The ids ``[start:stop]`` of ``ids`` (a sorted ``values_list("pk")``), sorted among
    the matches listed first, when PostgreSQL might walk the sort column's index instead;
    None to read the page as usual. ``matches`` is how many match, if known."""
    if connections[ids.db].vendor != "postgresql":
        return None
    order = [str(o) for o in ids.query.order_by]
    default = [str(o).lstrip("-") for o in ids.model._meta.ordering]  # noqa: SLF001
    if not order or not default or order[0].lstrip("-") in (default[0], "pk", "id"):
        return None  # the default sort (date): every list index ends with it
    unsorted = ids.order_by()
    if matches is None and unsorted[:FENCE_ROWS + 1].count() > FENCE_ROWS:
        return None  # too many to sort: walking the sort's index finds the page soon
    columns = [o.lstrip("-") for o in order]
    inner = unsorted.values_list("pk", *columns)[:FENCE_ROWS + 1]
    sql, params = inner.query.sql_with_params()
    # Sorted by position in the derived table; its LIMIT keeps PostgreSQL from merging it.
    keys = ", ".join(f"{n + 2} {'DESC' if o.startswith('-') else 'ASC'}"
                     for n, o in enumerate(order))
    with connections[ids.db].cursor() as cursor:
        cursor.execute(f"SELECT fenced.* FROM ({sql}) fenced ORDER BY {keys} "  # noqa: S608  # nosec B608
                       f"LIMIT %s OFFSET %s", [*params, stop - start, start])
        return [row[0] for row in cursor.fetchall()]


@contextmanager
def walking(db: str) -> Iterator[None]:
    """PostgreSQL: the queries inside plan without sorting and without bitmap scans (``SET
    LOCAL``, this transaction only), so they walk an index in the list's order and stop at
    the page or the count's limit instead of reading every match first."""
    if connections[db].vendor != "postgresql":
        yield
        return
    inside = connections[db].in_atomic_block  # then SET LOCAL would outlive this block
    with transaction.atomic(using=db), connections[db].cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        try:
            yield
        finally:
            if inside:
                cursor.execute("SET LOCAL enable_sort TO DEFAULT")
                cursor.execute("SET LOCAL enable_bitmapscan TO DEFAULT")


def walked_page(ids: QuerySet[Any], start: int, stop: int) -> list[Any] | None:
    """The ids ``[start:stop]`` of ``ids`` (sorted by the model's default order) read by
    walking that order's index (PostgreSQL); None to read the page as usual."""
    if connections[ids.db].vendor != "postgresql":
        return None
    order = [str(o).lstrip("-") for o in ids.query.order_by]
    default = [str(o).lstrip("-") for o in ids.model._meta.ordering]  # noqa: SLF001
    if not order or not default or order[0] != default[0]:
        return None
    with walking(ids.db):
        return list(ids[start:stop])
