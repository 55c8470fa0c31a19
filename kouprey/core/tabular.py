"""CSV and XLSX out of rows: one writer for every list export and report sheet.

Cells that a spreadsheet would run as a formula (starting with = + - @, tab or carriage
return) are escaped with a leading apostrophe (OWASP CSV injection guidance).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plain_decimal(value: Decimal) -> Decimal:
    """The same number without trailing zeros or an exponent: 283.600000000000 -> 283.6,
    120.000 -> 120 (``str()`` of the result is what a person would write)."""
    if not value.is_finite():
        return value
    plain = value.normalize()
    exponent = plain.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:  # 1.2E+2 -> 120
        plain = plain.quantize(Decimal(1))
    return plain


def safe_cell(value: Any) -> Any:
    """A value ready for a spreadsheet: numbers and dates kept (decimals written plainly),
    text escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, (int, float, date, datetime)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterable[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([_csv_text(safe_cell(v)) for v in row])


def _csv_text(value: Any) -> Any:
    """A decimal as fixed-point text: ``str()`` would write 1E-7 for a tiny one."""
    return format(value, "f") if isinstance(value, Decimal) else value


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet1"
               ) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def response(header: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str, filename: str
             ) -> HttpResponse | StreamingHttpResponse:
    """A download of the rows as ``csv`` or ``xlsx``; CSV is streamed."""
    if fmt == "xlsx":
        resp = HttpResponse(xlsx_bytes(header, rows), content_type=XLSX_TYPE)
        resp["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return resp
    stream = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    stream["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return stream
