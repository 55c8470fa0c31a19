"""List pages in a real browser: paging, sorting and filters change the address (htmx
pushes it), reload and Back keep the page, and a bad filter names its field instead of
failing silently (a 500 htmx did not swap)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from kouprey.core.permissions import Role
from tests import factories as f
from tests.browser.conftest import WIDE, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def five(transactional_db: Any, settings: Any) -> None:
    settings.PAGE_SIZE = 2
    wcs = f.organisation("wcs")
    f.user(Role.EDITOR, wcs, username="sokha")
    for n in range(5):
        f.seizure(org=wcs, reference=f"KH-2019-{n:03}", date=date(2019, 1, 1 + n))


def sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", "sokha")
    page.fill("#id_password", f.PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page.locator("main h1")).to_have_text("Kouprey")


def test_paging_sorting_and_filters_change_the_address(live_server: Any, open_page: Any,
                                                        five: None) -> None:
    page = open_page(WIDE)
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/seizures/")
    current = page.locator(".pagination .current")
    expect(current).to_have_text("Page 1 of 3")

    page.click("a[rel=next]")
    expect(current).to_have_text("Page 2 of 3")
    expect(page).to_have_url(re.compile(r"/seizures/\?page=2$"))
    page.reload()  # the pushed address is a whole page of its own
    expect(current).to_have_text("Page 2 of 3")
    expect(page.locator("form.filters")).to_be_visible()

    page.click("thead a.sort >> text=Reference")
    expect(page).to_have_url(re.compile(r"sort=reference"))
    expect(page.locator("table.records tbody tr").first).to_contain_text("KH-2019-000")
    expect(page.locator("#id_sort")).to_have_value("reference")  # the form follows
    page.click("a[rel=next]")
    expect(page).to_have_url(re.compile(r"sort=reference.*page=2|page=2.*sort=reference"))
    expect(page.locator("table.records tbody tr").first).to_contain_text("KH-2019-002")
    page.go_back()
    expect(page).to_have_url(re.compile(r"sort=reference$"))
    expect(page.locator("table.records tbody tr").first).to_contain_text("KH-2019-000")

    page.click("summary")
    page.fill("#id_year", "2020")
    page.press("#id_year", "Tab")  # a change submits the filter form through htmx
    expect(page.locator("p.count")).to_have_text("0 records")
    expect(page).to_have_url(re.compile(r"year=2020"))
    assert "date_from=" not in page.url  # the form leaves its empty fields out
    assert "sort=reference" in page.url  # the sort chosen in a header is kept
    page.reload()
    expect(page.locator("p.count")).to_have_text("0 records")
    expect(page.locator("#id_year")).to_have_value("2020")


def test_a_bad_year_names_the_field_instead_of_failing_silently(
        live_server: Any, open_page: Any, five: None) -> None:
    page = open_page(WIDE)
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/seizures/")
    page.click("summary")
    for bad in ("0", "-1"):
        page.fill("#id_year", bad)
        page.press("#id_year", "Tab")
        problem = page.locator('.form-errors li[data-field="year"]')
        expect(problem).to_have_text("Year: Give a year from 1 to 9999, e.g. 2019.")
        expect(page).to_have_url(re.compile(rf"year={re.escape(bad)}(&|$)"))
        expect(page.locator("table.records")).to_have_count(0)
    shot(page, "seizures-bad-year")
    page.fill("#id_year", "2019")
    page.press("#id_year", "Tab")
    expect(page.locator("p.count")).to_have_text("5 records")
    page.goto(f"{base}/seizures/?sort=bogus")
    expect(page.locator('.list-notices li[data-field="sort"]')).to_contain_text("Sort:")
    expect(page.locator("p.count")).to_have_text("5 records")
