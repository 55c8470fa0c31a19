"""What every API router shares: reference codes, 422 errors, filters and pagination.

Payloads name reference records by id or by code (a place by UN/LOCODE or IATA code, a
country by ISO 3166 alpha-2, an agency, commodity, unit or method by its code, a taxon by
its scientific name, an organisation by its code); ``Refs`` turns them into records and
collects a clear message for each one that does not exist. Every rejected request answers
422 with ``{"detail": [{"field": "items[0].weight_kg", "message": "..."}]}``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any, Literal, cast

import django_filters as df
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext
from ninja import Field, Schema
from pydantic import create_model

from kouprey.core.models import Organisation, User
from kouprey.reference.models import Agency, Country, Place, Taxon
from kouprey.web.paging import COUNT_LIMIT

RefIn = int | str  # a reference record's id, or its code
MAX_PAGE_SIZE = 500

# The fields a reference record's code may be found in (any other model: ``code``).
CODE_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Place: ("locode", "iata"),
    Country: ("iso2",),
    Agency: ("code",),
    Taxon: ("scientific_name",),
    Organisation: ("code",),
}


class ErrorItem(Schema):
    field: str | None = Field(None, description="The payload field, e.g. items[0].weight_kg")
    message: str


class ErrorOut(Schema):
    detail: list[ErrorItem] | str


class PayloadError(Exception):
    """A request the API rejects with 422; ``errors`` lists each field and its problem."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        super().__init__(errors)


def field_error(field: str | None, message: str) -> PayloadError:
    return PayloadError([{"field": field, "message": message}])


def from_validation_error(exc: DjangoValidationError,
                          rename: Callable[[str], str] = lambda key: key) -> PayloadError:
    """A services' ValidationError as a 422: each key (``items[0].weight_kg``) a field."""
    if not hasattr(exc, "error_dict"):
        return PayloadError([{"field": None, "message": str(m)} for m in exc.messages])
    errors = []
    for key, messages in exc.message_dict.items():
        field = None if key == "__all__" else rename(key)
        errors += [{"field": field, "message": str(message)} for message in messages]
    return PayloadError(errors)


def location(loc: Iterable[Any]) -> str | None:
    """A pydantic error location (``body, payload, items, 0, weight_kg``) as a field path."""
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "form", "header", "cookie"}:
        parts = parts[1:]
        if parts and parts[0] in {"payload", "filters"}:
            parts = parts[1:]
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or None


def ref_out(obj: models.Model | None) -> dict[str, Any] | None:
    """A reference record as ``{"id", "code", "name"}`` (what a payload may name it by)."""
    if obj is None:
        return None
    if isinstance(obj, Place):
        return {"id": obj.pk, "code": obj.code, "name": obj.name}
    if isinstance(obj, Country):
        return {"id": obj.pk, "code": obj.iso2, "name": obj.name}
    if isinstance(obj, Taxon):
        return {"id": obj.pk, "code": obj.scientific_name, "name": obj.common_name_en}
    return {"id": obj.pk, "code": getattr(obj, "code", ""), "name": getattr(obj, "name", "")}


class Ref(Schema):
    id: int
    code: str = Field(description="UN/LOCODE or IATA, ISO2, scientific name or code")
    name: str


def _label(model: type[models.Model]) -> str:
    return str(model._meta.verbose_name)  # noqa: SLF001


class Refs:
    """Finds the reference records a payload names, remembering each and every failure."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.errors: list[dict[str, Any]] = []
        self._found: dict[tuple[type[models.Model], RefIn], list[models.Model]] = {}

    def get(self, model: type[models.Model], value: RefIn | None, field: str) -> Any:
        """The record with this id or code; None (and an error) when there is not one."""
        if value is None or value == "":
            return None
        key = (model, value)
        if key not in self._found:
            self._found[key] = self._find(model, value)
        found = self._found[key]
        if len(found) == 1:
            return found[0]
        self.errors.append({"field": field, "message": self._problem(model, value, found)})
        return None

    def many(self, model: type[models.Model], values: Iterable[RefIn], field: str) -> list[Any]:
        found = [self.get(model, v, f"{field}[{i}]") for i, v in enumerate(values)]
        return [f for f in found if f is not None]

    def check(self) -> None:
        """Raise the 422 listing every unknown reference, if there was any."""
        if self.errors:
            raise PayloadError(self.errors)

    def _find(self, model: type[models.Model], value: RefIn) -> list[models.Model]:
        manager: Any = model._default_manager  # noqa: SLF001
        queryset = manager.restrict(self.user, "view") if hasattr(manager, "restrict") \
            else manager.all()
        if isinstance(value, int) and not isinstance(value, bool):
            return list(queryset.filter(pk=value))
        condition = Q()
        for name in CODE_FIELDS.get(model, ("code",)):
            condition |= Q(**{f"{name}__iexact": str(value).strip()})
        return list(queryset.filter(condition)[:2])

    @staticmethod
    def _problem(model: type[models.Model], value: RefIn, found: list[models.Model]) -> str:
        kind = _label(model)
        if found:
            return gettext("%(kind)s code %(value)s names more than one %(kind)s: give its id"
                           ) % {"kind": kind, "value": value}
        if isinstance(value, int):
            return gettext("unknown %(kind)s id %(value)s") % {"kind": kind, "value": value}
        what = gettext("scientific name") if model is Taxon else gettext("code")
        return gettext("unknown %(kind)s %(what)s %(value)s") % {
            "kind": kind, "what": what, "value": value}


# -- list filters -------------------------------------------------------------------------

def filter_query_schema(name: str, filterset: type[df.FilterSet]) -> type[Schema]:
    """A query-string schema generated from a FilterSet, so the OpenAPI docs list its filters.

    The filters themselves run in ``filtered`` on the raw query string (the same FilterSet
    the pages use); this schema documents them and checks the page parameters.
    """
    fields: dict[str, Any] = {}
    for key, flt in filterset.base_filters.items():
        help_text = str(flt.label or key)
        if isinstance(flt, df.ModelChoiceFilter):
            help_text += " (id or code)"
        if isinstance(flt, df.OrderingFilter):
            choices = ", ".join(f"{c}, -{c}" for c in flt.param_map)
            help_text += f": {choices}"
        fields[key] = (str | None, Field(None, description=help_text))
    fields["page"] = (int, Field(1, ge=1, description="Page number, from 1"))
    fields["count"] = (Literal["exact", "capped"], Field("exact", description=(
        "exact: count every match; capped: count at most 1,000 (faster on big lists; "
        "count_is_exact says whether more match)")))
    fields["page_size"] = (int | None, Field(None, ge=1, le=MAX_PAGE_SIZE,
                                             description="Records per page"))
    return create_model(name, __base__=Schema, **fields)


def _codes_to_ids(data: QueryDict, filterset: type[df.FilterSet], refs: Refs) -> QueryDict:
    data = data.copy()
    for key, flt in filterset.base_filters.items():
        value = data.get(key)
        if not value or not isinstance(flt, df.ModelChoiceFilter) or value.isdigit():
            continue
        found = refs.get(flt.queryset.model, value, key)
        if found is not None:
            data[key] = str(found.pk)
    refs.check()
    return data


def filtered(request: HttpRequest, filterset: type[df.FilterSet],
             queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The records of ``queryset`` the query string's filters keep (422 on a bad filter)."""
    data = _codes_to_ids(request.GET, filterset, Refs(request.user))
    data.setdefault("count", "exact")  # the API counts exactly unless asked (page_of)
    filters = filterset(data, queryset=queryset, request=request)
    if not filters.is_valid():
        raise PayloadError([{"field": key, "message": str(message)}
                            for key, messages in filters.errors.items() for message in messages])
    return filters.qs


def page_of(request: HttpRequest, queryset: QuerySet[Any]) -> tuple[list[int], dict[str, Any]]:
    """The ids on the requested page, in order, and the page's count and links."""
    try:
        number = max(int(request.GET.get("page") or 1), 1)
        size = int(request.GET.get("page_size") or settings.PAGE_SIZE)
    except ValueError as exc:
        raise field_error("page", gettext("Give a whole number.")) from exc
    size = min(max(size, 1), MAX_PAGE_SIZE)
    exact = request.GET.get("count", "exact") != "capped"
    count = queryset.count() if exact else queryset.order_by()[:COUNT_LIMIT + 1].count()
    exact = exact or count <= COUNT_LIMIT
    count = count if exact else COUNT_LIMIT
    pages = max(math.ceil(count / size), 1)
    start = (number - 1) * size
    ids = list(queryset.values_list("pk", flat=True)[start:start + size])

    def link(n: int) -> str | None:
        if n < 1 or n > pages:
            return None
        query = request.GET.copy()
        query["page"] = str(n)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return ids, {"count": count, "count_is_exact": exact, "page": number, "pages": pages,
                 "page_size": size, "next": link(number + 1), "previous": link(number - 1)}


def api_user(request: HttpRequest) -> User:
    """The signed-in user of an API request (the API's auth has already checked this)."""
    return cast(User, request.user)


def in_order(objects: Iterable[Any], ids: list[int]) -> list[Any]:
    position = {pk: i for i, pk in enumerate(ids)}
    return sorted(objects, key=lambda o: position[o.pk])


class PageMeta(Schema):
    count: int = Field(description="Records matching the filters, on all pages (with "
                       "count=capped and count_is_exact false: more than this many match)")
    count_is_exact: bool = Field(True, description="False when count=capped stopped counting")
    page: int
    pages: int
    page_size: int
    next: str | None
    previous: str | None


def optional_schema(name: str, schema: type[Schema]) -> type[Schema]:
    """A copy of ``schema`` whose fields are all optional (the body of a PATCH)."""
    fields: dict[str, Any] = {}
    for key, info in schema.model_fields.items():
        annotation: Any = info.annotation
        fields[key] = (annotation | None, Field(None, description=info.description))
    return create_model(name, __base__=Schema, **fields)

