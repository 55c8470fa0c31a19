"""A large import read and checked in a second process (core/reader.py).

The command line reads files of ``KOUPREY_IMPORT_PARALLEL_MB`` and more in a reading
process; these tests set the limit to 0 so small files go that way too, and compare the
database with the same import done in one process.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from kouprey.core.importing import ImportResult, Problems
from kouprey.core.reader import ReaderFailed, read_elsewhere
from kouprey.seizures.importers import import_seizures
from kouprey.seizures.models import Seizure, SeizureItem, Suspect
from tests import factories as f
from tests.factories.importing import GOOD_ROWS, reference_data, write_csv

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long enough secret 42"
COUNT = 400  # generated seizures (3 items and 2 suspects each)
TABLES = {  # table -> columns compared (not the timestamps of the import)
    "seizures_seizure": "*",
    "seizures_seizureitem": "*",
    "seizures_suspect": "*",
    "seizures_origincountry": "*",
    "seizures_transitcountry": "*",
    "seizures_seizure_agencies": "*",
    "core_auditentry": "action, model, object_id, object_repr, root_id, changes, actor_name",
}
TIMESTAMPS = {"created_at", "updated_at"}


def kouprey(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-c", "from kouprey.cli import app; app()", *args],
        env={**os.environ, "COLUMNS": "160", **env}, capture_output=True, text=True,
        timeout=600, check=False, cwd=ROOT)


def dump(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every imported row, in id order, without the import's timestamps."""
    found = {}
    with sqlite3.connect(database) as db:
        for table, columns in TABLES.items():
            cursor = db.execute(f"SELECT {columns} FROM {table} ORDER BY 1, 2")  # noqa: S608
            names = [d[0] for d in cursor.description]
            keep = [i for i, n in enumerate(names) if n not in TIMESTAMPS]
            found[table] = [tuple(row[i] for i in keep) for row in cursor.fetchall()]
        found["search"] = db.execute(
            "SELECT count(*) FROM seizures_seizure_fts WHERE seizures_seizure_fts MATCH "
            "'\"found at\"'").fetchall()
    return found


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A migrated SQLite database with the reference data and an organisation, and a
    generated file of COUNT seizures (3 items and 2 suspects each)."""
    home = tmp_path_factory.mktemp("reader")
    env = sqlite_in(home)
    assert kouprey(env, "init").returncode == 0
    (home / "pw").write_text(PASSWORD + "\n")
    made = kouprey(env, "createuser", "importer", "--org", "bench", "--role", "admin",
                   "--password-file", str(home / "pw"))
    assert made.returncode == 0, made.stderr
    csv = home / "seizures.csv"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "seizures",  # noqa: S603
                    "--count", str(COUNT), "--out", str(csv)], check=True, cwd=ROOT,
                   capture_output=True)
    return home / "kouprey.sqlite3", csv


def copy_of(database: Path, where: Path) -> dict[str, str]:
    where.mkdir()
    shutil.copy(database, where / "kouprey.sqlite3")
    shutil.copy(database.parent / "secret_key", where / "secret_key")
    return sqlite_in(where)


def sqlite_in(home: Path) -> dict[str, str]:
    """Settings for a Kouprey on an SQLite file in ``home`` (whatever the suite runs on)."""
    return {"KOUPREY_DATA_DIR": str(home),
            "KOUPREY_DATABASE_URL": f"sqlite:///{home / 'kouprey.sqlite3'}"}


def test_the_reading_process_writes_what_one_process_writes(
        fresh: tuple[Path, Path], tmp_path: Path) -> None:
    database, csv = fresh
    one = copy_of(database, tmp_path / "one")
    two = copy_of(database, tmp_path / "two")
    alone = kouprey({**one, "KOUPREY_IMPORT_PARALLEL_MB": "-1"}, "import", "seizures",
                    str(csv), "--org", "bench", "--json")
    assert alone.returncode == 0, alone.stderr
    paired = kouprey({**two, "KOUPREY_IMPORT_PARALLEL_MB": "0"}, "import", "seizures",
                     str(csv), "--org", "bench", "--json")
    assert paired.returncode == 0, paired.stderr
    told, told_alone = json.loads(paired.stdout), json.loads(alone.stdout)
    assert (told.pop("parallel"), told_alone.pop("parallel")) == (True, False)
    for result in (told, told_alone):  # how long the recount took differs from run to run
        assert result["indicators"].pop("seconds") >= 0
    assert told == told_alone
    assert (told["committed"], told["created"]) == (True, COUNT)
    ours, theirs = dump(tmp_path / "two" / "kouprey.sqlite3"), dump(
        tmp_path / "one" / "kouprey.sqlite3")
    assert len(ours["seizures_seizure"]) == COUNT
    assert len(ours["seizures_seizureitem"]) == 3 * COUNT
    assert ours["search"][0][0] > 0  # the full-text index has the imported words
    assert ours == theirs

    again = kouprey({**two, "KOUPREY_IMPORT_PARALLEL_MB": "0"}, "import", "seizures",
                    str(csv), "--org", "bench")
    assert again.returncode == 0, again.stderr
    assert f"{COUNT} already present" in again.stdout
    assert dump(tmp_path / "two" / "kouprey.sqlite3") == ours


def test_a_problem_on_the_last_row_leaves_the_database_as_it_was(
        fresh: tuple[Path, Path], tmp_path: Path) -> None:
    database, csv = fresh
    lines = csv.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    last = lines[-1].split(",")
    last[header.index("weight_kg")] = "-5"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([*lines[:-1], ",".join(last)]) + "\n", encoding="utf-8")
    env = copy_of(database, tmp_path / "db")
    before = dump(tmp_path / "db" / "kouprey.sqlite3")
    result = kouprey({**env, "KOUPREY_IMPORT_PARALLEL_MB": "0"}, "import", "seizures",
                     str(bad), "--org", "bench", "--json")
    assert result.returncode == 1
    found = json.loads(result.stdout)
    assert (found["committed"], found["created"], found["problem_count"]) == (False, 0, 1)
    assert found["problems"][0] == {"row": len(lines), "column": "weight_kg", "value": "-5",
                                    "reason": found["problems"][0]["reason"]}
    assert "negative" in found["problems"][0]["reason"]
    assert dump(tmp_path / "db" / "kouprey.sqlite3") == before


def test_a_file_unreadable_half_way_is_refused_and_nothing_written(
        fresh: tuple[Path, Path], tmp_path: Path) -> None:
    database, csv = fresh
    bad = tmp_path / "broken.csv"
    bad.write_bytes(csv.read_bytes() + b"bench-9999999,\xff\xfe\xfa broken,2020-01-01\n")
    env = copy_of(database, tmp_path / "db")
    before = dump(tmp_path / "db" / "kouprey.sqlite3")
    result = kouprey({**env, "KOUPREY_IMPORT_PARALLEL_MB": "0"}, "import", "seizures",
                     str(bad), "--org", "bench")
    assert result.returncode == 1
    assert "is not valid text" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert dump(tmp_path / "db" / "kouprey.sqlite3") == before


# --- in the test database (PostgreSQL: the reading process opens it too) -----------------

def fails_in_the_reader() -> Any:
    raise ValueError("the reader broke")


class Nothing:
    mapping_name = "default"

    def receive(self, batch: Any) -> None:
        raise AssertionError("nothing should arrive")


@pytest.mark.django_db
def test_an_error_in_the_reading_process_reaches_the_importer(tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "s.csv", GOOD_ROWS)
    result = ImportResult(file="s.csv", mapping="default", dry_run=False)
    with pytest.raises(ReaderFailed, match="the reader broke"):
        read_elsewhere(Nothing(), partial(fails_in_the_reader), csv, "csv",  # type: ignore[arg-type]
                       Problems(), result, None)


@pytest.mark.django_db(transaction=True)
def test_parallel_import_in_the_test_database(tmp_path: Path, settings: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    settings.IMPORT_PARALLEL_MB = 0
    reference_data()
    org = f.organisation("wcs")
    csv = write_csv(tmp_path / "s.csv", GOOD_ROWS)
    sent: list[Any] = []
    from kouprey.core import reader

    original = reader._handle  # noqa: SLF001

    def counting(message: tuple[Any, ...], *args: Any) -> bool:
        sent.append(message[0])
        return original(message, *args)

    monkeypatch.setattr(reader, "_handle", counting)
    result = import_seizures(csv, org_id=org.pk, parallel=True)
    assert result.ok, result.problems
    if connection.vendor == "sqlite":  # the in-memory test database: read in one process
        assert "done" not in sent
    else:
        assert sent[-1] == "done" and "batch" in sent
    assert Seizure.objects.filter(owner_org=org).count() == result.created == 2
    assert SeizureItem.objects.count() == result.children["items"]
    assert Suspect.objects.count() == result.children["suspects"]


def test_duplicate_references_are_reported_alike_by_one_and_two_processes(
        fresh: tuple[Path, Path], tmp_path: Path) -> None:
    """The file's references are remembered by the reading half (in the reading process),
    and the existing seizures' are looked up from there: the same problems either way."""
    import csv as csv_module

    database, csv = fresh
    with csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv_module.reader(handle))
    header = rows[0]
    at_id, at_ref = header.index("external_id"), header.index("reference")
    firsts = [n for n, r in enumerate(rows) if n and r[at_ref]]  # a seizure's first row
    clash, again = firsts[3], firsts[7]  # indexes: file row = index + 1
    earlier = [*rows[clash]]
    earlier[at_id] = "pre-1"  # another seizure, already there, with that row's reference
    twice = [*rows[again]]
    twice[at_id] = "bench-dup"  # a new seizure with that row's reference, at the end

    def write(path: Path, lines: list[list[str]]) -> Path:
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv_module.writer(handle).writerows(lines)
        return path

    before = write(tmp_path / "before.csv", [header, earlier])
    bad = write(tmp_path / "bad.csv", [*rows, twice])
    found = {}
    for name, limit in (("one", "-1"), ("two", "0")):
        env = copy_of(database, tmp_path / name)
        pre = kouprey(env, "import", "seizures", str(before), "--org", "bench")
        assert pre.returncode == 0, pre.stdout + pre.stderr
        result = kouprey({**env, "KOUPREY_IMPORT_PARALLEL_MB": limit}, "import", "seizures",
                         str(bad), "--org", "bench", "--json")
        assert result.returncode == 1, result.stderr
        told = json.loads(result.stdout)
        assert told["committed"] is False and told["parallel"] is (name == "two")
        found[name] = [(p["row"], p["column"], p["value"], p["reason"])
                       for p in told["problems"]]
    assert found["one"] == found["two"]
    assert [(row, column, value) for row, column, value, _reason in found["one"]] == [
        (clash + 1, "reference", rows[clash][at_ref]),
        (len(rows) + 1, "reference", rows[again][at_ref])]
    assert f"row {again + 1} of this file" in found["one"][1][3]
