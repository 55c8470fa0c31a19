"""The importer's writing thread: an error there rolls the whole import back, in the reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from kouprey.seizures.importers import import_seizures, write
from kouprey.seizures.models import Seizure
from tests import factories as f
from tests.factories.importing import GOOD_ROWS, reference_data, write_csv

pytestmark = pytest.mark.django_db


def test_an_error_while_writing_is_raised_and_nothing_is_kept(tmp_path: Path,
                                                               monkeypatch) -> None:
    reference_data()
    org = f.organisation("wcs")

    def broken(self, records) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(write.Writer, "_insert", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        import_seizures(write_csv(tmp_path / "s.csv", GOOD_ROWS), org_id=org.pk)
    assert not Seizure.objects.exists()
    assert connection.allow_thread_sharing is False  # the thread was stopped


def test_batches_are_written_while_the_next_is_read(tmp_path: Path, monkeypatch) -> None:
    reference_data()
    org = f.organisation("wcs")
    monkeypatch.setattr("kouprey.seizures.importers.BATCH", 1)
    result = import_seizures(write_csv(tmp_path / "s.csv", GOOD_ROWS), org_id=org.pk)
    assert result.committed, result.problems
    assert Seizure.objects.count() == result.created == 2
