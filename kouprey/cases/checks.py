"""Case timeline consistency rules for `kouprey check` (see core.checks)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db.models import DateField, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from kouprey.cases.models import Case, CaseEvent
from kouprey.core.checks import ERROR, Check, Problem

if TYPE_CHECKING:
    from kouprey.core.models import User

Kind, Outcome = CaseEvent.Kind, CaseEvent.Outcome


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


def verdict_without_charge(user: User) -> Iterator[Problem]:
    """A verdict needs a charge before it (for the same defendant, or the whole case)."""
    events = CaseEvent.objects.restrict(user, "view")
    verdicts = _without_earlier(events.filter(kind=Kind.VERDICT),
                                CaseEvent.objects.filter(kind=Kind.CHARGE))
    yield from _problems("verdict_without_charge", verdicts,
                         _("%(event)s of %(date)s has no charge before it."))


def sentence_without_conviction(user: User) -> Iterator[Problem]:
    """A sentence needs a conviction before it (same defendant, or the whole case)."""
    events = CaseEvent.objects.restrict(user, "view")
    sentences = _without_earlier(events.filter(kind=Kind.SENTENCE), CaseEvent.objects.filter(
        kind=Kind.VERDICT, outcome=Outcome.CONVICTION))
    yield from _problems("sentence_without_conviction", sentences,
                         _("%(event)s of %(date)s has no conviction before it."))


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
