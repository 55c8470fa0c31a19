"""List pages keep their state in the address: paging, sorting and filtering through htmx
push the request's URL, whose links carry the whole query string, and that URL loaded
directly (reload, Back, a shared link) renders the whole page."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from kouprey.core.permissions import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def five(client: Client, settings) -> Client:
    settings.PAGE_SIZE = 2
    wcs = f.organisation("wcs")
    client.force_login(f.user(Role.VIEWER, wcs, username="synthetic.viewer"))
    for n in range(5):
        f.seizure(org=wcs, reference=f"KH-2019-{n:03}", date=date(2019, 1, 1 + n))
    return client


def link(html: str, rel: str) -> str:
    found = re.search(rf'<a href="([^"]*)" rel="{rel}"', html)
    assert found, rel
    return html_lib.unescape(found.group(1))


def pushing(html: str, tag: str) -> str:
    """The opening tag ``tag`` (e.g. ``<nav class="pagination"``) with its attributes."""
    found = re.search(rf"{re.escape(tag)}[^>]*>", html)
    assert found, tag
    return found.group(0)


def test_paging_sorting_and_filtering_push_the_address(five):
    html = five.get("/seizures/").content.decode()
    assert 'hx-push-url="true"' in pushing(html, '<form class="filters"')
    assert 'hx-push-url="true"' in pushing(html, '<nav class="pagination"')
    assert 'hx-push-url="true"' in pushing(html, "<thead")


def test_the_links_carry_the_whole_query_string(five):
    query = {"year": "2019", "sort": "reference", "q": "", "page": "2"}
    fragment = five.get("/seizures/", query, headers={"HX-Request": "true"}).content.decode()
    following = parse_qs(urlsplit(link(fragment, "next")).query, keep_blank_values=True)
    assert following == {"year": ["2019"], "sort": ["reference"], "q": [""], "page": ["3"]}
    previous = parse_qs(urlsplit(link(fragment, "prev")).query)
    assert previous == {"year": ["2019"], "sort": ["reference"], "page": ["1"]}
    sort_link = html_lib.unescape(re.search(r'<a href="([^"]*)" class="sort"',
                                            fragment).group(1))
    assert parse_qs(urlsplit(sort_link).query)["year"] == ["2019"]
    assert "page" not in parse_qs(urlsplit(sort_link).query)  # a new sort starts at page 1


def test_a_pushed_address_loaded_directly_is_the_whole_page(five):
    url = "/seizures/?year=2019&sort=reference&page=2"
    fragment = five.get(url, headers={"HX-Request": "true"})
    assert "HX-Request" in fragment["Vary"]  # a cache never gives the fragment for a reload
    assert "<!doctype html>" not in fragment.content.decode()
    page = five.get(url).content.decode()
    assert page.startswith("<!doctype html>") and '<form class="filters"' in page
    assert "Page 2 of 3" in page and "KH-2019-002" in page
    assert 'value="2019"' in page  # the filter form shows the address's filters
    restore = five.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert restore.content.decode().startswith("<!doctype html>")


def test_a_fragment_brings_the_sort_to_the_filter_form(five):
    """A sort chosen in a header reaches the form's select out of band, so the next filter
    change keeps it; the whole page has the select once, in the form."""
    fragment = five.get("/seizures/", {"sort": "-reference"},
                        headers={"HX-Request": "true"}).content.decode()
    select = pushing(fragment, '<select name="sort"')
    assert 'hx-swap-oob="true"' in select and 'id="id_sort"' in select
    assert re.search(r'<option value="-reference" selected>', fragment)
    page = five.get("/seizures/", {"sort": "-reference"}).content.decode()
    assert page.count('id="id_sort"') == 1 and "hx-swap-oob" not in page
