"""The indicators page in a real browser: its groups read as separate tables."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kouprey.core.permissions import Role
from tests import factories as f
from tests.browser.conftest import PHONE, WIDE, fits_width, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "360"])
def test_each_breakdown_heading_stands_apart_from_the_table_above(
        live_server: Any, open_page: Any, transactional_db: Any, viewport: dict) -> None:
    """"Seizures by year" sat 12 px under the headline table, closer to it than to its own."""
    wcs = f.organisation("wcs")
    f.user(Role.ANALYST, wcs, username="sokha")
    f.item(f.seizure(org=wcs, date=date(2019, 12, 20)), weight="12.5")
    page = open_page(viewport)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "sokha")
    page.fill("#id_password", f.PASSWORD)
    page.press("#id_password", "Enter")
    page.goto(f"{live_server.url}/indicators/")
    shot(page, "indicators")
    assert fits_width(page)
    groups = page.locator("section.indicator-group").all()
    assert len(groups) >= 3
    for above, below in zip(groups, groups[1:], strict=False):
        table = above.locator(".table-wrap, p").last.bounding_box()
        heading = below.locator("h2").bounding_box()
        assert heading["y"] - (table["y"] + table["height"]) >= 24
