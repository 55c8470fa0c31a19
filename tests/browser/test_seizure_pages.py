"""Seizure pages in a real browser, wide and at 360 px: sign in, search Khmer, open, create."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from kouprey.core.permissions import Role
from kouprey.seizures.services import refresh_search_text
from tests import factories as f
from tests.browser.conftest import PHONE, WIDE, fits_width, shot
from tests.factories.pages import full_seizure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def data(transactional_db: Any) -> dict[str, Any]:
    wcs = f.organisation("wcs", name="Wildlife Conservation Society")
    user = f.user(Role.EDITOR, wcs, username="sokha")
    port = f.place(name_km="កំពង់ផែស្វយ័តក្រុងព្រះសីហនុ")
    f.place("Phnom Penh International Airport", iata="PNH", locode="",
            name_km="អាកាសយានដ្ឋានអន្តរជាតិភ្នំពេញ")
    f.commodity("ivory-raw", name="Raw ivory", name_km="ភ្លុកដំរីឆៅ")
    lion = full_seizure(org=wcs, place=f.place("Phnom Penh International Airport"),
                        date=date(2019, 12, 20))
    ivory = f.seizure(org=wcs, reference="KH-2016-014", place=port, date=date(2016, 5, 2),
                      description="ការរឹបអូសភ្លុកដំរីនៅកំពង់ផែក្រុងព្រះសីហនុ")
    f.item(ivory, weight="3150", commodity=f.commodity("ivory-raw"))
    f.suspect(ivory, name="陈假名", name_latin="Chen Jiaming", nationality=f.country("CN"))
    refresh_search_text(ivory)
    scales = f.seizure(org=wcs, reference="KH-2018-007", place=port, date=date(2018, 3, 9),
                       description="ស្រកាសត្វលំពែង")
    f.item(scales, weight="1200", commodity=f.commodity("pangolin-scales"))
    refresh_search_text(scales)
    return {"user": user, "lion": lion, "ivory": ivory}


def sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", "sokha")
    page.fill("#id_password", f.PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page.locator("main h1")).to_have_text("Kouprey")


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "360"])
def test_sign_in_search_khmer_and_open_a_seizure(live_server: Any, open_page: Any,
                                                 data: dict[str, Any], viewport: dict) -> None:
    page = open_page(viewport)
    base = live_server.url
    page.goto(f"{base}/login/")
    shot(page, "login")
    sign_in(page, base)
    shot(page, "home")
    assert fits_width(page)

    page.goto(f"{base}/seizures/")
    results = page.locator("#results")
    expect(results).to_contain_text("KH-2018-007")
    shot(page, "seizure-list")
    assert fits_width(page)

    page.click("details.more-filters summary")
    page.select_option("#id_sort", "reference")  # htmx reloads the results on change
    expect(page.locator("#results tbody tr").first).to_contain_text("KH-2016-014")
    shot(page, "seizure-filters")
    assert fits_width(page)

    page.fill("input[name=q]", "ភ្លុកដំរី")  # "ivory", inside a sentence without spaces
    expect(results).not_to_contain_text("KH-2018-007")
    expect(results).to_contain_text("KH-2016-014")
    expect(page).to_have_url(re.compile(r"[?&]q="))
    shot(page, "seizure-search-khmer")

    page.click("#results a:text('KH-2016-014')")
    expect(page.locator("main h1")).to_contain_text("KH-2016-014")
    expect(page.locator("#chain")).to_be_visible()
    shot(page, "seizure-detail-ivory")
    assert fits_width(page)

    page.goto(f"{base}/seizures/{data['lion'].pk}/")
    expect(page.locator("#suspects")).to_contain_text("Nguyễn Văn Giả")
    expect(page.locator("[data-total=rie]")).to_have_text("10")
    shot(page, "seizure-detail")
    assert fits_width(page)


def test_phone_menu_and_khmer_interface(live_server: Any, open_page: Any,
                                        data: dict[str, Any]) -> None:
    page = open_page(PHONE)
    sign_in(page, live_server.url)
    nav = page.locator(".site-nav")
    expect(nav).to_be_hidden()
    page.click("label.nav-button")
    expect(nav).to_be_visible()
    shot(page, "menu-open")
    page.click(".lang button[value=km]")
    expect(page.locator("html")).to_have_attribute("lang", "km")
    page.goto(f"{live_server.url}/seizures/")
    expect(page.locator("#results")).to_contain_text("កំពង់ផែស្វយ័តក្រុងព្រះសីហនុ")
    shot(page, "seizure-list-km")
    assert fits_width(page)
    font = page.evaluate("""async () => { await document.fonts.ready;
        return document.fonts.check('16px "Noto Sans Khmer"', 'ខ្មែរ'); }""")
    assert font, "the vendored Khmer font is loaded"


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "360"])
def test_create_a_seizure_with_one_item(live_server: Any, open_page: Any,
                                        data: dict[str, Any], viewport: dict) -> None:
    page = open_page(viewport)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/seizures/new/")
    shot(page, "seizure-form")
    assert fits_width(page)
    page.fill("#id_reference", "KH-2020-031")
    page.fill("#id_date", "2020-03-01")
    page.fill("#id_place", "Phnom Penh International Airport")  # typed (reference.forms)
    page.click("#fs-items button[name=_add]")  # htmx adds a second row in place
    expect(page.locator("#id_items-1-commodity")).to_be_attached()
    page.select_option("#id_items-0-commodity", label="Raw ivory")
    page.fill("#id_items-0-weight_kg", "-5")
    page.click("button[name=_save]")
    expect(page.locator("#errors")).to_contain_text("Must not be negative.")
    shot(page, "seizure-form-errors")
    page.fill("#id_items-0-weight_kg", "12.5")
    page.click("button[name=_save]")
    expect(page.locator("main h1")).to_contain_text("KH-2020-031")
    expect(page.locator(".messages")).to_contain_text("saved")
    expect(page.locator("[data-total=weight]")).to_have_text("12.5")
    expect(page.locator("#history")).to_contain_text("sokha")
    shot(page, "seizure-created")

    page.click("a.button:text('Edit')")
    page.fill("#id_description", "Tusks in a suitcase")
    page.click("button[name=_save]")
    expect(page.locator("#history .action-update")).to_contain_text("Tusks in a suitcase")
    shot(page, "seizure-edited")
    assert fits_width(page)
