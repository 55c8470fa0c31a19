"""The cases list and case page name agencies and places in the page's language."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from kouprey.core.models import AuditEntry
from kouprey.core.permissions import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

GDCE_KM = "អគ្គនាយកដ្ឋានគយ និងរដ្ឋាករកម្ពុជា"
PORT_KM = "កំពង់ផែស្វយ័តក្រុងព្រះសីហនុ"


def court_case(client: Any) -> Any:
    org = f.organisation("wcs")
    client.force_login(f.user(Role.EDITOR, org))
    f.place(name_km=PORT_KM)
    s = f.seizure(org=org, reference="KOS-1")
    c = f.case(org=org, seizures=[s], title="Ivory at KOS", case_number="PP-1",
               opened_on=date(2019, 12, 21))
    f.involve(c, f.agency("gdce", name="General Department of Customs and Excise (GDCE)",
                          name_km=GDCE_KM), "detecting")
    f.involve(c, f.agency("pp-court", name="Phnom Penh Court of First Instance",
                          kind="court"), "adjudicating")
    return c


def test_list_names_agencies_not_codes_in_english(client):
    court_case(client)
    page = client.get(reverse("cases:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "General Department of Customs and Excise (GDCE) (Detected the seizure)" in page
    assert "Phnom Penh Court of First Instance (" in page
    assert "PP-COURT" not in page


def test_khmer_list_uses_khmer_names_else_english(client):
    court_case(client)
    page = client.get(reverse("cases:list"), HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert f"{GDCE_KM} (" in page
    assert "Phnom Penh Court of First Instance (" in page  # no Khmer name: English
    assert f'<span>KOS-1 <span class="nowrap">2019-12-20</span> {PORT_KM}</span>' in page
    assert "PP-COURT" not in page and "GDCE (" not in page


def test_dates_do_not_wrap(client):
    court_case(client)
    page = client.get(reverse("cases:list"), HTTP_ACCEPT_LANGUAGE="km").content.decode()
    cell = re.search(r'<td data-label="[^"]*" class="([^"]*)">2019-12-21</td>', page)
    assert cell and "nowrap" in cell.group(1).split()


def test_json_keeps_codes_and_adds_names(client):
    court_case(client)
    row = client.get(reverse("cases:list"), {"format": "json"},
                     HTTP_ACCEPT_LANGUAGE="km").json()["results"][0]
    gdce = next(a for a in row["agencies"] if a["agency"] == "gdce")
    assert gdce["role"] == "detecting" and gdce["name"] == GDCE_KM
    assert set(gdce) >= {"agency", "role", "name", "role_label"}


def test_case_page_names_agencies_in_the_page_language(client):
    c = court_case(client)
    page = client.get(reverse("cases:detail", args=[c.pk]),
                      HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert f"{GDCE_KM} (" in page
    data = client.get(reverse("cases:detail", args=[c.pk]), {"format": "json"},
                      HTTP_ACCEPT_LANGUAGE="km").json()
    assert {a["agency"] for a in data["agencies"]} == {"gdce", "pp-court"}
    assert GDCE_KM in {a["name"] for a in data["agencies"]}


def test_case_history_names_linked_seizures_places_in_the_page_language(client):
    """The history shows the audit log's label of a linked seizure (place in English) in
    the page's language; the log itself keeps the English label."""
    c = court_case(client)  # the seizure is linked when the case is built: logged
    logged = AuditEntry.objects.filter(root_id=str(c.pk), model="cases.case")
    assert any("KOS-1 2019-12-20 Sihanoukville Autonomous Port" in str(e.changes)
               for e in logged)
    page = client.get(reverse("cases:detail", args=[c.pk]),
                      HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert f"KOS-1 2019-12-20 {PORT_KM}" in page
    assert "Sihanoukville" not in page
    page = client.get(reverse("cases:detail", args=[c.pk]),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "KOS-1 2019-12-20 Sihanoukville Autonomous Port" in page
