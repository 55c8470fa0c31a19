"""Case list filters, shared by the pages, the JSON twins, the API and the exports."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kouprey.cases.models import Case, CaseEvent
from kouprey.cases.services import STAGE_LABELS, STAGES
from kouprey.core.filters import RecordIdFilter, SortFilter, record_ids
from kouprey.core.search import SearchFilter
from kouprey.reference.models import Agency
from kouprey.seizures.filters import AnyRelatedFilter


def _has(kinds: set[str], **more: Any) -> Exists:
    return Exists(CaseEvent.objects.filter(case=OuterRef("pk"), kind__in=kinds, **more))


def stage_condition(name: str) -> Q:
    """The cases whose stage (``services.stage``: the furthest stage their events reach,
    "settled" for a transactional fine paid before any court event) is ``name``, as SQL: an
    event of that stage and none of a later one. A test compares it with ``services.stage``
    on every case of up to two events."""
    order = [stage for stage, _kinds in STAGES]
    paid = _has({CaseEvent.Kind.TRANSACTION}, fine_status=CaseEvent.FineStatus.PAID)
    court_on = set().union(*(kinds for _s, kinds in STAGES[order.index("court"):]))
    if name == "settled":
        return Q(paid) & ~Q(_has(court_on))
    index = order.index(name)
    later = set().union(*(kinds for _s, kinds in STAGES[index + 1:]))
    condition = ~Q(_has(later)) if later else Q()
    if STAGES[index][1]:
        condition &= Q(_has(STAGES[index][1]))
    if name in {"investigation", "prosecution"}:
        condition &= ~Q(paid)
    return condition


class StageFilter(df.ChoiceFilter):
    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        return qs.filter(stage_condition(value)) if value else qs


class OutcomeFilter(df.ChoiceFilter):
    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        return qs.filter(_has({CaseEvent.Kind.VERDICT}, outcome=value))


def _courts(request: Any) -> QuerySet[Agency]:
    return Agency.objects.filter(kind=Agency.Kind.COURT)


class CaseFilter(df.FilterSet):
    q = SearchFilter(label=_("Search"))
    opened_after = df.DateFilter(field_name="opened_on", lookup_expr="gte",
                                 label=_("Opened on or after"))
    opened_before = df.DateFilter(field_name="opened_on", lookup_expr="lte",
                                  label=_("Opened on or before"))
    agency = AnyRelatedFilter(field_name="agency_roles__agency",
                              queryset=Agency.objects.all(), label=_("Agency"))
    stage = StageFilter(choices=list(STAGE_LABELS.items()), label=_("Stage"))
    outcome = OutcomeFilter(choices=CaseEvent.Outcome.choices, label=_("Verdict"))
    court = df.ModelChoiceFilter(queryset=_courts, label=_("Court"))
    seizure = RecordIdFilter(field_name="seizures", label=_("Seizure id"))
    ids = record_ids(_("Record ids"))
    sort = SortFilter(fields={"opened": ("opened_on", _("Opened")),
                              "number": ("case_number", _("Case number")),
                              "title": ("title", _("Title"))}, label=_("Sort"))

    class Meta:
        model = Case
        fields = ["q", "opened_after", "opened_before", "agency", "stage", "outcome", "court",
                  "seizure", "ids"]
