"""Database triggers that note which months' tallies a write makes stale (``DirtyMonth``).

Every table the tallies read carries them, so whatever writes (forms, API, the importer's
COPY, raw SQL, the sqlite3 shell) marks the months it touches, in its own transaction:

- a seizure: the seizure and its month (old and new on update); when its date changes (or
  it is deleted), also the seizure, part COURT (its cases' earliest seizure may move);
- a row of a seizure (items, suspects, origins, transits, agencies, sharing): that seizure
  (on PostgreSQL with its month);
- the store counts the seizures named again and adds the differences from their kept
  figures (indicators.own); a bulk write's marks name months only, counted again whole;
- a case, its events, agencies or sharing: the case, part COURT;
- a case-seizure link: the seizure and the case, part COURT;
- marks of part COURT name a seizure or case (``month`` RESOLVE): the store counts again
  what cases decide for those records only (indicators.facts); a reader who finds them
  pending looks their months up (``store.dirty_months``) and counts those months;
- TRUNCATE (PostgreSQL): everything.

Reference data needs none: labels and the ivory commodities are read when the table is.
SQLite: row-level triggers, re-created after every migrate (a table rebuilt by a migration
loses them; when any was missing, everything is marked); they note the seizure or case a
row belongs to, whose months are found when the marks are read. PostgreSQL: statement-level
triggers over transition tables, so a COPY of millions of rows costs one INSERT of its
marks (one per seizure or case named).
``bulk()`` lets an importer switch them off inside its own transaction and mark the months
it wrote itself.
"""

# ruff: noqa: S608 - SQL text holds only names from model metadata and our own
# constants; every value is a query parameter (bandit: the nosec B608 markers).

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from kouprey.cases.models import Case, CaseAgency, CaseEvent
from kouprey.indicators.models import ALL_MONTHS, COURT, EVERYTHING, RESOLVE, DirtyMonth
from kouprey.indicators.tallies import column, month_of, month_sql, table
from kouprey.seizures.models import OriginCountry, Seizure, SeizureItem, Suspect, TransitCountry

PREFIX = "indicators_dirty"
BULK_SETTING = "kouprey.indicators_bulk"  # PostgreSQL: set for one transaction by bulk()
LINKS = Case.seizures.through


def _fk(model: Any, target: Any) -> str:
    meta = model._meta  # noqa: SLF001
    return str(next(f.column for f in meta.fields if f.is_relation and f.related_model is target))


@dataclass(frozen=True)
class Watched:
    """A table and how its rows name the months they affect."""

    model: Any
    kind: str  # "seizure", "child" (a seizure_id), "case" (a case_id), "link"
    columns: tuple[str, ...]

    @property
    def table(self) -> str:
        return table(self.model)


def watched() -> list[Watched]:
    children = [SeizureItem, Suspect, OriginCountry, TransitCountry,
                Seizure.agencies.through, Seizure.shared_with.through]
    cases = [CaseEvent, CaseAgency, Case.shared_with.through]
    return [
        Watched(Seizure, "seizure", ("id", column(Seizure, "date"))),
        *(Watched(m, "child", (_fk(m, Seizure),)) for m in children),
        Watched(Case, "case", ("id",)),
        *(Watched(m, "case", (_fk(m, Case),)) for m in cases),
        Watched(LINKS, "link", ("id", _fk(LINKS, Case), _fk(LINKS, Seizure))),
    ]


class Sql:
    """PostgreSQL: the marks of the rows of a relation ``r`` (old or new rows): for seizures
    and their rows, the seizure and its month; the seizure or case named (``RESOLVE``,
    ``COURT``) for cases, their rows and links, and for seizures deleted or moved to another
    date (their cases)."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        self.s = table(Seizure)
        self.day = column(Seizure, "date")
        self.case_col, self.seizure_col = _fk(LINKS, Case), _fk(LINKS, Seizure)

    def month(self, expression: str) -> str:
        return month_sql(self.vendor, expression, percent="%")

    @staticmethod
    def named(rel: str, seizure: str, case: str, where: str = "") -> str:
        return (f"SELECT {RESOLVE} AS month, {COURT} AS part, {seizure}::bigint AS seizure_pk, "  # nosec B608
                f"{case}::bigint AS case_pk FROM {rel}{where}")

    def selects(self, w: Watched, rel: str, event: str) -> list[str]:
        """Marks of the rows of ``rel`` (one side: old or new rows)."""
        if w.kind == "seizure":
            found = [f"SELECT {self.month(f'r.{self.day}')} AS month, {EVERYTHING} AS part, "  # nosec B608
                     f"r.id::bigint AS seizure_pk, NULL::bigint AS case_pk FROM {rel}"]
            if event == "ad":
                found.append(self.named(rel, "r.id", "NULL"))
            return found
        if w.kind == "child":
            return [f"SELECT {self.month(f's.{self.day}')} AS month, {EVERYTHING} AS part, "  # nosec B608
                    f"s.id::bigint AS seizure_pk, NULL::bigint AS case_pk FROM {rel} "
                    f"JOIN {self.s} s ON s.id = r.{w.columns[0]}"]
        if w.kind == "case":
            return [self.named(rel, "NULL", f"r.{w.columns[0]}")]
        return [self.named(rel, f"r.{self.seizure_col}", f"r.{self.case_col}")]

    @staticmethod
    def insert(selects: list[str]) -> str:
        return (f"INSERT INTO {table(DirtyMonth)} {MARK_COLUMNS} "  # nosec B608
                f"SELECT DISTINCT {MARK_COLUMNS[1:-1]} FROM ("
                + " UNION ".join(selects) + ") found")


# --- SQLite: row-level triggers ------------------------------------------------------------
# Their bodies name no table but the marks': SQLite checks every trigger when a migration
# rebuilds a table (DROP, then RENAME), and a trigger naming the dropped table fails that.
# So a row notes its own month (a seizure) or the seizure or case it belongs to, and
# indicators.rollups.dirty_months finds their months when reading the marks.

SQLITE_EVENTS = {"ai": ("INSERT", ["NEW"]), "au": ("UPDATE", ["OLD", "NEW"]),
                 "ad": ("DELETE", ["OLD"])}


def _sqlite_marks(w: Watched, row: str) -> list[str]:
    """``(month, part, seizure_pk, case_pk)`` value lists for one row of ``w``."""
    if w.kind == "seizure":
        return [f"({month_sql('sqlite', f'{row}.{w.columns[1]}', percent='%')}, "
                f"{EVERYTHING}, {row}.id, NULL)"]
    if w.kind == "child":
        return [f"({RESOLVE}, {EVERYTHING}, {row}.{w.columns[0]}, NULL)"]
    if w.kind == "case":
        return [f"({RESOLVE}, {COURT}, NULL, {row}.{w.columns[0]})"]
    return [f"({RESOLVE}, {COURT}, {row}.{w.columns[2]}, {row}.{w.columns[1]})"]


MARK_COLUMNS = "(month, part, seizure_pk, case_pk)"


def sqlite_triggers(w: Watched) -> dict[str, str]:
    """Trigger name -> CREATE statement, for one table."""
    marks = table(DirtyMonth)
    found = {}
    for suffix, (event, rows) in SQLITE_EVENTS.items():
        values = ", ".join(v for row in rows for v in _sqlite_marks(w, row))
        name = f"{w.table}_{PREFIX}_{suffix}"
        found[name] = (f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {w.table} "  # nosec B608
                       f"BEGIN INSERT INTO {marks} {MARK_COLUMNS} VALUES {values}; END")
    if w.kind == "seizure":  # a new date: the cases of this seizure may begin elsewhere
        name = f"{w.table}_{PREFIX}_au_date"
        day = w.columns[1]
        found[name] = (f"CREATE TRIGGER IF NOT EXISTS {name} AFTER UPDATE OF {day} "  # nosec B608
                       f"ON {w.table} WHEN OLD.{day} IS NOT NEW.{day} BEGIN "
                       f"INSERT INTO {marks} {MARK_COLUMNS} VALUES "
                       f"({RESOLVE}, {COURT}, NEW.id, NULL); END")
    return found


# --- PostgreSQL: statement-level triggers with transition tables ---------------------------

PG_EVENTS = {"ai": ("INSERT", "REFERENCING NEW TABLE AS new_rows"),
             "au": ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
             "ad": ("DELETE", "REFERENCING OLD TABLE AS old_rows")}


def _pg_function(name: str, body: str) -> str:
    return (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF current_setting('{BULK_SETTING}', true) = 'on' THEN RETURN NULL; "
            f"END IF; {body}; RETURN NULL; END $$")


def pg_statements(w: Watched) -> dict[str, list[str]]:
    """Trigger name -> the statements creating its function and itself, for one table."""
    sql = Sql("postgresql")
    found = {}
    for suffix, (event, referencing) in PG_EVENTS.items():
        sides = {"ai": ["new_rows"], "au": ["old_rows", "new_rows"], "ad": ["old_rows"]}[suffix]
        selects = [s for side in sides for s in sql.selects(w, f"{side} r", suffix)]
        if w.kind == "seizure" and suffix == "au":  # a new date: its cases may begin elsewhere
            selects.append(sql.named("new_rows r", "r.id", "NULL", (
                f" JOIN old_rows o ON o.id = r.id AND o.{w.columns[1]} IS DISTINCT FROM "
                f"r.{w.columns[1]}")))
        function = f"{PREFIX}_{w.table}_{suffix}"
        name = f"{PREFIX}_{suffix}"
        found[name] = [_pg_function(function, sql.insert(selects)),
                       f"CREATE TRIGGER {name} AFTER {event} ON {w.table} {referencing} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"]
    everything = f"INSERT INTO {table(DirtyMonth)} (month) VALUES ({ALL_MONTHS})"  # nosec B608
    found[f"{PREFIX}_at"] = [_pg_function(f"{PREFIX}_everything", everything),
                             f"CREATE TRIGGER {PREFIX}_at AFTER TRUNCATE ON {w.table} "
                             f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}_everything()"]
    return found


# --- installing them -----------------------------------------------------------------------

def _existing(connection: Any) -> set[tuple[str, str]]:
    """(table, trigger name) of the dirty-month triggers in place."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c "
                           "ON c.oid = t.tgrelid WHERE t.tgname LIKE %s "
                           "AND pg_table_is_visible(c.oid)", [f"{PREFIX}%"])
        return {(str(t), str(n)) for t, n in cursor.fetchall()}


def _wanted(connection: Any) -> dict[tuple[str, str], list[str]]:
    """(table, trigger) -> statements. SQLite: drop and create (a trigger holds its body);
    PostgreSQL: replace the function, then create the trigger (only when missing)."""
    wanted: dict[tuple[str, str], list[str]] = {}
    for w in watched():
        if connection.vendor == "sqlite":
            for name, sql in sqlite_triggers(w).items():
                wanted[(w.table, name)] = [f"DROP TRIGGER IF EXISTS {name}", sql]
        else:
            for name, statements in pg_statements(w).items():
                wanted[(w.table, name)] = statements
    return wanted


def missing(connection: Any) -> list[tuple[str, str]]:
    existing_tables = set(connection.introspection.table_names())
    have = _existing(connection)
    return [k for k in _wanted(connection) if k[0] in existing_tables and k not in have]


def ensure(connection: Any) -> None:
    """Bring every trigger up to date (after each migrate); when one was missing, writes may
    have gone unnoticed, so every month is marked. Idempotent; on PostgreSQL no table is
    locked when all triggers are in place (only the functions are replaced)."""
    if connection.vendor not in {"sqlite", "postgresql"}:
        return
    tables = set(connection.introspection.table_names())
    if table(DirtyMonth) not in tables:
        return  # the indicators migrations have not run yet
    lost = set(missing(connection))
    with connection.cursor() as cursor:
        for key, statements in _wanted(connection).items():
            if key[0] not in tables:
                continue
            if connection.vendor == "postgresql":
                statements = statements[:1] + (statements[1:] if key in lost else [])
            for sql in statements:
                cursor.execute(sql)
        if lost:
            cursor.execute(f"INSERT INTO {table(DirtyMonth)} (month) VALUES (%s)",  # nosec B608
                           [ALL_MONTHS])


# --- bulk writes ---------------------------------------------------------------------------

@dataclass
class Marks:
    """The months a bulk write touched, noted by the writer itself."""

    months: set[int] = field(default_factory=set)

    def mark_dates(self, dates: Iterable[date]) -> None:
        """The seizure dates written (for a changed seizure: its old and new date)."""
        self.months.update(month_of(d) for d in dates)

    def mark_all(self) -> None:
        """Everything (for writes whose months are not known, e.g. a changed case link)."""
        self.months.add(ALL_MONTHS)


@contextmanager
def bulk(using: str = DEFAULT_DB_ALIAS) -> Iterator[Marks]:
    """Inside an import's transaction: the triggers skip its rows; the importer marks months.

    SQLite: the row triggers are dropped in the transaction and created again before it
    ends (DDL is transactional there and the importer holds the write lock, so no other
    connection sees them missing). PostgreSQL: a transaction-local setting the trigger
    functions test. On leaving, the months given to ``mark_dates`` are marked dirty.
    Outside a transaction nothing is switched off (every write still marks its months).
    """
    connection = connections[using]
    marks = Marks()
    if not connection.in_atomic_block:
        yield marks
        _mark(connection, marks)
        return
    triggers = _switch(connection, off=True)
    try:
        yield marks
    except BaseException:
        with suppress(Exception):  # the original error matters
            _restore(connection, triggers, marks)
        raise
    _restore(connection, triggers, marks)


def _switch(connection: Any, off: bool) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, %s, true)", [BULK_SETTING,
                                                                 "on" if off else "off"])
            return []
        if connection.vendor != "sqlite":
            return []
        have = _existing(connection)
        statements = [sql for key, (_, sql) in _wanted(connection).items() if key in have]
        for table_name, name in sorted(have):
            if name.startswith(f"{table_name}_{PREFIX}_"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        return statements


def _restore(connection: Any, statements: list[str], marks: Marks) -> None:
    if connection.needs_rollback:  # the transaction is being undone, and so is the switch
        return
    try:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        if connection.vendor == "postgresql":
            _switch(connection, off=False)
        _mark(connection, marks)
    except Exception:
        transaction.set_rollback(True, using=connection.alias)  # never commit without them
        raise


def _mark(connection: Any, marks: Marks) -> None:
    if marks.months:
        DirtyMonth.objects.using(connection.alias).bulk_create(
            [DirtyMonth(month=m) for m in sorted(marks.months)])
