"""Reference rows in a record's search columns: a short token each, not their names.

A seizure's search text used to repeat the names of its place, commodities, taxa and
agencies (English, Khmer, scientific, codes): ~400 of its ~500 characters, the same few
hundred names in every record. Every one of them went through the trigram index on each
import and each save, and an admin's correction of a name (a Khmer common name, say) never
reached the records already saved. Now the record holds ``§p12§`` for place 12, and a search
word is looked up in the reference tables first (``core.search.tokens_matching``): the
records found are those whose own words contain it or whose text holds a token of a row
whose name contains it. The same records as before, a third of the text, and renames count
at once. The tokens are in a column of their own (``search_refs``), in which only whole
tokens are looked for: a word typed ("p12", "2019") never matches inside one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf

MARK = "§"

# kind letter -> (model label, the fields whose words a search finds)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "p": ("reference.Place", ("name", "name_km", "search_code")),
    "c": ("reference.CommodityType", ("name", "name_km")),
    "t": ("reference.Taxon", ("scientific_name", "common_name_en", "common_name_km")),
    "a": ("reference.Agency", ("code", "name", "name_km")),
}


def token(kind: str, pk: int | None) -> str:
    """The search text's stand-in for reference row ``pk`` of ``kind`` ('' without a row)."""
    return f"{MARK}{kind}{pk}{MARK}" if pk is not None else ""


def searchable(kind: str) -> Any:
    """The rows of ``kind`` with every searched field as a column: a place's
    ``search_code`` is its IATA code, or its UN/LOCODE when it has none (``Place.code``)."""
    from django.apps import apps

    label, _fields = KINDS[kind]
    rows = apps.get_model(label).objects.order_by()
    if kind == "p":
        rows = rows.annotate(search_code=Coalesce(NullIf(F("iata"), Value("")), F("locode")))
    return rows
