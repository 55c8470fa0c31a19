"""The place fields in a real browser: typed, picked from the datalist, saved.

The seizure form, the seizure list's filter and the case pages share the way: the page's
one list of places loads from the reference endpoint when a place field first gets the focus;
then Chromium offers the places matching what is typed. Screenshots at 1280 px (English)
and 360 px (Khmer) go to the shots directory; nothing scrolls sideways on a phone.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kouprey.cases.models import CaseEvent
from kouprey.core.models import Organisation
from kouprey.core.permissions import Role
from kouprey.reference.models import Place
from tests import factories as f
from tests.browser.conftest import PHONE, WIDE, fits_width, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect
KM = "អាកាសយានដ្ឋានអន្តរជាតិភ្នំពេញ"


@pytest.fixture
def data(transactional_db: Any) -> dict[str, Any]:
    wcs = f.organisation("wcs", name="Wildlife Conservation Society")
    f.user(Role.EDITOR, wcs, username="sokha")
    f.place(name_km="កំពង់ផែស្វយ័តក្រុងព្រះសីហនុ")
    airport = f.place("Phnom Penh International Airport", iata="PNH", locode="KHPNH",
                      kind=Place.Kind.AIRPORT, name_km=KM)
    f.place("Phnom Penh Autonomous Port", locode="KHPNH", iata="")
    f.place("Siem Reap International Airport", iata="REP", locode="", kind=Place.Kind.AIRPORT)
    return {"airport": airport}


def sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", "sokha")
    page.fill("#id_password", f.PASSWORD)
    page.press("#id_password", "Enter")
    expect(page.locator("main h1")).to_have_text("Kouprey")


@pytest.mark.parametrize(("viewport", "language"), [(WIDE, "en"), (PHONE, "km")],
                         ids=["1280-en", "360-km"])
def test_type_part_of_a_place_pick_it_and_save(live_server: Any, open_page: Any,
                                               data: dict[str, Any], viewport: dict,
                                               language: str) -> None:
    page = open_page(viewport)
    base = live_server.url
    sign_in(page, base)
    if language == "km":
        page.context.add_cookies([{"name": "django_language", "value": "km", "url": base}])
    page.goto(f"{base}/seizures/new/")
    assert page.locator("datalist#places option").count() == 0  # not in the page
    page.fill("#id_reference", "KH-2020-099")
    page.fill("#id_date", "2020-03-01")
    place = page.locator("#id_place")
    place.click()  # the first focus loads the list of places once
    expect(page.locator("datalist#places option")).to_have_count(4)
    place.press_sequentially("Penh Int")
    label = (f"{KM} (PNH)" if language == "km" else "Phnom Penh International Airport (PNH)")
    # Chromium's suggestion popup is drawn outside the page: picking a suggestion is
    # filling the field with that option's value, which is what the browser does.
    options = page.eval_on_selector_all(
        "datalist#places option", "(os, typed) => os.map(o => o.value).filter("
        "v => v.toLowerCase().includes(typed.toLowerCase()))", "Penh Int")
    assert options == ["Phnom Penh International Airport (PNH)"] or language == "km"
    assert label in page.eval_on_selector_all("datalist#places option",
                                              "os => os.map(o => o.value)")
    place.fill(label)
    shot(page, f"place-typed-{language}")
    assert fits_width(page)
    page.click("button[name=_save]")
    expect(page.locator("main h1")).to_contain_text("KH-2020-099")
    expect(page.locator("main")).to_contain_text(
        KM if language == "km" else "Phnom Penh International Airport")
    shot(page, f"place-saved-{language}")
    assert fits_width(page)

    # the list's filter: the same input; opened with ?place=ID it shows the name
    page.goto(f"{base}/seizures/?place={data['airport'].pk}")
    expect(page.locator("#id_place")).to_have_value(label)
    expect(page.locator("#results")).to_contain_text("KH-2020-099")
    shot(page, f"place-filter-{language}")
    assert fits_width(page)
    page.locator("#id_place").fill("REP")
    page.locator("#id_place").press("Enter")
    expect(page.locator("#results")).not_to_contain_text("KH-2020-099")
    expect(page).to_have_url(f"{base}/seizures/?place=REP")


@pytest.mark.parametrize(("viewport", "language"), [(WIDE, "en"), (PHONE, "km")],
                         ids=["1280-en", "360-km"])
def test_the_case_page_loads_its_one_list_of_places_on_the_first_focus(
        live_server: Any, open_page: Any, data: dict[str, Any], viewport: dict,
        language: str) -> None:
    """The case edit page's event rows, those added with "Add an event" too, share one
    list, loaded once when a place field first gets the focus; the inline "Add an event"
    form of the case page loads its own the same way."""
    wcs = Organisation.objects.get(code="wcs")
    case = f.case(org=wcs, seizures=[f.seizure(org=wcs, reference="KH-2020-100")],
                  title="Ivory at Phnom Penh airport")
    f.event(case, CaseEvent.Kind.ARREST, date(2020, 3, 1))
    page = open_page(viewport)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/reference/places/" in r.url
            else None)
    base = live_server.url
    sign_in(page, base)
    if language == "km":
        page.context.add_cookies([{"name": "django_language", "value": "km", "url": base}])
    page.goto(f"{base}/cases/{case.pk}/edit/")
    assert page.locator("datalist").count() == 1  # one list for every row, still empty
    assert page.locator("datalist#places option").count() == 0 and asked == []
    first = page.locator("#events .children > .child").first
    first.locator("summary").click()
    first.locator("input[name$=-place]").click()  # the first focus loads the list
    expect(page.locator("datalist#places option")).to_have_count(4)
    assert len(asked) == 1 and f"lang={language}&v=" in asked[0]
    page.click("button[data-add-child=events]")  # a row added by the page's script
    row = page.locator("#events .children > .child").last
    row.locator("select[name$=-kind]").select_option("hearing")
    row.locator("input[name$=-date]").fill("2020-04-02")
    row.locator("summary").click()
    place = row.locator("input[name$=-place]")
    assert place.get_attribute("list") == "places"
    place.click()
    place.press_sequentially("REP")  # suggestions from the same list, not asked again
    assert len(asked) == 1 and page.locator("datalist").count() == 1
    shot(page, f"place-case-edit-{language}")
    assert fits_width(page)
    page.click(".form-actions button[type=submit]")
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    assert case.events.get(kind=CaseEvent.Kind.HEARING).place.iata == "REP"

    # the case page's inline "Add an event": an htmx fragment with its own list
    page.click("#add-event a")
    expect(page.locator("#id_event-place")).to_be_attached()
    assert page.locator("datalist#places").count() == 1
    page.locator("#add-event summary").click()
    page.locator("#id_event-place").click()
    expect(page.locator("datalist#places option")).to_have_count(4)
    shot(page, f"place-case-inline-event-{language}")
    assert fits_width(page)
