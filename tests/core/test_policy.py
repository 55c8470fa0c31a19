"""The URL policy: every named URL (pages and API) has a rule, and a URL without one is refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve

from kouprey.core import policy as policy_module
from kouprey.core.permissions import ROLE_ACTIONS, Role
from kouprey.core.policy import PUBLIC, SIGNED_IN, policy, rule_for
from tests import factories as f
from tests.core.test_permission_matrix import all_routes
from tests.factories.api import TokenClient

ACTIONS = set().union(*ROLE_ACTIONS.values())
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*"}


def test_every_named_url_has_a_rule() -> None:
    names = {r.name for r in all_routes()}
    unnamed = sorted(n for n in names if n.startswith("<unnamed"))
    missing = sorted(n for n in names - set(policy()) if n not in unnamed)
    assert not unnamed, "URLs without a name cannot have a rule: " + ", ".join(unnamed)
    assert not missing, "URLs with no rule in any app's policy.py (or core/api_policy.py): " \
        + ", ".join(missing)


def test_every_rule_names_an_existing_url() -> None:
    names = {r.name for r in all_routes()}
    stale = sorted(set(policy()) - names)
    assert not stale, "rules for URLs that do not exist: " + ", ".join(stale)


def test_every_api_operation_has_a_rule_for_its_method() -> None:
    from kouprey.api import api

    missing = []
    for path, operations in api.get_openapi_schema(path_prefix="/api/")["paths"].items():
        name = resolve(re.sub(r"{[^}]+}", "1", path)).view_name
        missing += [f"{method.upper()} {path} ({name})" for method in operations
                    if rule_for(name, method) is None]
    assert not missing, "API operations without a rule in core/api_policy.py: " \
        + ", ".join(missing)


@pytest.mark.django_db
def test_a_method_the_rules_do_not_name_is_not_allowed() -> None:
    admin = TokenClient(f.user(Role.ADMIN))
    response = admin.client.delete("/api/seizures/1", headers=admin._headers())
    assert response.status_code == 405
    assert response["Allow"] == "GET, PUT, PATCH"


def _valid(rule: Any) -> bool:
    if isinstance(rule, dict):
        return bool(rule) and all(m in METHODS and _valid(r) for m, r in rule.items())
    return rule in {PUBLIC, SIGNED_IN} | ACTIONS


def test_every_rule_is_well_formed() -> None:
    bad = {name: rule for name, rule in policy().items() if not _valid(rule)}
    assert not bad, f"rules that are not PUBLIC, SIGNED_IN, an action or {{METHOD: rule}}: {bad}"


@pytest.fixture
def without_rule(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Drop one URL's rule from the merged policy for the test."""

    def drop(name: str) -> None:
        rules = {k: v for k, v in policy().items() if k != name}
        monkeypatch.setattr(policy_module, "policy", lambda: rules)

    return drop


@pytest.mark.django_db
def test_a_page_without_a_rule_is_refused(without_rule: Any) -> None:
    client = Client()
    client.force_login(f.user(Role.ADMIN))
    assert client.get("/").status_code == 200
    without_rule("home")
    response = client.get("/")
    assert response.status_code == 403
    assert b"No permission rule for home" in response.content


@pytest.mark.django_db
def test_an_api_route_without_a_rule_is_refused(without_rule: Any) -> None:
    admin = f.user(Role.ADMIN)
    token = TokenClient(admin)
    session = Client()
    session.force_login(admin)
    assert token.get("/api/seizures/").status_code == 200
    without_rule("api:seizure_list")
    assert token.get("/api/seizures/").status_code == 403
    assert session.get("/api/seizures/").status_code == 403
    assert Client().get("/api/seizures/").status_code == 403, "refused before sign-in too"


@pytest.mark.django_db
def test_openapi_schema_without_a_rule_is_refused(without_rule: Any) -> None:
    token = TokenClient(f.user(Role.ADMIN))
    assert token.get("/api/openapi.json").status_code == 200
    without_rule("api:openapi-json")
    assert token.get("/api/openapi.json").status_code == 403


@pytest.mark.django_db
def test_the_admin_answers_to_the_manage_rule() -> None:
    """/admin/ goes through the one policy: a stranger is sent to Kouprey's sign-in (not
    Django's admin login), a role without ``manage`` gets Kouprey's 403 page, an admin the
    admin index."""
    response = Client().get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/admin/")
    response = Client().get("/admin/login/")
    assert response["Location"].startswith("/login/"), "the admin's own login is not offered"
    for role in (Role.VIEWER, Role.ANALYST, Role.EDITOR):
        client = Client()
        client.force_login(f.user(role, is_staff=True))
        response = client.get("/admin/reference/place/")
        assert response.status_code == 403, role
        assert b"Not allowed" in response.content
        assert b"Django administration" not in response.content
    admin = Client()
    admin.force_login(f.user(Role.ADMIN, is_staff=True))
    response = admin.get("/admin/")
    assert response.status_code == 200
    assert b"Places" in response.content
