"""The cases app's form pages opened on their own (a new tab, a bookmark), in a real browser.

The "New event" page used to post with htmx into a ``#timeline`` that only the case page has
(``htmx:targetError``: nothing saved, no error shown). Each form page must post normally and
land on the case page, or show its field errors; the inline form on the case page keeps
working with htmx.
"""

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
    f.agency("fa", name="Forestry Administration", kind="forestry")
    f.country("CN")
    s = f.seizure(org=wcs, reference="KHKOS-2016-IVORY", date=date(2016, 5, 2))
    c = f.case(org=wcs, seizures=[s], title="Ivory at Sihanoukville port",
               case_number="SHV-CFI-2016-0031", opened_on=date(2016, 5, 3))
    f.involve(c, f.agency("gdce"), "detecting")
    a = f.defendant(c, "Synthetic Defendant A", name_latin="Synthetic Defendant A")
    f.event(c, K.ARREST, date(2016, 5, 2), defendant=a)
    refresh_search_text(c)
    return c


def sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", "dara")
    page.fill("#id_password", f.PASSWORD)
    page.press("#id_password", "Enter")
    expect(page.locator("main h1")).to_have_text("Kouprey")


def watch_console(page: Any) -> list[str]:
    """Console errors and htmx's own error events (htmx:targetError ...); a form refused
    with 400 is expected (the browser logs that status too) and left out."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if m.type == "error"
            and "Failed to load resource" not in m.text else None)
    page.on("response", lambda r: seen.append(f"{r.status} {r.url}") if r.status >= 400
            and r.status != 400 else None)
    page.on("pageerror", lambda e: seen.append(str(e)))
    page.add_init_script("""["htmx:targetError", "htmx:responseError", "htmx:sendError"]
        .forEach(function (name) { document.addEventListener(name, function () {
            console.error(name); }); });""")
    return seen


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "360"])
def test_new_event_page_on_its_own(live_server: Any, open_page: Any, case: Any,  # noqa: F811
                                   viewport: dict[str, int]) -> None:
    page = open_page(viewport)
    seen = watch_console(page)
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/cases/{case.pk}/events/new/")
    expect(page.locator("main h1")).to_contain_text("New event")
    assert page.locator("form[hx-post]").count() == 0
    assert fits_width(page)

    # bad input: the page again, with the field's error, nothing saved
    page.select_option("#id_event-kind", "verdict")
    page.fill("#id_event-date", "2016-12-01")
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text("A verdict needs an outcome")
    expect(page.locator("main")).to_contain_text("A verdict needs a charge first")
    shot(page, "case-event-page-errors")
    assert case.events.count() == 1

    # a good event: saved, and the browser lands on the case page
    page.select_option("#id_event-kind", "charge")
    page.fill("#id_event-date", "2016-06-10")
    # the place is typed against the page's one list of places, loaded on the first focus
    # (its code is enough)
    assert page.locator("#id_event-place").get_attribute("list") == "places"
    assert page.locator("datalist#places option").count() == 0
    page.locator("#id_event-place").click()
    expect(page.locator("datalist#places option").first).to_be_attached()
    page.fill("#id_event-place", "KHKOS")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    expect(page.locator("#timeline")).to_contain_text("Charge")
    expect(page.locator("#timeline")).to_contain_text("Sihanoukville Autonomous Port")
    expect(page.locator(".messages")).to_contain_text("Event added")
    assert case.events.filter(kind=K.CHARGE).exists()
    assert seen == [], seen

    # and inline on the case page, htmx still swaps the timeline in place
    page.click("#add-event a")
    page.select_option("#id_event-kind", "verdict")
    page.fill("#id_event-date", "2016-12-01")
    page.locator("#add-event summary").click()
    page.select_option("#id_event-outcome", "conviction")
    page.click("#add-event button[type=submit]")
    expect(page.locator("#case-stage")).to_have_text("Verdict")
    assert page.url == f"{base}/cases/{case.pk}/"
    assert seen == [], seen


def test_edit_and_new_case_pages_on_their_own(live_server: Any, open_page: Any,  # noqa: F811
                                              case: Any) -> None:
    page = open_page(WIDE)
    seen = watch_console(page)
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/cases/{case.pk}/edit/")

    # an agency and a defendant added with the page's buttons, saved with a plain POST
    page.click("button[data-add-child=roles]")
    role = page.locator("#roles .children > .child").last
    role.locator("select[name$=-agency]").select_option(label="Forestry Administration")
    role.locator("select[name$=-role]").select_option("investigating")
    page.click("button[data-add-child=defendants]")
    person = page.locator("#defendants .children > .child").last
    person.locator("input[name$=-name]").fill("Synthetic Defendant B")
    page.click(".form-actions button[type=submit]")
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    expect(page.locator("#defendants")).to_contain_text("Synthetic Defendant B")
    expect(page.locator("main")).to_contain_text("Forestry Administration")

    # a conviction without a charge on the edit page: refused, named, nothing saved
    page.goto(f"{base}/cases/{case.pk}/edit/")
    page.click("button[data-add-child=events]")
    row = page.locator("#events .children > .child").last
    row.locator("select[name$=-kind]").select_option("verdict")
    row.locator("input[name$=-date]").fill("2016-12-01")
    row.locator("summary").click()
    row.locator("select[name$=-outcome]").select_option("conviction")
    page.click(".form-actions button[type=submit]")
    expect(page.locator(".form-errors")).to_contain_text("A verdict needs a charge first")
    assert not case.events.filter(kind=K.VERDICT).exists()

    # the new-case page on its own
    page.goto(f"{base}/cases/new/")
    page.fill("#id_title", "Pangolin scales at Phnom Penh dry port")
    page.click(".form-actions button[type=submit]")
    expect(page.locator("main h1")).to_contain_text("Pangolin scales at Phnom Penh dry port")
    assert seen == [], seen
