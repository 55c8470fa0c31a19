"""What the importer does for speed keeps search working."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from kouprey.seizures.importers import import_seizures
from kouprey.seizures.models import Seizure
from tests import factories as f
from tests.factories.importing import GOOD_ROWS, reference_data, write_csv

pytestmark = pytest.mark.django_db


def test_the_full_text_settings_are_restored_and_search_finds_the_rows(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("FTS5 settings exist on SQLite only")
    from kouprey.core.search import search

    reference_data()
    org = f.organisation("wcs")
    result = import_seizures(write_csv(tmp_path / "s.csv", GOOD_ROWS), org_id=org.pk)
    assert result.committed, result.problems
    with connection.cursor() as cursor:
        cursor.execute("SELECT k, v FROM seizures_seizure_fts_config "
                       "WHERE k IN ('automerge', 'crisismerge')")
        assert dict(cursor.fetchall()) == {"automerge": 4, "crisismerge": 16}
    found = search(Seizure.objects.all(), "KH-2019-001")
    assert [s.external_id for s in found] == ["KH-2019-001"]
