"""The API's count: exact by default (as documented), capped on request (count=capped)."""

from __future__ import annotations

import pytest

from kouprey.core import api_support
from kouprey.core.permissions import Role
from kouprey.seizures.models import Seizure
from tests import factories as f
from tests.factories.api import TokenClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(monkeypatch) -> TokenClient:
    monkeypatch.setattr(api_support, "COUNT_LIMIT", 3)
    wcs = f.organisation("wcs")
    for n in range(5):
        f.seizure(org=wcs, reference=f"R{n}")
    return TokenClient(f.user(Role.VIEWER, wcs, username="synthetic.viewer"))


def test_count_stays_exact_by_default(viewer) -> None:
    page = viewer.get("/api/seizures/", {"page_size": 2}).json()
    assert (page["count"], page["count_is_exact"], page["pages"]) == (5, True, 3)


def test_a_capped_count_says_more_match(viewer) -> None:
    page = viewer.get("/api/seizures/", {"page_size": 2, "count": "capped"}).json()
    assert (page["count"], page["count_is_exact"], page["pages"]) == (3, False, 2)
    assert "count=capped" in page["next"]
    ids = ",".join(str(pk) for pk in Seizure.objects.values_list("pk", flat=True)[:2])
    few = viewer.get("/api/seizures/", {"count": "capped", "ids": ids}).json()
    assert (few["count"], few["count_is_exact"]) == (2, True)


def test_an_unknown_count_mode_is_refused(viewer) -> None:
    assert viewer.get("/api/seizures/", {"count": "roughly"}).status_code == 422
