"""Counting and reading one page of a list: capped counts from an exact cache, and the
page's rows read in the requested order without sorting every match (web.sorting).

A list counts at most ``COUNT_LIMIT`` matches: past it ``count`` is that limit and
``count_is_exact`` false ("more than 1,000 records", pages up to it); ``?count=exact``
(``COUNT_PARAM``) counts them all. The API's ``count=capped`` uses the same limit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

from kouprey.core import dataversion
from kouprey.core.search import share_on_postgres
from kouprey.web import sorting


class CountCachedPaginator(Paginator):
    """A Paginator that counts at most ``limit`` + 1 rows, from an exact cache.

    Counting a broad filter or search visits every match: most of a list page's time at a
    million records. With a ``limit`` (``COUNT_LIMIT`` on the pages) the database stops
    after ``limit + 1`` rows; past the limit ``count`` is ``limit``, ``count_is_exact`` is
    False ("more than 1,000 records") and the pages go up to the limit. ``limit=None``
    counts every row (``?count=exact``).

    The count comes from a cache while the records do not change. The key is the count
    query's SQL with its parameters (they hold the filters and the reader's restriction:
    organisation, clearance, sharing), the limit and the data version (core.dataversion),
    which any committed write to the records raises: an entry is never stale. The version
    is read before counting, so an entry never holds a count older than its version.
    Inside a transaction (``atomic``) nothing is cached, as in ``indicators.cache``.
    """

    def __init__(self, object_list: Any, per_page: int, limit: int | None = None,
                 walk: bool = False) -> None:
        super().__init__(object_list, per_page)
        self.limit = limit
        self.walk = walk  # count inside web.sorting.walking (common search words)

    @cached_property
    def count(self) -> int:
        return self.found if self.count_is_exact else int(self.limit or 0)

    @property
    def count_is_exact(self) -> bool:
        return self.limit is None or self.found <= self.limit

    @cached_property
    def found(self) -> int:
        """How many rows match, or ``limit + 1`` when more do."""
        queryset = getattr(self.object_list, "counted", self.object_list)
        if not isinstance(queryset, QuerySet):
            return len(queryset) if self.limit is None else min(len(queryset), self.limit + 1)
        connection = connections[queryset.db]
        version = None if connection.in_atomic_block else dataversion.current(queryset.db)
        if version is None:
            return self._count_rows(queryset)
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:
            # Django knows nothing matches (``.none()`` for an invalid filter, an empty
            # ``IN ()``, an id past the column's range) and will not compile the SQL.
            return 0
        db = connection.settings_dict
        key = "kouprey:listcount:2:" + hashlib.sha256(repr(
            (version, db.get("NAME"), db.get("HOST"), db.get("PORT"), sql, params, self.limit),
        ).encode()).hexdigest()
        found = cache.get(key)
        if found is None:
            found = self._count_rows(queryset)
            cache.set(key, found, COUNT_CACHE_SECONDS)
        return int(found)

    def _count_rows(self, queryset: QuerySet[Any]) -> int:
        if self.limit is None:
            return queryset.order_by().count()
        if self.walk:
            with sorting.walking(queryset.db):
                return queryset.order_by()[:self.limit + 1].count()
        # COUNT(*) over any limit + 1 matching rows (a subquery with LIMIT, no ORDER BY:
        # a sort by a joined column would have to read every match first).
        return queryset.order_by()[:self.limit + 1].count()


COUNT_CACHE_SECONDS = 3600
COUNT_LIMIT = 1000  # list pages count at most this many matches unless asked for all
COUNT_PARAM = "count"  # ?count=exact counts every match


def exact_count_wanted(request: HttpRequest) -> bool:
    return request.GET.get(COUNT_PARAM, "") == "exact"


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int | None = None,
             walk: bool = False) -> Page:
    """The requested page; the count is capped at ``COUNT_LIMIT`` unless ``?count=exact``."""
    limit = None if exact_count_wanted(request) else COUNT_LIMIT
    paginator = CountCachedPaginator(queryset, per_page or settings.PAGE_SIZE, limit, walk)
    return paginator.get_page(request.GET.get("page"))


def prepared_page(request: HttpRequest, records: QuerySet[Any],
                  prepare: Callable[[QuerySet[Any]], QuerySet[Any]]) -> Page:
    """One page of ``records``, its rows loaded through ``prepare``.

    Counting and slicing run on the plain filtered ids; annotations and prefetches then
    run for this page's rows only, so a page costs the same on ten rows or a million.
    """
    ids_in_order: Any = records.values_list("pk", flat=True)
    by_related = sorting.related_sort(records)
    if by_related is not None:  # e.g. by place name: read place by place (web.sorting)
        ids_in_order = sorting.GroupedIds(ids_in_order, *by_related)
    # PostgreSQL, common search words: count and read by walking the list's index.
    share = share_on_postgres(records.model, request.GET.get("q", "")) \
        if by_related is None else None
    page = paginate(request, ids_in_order, walk=(share or 0) >= sorting.WALK_COUNT_SHARE)
    paginator: Any = page.paginator
    read: list[Any] | None = None  # the page's ids when read another way (web.sorting)
    if by_related is None and paginator.count:
        start, stop = page.start_index() - 1, page.end_index()
        known = paginator.count if paginator.count_is_exact else None
        read = sorting.fenced_page(ids_in_order, known, start, stop)
        if read is None and (share or 0) >= sorting.WALK_PAGE_SHARE and known is None:
            read = sorting.walked_page(ids_in_order, start, stop)
    ids = list(page.object_list) if read is None else read
    loaded = {r.pk: r for r in prepare(records.model._default_manager.filter(pk__in=ids))}
    page.object_list = [loaded[pk] for pk in ids if pk in loaded]
    return page
