"""Case rules: the derived stage, the checks a timeline must pass, saving a whole case.

Forms, the API, the importers and the demo all save through ``save_case`` (or ``add_event``
for one more event) so the same validation applies everywhere, and a rejected case leaves
nothing half-written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kouprey.cases.models import Case, CaseAgency, CaseEvent, Defendant
from kouprey.reference.words import token
from kouprey.seizures.services import join_words

# The chain from seizure to sentence; a case is at the furthest stage its events reach.
STAGES: list[tuple[str, set[str]]] = [
    ("seizure", set()),
    ("investigation", {CaseEvent.Kind.ARREST, CaseEvent.Kind.INVESTIGATION,
                       CaseEvent.Kind.SAMPLING}),
    ("prosecution", {CaseEvent.Kind.REFERRAL, CaseEvent.Kind.CHARGE,
                     CaseEvent.Kind.TRANSACTION}),
    ("court", {CaseEvent.Kind.ARRAIGNMENT, CaseEvent.Kind.BAIL, CaseEvent.Kind.MENTION,
               CaseEvent.Kind.HEARING}),
    ("verdict", {CaseEvent.Kind.VERDICT}),
    ("sentence", {CaseEvent.Kind.SENTENCE}),
    ("appeal", {CaseEvent.Kind.APPEAL}),
]
STAGE_LABELS: dict[str, Any] = {
    "seizure": _("Seizure only"),
    "investigation": _("Investigation"),
    "prosecution": _("Prosecution"),
    "settled": _("Settled (transactional fine paid)"),
    "court": _("In court"),
    "verdict": _("Verdict"),
    "sentence": _("Sentenced"),
    "appeal": _("Appeal"),
}
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


def stage_label(name: str) -> str:
    return str(STAGE_LABELS.get(name, name))


def is_convicted(events: Iterable[CaseEvent]) -> bool:
    return any(e.kind == CaseEvent.Kind.VERDICT and e.outcome == CaseEvent.Outcome.CONVICTION
               for e in events)


def is_prosecuted(events: Iterable[CaseEvent]) -> bool:
    return any(e.kind in PROSECUTION_KINDS for e in events)


# Roles that do not make a case inter-agency: the court judges every prosecuted case, so a
# case handled by Customs alone and then tried is still Customs alone (DOMAIN.md, indicator
# 2.2: "all 3 large ivory seizures handled by Customs alone").
NOT_COORDINATION = frozenset({CaseAgency.Role.ADJUDICATING})


def has_interagency_coordination(roles: Iterable[CaseAgency]) -> bool:
    """Inter-agency coordination (indicator 2.2): two or more distinct agencies involved in
    the case in roles other than the court's (``NOT_COORDINATION``)."""
    return len({r.agency_id for r in roles if r.role not in NOT_COORDINATION}) >= 2


def defendant_events(events: Iterable[CaseEvent], defendant: Defendant) -> list[CaseEvent]:
    """The events that concern one defendant: their own and those of the whole case."""
    return [e for e in events if e.defendant_id in (None, defendant.pk)]


Errors = dict[str, list[str]]


@dataclass(frozen=True)
class NeedsEarlier:
    """A timeline rule: an event of ``kind`` needs an ``earlier`` event before it.

    The earlier event is of the same case, dated on or before it, and concerns the same
    defendant or the whole case (an event of the whole case is covered by any defendant's).
    ``earlier`` is a lookup used both as a query filter by ``kouprey check``
    (``cases.checks``) and, field by field, on unsaved events by the forms and the API, so
    both read the one rule.
    """

    code: str  # the check's rule id
    kind: str
    earlier: dict[str, str]
    report: Any  # the check's message: "%(event)s of %(date)s has no charge before it."
    on_kind: Any  # no earlier event at all
    on_defendant: Any  # none for this defendant (nor the whole case)
    on_date: Any  # only later ones

    def is_earlier_kind(self, event: CaseEvent) -> bool:
        return all(getattr(event, name) == value for name, value in self.earlier.items())


ORDER_RULES = [
    NeedsEarlier(
        "verdict_without_charge", CaseEvent.Kind.VERDICT, {"kind": CaseEvent.Kind.CHARGE},
        _("%(event)s of %(date)s has no charge before it."),
        _("A verdict needs a charge first: add the charge to the timeline."),
        _("A verdict needs a charge for this defendant first (or one for the whole case)."),
        _("A verdict needs a charge on or before its date.")),
    NeedsEarlier(
        "sentence_without_conviction", CaseEvent.Kind.SENTENCE,
        {"kind": CaseEvent.Kind.VERDICT, "outcome": CaseEvent.Outcome.CONVICTION},
        _("%(event)s of %(date)s has no conviction before it."),
        _("A sentence needs a conviction first: add the verdict to the timeline."),
        _("A sentence needs a conviction of this defendant first (or of the whole case)."),
        _("A sentence needs a conviction on or before its date.")),
]


def _who(event: CaseEvent) -> Any:
    """The event's defendant as a key (saved or not), None for the whole case; no query."""
    if event.defendant_id is not None:
        return event.defendant_id
    defendant = event.defendant if CaseEvent.defendant.is_cached(event) else None
    if defendant is None:
        return None
    return defendant.pk if defendant.pk is not None else ("new", id(defendant))


# (rule code, field, message): one problem of one event
Problem = tuple[str, str, str]


def own_problems(event: CaseEvent, first_seizure: date | None) -> list[Problem]:
    """One event's own rules: not before the seizure; the fields its kind needs."""
    found: list[Problem] = []
    if first_seizure and event.date and event.date < first_seizure:
        found.append(("event_before_seizure", "date", gettext(
            "%(event)s dated %(date)s is before the seizure (%(seizure)s).") % {
            "event": event.get_kind_display(), "date": event.date.isoformat(),
            "seizure": first_seizure.isoformat()}))
    if event.kind == CaseEvent.Kind.VERDICT and not event.outcome:
        found.append(("verdict_without_outcome", "outcome",
                      gettext("A verdict needs an outcome.")))
    if event.kind == CaseEvent.Kind.TRANSACTION and not event.fine_status:
        found.append(("fine_without_status", "fine_status",
                      gettext("Say whether the transactional fine was paid or refused.")))
    return found


def order_problems(event: CaseEvent, timeline: Sequence[CaseEvent]) -> list[Problem]:
    """The ``ORDER_RULES`` for one event of ``timeline`` (which holds it)."""
    found: list[Problem] = []
    if event.date is None:
        return found
    who = _who(event)
    for rule in ORDER_RULES:
        if event.kind != rule.kind:
            continue
        scope = [e for e in timeline if e is not event and rule.is_earlier_kind(e)
                 and (who is None or _who(e) in (None, who))]
        if any(e.date is not None and e.date <= event.date for e in scope):
            continue
        if scope:
            found.append((rule.code, "date", str(rule.on_date)))
        elif who is not None:
            found.append((rule.code, "defendant", str(rule.on_defendant)))
        else:
            found.append((rule.code, "kind", str(rule.on_kind)))
    return found


def event_errors(event: CaseEvent, first_seizure: date | None,
                 timeline: Sequence[CaseEvent] = ()) -> Errors:
    """One event's errors by field: its own rules, and the order rules in ``timeline``."""
    errors: Errors = {}
    problems = own_problems(event, first_seizure)
    if timeline:
        problems += order_problems(event, timeline)
    for _code, field, message in problems:
        errors.setdefault(field, []).append(message)
    return errors


def _signature(event: CaseEvent) -> tuple[Any, ...]:
    return (_who(event), *(getattr(event, f.attname) for f in CaseEvent._meta.concrete_fields
                           if f.name not in ("id", "case", "defendant")))


def _stored_problems(stored: Sequence[CaseEvent], first_seizure: date | None
                     ) -> dict[int, set[str]]:
    """The rules the stored timeline already breaks, by event id."""
    return {e.pk: {code for code, _f, _m in (*own_problems(e, first_seizure),
                                              *order_problems(e, stored))}
            for e in stored}


def check_events(case: Case, events: Sequence[CaseEvent],
                 first_seizure_date: date | None = None,
                 stored: Sequence[CaseEvent] | None = None,
                 stored_first_seizure: date | None = None,
                 others: Sequence[CaseEvent] = ()) -> None:
    """A timeline's rules, the same ``kouprey check`` reports: nothing before the seizure, a
    verdict needs an outcome and a charge before it, a sentence a conviction ...

    With ``stored`` (the case's timeline as saved), an event that is saved, unchanged, and
    already broke the same rule is let through: old data stays editable (``kouprey check``
    still reports it), but no new or changed event may break a rule. ``others`` are saved
    events that stay on the timeline without being checked (``save_case`` that keeps the
    children it is not given).
    """
    before = _stored_problems(stored, stored_first_seizure) if stored else {}
    stored_signatures = {e.pk: _signature(e) for e in stored or ()}
    errors: Errors = {}
    for index, event in enumerate(events):
        tolerated: set[str] = set()
        if event.pk in before and stored_signatures[event.pk] == _signature(event):
            tolerated = before[event.pk]
        for code, field, message in (*own_problems(event, first_seizure_date),
                                     *order_problems(event, [*events, *others])):
            if code not in tolerated:
                errors.setdefault(f"events[{index}].{field}", []).append(message)
    if errors:
        raise ValidationError(errors)


def first_seizure_date(case: Case) -> date | None:
    dates = [s.date for s in case.seizures.all()]
    return min(dates) if dates else None


def _collect(errors: Errors, prefix: str, exc: ValidationError) -> None:
    for name, messages in exc.message_dict.items():
        key = prefix if name == "__all__" and prefix else (
            f"{prefix}.{name}" if prefix else name)
        errors.setdefault(key, []).extend(messages)


def _same(a: models.Model | None, b: models.Model) -> bool:
    return a is b or (a is not None and a.pk is not None and a.pk == b.pk)


def _check_children(roles: Sequence[CaseAgency], defendants: Sequence[Defendant],
                    events: Sequence[CaseEvent], also_allowed: set[Any]) -> Errors:
    errors: Errors = {}
    for group, children in (("roles", roles), ("defendants", defendants), ("events", events)):
        for index, child in enumerate(children):
            try:
                child.full_clean(exclude=["case", "defendant"], validate_unique=False,
                                 validate_constraints=False)
            except ValidationError as exc:
                _collect(errors, f"{group}[{index}]", exc)
    seen: set[tuple[int, str]] = set()
    for index, role in enumerate(roles):
        key = (role.agency_id, role.role)
        if key in seen:
            errors.setdefault(f"roles[{index}].role", []).append(
                gettext("This agency is already listed with this role."))
        seen.add(key)
    for index, event in enumerate(events):
        named = event.defendant  # None, or a defendant object (saved or not): no query
        if named is None or named.pk in also_allowed:
            continue
        if not any(_same(named, d) for d in defendants):
            errors.setdefault(f"events[{index}].defendant", []).append(
                gettext("The defendant must be one of this case's defendants."))
    return errors


def validate_case(case: Case, seizures: Sequence[Any], roles: Sequence[CaseAgency],
                  defendants: Sequence[Defendant], events: Sequence[CaseEvent],
                  existing_defendants: Iterable[Any] = (), keep_other_events: bool = False
                  ) -> None:
    """Raise one ValidationError naming every field and child that is wrong.

    Keys name the field (``title``) or the child and field (``events[2].date``); an event
    may name one of ``defendants`` or a defendant whose id is in ``existing_defendants``.
    With ``keep_other_events`` the case's saved events not in ``events`` count as its
    timeline too (they are kept).
    """
    errors: Errors = {}
    try:
        case.full_clean(exclude=["owner_org"] if not case.owner_org_id else None)
    except ValidationError as exc:
        _collect(errors, "", exc)
    checks = _check_children(roles, defendants, events, set(existing_defendants))
    for name, messages in checks.items():
        errors.setdefault(name, []).extend(messages)
    dates = [s.date for s in seizures]
    stored = list(CaseEvent.objects.filter(case=case)) if case.pk else []
    listed = {e.pk for e in events if e.pk}
    others = [e for e in stored if e.pk not in listed] if keep_other_events else []
    try:
        check_events(case, events, min(dates) if dates else None, stored,
                     first_seizure_date(case) if stored else None, others)
    except ValidationError as exc:
        _collect(errors, "", exc)
    if errors:
        raise ValidationError(errors)


def _delete_removed(case: Case, roles: Sequence[CaseAgency], defendants: Sequence[Defendant],
                    events: Sequence[CaseEvent]) -> None:
    """Delete the children the caller no longer lists (events first: they name defendants)."""
    for related, kept in (("events", events), ("defendants", defendants), ("agency_roles", roles)):
        keep = [c.pk for c in kept if c.pk]
        for child in getattr(case, related).exclude(pk__in=keep):
            child.delete()  # one by one, so each deletion is in the audit log


@transaction.atomic
def save_case(case: Case, seizures: Sequence[object] = (), roles: Sequence[CaseAgency] = (),
              defendants: Sequence[Defendant] = (), events: Sequence[CaseEvent] = (),
              replace_children: bool = True) -> Case:
    """Validate and save a case with its links and timeline, all or nothing.

    With ``replace_children`` (the default) the case's existing roles, defendants and events
    that are not in the lists given are deleted: the edit form and re-imports send the whole
    case. An event may name one of ``defendants``, saved or not.
    """
    existing = case.defendants.values_list("pk", flat=True) if case.pk and not \
        replace_children else []
    validate_case(case, seizures, roles, defendants, events, existing,
                  keep_other_events=not replace_children)
    case.save()
    case.seizures.set(seizures)  # type: ignore[arg-type]
    if replace_children and case.pk:
        _delete_removed(case, roles, defendants, events)
    for child in (*roles, *defendants):
        child.case = case
        child.save()
    for event in events:
        event.case = case
        if event.defendant is not None:
            event.defendant = event.defendant  # refresh defendant_id now it is saved
        event.save()
    refresh_search_text(case)
    return case


@transaction.atomic
def add_event(case: Case, event: CaseEvent) -> CaseEvent:
    """Append one event to a saved case, with the same rules as ``save_case``."""
    event.case = case
    errors: Errors = {}
    try:
        event.full_clean(exclude=["case", "defendant"])
    except ValidationError as exc:
        _collect(errors, "", exc)
    if event.defendant_id and not case.defendants.filter(pk=event.defendant_id).exists():
        errors.setdefault("defendant", []).append(
            gettext("The defendant must be one of this case's defendants."))
    saved = case.events.exclude(pk=event.pk) if event.pk else case.events.all()
    timeline = [*saved, event]
    for name, messages in event_errors(event, first_seizure_date(case), timeline).items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    event.save()
    refresh_search_text(case)
    return event


def search_text(case: Case) -> str:
    """The case's own words a full-text search matches: number, title, names, law, and the
    references of its seizures."""
    parts: list[str] = [case.case_number, case.external_id or "", case.title, case.summary]
    for defendant in case.defendants.all():
        parts += [defendant.name, defendant.name_latin]
    for event in case.events.all():
        parts += [event.law_section, event.offence, event.judge, event.prosecutor]
    for seizure in case.seizures.all():
        parts += [seizure.reference, seizure.external_id or ""]
    return join_words(parts)


def search_refs(case: Case) -> str:
    """The tokens of the court and the agencies involved (``reference.words``)."""
    parts = [token("a", case.court_id)]
    parts += [token("a", role.agency_id) for role in case.agency_roles.all()]
    return join_words(parts)


def refresh_search_text(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(search_text=search_text(case),
                                           search_refs=search_refs(case))
