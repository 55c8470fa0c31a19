"""Cases in the API: list (the pages' filters), detail with the derived stage, create, update.

Reading goes through ``restrict()``; writing through ``services.save_case`` (the same rules
as the forms: nothing before the seizure, a verdict needs an outcome ...; all or nothing).
A case lists only the linked seizures the user may read, and an update keeps the links to
seizures the user cannot see.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pydantic
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Query, Router, Status

from kouprey.cases.filters import CaseFilter
from kouprey.cases.models import Case, CaseAgency, CaseEvent, Defendant
from kouprey.cases.schemas import CaseIn, CaseOut, CasePage, CasePatch, CaseQuery, EventIn
from kouprey.cases.services import (
    has_interagency_coordination,
    is_convicted,
    is_prosecuted,
    save_case,
    stage,
    stage_label,
)
from kouprey.core.api_support import (
    ErrorOut,
    PayloadError,
    Refs,
    api_user,
    field_error,
    filtered,
    from_validation_error,
    in_order,
    location,
    page_of,
    ref_out,
)
from kouprey.core.models import Organisation
from kouprey.reference.models import Agency, Country, Place
from kouprey.seizures.models import Seizure, Suspect

router = Router(tags=["cases"])

ERRORS: dict[int | str, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
PLAIN_FIELDS = ["title", "case_number", "opened_on", "summary", "confidentiality", "synthetic"]
EVENT_FIELDS = ["kind", "date", "judge", "prosecutor", "law_section", "offence", "plea", "bail",
                "outcome", "prison_months", "suspended", "amount", "currency", "fine_status",
                "notes"]


def _rename(key: str) -> str:
    return "agencies" + key[len("roles"):] if key.startswith("roles") else key


def _visible_seizures(user: Any) -> QuerySet[Seizure]:
    return Seizure.objects.restrict(user, "view")


def _seizure_ids(user: Any, case_ids: list[int]) -> dict[int, list[int]]:
    """The linked seizures each case shows: only those the user may read."""
    links = Case.seizures.through.objects.filter(
        case_id__in=case_ids, seizure_id__in=_visible_seizures(user).values("pk"),
    ).order_by("seizure_id").values_list("case_id", "seizure_id")
    found: dict[int, list[int]] = defaultdict(list)
    for case_id, seizure_id in links:
        found[case_id].append(seizure_id)
    return found


def _detail_queryset(request: HttpRequest, action: str) -> QuerySet[Case]:
    return Case.objects.restrict(api_user(request), action).select_related(
        "court", "owner_org").prefetch_related(
        "shared_with", "defendants__nationality",
        Prefetch("agency_roles", CaseAgency.objects.select_related("agency")),
        Prefetch("events", CaseEvent.objects.select_related("place", "authority")),
    )


# -- out ----------------------------------------------------------------------------------

def summary_out(case: Case, seizure_ids: list[int]) -> dict[str, Any]:
    return {
        "id": case.pk, "url": reverse("api:case_detail", kwargs={"case_id": case.pk}),
        "case_number": case.case_number, "title": case.title, "opened_on": case.opened_on,
        "stage": stage(case.events.all()), "court": ref_out(case.court),
        "seizures": seizure_ids, "confidentiality": case.confidentiality,
        "owner_org": ref_out(case.owner_org), "synthetic": case.synthetic,
    }


def detail_out(case: Case, user: Any) -> dict[str, Any]:
    events, roles = list(case.events.all()), list(case.agency_roles.all())
    defendants = list(case.defendants.all())
    position = {d.pk: i for i, d in enumerate(defendants)}
    seizures = _visible_seizures(user).filter(cases=case).order_by("pk")
    out = summary_out(case, [s.pk for s in seizures])
    out.update({
        "external_id": case.external_id, "summary": case.summary,
        "stage_label": stage_label(out["stage"]), "prosecuted": is_prosecuted(events),
        "convicted": is_convicted(events),
        "interagency_coordination": has_interagency_coordination(roles),
        "shared_with": [ref_out(o) for o in case.shared_with.all()],
        "seizure_links": [{"id": s.pk, "reference": s.reference, "date": s.date,
                           "url": reverse("api:seizure_detail", kwargs={"seizure_id": s.pk})}
                          for s in seizures],
        "agencies": [{"agency": ref_out(r.agency), "role": r.role} for r in roles],
        "defendants": [{"id": d.pk, "name": d.name, "name_latin": d.name_latin,
                        "nationality": ref_out(d.nationality), "suspect": d.suspect_id,
                        "synthetic": d.synthetic} for d in defendants],
        "events": [{"id": e.pk, "defendant": position.get(e.defendant_id),  # type: ignore[arg-type]
                    "place": ref_out(e.place), "authority": ref_out(e.authority),
                    **{name: getattr(e, name) for name in EVENT_FIELDS}} for e in events],
        "created_at": case.created_at, "updated_at": case.updated_at,
    })
    return out


def as_input(case: Case, user: Any) -> dict[str, Any]:
    """The case as a CaseIn payload (references by id): what a PATCH starts from."""
    defendants = list(case.defendants.all())
    position = {d.pk: i for i, d in enumerate(defendants)}
    data: dict[str, Any] = {name: getattr(case, name) for name in PLAIN_FIELDS}
    data.update({
        "external_id": case.external_id, "court": case.court_id,
        "shared_with": [o.pk for o in case.shared_with.all()],
        "seizures": list(_visible_seizures(user).filter(cases=case).values_list("pk", flat=True)),
        "agencies": [{"agency": r.agency_id, "role": r.role} for r in case.agency_roles.all()],
        "defendants": [{"id": d.pk, "name": d.name, "name_latin": d.name_latin,
                        "nationality": d.nationality_id, "suspect": d.suspect_id,
                        "synthetic": d.synthetic} for d in defendants],
        "events": [{"id": e.pk, "defendant": position.get(e.defendant_id),  # type: ignore[arg-type]
                    "place": e.place_id, "authority": e.authority_id,
                    **{name: getattr(e, name) for name in EVENT_FIELDS}}
                   for e in case.events.all()],
    })
    return data


# -- in -----------------------------------------------------------------------------------

def _existing(case: Case, related: str) -> dict[Any, Any]:
    return {c.pk: c for c in getattr(case, related).all()} if case.pk else {}


def _kept(existing: dict[Any, Any], model: type[Any], wanted: int | None, field: str,
          refs: Refs) -> Any:
    if wanted is None:
        return model()
    if wanted not in existing:
        refs.errors.append({"field": f"{field}.id", "message": gettext(
            "no %(kind)s with id %(id)s in this case") % {
            "kind": model._meta.verbose_name, "id": wanted}})  # noqa: SLF001
        return model()
    return existing[wanted]


def _seizures(case: Case, data: CaseIn, refs: Refs) -> list[Seizure]:
    visible = _visible_seizures(refs.user)
    found = {s.pk: s for s in visible.filter(pk__in=data.seizures)}
    for index, pk in enumerate(data.seizures):
        if pk not in found:
            refs.errors.append({"field": f"seizures[{index}]",
                                "message": gettext("unknown seizure id %(id)s") % {"id": pk}})
    hidden = list(case.seizures.exclude(pk__in=visible.values("pk"))) if case.pk else []
    return [*found.values(), *hidden]


def _roles(case: Case, data: CaseIn, refs: Refs) -> list[CaseAgency]:
    existing = {(r.agency_id, r.role): r for r in case.agency_roles.all()} if case.pk else {}
    roles = []
    for index, given in enumerate(data.agencies):
        agency = refs.get(Agency, given.agency, f"agencies[{index}].agency")
        kept: Any = existing.pop((getattr(agency, "pk", 0), given.role), None)
        role = kept or CaseAgency()
        role.agency, role.role = agency, given.role
        roles.append(role)
    return roles


def _defendants(case: Case, data: CaseIn, refs: Refs) -> list[Defendant]:
    existing, defendants = _existing(case, "defendants"), []
    suspects = Suspect.objects.restrict(refs.user, "view")
    for index, given in enumerate(data.defendants):
        field = f"defendants[{index}]"
        defendant = _kept(existing, Defendant, given.id, field, refs)
        for name in ("name", "name_latin", "synthetic"):
            setattr(defendant, name, getattr(given, name))
        defendant.nationality = refs.get(Country, given.nationality, f"{field}.nationality")
        defendant.suspect = suspects.filter(pk=given.suspect).first() if given.suspect else None
        if given.suspect and defendant.suspect is None:
            refs.errors.append({"field": f"{field}.suspect", "message": gettext(
                "unknown suspect id %(id)s") % {"id": given.suspect}})
        defendants.append(defendant)
    return defendants


def _event(event: CaseEvent, given: EventIn, field: str, defendants: list[Defendant],
           refs: Refs) -> CaseEvent:
    for name in EVENT_FIELDS:
        setattr(event, name, getattr(given, name))
    event.place = refs.get(Place, given.place, f"{field}.place")
    event.authority = refs.get(Agency, given.authority, f"{field}.authority")
    event.defendant = None
    if given.defendant is not None:
        if 0 <= given.defendant < len(defendants):
            event.defendant = defendants[given.defendant]
        else:
            refs.errors.append({"field": f"{field}.defendant", "message": gettext(
                "no defendant at position %(n)s (the first is 0)") % {"n": given.defendant}})
    return event


def build_case(case: Case, data: CaseIn, user: Any) -> dict[str, Any]:
    """The arguments of ``save_case`` from a payload; every unknown reference at once."""
    refs = Refs(user)
    for name in PLAIN_FIELDS:
        setattr(case, name, getattr(data, name))
    case.external_id = data.external_id or None
    case.court = refs.get(Agency, data.court, "court")
    if data.confidentiality > user.clearance and not user.is_superuser:
        refs.errors.append({"field": "confidentiality", "message": gettext(
            "You may not set a level above your own clearance (%(level)s).") % {
            "level": user.clearance}})
    defendants = _defendants(case, data, refs)
    existing_events = _existing(case, "events")
    events = [_event(_kept(existing_events, CaseEvent, given.id, f"events[{i}]", refs),
                     given, f"events[{i}]", defendants, refs)
              for i, given in enumerate(data.events)]
    built = {"seizures": _seizures(case, data, refs), "roles": _roles(case, data, refs),
             "defendants": defendants, "events": events,
             "shared": refs.many(Organisation, data.shared_with, "shared_with")}
    refs.check()
    return built


def _save(case: Case, data: CaseIn, request: HttpRequest) -> Case:
    built = build_case(case, data, request.user)
    shared = built.pop("shared")
    try:
        with transaction.atomic():
            saved = save_case(case, **built)
            saved.shared_with.set(shared)
    except ValidationError as exc:
        raise from_validation_error(exc, _rename) from exc
    return saved


# -- routes -------------------------------------------------------------------------------

@router.get("/", url_name="case_list", response={200: CasePage, **ERRORS}, summary="List cases")
def case_list(request: HttpRequest, filters: Query[CaseQuery]) -> Any:  # type: ignore[valid-type]
    """The cases you may read, filtered like the list page (``q`` is full-text search)."""
    queryset = filtered(request, CaseFilter, Case.objects.restrict(api_user(request), "view"))
    ids, meta = page_of(request, queryset)
    rows = Case.objects.filter(pk__in=ids).select_related("court", "owner_org") \
        .prefetch_related("events")
    seizures = _seizure_ids(request.user, ids)
    return {**meta, "items": [summary_out(c, seizures.get(c.pk, []))
                              for c in in_order(rows, ids)]}


@router.post("/", url_name="case_list", response={201: CaseOut, **ERRORS},
             summary="Create a case")
def case_create(request: HttpRequest, payload: CaseIn) -> Any:
    """Create a case owned by your organisation, with its agencies, defendants and events."""
    organisation = getattr(request.user, "organisation", None)
    if organisation is None:
        raise field_error(None, gettext("Your account has no organisation to own records."))
    saved = _save(Case(owner_org=organisation), payload, request)
    created = get_object_or_404(_detail_queryset(request, "view"), pk=saved.pk)
    return Status(201, detail_out(created, api_user(request)))


@router.get("/{int:case_id}", url_name="case_detail", response={200: CaseOut, **ERRORS},
            summary="Read a case")
def case_detail(request: HttpRequest, case_id: int) -> Any:
    """One case with its derived stage, agencies, defendants and timeline."""
    case = get_object_or_404(_detail_queryset(request, "view"), pk=case_id)
    return detail_out(case, request.user)


@router.put("/{int:case_id}", url_name="case_detail", response={200: CaseOut, **ERRORS},
            summary="Replace a case")
def case_replace(request: HttpRequest, case_id: int, payload: CaseIn) -> Any:
    """Replace the whole case: fields left out take their defaults, lists are replaced."""
    case = get_object_or_404(Case.objects.restrict(api_user(request), "change"), pk=case_id)
    _save(case, payload, request)
    return detail_out(get_object_or_404(_detail_queryset(request, "view"), pk=case_id),
                      request.user)


@router.patch("/{int:case_id}", url_name="case_detail", response={200: CaseOut, **ERRORS},
              summary="Change some fields of a case")
def case_update(request: HttpRequest, case_id: int,
                payload: CasePatch) -> Any:  # type: ignore[valid-type]
    """Change the fields given; a list given (events, defendants ...) replaces the whole list."""
    case = get_object_or_404(Case.objects.restrict(api_user(request), "change"), pk=case_id)
    changes = payload.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
    try:
        data = CaseIn.model_validate({**as_input(case, request.user), **changes})
    except pydantic.ValidationError as exc:
        raise PayloadError([{"field": location(e["loc"]), "message": e["msg"]}
                            for e in exc.errors()]) from exc
    _save(case, data, request)
    return detail_out(get_object_or_404(_detail_queryset(request, "view"), pk=case_id),
                      request.user)
