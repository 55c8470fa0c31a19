"""The indicators, computed from the records a user may see, each traceable to its records.

Every number is an aggregate in SQL over ``Seizure.objects.restrict(user, "view")`` or
``Case.objects.restrict(user, "view")``, computed afresh on every call; the page and the
CLI go through ``indicators.cache``, which serves a repeated table only while the database's
data version (core.dataversion) is unchanged, so a number is never stale.
Every number also has its exact record set: ``records(scope, id, key)`` returns the queryset
of the seizures or cases it counts (the pages link each number to it; tests check that the
count of that queryset is the number).

Date range (``since``/``until``) semantics, documented in docs/indicators.md:

- seizure indicators count the seizures whose **seizure date** is in the range;
- case indicators count the cases whose **earliest linked seizure** is in the range (a case
  without seizures has no date: it is counted only when no range is given);
- whether a seizure reached prosecution, conviction or a verdict is decided by the visible
  cases linked to it, whatever the date of the court events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from statistics import median
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import (
    DateField,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from kouprey.cases.models import Case, CaseAgency, CaseEvent
from kouprey.cases.services import NOT_COORDINATION, PROSECUTION_KINDS
from kouprey.core.checks import all_records_reader
from kouprey.indicators.breakdowns import BREAKDOWNS
from kouprey.reference.models import CommodityType
from kouprey.seizures.models import Seizure, SeizureItem
from kouprey.seizures.services import WORKED_TO_RAW

if TYPE_CHECKING:
    from kouprey.core.models import User

CAVEAT = _(
    "Seizure counts show where crime was detected and reported, not how much crime there "
    "is: they rise and fall with enforcement effort and reporting (ETIS corrects for this "
    "with a bias model)."
)
SEIZURE, CASE = "seizure", "case"
CaseSeizure = Case.seizures.through
Kind = CaseEvent.Kind


@dataclass(frozen=True)
class Scope:
    """Whose records, and which: the user, the seizure-date range, validated only or not."""

    user: User | None = None  # None: every record (administrator's view)
    since: date | None = None
    until: date | None = None
    validated_only: bool = False

    @property
    def reader(self) -> User:
        return self.user if self.user is not None else all_records_reader()

    def seizures(self) -> QuerySet[Seizure]:
        qs = Seizure.objects.restrict(self.reader, "view")
        if self.since:
            qs = qs.filter(date__gte=self.since)
        if self.until:
            qs = qs.filter(date__lte=self.until)
        if self.validated_only:
            qs = qs.filter(validation_status=Seizure.Validation.VALIDATED)
        return qs

    def children(self, model: type[models.Model]) -> QuerySet[Any]:
        """Rows of a table that belongs to seizures (items, suspects ...) in the scope."""
        manager: Any = model._default_manager
        if not self.reader.is_superuser:
            return manager.filter(seizure__in=self.seizures().values("pk"))
        # restrict() keeps every seizure for a superuser: filter on the columns, no subquery.
        rows = manager.restrict(self.reader, "view") if hasattr(manager, "restrict") \
            else manager.all()
        if self.since:
            rows = rows.filter(seizure__date__gte=self.since)
        if self.until:
            rows = rows.filter(seizure__date__lte=self.until)
        if self.validated_only:
            rows = rows.filter(seizure__validation_status=Seizure.Validation.VALIDATED)
        return rows

    def visible_cases(self) -> QuerySet[Case]:
        return Case.objects.restrict(self.reader, "view")

    def cases(self) -> QuerySet[Case]:
        """Visible cases whose earliest linked seizure is in the range."""
        qs = self.visible_cases()
        if not (self.since or self.until):
            return qs
        first = CaseSeizure.objects.filter(case_id=OuterRef("pk")).order_by(
            "seizure__date").values("seizure__date")[:1]
        qs = qs.annotate(first_seizure=Subquery(first, output_field=DateField()))
        if self.since:
            qs = qs.filter(first_seizure__gte=self.since)
        if self.until:
            qs = qs.filter(first_seizure__lte=self.until)
        return qs

    def list_params(self) -> dict[str, str]:
        """The seizure-list filters (seizures.filters.SeizureFilter) that select this scope."""
        params: dict[str, str] = {}
        if self.since:
            params["date_from"] = self.since.isoformat()
        if self.until:
            params["date_to"] = self.until.isoformat()
        if self.validated_only:
            params["validation_status"] = Seizure.Validation.VALIDATED
        return params

    def query(self) -> dict[str, str]:
        """The scope as query parameters of the indicator pages."""
        params: dict[str, str] = {}
        if self.since:
            params["since"] = self.since.isoformat()
        if self.until:
            params["until"] = self.until.isoformat()
        if self.validated_only:
            params["validated"] = "1"
        return params


@dataclass
class Indicator:
    """One number: an indicator, or one row of a breakdown (``key`` names the row)."""

    id: str
    label: str
    value: int | float | None
    unit: str
    records: str = SEIZURE  # the kind of record the number counts (seizure or case)
    group: str = "headline"
    key: str = ""
    numerator: int | None = None
    denominator: int | None = None
    numerator_id: str = ""  # the indicators whose records the numerator/denominator are
    denominator_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.numerator is None:
            for name in ("numerator", "denominator", "numerator_id", "denominator_id"):
                data.pop(name)
        return data


def number(value: Decimal | int | float | None) -> float | int | None:
    """A value for JSON: decimals (weights) as floats rounded to grams."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value.quantize(Decimal("0.001")))
    return value


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


# --- record sets behind the headline numbers -----------------------------------------------

def _seizures_linked_to(scope: Scope, cases: QuerySet[Case]) -> QuerySet[Seizure]:
    links = CaseSeizure.objects.filter(case_id__in=cases.values("pk")).values("seizure_id")
    return scope.seizures().filter(pk__in=links)


def _prosecuted_cases(scope: Scope) -> QuerySet[Case]:
    return scope.visible_cases().filter(events__kind__in=PROSECUTION_KINDS)


def _convicted_cases(scope: Scope) -> QuerySet[Case]:
    return scope.visible_cases().filter(events__kind=Kind.VERDICT,
                                        events__outcome=CaseEvent.Outcome.CONVICTION)


def _verdict_cases(scope: Scope) -> QuerySet[Case]:
    return scope.visible_cases().filter(events__kind=Kind.VERDICT)


def _interagency_cases(scope: Scope) -> QuerySet[Case]:
    """Indicator 2.2 (cases.services.has_interagency_coordination): >= 2 distinct agencies
    in roles other than the court's.

    Two distinct agencies exactly when the smallest and largest agency id differ: a GROUP BY
    along the (case, agency, role) index, with no DISTINCT to sort.
    """
    several = CaseAgency.objects.exclude(role__in=NOT_COORDINATION).values("case_id").annotate(
        lo=Min("agency_id"), hi=Max("agency_id")).filter(lo__lt=F("hi")).values("case_id")
    return scope.cases().filter(pk__in=several)


HEADLINE_RECORDS: dict[str, tuple[str, Callable[[Scope], QuerySet[Any]]]] = {
    "seizures_total": (SEIZURE, lambda s: s.seizures()),
    "seizures_with_prosecution": (SEIZURE, lambda s: _seizures_linked_to(
        s, _prosecuted_cases(s))),
    "seizures_with_conviction": (SEIZURE, lambda s: _seizures_linked_to(
        s, _convicted_cases(s))),
    "total_weight_kg": (SEIZURE, lambda s: s.seizures().filter(
        pk__in=SeizureItem.objects.filter(weight_kg__gt=0).values("seizure_id"))),
    "rie_kg": (SEIZURE, lambda s: s.seizures().filter(
        pk__in=SeizureItem.objects.filter(commodity__is_ivory=True).values("seizure_id"))),
    "median_days_to_verdict": (SEIZURE, lambda s: _seizures_linked_to(s, _verdict_cases(s))),
    "cases_total": (CASE, lambda s: s.cases()),
    "cases_interagency": (CASE, _interagency_cases),
}
COUNTED = ["seizures_total", "seizures_with_prosecution", "seizures_with_conviction",
           "cases_total", "cases_interagency"]
RATIO_PARTS = {
    "prosecution_rate": ("seizures_with_prosecution", "seizures_total"),
    "conviction_rate": ("seizures_with_conviction", "seizures_total"),
    "interagency_rate": ("cases_interagency", "cases_total"),
}


def _days_to_first_verdict(scope: Scope) -> QuerySet[Any]:
    """One row per seizure of the scope with a verdict in a visible linked case: ``days``.

    Driven from the links of the (few) cases with a verdict rather than from every seizure.
    """
    links = scope.children(CaseSeizure).filter(case_id__in=_verdict_cases(scope).values("pk"))
    return links.values("seizure_id").annotate(
        first=Min("case__events__date", filter=Q(case__events__kind=Kind.VERDICT)),
        seized=Min("seizure__date"),
    ).annotate(days=ExpressionWrapper(F("first") - F("seized"), output_field=DurationField()))


def _median_days(scope: Scope) -> tuple[float | None, int]:
    """Median of the days from seizure to first verdict, and over how many seizures."""
    days = [d.days for d in _days_to_first_verdict(scope).values_list("days", flat=True)]
    return (median(days) if days else None), len(days)


def _weights(scope: Scope) -> dict[str, Decimal]:
    """Total item weight and raw ivory equivalent (ETIS: raw + worked / 0.7), in one scan.

    The ivory commodities are looked up first, so the scan needs no join.
    """
    decimal = DecimalField(max_digits=16, decimal_places=3)
    ivory = list(CommodityType.objects.filter(is_ivory=True).values_list("pk", flat=True))
    rie = models.Case(
        When(commodity_id__in=ivory, worked=True, then=F("weight_kg") / WORKED_TO_RAW),
        When(commodity_id__in=ivory, then=F("weight_kg")), default=Value(0),
        output_field=decimal)
    return scope.children(SeizureItem).aggregate(
        weight=Coalesce(Sum("weight_kg"), Value(0), output_field=decimal),
        rie=Coalesce(Sum(rie), Value(0), output_field=decimal))


def headline(scope: Scope) -> list[Indicator]:
    counts = {name: HEADLINE_RECORDS[name][1](scope).count() for name in COUNTED}
    return headline_rows(counts, _weights(scope), *_median_days(scope))


def headline_rows(counts: dict[str, int], weights: dict[str, Decimal], median: float | None,
                  with_verdict: int) -> list[Indicator]:
    """The headline indicators from their figures (shared with indicators.rollups)."""

    def count(name: str, unit: str) -> Indicator:
        return Indicator(name, str(HEADLINE_LABELS[name]), counts[name], unit,
                         HEADLINE_RECORDS[name][0])

    def ratio(name: str) -> Indicator:
        top, bottom = RATIO_PARTS[name]
        return Indicator(name, str(HEADLINE_LABELS[name]), _ratio(counts[top], counts[bottom]),
                         "ratio", HEADLINE_RECORDS[top][0], numerator=counts[top],
                         denominator=counts[bottom], numerator_id=top, denominator_id=bottom)

    def label(name: str) -> str:
        return str(HEADLINE_LABELS[name])

    return [
        count("seizures_total", "seizures"),
        count("seizures_with_prosecution", "seizures"),
        count("seizures_with_conviction", "seizures"),
        ratio("prosecution_rate"),
        ratio("conviction_rate"),
        count("cases_total", "cases"),
        count("cases_interagency", "cases"),
        ratio("interagency_rate"),
        Indicator("total_weight_kg", label("total_weight_kg"), number(weights["weight"]), "kg"),
        Indicator("rie_kg", label("rie_kg"), number(weights["rie"]), "kg"),
        Indicator("median_days_to_verdict", label("median_days_to_verdict"), median, "days",
                  extra={"seizures": with_verdict}),
    ]


HEADLINE_LABELS: dict[str, Any] = {
    "seizures_total": _("Seizures"),
    "seizures_with_prosecution": _("Seizures that reached prosecution"),
    "seizures_with_conviction": _("Seizures that led to a conviction"),
    "prosecution_rate": _("Share of seizures reaching prosecution"),
    "conviction_rate": _("Share of seizures resulting in a conviction (outcome indicator 0.1)"),
    "cases_total": _("Cases"),
    "cases_interagency": _("Cases with inter-agency coordination"),
    "interagency_rate": _("Share of cases with inter-agency coordination (indicator 2.2)"),
    "total_weight_kg": _("Total weight seized (kg)"),
    "rie_kg": _("Raw ivory equivalent (kg, ETIS: raw + worked / 0.7)"),
    "median_days_to_verdict": _("Median days from seizure to first verdict"),
}


def row_label_of(indicator_id: str, key: str) -> str:
    """The label of a breakdown's row (``key``), '' for a headline figure or no key;
    ValueError for a key no row can have."""
    if not key or indicator_id not in BREAKDOWNS:
        return ""
    return BREAKDOWNS[indicator_id].key_label(key)


def label_of(indicator_id: str) -> str:
    """An indicator's label (a breakdown's: its title), or KeyError."""
    if indicator_id in HEADLINE_LABELS:
        return str(HEADLINE_LABELS[indicator_id])
    return str(BREAKDOWNS[indicator_id].label)


def breakdowns(scope: Scope) -> dict[str, list[Indicator]]:
    """Every breakdown's rows (see indicators.breakdowns)."""
    return {b.id: b.rows(scope) for b in BREAKDOWNS.values()}


def compute(scope: Scope) -> list[Indicator]:
    """Every indicator and breakdown row for the scope, in display order."""
    rows = headline(scope)
    for group in breakdowns(scope).values():
        rows.extend(group)
    return rows


def find(rows: Iterable[Indicator], indicator_id: str, key: str = "") -> Indicator:
    return next(r for r in rows if r.id == indicator_id and r.key == key)


# --- the exact records behind a number -----------------------------------------------------

def record_kind(indicator_id: str) -> str:
    if indicator_id in RATIO_PARTS:
        indicator_id = RATIO_PARTS[indicator_id][0]
    if indicator_id in HEADLINE_RECORDS:
        return HEADLINE_RECORDS[indicator_id][0]
    if indicator_id in BREAKDOWNS:
        return SEIZURE
    raise KeyError(indicator_id)


def records(scope: Scope, indicator_id: str, key: str = "") -> QuerySet[Any]:
    """The exact seizures or cases a number counts (a ratio: its numerator's records)."""
    if indicator_id in RATIO_PARTS:
        indicator_id = RATIO_PARTS[indicator_id][0]
    if indicator_id in HEADLINE_RECORDS:
        return HEADLINE_RECORDS[indicator_id][1](scope)
    if indicator_id in BREAKDOWNS:
        return BREAKDOWNS[indicator_id].records(scope, key)
    raise KeyError(indicator_id)


def list_filter(scope: Scope, indicator_id: str, key: str = "") -> dict[str, str] | None:
    """Seizure-list parameters that select exactly a number's records, when filters can."""
    if indicator_id == "seizures_total":
        return scope.list_params()
    breakdown = BREAKDOWNS.get(indicator_id)
    if breakdown is None:
        return None
    row = breakdown.list_filter(key)
    return None if row is None else {**scope.list_params(), **row}
