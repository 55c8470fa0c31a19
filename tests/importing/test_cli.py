"""``kouprey import`` and ``kouprey export`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kouprey.cli import app
from kouprey.core.models import ColumnMapping
from kouprey.core.permissions import Role
from kouprey.seizures.models import Seizure
from tests import factories as f
from tests.factories.importing import GOOD_ROWS, reference_data, write_csv

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    reference_data()
    f.organisation("wcs")
    return write_csv(tmp_path / "s.csv", GOOD_ROWS)


def run(*args: str) -> object:
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_import_commits_and_exits_0(good_file: Path) -> None:
    result = run("import", "seizures", str(good_file), "--org", "wcs")
    assert result.exit_code == 0, result.output
    assert "2 seizures imported" in result.output
    assert Seizure.objects.count() == 2
    again = run("import", "seizures", str(good_file), "--org", "wcs")
    assert "2 already present" in again.output


def test_import_with_problems_lists_them_and_exits_1(good_file: Path, tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "bad.csv", [GOOD_ROWS[2][:3] + ["ZZZZZ"] + GOOD_ROWS[2][4:]])
    result = run("import", "seizures", str(bad), "--org", "wcs")
    assert result.exit_code == 1
    assert "ZZZZZ" in result.output and "unknown place code" in result.output
    assert Seizure.objects.count() == 0


def test_dry_run_writes_nothing(good_file: Path) -> None:
    result = run("import", "seizures", str(good_file), "--org", "wcs", "--dry-run", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert (data["created"], data["committed"], data["dry_run"]) == (2, False, True)
    assert Seizure.objects.count() == 0


def test_import_as_a_user(good_file: Path) -> None:
    editor = f.user(Role.EDITOR, org=f.organisation("wcs"))
    assert run("import", "seizures", str(good_file), "--user", editor.username).exit_code == 0
    viewer = f.user(Role.VIEWER, org=f.organisation("wcs"))
    refused = run("import", "seizures", str(good_file), "--user", viewer.username)
    assert refused.exit_code == 1 and "may not import" in refused.output


def test_a_bad_file_is_one_clear_line(tmp_path: Path, good_file: Path) -> None:
    pdf = tmp_path / "x.csv"
    pdf.write_bytes(b"%PDF-1.5 ...")
    result = run("import", "seizures", str(pdf), "--org", "wcs")
    assert result.exit_code == 1
    assert "PDF" in result.output and "Traceback" not in result.output


def test_import_needs_an_owner(good_file: Path) -> None:
    result = run("import", "seizures", str(good_file))
    assert result.exit_code == 1 and "organisation" in result.output


def test_saved_mappings(tmp_path: Path, good_file: Path) -> None:
    spec = tmp_path / "m.json"
    spec.write_text(json.dumps({"Date": "date", "Port": "place"}))
    assert run("import", "save-mapping", "mine", str(spec), "--org", "wcs").exit_code == 0
    assert ColumnMapping.objects.get(name="mine").columns == {"Date": "date", "Port": "place"}
    spec.write_text(json.dumps({"Port": "harbour"}))
    refused = run("import", "save-mapping", "bad", str(spec))
    assert refused.exit_code == 1 and "harbour" in refused.output
    assert run("import", "save-mapping", "lemis", str(spec)).exit_code == 1
    listing = run("import", "mappings")
    assert "lemis" in listing.output and "mine" in listing.output


def test_export_needs_a_user_or_all_orgs(good_file: Path) -> None:
    result = run("export", "seizures")
    assert result.exit_code == 1 and "--all-orgs" in result.output


def test_export_seizures_csv_xlsx_json(good_file: Path, tmp_path: Path) -> None:
    run("import", "seizures", str(good_file), "--org", "wcs")
    analyst = f.user(Role.ANALYST, org=f.organisation("wcs"))
    out = run("export", "seizures", "--user", analyst.username)
    assert out.exit_code == 0
    assert out.output.lstrip("\ufeff").startswith("external_id,reference,date")
    assert out.output.count("KH-2019-001") == 2
    book = tmp_path / "s.xlsx"
    assert run("export", "seizures", "--format", "xlsx", "--output", str(book),
               "--layout", "summary", "--all-orgs").exit_code == 0
    assert load_workbook(book).active.max_row == 3
    js = tmp_path / "s.json"
    assert run("export", "seizures", "--format", "json", "--year", "2019", "--output",
               str(js), "--all-orgs").exit_code == 0
    assert len(json.loads(js.read_text())) == 2
    outsider = f.user(Role.ANALYST, org=f.organisation("fa"))
    empty = run("export", "seizures", "--user", outsider.username)
    assert "KH-2019" not in empty.output


def test_export_reports(good_file: Path, tmp_path: Path) -> None:
    run("import", "seizures", str(good_file), "--org", "wcs")
    aitr = tmp_path / "aitr.xlsx"
    result = run("export", "cites-aitr", "--year", "2019", "--output", str(aitr), "--all-orgs")
    assert result.exit_code == 0 and "3 items" in result.output
    assert load_workbook(aitr)["Seizures"].max_row == 4
    etis = tmp_path / "etis.csv"
    result = run("export", "etis", "--year", "2019", "--output", str(etis), "--all-orgs")
    assert result.exit_code == 0 and "1 ivory seizures" in result.output
    assert "1100.5" in etis.read_text(encoding="utf-8")
    bad = run("export", "etis", "--year", "2019", "--output", str(tmp_path / "e.pdf"),
              "--all-orgs")
    assert bad.exit_code == 1


def test_a_committed_import_brings_the_indicators_up_to_date(good_file: Path) -> None:
    """The import marks the months it wrote; the command then recounts them, so the first
    person to open the indicators does not wait for it."""
    from kouprey.indicators.models import DirtyMonth, Tally

    DirtyMonth.objects.all().delete()
    result = run("import", "seizures", str(good_file), "--org", "wcs", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["indicators"]["recounted"] > 0
    assert not DirtyMonth.objects.exists()
    total = Tally.objects.filter(dimension="total", month__gt=0).values_list("seizures",
                                                                            flat=True)
    assert sum(total) == 2
    dry = json.loads(run("import", "seizures", str(good_file), "--org", "wcs", "--dry-run",
                         "--json").output)
    assert dry["indicators"] is None  # nothing written, nothing to recount
    text = run("import", "seizures", str(good_file), "--org", "wcs")
    assert "2 already present" in text.output
