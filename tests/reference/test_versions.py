"""The list of places' version: a new address when the places change, the same otherwise.

A page asks the list from ``/reference/places/datalist?lang=..&v=..`` and the browser keeps
the answer under that address; a place added or renamed must give the next page another
address, and an unchanged list the same one (its cached copy, or a 304).
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from kouprey.core.permissions import Role
from kouprey.reference import versions
from kouprey.reference.models import Country, Place
from tests import factories as f

LIST_URL = re.compile(r'<datalist id="places" hx-get="([^"]+)"')


def written_address(client: Client, url: str) -> str:
    """The address of the list of places the page at ``url`` writes (exactly one)."""
    page = client.get(url).content.decode()
    found = LIST_URL.findall(page)
    assert len(found) == 1, found
    return html.unescape(found[0])


@pytest.fixture
def pages(client: Client) -> list[str]:
    """Pages with a place field: the seizure form, the seizure list, a case's edit page."""
    wcs = f.organisation("wcs")
    client.force_login(f.user(Role.EDITOR, wcs))
    case = f.case(org=wcs, seizures=[f.seizure(org=wcs)], title="Pangolin scales")
    return [reverse("seizures:create"), reverse("seizures:list"),
            reverse("cases:edit", args=[case.pk])]


CHANGES = [("name", "Phnom Penh Intl Airport"), ("name_km", "ភ្នំពេញ"), ("iata", "PNX"),
           ("locode", "KHPNX")]


@pytest.mark.django_db
def test_adding_or_renaming_a_place_changes_the_address_pages_write(client: Client,
                                                                    pages: list[str]) -> None:
    airport = f.place("Phnom Penh International Airport", iata="PNH", locode="")
    before = {url: written_address(client, url) for url in pages}
    assert len(set(before.values())) == 1  # one address for the same list on every page
    assert [written_address(client, url) for url in pages] == list(before.values())
    seen = set(before.values())
    f.place("Stung Treng Border Crossing", kind=Place.Kind.BORDER, iata="", locode="")
    seen.add(written_address(client, pages[0]))
    for field, value in CHANGES:
        setattr(airport, field, value)
        airport.save()
        seen.add(written_address(client, pages[0]))
    airport.delete()
    seen.add(written_address(client, pages[0]))
    assert len(seen) == 7  # every change gave a new address
    assert {written_address(client, url) for url in pages} == {
        written_address(client, pages[0])}


@pytest.mark.django_db
def test_the_lists_order_is_part_of_the_version() -> None:
    f.place("Alpha Port", iata="", locode="")  # in Cambodia
    angola = Country.objects.create(iso2="AO", iso3="AGO", name="Angola")
    Place.objects.create(name="Beta Port", kind=Place.Kind.SEAPORT, country=angola)
    before = versions.fingerprint()  # Beta (Angola), then Alpha (Cambodia)
    Country.objects.filter(pk=angola.pk).update(name="Zambia")  # Alpha first now
    assert versions.fingerprint() != before


@pytest.mark.django_db(transaction=True)
def test_committed_changes_change_the_address_and_the_cache_keeps_the_rest(
        client: Client, pages: list[str], django_assert_max_num_queries: Any) -> None:
    """Outside a transaction (as a server runs) the version comes from the cache, keyed on
    the data version: any committed write, even one that skips ``save()``, gives a fresh
    read; a page with nothing changed reads one row."""
    cache.clear()
    airport = f.place("Phnom Penh International Airport", iata="PNH", locode="")
    assert not connection.in_atomic_block
    first = versions.current()
    assert first == versions.fingerprint()
    with django_assert_max_num_queries(1):
        assert versions.current() == first  # from the cache: the data version only
    f.seizure(org=f.organisation("gdce"))  # another record: read again, the same version
    assert versions.current() == first
    Place.objects.filter(pk=airport.pk).update(name="Phnom Penh Techo International Airport")
    renamed = versions.current()
    assert renamed not in (first, "") and renamed == versions.fingerprint()
    address = written_address(client, pages[0])
    assert address.endswith(f"&v={renamed}")
    f.place("Kampot Port", iata="", locode="")
    assert written_address(client, pages[0]) != address
    assert written_address(client, pages[2]) == written_address(client, pages[0])
