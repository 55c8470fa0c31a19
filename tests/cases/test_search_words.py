"""The case list leaves function words out of its search and says so."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from kouprey.cases.services import refresh_search_text
from kouprey.core.permissions import Role
from tests import factories as f

pytestmark = pytest.mark.django_db
LIST = reverse("cases:list")


def test_case_search_leaves_function_words_out_and_says_so(client: Client):
    org = f.organisation("wcs")
    client.force_login(f.user(Role.EDITOR, org))
    for title in ["Lion bone, PNH airport", "Lion bone at the PNH airport",
                  "Turtles at the PNH airport", "ភ្លុកដំរីនៅកំពង់ផែ",
                  "ភ្លុកដំរីកំពង់ផែក្រុងព្រះសីហនុ"]:
        refresh_search_text(f.case(org=org, title=title, opened_on=date(2020, 1, 1)))

    def titles(q: str) -> list[str]:
        data = client.get(LIST, {"q": q, "format": "json"}).json()
        return sorted(r["title"] for r in data["results"])

    assert titles("lion bone at the airport") == ["Lion bone at the PNH airport",
                                                  "Lion bone, PNH airport"]
    assert titles("ភ្លុក នៅ កំពង់ផែ") == titles("ភ្លុក កំពង់ផែ") == [
        "ភ្លុកដំរីកំពង់ផែក្រុងព្រះសីហនុ", "ភ្លុកដំរីនៅកំពង់ផែ"]
    assert titles('"at the PNH"') == ["Lion bone at the PNH airport",
                                      "Turtles at the PNH airport"]
    assert client.get(LIST, {"q": "ភ្លុក នៅ កំពង់ផែ", "format": "json"}).json()[
        "ignored_words"] == ["នៅ"]
    html = client.get(LIST, {"q": "lion bone at the airport"}).content.decode()
    assert "Not searched: at, the (common words)." in html
