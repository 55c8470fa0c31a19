"""Batches written in a second thread: errors there or in the reading thread undo everything."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import kouprey.seizures.importers as importers
from kouprey.seizures.importers import import_seizures, write
from kouprey.seizures.importers.pipeline import Pipeline
from kouprey.seizures.models import Seizure
from tests import factories as f
from tests.factories.importing import GOOD_ROWS, HEADER, reference_data, write_csv
from tests.importing.test_seizure_import import table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(monkeypatch: pytest.MonkeyPatch) -> object:
    reference_data()
    monkeypatch.setattr(importers, "BATCH", 2)  # several batches in flight
    return f.organisation("wcs")


def rows(count: int) -> list[list[str]]:
    template = dict(zip(HEADER, GOOD_ROWS[2], strict=True))
    return [[{**template, "external_id": f"S{n}"}[h] for h in HEADER] for n in range(count)]


def test_batches_are_written_by_another_thread_in_file_order(tmp_path: Path, org,
                                                             monkeypatch) -> None:
    threads: list[str] = []
    real = write.Writer._insert

    def noting(self, records):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        real(self, records)

    monkeypatch.setattr(write.Writer, "_insert", noting)
    result = import_seizures(write_csv(tmp_path / "s.csv", rows(7)), org_id=org.pk)
    assert result.committed, result.problems
    assert len(threads) == 4 and all(n.startswith("import-writer") for n in threads)
    assert list(Seizure.objects.order_by("pk").values_list("external_id", flat=True)) == [
        f"S{n}" for n in range(7)]


def test_an_error_while_writing_is_raised_and_nothing_is_kept(tmp_path: Path, org,
                                                              monkeypatch) -> None:
    import_seizures(write_csv(tmp_path / "first.csv", rows(1)), org_id=org.pk)
    before = table_counts()
    calls = []
    real = write.Writer._insert

    def failing_third(self, records):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        real(self, records)

    monkeypatch.setattr(write.Writer, "_insert", failing_third)
    more = [[{**dict(zip(HEADER, r, strict=True)), "external_id": f"T{n}"}[h] for h in HEADER]
            for n, r in enumerate(rows(9))]
    with pytest.raises(RuntimeError, match="disk full"):
        import_seizures(write_csv(tmp_path / "s.csv", more), org_id=org.pk)
    assert table_counts() == before


def test_an_error_while_reading_after_written_batches_leaves_the_database_as_it_was(
        tmp_path: Path, org, monkeypatch) -> None:
    before = table_counts()
    real = importers.SeizureImporter.feed

    def failing_at_row_9(self, number, values):  # type: ignore[no-untyped-def]
        if number == 9:
            raise KeyboardInterrupt  # e.g. Ctrl-C while batches are being written
        real(self, number, values)

    monkeypatch.setattr(importers.SeizureImporter, "feed", failing_at_row_9)
    with pytest.raises(KeyboardInterrupt):
        import_seizures(write_csv(tmp_path / "s.csv", rows(12)), org_id=org.pk)
    assert table_counts() == before
    assert not [t for t in threading.enumerate() if t.name.startswith("import-writer")]


def test_the_pipeline_raises_a_batch_error_at_close_and_stops_its_thread() -> None:
    class Db:
        shared = 0

        def inc_thread_sharing(self) -> None:
            self.shared += 1

        def dec_thread_sharing(self) -> None:
            self.shared -= 1

    done: list[int] = []

    def write_batch(n: int) -> None:
        if n == 2:
            raise ValueError("bad batch")
        done.append(n)

    db = Db()
    pipeline = Pipeline(db, write_batch)
    pipeline.submit(1)
    pipeline.submit(2)
    with pytest.raises(ValueError, match="bad batch"):
        pipeline.close()
    assert done == [1]
    assert db.shared == 0 and pipeline.pool is None
