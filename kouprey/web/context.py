"""Template context for every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from kouprey import __version__


def kouprey(request: HttpRequest) -> dict[str, Any]:
    return {"KOUPREY_VERSION": __version__, "KOUPREY_DEMO": settings.DEMO}
