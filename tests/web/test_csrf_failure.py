"""A form refused for its CSRF token says so in Kouprey's words, not Django's debug page."""

import pytest
from django.test import Client

from kouprey.core.permissions import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor() -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(f.user(Role.EDITOR))
    return client


def test_an_out_of_date_form_is_a_page_of_kouprey(editor, monkeypatch):
    """A form open in a tab from before the user signed in again carries an old token:
    Django answered "Forbidden (403) CSRF verification failed. Request aborted." in English
    with "More information is available with DEBUG=True"."""
    monkeypatch.setattr("kouprey.web.views._", lambda text: f"[km] {text}")
    response = editor.post("/seizures/new/", {"date": "2019-12-20"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "CSRF" not in html and "DEBUG" not in html
    assert "[km] Kouprey could not accept this form" in html
    assert 'href="/"' in html and "Sign out" in html  # Kouprey's page, the user signed in


def test_a_json_caller_gets_json(editor):
    response = editor.post("/seizures/new/?format=json", {"date": "2019-12-20"})
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Kouprey could not accept this form")


def test_a_form_with_its_token_is_not_refused(editor):
    page = editor.get("/seizures/new/")
    token = page.context["csrf_token"]
    response = editor.post("/seizures/new/", {"csrfmiddlewaretoken": str(token)})
    assert response.status_code == 400  # the form's own errors, not a refusal
