"""The list count cache: exact (keyed on the data version), per restriction, never in atomic."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kouprey.seizures.models import Seizure
from kouprey.web.lists import CountCachedPaginator
from tests import factories as f


def _count(queryset) -> tuple[int, int]:
    """The count and how many COUNT queries it took."""
    with CaptureQueriesContext(connection) as queries:
        found = CountCachedPaginator(queryset.values_list("pk", flat=True), 50).count
    return found, sum("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_count_is_cached_until_the_records_change():
    cache.clear()
    wcs, gdce = f.organisation("wcs"), f.organisation("gdce")
    f.seizure(org=wcs)
    f.seizure(org=gdce)
    everything = Seizure.objects.all()
    assert _count(everything) == (2, 1)
    assert _count(everything) == (2, 0)  # from the cache
    assert _count(everything.filter(owner_org=wcs)) == (1, 1)  # another query, its own entry
    f.seizure(org=wcs)  # a write raises the data version
    assert _count(everything) == (3, 1)
    assert _count(everything.filter(owner_org=wcs)) == (2, 1)


@pytest.mark.django_db
def test_no_count_cache_inside_a_transaction():
    cache.clear()
    f.seizure()
    assert _count(Seizure.objects.all()) == (1, 1)
    assert _count(Seizure.objects.all()) == (1, 1)
