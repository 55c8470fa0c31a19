"""The seizure list names the function words its search left out ("Not searched: at, the"),
in the page, its htmx answer and its JSON twin; the records found are those of the content
words."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kouprey.seizures.services import refresh_search_text
from tests import factories as f

pytestmark = pytest.mark.django_db
LIST = reverse("seizures:list")


@pytest.fixture
def ports(wcs):
    for reference, description in [("PLAIN", "Ivory tusks, Sihanoukville port"),
                                   ("WORDED", "Ivory carvings at the port"),
                                   ("OTHER", "Pangolin scales at the port"),
                                   ("KM-PLAIN", "ការរឹបអូសភ្លុកដំរីកំពង់ផែក្រុងព្រះសីហនុ"),
                                   ("KM-WORDED", "ភ្លុកដំរីនៅកំពង់ផែ")]:
        refresh_search_text(f.seizure(org=wcs, reference=reference, description=description))


def _refs(client: Client, q: str) -> list[str]:
    data = client.get(LIST, {"q": q, "format": "json", "sort": "reference"}).json()
    return [r["reference"] for r in data["results"]]


def _note(html: str) -> str | None:
    found = re.search(r'<p id="search-note"([^>]*)>(.*?)</p>', html, re.S)
    assert found, "the note's paragraph is always there (htmx replaces it)"
    return None if "hidden" in found.group(1) else " ".join(found.group(2).split())


def test_a_phrase_finds_the_records_of_its_content_words(client: Client, editor, ports):
    assert _refs(client, "ivory at the port") == ["PLAIN", "WORDED"]
    assert _refs(client, "ivory at the port") == _refs(client, "ivory port")
    assert _refs(client, "ភ្លុក នៅ កំពង់ផែ") == ["KM-PLAIN", "KM-WORDED"]
    assert _refs(client, '"at the port"') == ["OTHER", "WORDED"]  # a phrase is exact
    assert _refs(client, "at the") == ["OTHER", "WORDED"]  # function words only


def test_the_page_names_the_words_left_out(client: Client, editor, ports):
    html = client.get(LIST, {"q": "Ivory at the port"}).content.decode()
    assert _note(html) == ("Not searched: at, the (common words). To search for them, put "
                           "the phrase in double quotes.")
    assert 'role="note"' in html
    assert _note(client.get(LIST, {"q": "ivory port"}).content.decode()) is None
    assert _note(client.get(LIST, {"q": '"ivory at"'}).content.decode()) is None
    assert _note(client.get(LIST, {"q": "at the"}).content.decode()) is None
    assert _note(client.get(LIST).content.decode()) is None
    khmer = client.get(LIST, {"q": "ភ្លុក នៅ កំពង់ផែ"}).content.decode()
    assert "Not searched: នៅ" in _note(khmer)


def test_htmx_answer_replaces_the_note_out_of_band(client: Client, editor, ports):
    fragment = client.get(LIST, {"q": "ivory at the port"},
                          headers={"HX-Request": "true"}).content.decode()
    assert '<p id="search-note" class="help search-note" role="note" hx-swap-oob="true">' \
        in fragment
    cleared = client.get(LIST, {"q": "ivory"}, headers={"HX-Request": "true"}).content.decode()
    assert '<p id="search-note" hidden hx-swap-oob="true"></p>' in cleared


def test_json_twin_names_the_words_left_out(client: Client, editor, ports):
    data = client.get(LIST, {"q": "ivory AT the port the", "format": "json"}).json()
    assert data["ignored_words"] == ["AT", "the"]
    assert "ignored_words" not in client.get(LIST, {"q": "ivory", "format": "json"}).json()
    assert "ignored_words" not in client.get(LIST, {"q": "the", "format": "json"}).json()
