"""Tally rows computed from the records: the figures of the seizures dated in some ranges.

One grouped pass per dimension over the seizures of the ranges, which are first listed in a
temporary table with their month, their visibility (``signature``: owner, confidentiality,
organisations shared with) and whether they are validated. The same code serves the stored
months (indicators.rollups.refresh) and the partial months at the edges of a date range,
so both count alike; ``services.compute`` stays the independent reference the tests check
this against.

Everything counted is additive over months and visibilities:

- ``total``, ``year``, ``place``, ``agency``, ``nationality``, ``flow``: seizures;
- ``taxon``, ``commodity``: distinct seizures and the items' weight in grams (and how many
  items have a weight, to tell "no weight" from 0); commodities also the worked weight, so
  raw ivory equivalent is computed when read, from the commodities' current ``is_ivory``;
- ``prosecuted``, ``convicted``: seizures by the set of visibilities of their prosecuted
  (convicted) linked cases, so a reader counts a seizure when it sees one of those cases;
- ``verdict``: seizures by their days to the first verdict per case visibility (an exact
  histogram: the reader's days are the smallest among the visibilities it sees);
- ``cases``, ``interagency``: cases by the month of their earliest linked seizure (whatever
  that seizure's visibility) and the case's own visibility; month 0 for cases without one.
"""

# ruff: noqa: S608 - SQL text holds only names from model metadata and our own
# constants; every value is a query parameter (bandit: the nosec B608 markers).

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from kouprey.cases.models import Case, CaseAgency, CaseEvent
from kouprey.cases.services import PROSECUTION_KINDS
from kouprey.indicators.models import UNDATED
from kouprey.seizures.models import OriginCountry, Seizure, SeizureItem, Suspect, TransitCountry

Range = tuple[date, date]  # both days included
TallyKey = tuple[int, str, bool, str, str]  # month, signature, validated, dimension, key
Tallies = dict[TallyKey, list[int]]  # seizures, weight_g, weighed, worked_g
SCOPE = "indicators_scope"  # the temporary table of the seizures being counted
CASES = "indicators_cases"  # and of the cases linked to them
MMAP_BYTES = 1 << 32  # SQLite caps it at its compile-time maximum (2 GiB on Debian)
CASE_DIMENSIONS = ("cases", "interagency")
COURT_DIMENSIONS = ("prosecuted", "convicted", "verdict", *CASE_DIMENSIONS)


def table(model: Any) -> str:
    return str(model._meta.db_table)  # noqa: SLF001


def column(model: Any, name: str) -> str:
    return str(model._meta.get_field(name).column)  # noqa: SLF001


def month_sql(vendor: str, expression: str, percent: str = "%%") -> str:
    """``yyyymm`` of a date column, in the database's own functions (``percent``: "%" in SQL
    run without parameters, such as triggers)."""
    if vendor == "postgresql":
        return (f"(EXTRACT(YEAR FROM {expression})::int * 100 "
                f"+ EXTRACT(MONTH FROM {expression})::int)")
    return f"CAST(strftime('{percent}Y{percent}m', {expression}) AS integer)"


def month_of(day: date) -> int:
    return day.year * 100 + day.month


def signature(owner: Any, level: Any, shared: str | None) -> str:
    """The canonical text of a visibility: the shared organisations sorted."""
    ids = sorted({int(i) for i in (shared or "").split(",") if i})
    return f"{owner}:{level}:{','.join(map(str, ids))}"


def _signature_sql(vendor: str, model: Any, alias: str) -> str:
    """Owner, confidentiality and the shared organisations of a record, as text."""
    through = model._meta.get_field("shared_with").remote_field.through  # noqa: SLF001
    own = column(through, next(f.name for f in through._meta.fields  # noqa: SLF001
                               if f.is_relation and f.related_model is model))
    org = column(through, next(f.name for f in through._meta.fields  # noqa: SLF001
                               if f.is_relation and f.related_model is not model))
    owner, level = column(model, "owner_org"), column(model, "confidentiality")
    if vendor == "postgresql":
        shared = (f"(SELECT string_agg(sh.{org}::text, ',') FROM {table(through)} sh "  # nosec B608
                  f"WHERE sh.{own} = {alias}.id)")
        return f"{alias}.{owner}::text || ':' || {alias}.{level}::text || ':' || " \
               f"COALESCE({shared}, '')"
    shared = f"(SELECT group_concat(sh.{org}) FROM {table(through)} sh WHERE sh.{own} = {alias}.id)"  # nosec B608
    return f"{alias}.{owner} || ':' || {alias}.{level} || ':' || COALESCE({shared}, '')"


@lru_cache(maxsize=4096)
def _canonical(raw: str) -> str:
    owner, level, shared = raw.split(":", 2)
    return signature(owner, level, shared)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


class Counter:
    """Tallies of one computation, filled dimension by dimension."""

    def __init__(self) -> None:
        self.rows: Tallies = defaultdict(lambda: [0, 0, 0, 0])
        self.signatures: dict[str, str] = {}
        self.case_signatures: set[str] = set()  # visibilities named inside keys

    def sig(self, raw: str) -> str:
        if raw not in self.signatures:
            self.signatures[raw] = _canonical(raw)
        return self.signatures[raw]

    def add(self, month: int, raw_sig: str, validated: Any, dimension: str, key: str,
            *figures: Any) -> None:
        row = self.rows[(month, self.sig(raw_sig), bool(validated), dimension, key)]
        for i, value in enumerate(figures):
            row[i] += int(value or 0)


def _key(value: Any) -> str:
    return "" if value is None else str(value)


@contextmanager
def _mapped(connection: BaseDatabaseWrapper, cursor: Any) -> Iterator[None]:
    """SQLite: the database file memory-mapped while counting (pages read without a system
    call each: a month's recount reads tens of thousands of scattered rows); put back after.
    """
    if connection.vendor != "sqlite":
        yield
        return
    cursor.execute("PRAGMA mmap_size")
    row = cursor.fetchone()
    if row is None:  # an in-memory database: nothing to map
        yield
        return
    before = int(row[0])
    cursor.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA mmap_size = {before}")


@dataclass
class Computed:
    rows: Tallies
    signatures: set[str]  # every visibility the rows name (as a bucket or inside a key)


def compute(connection: BaseDatabaseWrapper, ranges: Sequence[Range] | None,
            undated_cases: bool, court_only: bool = False) -> Computed:
    """The tallies of the seizures dated in ``ranges`` (None: every seizure), and of the cases
    whose earliest linked seizure is; ``undated_cases`` adds the cases without seizures;
    ``court_only``: only the dimensions that cases decide (COURT_DIMENSIONS)."""
    counter = Counter()
    with connection.cursor() as cursor, _mapped(connection, cursor):
        _fill_scope(connection, cursor, ranges, with_rows=not court_only)
        if not court_only:
            _seizure_figures(connection, cursor, counter)
        case_sigs, undated = _case_signatures(connection, cursor, undated_cases)
        _court_figures(cursor, counter, case_sigs, _join(connection))
        _case_figures(cursor, counter, case_sigs, ranges, undated, _join(connection))
        cursor.execute(f"DELETE FROM {SCOPE}")  # nosec B608
    return Computed(dict(counter.rows), set(counter.signatures.values())
                    | counter.case_signatures)


def _fill_scope(connection: BaseDatabaseWrapper, cursor: Any,
                ranges: Sequence[Range] | None, with_rows: bool) -> None:
    """The seizures counted: ``with_rows`` also their place and destination (read from the
    seizure rows; without them an index has every column the case figures need)."""
    vendor = connection.vendor
    temp = "TEMPORARY TABLE IF NOT EXISTS"
    cursor.execute(f"CREATE {temp} {SCOPE} (id bigint PRIMARY KEY, month integer, "
                   "sig varchar(400), validated boolean, day date, place bigint, dest bigint)")
    cursor.execute(f"DELETE FROM {SCOPE}")  # nosec B608
    s, day = table(Seizure), column(Seizure, "date")
    where, params = _ranges_sql(f"s.{day}", ranges)
    cursor.execute(  # nosec B608
        f"INSERT INTO {SCOPE} (id, month, sig, validated, day, place, dest) "  # nosec B608
        f"SELECT s.id, {month_sql(vendor, f's.{day}')}, {_signature_sql(vendor, Seizure, 's')}, "
        f"s.{column(Seizure, 'validation_status')} = %s, s.{day}, "
        + (f"s.{column(Seizure, 'place')}, s.{column(Seizure, 'destination_country')} "
           if with_rows else "NULL, NULL ")
        + f"FROM {s} s WHERE {where}",
        [Seizure.Validation.VALIDATED, *params])
    cursor.execute(f"ANALYZE {SCOPE}")


def _ranges_sql(expression: str, ranges: Sequence[Range] | None) -> tuple[str, list[Any]]:
    if ranges is None:
        return "1 = 1", []
    if not ranges:
        return "1 = 0", []
    return " OR ".join(f"{expression} BETWEEN %s AND %s" for _ in ranges), [
        d for r in ranges for d in r]


GROUP = "t.month, t.sig, t.validated"


def _join(connection: BaseDatabaseWrapper) -> str:
    """SQLite: CROSS JOIN keeps the (small) scope table the outer loop, whatever its guess of
    the tables' sizes; PostgreSQL plans from its statistics."""
    return "CROSS JOIN" if connection.vendor == "sqlite" else "JOIN"


def _grams(vendor: str, expression: str) -> str:
    if vendor == "postgresql":
        return f"ROUND({expression} * 1000)::bigint"
    return f"CAST(ROUND({expression} * 1000) AS integer)"


def _seizure_figures(connection: BaseDatabaseWrapper, cursor: Any, counter: Counter) -> None:
    """Counts and weights by seizure attribute, one GROUP BY each."""
    join = _join(connection)
    cursor.execute(f"SELECT {GROUP}, COUNT(*) FROM {SCOPE} t GROUP BY {GROUP}")  # nosec B608
    for month, sig, validated, n in cursor.fetchall():
        counter.add(month, sig, validated, "total", "", n)
        counter.add(month, sig, validated, "year", str(month // 100), n)
    simple = [
        ("place", "t.place", "", "COUNT(*)"),
        ("agency", "a.agency_id",
         f"{join} {table(Seizure.agencies.through)} a ON a.seizure_id = t.id", "COUNT(*)"),
        ("nationality", f"p.{column(Suspect, 'nationality')}",
         f"{join} {table(Suspect)} p ON p.{column(Suspect, 'seizure')} = t.id",
         f"COUNT(DISTINCT p.{column(Suspect, 'seizure')})"),
    ]
    for dimension, key, joins, counted in simple:
        cursor.execute(f"SELECT {GROUP}, {key}, {counted} FROM {SCOPE} t {joins} "  # nosec B608
                       f"GROUP BY {GROUP}, {key}")
        for month, sig, validated, value, n in cursor.fetchall():
            counter.add(month, sig, validated, dimension, _key(value), n)
    _item_figures(connection, cursor, counter)
    _flow_figures(cursor, counter)


def _item_figures(connection: BaseDatabaseWrapper, cursor: Any, counter: Counter) -> None:
    """Taxa and commodities from one pass over the items (streamed, added up here)."""
    i = table(SeizureItem)
    grams = _grams(connection.vendor, f"i.{column(SeizureItem, 'weight_kg')}")
    cursor.execute(  # nosec B608
        f"SELECT {GROUP}, i.{column(SeizureItem, 'seizure')}, i.{column(SeizureItem, 'taxon')}, "  # nosec B608
        f"i.{column(SeizureItem, 'commodity')}, {grams}, i.{column(SeizureItem, 'worked')} "
        f"FROM {SCOPE} t {_join(connection)} {i} i ON i.{column(SeizureItem, 'seizure')} = t.id "
        "ORDER BY t.id")
    current, seen = None, set[tuple[str, Any]]()  # a seizure counts once per taxon, commodity
    for month, sig, validated, seizure, taxon, commodity, weight, worked in _stream(cursor):
        if seizure != current:
            current, seen = seizure, set()
        for dimension, value in (("taxon", taxon), ("commodity", commodity)):
            first = (dimension, value) not in seen
            seen.add((dimension, value))
            counter.add(month, sig, validated, dimension, _key(value), int(first),
                        weight, weight is not None,
                        weight if worked and dimension == "commodity" else 0)


def _stream(cursor: Any) -> Iterator[Any]:
    """The rows in batches (iterating Django's cursor wraps every single row)."""
    while rows := cursor.fetchmany(5000):
        yield from rows


def _flow_figures(cursor: Any, counter: Counter) -> None:
    """Origin, transit, destination: one row per combination (as breakdowns.Flows)."""
    o, tr = table(OriginCountry), table(TransitCountry)
    dest = "t.dest"
    o_country, tr_country = (f"o.{column(OriginCountry, 'country')}",
                             f"tr.{column(TransitCountry, 'country')}")
    cursor.execute(  # nosec B608
        f"SELECT {GROUP}, {o_country}, {tr_country}, {dest}, COUNT(*) FROM {SCOPE} t "  # nosec B608
        f"LEFT JOIN {o} o ON o.{column(OriginCountry, 'seizure')} = t.id "
        f"LEFT JOIN {tr} tr ON tr.{column(TransitCountry, 'seizure')} = t.id "
        f"GROUP BY {GROUP}, {o_country}, {tr_country}, {dest}")
    for month, sig, validated, origin, transit, destination, n in cursor.fetchall():
        if origin is None and transit is None and destination is None:
            continue
        counter.add(month, sig, validated, "flow",
                    "|".join(_key(v) for v in (origin, transit, destination)), n)


LINKS = Case.seizures.through


def _case_signatures(connection: BaseDatabaseWrapper, cursor: Any, undated: bool
                     ) -> tuple[dict[int, str], set[int]]:
    """The visibility of every case linked to a counted seizure (and of undated cases)."""
    c, links = table(Case), table(LINKS)
    sig = _signature_sql(connection.vendor, Case, "c")
    join = _join(connection)
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {CASES} (id bigint PRIMARY KEY)")
    cursor.execute(f"DELETE FROM {CASES}")  # nosec B608
    cursor.execute(  # nosec B608
        f"INSERT INTO {CASES} (id) SELECT DISTINCT l.case_id FROM {SCOPE} t "  # nosec B608
        f"{join} {links} l ON l.seizure_id = t.id")
    cursor.execute(f"ANALYZE {CASES}")
    cursor.execute(  # nosec B608
        f"SELECT c.id, {sig} FROM {CASES} k {join} {c} c ON c.id = k.id")  # nosec B608
    found = {case_id: _canonical(raw) for case_id, raw in cursor.fetchall()}
    alone: set[int] = set()
    if undated:
        cursor.execute(  # nosec B608
            f"SELECT c.id, {sig} FROM {c} c WHERE NOT EXISTS "  # nosec B608
            f"(SELECT 1 FROM {links} l WHERE l.case_id = c.id)")
        for case_id, raw in cursor.fetchall():
            found[case_id] = _canonical(raw)
            alone.add(case_id)
    return found, alone


def _court_figures(cursor: Any, counter: Counter, case_sigs: dict[int, str], join: str
                   ) -> None:
    """Prosecution, conviction and days to the first verdict, by the cases' visibilities."""
    e, links = table(CaseEvent), table(LINKS)
    kind, outcome, day = (f"e.{column(CaseEvent, n)}" for n in ("kind", "outcome", "date"))
    kinds = sorted(str(k) for k in PROSECUTION_KINDS)
    marks = ", ".join(["%s"] * len(kinds))
    verdict = CaseEvent.Kind.VERDICT
    cursor.execute(  # nosec B608
        f"SELECT t.id, {GROUP}, t.day, l.case_id, "  # nosec B608
        f"MAX(CASE WHEN {kind} = %s AND {outcome} = %s THEN 1 ELSE 0 END), "
        f"MIN(CASE WHEN {kind} = %s THEN {day} END) "
        f"FROM {SCOPE} t {join} {links} l ON l.seizure_id = t.id "
        f"{join} {e} e ON e.{column(CaseEvent, 'case')} = l.case_id "
        f"WHERE {kind} IN ({marks}) GROUP BY t.id, {GROUP}, t.day, l.case_id",
        [verdict, CaseEvent.Outcome.CONVICTION, verdict, *kinds])
    seizures: dict[int, dict[str, Any]] = {}
    for seizure_id, month, sig, validated, seized, case_id, convicted, first in \
            cursor.fetchall():
        facts = seizures.setdefault(seizure_id, {
            "at": (month, sig, validated), "prosecuted": set(), "convicted": set(),
            "verdict": {}, "seized": _day(seized)})
        bucket = case_sigs[case_id]
        counter.case_signatures.add(bucket)
        facts["prosecuted"].add(bucket)
        if convicted:
            facts["convicted"].add(bucket)
        if first is not None:
            days = (_day(first) - facts["seized"]).days
            verdicts = facts["verdict"]
            verdicts[bucket] = min(days, verdicts.get(bucket, days))
    for facts in seizures.values():
        month, sig, validated = facts["at"]
        for dimension in ("prosecuted", "convicted"):
            if facts[dimension]:
                counter.add(month, sig, validated, dimension,
                            ";".join(sorted(facts[dimension])), 1)
        if facts["verdict"]:
            counter.add(month, sig, validated, "verdict", ";".join(
                f"{b}={d}" for b, d in sorted(facts["verdict"].items())), 1)


def _inside(ranges: Sequence[Range] | None) -> Callable[[date], bool]:
    """Whether a day falls in one of the (disjoint) ranges: a binary search."""
    if ranges is None:
        return lambda day: True
    ordered = sorted(ranges)
    starts = [a for a, _ in ordered]

    def inside(day: date) -> bool:
        i = bisect_right(starts, day) - 1
        return i >= 0 and day <= ordered[i][1]

    return inside


def _case_figures(cursor: Any, counter: Counter, case_sigs: dict[int, str],
                  ranges: Sequence[Range] | None, undated: set[int], join: str) -> None:
    """Cases by the month of their earliest linked seizure, and those with two agencies."""
    s, links, ca = table(Seizure), table(LINKS), table(CaseAgency)
    day = column(Seizure, "date")
    cursor.execute(  # nosec B608
        f"SELECT l.case_id, MIN(s.{day}) FROM {CASES} k {join} {links} l "  # nosec B608
        f"ON l.case_id = k.id {join} {s} s ON s.id = l.seizure_id GROUP BY l.case_id")
    months: dict[int, int] = {}
    inside = _inside(ranges)
    for case_id, first in cursor.fetchall():
        first_day = _day(first)
        if inside(first_day):
            months[case_id] = month_of(first_day)
    months.update(dict.fromkeys(undated, UNDATED))
    agency = column(CaseAgency, "agency")
    cursor.execute(  # nosec B608
        f"SELECT a.case_id FROM {CASES} k {join} {ca} a ON a.case_id = k.id "  # nosec B608
        "GROUP BY a.case_id "
        f"HAVING MIN(a.{agency}) < MAX(a.{agency})")
    several = {row[0] for row in cursor.fetchall()}
    if undated:
        several |= _interagency_undated(cursor)
    for case_id, month in months.items():
        counter.case_signatures.add(case_sigs[case_id])
        counter.add(month, case_sigs[case_id], False, "cases", "", 1)
        if case_id in several:
            counter.add(month, case_sigs[case_id], False, "interagency", "", 1)


def _interagency_undated(cursor: Any) -> set[int]:
    ca, links = table(CaseAgency), table(LINKS)
    agency = column(CaseAgency, "agency")
    cursor.execute(  # nosec B608
        f"SELECT a.case_id FROM {ca} a WHERE NOT EXISTS (SELECT 1 FROM {links} l "  # nosec B608
        f"WHERE l.case_id = a.case_id) GROUP BY a.case_id "
        f"HAVING MIN(a.{agency}) < MAX(a.{agency})")
    return {row[0] for row in cursor.fetchall()}
