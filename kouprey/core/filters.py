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


class BoundedIntegerField(forms.IntegerField):
    """A whole number checked on the server only, with one message for every fault.

    No ``min``/``max`` in the HTML: htmx does not send a form the browser finds invalid,
    and says nothing; the list page names the field and the problem instead.
    """

    def __init__(self, *, min_value: int, max_value: int, message: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"invalid": message, "min_value": message,
                                             "max_value": message})
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("min", None)
        attrs.pop("max", None)
        return attrs


MAX_ID = 2**63 - 1  # the largest id the databases hold (a bigger one overflowed SQLite)


def record_ids(label: Any) -> IdsFilter:
    """``?ids=3,7,12``, each id from 1 to ``MAX_ID`` (anything else names the field)."""
    message = _("Give record ids: whole numbers from 1, separated by commas.")
    return IdsFilter(field_name="id", label=label, min_value=1, max_value=MAX_ID,
                     error_messages={"invalid": message, "min_value": message,
                                     "max_value": message})


class RecordIdField(BoundedIntegerField):
    """A record's id: a whole number in the database's range (a bigger one overflowed
    SQLite's integers: a 500 before)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID,
                         message=_("Give a record id: a whole number from 1."), **kwargs)


class RecordIdFilter(df.NumberFilter):
    field_class = RecordIdField
