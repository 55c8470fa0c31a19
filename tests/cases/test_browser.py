"""Case pages in a real browser, wide and at 360 px: list, timeline, htmx add-event, edit."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kouprey.cases.models import CaseEvent
from kouprey.cases.services import refresh_search_text
from kouprey.core.permissions import Role
from tests import factories as f
from tests.browser.conftest import (  # noqa: F401 - browser and open_page are fixtures
    PHONE,
    WIDE,
    browser,
    fits_width,
    open_page,
    shot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect
K = CaseEvent.Kind


@pytest.fixture
def case(transactional_db: Any) -> Any:
    wcs = f.organisation("wcs", name="Wildlife Conservation Society")
    f.user(Role.EDITOR, wcs, username="dara")
    s = f.seizure(org=wcs, reference="PNH-2019-LION", date=date(2019, 12, 20),
                  place=f.place("Phnom Penh International Airport", iata="PNH", locode=""))
    c = f.case(org=wcs, seizures=[s], title="Lion bone at Phnom Penh airport",
               case_number="PP-CFI-2020-0017", opened_on=date(2019, 12, 21))
    f.involve(c, f.agency("gdce"), "detecting")
    f.involve(c, f.agency("police", name="National Police", kind="police"), "investigating")
    a = f.defendant(c, "ង្វៀន វ៉ាន់ ក", name_latin="Nguyen Van A", nationality=f.country("VN"))
    f.event(c, K.ARREST, date(2019, 12, 20), defendant=a)
    f.event(c, K.CHARGE, date(2020, 1, 10), law_section="Law on Forestry (2002), art. 97")
    refresh_search_text(c)
    return c


def sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", "dara")
    page.fill("#id_password", f.PASSWORD)
    page.press("#id_password", "Enter")
    expect(page.locator("main h1")).to_have_text("Kouprey")


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "360"])
def test_list_detail_add_event_and_edit(live_server: Any, open_page: Any, case: Any,  # noqa: F811 - the fixture
                                        viewport: dict[str, int]) -> None:
    page = open_page(viewport)
    base = live_server.url
    sign_in(page, base)

    page.goto(f"{base}/cases/")
    expect(page.locator("#results")).to_contain_text("PP-CFI-2020-0017")
    expect(page.locator("#results")).to_contain_text("Prosecution")
    shot(page, "cases-list")
    assert fits_width(page)

    page.click("#results tbody a >> nth=0")
    expect(page.locator("#timeline")).to_contain_text("Law on Forestry (2002), art. 97")
    expect(page.locator("#defendants")).to_contain_text("Viet Nam")
    shot(page, "case-detail")
    assert fits_width(page)

    # Add an event in place: first one dated before the seizure, refused in the form.
    page.click("#add-event a")
    page.select_option("#id_event-kind", "hearing")
    page.fill("#id_event-date", "2019-01-01")
    page.click("#add-event button[type=submit]")
    expect(page.locator("#add-event")).to_contain_text("is before the seizure (2019-12-20)")
    assert fits_width(page)
    page.fill("#id_event-date", "2020-03-02")
    page.click("#add-event button[type=submit]")
    expect(page.locator("#timeline")).to_contain_text("Hearing")
    expect(page.locator("#case-stage")).to_have_text("In court")
    expect(page.locator("#history-panel")).to_contain_text("Hearing")
    shot(page, "case-event-added")

    # The edit form: add an event row with the button, save, and see it on the page.
    page.goto(f"{base}/cases/{case.pk}/edit/")
    assert fits_width(page)
    page.click("button[data-add-child=events]")
    rows = page.locator("#events .children > .child")
    new = rows.nth(rows.count() - 1)
    new.locator("select[name$=-kind]").select_option("verdict")
    new.locator("input[name$=-date]").fill("2020-06-01")
    new.locator("summary").click()
    new.locator("select[name$=-outcome]").select_option("conviction")
    shot(page, "case-edit")
    page.click(".form-actions button[type=submit]")
    expect(page.locator("#case-stage")).to_have_text("Verdict")
    expect(page.locator("#timeline")).to_contain_text("Conviction")
