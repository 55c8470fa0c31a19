"""Request middleware: who is acting (for the audit log), and the URL permission policy."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kouprey.core.audit import acting_as
from kouprey.core.policy import check_request


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated \
            else None
        with acting_as(user):
            return self.get_response(request)


class PermissionPolicyMiddleware:
    """Every URL is named in the policy; a request to one that is not is refused."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = check_request(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)
