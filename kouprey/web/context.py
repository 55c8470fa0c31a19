"""Template context for every page: version, demo flag and the navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kouprey import __version__
from kouprey.web.lists import url_or_none

# (URL name, label) of the main sections; a section appears once its URL exists.
SECTIONS = (
    ("seizures:list", _("Seizures")),
    ("cases:list", _("Cases")),
    ("indicators:table", _("Indicators")),
)


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    items = []
    for name, label in SECTIONS:
        url = url_or_none(name)
        if url:
            items.append({"name": name, "label": label, "url": url,
                          "active": request.path.startswith(url)})
    return items


def kouprey(request: HttpRequest) -> dict[str, Any]:
    signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
    return {
        "KOUPREY_VERSION": __version__,
        "KOUPREY_DEMO": settings.DEMO,
        "KOUPREY_NAV": navigation(request) if signed_in else [],
    }
