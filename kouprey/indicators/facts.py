"""What cases decide, kept per seizure (``SeizureCourt``) and per case (``CaseFact``).

A case write (an event, a link, an agency, its sharing) changes the ``prosecuted``,
``convicted`` and ``verdict`` rows of the case's own seizures only, and the ``cases`` and
``interagency`` rows of the case only. With each seizure's and each case's contribution
kept, such a write costs the recount of those few records and the difference between their
new and kept contributions, not the recount of every month they fall in (at a million
seizures a month is ~5,500 seizures, ~1 s on PostgreSQL; five months for a case event).

The tallies always equal the sum of the kept facts: a full rebuild writes both; the store's
month recount (a seizure changed: its month, visibility, validation or date) takes what
cases decide from the kept facts and moves them with their seizure; and this module recounts
the seizures and cases the triggers named (``DirtyMonth.part`` COURT) and applies the
differences. Why: docs/decisions/2026-11-21-indicator-rollups.md.
"""

# ruff: noqa: S608 - SQL text holds only names from model metadata and our own
# constants; every value is a query parameter (bandit: the nosec B608 markers).

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from kouprey.cases.models import Case
from kouprey.indicators import tallies
from kouprey.indicators.copying import copy_rows
from kouprey.indicators.models import Bucket, CaseFact, SeizureCourt
from kouprey.indicators.tallies import At, CaseCount, Court, column, table

SEIZURE_IDS, CASE_IDS = "indicators_seizure_ids", "indicators_case_ids"
Facts = dict[int, tuple[At, Court]]


@dataclass
class Recount:
    """The named seizures and cases counted again: their facts now and as kept, and the
    differences they make to the month rows (keyed by signature)."""

    court: Facts = field(default_factory=dict)
    kept_court: Facts = field(default_factory=dict)
    cases: dict[int, CaseCount] = field(default_factory=dict)
    kept_cases: dict[int, CaseCount] = field(default_factory=dict)
    counter: tallies.Counter = field(default_factory=tallies.Counter)

    @property
    def signatures(self) -> set[str]:
        return set(self.counter.signatures.values()) | self.counter.case_signatures


def recount(connection: BaseDatabaseWrapper, seizures: set[int], cases: set[int]) -> Recount:
    """The seizures named and those of the cases named, the cases named and those of the
    seizures named: counted from the records, compared with their kept facts."""
    links = table(tallies.LINKS)
    with connection.cursor() as cursor:
        tallies.fill_ids(cursor, SEIZURE_IDS, seizures)
        tallies.fill_ids(cursor, CASE_IDS, cases)
        cursor.execute(  # nosec B608
            f"SELECT l.seizure_id, NULL FROM {CASE_IDS} k JOIN {links} l "  # nosec B608
            f"ON l.case_id = k.id UNION "
            f"SELECT NULL, l.case_id FROM {SEIZURE_IDS} k JOIN {links} l ON l.seizure_id = k.id")
        for seizure_id, case_id in cursor.fetchall():
            (seizures if case_id is None else cases).add(seizure_id or case_id)
        tallies.fill_ids(cursor, SEIZURE_IDS, seizures)
        tallies.fill_ids(cursor, CASE_IDS, cases)
    found = Recount()
    with tallies.scope_of(connection, SEIZURE_IDS) as cursor:
        found.court = tallies.court_records(connection, cursor)
    with connection.cursor() as cursor:
        tallies.fill_cases_of(connection, cursor, CASE_IDS)
        found.cases = tallies.case_records(connection, cursor, None)
        found.kept_court, found.kept_cases = _kept(connection, cursor)
    for at, court in found.court.values():
        court.add_to(found.counter, at)
    for at, court in found.kept_court.values():
        court.add_to(found.counter, at, -1)
    for case in found.cases.values():
        case.add_to(found.counter)
    for case in found.kept_cases.values():
        case.add_to(found.counter, -1)
    return found


def _kept(connection: BaseDatabaseWrapper, cursor: Any) -> tuple[Facts, dict[int, CaseCount]]:
    """The kept facts of the seizures and cases in the id tables."""
    b, sc, cf = table(Bucket), table(SeizureCourt), table(CaseFact)
    sig = column(Bucket, "signature")
    cursor.execute(  # nosec B608
        f"SELECT f.seizure_id, f.month, b.{sig}, f.validated, f.day, f.prosecuted, "  # nosec B608
        f"f.convicted, f.verdicts FROM {SEIZURE_IDS} k JOIN {sc} f ON f.seizure_id = k.id "
        f"JOIN {b} b ON b.id = f.bucket_id")
    court = {sid: ((month, bucket, bool(v), tallies._day(day)), Court.of(p, c, ver))  # noqa: SLF001
             for sid, month, bucket, v, day, p, c, ver in cursor.fetchall()}
    cursor.execute(  # nosec B608
        f"SELECT f.case_id, f.month, b.{sig}, f.interagency FROM {CASE_IDS} k "  # nosec B608
        f"JOIN {cf} f ON f.case_id = k.id JOIN {b} b ON b.id = f.bucket_id")
    cases = {cid: CaseCount(month, bucket, bool(several))
             for cid, month, bucket, several in cursor.fetchall()}
    return court, cases


def store(connection: BaseDatabaseWrapper, found: Recount, ids: dict[str, int]) -> None:
    """Write the facts of a recount that differ from the kept ones."""
    court = {sid: facts for sid, facts in found.court.items()
             if found.kept_court.get(sid) != facts}
    cases = {cid: case for cid, case in found.cases.items()
             if found.kept_cases.get(cid) != case}
    _replace(connection, SeizureCourt, "seizure_id",
             court.keys() | (found.kept_court.keys() - found.court.keys()),
             [_court_row(sid, at, c, ids) for sid, (at, c) in court.items()])
    _replace(connection, CaseFact, "case_id",
             cases.keys() | (found.kept_cases.keys() - found.cases.keys()),
             [_case_row(cid, case, ids) for cid, case in cases.items()])


def _court_row(seizure_id: int, at: At, court: Court, ids: dict[str, int]) -> list[Any]:
    month, sig, validated, day = at
    return [seizure_id, month, ids[sig], validated, day, *court.texts()]


def _case_row(case_id: int, case: CaseCount, ids: dict[str, int]) -> list[Any]:
    return [case_id, case.month, ids[case.sig], case.interagency]


COURT_COLUMNS = ["seizure_id", "month", "bucket_id", "validated", "day", "prosecuted",
                 "convicted", "verdicts"]
CASE_COLUMNS = ["case_id", "month", "bucket_id", "interagency"]


def _replace(connection: BaseDatabaseWrapper, model: Any, key: str, removed: Any,
             rows: list[list[Any]]) -> None:
    """Delete the facts of ``removed`` ids, then insert ``rows``."""
    columns = COURT_COLUMNS if model is SeizureCourt else CASE_COLUMNS
    with connection.cursor() as cursor:
        if removed:
            cursor.executemany(f"DELETE FROM {table(model)} WHERE {key} = %s",  # nosec B608
                               [(i,) for i in sorted(removed)])
        if rows:
            cursor.executemany(  # nosec B608
                f"INSERT INTO {table(model)} ({', '.join(columns)}) "  # nosec B608
                f"VALUES ({', '.join(['%s'] * len(columns))})", rows)


def move(connection: BaseDatabaseWrapper, computed: tallies.Computed, ids: dict[str, int]
         ) -> None:
    """After the store's month recount: the kept facts follow their seizures (month,
    visibility, validation, date), and those of seizures gone are deleted."""
    moved: list[list[Any]] = []
    for sid, ((month, sig, validated, day), _court) in computed.court.items():
        now = (month, ids[sig], validated, day)
        if computed.kept.get(sid) != now:
            moved.append([*now, sid])
    with connection.cursor() as cursor:
        if moved:
            cursor.executemany(  # nosec B608
                f"UPDATE {table(SeizureCourt)} SET month = %s, bucket_id = %s, "  # nosec B608
                "validated = %s, day = %s WHERE seizure_id = %s", moved)
        if computed.gone:
            cursor.executemany(  # nosec B608
                f"DELETE FROM {table(SeizureCourt)} WHERE seizure_id = %s",  # nosec B608
                [(i,) for i in computed.gone])


def keep_court(connection: BaseDatabaseWrapper, court: Facts, ids: dict[str, int]) -> None:
    """A full rebuild, chunk by chunk: the facts of the seizures counted (``clear`` first)."""
    copy_rows(connection, table(SeizureCourt), COURT_COLUMNS,
              (_court_row(sid, at, c, ids) for sid, (at, c) in court.items()))


def keep_cases(connection: BaseDatabaseWrapper, cases: dict[int, CaseCount],
               ids: dict[str, int]) -> None:
    """A full rebuild: the facts of every case (``clear`` first)."""
    copy_rows(connection, table(CaseFact), CASE_COLUMNS,
              (_case_row(cid, case, ids) for cid, case in cases.items()))


def every_case(connection: BaseDatabaseWrapper) -> dict[int, CaseCount]:
    """Every case as counted, from the records (a full rebuild)."""
    with connection.cursor() as cursor:
        tallies.fill_cases_of(connection, cursor, table(Case))
        return tallies.case_records(connection, cursor, None)


def clear(connection: BaseDatabaseWrapper) -> None:
    using = connection.alias
    for model in (SeizureCourt, CaseFact):
        queryset = model.objects.using(using).all()
        queryset._raw_delete(using)  # noqa: SLF001 - one DELETE (see store._delete)
