"""API authentication (session or bearer token) and the same URL policy as the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import resolve
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from kouprey.core import tokens
from kouprey.core.audit import _actor
from kouprey.core.permissions import can
from kouprey.core.policy import PUBLIC, SIGNED_IN, rule_for


def authorise(request: HttpRequest, user: Any) -> Any:
    """Return the user when the policy lets them call this route; raise 403 otherwise."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    rule = rule_for(resolve(request.path_info).view_name, request.method or "GET")
    if rule is None:
        raise HttpError(403, "No permission rule for this route.")
    if rule in (PUBLIC, SIGNED_IN) or can(user, rule):
        request.user = user
        _actor.set(user)
        return user
    raise HttpError(403, "Your role does not allow this.")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return authorise(request, tokens.user_for(token))


class SessionAuth(APIKeyCookie):
    """Signed-in browser sessions (CSRF is checked for unsafe methods)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return authorise(request, getattr(request, "user", None))


def auth_methods() -> list[Any]:
    return [TokenAuth(), SessionAuth()]
