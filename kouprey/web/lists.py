"""List and detail page machinery shared by every domain's pages.

A list page is a FilterSet over a restricted queryset, a list of ``Column`` definitions and
one call::

    columns = [Column("reference", _("Reference"), lambda s: s.reference, sort="reference",
                      link=True), ...]
    fmt = lists.output_format(request)                       # html | json | csv | xlsx
    records = Seizure.objects.restrict(request.user, lists.action_for(fmt))
    filterset = SeizureFilter(request.GET, queryset=records)  # bound, even if empty
    return lists.list_response(request, filterset=filterset, columns=columns,
                               template="seizures/list.html", filename="seizures",
                               prepare=lambda qs: qs.select_related(...),
                               row_url=lambda s: reverse("seizures:detail", args=[s.pk]))

``list_response`` then answers, from the same filters and permissions:

- HTML: ``template`` (extend ``web/list.html``) with ``filterset``, ``table`` (headers
  with sort links, rows of cells), ``page`` (a Django Page) and ``count``; an htmx request
  (``HX-Request``) gets only ``web/_list_results.html`` so the results update in place;
- ``?format=json``: ``{"count", "count_is_exact", "page", "pages", "next", "previous",
  "results": [...]}``, one object per row keyed by ``Column.key`` plus ``id`` and ``url``;
  with ``"ignored_words"`` when the search (``q``) left function words out ("at", "the":
  ``core.search.searched_words``), which the HTML page names under the search box;
- ``?format=csv`` / ``?format=xlsx``: every filtered row (all pages), through
  ``core.tabular.response`` (formula-injection escaping); refused (403) unless the user's
  role grants ``export``.

Counting and reading the page (``web.paging``): a list counts at most ``COUNT_LIMIT``
matches (then ``count`` is that limit, ``count_is_exact`` false: "more than 1,000 records",
pages up to it); ``?count=exact`` counts them all (``CountCachedPaginator``).

Sorting: a column's ``sort`` is the parameter value of the FilterSet's ``OrderingFilter``
(named ``sort``); a sort by a related record's field (a place's name) reads the list one
related record at a time (``web.sorting``). The header links toggle ascending and
descending. Pagination uses ``settings.PAGE_SIZE``. ``prepare`` adds
``select_related``/``prefetch_related`` and annotations to the page (and the export) so the
page costs a constant number of queries.

Detail pages: ``detail_response(request, template, context, data)`` answers the HTML page
or, for ``?format=json``, ``data``; ``history(record)`` gives the record's change history
from the audit log, in the reader's language (kouprey.web.history; render it with
``{% include "web/_history.html" %}``, JSON with ``history_json``); ``url_or_none`` links
to pages that may not exist yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from kouprey.core import tabular
from kouprey.core.permissions import EXPORT, VIEW, can
from kouprey.core.search import SearchFilter, ignored_words
from kouprey.web import widgets
from kouprey.web.history import (  # noqa: F401 - part of this module's interface
    Change,
    HistoryEntry,
    history,
    history_json,
)
from kouprey.web.paging import (  # noqa: F401 - part of this module's interface
    COUNT_LIMIT,
    COUNT_PARAM,
    CountCachedPaginator,
    paginate,
    prepared_page,
)

FORMATS = ("html", "json", "csv", "xlsx")
SORT_PARAM = "sort"
RESULTS_TEMPLATE = "web/_list_results.html"


@dataclass(frozen=True)
class Column:
    """One column of a list: the same value feeds the HTML cell, the JSON key and the export.

    ``value`` returns a plain value: text, number, Decimal, date, bool, None or a list of text.
    """

    key: str
    label: Any
    value: Callable[[Any], Any]
    sort: str = ""
    link: bool = False
    numeric: bool = False
    json: Callable[[Any], Any] | None = None  # a different value for JSON (e.g. a code)
    in_table: bool = True  # False: only in the JSON twin and the downloads
    css: str = ""  # extra class of the HTML cells, e.g. "nowrap"
    empty: str = ""  # the HTML cell's text when the value is None, e.g. "—"
    # the HTML cell's markup when it differs from the value's text (a SafeString, with
    # every value in it escaped: format_html), e.g. a date that must not wrap
    html: Callable[[Any], Any] | None = None


@dataclass
class Header:
    label: Any
    key: str
    sort_url: str = ""
    direction: str = ""  # "ascending", "descending" or "" (not the current sort)
    numeric: bool = False
    css: str = ""


@dataclass
class Cell:
    text: str
    label: Any
    url: str = ""
    numeric: bool = False
    css: str = ""


@dataclass
class Row:
    record: Any
    url: str
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Table:
    headers: list[Header]
    rows: list[Row]

    def body_html(self) -> SafeString:
        """The ``<tbody>`` rows, built in Python (a page's 500 cells through template tags
        cost tens of ms); the markup ``web/_table.html`` documents, every value escaped."""
        labels: dict[int, str] = {}
        parts = []
        for row in self.rows:
            parts.append("<tr>")
            for n, cell in enumerate(row.cells):
                if n not in labels:
                    labels[n] = str(conditional_escape(cell.label))
                css = conditional_escape(("num " if cell.numeric else "") + cell.css)
                if cell.url:
                    inner = (f'<a href="{conditional_escape(cell.url)}">'
                             f'{conditional_escape(cell.text or "—")}</a>')
                else:
                    inner = str(conditional_escape(cell.text))
                parts.append(f'<td data-label="{labels[n]}" class="{css}">{inner}</td>')
            parts.append("</tr>\n  ")
        return mark_safe("".join(parts))  # noqa: S308 - every value is escaped above  # nosec B308 B703


# -- request helpers ----------------------------------------------------------------------

def output_format(request: HttpRequest) -> str:
    """``html`` unless ``?format=`` names json, csv or xlsx."""
    fmt = request.GET.get("format", "html").lower()
    return fmt if fmt in FORMATS else "html"


def action_for(fmt: str) -> str:
    """The permission action a format needs: downloads are exports, the rest is viewing."""
    return EXPORT if fmt in ("csv", "xlsx") else VIEW


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request for a fragment (not a history restore, which wants the whole page)."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def url_or_none(name: str, *args: Any) -> str | None:
    """The URL of a named route, or None while that page does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def query_with(request: HttpRequest, **changes: Any) -> str:
    """The current query string with some parameters changed (None removes one)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


# -- values ----------------------------------------------------------------------------

def plain_text(value: Any) -> str:
    """A column value as text for an HTML cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, Decimal):
        text = f"{value:,.3f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(plain_text(v) for v in value)
    return str(value)


def json_value(value: Any) -> Any:
    """A column value for JSON: numbers as numbers, dates as ISO text, lazy text resolved."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return str(value)


def export_value(value: Any) -> Any:
    """A column value for a CSV/XLSX cell (lists joined; core.tabular escapes the text)."""
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return value


# -- tables ----------------------------------------------------------------------------

def headers(request: HttpRequest, columns: Sequence[Column], default_sort: str = "",
            sort: str | None = None) -> list[Header]:
    """Column headers; sortable ones link to the same list sorted by them (toggling).
    ``sort`` is the sort in use when it is not the request's (an unknown one ignored)."""
    current = (request.GET.get(SORT_PARAM, "") if sort is None else sort) or default_sort
    result = []
    for column in columns:
        if not column.in_table:
            continue
        header = Header(column.label, column.key, numeric=column.numeric, css=column.css)
        if column.sort:
            if current == column.sort:
                header.direction, following = "ascending", f"-{column.sort}"
            elif current == f"-{column.sort}":
                header.direction, following = "descending", column.sort
            else:
                following = column.sort
            header.sort_url = query_with(request, **{SORT_PARAM: following, "page": None})
        result.append(header)
    return result


def table(request: HttpRequest, records: Iterable[Any], columns: Sequence[Column],
          row_url: Callable[[Any], str], default_sort: str = "", sort: str | None = None
          ) -> Table:
    rows = []
    for record in records:
        url = row_url(record)
        cells = [Cell(c.empty if (v := (c.html or c.value)(record)) is None else plain_text(v),
                      c.label,
                      url if c.link else "", c.numeric, c.css) for c in columns if c.in_table]
        rows.append(Row(record, url, cells))
    return Table(headers(request, columns, default_sort, sort), rows)


def json_row(record: Any, columns: Sequence[Column], url: str) -> dict[str, Any]:
    row: dict[str, Any] = {"id": record.pk, "url": url}
    row.update({c.key: json_value((c.json or c.value)(record)) for c in columns})
    return row


def stable_order(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The queryset's ordering with the primary key last, so pages never overlap."""
    order = list(queryset.query.order_by) or list(queryset.model._meta.ordering)  # noqa: SLF001
    if not any(str(o).lstrip("-") in ("id", "pk") for o in order):
        order.append("-pk")
    return queryset.order_by(*order)


def style_filter_form(form: Any) -> None:
    """Browser-native inputs for a filter form: a search box and date pickers.

    Selects render through ``widgets.Select`` (same HTML, one join, cached model choices):
    with every place and country, Django's per-option templates cost hundreds of ms a page.
    """
    for name, form_field in form.fields.items():
        form_field.widget = widgets.fast_select(form_field.widget)
        widget = form_field.widget
        if name == "q":
            widget.input_type = "search"
            widget.attrs.setdefault("placeholder", _("Words, names, places, codes…"))
            widget.attrs.setdefault("autocomplete", "off")
        elif isinstance(form_field, forms.DateField):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"


# -- the list response ------------------------------------------------------------------

def list_response(
    request: HttpRequest,
    *,
    filterset: Any,
    columns: Sequence[Column],
    template: str,
    filename: str,
    row_url: Callable[[Any], str],
    prepare: Callable[[QuerySet[Any]], QuerySet[Any]] = lambda qs: qs,
    context: dict[str, Any] | None = None,
    default_sort: str = "",
) -> HttpResponse | StreamingHttpResponse:
    """Answer a list page in the requested format (see the module docstring)."""
    fmt = output_format(request)
    if fmt in ("csv", "xlsx") and not can(request.user, EXPORT):  # type: ignore[arg-type]
        raise PermissionDenied(_("Your role does not allow downloads."))
    filterset, notices = without_unknown_sort(filterset)
    valid = filterset.is_valid()
    if not valid and fmt != "html":
        problems = filter_problems(filterset)
        return JsonResponse({
            "detail": " ".join([str(_("Please correct these filters:")),
                                *(f"{label}: {message}" for _name, label, message in problems)]),
            "errors": {name: [message] for name, _label, message in problems},
        }, status=400)
    records = stable_order(filterset.qs) if valid else filterset.queryset.none()
    if fmt in ("csv", "xlsx"):
        header = [str(c.label) for c in columns]
        rows = ([export_value(c.value(r)) for c in columns]
                for r in stable_order(prepare(records)).iterator(chunk_size=2000))
        return tabular.response(header, rows, fmt, filename)
    page = prepared_page(request, records, prepare)
    ignored = search_words_left_out(filterset) if valid else []
    if fmt == "json":
        data = _json_page(request, page, columns, row_url)
        if ignored:
            data["ignored_words"] = ignored
        if notices:
            data["warnings"] = [{"field": name, "message": f"{label}: {message}"}
                                for name, label, message in notices]
        return JsonResponse(data)
    style_filter_form(filterset.form)
    ctx = {
        "filterset": filterset,
        "filter_problems": [] if valid else filter_problems(filterset),
        "filter_notices": notices,
        "table": table(request, page.object_list, columns, row_url, default_sort,
                       sort=default_sort if notices else None),
        "page": page,
        "count": page.paginator.count,
        "count_is_exact": page.paginator.count_is_exact,  # type: ignore[attr-defined]
        "exact_count_url": query_with(request, **{COUNT_PARAM: "exact"}),
        "can_export": can(request.user, EXPORT),  # type: ignore[arg-type]
        # The panel opens for the filters it shows: not for ``ids`` (an indicator's records,
        # a hidden field), which on a phone pushed the records a screen down.
        "more_filters_used": any(request.GET.get(name) for name in filterset.form.fields
                                 if name not in ("q", SORT_PARAM, "ids")),
        "list_url": request.path,
        "counted": _counted(request),
        # A sort chosen in the table's headers updates the filter form's sort select (out
        # of band), so a filter changed next keeps that sort in the pushed address.
        "sort_oob": (filterset.form[SORT_PARAM].as_widget(attrs={"hx-swap-oob": "true"})
                     if is_htmx(request) and SORT_PARAM in filterset.form.fields else ""),
        # The search's function words left out, under the search box (web/_search_note.html;
        # out of band for htmx, which replaces the results only).
        "ignored_words": ignored,
        "search_note_oob": is_htmx(request) and _has_search(filterset),
        **(context or {}),
    }
    response = render(request, RESULTS_TEMPLATE if is_htmx(request) else template, ctx)
    response["Vary"] = "HX-Request"
    return response


def _has_search(filterset: Any) -> bool:
    return isinstance(filterset.filters.get("q"), SearchFilter)


def search_words_left_out(filterset: Any) -> list[str]:
    """The function words a valid FilterSet's search (``q``) leaves out
    (``core.search.searched_words``); none for a list without a search."""
    if not _has_search(filterset):
        return []
    return ignored_words(str(filterset.form.cleaned_data.get("q") or ""))


def _counted(request: HttpRequest) -> dict[str, str] | None:
    """A list opened from an indicator's number: which one (indicators.output.counted_by)."""
    from kouprey.indicators.output import COUNTED_PARAM, counted_by

    return counted_by(request.GET.get(COUNTED_PARAM))


def field_label(filterset: Any, name: str) -> str:
    """The filter form's label for a parameter (its name when the form has no such field)."""
    form_field = filterset.form.fields.get(name)
    return str(form_field.label) if form_field is not None and form_field.label else name


def filter_problems(filterset: Any) -> list[tuple[str, str, str]]:
    """(parameter, label, message) for each invalid filter of a bound FilterSet."""
    return [(name, field_label(filterset, name), " ".join(str(m) for m in messages))
            for name, messages in filterset.errors.items()]


def without_unknown_sort(filterset: Any) -> tuple[Any, list[tuple[str, str, str]]]:
    """The FilterSet without an unknown ``?sort=`` (the list falls back to its default
    order), and (parameter, label, message) saying so; the same FilterSet when the sort is
    fine. Other invalid filters stay: the page names them and lists nothing."""
    if not filterset.is_bound or filterset.is_valid() or SORT_PARAM not in filterset.errors:
        return filterset, []
    wanted = ", ".join(filterset.data.getlist(SORT_PARAM)) if hasattr(filterset.data, "getlist") \
        else str(filterset.data.get(SORT_PARAM))
    message = _("unknown sort “%(sort)s”: the list is in its usual order.") % {"sort": wanted}
    notice = (SORT_PARAM, field_label(filterset, SORT_PARAM), str(message))
    data = filterset.data.copy()
    data.pop(SORT_PARAM, None)
    fixed = type(filterset)(data, queryset=filterset.queryset, request=filterset.request)
    return fixed, [notice]


def _json_page(request: HttpRequest, page: Page, columns: Sequence[Column],
               row_url: Callable[[Any], str]) -> dict[str, Any]:
    def link(number: int | None) -> str | None:
        if number is None:
            return None
        return request.build_absolute_uri(request.path + query_with(request, page=number))

    return {
        "count": page.paginator.count,
        "count_is_exact": page.paginator.count_is_exact,  # type: ignore[attr-defined]
        "page": page.number,
        "pages": page.paginator.num_pages,
        "next": link(page.next_page_number() if page.has_next() else None),
        "previous": link(page.previous_page_number() if page.has_previous() else None),
        "results": [json_row(r, columns, row_url(r)) for r in page.object_list],
    }


def detail_response(request: HttpRequest, template: str, context: dict[str, Any],
                    data: Callable[[], dict[str, Any]]) -> HttpResponse:
    """A detail page, or its JSON twin (``data()``) for ``?format=json``."""
    if output_format(request) == "json":
        return JsonResponse(json_value(data()), json_dumps_params={"ensure_ascii": False})
    return render(request, template, context)


def form_fields(form: forms.BaseForm) -> list[dict[str, Any]]:
    """A form's fields for a form page's JSON twin: name, label, required, help, choices."""
    described = []
    for name, bound in form.fields.items():
        if bound.widget.is_hidden:
            continue
        item: dict[str, Any] = {"name": name, "label": str(bound.label or name),
                                "required": bound.required, "help": str(bound.help_text)}
        if isinstance(bound, forms.ModelChoiceField):
            item["choices"] = "id of a reference record (see the API)"
        elif isinstance(bound, forms.ChoiceField):
            choices: Iterable[Any] = bound.choices  # type: ignore[assignment]
            item["choices"] = [[str(k), str(v)] for k, v in choices if k != ""]
        described.append(item)
    return described
