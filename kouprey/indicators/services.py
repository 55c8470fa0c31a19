"""The indicators, computed from the records a user may see, each traceable to its records.

Every number is an aggregate in SQL over ``Seizure.objects.restrict(user, "view")`` or
``Case.objects.restrict(user, "view")``; nothing is cached, so a number is never stale.
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
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import (
    Count,
    DateField,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
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
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kouprey.cases.models import Case, CaseEvent
from kouprey.cases.services import PROSECUTION_KINDS
from kouprey.core.checks import all_records_reader
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


def _number(value: Decimal | int | float | None) -> float | int | None:
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
    return scope.visible_cases().filter(events__kind=CaseEvent.Kind.VERDICT,
                                        events__outcome=CaseEvent.Outcome.CONVICTION)


def _interagency_cases(scope: Scope) -> QuerySet[Case]:
    """Indicator 2.2 (cases.services.has_interagency_coordination): >= 2 distinct agencies."""
    multi = scope.visible_cases().annotate(
        n_agencies=Count("agency_roles__agency", distinct=True)).filter(n_agencies__gte=2)
    return scope.cases().filter(pk__in=multi.values("pk"))


def _verdict_seizures(scope: Scope) -> QuerySet[Any]:
    """Seizures with a verdict in a linked visible case, with ``days`` to the first one."""
    verdict_cases = scope.visible_cases().filter(events__kind=CaseEvent.Kind.VERDICT)
    return scope.seizures().filter(cases__in=verdict_cases.values("pk")).annotate(
        first_verdict=Min("cases__events__date",
                          filter=Q(cases__events__kind=CaseEvent.Kind.VERDICT)),
    ).annotate(days=ExpressionWrapper(F("first_verdict") - F("date"),
                                      output_field=DurationField()))


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
    "median_days_to_verdict": (SEIZURE, lambda s: s.seizures().filter(
        pk__in=_verdict_seizures(s).values("pk"))),
    "cases_total": (CASE, lambda s: s.cases()),
    "cases_interagency": (CASE, _interagency_cases),
}
RATIO_PARTS = {
    "prosecution_rate": ("seizures_with_prosecution", "seizures_total"),
    "conviction_rate": ("seizures_with_conviction", "seizures_total"),
    "interagency_rate": ("cases_interagency", "cases_total"),
}


def _median_days(scope: Scope) -> tuple[float | None, int]:
    """Median of the days from seizure to first verdict, picked in SQL; and how many."""
    rows = _verdict_seizures(scope).order_by("days", "pk")
    n = rows.count()
    if not n:
        return None, 0
    middle = [d.days for d in rows.values_list("days", flat=True)[(n - 1) // 2: n // 2 + 1]]
    return sum(middle) / len(middle), n


def _weights(scope: Scope) -> dict[str, Decimal]:
    """Total item weight and raw ivory equivalent (ETIS: raw + worked / 0.7), in one query."""
    decimal = DecimalField(max_digits=16, decimal_places=3)
    ivory = Q(commodity__is_ivory=True)
    rie = models.Case(When(ivory & Q(worked=True), then=F("weight_kg") / WORKED_TO_RAW),
                When(ivory, then=F("weight_kg")), default=Value(0), output_field=decimal)
    items = SeizureItem.objects.filter(seizure__in=scope.seizures().values("pk"))
    return items.aggregate(weight=Coalesce(Sum("weight_kg"), Value(0), output_field=decimal),
                           rie=Coalesce(Sum(rie), Value(0), output_field=decimal))


def headline(scope: Scope) -> list[Indicator]:
    counts = {name: query(scope).count() for name, (_kind, query) in HEADLINE_RECORDS.items()
              if name not in {"total_weight_kg", "rie_kg", "median_days_to_verdict"}}
    weights = _weights(scope)
    median, with_verdict = _median_days(scope)

    def count(name: str, label: Any, unit: str) -> Indicator:
        return Indicator(name, str(label), counts[name], unit, HEADLINE_RECORDS[name][0])

    def ratio(name: str, label: Any) -> Indicator:
        top, bottom = RATIO_PARTS[name]
        return Indicator(name, str(label), _ratio(counts[top], counts[bottom]), "ratio",
                         HEADLINE_RECORDS[top][0], numerator=counts[top],
                         denominator=counts[bottom], numerator_id=top, denominator_id=bottom)

    return [
        count("seizures_total", _("Seizures"), "seizures"),
        count("seizures_with_prosecution", _("Seizures that reached prosecution"), "seizures"),
        count("seizures_with_conviction", _("Seizures that led to a conviction"), "seizures"),
        ratio("prosecution_rate", _("Share of seizures reaching prosecution")),
        ratio("conviction_rate",
              _("Share of seizures resulting in a conviction (outcome indicator 0.1)")),
        count("cases_total", _("Cases"), "cases"),
        count("cases_interagency", _("Cases with inter-agency coordination"), "cases"),
        ratio("interagency_rate",
              _("Share of cases with inter-agency coordination (indicator 2.2)")),
        Indicator("total_weight_kg", str(_("Total weight seized (kg)")),
                  _number(weights["weight"]), "kg"),
        Indicator("rie_kg", str(_("Raw ivory equivalent (kg, ETIS: raw + worked / 0.7)")),
                  _number(weights["rie"]), "kg"),
        Indicator("median_days_to_verdict", str(_("Median days from seizure to first verdict")),
                  median, "days", extra={"seizures": with_verdict}),
    ]


# --- breakdowns ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Breakdown:
    """Seizures counted by one attribute (``fields``: the grouped paths, with their names)."""

    id: str
    label: Any
    fields: tuple[str, ...]  # paths that key a row (one, or three for flows)
    names: tuple[tuple[str, str], ...]  # per key path: (name path, Khmer name path)
    list_param: str = ""  # the seizure-list filter that selects one row's records, if any
    weight: str = ""  # an item weight path summed in the row, if any
    unknown: Any = _("Unknown")
    require: Q = Q()  # only seizures meeting this are grouped (same join as the key)
    chronological: bool = False

    def grouped(self, scope: Scope) -> QuerySet[Seizure]:
        return scope.seizures().filter(self.require) if self.require else scope.seizures()

    def rows(self, scope: Scope) -> list[Indicator]:
        name_paths = [p for pair in self.names for p in pair if p]
        aggregates: dict[str, Any] = {"n": Count("pk", distinct=True)}
        if self.weight:
            aggregates["kg"] = Sum(self.weight)
        qs = self.grouped(scope).values(*self.fields, *name_paths).annotate(**aggregates)
        rows = []
        for row in qs.order_by(*self.fields):
            keys = [row[f] for f in self.fields]
            if len(keys) > 1 and all(k is None for k in keys):
                continue  # a seizure with no trade chain recorded is not a flow
            labels = [self._label(row, i) for i in range(len(self.fields))]
            extra = {"weight_kg": _number(row["kg"])} if self.weight else {}
            rows.append(Indicator(self.id, " → ".join(labels), row["n"], "seizures",
                                  group=self.id, key=key_of(keys), extra=extra))
        if not self.chronological:
            rows.sort(key=lambda r: (-(r.value or 0), r.label))
        return rows

    def _label(self, row: dict[str, Any], index: int) -> str:
        value = row[self.fields[index]]
        if value is None:
            return str(self.unknown if len(self.fields) == 1 else "—")
        if index >= len(self.names) or not self.names[index][0]:
            return str(value)
        name, name_km = self.names[index]
        khmer = row.get(name_km) if name_km else ""
        if khmer and (get_language() or "en").startswith("km"):
            return str(khmer)
        return str(row[name])

    def records(self, scope: Scope, key: str) -> QuerySet[Seizure]:
        condition = Q()
        for path, value in zip(self.fields, parse_key(key, len(self.fields)), strict=True):
            condition &= Q(**{f"{path}__isnull": True}) if value is None else Q(**{path: value})
        matching = scope.seizures().filter(self.require & condition).values("pk")
        return scope.seizures().filter(pk__in=matching)

    def list_filter(self, key: str) -> dict[str, str] | None:
        """The seizure-list parameters for one row, when a list filter expresses it."""
        if not self.list_param or key == "":
            return None
        return {self.list_param: key}


def key_of(keys: Iterable[Any]) -> str:
    return "|".join("" if k is None else str(k) for k in keys)


def parse_key(key: str, parts: int) -> list[Any]:
    values = key.split("|") if parts > 1 else [key]
    if len(values) != parts:
        raise ValueError(f"A key of {parts} parts is expected, not {key!r}.")
    return [None if v == "" else v for v in values]


BREAKDOWNS: dict[str, Breakdown] = {b.id: b for b in [
    Breakdown("seizures_by_year", _("Seizures by year"), ("date__year",), (("", ""),),
              list_param="year", chronological=True),
    Breakdown("seizures_by_place", _("Seizures by place"), ("place",),
              (("place__name", "place__name_km"),), list_param="place",
              unknown=_("Place not recorded")),
    Breakdown("seizures_by_agency", _("Seizures by detecting agency"), ("agencies",),
              (("agencies__name", "agencies__name_km"),), list_param="agency",
              unknown=_("Agency not recorded")),
    Breakdown("seizures_by_taxon", _("Seizures by taxon"), ("items__taxon",),
              (("items__taxon__scientific_name", ""),), list_param="taxon",
              weight="items__weight_kg", unknown=_("Taxon not recorded")),
    Breakdown("seizures_by_commodity", _("Seizures by commodity"), ("items__commodity",),
              (("items__commodity__name", "items__commodity__name_km"),),
              list_param="commodity", weight="items__weight_kg",
              unknown=_("No items recorded")),
    Breakdown("seizures_by_nationality", _("Seizures by suspects' nationality"),
              ("suspects__nationality",),
              (("suspects__nationality__name", "suspects__nationality__name_km"),),
              list_param="nationality", unknown=_("Nationality not recorded"),
              require=Q(suspects__isnull=False)),
    Breakdown("flows", _("Trade flows: origin → transit → destination"),
              ("origins__country", "transits__country", "destination_country"),
              (("origins__country__name", "origins__country__name_km"),
               ("transits__country__name", "transits__country__name_km"),
               ("destination_country__name", "destination_country__name_km"))),
]}


def breakdowns(scope: Scope) -> dict[str, list[Indicator]]:
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
