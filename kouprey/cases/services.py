"""Case rules: the derived stage, and the checks a timeline must pass."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from kouprey.cases.models import Case, CaseAgency, CaseEvent, Defendant

# The chain from seizure to sentence; a case is at the furthest stage its events reach.
STAGES: list[tuple[str, set[str]]] = [
    ("seizure", set()),
    ("investigation", {CaseEvent.Kind.ARREST, CaseEvent.Kind.INVESTIGATION,
                       CaseEvent.Kind.SAMPLING}),
    ("prosecution", {CaseEvent.Kind.REFERRAL, CaseEvent.Kind.CHARGE,
                     CaseEvent.Kind.TRANSACTION}),
    ("court", {CaseEvent.Kind.ARRAIGNMENT, CaseEvent.Kind.BAIL, CaseEvent.Kind.MENTION,
               CaseEvent.Kind.HEARING}),
    ("verdict", {CaseEvent.Kind.VERDICT, CaseEvent.Kind.SENTENCE}),
    ("appeal", {CaseEvent.Kind.APPEAL}),
]
PROSECUTION_KINDS = {CaseEvent.Kind.REFERRAL, CaseEvent.Kind.CHARGE,
                     CaseEvent.Kind.ARRAIGNMENT, CaseEvent.Kind.HEARING,
                     CaseEvent.Kind.VERDICT, CaseEvent.Kind.SENTENCE}


def stage(events: Iterable[CaseEvent]) -> str:
    """The furthest stage the events reach; 'settled' when a transactional fine was paid."""
    events = list(events)
    kinds = {e.kind for e in events}
    reached = "seizure"
    for name, stage_kinds in STAGES:
        if kinds & stage_kinds:
            reached = name
    paid = any(e.kind == CaseEvent.Kind.TRANSACTION
               and e.fine_status == CaseEvent.FineStatus.PAID for e in events)
    if paid and reached in {"investigation", "prosecution"}:
        return "settled"
    return reached


def is_convicted(events: Iterable[CaseEvent]) -> bool:
    return any(e.kind == CaseEvent.Kind.VERDICT and e.outcome == CaseEvent.Outcome.CONVICTION
               for e in events)


def is_prosecuted(events: Iterable[CaseEvent]) -> bool:
    return any(e.kind in PROSECUTION_KINDS for e in events)


def has_interagency_coordination(roles: Iterable[CaseAgency]) -> bool:
    """Inter-agency coordination (indicator 2.2): two or more distinct agencies involved."""
    return len({r.agency_id for r in roles}) >= 2


def check_events(case: Case, events: Sequence[CaseEvent], first_seizure_date=None) -> None:
    """A timeline's own rules: nothing before the seizure; a verdict needs a charge."""
    errors: dict[str, list[str]] = {}
    for index, event in enumerate(events):
        if first_seizure_date and event.date < first_seizure_date:
            errors.setdefault(f"events[{index}].date", []).append(
                f"{event.get_kind_display()} dated {event.date} is before the seizure "
                f"({first_seizure_date}).")
        if event.kind == CaseEvent.Kind.VERDICT and not event.outcome:
            errors.setdefault(f"events[{index}].outcome", []).append(
                "A verdict needs an outcome.")
        if event.kind == CaseEvent.Kind.TRANSACTION and not event.fine_status:
            errors.setdefault(f"events[{index}].fine_status", []).append(
                "Say whether the transactional fine was paid or refused.")
    if errors:
        raise ValidationError(errors)


def first_seizure_date(case: Case):  # type: ignore[no-untyped-def]
    dates = [s.date for s in case.seizures.all()]
    return min(dates) if dates else None


@transaction.atomic
def save_case(case: Case, seizures: Sequence[object] = (), roles: Sequence[CaseAgency] = (),
              defendants: Sequence[Defendant] = (), events: Sequence[CaseEvent] = ()) -> Case:
    """Validate and save a case with its links and timeline, all or nothing."""
    case.full_clean(exclude=["owner_org"] if not case.owner_org_id else None)
    dates = [s.date for s in seizures]  # type: ignore[attr-defined]
    check_events(case, events, min(dates) if dates else None)
    case.save()
    case.seizures.set(seizures)  # type: ignore[arg-type]
    for child in (*roles, *defendants):
        child.case = case
        child.save()
    for event in events:
        event.case = case
        if event.defendant is not None:
            event.defendant = event.defendant  # saved above
        event.save()
    return case
