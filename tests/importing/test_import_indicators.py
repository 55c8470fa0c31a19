"""An import marks the months it wrote for the indicator tallies, not one mark a row."""

from __future__ import annotations

from pathlib import Path

import pytest

from kouprey.indicators import cache, services
from kouprey.indicators.models import DirtyMonth
from kouprey.indicators.tallies import month_of
from kouprey.seizures.importers import import_seizures
from kouprey.seizures.models import Seizure
from tests import factories as f
from tests.factories.importing import GOOD_ROWS, HEADER, reference_data, write_csv

pytestmark = pytest.mark.django_db


def rows(dates: list[str]) -> list[list[str]]:
    template = dict(zip(HEADER, GOOD_ROWS[2], strict=True))
    return [[{**template, "external_id": f"S{n}", "date": day,
                                   "reference": f"REF/S{n}"}[h] for h in HEADER]
            for n, day in enumerate(dates)]


def test_an_import_marks_its_months_and_the_indicators_count_its_seizures(
        tmp_path: Path) -> None:
    reference_data()
    org = f.organisation("wcs")
    before = set(DirtyMonth.objects.values_list("pk", flat=True))
    dates = ["2019-03-02", "2019-03-30", "2021-11-05"]
    result = import_seizures(write_csv(tmp_path / "s.csv", rows(dates)), org_id=org.pk)
    assert result.committed, result.problems
    marks = list(DirtyMonth.objects.exclude(pk__in=before).values_list(
        "month", "seizure_pk", "case_pk"))
    assert sorted({m for m, _s, _c in marks}) == sorted(
        {month_of(s.date) for s in Seizure.objects.all()})
    assert all(s is None and c is None for _m, s, c in marks)  # months, not rows to resolve
    table = cache.compute(services.Scope())
    assert table == services.compute(services.Scope())
    assert services.find(table, "seizures_total").value == 3


def test_a_rejected_import_leaves_no_marks(tmp_path: Path) -> None:
    reference_data()
    org = f.organisation("wcs")
    before = set(DirtyMonth.objects.values_list("pk", flat=True))
    bad = rows(["2019-03-02", "not a date"])
    result = import_seizures(write_csv(tmp_path / "s.csv", bad), org_id=org.pk)
    assert not result.committed
    assert set(DirtyMonth.objects.values_list("pk", flat=True)) == before
