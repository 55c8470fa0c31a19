"""Case list filters, shared by the pages, the JSON twins, the API and the exports."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.utils.translation import gettext_lazy as _

from kouprey.cases.models import Case
from kouprey.core.filters import SortFilter
from kouprey.core.search import SearchFilter
from kouprey.reference.models import Agency
from kouprey.seizures.filters import MAX_ID, AnyRelatedFilter, BoundedIntegerField, record_ids


class RecordIdField(BoundedIntegerField):
    """A record's id: a whole number in the database's range (a bigger one overflowed
    SQLite's integers: a 500 before)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID,
                         message=_("Give a record id: a whole number from 1."), **kwargs)


class RecordIdFilter(df.NumberFilter):
    field_class = RecordIdField


class CaseFilter(df.FilterSet):
    q = SearchFilter(label=_("Search"))
    opened_after = df.DateFilter(field_name="opened_on", lookup_expr="gte",
                                 label=_("Opened on or after"))
    opened_before = df.DateFilter(field_name="opened_on", lookup_expr="lte",
                                  label=_("Opened on or before"))
    agency = AnyRelatedFilter(field_name="agency_roles__agency",
                              queryset=Agency.objects.all(), label=_("Agency"))
    seizure = RecordIdFilter(field_name="seizures", label=_("Seizure id"))
    ids = record_ids(_("Record ids"))
    sort = SortFilter(fields={"opened": ("opened_on", _("Opened")),
                              "number": ("case_number", _("Case number")),
                              "title": ("title", _("Title"))}, label=_("Sort"))

    class Meta:
        model = Case
        fields = ["q", "opened_after", "opened_before", "agency", "seizure", "ids"]
