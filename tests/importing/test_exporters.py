"""Seizure exports: the import layout reads back, summaries add up, formulas are escaped."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kouprey.core.permissions import Role
from kouprey.core.tabular import csv_lines
from kouprey.seizures import exporters
from kouprey.seizures.importers import import_seizures
from kouprey.seizures.models import Seizure
from tests import factories as f
from tests.factories.importing import GOOD_ROWS, HEADER, reference_data, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> object:
    reference_data()
    return f.organisation("wcs")


def export_csv(queryset, layout: str = "import") -> list[dict[str, str]]:
    header, rows = ((exporters.IMPORT_HEADER, exporters.import_rows(queryset)) if layout ==
                    "import" else (exporters.SUMMARY_HEADER, exporters.summary_rows(queryset)))
    text = "".join(csv_lines(header, rows)).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_import_layout_reads_back_into_the_same_records(tmp_path: Path, org) -> None:
    import_seizures(write_csv(tmp_path / "s.csv", GOOD_ROWS), org_id=org.pk)
    original = [exporters.as_json(s) for s in exporters.each(Seizure.objects.all())]
    rows = export_csv(Seizure.objects.all())
    assert len(rows) == 3  # two rows for the two items/suspects of the first seizure
    path = tmp_path / "export.csv"
    path.write_text("".join(csv_lines(exporters.IMPORT_HEADER,
                                      [list(r.values()) for r in rows])), encoding="utf-8")
    Seizure.objects.all().delete()
    result = import_seizures(path, org_id=org.pk)
    assert result.committed, result.problems
    again = [exporters.as_json(s) for s in exporters.each(Seizure.objects.all())]
    for record in original + again:
        del record["id"]
    assert again == original


def test_summary_has_one_row_per_seizure_with_weights_and_rie(tmp_path: Path, org) -> None:
    import_seizures(write_csv(tmp_path / "s.csv", GOOD_ROWS), org_id=org.pk)
    rows = export_csv(Seizure.objects.all(), layout="summary")
    ivory = next(r for r in rows if r["external_id"] == "KH-2019-001")
    assert ivory["weight_kg"] == "1070.5"
    assert ivory["rie_kg"] == "1100.5"  # 1000.5 raw + 70 worked / 0.7
    assert ivory["origins"] == "MZ:0.6;NG:0.4"
    assert ivory["transits"] == "MY;SG*"
    assert ivory["suspect_nationalities"] == "VN;CN"
    assert ivory["agencies"] == "fa;gdce"
    assert ivory["pieces"] == "160"


def test_json_is_nested(tmp_path: Path, org) -> None:
    import_seizures(write_csv(tmp_path / "s.csv", GOOD_ROWS), org_id=org.pk)
    out = io.StringIO()
    assert exporters.write_json(Seizure.objects.all(), out) == 2
    data = json.loads(out.getvalue())
    ivory = next(d for d in data if d["external_id"] == "KH-2019-001")
    assert ivory["place"] == {"code": "KHKOS", "name": "Sihanoukville Autonomous Port",
                              "kind": "seaport", "country": "KH"}
    assert ivory["transits"] == [{"country": "MY", "seizure_opportunity": False},
                                 {"country": "SG", "seizure_opportunity": True}]
    assert [i["weight_kg"] for i in ivory["items"]] == ["1000.5", "70"]
    assert ivory["rie_kg"] == "1100.5"


def test_exports_hold_only_what_the_user_may_export(tmp_path: Path, org) -> None:
    import_seizures(write_csv(tmp_path / "s.csv", GOOD_ROWS), org_id=org.pk)
    outsider = f.user(Role.ANALYST, org=f.organisation("gdce"))
    viewer = f.user(Role.VIEWER, org=org)
    analyst = f.user(Role.ANALYST, org=org)
    assert export_csv(Seizure.objects.restrict(outsider, "export")) == []
    assert export_csv(Seizure.objects.restrict(viewer, "export")) == []
    assert len(export_csv(Seizure.objects.restrict(analyst, "export"))) == 3


def test_formula_like_text_is_escaped_in_the_export(org) -> None:
    seizure = f.seizure(org=org, reference="=HYPERLINK(\"http://x\")", vessel_name="+1")
    f.suspect(seizure, name="@evil")
    row = export_csv(Seizure.objects.all())[0]
    assert row["reference"] == "'=HYPERLINK(\"http://x\")"
    assert row["vessel"] == "'+1"
    assert row["suspect_name"] == "'@evil"


free_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
                    min_size=1, max_size=40).map(str.strip).filter(
    lambda t: bool(t) and not t.startswith("'"))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reference=free_text.map(lambda t: t[:50]), vessel=free_text, name=free_text)
def test_any_text_survives_export_and_import(tmp_path: Path, org, reference: str,
                                              vessel: str, name: str) -> None:
    Seizure.objects.all().delete()
    header = [*HEADER, "vessel"]
    path = write_csv(tmp_path / "p.csv", [[*GOOD_ROWS[2][:1], reference, *GOOD_ROWS[2][2:20],
                                           name, *GOOD_ROWS[2][21:], vessel]], header=header)
    assert import_seizures(path, org_id=org.pk).committed
    exported = tmp_path / "e.csv"
    exported.write_text("".join(csv_lines(exporters.IMPORT_HEADER,
                                          exporters.import_rows(Seizure.objects.all()))),
                        encoding="utf-8")
    Seizure.objects.all().delete()
    result = import_seizures(exported, org_id=org.pk)
    assert result.committed, result.problems
    seizure = Seizure.objects.get()
    assert (seizure.reference, seizure.vessel_name, seizure.suspects.get().name) == (
        reference, vessel, name)


def test_exports_read_a_fixed_number_of_queries(tmp_path: Path, org) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export_csv(Seizure.objects.all())
            export_csv(Seizure.objects.all(), layout="summary")
            exporters.write_json(Seizure.objects.all(), io.StringIO())
        return len(captured)

    import_seizures(write_csv(tmp_path / "s.csv", GOOD_ROWS), org_id=org.pk)
    few = queries()
    rows = [[f"X{n}", *GOOD_ROWS[0][1:]] for n in range(8)]
    import_seizures(write_csv(tmp_path / "more.csv", rows), org_id=org.pk)
    assert queries() == few
