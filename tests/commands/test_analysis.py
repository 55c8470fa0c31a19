"""``kouprey indicators``, ``kouprey demo`` and ``kouprey check`` through the real CLI."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kouprey.cases.models import CaseEvent
from kouprey.cli import app
from kouprey.core.models import User
from kouprey.seizures.models import Seizure
from tests import factories as f

pytestmark = pytest.mark.django_db
runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def indicators(*args: str) -> dict[str, Any]:
    rows = json.loads(run("indicators", "--format", "json", *args))
    assert isinstance(rows, list)
    return {r["id"]: r for r in rows if r["group"] == "headline"}


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "demo-password"
    run("demo", "--admin-password-file", str(path))
    return path


def test_demo_prints_the_sign_in_and_writes_the_password(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    output = run("demo", "--admin-password-file", str(path))
    password = path.read_text().strip()
    assert "sign in as demo " in output and f"password: {password}" in output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert User.objects.get(username="demo").check_password(password)
    again = run("demo", "--admin-password-file", str(path))
    assert "nothing changed" in again and f"password: {password}" in again


def test_the_reports_figures(password_file: Path) -> None:
    baseline = indicators("--until", "2018-01-31")
    assert baseline["seizures_total"]["value"] == 21
    assert baseline["seizures_with_conviction"]["value"] == 3
    rate = baseline["conviction_rate"]
    assert (rate["numerator"], rate["denominator"]) == (3, 21)
    assert indicators()["seizures_total"]["value"] == 23
    since = indicators("--since", "2018-02-01")
    assert since["cases_total"]["value"] == 2
    assert since["interagency_rate"]["value"] == 0.5
    assert (since["interagency_rate"]["numerator"],
            since["interagency_rate"]["denominator"]) == (1, 2)
    for row in since.values():
        assert {"id", "label", "value"} <= row.keys()


def test_json_ids_are_the_exact_records(password_file: Path) -> None:
    rows = indicators("--until", "2018-01-31", "--with-ids")
    convicted = Seizure.objects.filter(cases__events__kind=CaseEvent.Kind.VERDICT,
                                       cases__events__outcome="conviction").distinct()
    assert sorted(rows["seizures_with_conviction"]["ids"]) == sorted(s.pk for s in convicted)
    assert len(rows["seizures_total"]["ids"]) == 21


def test_table_prints_the_caveat(password_file: Path) -> None:
    output = run("indicators", "--since", "2018-02-01")
    assert "seizures_total" in output and "50.0%" in output
    assert "Seizure counts show where crime was detected and reported" in " ".join(
        output.split())


def test_csv(password_file: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run("indicators", "--format", "csv"))))
    total = next(r for r in rows if r["id"] == "seizures_total")
    assert total["value"] == "23"


def test_user_sees_only_their_records(password_file: Path) -> None:
    assert indicators("--user", "demo-gdce")["seizures_total"]["value"] == 21
    assert "No active user" in run("indicators", "--user", "nobody", code=1)


def test_bad_dates_are_clean_errors() -> None:
    assert "after" in run("indicators", "--since", "2019-01-01", "--until", "2018-01-01",
                          code=1)
    output = run("indicators", "--since", "yesterday", code=2)
    assert "Traceback" not in output


def test_check_passes_on_the_demo(password_file: Path) -> None:
    assert "No problems found." in run("check")
    assert json.loads(run("check", "--format", "json")) == []


def test_check_fails_and_names_record_and_rule() -> None:
    s = f.seizure(reference="KH-BAD-1", date=date(2019, 1, 10))
    f.origin(s, "MZ", "0.5")
    case = f.case(seizures=[s], case_number="PP-1")
    f.event(case, CaseEvent.Kind.VERDICT, date(2019, 5, 1), outcome="conviction")
    output = run("check", "--format", "json", code=1)
    problems = {(p["rule"], p["reference"]) for p in json.loads(output)}
    assert {("origin_proportions", "KH-BAD-1"), ("verdict_without_charge", "PP-1")} <= problems
    table = run("check", code=1)
    assert "verdict_without_charge" in table and "KH-BAD-1" in table


def test_warnings_alone_exit_zero() -> None:
    s = f.seizure(validation_status=Seizure.Validation.VALIDATED)
    f.item(s)
    f.suspect(s)
    output = run("check", "--format", "json")
    assert [p["rule"] for p in json.loads(output)] == ["suspect_without_nationality"]
