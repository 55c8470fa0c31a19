"""The answer to a sign-in while the account is locked after repeated failures.

django-axes counts failed sign-ins per user name and, past ``AXES_FAILURE_LIMIT``, refuses
the account's sign-ins for ``AXES_COOLOFF_TIME`` (settings.py, "Sign-in protection"). Its
middleware then asks ``locked`` for the page: the sign-in form again, saying why and for how
long, with 429 Too Many Requests. The password typed is not checked, kept or shown.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext

LOCKED_STATUS = 429


def locked(request: HttpRequest, original_response: HttpResponse | None = None,
           credentials: dict[str, Any] | None = None) -> HttpResponse:
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    message = ngettext(
        "Too many failed sign-ins for this account. Try again in %(minutes)d minute, or ask "
        "an administrator to unlock it.",
        "Too many failed sign-ins for this account. Try again in %(minutes)d minutes, or ask "
        "an administrator to unlock it.", minutes) % {"minutes": minutes}
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()},
                                           require_https=request.is_secure()):
        next_url = ""
    form = AuthenticationForm(request, initial={"username": username})
    return render(request, "web/login.html", {"form": form, "locked": message,
                                              "next": next_url}, status=LOCKED_STATUS)
