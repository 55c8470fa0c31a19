"""Case pages: list, detail with the timeline and history, create/edit, add one event.

Every page reads through ``Case.objects.restrict(user, action)`` (another organisation's case
answers 404) and has a JSON twin (``?format=json``); the list also downloads as CSV/XLSX.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kouprey.cases import services, tables
from kouprey.cases.filters import CaseFilter
from kouprey.cases.forms import CaseForms, EventForm
from kouprey.cases.models import Case, CaseAgency
from kouprey.core.permissions import ADD, CHANGE, VIEW, can
from kouprey.core.search import search
from kouprey.web import lists

CHOICES_SHOWN = 20


def case_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    fmt = lists.output_format(request)
    records = Case.objects.restrict(request.user, lists.action_for(fmt))  # type: ignore[arg-type]
    return lists.list_response(
        request, filterset=CaseFilter(request.GET, queryset=records), columns=tables.COLUMNS,
        template="cases/list.html", filename="cases", prepare=tables.for_list(request.user),
        row_url=lambda c: reverse("cases:detail", args=[c.pk]),
        context={"can_add": can(request.user, ADD)},  # type: ignore[arg-type]
        default_sort="-opened",
    )


def _case(request: HttpRequest, pk: int, action: str) -> Case:
    roles = CaseAgency.objects.select_related("agency")
    return get_object_or_404(
        Case.objects.restrict(request.user, action)  # type: ignore[arg-type]
        .select_related("court", "owner_org")
        .prefetch_related(Prefetch("agency_roles", queryset=roles)), pk=pk)


def detail_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """What the detail page and its fragments show (the timeline in date order)."""
    events = list(case.events.select_related("defendant", "place", "authority"))
    defendants = list(case.defendants.select_related("nationality"))
    seizures = list(tables.visible_seizures(request.user).filter(cases=case))
    current = services.stage(events)
    return {
        "case": case,
        "events": events,
        "timeline": [(e, tables.event_facts(e)) for e in events],
        "stage": current,
        "stage_label": services.stage_label(current),
        "defendants": [
            (d, [(e, tables.event_facts(e)) for e in events if e.defendant_id == d.pk],
             services.stage_label(services.stage(services.defendant_events(events, d))))
            for d in defendants],
        "defendant_list": defendants,
        "seizures": [(s, lists.url_or_none("seizures:detail", s.pk)) for s in seizures],
        "hidden_seizures": case.seizures.count() - len(seizures),
        "interagency": services.has_interagency_coordination(case.agency_roles.all()),
        "agencies": tables.agencies_with_roles(case.agency_roles.all()),
        "history": redacted_history(case, seizures),
        "can_change": Case.objects.restrict(request.user, CHANGE)  # type: ignore[arg-type]
        .filter(pk=case.pk).exists(),
    }


def redacted_history(case: Case, visible: list[Any]) -> list[lists.HistoryEntry]:
    """The case's history, with the labels of linked seizures the user may not see hidden.

    The audit log keeps a link's label (reference, date, place); a reader of the case may
    not be allowed that seizure, so any label that is not one of the visible seizures is
    replaced (splitting a label that itself holds ", " errs towards hiding).
    """
    field = str(Case._meta.get_field("seizures").verbose_name)  # noqa: SLF001
    # the log's label (place in English) -> the label in the page's language
    shown = {str(s): tables.seizure_label(s) for s in visible}
    entries = lists.history(case)
    for entry in entries:
        for change in entry.changes:
            if change.field == field:
                change.old, change.new = _redact(change.old, shown), _redact(change.new, shown)
    return entries


def _redact(joined: str, shown: dict[str, str]) -> str:
    if not joined:
        return joined
    return ", ".join(shown.get(label) or _("(a seizure you may not see)")
                     for label in joined.split(", "))


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, VIEW)
    context = detail_context(request, case)
    return lists.detail_response(request, "cases/detail.html", context, lambda: tables.case_json(
        case, [s for s, _url in context["seizures"]], context["hidden_seizures"],
        context["events"], context["defendant_list"], lists.history_json(context["history"])))


def case_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (no ``pk``) or edit a case with its agencies, defendants and events."""
    user: Any = request.user
    case = _case(request, pk, CHANGE) if pk else Case(owner_org_id=user.organisation_id)
    bundle = CaseForms(user, case, request.POST if request.method == "POST" else None)
    as_json = lists.output_format(request) == "json"
    if request.method == "POST" and bundle.is_valid():
        try:
            bundle.save()
        except ValidationError:
            pass  # the messages are on the forms now
        else:
            url = reverse("cases:detail", args=[case.pk])
            if as_json:
                return JsonResponse({"id": case.pk, "url": url}, status=200 if pk else 201)
            messages.success(request, _("Case saved."))
            return redirect(url)
    rejected = request.method == "POST"
    if as_json:
        if rejected:
            return JsonResponse({"detail": _("The case was not saved."),
                                 "errors": bundle.json_errors()}, status=400)
        return JsonResponse({"fields": _field_names(bundle)})
    return render(request, "cases/form.html", {"forms": bundle, "case": case if pk else None},
                  status=400 if rejected else 200)


def _field_names(bundle: CaseForms) -> dict[str, Any]:
    """The form's field names (the JSON twin of an empty form), by form prefix."""
    described = {"case": [_describe(n, f) for n, f in bundle.form.fields.items()]}
    for name, formset in bundle.formsets.items():
        form = formset.empty_form
        described[name] = [_describe(n, f) for n, f in form.fields.items()
                           if n not in ("id", "case", "DELETE")]
    return described


def _describe(name: str, field: Any) -> dict[str, Any]:
    return {"name": name, "label": str(field.label or name), "required": field.required}


def add_event(request: HttpRequest, pk: int) -> HttpResponse:
    """Append one event: inline on the case page (htmx fragments), or on a page of its own
    (a normal form: redirect to the case page when saved, the page again with the field
    errors when not)."""
    case = _case(request, pk, CHANGE)
    form = EventForm(request.POST if request.method == "POST" else None, case=case,
                     user=request.user, prefix="event")
    if request.method == "POST" and form.is_valid():
        try:
            services.add_event(case, form.instance)
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            return _event_added(request, case, form)
    if lists.output_format(request) == "json":
        if request.method == "POST":
            return JsonResponse({"detail": _("The event was not added."),
                                 "errors": form.errors.get_json_data()}, status=400)
        return JsonResponse({"fields": [_describe(n, f) for n, f in form.fields.items()]})
    inline = _inline(request)
    context = {"case": case, "form": form, "inline": inline}
    if inline:
        response = render(request, "cases/_event_form.html", context)
        if request.method == "POST":  # the form targets the timeline; errors stay in place
            response["HX-Retarget"] = "#add-event"
            response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "cases/event_form.html", context,
                  status=400 if request.method == "POST" else 200)


def _inline(request: HttpRequest) -> bool:
    """An htmx request from the case page's timeline, answered with fragments.

    Only the case page has the ``#timeline`` and ``#add-event`` the fragments go to; the
    event form on a page of its own has no htmx attributes and posts normally (any other
    htmx request, e.g. a boosted link, gets the whole page).
    """
    return lists.is_htmx(request) and request.headers.get("HX-Target") in (
        "timeline", "add-event")


def _event_added(request: HttpRequest, case: Case, form: EventForm) -> HttpResponse:
    if lists.output_format(request) == "json":
        return JsonResponse(tables.event_json(form.instance), status=201)
    if _inline(request):
        return render(request, "cases/_event_added.html", detail_context(request, case))
    messages.success(request, _("Event added."))
    return redirect("cases:detail", pk=case.pk)


def seizure_choices(request: HttpRequest) -> HttpResponse:
    """The seizure picker's search (htmx): seizures the user may see matching ``q``."""
    query = request.GET.get("q", "").strip()
    found = search(tables.visible_seizures(request.user), query) if query else None
    shown = list(found.order_by("-date", "-pk")[:CHOICES_SHOWN]) if found is not None else []
    if lists.output_format(request) == "json":
        return JsonResponse({"results": [{"id": s.pk, "label": tables.seizure_label(s)}
                                         for s in shown]})
    return render(request, "cases/_seizure_choices.html",
                  {"choices": [(s.pk, tables.seizure_label(s)) for s in shown],
                   "query": query})
