"""A list sorted by place name, read place by place (web.sorting), in the database's order."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from kouprey.core.permissions import Role
from kouprey.seizures.models import Seizure
from kouprey.web import sorting
from tests import factories as f

pytestmark = pytest.mark.django_db
LIST = reverse("seizures:list")


@pytest.fixture
def seizures(client: Client):
    wcs = f.organisation("wcs")
    client.force_login(f.user(Role.VIEWER, wcs))
    places = [f.place(name, locode=f"KH{n:03d}") for n, name in
              enumerate(["Bavet", "Poipet", "Sihanoukville", "Unused"])]
    made = []
    for n in range(11):
        place = None if n == 4 else places[n % 3]  # one without a place
        made.append(f.seizure(org=wcs, place=place, reference=f"R{n:02d}",
                              date=date(2020, 1 + n % 3, 1 + n % 5)))
    return made


def _expected(records, descending: bool) -> list[str]:
    """Place name (rows without a place last ascending, first descending), newest first,
    then the highest id first."""
    with_place = sorted((s for s in records if s.place_id),
                        key=lambda s: (s.date, s.pk), reverse=True)
    with_place.sort(key=lambda s: s.place.name, reverse=descending)
    without = sorted((s for s in records if not s.place_id), key=lambda s: (s.date, s.pk),
                     reverse=True)
    ordered = without + with_place if descending else with_place + without
    return [s.reference for s in ordered]


@pytest.mark.parametrize("sort", ["place", "-place"])
def test_pages_sorted_by_place_follow_the_sort_without_gaps(client, settings, seizures, sort):
    settings.PAGE_SIZE = 3
    shown = []
    for number in range(1, 5):
        data = client.get(LIST, {"sort": sort, "page": number, "format": "json"}).json()
        shown += [row["reference"] for row in data["results"]]
    assert shown == _expected(seizures, sort.startswith("-"))


def test_only_sorts_by_a_related_field_are_read_by_group():
    assert sorting.related_sort(Seizure.objects.order_by("place__name", "-pk")) == (
        "place", "name")
    assert sorting.related_sort(Seizure.objects.order_by("-place__name")) == ("place", "-name")
    assert sorting.related_sort(Seizure.objects.order_by("-date")) is None
    assert sorting.related_sort(Seizure.objects.order_by("place__country__name")) is None


def test_a_filtered_list_by_place_skips_places_without_matches(client, seizures):
    data = client.get(LIST, {"sort": "place", "date_from": "2020-03-01",
                             "format": "json"}).json()
    march = [s for s in seizures if s.date >= date(2020, 3, 1)]
    assert [r["reference"] for r in data["results"]] == _expected(march, False)


@pytest.mark.parametrize("sort", ["reference", "-reference"])
def test_pages_sorted_by_another_column_among_the_filtered_rows(client, settings, seizures,
                                                                sort):
    """PostgreSQL sorts the listed matches (web.sorting.fenced_page); the same pages."""
    settings.PAGE_SIZE = 2
    shown = []
    for number in range(1, 5):
        data = client.get(LIST, {"sort": sort, "date_from": "2020-02-01", "page": number,
                                 "format": "json"}).json()
        shown += [row["reference"] for row in data["results"]]
    kept = sorted((s.reference for s in seizures if s.date >= date(2020, 2, 1)),
                  reverse=sort.startswith("-"))
    assert shown == kept


def test_a_fenced_page_is_the_same_slice(seizures):
    from django.db import connection

    ids = Seizure.objects.order_by("-reference", "-pk").values_list("pk", flat=True)
    page = sorting.fenced_page(ids, None, 2, 5)
    if connection.vendor != "postgresql":
        assert page is None  # SQLite's planner sorts the filtered rows itself
    else:
        assert page == list(ids[2:5])


def test_common_search_words_walk_to_the_same_pages(client, settings, seizures, monkeypatch):
    """PostgreSQL reads a page of common words by walking the date index (web.sorting.
    walking); the pages and the count are the same as through the trigram index."""
    from kouprey.core.search import share_on_postgres
    from kouprey.seizures.services import refresh_search_text
    from kouprey.web import paging

    for s in seizures:
        refresh_search_text(s)
    settings.PAGE_SIZE = 2
    monkeypatch.setattr(paging, "COUNT_LIMIT", 3)

    def pages() -> list:
        return [client.get(LIST, {"q": "R0", "page": n, "format": "json"}).json()
                for n in (1, 2)]

    usual = pages()
    monkeypatch.setattr(sorting, "WALK_PAGE_SHARE", 0)
    monkeypatch.setattr(sorting, "WALK_COUNT_SHARE", 0)
    walked = pages()
    assert [p["results"] for p in walked] == [p["results"] for p in usual]
    assert [(p["count"], p["count_is_exact"]) for p in walked] == [(3, False), (3, False)]
    share = share_on_postgres(Seizure, "R0")
    from django.db import connection

    assert share is None if connection.vendor != "postgresql" else 0 < share <= 1


def test_walking_settings_end_with_the_block():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("planner settings are PostgreSQL's")
    with connection.cursor() as cursor:
        with sorting.walking("default"):  # inside the test's transaction
            cursor.execute("SHOW enable_sort")
            assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW enable_sort")
        assert cursor.fetchone()[0] == "on"
