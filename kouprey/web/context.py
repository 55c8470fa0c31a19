"""Template context for every page: version, demo flag and the navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kouprey import __version__
from kouprey.core.permissions import IMPORT, MANAGE, VIEW, can
from kouprey.web.lists import url_or_none

# (URL name, label, the action the user's role needs) of the main sections; a section
# appears once its URL exists and the user may use it (the policy still decides each page).
SECTIONS = (
    ("seizures:list", _("Seizures"), VIEW),
    ("cases:list", _("Cases"), VIEW),
    ("indicators:table", _("Indicators"), VIEW),
    ("seizures:import", _("Import"), IMPORT),
    ("admin:index", _("Administration"), MANAGE),
)


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for name, label, action in SECTIONS:
        url = url_or_none(name)
        if url and can(request.user, action):  # type: ignore[arg-type]
            items.append({"name": name, "label": label, "url": url, "active": False})
    # the section is the longest address the page is under (/seizures/import/ is Import)
    current = [i for i in items if request.path.startswith(i["url"])]
    if current:
        max(current, key=lambda i: len(i["url"]))["active"] = True
    return items


def kouprey(request: HttpRequest) -> dict[str, Any]:
    signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
    return {
        "KOUPREY_VERSION": __version__,
        "KOUPREY_DEMO": settings.DEMO,
        "KOUPREY_NAV": navigation(request) if signed_in else [],
    }
