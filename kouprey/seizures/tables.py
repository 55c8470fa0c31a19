"""How seizures are shown: the list columns (page, JSON twin and exports) and the detail data.

One ``Column`` list feeds the HTML table, ``?format=json`` and the CSV/XLSX downloads, so they
cannot disagree (kouprey.web.lists).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kouprey.reference.models import Agency
from kouprey.seizures.models import Seizure, SeizureItem, Suspect
from kouprey.seizures.services import kg, rie_kg, seizure_rie_kg, with_totals
from kouprey.web.lists import Column, HistoryEntry, history_json, url_or_none


def detail_url(seizure: Seizure) -> str:
    return reverse("seizures:detail", args=[seizure.pk])


def label(seizure: Seizure) -> str:
    return seizure.reference or f"#{seizure.pk}"


def label_parts(seizure: Seizure) -> tuple[str, str, str]:
    """Reference (else #id), date and place (its name in the page's language; '' without
    one)."""
    return (label(seizure), f"{seizure.date:%Y-%m-%d}",
            str(seizure.place) if seizure.place_id else "")


def full_label(seizure: Seizure) -> str:
    """Reference, date and place, the place named in the page's language.

    ``str(seizure)`` names the place in English: it is the label the audit log keeps, so
    pages that show a seizure by its full label use this instead.
    """
    return " ".join(p for p in label_parts(seizure) if p)


def _unique(values: Iterable[Any]) -> list[str]:
    return sorted({str(v) for v in values if v is not None})


# What ``prepare_list`` loads for the list columns, as plain lists (``Prefetch(to_attr=)``:
# a prefetched manager costs a queryset per record, ~10 ms a page of 50). The columns are
# only read from seizures ``prepare_list`` loaded.
ITEMS, SUSPECTS, AGENCIES = "list_items", "list_suspects", "list_agencies"


def commodities(seizure: Seizure) -> list[str]:
    return _unique(item.commodity for item in getattr(seizure, ITEMS))


def nationalities(seizure: Seizure) -> list[str]:
    return _unique(s.nationality for s in getattr(seizure, SUSPECTS))


def agencies(seizure: Seizure) -> list[str]:
    return _unique(getattr(seizure, AGENCIES))


LIST_COLUMNS: list[Column] = [
    Column("id", _("Id"), lambda s: s.pk, in_table=False),
    Column("reference", _("Reference"), label, sort="reference", link=True, css="nowrap"),
    Column("date", _("Date"), lambda s: s.date, sort="date", css="nowrap"),
    Column("place", _("Place"), lambda s: s.place, sort="place"),
    Column("agencies", _("Agencies"), agencies),
    Column("commodities", _("Commodities"), commodities),
    # Sums to the gram (SQLite's sums come as 283.600000000000); a seizure without ivory
    # has no RIE: "—" on the page, an empty cell in downloads, null in JSON.
    Column("total_weight_kg", _("Weight (kg)"), lambda s: kg(s.total_weight_kg),
           numeric=True),
    Column("rie_kg", _("RIE (kg)"), lambda s: kg(s.rie_kg), numeric=True, empty="—"),
    Column("nationalities", _("Suspects' nationalities"), nationalities),
    Column("validation_status", _("Status"), lambda s: s.get_validation_status_display(),
           json=lambda s: s.validation_status),
    Column("destination", _("Destination"), lambda s: s.destination_country, in_table=False),
    Column("description", _("Description"), lambda s: s.description, in_table=False),
]


def prepare_list(filtered: QuerySet[Seizure]) -> QuerySet[Seizure]:
    """The filtered seizures with their totals and everything the columns read, in bulk.

    Totals are computed over a fresh queryset of the filtered ids: summing over the joins
    that item or suspect filters add would count some items twice or leave others out.
    """
    order = list(filtered.query.order_by) or list(Seizure._meta.ordering or [])  # noqa: SLF001
    records = Seizure.objects.filter(pk__in=filtered.values("pk"))
    names = ("name", "name_km")
    return with_totals(records).defer("search_text").order_by(*order).select_related(
        "place", "destination_country").prefetch_related(
        Prefetch("agencies", queryset=Agency.objects.only(*names), to_attr=AGENCIES),
        Prefetch("items", to_attr=ITEMS, queryset=SeizureItem.objects.select_related(
            "commodity").only("seizure_id", *(f"commodity__{n}" for n in names))),
        Prefetch("suspects", to_attr=SUSPECTS, queryset=Suspect.objects.select_related(
            "nationality").only("seizure_id", *(f"nationality__{n}" for n in names))),
    )


# -- detail -------------------------------------------------------------------------------

def item_rie(item: SeizureItem) -> Decimal | None:
    if item.weight_kg is None or not item.commodity.is_ivory:
        return None
    return rie_kg([item])


def totals(items: list[SeizureItem]) -> dict[str, Any]:
    weight = sum((i.weight_kg for i in items if i.weight_kg is not None), Decimal(0))
    return {"weight_kg": weight, "rie_kg": seizure_rie_kg(items),
            "pieces": sum((i.pieces or 0 for i in items), 0)}


def _name(value: Any) -> str | None:
    return str(value) if value is not None else None


def _country(country: Any) -> dict[str, Any] | None:
    return {"iso2": country.iso2, "name": str(country)} if country is not None else None


def detail_data(seizure: Seizure, items: list[SeizureItem], cases: Iterable[Any],
                entries: list[HistoryEntry]) -> dict[str, Any]:
    """The JSON twin of the detail page: every field, children, totals, cases, history."""
    s = seizure
    return {
        "id": s.pk, "url": detail_url(s), "reference": s.reference,
        "external_id": s.external_id, "date": s.date,
        "place": {"id": s.place.pk, "name": str(s.place), "code": s.place.code}
        if s.place is not None else None,
        "discovery_country": _country(s.discovery_country),
        "agencies": [{"code": a.code, "name": str(a)} for a in s.agencies.all()],
        "detection_method": _name(s.detection_method),
        "transport_mode": _name(s.transport_mode), "concealment": _name(s.concealment),
        "conveyance": {"flight": s.flight_number, "vessel": s.vessel_name,
                       "container": s.container_number, "bill_of_lading": s.bill_of_lading,
                       "air_waybill": s.air_waybill},
        "description": s.description, "reason": s.reason,
        "validation_status": s.validation_status,
        "confidentiality": s.confidentiality, "owner_org": s.owner_org.code,
        "shared_with": [o.code for o in s.shared_with.all()], "synthetic": s.synthetic,
        "items": [{"id": i.pk, "taxon": _name(i.taxon), "commodity": str(i.commodity),
                   "worked": i.worked, "pieces": i.pieces, "count_unit": _name(i.count_unit),
                   "weight_kg": i.weight_kg, "volume_m3": i.volume_m3, "value": i.value,
                   "currency": i.currency, "description": i.description,
                   "disposal": i.disposal, "rie_kg": item_rie(i)} for i in items],
        "totals": totals(items),
        "trade_chain": {
            "origins": [{"country": _country(o.country), "proportion": o.proportion}
                        for o in s.origins.all()],
            "export": _country(s.export_country),
            "transits": [{"country": _country(t.country), "position": t.position,
                          "seizure_opportunity": t.seizure_opportunity}
                         for t in s.transits.all()],
            "destination": _country(s.destination_country),
        },
        "suspects": [{"name": p.name, "name_latin": p.name_latin,
                      "nationality": _country(p.nationality), "role": p.role,
                      "arrested": p.arrested, "synthetic": p.synthetic}
                     for p in s.suspects.all()],
        "sources": [{"kind": src.kind, "reference": src.reference, "url": src.url,
                     "date": src.date} for src in s.sources.all()],
        "cases": [{"id": c.pk, "title": str(c), "url": url_or_none("cases:detail", c.pk)}
                  for c in cases],
        "history": history_json(entries),
    }
