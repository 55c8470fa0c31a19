"""The places endpoint: signed-in only, the options in the user's language, cached."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kouprey.core.permissions import Role
from kouprey.reference.models import Place
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = reverse("reference:place_options")
KM = "អាកាសយានដ្ឋានអន្តរជាតិភ្នំពេញ"


@pytest.fixture
def airport() -> Place:
    return f.place("Phnom Penh International Airport", iata="PNH", locode="",
                   kind=Place.Kind.AIRPORT, name_km=KM)


def test_strangers_are_sent_to_sign_in(client: Client, airport: Place) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get(URL, {"format": "json"}).status_code == 401


def test_every_signed_in_user_gets_the_options(client: Client, airport: Place) -> None:
    client.force_login(f.user(Role.VIEWER, f.organisation("gdce")))
    response = client.get(URL, {"lang": "en"})
    assert response.status_code == 200
    assert response.content.decode().strip() == \
        '<option value="Phnom Penh International Airport (PNH)">'
    assert "private" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    again = client.get(URL, {"lang": "en"}, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_khmer_labels_and_the_json_twin(client: Client, airport: Place) -> None:
    client.force_login(f.user(Role.VIEWER, f.organisation("gdce")))
    client.cookies["django_language"] = "km"
    assert f'<option value="{KM} (PNH)">' in client.get(URL, {"lang": "km"}).content.decode()
    data = client.get(URL, {"format": "json"}).json()
    assert data == {"places": [{"id": airport.pk, "label": f"{KM} (PNH)"}]}
