"""Seizure pages name agencies in the page's language (not by code); dates do not wrap."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kouprey.core.permissions import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

GDCE_KM = "អគ្គនាយកដ្ឋានគយ និងរដ្ឋាករកម្ពុជា"


def seizure_with_agencies(client):
    org = f.organisation("wcs")
    client.force_login(f.user(Role.EDITOR, org))
    s = f.seizure(org=org, reference="KOS-1")
    s.agencies.add(f.agency("gdce", name="General Department of Customs and Excise (GDCE)",
                            name_km=GDCE_KM),
                   f.agency("wcs", name="Wildlife Conservation Society (WCS)", kind="ngo"))
    return s


@pytest.mark.parametrize(("language", "gdce"), [
    ("en", "General Department of Customs and Excise (GDCE)"), ("km", GDCE_KM)])
def test_list_and_detail_name_agencies(client, language, gdce):
    s = seizure_with_agencies(client)
    for url in (reverse("seizures:list"), reverse("seizures:detail", args=[s.pk])):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert gdce in page and "Wildlife Conservation Society (WCS)" in page
        assert "GDCE," not in page and "gdce" not in page


def test_list_dates_do_not_wrap_and_json_keeps_codes(client):
    s = seizure_with_agencies(client)
    page = client.get(reverse("seizures:list"), HTTP_ACCEPT_LANGUAGE="km").content.decode()
    cell = re.search(r'<td data-label="[^"]*" class="([^"]*)">2019-12-20</td>', page)
    assert cell and "nowrap" in cell.group(1).split()
    data = client.get(reverse("seizures:detail", args=[s.pk]), {"format": "json"},
                      HTTP_ACCEPT_LANGUAGE="km").json()
    assert {"code": "gdce", "name": GDCE_KM} in data["agencies"]


def test_detail_totals_name_their_unit_through_the_translation(client, monkeypatch):
    """"Total weight: 12.5 kg": the unit is translated like the labels around it (it was
    written "kg" on Khmer pages beside "ទម្ងន់ (គ.ក)")."""
    s = seizure_with_agencies(client)
    f.item(s, weight="12.5", commodity=f.commodity("ivory-raw"))
    monkeypatch.setattr("django.template.base.gettext_lazy", lambda text: f"[km] {text}")
    page = client.get(reverse("seizures:detail", args=[s.pk])).content.decode()
    assert '<span data-total="weight">12.5</span> [km] kg' in page
    assert '<span data-total="rie">12.5</span> [km] kg' in page


PORT_KM = "កំពង់ផែស្វយ័តក្រុងព្រះសីហនុ"


@pytest.mark.parametrize(("language", "port"), [
    ("en", "Sihanoukville Autonomous Port"), ("km", PORT_KM)])
def test_delete_page_names_the_place_in_the_page_language(client, language, port):
    """The delete question read "Delete seizure KOS-1 2019-12-20 Sihanoukville Autonomous
    Port?" on a Khmer page: the record's own label names the place in English (that label
    is what the audit log keeps, and it stays so)."""
    f.place(name_km=PORT_KM)
    s = seizure_with_agencies(client)
    client.force_login(f.user(Role.ADMIN, s.owner_org))
    page = client.get(reverse("seizures:delete", args=[s.pk]),
                      HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"KOS-1 2019-12-20 {port}?" in page
    if language == "km":
        assert "Sihanoukville" not in page
    assert str(s) == "KOS-1 2019-12-20 Sihanoukville Autonomous Port"
