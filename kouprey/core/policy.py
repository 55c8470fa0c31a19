"""The URL permission policy: every named URL says who may reach it.

Each Kouprey app may have a ``policy.py`` with ``POLICY = {url_name: rule}``; this module
merges them, then the API's rules (core.api_policy). A rule is ``PUBLIC`` (anyone, e.g.
sign-in), ``SIGNED_IN`` (any active user), an action from core.permissions (``"view"``,
``"add"`` ...) that the user's role must grant, or a dict from HTTP method to one of those.
Which *records* a user reaches is decided afterwards by ``restrict()``; the policy decides
whether the page opens at all.

A request to a URL that is not in the policy is refused (and a test lists any such URL).
Django's admin (``/admin/``, reference data and users) answers to the one rule ``manage``:
a stranger is sent to Kouprey's sign-in, a signed-in user without it gets Kouprey's 403
page; the admin's own per-model checks apply after that.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

from kouprey.core.permissions import MANAGE, can

PUBLIC = "public"
SIGNED_IN = "signed_in"
Rule = str | dict[str, str]
ADMIN_PATH = "/admin/"
ROLE_REFUSAL = "Your role does not allow this."


@cache
def policy() -> dict[str, Rule]:
    merged: dict[str, Rule] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("kouprey."):
            continue
        try:
            module = import_module(f"{config.name}.policy")
        except ModuleNotFoundError:
            continue
        merged.update(getattr(module, "POLICY", {}))
    merged.update(import_module("kouprey.core.api_policy").POLICY)
    return merged


def rule_for(url_name: str, method: str) -> str | None:
    rule = policy().get(url_name)
    if isinstance(rule, dict):
        return rule.get(method.upper(), rule.get("*"))
    return rule


def _exempt(path: str) -> bool:
    return path.startswith(("/" + settings.STATIC_URL.lstrip("/"), "/favicon"))


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.GET.get("format") == "json"


def _refuse(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": message}, status=status)
    if status == 401:
        return redirect_to_login(request.get_full_path())
    if status == 403:
        # the page says in words what a role refusal means; other refusals add their reason
        note = "" if message == ROLE_REFUSAL else message
        return render(request, "403.html", {"message": note}, status=403)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def check_request(request: HttpRequest) -> HttpResponse | None:
    """None when the request may go on; otherwise the refusal to send."""
    if _exempt(request.path):
        return None
    if request.path.startswith(ADMIN_PATH):
        return _check_rule(request, MANAGE)
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    rule = rule_for(match.view_name, request.method or "GET")
    if rule is None:
        listed = policy().get(match.view_name)
        if isinstance(listed, dict):  # the URL's rules name other methods only
            response = _refuse(request, 405, "Method not allowed.")
            response["Allow"] = ", ".join(m for m in listed if m != "*")
            return response
        return _refuse(request, 403, f"No permission rule for {match.view_name}.")
    if rule == PUBLIC:
        return None
    if request.path.startswith("/api/"):
        return None  # the API authenticates (session or token) and checks rules itself
    return _check_rule(request, rule)


def _check_rule(request: HttpRequest, rule: str) -> HttpResponse | None:
    user = request.user
    if not user.is_authenticated:
        return _refuse(request, 401, "Sign in first.")
    if rule == SIGNED_IN or can(user, rule):
        return None
    return _refuse(request, 403, ROLE_REFUSAL)
