"""Bad filter values on every list page, its JSON twin, its downloads and the API lists:
never a 500, always a message naming the field; a filter matching nothing counts 0.

The tests run outside a test transaction (``transaction=True``): only there does a list
count through the count cache (``web.paging``), whose SQL Django refused to compile for a
queryset it knows is empty (EmptyResultSet: the 500s of the browser review).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.paginator import Paginator
from django.test import Client

from kouprey.cases.models import Case
from kouprey.core.permissions import Role
from kouprey.seizures.models import Seizure
from kouprey.web import paging
from tests import factories as f
from tests.factories.api import TokenClient

pytestmark = pytest.mark.django_db(transaction=True)

HUGE = "99999999999999999999"
# (list, parameter, bad value, the field's label on the page)
BAD = [
    ("/seizures/", "year", "0", "Year"),
    ("/seizures/", "year", "-1", "Year"),
    ("/seizures/", "year", "99999999999", "Year"),
    ("/seizures/", "year", "20x9", "Year"),
    ("/seizures/", "place", "999999", "Place"),
    ("/seizures/", "place", HUGE, "Place"),
    ("/seizures/", "agency", "abc", "Agency"),
    ("/seizures/", "ids", "abc", "Record ids"),
    ("/seizures/", "ids", HUGE, "Record ids"),
    ("/seizures/", "date_from", "2020-13-01", "From"),
    ("/seizures/", "validation_status", "bogus", "Validation status"),
    ("/cases/", "agency", "abc", "Agency"),
    ("/cases/", "seizure", "abc", "Seizure id"),
    ("/cases/", "seizure", "-1", "Seizure id"),
    ("/cases/", "seizure", HUGE, "Seizure id"),
    ("/cases/", "ids", "abc", "Record ids"),
    ("/cases/", "opened_after", "soon", "Opened on or after"),
]
LISTS = ["/seizures/", "/cases/"]


@pytest.fixture
def client_in(client: Client) -> Client:
    wcs = f.organisation("wcs")
    client.force_login(f.user(Role.EDITOR, wcs, username="synthetic.editor"))
    seizure = f.seizure(org=wcs, reference="KH-2019-001", date=date(2019, 5, 1))
    f.case(org=wcs, seizures=[seizure])
    client.raise_request_exception = False  # a 500 shows as a status, not as an exception
    return client


def problem_on_page(html: str, name: str) -> str:
    """The text of the page's message about the parameter ``name`` (empty when none)."""
    found = re.search(rf'<li[^>]*data-field="{name}"[^>]*>(.*?)</li>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)) if found else ""


@pytest.mark.parametrize(("url", "name", "value", "label"), BAD)
def test_a_bad_filter_names_its_field_and_lists_nothing(client_in, url, name, value, label):
    page = client_in.get(url, {name: value})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'role="alert"' in html and "Please correct these filters:" in html
    assert problem_on_page(html, name).startswith(f"{label}: ")
    assert 'class="records"' not in html  # no table: nothing is listed
    fragment = client_in.get(url, {name: value}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200  # htmx swaps 2xx only: the message replaces the list
    assert "<!doctype" not in fragment.content.decode()
    assert problem_on_page(fragment.content.decode(), name).startswith(f"{label}: ")


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
@pytest.mark.parametrize(("url", "name", "value", "label"), BAD)
def test_a_bad_filter_in_the_json_twin_and_downloads_is_a_400_naming_it(
        client_in, url, name, value, label, fmt):
    response = client_in.get(url, {name: value, "format": fmt})
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [name] and body["errors"][name][0]
    assert f"{label}: " in body["detail"]


@pytest.mark.parametrize("url", LISTS)
def test_an_unknown_sort_falls_back_to_the_usual_order_and_says_so(client_in, url):
    html = client_in.get(url, {"sort": "bogus"}).content.decode()
    assert problem_on_page(html, "sort") == (
        "Sort: unknown sort “bogus”: the list is in its usual order.")
    assert "1 record" in html and 'class="records"' in html
    assert 'aria-sort="descending"' in html  # the header shows the default sort in use
    body = client_in.get(url, {"sort": "bogus", "format": "json"}).json()
    assert body["count"] == 1 and len(body["results"]) == 1
    assert body["warnings"] == [{"field": "sort", "message":
                                 "Sort: unknown sort “bogus”: the list is in its usual order."}]
    assert client_in.get(url, {"sort": "bogus", "format": "csv"}).status_code == 200


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("query", [{"ids": "999999"}, {"ids": ","}, {"ids": "1,999999"},
                                   {"q": "nothingmatchesthisword"}])
def test_a_filter_matching_nothing_counts_zero(client_in, url, query):
    model = Seizure if url == "/seizures/" else Case
    if query.get("ids") == "1,999999":
        query = {"ids": f"{999999},{model.objects.get().pk + 1000}"}
    html = client_in.get(url, query).content.decode()
    assert "0 records" in html and "Nothing matches these filters." in html
    assert client_in.get(url, {**query, "format": "json"}).json()["count"] == 0
    assert client_in.get(url, {**query, "format": "csv"}).status_code == 200


def test_the_count_of_a_queryset_django_knows_is_empty_is_zero(client_in):
    """The root cause: the count cache's key compiled the SQL of a ``.none()`` queryset."""
    for empty in (Seizure.objects.none(), Seizure.objects.filter(pk__in=[]),
                  Seizure.objects.filter(pk=int(HUGE))):
        paginator = paging.CountCachedPaginator(empty.values_list("pk", flat=True), 10, 1000)
        assert (paginator.count, paginator.count_is_exact) == (0, True)
        assert list(paginator.get_page(1).object_list) == []
    assert Paginator(Seizure.objects.none(), 10).count == 0  # the same as Django's own


API_BAD = [
    ("/api/seizures/", "year", "0"), ("/api/seizures/", "year", "-1"),
    ("/api/seizures/", "year", "99999999999"), ("/api/seizures/", "sort", "bogus"),
    ("/api/seizures/", "place", "999999"), ("/api/seizures/", "ids", "abc"),
    ("/api/seizures/", "ids", HUGE), ("/api/seizures/", "validation_status", "bogus"),
    ("/api/cases/", "sort", "bogus"), ("/api/cases/", "agency", "abc"),
    ("/api/cases/", "seizure", HUGE), ("/api/cases/", "seizure", "abc"),
    ("/api/cases/", "ids", "abc"),
]


@pytest.mark.parametrize(("url", "name", "value"), API_BAD)
def test_the_api_lists_answer_a_bad_filter_with_a_422_naming_it(url, name, value):
    api = TokenClient(f.user(Role.EDITOR, f.organisation("wcs"), username="synthetic.api"))
    api.client.raise_request_exception = False
    response = api.get(url, {name: value})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == [name]


@pytest.mark.parametrize("url", ["/api/seizures/", "/api/cases/"])
def test_the_api_lists_count_zero_for_ids_that_do_not_exist(url):
    api = TokenClient(f.user(Role.EDITOR, f.organisation("wcs"), username="synthetic.api"))
    for count in ("exact", "capped"):
        body = api.get(url, {"ids": "999999", "count": count}).json()
        assert body["count"] == 0
