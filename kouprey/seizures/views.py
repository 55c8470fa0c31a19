"""Seizure pages: list, detail, create, edit, delete. Each page has a JSON twin.

Records are read only through ``Seizure.objects.restrict(user, action)``: a seizure the user
may not see or change answers 404. The URL policy (policy.py) decides who opens each page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kouprey.cases.models import Case
from kouprey.core.models import User
from kouprey.core.permissions import ADD, CHANGE, DELETE, IMPORT, VIEW, can
from kouprey.seizures import tables
from kouprey.seizures.filters import SeizureFilter
from kouprey.seizures.forms import SeizureForms
from kouprey.seizures.models import Seizure
from kouprey.web import lists


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def seizure_list(request: HttpRequest) -> HttpResponse:
    fmt = lists.output_format(request)
    records = Seizure.objects.restrict(_user(request), lists.action_for(fmt))
    filterset = SeizureFilter(request.GET, queryset=records)
    return lists.list_response(  # type: ignore[return-value]
        request, filterset=filterset, columns=tables.LIST_COLUMNS,
        template="seizures/list.html", filename="seizures", row_url=tables.detail_url,
        prepare=tables.prepare_list, default_sort="-date",
        context={"can_add": can(_user(request), ADD),
                 "import_url": lists.url_or_none("seizures:import")
                 if can(_user(request), IMPORT) else None},
    )


def _get(request: HttpRequest, pk: int, action: str) -> Seizure:
    records = Seizure.objects.restrict(_user(request), action).select_related(
        "place", "discovery_country", "export_country", "destination_country",
        "detection_method", "transport_mode", "concealment", "owner_org")
    return get_object_or_404(records, pk=pk)  # type: ignore[no-any-return]


def seizure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    seizure = _get(request, pk, VIEW)
    user = _user(request)
    items = list(seizure.items.select_related("taxon", "commodity", "count_unit"))
    cases = list(Case.objects.restrict(user, VIEW).filter(seizures=seizure))
    history = lists.history(seizure)
    may = {action: Seizure.objects.restrict(user, action).filter(pk=pk).exists()
           for action in (CHANGE, DELETE)}
    context: dict[str, Any] = {
        "seizure": seizure, "items": [(i, tables.item_rie(i)) for i in items],
        "totals": tables.totals(items),
        "origins": seizure.origins.select_related("country"),
        "transits": seizure.transits.select_related("country"),
        "suspects": seizure.suspects.select_related("nationality"),
        "sources": seizure.sources.all(), "agencies": seizure.agencies.all(),
        "shared_with": seizure.shared_with.all(),
        "cases": [(c, lists.url_or_none("cases:detail", c.pk)) for c in cases],
        "history": history, "can_change": may[CHANGE], "can_delete": may[DELETE],
    }
    return lists.detail_response(
        request, "seizures/detail.html", context,
        lambda: tables.detail_data(seizure, items, cases, history))


def _form_page(request: HttpRequest, instance: Seizure, forms: SeizureForms,
               status: int = 200) -> HttpResponse:
    if lists.output_format(request) == "json":
        return JsonResponse({
            "seizure": instance.pk, "fields": lists.form_fields(forms.form),
            "rows": {s.prefix: lists.form_fields(s.formset.empty_form) for s in forms.sections},
            "note": _("POST the form fields; rows as PREFIX-N-FIELD with PREFIX-TOTAL_FORMS "
                      "and PREFIX-INITIAL_FORMS (Django formsets). Scripts should use /api/."),
        }, status=status)
    context = {"seizure": instance if instance.pk else None, "forms": forms,
               "form": forms.form, "sections": forms.sections,
               "adding_row": bool(request.POST.get("_add"))}
    return render(request, "seizures/form.html", context, status=status)


def _edit(request: HttpRequest, instance: Seizure) -> HttpResponse:
    user = _user(request)
    if request.method != "POST":
        return _form_page(request, instance, SeizureForms(user, instance))
    added = request.POST.get("_add", "")
    if added:
        forms = SeizureForms.with_added_row(user, instance, request.POST, added)
        return _form_page(request, instance, forms)
    forms = SeizureForms(user, instance, request.POST)
    creating = instance.pk is None
    seizure = forms.save()
    if seizure is None:
        if lists.output_format(request) == "json":
            return JsonResponse({"detail": _("The seizure was not saved."),
                                 "errors": _errors(forms)}, status=400)
        return _form_page(request, instance, forms, status=400)
    if lists.output_format(request) == "json":
        return JsonResponse({"id": seizure.pk, "url": tables.detail_url(seizure)},
                            status=201 if creating else 200)
    messages.success(request, _("Seizure %(ref)s saved.") % {"ref": tables.label(seizure)})
    return redirect("seizures:detail", pk=seizure.pk)


def _errors(forms: SeizureForms) -> dict[str, Any]:
    errors: dict[str, Any] = dict(forms.form.errors.get_json_data())
    for section in forms.sections:
        rows = {str(i): f.errors.get_json_data() for i, f in enumerate(section.formset.forms)
                if f.errors}
        if rows or section.formset.non_form_errors():
            errors[section.prefix] = {"rows": rows,
                                      "errors": list(section.formset.non_form_errors())}
    return errors


def seizure_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return _edit(request, Seizure(owner_org=user.organisation) if user.organisation_id
                 else Seizure())


def seizure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, _get(request, pk, CHANGE))


def seizure_delete(request: HttpRequest, pk: int) -> HttpResponse:
    seizure = _get(request, pk, DELETE)
    linked = seizure.cases.count()
    if request.method == "POST" and not linked:
        name = tables.label(seizure)
        seizure.delete()
        messages.success(request, _("Seizure %(ref)s deleted.") % {"ref": name})
        return redirect("seizures:list")
    # the linked cases this user may open, to unlink the seizure there (others are counted)
    cases = list(Case.objects.restrict(_user(request), VIEW).filter(seizures=seizure)
                 .order_by("-opened_on", "pk")) if linked else []
    return render(request, "seizures/confirm_delete.html",
                  {"seizure": seizure, "title": tables.full_label(seizure), "linked": linked,
                   "cases": cases},
                  status=409 if linked and request.method == "POST" else 200)
