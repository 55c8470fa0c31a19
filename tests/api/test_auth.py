"""API authentication: bearer tokens, sessions with CSRF, the policy, the OpenAPI pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kouprey.core import tokens
from kouprey.core.models import ApiToken
from kouprey.core.permissions import Role
from tests import factories as f
from tests.factories.api import TokenClient, reference_data, seizure_payload

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401_for_reading_and_writing() -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.get("/api/seizures/").status_code == 401
    response = client.post("/api/seizures/", "{}", content_type="application/json")
    assert response.status_code == 401, "no session: 401, not a CSRF 403"
    assert response.json() == {"detail": "Unauthorized"}


def test_a_bearer_token_signs_in_as_its_user() -> None:
    user = f.user(Role.VIEWER, username="synthetic.viewer")
    response = TokenClient(user).get("/api/")
    assert response.status_code == 200
    assert response.json()["user"] == "synthetic.viewer"
    assert ApiToken.objects.get(user=user).last_used_at is not None


@pytest.mark.parametrize("key", ["kpy_wrong", "", "kpy_"])
def test_an_unknown_token_is_401(key: str) -> None:
    f.user()
    client = TokenClient(key=key)
    client.key = key or " "
    assert client.get("/api/seizures/").status_code == 401


def test_expired_tokens_and_deactivated_users_are_refused() -> None:
    user = f.user()
    expired = tokens.issue(user, "old", expires_at=timezone.now() - timedelta(days=1))
    assert TokenClient(key=expired).get("/api/").status_code == 401
    live = TokenClient(user)
    user.is_active = False
    user.save()
    assert live.get("/api/").status_code == 401


def test_tokens_need_no_csrf_token() -> None:
    reference_data()
    response = TokenClient(f.user(Role.EDITOR)).post("/api/seizures/", seizure_payload())
    assert response.status_code == 201, response.content


def test_sessions_must_send_the_csrf_token_for_unsafe_methods() -> None:
    reference_data()
    client = Client(enforce_csrf_checks=True)
    client.force_login(f.user(Role.EDITOR))
    assert client.get("/api/seizures/").status_code == 200, "reading needs no CSRF token"
    body = seizure_payload()
    refused = client.post("/api/seizures/", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    client.get("/login/")  # sets the CSRF cookie, as any page does
    token = client.cookies["csrftoken"].value
    accepted = client.post("/api/seizures/", body, content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert accepted.status_code == 201, accepted.content


def test_the_role_must_grant_the_action_of_the_method() -> None:
    reference_data()
    viewer = TokenClient(f.user(Role.VIEWER))
    assert viewer.get("/api/seizures/").status_code == 200
    response = viewer.post("/api/seizures/", seizure_payload())
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow this."}


def test_a_user_without_organisation_is_refused() -> None:
    user = f.user(Role.ADMIN)
    user.organisation = None
    user.save()
    assert TokenClient(user).get("/api/seizures/").status_code == 403


def test_openapi_schema_needs_sign_in_and_lists_the_routes() -> None:
    assert Client().get("/api/openapi.json").status_code == 401
    response = TokenClient(f.user(Role.VIEWER)).get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/seizures/", "/api/seizures/{seizure_id}", "/api/cases/",
            "/api/cases/{case_id}"} <= set(paths)
    documented = {p["name"] for p in paths["/api/seizures/"]["get"]["parameters"]}
    assert {"q", "place", "year", "sort", "ids", "page", "page_size"} <= documented


def test_openapi_page_sends_strangers_to_sign_in() -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/api/docs")
    client = Client()
    client.force_login(f.user(Role.VIEWER))
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in page.content, "vendored, not from a CDN"
    assert b"cdn" not in page.content.lower()
    html = page.content.decode()
    assert 'name="viewport" content="width=device-width' in html  # usable on a phone
    assert '<a href="/">Back to Kouprey</a>' in html
    assert 'href="/api/docs">API documentation</a>' in client.get("/").content.decode()
    assert "API documentation" not in Client().get("/login/").content.decode()


def test_api_writes_are_audited_with_the_token_user_as_actor() -> None:
    from kouprey.core.models import AuditEntry

    reference_data()
    editor = f.user(Role.EDITOR, username="synthetic.script")
    created = TokenClient(editor).post("/api/seizures/", seizure_payload()).json()
    entries = AuditEntry.objects.filter(root_model="seizures.seizure", root_id=str(created["id"]))
    assert entries.filter(model="seizures.seizure", action="create").exists()
    assert entries.filter(model="seizures.seizureitem").count() == 2
    assert set(entries.values_list("actor_name", flat=True)) == {"synthetic.script"}
