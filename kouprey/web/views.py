"""Site-wide pages: the home page (what the user can reach) and its JSON twin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kouprey.cases.models import Case
from kouprey.core.permissions import ADD, can
from kouprey.seizures.models import Seizure
from kouprey.web.lists import detail_response, url_or_none


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    counts = {
        "seizures": Seizure.objects.restrict(user).count(),  # type: ignore[arg-type]
        "cases": Case.objects.restrict(user).count(),  # type: ignore[arg-type]
    }
    links = {
        "seizures": url_or_none("seizures:list"),
        "cases": url_or_none("cases:list"),
        "indicators": url_or_none("indicators:table"),
        "new_seizure": url_or_none("seizures:create") if can(user, ADD) else None,  # type: ignore[arg-type]
    }
    org = getattr(user, "organisation", None)
    context: dict[str, Any] = {"counts": counts, "links": links, "organisation": org}

    def data() -> dict[str, Any]:
        return {"user": user.get_username(), "organisation": str(org) if org else None,
                "role": getattr(user, "role", ""), "counts": counts, "links": links}

    return detail_response(request, "web/home.html", context, data)


class SignOut(auth_views.LogoutView):
    """Sign out, then say so on the sign-in page (on a shared office computer the next person
    should see that the last one is gone)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.info(request, _("You are signed out."))
        return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's refusal of a form without a valid CSRF token (``CSRF_FAILURE_VIEW``), in
    Kouprey's words: the usual cause is a page opened before the user signed in again (in
    another tab) or a browser that blocks cookies. Django's technical ``reason`` ("CSRF
    token from POST incorrect.") helps nobody filling in a form and is not shown."""
    message = _("Kouprey could not accept this form: the page was out of date (it was opened "
                "before you signed in again, or in an old tab), or your browser blocks "
                "cookies. Reload the page and send the form again.")
    if request.path.startswith("/api/") or request.GET.get("format") == "json":
        return JsonResponse({"detail": message}, status=403)
    return render(request, "web/csrf_failure.html", {"message": message}, status=403)
