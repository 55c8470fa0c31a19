"""What the report builders share: the records a user may export, and writing a table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from kouprey.core.permissions import EXPORT
from kouprey.core.tabular import csv_lines, xlsx_bytes
from kouprey.seizures.models import Seizure


def seizures_of_year(user: Any, year: int) -> QuerySet[Seizure]:
    """The seizures dated in ``year`` that ``user`` may export."""
    return Seizure.objects.restrict(user, EXPORT).filter(date__year=year)


def write_table(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]],
                title: str = "Sheet1") -> None:
    """Write ``rows`` as CSV or XLSX (by the file's suffix), formula injection escaped."""
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(xlsx_bytes(header, rows, title=title))
        return
    with path.open("w", encoding="utf-8", newline="") as out:
        for line in csv_lines(header, rows):
            out.write(line)


def iso(country: Any) -> str:
    return country.iso2 if country is not None else ""


def code(term: Any) -> str:
    return term.code if term is not None else ""


def label(term: Any) -> str:
    return term.name if term is not None else ""
