"""Form errors in Kouprey's words, the same on every form (core.forms.PlainErrors)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kouprey.cases.forms import EventForm
from kouprey.core.permissions import Role
from kouprey.indicators.views import ScopeForm
from tests import factories as f
from tests.factories.pages import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client: Client):
    client.force_login(f.user(Role.EDITOR))
    return client


def errors_of(client: Client, **rows) -> str:
    response = client.post(reverse("seizures:create"), form_data(rows=rows))
    assert response.status_code == 400
    return response.content.decode()


def test_seizure_form_limits_in_plain_words(editor: Client) -> None:
    commodity = f.commodity().pk
    html = errors_of(editor, items=[{"commodity": commodity, "pieces": "-2",
                                     "weight_kg": "1.23456"}],
                     origins=[{"country": f.country("MZ").pk, "proportion": "0"}])
    assert "Must not be negative." in html, "negative pieces"
    assert "At most 3 decimal places." in html
    assert "Must be at least 0.001." in html, "a proportion of 0"
    assert "Ensure" not in html


def test_a_model_validators_own_words_are_kept(editor: Client) -> None:
    html = errors_of(editor, items=[{"commodity": f.commodity().pk, "weight_kg": "-3"}])
    assert "Must not be negative." in html and "Must be at least" not in html


def test_too_long_says_by_how_much() -> None:
    form = EventForm({"kind": "charge", "date": "2020-01-01", "law_section": "x" * 300})
    assert not form.is_valid()
    limit = EventForm.base_fields["law_section"].max_length
    assert form.errors["law_section"] == [f"At most {limit} characters; this has 300."]


def test_event_prison_months_not_negative() -> None:
    form = EventForm({"kind": "sentence", "date": "2020-01-01", "prison_months": "-1"})
    assert not form.is_valid()
    assert form.errors["prison_months"] == ["Must not be negative."]


def test_a_date_that_is_not_one_says_how_to_write_it() -> None:
    form = ScopeForm({"since": "14/03/2019"})
    assert not form.is_valid()
    assert form.errors["since"] == ["Not a date (write it as YYYY-MM-DD)."]
