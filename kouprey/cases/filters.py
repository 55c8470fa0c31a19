"""Case list filters, shared by the pages, the JSON twins, the API and the exports."""

from __future__ import annotations

import django_filters as df
from django.utils.translation import gettext_lazy as _

from kouprey.cases.models import Case
from kouprey.core.filters import RecordIdFilter, SortFilter, record_ids
from kouprey.core.search import SearchFilter
from kouprey.reference.models import Agency
from kouprey.seizures.filters import AnyRelatedFilter


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
