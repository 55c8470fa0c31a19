"""Record forms on a phone in Khmer: a section title of two lines stays inside its border."""

from __future__ import annotations

from typing import Any

import pytest

from kouprey.core.permissions import Role
from kouprey.seizures.services import refresh_search_text
from tests import factories as f
from tests.browser.conftest import PHONE, WIDE, fits_width, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "360"])
def test_section_titles_are_not_cut_by_their_border(live_server: Any, open_page: Any,
                                                    transactional_db: Any,
                                                    viewport: dict) -> None:
    """"Conveyance and trade chain" takes two lines in Khmer at 360 px: on the border, the
    border ran between its lines (the first line outside the section, the second inside)."""
    f.user(Role.EDITOR, f.organisation("wcs"), username="sokha")
    f.place()
    page = open_page(viewport)
    page.context.add_cookies([{"name": "django_language", "value": "km",
                               "url": live_server.url}])
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "sokha")
    page.fill("#id_password", f.PASSWORD)
    page.press("#id_password", "Enter")
    page.goto(f"{live_server.url}/seizures/new/")
    shot(page, "seizure-form-km")
    assert fits_width(page)
    sections = page.locator("form.record-form fieldset.section").all()
    assert len(sections) >= 5
    wrapped = 0
    for section in sections:
        box = section.bounding_box()
        legend = section.locator(":scope > legend").bounding_box()
        line = float(section.locator(":scope > legend").evaluate(
            "e => parseFloat(getComputedStyle(e).lineHeight)"))
        if legend["height"] > 1.5 * line:  # a title of two lines or more
            wrapped += 1
            assert legend["y"] > box["y"], "the title straddles the section's border"
    if viewport is PHONE:
        assert wrapped, "expected a Khmer title of two lines at 360 px"


def test_the_case_forms_seizure_search_shows_no_empty_box(live_server: Any, open_page: Any,
                                                          transactional_db: Any) -> None:
    """Before a search, the box its results go into was an empty bordered bar under the
    search field."""
    wcs = f.organisation("wcs")
    f.user(Role.EDITOR, wcs, username="sokha")
    refresh_search_text(f.seizure(org=wcs, reference="KH-2016-014"))
    page = open_page(WIDE)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "sokha")
    page.fill("#id_password", f.PASSWORD)
    page.press("#id_password", "Enter")
    page.goto(f"{live_server.url}/cases/new/")
    assert not page.locator("#seizure-found").is_visible()
    page.fill("#seizure-search", "KH-2016")
    page.locator("#seizure-found label").first.wait_for()
    assert page.locator("#seizure-found").is_visible()
