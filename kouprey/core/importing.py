"""The import framework: read CSV/XLSX safely and streamed, report problems, commit or not.

An import reads a file row by row (never whole into memory), hands each row to an
``Importer`` (one per target, e.g. seizures.importers.SeizureImporter) and ends in one of
two ways: every row was valid and the importer's writes are committed in one transaction,
or the transaction is rolled back and the caller gets the list of problems (row, column,
value, reason). A dry run validates the same way and writes nothing at all.

Files are checked before they are read: the size against ``settings.MAX_UPLOAD_MB`` (from
the file system, so a 2 GB file is refused without reading a byte of it) and the type from
the content, not the name: an XLSX is a zip holding ``xl/workbook.xml``; a CSV is text
without NUL bytes that decodes as UTF-8 (or, with a warning, Windows-1252).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from kouprey.core import dataversion, search

SNIFF_BYTES = 64 * 1024
MAX_PROBLEMS = 1000
XLSX_MAX_EXPANSION = 20  # uncompressed size may be at most 20x the upload limit
PROGRESS_EVERY = 2000  # rows between progress callbacks
IMPORT_CACHE_MB = 256  # SQLite page cache while an import writes
DELIMITERS = (",", ";", "\t", "|")

# Magic numbers of files people upload by mistake, with the advice to give.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0", "a legacy Excel .xls (or other OLE) file: save it as .xlsx or CSV"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"SQLite format 3", "an SQLite database"),
)


class FileRejected(Exception):
    """The file cannot be imported at all (type, size, encoding); nothing was read into the
    database."""


@dataclass(frozen=True)
class Problem:
    """One reason a row cannot be imported. ``row`` counts as a spreadsheet does: the
    header is row 1, the first data row is row 2 (0 for problems about the whole file)."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = _("row %(row)s") % {"row": self.row} if self.row else _("file")
        column = f", {self.column}" if self.column else ""
        value = f" {self.value!r}" if self.value else ""
        return f"{where}{column}:{value} {self.reason}"


class Problems:
    """The problems found so far; keeps the first ``MAX_PROBLEMS`` and counts the rest."""

    def __init__(self, limit: int = MAX_PROBLEMS) -> None:
        self.items: list[Problem] = []
        self.total = 0
        self.limit = limit

    def add(self, row: int, column: str, value: Any, reason: str) -> None:
        self.total += 1
        if len(self.items) < self.limit:
            text = "" if value is None else str(value)
            self.items.append(Problem(row, column, text[:200], str(reason)))

    def __bool__(self) -> bool:
        return self.total > 0

    def __len__(self) -> int:
        return self.total


@dataclass
class ImportResult:
    """What an import did (or, in a dry run or when rejected, would have done)."""

    file: str
    mapping: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    children: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    warnings: list[str] = field(default_factory=list)
    parallel: bool = False  # read and checked in a second process (core/reader.py)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def committed(self) -> bool:
        return self.ok and not self.dry_run

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "mapping": self.mapping, "dry_run": self.dry_run,
            "committed": self.committed, "rows": self.rows, "created": self.created,
            "unchanged": self.unchanged, "children": self.children,
            "problem_count": self.problem_count, "warnings": self.warnings,
            "parallel": self.parallel,
            "problems": [p.__dict__ for p in self.problems],
        }


# --- reading files ------------------------------------------------------------------------

def check_file(path: Path, max_mb: int | None = None) -> str:
    """Return ``"csv"`` or ``"xlsx"`` for an importable file; raise FileRejected otherwise."""
    limit_mb = settings.MAX_UPLOAD_MB if max_mb is None else max_mb
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FileRejected(_("Cannot open %(file)s: %(error)s")
                           % {"file": path.name, "error": exc.strerror}) from exc
    if not path.is_file():
        raise FileRejected(_("%(file)s is not a file.") % {"file": path.name})
    if size > limit_mb * 1024 * 1024:
        raise FileRejected(
            _("%(file)s is %(size)s MB; the limit is %(limit)s MB (KOUPREY_MAX_UPLOAD_MB).")
            % {"file": path.name, "size": f"{size / 1024 / 1024:,.0f}", "limit": limit_mb})
    if size == 0:
        raise FileRejected(_("%(file)s is empty.") % {"file": path.name})
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    kind = sniff(head)
    if kind == "xlsx":
        _check_xlsx(path, limit_mb)
    return kind


def sniff(head: bytes) -> str:
    """The kind of file from its first bytes: ``xlsx`` or ``csv``; FileRejected otherwise."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    for magic, what in _BINARY_MAGIC:
        if head.startswith(magic):
            raise FileRejected(_("This is %(what)s, not a CSV or XLSX file.") % {"what": what})
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRejected(_("This is UTF-16 text; save it as CSV UTF-8."))
    if b"\x00" in head:
        raise FileRejected(_("This is a binary file, not a CSV or XLSX file."))
    if text_encoding(head) is None:
        raise FileRejected(_("This is not text in UTF-8 or Windows-1252; save it as CSV UTF-8."))
    return "csv"


def text_encoding(head: bytes) -> str | None:
    """``utf-8-sig`` when the sample decodes as UTF-8, else ``cp1252`` if that decodes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a character cut at the sample's end is fine
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return None


def _check_xlsx(path: Path, limit_mb: int) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise FileRejected(_("This is a damaged zip file, not an XLSX workbook.")) from exc
    if "xl/workbook.xml" not in names:
        raise FileRejected(_("This is a zip archive, not an XLSX workbook."))
    if expanded > XLSX_MAX_EXPANSION * limit_mb * 1024 * 1024:
        raise FileRejected(_("This workbook expands to %(size)s MB; refused.")
                           % {"size": f"{expanded / 1024 / 1024:,.0f}"})


def cell_text(value: Any) -> str:
    """A cell as text: dates as YYYY-MM-DD, whole floats without '.0', no binary noise."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    return str(value).strip()


class Table:
    """A file's header and its data rows, streamed: ``(row_number, [cell text, ...])``.

    ``position()`` and ``total`` drive a progress bar (bytes for CSV, rows for XLSX).
    """

    header: list[str]
    total: int | None
    warnings: list[str]

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        raise NotImplementedError

    def position(self) -> int:
        raise NotImplementedError

    def close(self) -> None:
        """Release the file."""


class CsvTable(Table):
    def __init__(self, path: Path) -> None:
        self._raw: IO[bytes] = path.open("rb")
        head = self._raw.read(SNIFF_BYTES)
        self._raw.seek(0)
        encoding = text_encoding(head) or "utf-8-sig"
        self.warnings = [] if encoding == "utf-8-sig" else [
            _("The file is not UTF-8; it was read as Windows-1252.")]
        self.total = path.stat().st_size
        self._text = io.TextIOWrapper(self._raw, encoding=encoding, newline="")
        sample = head.decode(encoding, errors="ignore")
        self._reader = csv.reader(self._text, delimiter=guess_delimiter(sample))
        self._number = 1
        try:
            self.header = [h.strip() for h in next(self._reader)]
        except (StopIteration, UnicodeDecodeError, csv.Error) as exc:
            self.close()
            raise FileRejected(_("The file has no readable header row.")) from exc

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for values in self._reader:
                number += 1
                if not any(values):
                    continue
                yield number, list(map(str.strip, values))
        except UnicodeDecodeError as exc:
            raise FileRejected(_("Row %(row)s is not valid text in this encoding.")
                               % {"row": number + 1}) from exc
        except csv.Error as exc:
            raise FileRejected(_("Row %(row)s cannot be read as CSV: %(error)s")
                               % {"row": number + 1, "error": exc}) from exc

    def position(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        self._raw.close()


def guess_delimiter(sample: str) -> str:
    """The delimiter that occurs most often in the header line (comma when none does)."""
    first = sample.splitlines()[0] if sample else ""
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class XlsxTable(Table):
    """The first worksheet of a workbook, read with openpyxl's streaming reader."""

    def __init__(self, path: Path) -> None:
        from openpyxl import load_workbook

        self.warnings = []
        try:
            self._book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a broken workbook
            raise FileRejected(_("The workbook cannot be read: %(error)s")
                               % {"error": exc}) from exc
        sheet = self._book.worksheets[0]
        if len(self._book.worksheets) > 1:
            self.warnings.append(_("Only the first worksheet (%(name)s) was read.")
                                 % {"name": sheet.title})
        self.total = sheet.max_row
        self._iter = sheet.iter_rows(values_only=True)
        self._number = 1
        try:
            self.header = [cell_text(v) for v in next(self._iter)]
        except StopIteration as exc:
            self.close()
            raise FileRejected(_("The worksheet is empty.")) from exc

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        for values in self._iter:
            self._number += 1
            if not any(v is not None and v != "" for v in values):
                continue
            yield self._number, [cell_text(v) for v in values]

    def position(self) -> int:
        return self._number

    def close(self) -> None:
        self._book.close()


def open_table(path: Path, kind: str) -> Table:
    return XlsxTable(path) if kind == "xlsx" else CsvTable(path)


# --- running an import --------------------------------------------------------------------

Progress = Callable[[int, int | None], None]
"""Called now and then with (position, total) while a file is read."""


class Importer(Protocol):
    """What a target (seizures, ...) implements to be imported by ``run_import``.

    Reading (``start``, ``feed``, ``finish``) turns rows into finished batches and hands
    them to an output; writing (``enter``, ``receive``, ``done``) puts them in the
    database. Both halves run in one process, or reading runs in a second process made by
    ``reader()`` whose output is a channel back to this one.
    """

    mapping_name: str

    def start(self, header: list[str], problems: Problems, dry_run: bool) -> list[str]:
        """Bind the header; return warnings (e.g. ignored columns)."""

    def feed(self, number: int, values: list[str]) -> None:
        """Take one data row; report its problems; pass batches on while none were found."""

    def finish(self, result: ImportResult) -> None:
        """Pass on the last batch; fill in the counts."""

    def enter(self, stack: ExitStack) -> None:
        """Enter what must wrap the writes, inside the import's transaction (not in a dry
        run), and get ready to ``receive``: e.g. another app's row triggers switched off
        for the import's rows."""

    def receive(self, batch: Any) -> None:
        """Write one batch in the import's transaction."""

    def done(self) -> None:
        """Every row was read and none had a problem: finish the writes before the commit."""

    def send_to(self, output: Callable[[Any], None]) -> None:
        """In a reading process: send batches to ``output`` instead of ``receive``."""

    def reader(self) -> Callable[[], Importer] | None:
        """A picklable function that makes this importer in a reading process (called
        inside the import's transaction), or None if it must read where it writes."""


def run_import(importer: Importer, path: Path, *, dry_run: bool = False,
               progress: Progress | None = None, max_mb: int | None = None,
               parallel: bool = False) -> ImportResult:
    """Read ``path`` into ``importer``: all rows committed, or none (FileRejected if the file
    cannot be read at all).

    With ``parallel``, a file of at least ``settings.IMPORT_PARALLEL_MB`` is read and
    checked in a second process while this one writes (the importer and the database
    allowing it: ``Importer.reader``, a database file or server the second process can
    open). The result, the problems and the all-or-nothing commit are the same.
    """
    kind = check_file(path, max_mb)
    table = open_table(path, kind)
    result = ImportResult(file=path.name, mapping=importer.mapping_name, dry_run=dry_run,
                          warnings=list(table.warnings))
    problems = Problems()
    try:
        if dry_run:
            _feed(importer, table, problems, result, dry_run, progress)
        else:
            with bulk_cache(), transaction.atomic(), dataversion.bulk_writes(), \
                    bulk_search_index(), ExitStack() as stack:
                importer.enter(stack)
                reader = importer.reader() if parallel and _worth_a_reader(path) else None
                if reader is None:
                    _feed(importer, table, problems, result, dry_run, progress)
                else:
                    table.close()
                    from kouprey.core.reader import read_elsewhere

                    read_elsewhere(importer, reader, path, kind, problems, result, progress)
                    result.parallel = True
                if problems:
                    transaction.set_rollback(True)
                else:
                    importer.done()
    finally:
        table.close()
    result.problems = problems.items
    result.problem_count = problems.total
    if not result.ok:
        result.created = 0
        result.children = {}
    return result


def _worth_a_reader(path: Path) -> bool:
    """A file large enough, and a database a second process can open."""
    limit = settings.IMPORT_PARALLEL_MB
    if limit < 0 or path.stat().st_size < limit * 1024 * 1024:
        return False
    in_memory = getattr(connection, "is_in_memory_db", lambda: False)()
    return not (connection.vendor == "sqlite" and in_memory)


# FTS5 merges its index segments as rows arrive (automerge 4: four segments of one level
# become one of the next). Over a long import that merging repeats most of the work; with
# automerge off and crisismerge at 64 a 40,000-seizure import spent 2.2 s on the index
# instead of 3.75 s, and searches afterwards were as fast (the later writes merge as usual).
BULK_FTS = {"automerge": 0, "crisismerge": 64}
FTS_DEFAULTS = {"automerge": 4, "crisismerge": 16}


@contextmanager
def bulk_search_index() -> Iterator[None]:
    """Inside a transaction that inserts many rows (an import): on SQLite, the full-text
    tables merge their segments less often; their settings are put back before the block
    ends, in the same transaction (FTS5 keeps them in its ``_config`` table)."""
    if connection.vendor != "sqlite" or not connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        tables = [t for t in search.SEARCHABLE_TABLES
                  if f"{t}_fts" in connection.introspection.table_names(cursor)]
        before: dict[str, dict[str, Any]] = {}
        for table in tables:
            fts = f"{table}_fts"
            # Kouprey's own table names, never input.
            cursor.execute(f"SELECT k, v FROM {fts}_config")  # noqa: S608 # nosec B608
            saved = dict(cursor.fetchall())
            before[fts] = {k: saved.get(k, v) for k, v in FTS_DEFAULTS.items()}
            _fts_config(cursor, fts, BULK_FTS)
    try:
        yield
    finally:
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                for fts, settings in before.items():
                    _fts_config(cursor, fts, settings)


def _fts_config(cursor: Any, fts: str, settings: dict[str, Any]) -> None:
    for key, value in settings.items():
        # nosec B608 - fts is one of Kouprey's own table names; the values are parameters
        cursor.execute(f"INSERT INTO {fts}({fts}, rank) VALUES (%s, %s)",  # noqa: S608  # nosec B608
                       [key, int(value)])


@contextmanager
def bulk_cache() -> Iterator[None]:
    """On SQLite, a page cache of ``IMPORT_CACHE_MB`` while an import writes (the default
    2 MB makes every index insert of a large import a disk read); restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-1024 * IMPORT_CACHE_MB:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before):d}")


def _feed(importer: Importer, table: Table, problems: Problems, result: ImportResult,
          dry_run: bool, progress: Progress | None) -> None:
    result.warnings += importer.start(table.header, problems, dry_run)
    count = 0
    for number, values in table.rows():
        importer.feed(number, values)
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(table.position(), table.total)
    result.rows = count
    importer.finish(result)
    if progress is not None:
        progress(table.total or count, table.total)
