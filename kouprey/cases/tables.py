"""What the case pages show: the list's columns, the timeline's facts, the JSON of a case.

The same column values feed the HTML list, its JSON twin and the CSV/XLSX export
(web.lists); ``case_json`` is the detail page's JSON twin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kouprey.cases import services
from kouprey.cases.models import Case, CaseAgency, CaseEvent, Defendant
from kouprey.core.permissions import VIEW
from kouprey.reference.models import Agency
from kouprey.seizures.models import Seizure
from kouprey.seizures.tables import full_label, label_parts
from kouprey.web.lists import Column, url_or_none

# A seizure as the case pages name it: reference, date, place in the page's language.
seizure_label = full_label


def seizure_labels_html(case: Any) -> SafeString:
    """The list cell of a case's seizures: their labels, each date kept on one line (in
    one outer span: on a phone the cell is a grid, each child of which is placed apart)."""
    labels = format_html_join(", ", "{} <span class=\"nowrap\">{}</span>{}", (
        (reference, day, f" {place}" if place else "")
        for reference, day, place in map(label_parts, case.visible_seizures)))
    return format_html("<span>{}</span>", labels) if labels else labels


def agencies_grouped(roles: Iterable[CaseAgency]) -> list[tuple[Agency, list[str]]]:
    """Each agency once, with the labels of its roles, in the order first met."""
    grouped: dict[int, tuple[Agency, list[str]]] = {}
    for role in roles:
        grouped.setdefault(role.agency_id, (role.agency, []))[1].append(
            str(role.get_role_display()))
    return list(grouped.values())


def agencies_with_roles(roles: Iterable[CaseAgency]) -> list[str]:
    """One entry per agency, named in the page's language (its Khmer name on Khmer pages
    when it has one), with its roles: ``General Department of Customs and Excise (GDCE)
    (Detected the seizure, Investigating)``. Codes (PP-COURT) are for the JSON twin."""
    return [f"{agency} ({', '.join(labels)})" for agency, labels in agencies_grouped(roles)]


def visible_seizures(user: Any) -> QuerySet[Seizure]:
    """The seizures a user may see, ready to label (a case may link others' seizures)."""
    return Seizure.objects.restrict(user, VIEW).select_related("place").order_by("date", "pk")


def for_list(user: Any) -> Callable[[QuerySet[Case]], QuerySet[Case]]:
    """Prefetch what the list shows, so a page costs the same few queries at any size."""
    defendants = (Defendant.objects.filter(case=OuterRef("pk")).order_by()
                  .values("case").annotate(n=Count("pk")).values("n"))

    def prepare(queryset: QuerySet[Case]) -> QuerySet[Case]:
        return queryset.select_related("court").annotate(
            defendant_count=Coalesce(Subquery(defendants, output_field=IntegerField()), 0),
        ).prefetch_related(
            Prefetch("seizures", queryset=visible_seizures(user), to_attr="visible_seizures"),
            Prefetch("agency_roles", queryset=CaseAgency.objects.select_related("agency")),
            Prefetch("events", queryset=CaseEvent.objects.only(
                "id", "case_id", "kind", "date", "outcome", "fine_status")),
        )
    return prepare


def current_stage(case: Case) -> str:
    return services.stage(case.events.all())


COLUMNS = [
    Column("id", _("Id"), lambda c: c.pk, in_table=False),
    Column("case_number", _("Case number"), lambda c: c.case_number, sort="number", link=True),
    Column("title", _("Title"), lambda c: c.title, sort="title", link=True),
    Column("opened_on", _("Opened"), lambda c: c.opened_on, sort="opened", css="nowrap"),
    Column("seizures", _("Seizures"),
           lambda c: [seizure_label(s) for s in c.visible_seizures],
           json=lambda c: [{"id": s.pk, "label": seizure_label(s)}
                           for s in c.visible_seizures],
           html=seizure_labels_html),
    Column("agencies", _("Agencies (roles)"),
           lambda c: agencies_with_roles(c.agency_roles.all()),
           json=lambda c: [{"agency": r.agency.code, "name": str(r.agency), "role": r.role,
                            "role_label": str(r.get_role_display())}
                           for r in c.agency_roles.all()]),
    Column("defendants", _("Defendants"), lambda c: c.defendant_count, numeric=True),
    Column("stage", _("Current stage"), lambda c: services.stage_label(current_stage(c)),
           json=current_stage),
    Column("interagency", _("Inter-agency"),
           lambda c: services.has_interagency_coordination(c.agency_roles.all())),
    Column("court", _("Court"), lambda c: c.court, in_table=False),
]


# -- the timeline ------------------------------------------------------------------------

FACT_FIELDS = ["place", "authority", "judge", "prosecutor", "law_section", "offence", "plea",
               "bail", "outcome", "prison_months", "suspended", "amount", "fine_status",
               "notes"]


def event_facts(event: CaseEvent) -> list[tuple[str, str]]:
    """The fields an event has filled in, as (label, text), in court-monitoring order."""
    facts: list[tuple[str, str]] = []
    for name in FACT_FIELDS:
        field = CaseEvent._meta.get_field(name)  # noqa: SLF001
        value = getattr(event, name)
        if value in (None, "", False):
            continue
        if name == "suspended":
            text = str(_("yes"))
        elif name == "amount":
            text = f"{value:,.2f} {event.currency}".strip()
        elif getattr(field, "choices", None):
            text = str(getattr(event, f"get_{name}_display")())
        else:
            text = str(value)
        facts.append((capfirst(str(field.verbose_name)), text))  # type: ignore[union-attr]
    return facts


def event_json(event: CaseEvent) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": event.pk, "date": event.date.isoformat(), "kind": event.kind,
        "kind_label": str(event.get_kind_display()),
        "defendant_id": event.defendant_id,
        "defendant": str(event.defendant) if event.defendant_id else None,
    }
    for name in FACT_FIELDS:
        value = getattr(event, name)
        if name in ("place", "authority"):
            value = str(value) if value is not None else None
        elif name == "amount" and value is not None:
            value = str(value)
        data[name] = value
    data["currency"] = event.currency
    return data


def case_json(case: Case, seizures: list[Seizure], hidden_seizures: int,
              events: list[CaseEvent], defendants: list[Defendant],
              history: list[dict[str, Any]]) -> dict[str, Any]:
    """The detail page's JSON twin."""
    roles = list(case.agency_roles.all())
    return {
        "id": case.pk,
        "url": reverse("cases:detail", args=[case.pk]),
        "case_number": case.case_number,
        "title": case.title,
        "opened_on": case.opened_on.isoformat() if case.opened_on else None,
        "court": str(case.court) if case.court_id else None,
        "summary": case.summary,
        "owner_org": case.owner_org.code,
        "confidentiality": case.confidentiality,
        "synthetic": case.synthetic,
        "stage": services.stage(events),
        "stage_label": services.stage_label(services.stage(events)),
        "prosecuted": services.is_prosecuted(events),
        "convicted": services.is_convicted(events),
        "interagency": services.has_interagency_coordination(roles),
        "seizures": [{"id": s.pk, "reference": s.reference, "date": s.date.isoformat(),
                      "url": url_or_none("seizures:detail", s.pk)} for s in seizures],
        "hidden_seizures": hidden_seizures,
        "agencies": [{"agency": r.agency.code, "name": str(r.agency), "role": r.role,
                      "role_label": str(r.get_role_display())} for r in roles],
        "defendants": [_defendant_json(d, events) for d in defendants],
        "events": [event_json(e) for e in events],
        "history": history,
    }


def _defendant_json(defendant: Defendant, events: list[CaseEvent]) -> dict[str, Any]:
    concerning = services.defendant_events(events, defendant)
    return {
        "id": defendant.pk, "name": defendant.name, "name_latin": defendant.name_latin,
        "nationality": defendant.nationality.iso2 if defendant.nationality else None,
        "synthetic": defendant.synthetic,
        "stage": services.stage(concerning),
        "convicted": services.is_convicted(concerning),
        "events": [e.pk for e in events if e.defendant_id == defendant.pk],
    }
