"""Case timeline consistency rules for `kouprey check` (see core.checks).

The order rules (a verdict needs a charge before it ...) are ``services.ORDER_RULES``, which
the forms and the API apply to a new or changed event: what this check calls an error cannot
be saved any more; older data is still reported here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db.models import DateField, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from kouprey.cases.models import Case, CaseEvent
from kouprey.cases.services import ORDER_RULES, NeedsEarlier
from kouprey.core.checks import ERROR, Check, Problem

if TYPE_CHECKING:
    from kouprey.core.models import User

Kind = CaseEvent.Kind
RULES = {rule.code: rule for rule in ORDER_RULES}


def _problems(rule: str, events: QuerySet[CaseEvent], message: str) -> Iterator[Problem]:
    rows = events.values_list("case_id", "case__case_number", "case__title", "kind", "date")
    for case_id, number, title, kind, when in rows:
        yield Problem(rule, ERROR, "case", case_id, number or title, message % {
            "event": Kind(kind).label, "date": when.isoformat()})


def _without_earlier(events: QuerySet[CaseEvent], earlier: QuerySet[CaseEvent]
                     ) -> QuerySet[CaseEvent]:
    """Events with no ``earlier`` event (same case, on or before, same or no defendant)."""
    before = earlier.filter(case=OuterRef("case"), date__lte=OuterRef("date"))
    same = before.filter(Q(defendant__isnull=True) | Q(defendant=OuterRef("defendant")))
    return events.annotate(any_before=Exists(before), same_before=Exists(same)).filter(
        Q(defendant__isnull=True, any_before=False)
        | Q(defendant__isnull=False, same_before=False))


def _order_problems(user: User, rule: NeedsEarlier) -> Iterator[Problem]:
    """One of ``services.ORDER_RULES`` (the rule the forms and the API also apply)."""
    events = CaseEvent.objects.restrict(user, "view").filter(kind=rule.kind)
    found = _without_earlier(events, CaseEvent.objects.filter(**rule.earlier))
    yield from _problems(rule.code, found, str(rule.report))


def verdict_without_charge(user: User) -> Iterator[Problem]:
    """A verdict needs a charge before it (for the same defendant, or the whole case)."""
    yield from _order_problems(user, RULES["verdict_without_charge"])


def sentence_without_conviction(user: User) -> Iterator[Problem]:
    """A sentence needs a conviction before it (same defendant, or the whole case)."""
    yield from _order_problems(user, RULES["sentence_without_conviction"])


def verdict_without_outcome(user: User) -> Iterator[Problem]:
    events = CaseEvent.objects.restrict(user, "view").filter(kind=Kind.VERDICT, outcome="")
    yield from _problems("verdict_without_outcome", events,
                         _("%(event)s of %(date)s has no outcome."))


def event_before_seizure(user: User) -> Iterator[Problem]:
    """No event of a case is dated before the earliest seizure it follows."""
    first = Case.seizures.through.objects.filter(case_id=OuterRef("case_id")).order_by(
        "seizure__date").values("seizure__date")[:1]
    events = CaseEvent.objects.restrict(user, "view").annotate(
        first_seizure=Subquery(first, output_field=DateField())).filter(
        date__lt=F("first_seizure"))
    yield from _problems("event_before_seizure", events,
                         _("%(event)s of %(date)s is before the seizure it follows."))


CHECKS: list[Check] = [verdict_without_charge, sentence_without_conviction,
                       verdict_without_outcome, event_before_seizure]
