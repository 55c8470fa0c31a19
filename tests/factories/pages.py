"""Builders for page tests: a fully described seizure and the POST data of the seizure form."""

from __future__ import annotations

from datetime import date
from typing import Any

from kouprey.core.models import Organisation
from kouprey.seizures.models import Seizure, Source, Suspect, TransitCountry
from kouprey.seizures.services import refresh_search_text
from tests import factories as f

FORMSETS = ("items", "origins", "transits", "suspects", "sources")


def full_seizure(org: Organisation | None = None, **fields: Any) -> Seizure:
    """A seizure with items, a trade chain, suspects and a source; search text filled."""
    defaults: dict[str, Any] = {"reference": "KH-2019-001",
                                "description": "Lion bone in checked luggage",
                                "export_country": f.country("ZA"),
                                "destination_country": f.country("VN")}
    defaults.update(fields)
    s = f.seizure(org=org, **defaults)
    s.agencies.add(f.agency("gdce", name="General Department of Customs and Excise"))
    f.item(s, weight="280.5", commodity=f.commodity("lion-bone", name="Lion bone"),
           taxon=f.taxon("Panthera leo", common_name_en="Lion", cites_appendix="II"))
    f.item(s, weight="7", worked=True, commodity=f.commodity("ivory-worked"))
    f.origin(s, "ZA", "0.6")
    f.origin(s, "MZ", "0.4")
    TransitCountry.objects.create(seizure=s, country=f.country("NA"), position=1,
                                  seizure_opportunity=True)
    f.suspect(s, name="Nguyễn Văn Giả", name_latin="Nguyen Van Gia",
              nationality=f.country("VN"), role=Suspect.Role.COURIER)
    Source.objects.create(seizure=s, reference="GDCE press release 12/2019",
                          url="https://example.org/release")
    refresh_search_text(s)
    return s


def form_data(rows: dict[str, list[dict[str, Any]]] | None = None, initial: dict[str, int]
              | None = None, **fields: Any) -> dict[str, Any]:
    """POST data for the seizure form: seizure fields plus formset rows and management forms."""
    data: dict[str, Any] = {"date": date(2020, 1, 5).isoformat(), "place": f.place().pk,
                            "validation_status": "draft", "confidentiality": 2}
    data.update(fields)
    rows = rows or {}
    for prefix in FORMSETS:
        group = rows.get(prefix, [])
        data[f"{prefix}-TOTAL_FORMS"] = len(group)
        data[f"{prefix}-INITIAL_FORMS"] = (initial or {}).get(prefix, 0)
        data[f"{prefix}-MIN_NUM_FORMS"] = 0
        data[f"{prefix}-MAX_NUM_FORMS"] = 1000
        for index, row in enumerate(group):
            for key, value in row.items():
                data[f"{prefix}-{index}-{key}"] = value
    return {k: v for k, v in data.items() if v is not None}
