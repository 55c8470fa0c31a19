"""A large SQLite import builds its indexes at the end; the database keeps every index."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import DatabaseError, connection

import kouprey.core.bulk_indexes as bulk_indexes
import kouprey.seizures.importers as importers
from kouprey.seizures.importers import import_seizures
from kouprey.seizures.models import Seizure
from tests import factories as f
from tests.factories.importing import GOOD_ROWS, HEADER, reference_data, write_csv
from tests.importing.test_seizure_import import table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(monkeypatch: pytest.MonkeyPatch) -> object:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its indexes during an import (a drop would lock readers)")
    reference_data()
    monkeypatch.setattr(importers, "BATCH", 2)
    monkeypatch.setattr(bulk_indexes, "MIN_ROWS", 4)
    return f.organisation("wcs")


def rows(prefix: str, count: int) -> list[list[str]]:
    template = dict(zip(HEADER, GOOD_ROWS[2], strict=True))
    return [[{**template, "external_id": f"{prefix}{n}",
                                   "reference": f"REF/{prefix}{n}"}[h] for h in HEADER]
            for n in range(count)]


def indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
        return cursor.fetchall()


def uses_an_index(sql: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return any("USING" in str(row[-1]) for row in cursor.fetchall())


def watch_drops(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    drops: list[int] = []
    real = bulk_indexes.DeferredIndexes._drop

    def noting(self):  # type: ignore[no-untyped-def]
        drops.append(self.count)
        real(self)

    monkeypatch.setattr(bulk_indexes.DeferredIndexes, "_drop", noting)
    return drops


def test_a_large_import_drops_and_builds_the_indexes_again(tmp_path: Path, org,
                                                           monkeypatch) -> None:
    before = indexes()
    drops = watch_drops(monkeypatch)
    result = import_seizures(write_csv(tmp_path / "s.csv", rows("S", 9)), org_id=org.pk)
    assert result.committed, result.problems
    assert drops == [4]  # after the second batch of two: 4 seizures written
    assert indexes() == before
    assert uses_an_index("SELECT id FROM seizures_seizureitem WHERE seizure_id = 3")
    assert Seizure.objects.filter(items__isnull=False).distinct().count() == 9


def test_a_small_import_into_a_larger_table_keeps_its_indexes(tmp_path: Path, org,
                                                              monkeypatch) -> None:
    import_seizures(write_csv(tmp_path / "a.csv", rows("A", 12)), org_id=org.pk)
    drops = watch_drops(monkeypatch)
    result = import_seizures(write_csv(tmp_path / "b.csv", rows("B", 5)), org_id=org.pk)
    assert result.committed, result.problems
    assert drops == []  # 5 new seizures, fewer than half of the 12 there


def test_a_rejected_large_import_leaves_tables_and_indexes_as_they_were(
        tmp_path: Path, org, monkeypatch) -> None:
    before, counts = indexes(), table_counts()
    drops = watch_drops(monkeypatch)
    bad = rows("S", 9)
    bad[8][HEADER.index("date")] = "not a date"
    result = import_seizures(write_csv(tmp_path / "s.csv", bad), org_id=org.pk)
    assert not result.committed
    assert drops == [4]
    assert indexes() == before and table_counts() == counts


def test_an_error_while_building_the_indexes_rolls_the_import_back(tmp_path: Path, org,
                                                                   monkeypatch) -> None:
    before, counts = indexes(), table_counts()
    real = bulk_indexes.DeferredIndexes._drop

    def drop_then_break_one(self):  # type: ignore[no-untyped-def]
        real(self)
        self.saved.append("CREATE INDEX broken ON no_such_table (x)")  # fails at the end

    monkeypatch.setattr(bulk_indexes.DeferredIndexes, "_drop", drop_then_break_one)
    with pytest.raises(DatabaseError, match="no_such_table"):
        import_seizures(write_csv(tmp_path / "s.csv", rows("S", 9)), org_id=org.pk)
    assert indexes() == before and table_counts() == counts
