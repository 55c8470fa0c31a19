"""The seizure form: what an editor sees of the record before changing it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kouprey.core.permissions import Role
from tests import factories as f
from tests.factories.pages import form_data

pytestmark = pytest.mark.django_db

NAMES = ["Bavet Police", "Coast Guard", "Dry Port Police", "Environment", "Fisheries",
         "Forestry Administration (FA)", "Gendarmerie",
         "General Department of Customs and Excise (GDCE)", "Military Police", "Wildlife Alliance"]


def agency_boxes(html: str) -> list[str]:
    """The labels of the "Detecting agencies" checkboxes, in page order, ticked ones '+'."""
    box = html.split('<legend>Detecting agencies</legend>', 1)[1].split("</fieldset>", 1)[0]
    return [("+" if "checked" in tag else "") + label.strip() for tag, label in re.findall(
        r'(<input type="checkbox" name="agencies"[^>]*>)\s*([^<]*)</label>', box)]


@pytest.fixture
def editor(client: Client):
    org = f.organisation("wcs")
    client.force_login(f.user(Role.EDITOR, org))
    agencies = {name: f.agency(f"a{n}", name=name) for n, name in enumerate(NAMES)}
    return org, agencies


def test_ticked_agencies_come_first_so_they_show_without_scrolling(client: Client, editor):
    """GDCE, the usual detecting agency, was 9th in a scrolling box: an editor could not see
    what was ticked. Ticked ones come first (in their usual order), then the others."""
    org, agencies = editor
    s = f.seizure(org=org, reference="KOS-1")
    s.agencies.add(agencies["General Department of Customs and Excise (GDCE)"],
                   agencies["Gendarmerie"])
    boxes = agency_boxes(client.get(reverse("seizures:edit", args=[s.pk])).content.decode())
    assert boxes[:2] == ["+Gendarmerie", "+General Department of Customs and Excise (GDCE)"]
    assert boxes[2:] == [n for n in NAMES if n not in {
        "Gendarmerie", "General Department of Customs and Excise (GDCE)"}]


def test_a_new_seizure_lists_the_agencies_in_their_order(client: Client, editor):
    assert agency_boxes(client.get(reverse("seizures:create")).content.decode()) == NAMES


def test_a_refused_form_keeps_the_ticked_agencies_first(client: Client, editor):
    _org, agencies = editor
    gdce = agencies["General Department of Customs and Excise (GDCE)"]
    response = client.post(reverse("seizures:create"),
                           form_data(agencies=[gdce.pk], date="not a date"))
    assert "The seizure was not saved" in response.content.decode()
    assert agency_boxes(response.content.decode())[0] == "+" + gdce.name
