"""The import page in a real browser: a dry run of a file with a mistake, wide and at 360 px."""

from __future__ import annotations

from typing import Any

import pytest

from kouprey.core.permissions import Role
from tests import factories as f
from tests.browser.conftest import PHONE, WIDE, fits_width, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect

BAD_CSV = (b"external_id,date,place,commodity,weight_kg\n"
           b"T-1,2019-03-02,PNH,ivory-raw,12.5\n"
           b"T-2,2019-03-05,PNH,ivory-raw,-3\n")


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "360"])
def test_a_dry_run_lists_the_problem_and_the_form_stays_usable(
        live_server: Any, open_page: Any, transactional_db: Any, viewport: dict) -> None:
    f.user(Role.EDITOR, f.organisation("wcs"), username="dara")
    f.place("Phnom Penh International Airport", iata="PNH", locode="")
    f.commodity("ivory-raw")
    page = open_page(viewport)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "dara")
    page.fill("#id_password", f.PASSWORD)
    page.press("#id_password", "Enter")
    page.goto(f"{live_server.url}/seizures/import/")
    page.set_input_files("#id_file", files=[{"name": "march.csv", "mimeType": "text/csv",
                                            "buffer": BAD_CSV}])
    page.click("button[name=action][value=check]")
    expect(page.locator(".import-result tbody tr")).to_have_count(1)
    expect(page.locator(".import-result tbody")).to_contain_text("weight_kg")
    shot(page, "import-dry-run")
    assert fits_width(page)
    chooser = page.locator("#id_file").bounding_box()
    table = page.locator(".import-result").bounding_box()
    label = page.locator("label[for=id_file]").bounding_box()
    # the form to check another file stands apart from the problems above it
    assert label["y"] - (table["y"] + table["height"]) >= 12
    if viewport is WIDE:  # room for "No file chosen" and a file's name (was cut at ~230 px)
        assert chooser["width"] >= 22 * 16
