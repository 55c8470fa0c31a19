"""reference.forms: a place typed by its label, name (English or Khmer), code or id."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kouprey.reference import versions
from kouprey.reference.forms import PlaceField, PlaceList, options_url
from kouprey.reference.models import Place
from tests import factories as f

pytestmark = pytest.mark.django_db

KM = "អាកាសយានដ្ឋានអន្តរជាតិភ្នំពេញ"


@pytest.fixture
def airport() -> Place:
    return f.place("Phnom Penh International Airport", iata="PNH", locode="KHPNH",
                   kind=Place.Kind.AIRPORT, name_km=KM)


@pytest.mark.parametrize("typed", ["Phnom Penh International Airport (PNH)",
                                   "  phnom penh international airport ", KM, "pnh", "KHPNH",
                                   f"{KM} (PNH)", "{pk}"])
def test_a_place_is_found_by_label_name_code_or_id(airport: Place, typed: str) -> None:
    field = PlaceField(queryset=Place.objects.all(), label="Place")
    assert field.clean(typed.format(pk=airport.pk)) == airport


def test_the_label_follows_the_language(airport: Place) -> None:
    assert PlaceList(Place.objects.all()).label(airport.pk) == \
        "Phnom Penh International Airport (PNH)"
    with translation.override("km"):
        assert PlaceList(Place.objects.all()).labels() == [f"{KM} (PNH)"]


def test_an_unknown_place_is_named_with_the_field(airport: Place) -> None:
    field = PlaceField(queryset=Place.objects.all(), label="Place of seizure")
    with pytest.raises(ValidationError) as raised:
        field.clean("Atlantis")
    assert raised.value.messages[0].startswith("Unknown place of seizure “Atlantis”.")


def test_a_shared_name_or_code_names_the_places(airport: Place) -> None:
    port = f.place("Phnom Penh Autonomous Port", locode="KHPNH", iata="")
    f.place("Phnom Penh Dry Port", locode="KHPNH", iata="")
    field = PlaceField(queryset=Place.objects.all(), label="Place")
    with pytest.raises(ValidationError) as raised:
        field.clean("khpnh")
    message = raised.value.messages[0]
    assert message.startswith("“khpnh” names more than one place: ")
    assert "Phnom Penh Autonomous Port (KHPNH); Phnom Penh Dry Port (KHPNH)" in message
    assert "Phnom Penh International Airport" in message  # its UN/LOCODE is KHPNH too
    assert field.clean("Phnom Penh Autonomous Port (KHPNH)") == port
    assert field.clean("PNH") == airport  # the IATA code is its own


def test_two_places_with_the_same_name_and_code_are_told_apart_by_id() -> None:
    first = f.place("Pemba Airport", iata="POL", locode="")
    second = Place.objects.create(name="Pemba Airport", iata="POL", kind=first.kind,
                                  country=first.country)
    places = PlaceList(Place.objects.all())
    assert places.labels() == ["Pemba Airport (POL)", f"Pemba Airport (POL) #{second.pk}"]
    assert places.find(f"Pemba Airport (POL) #{second.pk}") == second.pk
    assert places.find("Pemba Airport (POL)") is None
    assert len(places.shared("pemba airport")) == 2


def test_the_field_shows_the_label_and_knows_when_it_changed(airport: Place) -> None:
    field = PlaceField(queryset=Place.objects.all())
    assert field.prepare_value(airport) == "Phnom Penh International Airport (PNH)"
    assert field.prepare_value(str(airport.pk)) == "Phnom Penh International Airport (PNH)"
    assert field.prepare_value("Atlant") == "Atlant"
    assert not field.has_changed(airport.pk, "PNH")
    assert field.has_changed(None, "PNH") and field.has_changed(airport.pk, "Atlantis")


def test_the_widget_points_at_the_pages_list_and_writes_none(airport: Place) -> None:
    html = PlaceField(queryset=Place.objects.all()).widget.render("place", "")
    assert 'list="places"' in html and 'autocomplete="off"' in html
    assert "<datalist" not in html  # the page writes it once (reference.templatetags.places)


def test_the_lists_address_names_the_language_and_the_version(airport: Place) -> None:
    url = options_url()
    assert url.startswith("/reference/places/datalist?lang=en&v=")
    assert url == f"/reference/places/datalist?lang=en&v={versions.fingerprint()}"
    with translation.override("km"):
        assert options_url().startswith("/reference/places/datalist?lang=km&v=")
