"""Reading files safely: type sniffed from content, size checked before reading, streaming."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kouprey.core.importing import (
    CsvTable,
    FileRejected,
    Problems,
    cell_text,
    check_file,
    guess_delimiter,
    sniff,
)
from tests.factories.importing import HEADER, write_xlsx


def test_csv_and_xlsx_are_recognised_by_content_not_name(tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "data.csv", [["x"] * len(HEADER)])  # misnamed on purpose
    text = tmp_path / "data.xlsx"
    text.write_text("date,place\n2019-01-01,KHKOS\n", encoding="utf-8")
    assert check_file(xlsx) == "xlsx"
    assert check_file(text) == "csv"


@pytest.mark.parametrize(("head", "words"), [
    (b"%PDF-1.7\n...", "PDF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
    (b"\x89PNG\r\n\x1a\n\0\0", "PNG"),
    (b"date,place\n\0\0\0binary", "binary"),
    (b"\xff\xfed\0a\0t\0e\0", "UTF-16"),
    (b"\x1f\x8b\x08\0", "gzip"),
])
def test_other_files_are_refused_with_a_clear_message(head: bytes, words: str) -> None:
    with pytest.raises(FileRejected, match=words):
        sniff(head)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "seizures.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(FileRejected, match="zip archive"):
        check_file(path)


def test_a_2gb_file_is_refused_before_a_byte_is_read(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:  # sparse: 2 GB on paper, nothing on disk
        handle.truncate(2 * 1024 ** 3)

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    with pytest.raises(FileRejected, match="2,048 MB; the limit is 50 MB"):
        check_file(path, max_mb=50)


def test_empty_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(FileRejected, match="empty"):
        check_file(tmp_path / "empty.csv")
    with pytest.raises(FileRejected, match="Cannot open"):
        check_file(tmp_path / "missing.csv")


def test_windows_1252_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_bytes("date;reference\n2019-01-01;Café\n".encode("cp1252"))
    table = CsvTable(path)
    assert table.header == ["date", "reference"]
    assert list(table.rows()) == [(2, ["2019-01-01", "Café"])]
    assert table.warnings
    table.close()


def test_rows_are_numbered_as_in_a_spreadsheet_and_blank_rows_skipped(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("date\n2019-01-01\n\n2019-01-02\n", encoding="utf-8")
    table = CsvTable(path)
    assert list(table.rows()) == [(2, ["2019-01-01"]), (4, ["2019-01-02"])]
    table.close()


def test_problems_are_capped_but_counted() -> None:
    problems = Problems(limit=3)
    for row in range(10):
        problems.add(row, "c", "v", "bad")
    assert len(problems.items) == 3
    assert problems.total == 10


@pytest.mark.parametrize(("line", "delimiter"), [
    ("a,b,c", ","), ("a;b;c", ";"), ("a\tb", "\t"), ("a|b", "|"), ("single", ",")])
def test_delimiter(line: str, delimiter: str) -> None:
    assert guess_delimiter(line + "\n1,2") == delimiter


cells = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)


@given(st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=20))
def test_any_text_survives_a_csv_round_trip(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["a", "b", "c"])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        table = CsvTable(path)
        read = [values for _n, values in table.rows()]
        table.close()
    expected = [[c.strip() for c in row] for row in rows if any(row)]
    assert read == expected


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_spreadsheet_numbers_become_the_text_a_person_typed(value: float) -> None:
    text = cell_text(value)
    assert float(text) == pytest.approx(value, rel=1e-14, abs=1e-300)
    assert not text.endswith(".0")


@given(st.integers(min_value=-10 ** 15, max_value=10 ** 15))
def test_whole_numbers_have_no_decimal_point(value: int) -> None:
    assert cell_text(float(value)) == str(value)
