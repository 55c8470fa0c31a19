"""The indicator table and the exact records behind each of its numbers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from kouprey.core import tabular
from kouprey.core.forms import PlainErrors
from kouprey.indicators import cache, output, services

# A number whose records no list filter expresses opens the list with ?ids=; beyond this
# many records the URL would be too long, and the records are listed here instead.
MAX_IDS_IN_URL = 1000
LIST_URLS = {services.SEIZURE: "seizures:list", services.CASE: "cases:list"}
DETAIL_URLS = {services.SEIZURE: "seizures:detail", services.CASE: "cases:detail"}


class ScopeForm(PlainErrors, forms.Form):
    since = forms.DateField(label=_("Seizures from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("to"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    validated = forms.BooleanField(label=_("Validated seizures only"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def scope(self, user: Any) -> services.Scope:
        data = self.cleaned_data
        return services.Scope(user=user, since=data.get("since"), until=data.get("until"),
                              validated_only=bool(data.get("validated")))


def _scope_or_errors(request: HttpRequest) -> tuple[ScopeForm, services.Scope | None]:
    form = ScopeForm(request.GET)
    return form, form.scope(request.user) if form.is_valid() else None


def _bad_request(form: ScopeForm) -> JsonResponse:
    return JsonResponse({"detail": "invalid parameters", "errors": form.errors}, status=400)


def table(request: HttpRequest) -> HttpResponseBase:
    """/indicators/: every indicator for the chosen seizure dates, each number a link."""
    form, scope = _scope_or_errors(request)
    fmt = request.GET.get("format", "html")
    if scope is None:
        if fmt != "html":
            return _bad_request(form)
        return render(request, "indicators/table.html", {"form": form, "groups": []},
                      status=400)
    rows = cache.compute(scope)
    if fmt == "json":
        return JsonResponse({
            "caveat": str(services.CAVEAT), "scope": scope.query(),
            "indicators": output.as_json(rows, scope, request.GET.get("with_ids") == "1"),
        }, json_dumps_params={"ensure_ascii": False})
    if fmt in {"csv", "xlsx"}:
        return tabular.response(output.HEADER, output.table_rows(rows), fmt, "indicators")
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append({
            "row": row, "text": output.display(row),
            "weight": output.kg_text(row.extra["weight_kg"]) if "weight_kg" in row.extra
            else "",
            "url": output.records_url(scope, row.id, row.key),
            "numerator_url": output.records_url(scope, row.numerator_id)
            if row.numerator is not None else "",
            "denominator_url": output.records_url(scope, row.denominator_id)
            if row.numerator is not None else "",
        })
    titled = [(str(services.BREAKDOWNS[g].label) if g in services.BREAKDOWNS else "", g, m)
              for g, m in groups.items()]
    query = urlencode(scope.query())
    return render(request, "indicators/table.html", {
        "form": form, "groups": titled, "caveat": services.CAVEAT, "query": query,
        "periods": periods(scope),
    })


def periods(scope: services.Scope) -> list[dict[str, Any]]:
    """Links to the programme's periods when ``KOUPREY_BASELINE_UNTIL`` names the end of its
    baseline (DOMAIN.md: 3 convictions out of 21 seizures to January 2018): all dates, the
    baseline, and since the baseline; the validated-only choice kept."""
    until: date | None = settings.BASELINE_UNTIL
    if until is None:
        return []
    after = until + timedelta(days=1)
    chosen = [
        (_("All dates"), None, None),
        # ISO dates, as everywhere in Kouprey (not "Jan. 31, 2018")
        (_("Baseline, to %(date)s") % {"date": until.isoformat()}, None, until),
        (_("Since the baseline, from %(date)s") % {"date": after.isoformat()}, after, None),
    ]
    found = []
    for label, since, end in chosen:
        period = services.Scope(user=scope.user, since=since, until=end,
                                validated_only=scope.validated_only)
        query = urlencode(period.query())
        found.append({"label": label, "url": f"?{query}" if query else "?",
                      "current": (scope.since, scope.until) == (since, end)})
    return found


def _url(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def records(request: HttpRequest) -> HttpResponse:
    """The exact records behind one number: opens the seizure or case list on them."""
    form, scope = _scope_or_errors(request)
    indicator, key = request.GET.get("indicator", ""), request.GET.get("key", "")
    if scope is None:
        return _bad_request(form)
    try:
        kind = services.record_kind(indicator)
        queryset = services.records(scope, indicator, key).order_by("pk")
    except (KeyError, ValueError) as exc:
        raise Http404(_("No such indicator.")) from exc
    if request.GET.get("format") == "json":
        ids = list(queryset.values_list("pk", flat=True))
        return JsonResponse({"indicator": indicator, "key": key, "records": kind,
                             "count": len(ids), "ids": ids, "scope": scope.query()})
    list_url = _url(LIST_URLS[kind])
    # The list says which number it shows, and links back to the table (output.counted_by).
    counted = {output.COUNTED_PARAM: urlencode(
        {"indicator": indicator, **({"key": key} if key else {}), **scope.query()})}
    params = services.list_filter(scope, indicator, key)
    if list_url and params is not None:
        return redirect(f"{list_url}?{urlencode({**params, **counted})}")
    ids = list(queryset.values_list("pk", flat=True)[:MAX_IDS_IN_URL + 1])
    if list_url and 0 < len(ids) <= MAX_IDS_IN_URL:
        return redirect(f"{list_url}?ids={','.join(map(str, ids))}&{urlencode(counted)}")
    if kind == services.SEIZURE:
        queryset = queryset.select_related("place")
    page = Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    detail = DETAIL_URLS[kind]
    items = [(record, _url(detail, pk=record.pk)) for record in page]
    return render(request, "indicators/records.html", {
        "indicator": indicator, "key": key, "kind": kind, "page": page, "items": items,
        "counted": output.counted_by(urlencode(request.GET)),
        "query": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
        "caveat": services.CAVEAT,
    })
