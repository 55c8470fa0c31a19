"""Capped list counts: "more than N records" with pages up to N, the exact count on demand."""

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from kouprey.core.permissions import Role
from kouprey.web import lists, paging
from tests import factories as f

pytestmark = pytest.mark.django_db
LIST = reverse("seizures:list")


@pytest.fixture
def five(client: Client, settings, monkeypatch):
    settings.PAGE_SIZE = 2
    monkeypatch.setattr(paging, "COUNT_LIMIT", 3)
    wcs = f.organisation("wcs")
    client.force_login(f.user(Role.VIEWER, wcs))
    return [f.seizure(org=wcs, reference=f"R{n}", date=date(2020, 1, 1 + n)) for n in range(5)]


def test_a_broad_list_says_more_than_the_limit_and_offers_the_exact_count(client, five):
    page = client.get(LIST).content.decode()
    assert "More than 3 records" in page
    assert re.search(r'<a href="\?count=exact"[^>]*>Count them all</a>', page)
    assert "Page 1</span>" in page and 'rel="last"' not in page
    exact = client.get(LIST, {"count": "exact"}).content.decode()
    assert "5 records" in exact and "More than" not in exact
    assert "Page 1 of 3" in exact and 'rel="last"' in exact


def test_the_json_twin_says_whether_its_count_is_exact(client, five):
    capped = client.get(LIST, {"format": "json"}).json()
    assert (capped["count"], capped["count_is_exact"], capped["pages"]) == (3, False, 2)
    last = client.get(LIST, {"format": "json", "page": 2}).json()
    assert len(last["results"]) == 1 and last["next"] is None  # rows up to the limit
    exact = client.get(LIST, {"format": "json", "count": "exact"}).json()
    assert (exact["count"], exact["count_is_exact"], exact["pages"]) == (5, True, 3)
    assert "count=exact" in exact["next"]


def test_a_list_within_the_limit_is_counted_exactly(client, five):
    data = client.get(LIST, {"format": "json", "date_from": "2020-01-05"}).json()
    assert (data["count"], data["count_is_exact"]) == (1, True)
    page = client.get(LIST, {"date_from": "2020-01-03"}).content.decode()
    assert "3 records" in page and "Count them all" not in page


def test_capped_count_stops_at_the_limit(five):
    from kouprey.seizures.models import Seizure

    paginator = lists.CountCachedPaginator(Seizure.objects.values_list("pk", flat=True), 2,
                                           limit=3)
    assert (paginator.found, paginator.count, paginator.count_is_exact) == (4, 3, False)
    paginator = lists.CountCachedPaginator(Seizure.objects.values_list("pk", flat=True), 2,
                                           limit=5)
    assert (paginator.count, paginator.count_is_exact) == (5, True)
