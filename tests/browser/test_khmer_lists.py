"""Khmer list pages in a real browser: agency names not codes, dates on one line (1280 px),
no sideways scroll (360 px), and a seizure's history in Khmer."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kouprey.core.audit import acting_as
from kouprey.core.permissions import Role
from tests import factories as f
from tests.browser.conftest import PHONE, WIDE, fits_width, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect

GDCE_KM = "អគ្គនាយកដ្ឋានគយ និងរដ្ឋាករកម្ពុជា"
PNH_KM = "អាកាសយានដ្ឋានអន្តរជាតិភ្នំពេញ"


@pytest.fixture
def data(transactional_db: Any) -> dict[str, Any]:
    wcs = f.organisation("wcs", name="Wildlife Conservation Society")
    user = f.user(Role.EDITOR, wcs, username="sokha")
    gdce = f.agency("gdce", name="General Department of Customs and Excise (GDCE)",
                    name_km=GDCE_KM)
    court = f.agency("pp-court", name="Phnom Penh Court of First Instance", kind="court",
                     name_km="សាលាដំបូងរាជធានីភ្នំពេញ")
    port = f.place(name_km="កំពង់ផែស្វយ័តក្រុងព្រះសីហនុ")
    airport = f.place("Phnom Penh International Airport", iata="PNH", locode="",
                      name_km=PNH_KM)
    with acting_as(user):
        seizure = f.seizure(org=wcs, reference="DEMO-2019-PNH-LION-BONE", place=port,
                            date=date(2019, 12, 28))
        seizure.place = airport
        seizure.save()
        seizure.agencies.add(gdce)
    for n in range(3):
        c = f.case(org=wcs, seizures=[seizure], title=f"Lion bones at Phnom Penh airport {n}",
                   case_number=f"PP-CFI-2020-00{n}", opened_on=date(2019, 12, 28))
        f.involve(c, gdce, "detecting")
        f.involve(c, court, "adjudicating")
    return {"seizure": seizure}


def khmer_page(open_page: Any, base: str, viewport: dict[str, int]) -> Any:
    page = open_page(viewport)
    page.context.add_cookies([{"name": "django_language", "value": "km", "url": base}])
    page.goto(f"{base}/login/")
    page.fill("#id_username", "sokha")
    page.fill("#id_password", f.PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_load_state("networkidle")
    return page


def one_line(page: Any, selector: str) -> bool:
    """Every element matched is one line high (its text did not wrap)."""
    return bool(page.eval_on_selector_all(selector, """els => els.length > 0 && els.every(e => {
        const r = document.createRange(); r.selectNodeContents(e);
        const tops = new Set([...r.getClientRects()].map(x => Math.round(x.bottom)));
        return tops.size === 1; })"""))


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "360"])
def test_khmer_lists(live_server: Any, open_page: Any, data: dict[str, Any],
                     viewport: dict[str, int]) -> None:
    page = khmer_page(open_page, live_server.url, viewport)
    page.goto(f"{live_server.url}/cases/")
    expect(page.locator("table.records")).to_contain_text(GDCE_KM)
    assert "PP-COURT" not in page.inner_text("table.records")
    shot(page, "khmer-cases")
    assert fits_width(page)
    if viewport == WIDE:
        assert one_line(page, "table.records td.nowrap")
        assert one_line(page, "table.records td span.nowrap")
    else:  # a phone card: the date stays in the value column, right of the field's name
        assert page.eval_on_selector_all("table.records td span.nowrap", """els =>
            els.length > 0 && els.every(e => e.getBoundingClientRect().left
                                        > e.closest('td').getBoundingClientRect().left + 100)""")
    page.goto(f"{live_server.url}/seizures/")
    expect(page.locator("table.records")).to_contain_text(GDCE_KM)
    shot(page, "khmer-seizures")
    assert fits_width(page)
    if viewport == WIDE:
        assert one_line(page, "table.records td.nowrap")
    page.goto(f"{live_server.url}/seizures/{data['seizure'].pk}/")
    expect(page.locator("#history")).to_contain_text(PNH_KM)
    expect(page.locator("#history")).to_contain_text(GDCE_KM)
    shot(page, "khmer-seizure-history")
    assert fits_width(page)
