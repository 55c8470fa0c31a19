"""List filters shared by the apps' FilterSets (pages, JSON twins, the API, exports)."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class IdsFilter(df.BaseInFilter, df.NumberFilter):
    """``?ids=3,7,12``: record ids, each a whole number (anything else is a form error)."""

    field_class = forms.IntegerField


class SortFilter(df.OrderingFilter):
    """``?sort=date`` / ``?sort=-date``, with labels that follow the page's language.

    django-filter formats "(descending)" once, at import, in English; these choices stay
    lazy so both directions show in Khmer on Khmer pages.
    """

    def __init__(self, *args: Any, fields: dict[str, tuple[str, Any]], **kwargs: Any) -> None:
        """``fields`` maps each URL value to (model field, label)."""
        self.sort_labels = {alias: label for alias, (_field, label) in fields.items()}
        kwargs["fields"] = [(field, alias) for alias, (field, _label) in fields.items()]
        super().__init__(*args, **kwargs)

    def build_choices(self, fields: Any, labels: Any) -> list[tuple[str, Any]]:
        choices: list[tuple[str, Any]] = []
        for alias, label in self.sort_labels.items():
            choices.append((alias, format_lazy(_("{} (ascending)"), label)))
            choices.append((f"-{alias}", format_lazy(_("{} (descending)"), label)))
        return choices
