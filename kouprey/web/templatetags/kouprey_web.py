"""Template filters shared by Kouprey's pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from kouprey.web.lists import plain_text

register = template.Library()


@register.filter
def number(value: Any) -> str:
    """A quantity without trailing zeros, thousands grouped: 3150.000 -> 3,150; 12.50 -> 12.5."""
    return plain_text(value)


@register.filter
def percent(value: Any) -> str:
    """A proportion between 0 and 1 as a percentage: 0.6 -> 60%."""
    if value is None or value == "":
        return ""
    return f"{plain_text(Decimal(value) * 100)}%"
