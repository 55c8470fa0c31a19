"""The indicators as JSON, CSV/XLSX rows and display text: one shape for the page and CLI."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse

from kouprey.core.tabular import csv_lines
from kouprey.indicators.services import (
    Indicator,
    Scope,
    label_of,
    record_kind,
    records,
    row_label_of,
)

HEADER = ["id", "group", "key", "label", "value", "numerator", "denominator", "unit",
          "weight_kg"]


def display(row: Indicator) -> str:
    """The value as people read it: 50.0%, 1,234.5 (kg), 120 days, — for none."""
    if row.value is None:
        return "—"
    if row.unit == "ratio":
        return f"{row.value:.1%}"
    if row.unit == "kg":
        return kg_text(row.value)
    if row.unit == "days":
        return f"{row.value:g}"
    return f"{row.value:,}"


def kg_text(value: Any) -> str:
    """A weight on the indicators page: to 0.1 kg, thousands grouped (1,234.5; 40.0), the
    same for the totals, the raw ivory equivalent and the breakdowns' weights, in every
    language. The JSON, CSV and XLSX twins keep the exact values (to the gram)."""
    if value is None:
        return "—"
    return f"{Decimal(str(value)):,.1f}"


def records_url(scope: Scope, indicator_id: str, key: str = "") -> str:
    """The page that opens the exact records behind a number (indicators:records)."""
    params = {"indicator": indicator_id, **({"key": key} if key else {}), **scope.query()}
    return f"{reverse('indicators:records')}?{urlencode(params)}"


COUNTED_PARAM = "counted"  # on a list opened from a number: that number's records_url query
SCOPE_PARAMS = ("since", "until", "validated")


def counted_by(query: str | None) -> dict[str, str] | None:
    """What a list opened from an indicator's number says about it (``COUNTED_PARAM``, the
    query of the number's ``records_url``): the indicator's label, the breakdown row's
    (a place, a year, a trade flow; '' for a headline figure), and the indicator table it
    came from; None when the value names no indicator or row."""
    if not query:
        return None
    params = QueryDict(query)
    indicator = params.get("indicator", "")
    try:
        record_kind(indicator)
        label = label_of(indicator)
        row = row_label_of(indicator, params.get("key", ""))
    except (KeyError, ValueError):
        return None
    scope = {k: v for k in SCOPE_PARAMS if (v := params.get(k))}
    table = reverse("indicators:table")
    return {"label": label, "row": row,
            "back_url": f"{table}?{urlencode(scope)}" if scope else table}


def record_ids(scope: Scope, indicator_id: str, key: str = "") -> list[int]:
    return list(records(scope, indicator_id, key).order_by("pk").values_list("pk", flat=True))


def as_json(rows: Iterable[Indicator], scope: Scope, with_ids: bool = False
            ) -> list[dict[str, Any]]:
    """A list of objects with id, label, value (and numerator, denominator for ratios)."""
    result = []
    for row in rows:
        data = row.as_dict()
        data["records_url"] = records_url(scope, row.id, row.key)
        if row.numerator is not None:
            data["numerator_url"] = records_url(scope, row.numerator_id)
            data["denominator_url"] = records_url(scope, row.denominator_id)
        if with_ids:
            data["ids"] = record_ids(scope, row.id, row.key)
        result.append(data)
    return result


def table_rows(rows: Iterable[Indicator]) -> Iterable[list[Any]]:
    for row in rows:
        yield [row.id, row.group, row.key, row.label, row.value, row.numerator,
               row.denominator, row.unit, row.extra.get("weight_kg")]


def csv_text(rows: Iterable[Indicator]) -> Iterable[str]:
    return csv_lines(HEADER, table_rows(rows))
