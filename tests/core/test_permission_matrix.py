"""The permission matrix, generated from the URL resolver (STYLE.md rule 2).

Every URL of kouprey.urls (pages, their ``?format=json`` twins and the API; not /admin/,
Django's own pages under the one ``manage`` rule, tested in test_policy; nor static files)
is requested with every method its policy rule names, by four people:

- nobody signed in: a page sends them to sign in, the API answers 401;
- a signed-in user whose role lacks the rule's action: 403;
- a full-role user of another organisation, on a URL naming a record: 404 (not 403, so
  the record's existence does not leak, and never 200);
- a permitted user of the owning organisation: 200, or a redirect that is not to sign-in;
  a page form POSTed empty may answer with its errors (200, 400, 422) or a conflict (409),
  an API write (sent the smallest valid body) 200 or 201.

A new URL joins the matrix by itself. A URL whose parameters this module cannot fill fails
``test_every_url_can_be_built`` with what to add to the tables below, so none slips through.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kouprey.core.permissions import ROLE_ACTIONS, Confidentiality, Role
from kouprey.core.policy import PUBLIC, SIGNED_IN, policy, rule_for
from tests import factories as f

# The first path segment (after "api/") -> the kind of record its <pk> or <id> names.
OBJECT_PREFIXES = {"seizures": "seizure", "cases": "case"}
# Parameter names that name a record of one kind wherever they appear.
OBJECT_PARAMS = {"seizure_id": "seizure", "case_id": "case"}
GENERIC_ID_PARAMS = {"pk", "id"}
# Parameters that are not records: a value the URL accepts.
PLAIN_PARAMS: dict[str, str] = {}
# Query strings a URL needs to name what it shows (else even a permitted user gets 404).
QUERIES: dict[str, dict[str, str]] = {"indicators:records": {"indicator": "seizures_total"}}
# API pages answered as HTML (strangers are sent to sign in, not given 401).
HTML_API_PAGES = {"api:openapi-view"}
# The smallest valid body of each API write, so a permitted write succeeds and another
# organisation's write answers 404 (not a 422 about the body).
WRITE_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("api:seizure_list", "POST"): {"date": "2020-01-01"},
    ("api:seizure_detail", "PUT"): {"date": "2020-01-01"},
    ("api:seizure_detail", "PATCH"): {"description": "Changed by the matrix test"},
    ("api:case_list", "POST"): {"title": "Matrix case"},
    ("api:case_detail", "PUT"): {"title": "Matrix case"},
    ("api:case_detail", "PATCH"): {"summary": "Changed by the matrix test"},
}
WRITE_ACTIONS = {"add", "change", "delete", "import", "manage"}
ROLES_LOW_TO_HIGH = [Role.VIEWER, Role.ANALYST, Role.EDITOR, Role.ADMIN]
PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    name: str
    route: str  # as in urls.py, e.g. "seizures/<int:pk>/"
    regex: bool = False

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def params(self) -> list[str]:
        return [m.group("name") for m in PARAM.finditer(self.route)]

    def kind_of(self, param: str) -> str | None:
        """The kind of record a parameter names; None when it names none we know."""
        if param in OBJECT_PARAMS:
            return OBJECT_PARAMS[param]
        if param in GENERIC_ID_PARAMS:
            segment = self.route.removeprefix("api/").split("/", 1)[0]
            return OBJECT_PREFIXES.get(segment)
        return None

    @property
    def object_kind(self) -> str | None:
        kinds = [k for k in map(self.kind_of, self.params) if k]
        return kinds[0] if kinds else None

    def problem(self) -> str | None:
        """Why a concrete URL cannot be built (a new kind of URL): what to add, and where."""
        if self.regex:
            return f"{self.name} ({self.route}) is a regex route; give it a path() route"
        unknown = [p for p in self.params if self.kind_of(p) is None and p not in PLAIN_PARAMS]
        if unknown:
            return (f"{self.name} ({self.route}): cannot fill {', '.join(unknown)}; add it to "
                    "OBJECT_PREFIXES, OBJECT_PARAMS or PLAIN_PARAMS in "
                    "tests/core/test_permission_matrix.py (with a factory for a new kind)")
        return None

    def url(self, ids: dict[str, int]) -> str:
        def fill(match: re.Match[str]) -> str:
            kind = self.kind_of(match.group("name"))
            return str(ids[kind]) if kind else PLAIN_PARAMS[match.group("name")]

        return "/" + PARAM.sub(fill, self.route)


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[Route]:
    routes: list[Route] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
            routes += _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else \
                (pattern.name or f"<unnamed {route}>")
            regex = not hasattr(pattern.pattern, "_route")
            routes.append(Route(name, route, regex))
    return routes


def _excluded(route: str) -> bool:
    return route.lstrip("^").startswith(("admin/", settings.STATIC_URL.lstrip("/")))


def all_routes() -> list[Route]:
    """Every URL pattern of the site, once each (the API lists one pattern per method)."""
    seen: dict[tuple[str, str], Route] = {}
    for route in _walk(get_resolver().url_patterns):
        if not _excluded(route.route):
            seen.setdefault((route.name, route.route), route)
    return list(seen.values())


def methods(route: Route) -> list[str]:
    """The methods to try: those the rule names, or GET (and POST for a page that writes)."""
    rule = policy().get(route.name)
    if isinstance(rule, dict):
        named = [m.upper() for m in rule if m != "*"]
        return named or ["GET"]
    if rule in WRITE_ACTIONS and not route.is_api:
        return ["GET", "POST"]
    return ["GET"]


@dataclass(frozen=True)
class Check:
    route: Route
    method: str
    json_twin: bool = False

    @property
    def rule(self) -> str | None:
        return rule_for(self.route.name, self.method)

    @property
    def api(self) -> bool:
        return (self.route.is_api and self.route.name not in HTML_API_PAGES) or self.json_twin

    def __str__(self) -> str:
        twin = "?format=json" if self.json_twin else ""
        return f"{self.method} /{self.route.route}{twin} [{self.route.name}]"


def all_checks() -> list[Check]:
    checks = []
    for route in all_routes():
        for method in methods(route):
            checks.append(Check(route, method))
            if method == "GET" and not route.is_api and rule_for(route.name, "GET") != PUBLIC:
                checks.append(Check(route, method, json_twin=True))
    return checks


CHECKS = all_checks()


def params(predicate: Any) -> list[Any]:
    return [pytest.param(c, id=str(c)) for c in CHECKS if predicate(c)]


# -- the records and the people -------------------------------------------------------------

@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def records(db: None) -> dict[str, int]:
    """One seizure and one case of organisation A, with the children their pages show."""
    owner = f.organisation("orga")
    f.organisation("orgb")
    seizure = f.seizure(org=owner, reference="MATRIX-1")
    f.item(seizure, weight="12.5")
    f.origin(seizure, "MZ")
    f.suspect(seizure)
    case = f.case(org=owner, seizures=[seizure], opened_on=date(2019, 12, 21))
    f.involve(case, f.agency("gdce"))
    defendant = f.defendant(case)
    f.event(case, "arrest", date(2019, 12, 21), defendant=defendant)
    return {"seizure": seizure.pk, "case": case.pk}


def _user(role: str, org_code: str | None, **fields: Any) -> Any:
    user = f.user(role, f.organisation(org_code) if org_code else None, **fields)
    if org_code is None:
        user.organisation = None
        user.save()
    return user


def permitted_user(action: str) -> Any:
    """The least role of the owning organisation that the rule lets in."""
    if action in (PUBLIC, SIGNED_IN):
        return _user(Role.VIEWER, "orga")
    role = next(r for r in ROLES_LOW_TO_HIGH if action in ROLE_ACTIONS[r])
    return _user(role, "orga")


def refused_user(action: str) -> Any:
    """The highest role without the action; for "view", which every role has, no org."""
    lacking = [r for r in ROLES_LOW_TO_HIGH if action not in ROLE_ACTIONS[r]]
    if not lacking:
        return _user(Role.VIEWER, None)
    return _user(lacking[-1], "orga")


def request(check: Check, ids: dict[str, int], user: Any = None) -> Any:
    problem = check.route.problem()
    if problem:
        pytest.fail(problem)
    client = Client()
    if user is not None:
        client.force_login(user)
    query = dict(QUERIES.get(check.route.name, {}))
    if check.json_twin:
        query["format"] = "json"
    url = check.route.url(ids) + ("?" + urlencode(query) if query else "")
    if check.method == "GET":
        return client.get(url)
    if check.route.is_api:
        body = WRITE_BODIES.get((check.route.name, check.method))
        if body is None:
            pytest.fail(f"{check}: add the smallest valid body to WRITE_BODIES")
        return client.generic(check.method, url, json.dumps(body),
                              content_type="application/json")
    return client.generic(check.method, url, "", content_type="application/x-www-form-urlencoded")


def is_sign_in_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse(settings.LOGIN_URL) + "?")


# -- the matrix -----------------------------------------------------------------------------

def test_every_url_can_be_built() -> None:
    problems = [p for p in (r.problem() for r in all_routes()) if p]
    assert not problems, "URLs the matrix cannot request:\n" + "\n".join(problems)


def test_the_matrix_covers_pages_and_api() -> None:
    names = {c.route.name for c in CHECKS}
    assert {"api:seizure_list", "api:seizure_detail", "api:case_list", "api:case_detail",
            "api:openapi-json", "home", "login"} <= names
    assert not any(c.route.route.startswith("admin/") for c in CHECKS)


@pytest.mark.parametrize("check", params(lambda c: c.rule != PUBLIC))
def test_anonymous_is_sent_to_sign_in(check: Check, records: dict[str, int]) -> None:
    response = request(check, records)
    if check.api:
        assert response.status_code == 401, f"{check}: {response.status_code}"
    else:
        assert is_sign_in_redirect(response), f"{check}: {response.status_code}"


@pytest.mark.parametrize("check", params(lambda c: c.rule == PUBLIC))
def test_public_urls_refuse_nobody(check: Check, records: dict[str, int]) -> None:
    response = request(check, records)
    assert response.status_code not in (401, 403) and not is_sign_in_redirect(response), \
        f"{check}: {response.status_code}"


@pytest.mark.parametrize("check", params(lambda c: c.rule not in (PUBLIC, SIGNED_IN)))
def test_role_without_the_action_is_refused(check: Check, records: dict[str, int]) -> None:
    response = request(check, records, refused_user(check.rule or ""))
    assert response.status_code == 403, f"{check}: {response.status_code}"


@pytest.mark.parametrize("check", params(lambda c: c.route.object_kind and c.rule != PUBLIC))
def test_other_organisation_does_not_find_the_record(check: Check,
                                                     records: dict[str, int]) -> None:
    stranger = _user(Role.ADMIN, "orgb", clearance=Confidentiality.SECRET)
    response = request(check, records, stranger)
    assert response.status_code == 404, f"{check}: {response.status_code}"


@pytest.mark.parametrize("check", params(lambda c: c.rule is not None))
def test_permitted_user_is_served(check: Check, records: dict[str, int]) -> None:
    response = request(check, records, permitted_user(check.rule or ""))
    status = response.status_code
    inferred = not isinstance(policy().get(check.route.name), dict)
    if status == 405 and inferred:
        pytest.skip(f"{check}: the view does not take {check.method} (the rule names no "
                    "methods, so the matrix tried it)")
    if check.method == "GET":
        allowed = {200, 302}
    elif check.route.is_api:
        allowed = {200, 201}
    else:  # an empty form: the view answers (saved, or its errors), the policy let it in
        allowed = {200, 201, 204, 302, 303, 400, 409, 422}
    assert status in allowed, f"{check}: {status}"
    assert not is_sign_in_redirect(response), f"{check}: sent a permitted user to sign in"
