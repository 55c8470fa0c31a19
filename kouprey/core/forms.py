"""Form errors in Kouprey's own words.

Django's field checks say "Ensure this value is greater than or equal to 0." next to
Kouprey's "Must not be negative." on the same form. ``PlainErrors`` gives the limits a form
field checks itself the same plain sentences (the importer says the same in its own short
form, seizures/importers/fields.py). A limit the field does not check (a model validator's,
with its own message) and a message set on purpose are left alone.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

NOT_NEGATIVE = _("Must not be negative.")
AT_LEAST = _("Must be at least %(limit_value)s.")
AT_MOST = _("Must be at most %(limit_value)s.")
TOO_LONG = _("At most %(limit_value)d characters; this has %(show_value)d.")
DIGITS = {
    "max_digits": _("At most %(max)s digits in all."),
    "max_decimal_places": _("At most %(max)s decimal places."),
    "max_whole_digits": _("At most %(max)s digits before the decimal point."),
}
NOT_A_DATE = _("Not a date (write it as YYYY-MM-DD).")


def plain_errors(form: forms.BaseForm) -> None:
    for name, field in form.fields.items():
        messages = field.error_messages
        low = getattr(field, "min_value", None)
        for check in _model_validators(form, name):
            # a model field's limit with Django's own words (a proportion's 0.001 to 1)
            if type(check) is validators.MinValueValidator and low is None \
                    and check.message == validators.MinValueValidator.message:
                low = check.limit_value
            if type(check) is validators.MaxValueValidator \
                    and check.message == validators.MaxValueValidator.message:
                messages.setdefault("max_value", AT_MOST)
        if low is not None:
            messages.setdefault("min_value", NOT_NEGATIVE if low == 0 else AT_LEAST)
        if getattr(field, "max_value", None) is not None:
            messages.setdefault("max_value", AT_MOST)
        if getattr(field, "max_length", None) is not None:
            messages.setdefault("max_length", TOO_LONG)
        if getattr(field, "max_digits", None) is not None:
            for code, message in DIGITS.items():
                messages.setdefault(code, message)
        if isinstance(field, forms.DateField) and \
                messages.get("invalid") == forms.DateField.default_error_messages["invalid"]:
            messages["invalid"] = NOT_A_DATE


def _model_validators(form: forms.BaseForm, name: str) -> list[Any]:
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is None:
        return []
    try:
        return list(model._meta.get_field(name).validators)
    except FieldDoesNotExist:
        return []


class PlainErrors:
    """Mix into a form class, before ``forms.Form`` or ``forms.ModelForm``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_errors(self)  # type: ignore[arg-type]
