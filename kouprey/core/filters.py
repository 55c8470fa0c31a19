"""List filters shared by the apps' FilterSets (pages, JSON twins, the API, exports)."""

from __future__ import annotations

import django_filters as df
from django import forms


class IdsFilter(df.BaseInFilter, df.NumberFilter):
    """``?ids=3,7,12``: record ids, each a whole number (anything else is a form error)."""

    field_class = forms.IntegerField
