"""Seizures in the API: list (the pages' filters), detail, create and update.

Reading goes through ``restrict()``; writing through ``services.save_seizure`` (the same
validation as the forms and importers; nothing half-written). Another organisation's seizure
is not found (404). The audit log records every change with the API user as actor.
"""

from __future__ import annotations

from decimal import Decimal
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
from kouprey.reference.models import (
    Agency,
    CommodityType,
    ConcealmentType,
    Country,
    DetectionMethod,
    Place,
    Taxon,
    TransportMode,
    Unit,
)
from kouprey.seizures.filters import SeizureFilter
from kouprey.seizures.models import (
    OriginCountry,
    Seizure,
    SeizureItem,
    Source,
    Suspect,
    TransitCountry,
)
from kouprey.seizures.schemas import (
    ItemIn,
    SeizureIn,
    SeizureOut,
    SeizurePage,
    SeizurePatch,
    SeizureQuery,
)
from kouprey.seizures.services import SeizureRecord, save_seizure, with_totals

router = Router(tags=["seizures"])
GRAM = Decimal("0.001")

ERRORS: dict[int | str, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
TEXT_FIELDS = ["reference", "flight_number", "vessel_name", "container_number",
               "bill_of_lading", "air_waybill", "description"]
PLAIN_FIELDS = [*TEXT_FIELDS, "date", "reason", "validation_status", "confidentiality",
                "synthetic"]
REF_FIELDS: dict[str, type[Any]] = {
    "place": Place, "detection_method": DetectionMethod, "transport_mode": TransportMode,
    "concealment": ConcealmentType,
}
# services' error keys -> the payload's field names
RENAMED = {"discovery_country": "chain.discovery", "export_country": "chain.export",
           "destination_country": "chain.destination", "origins": "chain.origins",
           "transits": "chain.transits"}


def _rename(key: str) -> str:
    head, sep, rest = key.partition("[")
    return RENAMED.get(head, head) + sep + rest if sep else RENAMED.get(key, key)


def _detail_queryset(request: HttpRequest, action: str) -> QuerySet[Seizure]:
    return with_totals(Seizure.objects.restrict(api_user(request), action)).select_related(
        "place", "owner_org", "detection_method", "transport_mode", "concealment",
        "discovery_country", "export_country", "destination_country",
    ).prefetch_related(
        "agencies", "shared_with", "suspects__nationality", "sources",
        Prefetch("items", SeizureItem.objects.select_related("taxon", "commodity",
                                                              "count_unit")),
        Prefetch("origins", OriginCountry.objects.select_related("country")),
        Prefetch("transits", TransitCountry.objects.select_related("country")),
    )


def _changeable(request: HttpRequest, seizure_id: int) -> Seizure:
    return get_object_or_404(Seizure.objects.restrict(api_user(request), "change"), pk=seizure_id)


# -- out ----------------------------------------------------------------------------------

def _kg(value: Any) -> Decimal:
    """A derived weight to the gram, the same on SQLite and PostgreSQL."""
    return Decimal(value or 0).quantize(GRAM)


def summary_out(seizure: Any) -> dict[str, Any]:
    return {
        "id": seizure.pk,
        "url": reverse("api:seizure_detail", kwargs={"seizure_id": seizure.pk}),
        "reference": seizure.reference, "external_id": seizure.external_id,
        "date": seizure.date, "place": ref_out(seizure.place),
        "agencies": [ref_out(a) for a in seizure.agencies.all()],
        "validation_status": seizure.validation_status,
        "confidentiality": seizure.confidentiality, "owner_org": ref_out(seizure.owner_org),
        "total_weight_kg": _kg(seizure.total_weight_kg), "rie_kg": _kg(seizure.rie_kg),
        "synthetic": seizure.synthetic,
    }


def detail_out(seizure: Any) -> dict[str, Any]:
    out = summary_out(seizure)
    out.update({name: getattr(seizure, name) for name in TEXT_FIELDS})
    out["reason"] = seizure.reason
    out.update({name: ref_out(getattr(seizure, name)) for name in REF_FIELDS if name != "place"})
    out.update({
        "shared_with": [ref_out(o) for o in seizure.shared_with.all()],
        "items": [{
            "id": i.pk, "taxon": ref_out(i.taxon), "commodity": ref_out(i.commodity),
            "worked": i.worked, "pieces": i.pieces, "count_unit": ref_out(i.count_unit),
            "weight_kg": i.weight_kg, "volume_m3": i.volume_m3, "value": i.value,
            "currency": i.currency, "description": i.description, "disposal": i.disposal,
        } for i in seizure.items.all()],
        "chain": {
            "discovery": ref_out(seizure.discovery_country),
            "origins": [{"country": ref_out(o.country), "proportion": o.proportion}
                        for o in seizure.origins.all()],
            "export": ref_out(seizure.export_country),
            "transits": [{"country": ref_out(t.country), "position": t.position,
                          "seizure_opportunity": t.seizure_opportunity}
                         for t in seizure.transits.all()],
            "destination": ref_out(seizure.destination_country),
        },
        "suspects": [{
            "id": s.pk, "name": s.name, "name_latin": s.name_latin,
            "nationality": ref_out(s.nationality), "role": s.role, "arrested": s.arrested,
            "synthetic": s.synthetic,
        } for s in seizure.suspects.all()],
        "sources": [{"id": s.pk, "kind": s.kind, "reference": s.reference, "url": s.url,
                     "date": s.date} for s in seizure.sources.all()],
        "created_at": seizure.created_at, "updated_at": seizure.updated_at,
    })
    return out


def as_input(seizure: Seizure) -> dict[str, Any]:
    """The seizure as a SeizureIn payload (references by id): what a PATCH starts from."""
    data: dict[str, Any] = {name: getattr(seizure, name) for name in PLAIN_FIELDS}
    data.update({name: getattr(seizure, f"{name}_id") for name in REF_FIELDS})
    data.update({
        "external_id": seizure.external_id,
        "agencies": [a.pk for a in seizure.agencies.all()],
        "shared_with": [o.pk for o in seizure.shared_with.all()],
        "items": [{"id": i.pk, "taxon": i.taxon_id, "commodity": i.commodity_id,
                   "worked": i.worked, "pieces": i.pieces, "count_unit": i.count_unit_id,
                   "weight_kg": i.weight_kg, "volume_m3": i.volume_m3, "value": i.value,
                   "currency": i.currency, "description": i.description,
                   "disposal": i.disposal}
                  for i in seizure.items.all()],
        "chain": {
            "discovery": seizure.discovery_country_id, "export": seizure.export_country_id,
            "destination": seizure.destination_country_id,
            "origins": [{"country": o.country_id, "proportion": o.proportion}
                        for o in seizure.origins.all()],
            "transits": [{"country": t.country_id, "position": t.position,
                          "seizure_opportunity": t.seizure_opportunity}
                         for t in seizure.transits.all()],
        },
        "suspects": [{"id": s.pk, "name": s.name, "name_latin": s.name_latin,
                      "nationality": s.nationality_id, "role": s.role,
                      "arrested": s.arrested, "synthetic": s.synthetic}
                     for s in seizure.suspects.all()],
        "sources": [{"id": s.pk, "kind": s.kind, "reference": s.reference, "url": s.url,
                     "date": s.date} for s in seizure.sources.all()],
    })
    return data


# -- in -----------------------------------------------------------------------------------

def _child(existing: dict[int, Any], model: type[Any], wanted: int | None, field: str,
           refs: Refs) -> Any:
    """The existing child with this id (kept, so its history goes on), or a new one."""
    if wanted is None:
        return model()
    if wanted not in existing:
        refs.errors.append({"field": f"{field}.id", "message": gettext(
            "no %(kind)s with id %(id)s in this seizure") % {
            "kind": model._meta.verbose_name, "id": wanted}})  # noqa: SLF001
        return model()
    return existing[wanted]


def _items(seizure: Seizure, data: list[ItemIn], refs: Refs) -> list[SeizureItem]:
    existing = {i.pk: i for i in seizure.items.all()} if seizure.pk else {}
    items = []
    for index, given in enumerate(data):
        field = f"items[{index}]"
        item = _child(existing, SeizureItem, given.id, field, refs)
        item.taxon = refs.get(Taxon, given.taxon, f"{field}.taxon")
        item.commodity = refs.get(CommodityType, given.commodity, f"{field}.commodity")
        item.count_unit = refs.get(Unit, given.count_unit, f"{field}.count_unit")
        for name in ("worked", "pieces", "weight_kg", "volume_m3", "value", "currency",
                     "description", "disposal"):
            setattr(item, name, getattr(given, name))
        items.append(item)
    return items


def _chain(seizure: Seizure, data: SeizureIn, refs: Refs,
           ) -> tuple[list[OriginCountry], list[TransitCountry]]:
    chain = data.chain
    seizure.discovery_country = refs.get(Country, chain.discovery, "chain.discovery")
    seizure.export_country = refs.get(Country, chain.export, "chain.export")
    seizure.destination_country = refs.get(Country, chain.destination, "chain.destination")
    old_origins = {o.country_id: o for o in seizure.origins.all()} if seizure.pk else {}
    old_transits = {t.country_id: t for t in seizure.transits.all()} if seizure.pk else {}
    origins, transits = [], []
    for index, origin in enumerate(chain.origins):
        country = refs.get(Country, origin.country, f"chain.origins[{index}].country")
        kept: Any = old_origins.pop(getattr(country, "pk", 0), None)
        row = kept or OriginCountry()
        row.country, row.proportion = country, origin.proportion
        origins.append(row)
    for index, transit in enumerate(chain.transits):
        country = refs.get(Country, transit.country, f"chain.transits[{index}].country")
        kept = old_transits.pop(getattr(country, "pk", 0), None)
        stop = kept or TransitCountry()
        stop.country, stop.seizure_opportunity = country, transit.seizure_opportunity
        stop.position = transit.position if transit.position is not None else index + 1
        transits.append(stop)
    return origins, transits


def _people_and_sources(seizure: Seizure, data: SeizureIn, refs: Refs,
                        ) -> tuple[list[Suspect], list[Source]]:
    old_suspects = {s.pk: s for s in seizure.suspects.all()} if seizure.pk else {}
    old_sources = {s.pk: s for s in seizure.sources.all()} if seizure.pk else {}
    suspects, sources = [], []
    for index, given in enumerate(data.suspects):
        field = f"suspects[{index}]"
        suspect = _child(old_suspects, Suspect, given.id, field, refs)
        for name in ("name", "name_latin", "role", "arrested", "synthetic"):
            setattr(suspect, name, getattr(given, name))
        suspect.nationality = refs.get(Country, given.nationality, f"{field}.nationality")
        suspects.append(suspect)
    for index, given_source in enumerate(data.sources):
        source = _child(old_sources, Source, given_source.id, f"sources[{index}]", refs)
        for name in ("kind", "reference", "url", "date"):
            setattr(source, name, getattr(given_source, name))
        sources.append(source)
    return suspects, sources


def build_record(seizure: Seizure, data: SeizureIn, user: Any,
                 ) -> tuple[SeizureRecord, list[Organisation]]:
    """A SeizureRecord from a payload, with every unknown reference reported at once."""
    refs = Refs(user)
    for name in PLAIN_FIELDS:
        setattr(seizure, name, getattr(data, name))
    seizure.external_id = data.external_id or None
    for name, model in REF_FIELDS.items():
        setattr(seizure, name, refs.get(model, getattr(data, name), name))
    if data.confidentiality > user.clearance and not user.is_superuser:
        refs.errors.append({"field": "confidentiality", "message": gettext(
            "You may not set a level above your own clearance (%(level)s).") % {
            "level": user.clearance}})
    agencies = refs.many(Agency, data.agencies, "agencies")  # in the payload's order
    items = _items(seizure, data.items, refs)
    origins, transits = _chain(seizure, data, refs)
    suspects, sources = _people_and_sources(seizure, data, refs)
    record = SeizureRecord(seizure=seizure, agencies=agencies, items=items, origins=origins,
                           transits=transits, suspects=suspects, sources=sources)
    shared = refs.many(Organisation, data.shared_with, "shared_with")
    refs.check()
    return record, shared


def _save(seizure: Seizure, data: SeizureIn, request: HttpRequest) -> Seizure:
    record, shared = build_record(seizure, data, request.user)
    try:
        with transaction.atomic():
            saved = save_seizure(record)
            saved.shared_with.set(shared)
    except ValidationError as exc:
        raise from_validation_error(exc, _rename) from exc
    return saved


# -- routes -------------------------------------------------------------------------------

@router.get("/", url_name="seizure_list", response={200: SeizurePage, **ERRORS},
            summary="List seizures")
def seizure_list(request: HttpRequest, filters: Query[SeizureQuery]) -> Any:  # type: ignore[valid-type]
    """The seizures you may read, filtered like the list page (``q`` is full-text search)."""
    queryset = filtered(request, SeizureFilter, Seizure.objects.restrict(api_user(request), "view"))
    ids, meta = page_of(request, queryset)
    rows = with_totals(Seizure.objects.filter(pk__in=ids)).select_related(
        "place", "owner_org").prefetch_related("agencies")
    return {**meta, "items": [summary_out(s) for s in in_order(rows, ids)]}


@router.post("/", url_name="seizure_list", response={201: SeizureOut, **ERRORS},
             summary="Create a seizure")
def seizure_create(request: HttpRequest, payload: SeizureIn) -> Any:
    """Create a seizure owned by your organisation, with its items, chain and suspects."""
    organisation = getattr(request.user, "organisation", None)
    if organisation is None:
        raise field_error(None, gettext("Your account has no organisation to own records."))
    saved = _save(Seizure(owner_org=organisation), payload, request)
    created = get_object_or_404(_detail_queryset(request, "view"), pk=saved.pk)
    return Status(201, detail_out(created))


@router.get("/{int:seizure_id}", url_name="seizure_detail", response={200: SeizureOut, **ERRORS},
            summary="Read a seizure")
def seizure_detail(request: HttpRequest, seizure_id: int) -> Any:
    """One seizure with its items, trade chain, suspects, sources and derived weights."""
    return detail_out(get_object_or_404(_detail_queryset(request, "view"), pk=seizure_id))


@router.put("/{int:seizure_id}", url_name="seizure_detail", response={200: SeizureOut, **ERRORS},
            summary="Replace a seizure")
def seizure_replace(request: HttpRequest, seizure_id: int, payload: SeizureIn) -> Any:
    """Replace the whole seizure: fields left out take their defaults, lists are replaced."""
    seizure = _changeable(request, seizure_id)
    _save(seizure, payload, request)
    return detail_out(get_object_or_404(_detail_queryset(request, "view"), pk=seizure_id))


@router.patch("/{int:seizure_id}", url_name="seizure_detail",
              response={200: SeizureOut, **ERRORS}, summary="Change some fields of a seizure")
def seizure_update(request: HttpRequest, seizure_id: int,
                   payload: SeizurePatch) -> Any:  # type: ignore[valid-type]
    """Change the fields given; a list or the chain given replaces the whole list or chain."""
    seizure = _changeable(request, seizure_id)
    changes = payload.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
    try:
        data = SeizureIn.model_validate({**as_input(seizure), **changes})
    except pydantic.ValidationError as exc:  # e.g. a field given as null that may not be
        raise PayloadError([{"field": location(e["loc"]), "message": e["msg"]}
                            for e in exc.errors()]) from exc
    _save(seizure, data, request)
    return detail_out(get_object_or_404(_detail_queryset(request, "view"), pk=seizure_id))
