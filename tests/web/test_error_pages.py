"""Error pages are pages of Kouprey, in the reader's language."""

import pytest

from kouprey.core.permissions import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_not_found_page_explains_in_khmer(client):
    client.force_login(f.user(Role.VIEWER))
    response = client.get("/seizures/999999/", HTTP_ACCEPT_LANGUAGE="km")
    assert response.status_code == 404
    assert "រកមិនឃើញ" in response.content.decode()


def test_role_refusal_is_a_page_not_plain_text(client):
    client.force_login(f.user(Role.VIEWER))
    response = client.get("/seizures/new/")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert html.count("Your role does not allow this") == 1, "said once, not twice"
