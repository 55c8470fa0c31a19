"""API authentication (bearer token or browser session) and the same URL policy as the pages.

Scripts send ``Authorization: Bearer <key>`` (keys from ``kouprey token create``) and need
no CSRF token; a signed-in browser uses its session cookie, and then unsafe methods must
carry the CSRF token like any form. Nobody signed in: 401. Signed in but the policy's rule
for this route and method is not granted by the user's role: 403. Which records the user
then reaches is decided by ``restrict()`` in each route (another organisation's: 404).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import resolve
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from kouprey.core import tokens
from kouprey.core.audit import _actor
from kouprey.core.permissions import can
from kouprey.core.policy import PUBLIC, SIGNED_IN, rule_for

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def refusal(request: HttpRequest, user: Any) -> str | None:
    """Why the policy refuses this user this route and method; None when it allows."""
    rule = rule_for(resolve(request.path_info).view_name, request.method or "GET")
    if rule is None:
        return "No permission rule for this route."
    if rule in (PUBLIC, SIGNED_IN) or can(user, rule):
        return None
    return "Your role does not allow this."


def authorise(request: HttpRequest, user: Any) -> Any:
    """Return the user when the policy lets them call this route; raise 403 otherwise."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    reason = refusal(request, user)
    if reason is not None:
        raise HttpError(403, reason)
    request.user = user
    _actor.set(user)  # the audit log's actor, for the rest of this request
    return user


def bearer_user(request: HttpRequest) -> Any:
    """The active user behind the request's bearer token, if it has a valid one."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    return tokens.user_for(key.strip())


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <key>``: for scripts; no CSRF token needed."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return authorise(request, tokens.user_for(token.strip()))


class SessionAuth(APIKeyCookie):
    """A signed-in browser session; unsafe methods must pass Django's CSRF check."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # not signed in: 401, never a CSRF 403
        unsafe = (request.method or "GET") not in SAFE_METHODS
        if unsafe and not getattr(request, "_ninja_csrf_exempt", False) \
                and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header.")
        return authorise(request, user)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return authorise(request, getattr(request, "user", None))


def auth_methods() -> list[Any]:
    return [TokenAuth(), SessionAuth()]


def docs_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Guard the OpenAPI page and schema: signed in (session or token), and in the policy.

    The HTML page sends strangers to the sign-in page; the JSON schema answers 401.
    """

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = bearer_user(request)
        if user is None and request.user.is_authenticated:
            user = request.user
        if user is None:
            if resolve(request.path_info).url_name == "openapi-view":
                return redirect_to_login(request.get_full_path())
            return JsonResponse({"detail": "Unauthorized"}, status=401)
        reason = refusal(request, user)
        if reason is not None:
            return JsonResponse({"detail": reason}, status=403)
        return view(request, *args, **kwargs)

    return guarded
