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

``compute`` counts all of it from the records. The store also keeps each seizure's own
figures (indicators.own, the same queries grouped by seizure too) and what cases decide per
seizure and per case (indicators.facts), so that a write is counted by differences.
"""

# ruff: noqa: S608 - SQL text holds only names from model metadata and our own
# constants; every value is a query parameter (bandit: the nosec B608 markers).

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper

from kouprey.cases.models import Case, CaseAgency, CaseEvent
from kouprey.cases.services import NOT_COORDINATION, PROSECUTION_KINDS
from kouprey.indicators.models import UNDATED, SeizureCourt
from kouprey.seizures.models import OriginCountry, Seizure, SeizureItem, Suspect, TransitCountry

Range = tuple[date, date]  # both days included
TallyKey = tuple[int, str, bool, str, str]  # month, signature, validated, dimension, key
Tallies = dict[TallyKey, list[int]]  # seizures, weight_g, weighed, worked_g
At = tuple[int, str, bool, date]  # a seizure's month, signature, validated, date
SCOPE = "indicators_scope"  # the temporary table of the seizures being counted
CASES = "indicators_cases"  # and of the cases linked to them
MMAP_BYTES = 1 << 32  # SQLite caps it at its compile-time maximum (2 GiB on Debian)
RANDOM_PAGE_COST = "1.1"  # PostgreSQL while counting (_tuned_for_counting)
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

    def add_row(self, head: Sequence[Any], dimension: str, key: str,
                figures: Sequence[Any]) -> None:
        self.add(*head, dimension, key, *figures)

    def add(self, month: int, raw_sig: str, validated: Any, dimension: str, key: str,
            *figures: Any) -> None:
        row = self.rows[(month, self.sig(raw_sig), bool(validated), dimension, key)]
        for i, value in enumerate(figures):
            row[i] += int(value or 0)


def _key(value: Any) -> str:
    return "" if value is None else str(value)


@contextmanager
def _tuned_for_counting(connection: BaseDatabaseWrapper, cursor: Any) -> Iterator[None]:
    """SQLite: the database file memory-mapped while counting (pages read without a system
    call each: a month's recount reads tens of thousands of scattered rows); put back after.
    PostgreSQL: ``random_page_cost`` as for a database in memory (``RANDOM_PAGE_COST``, the
    admin guide's advice) while counting, so a few thousand seizures' links and cases are
    probed through their indexes instead of read whole (a range ending mid-month at 1M:
    the million case links scanned for 5,000 seizures; 0.7 -> 0.5 s); put back after.
    """
    if connection.vendor == "postgresql":
        with _setting(cursor, "random_page_cost", RANDOM_PAGE_COST):
            yield
        return
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


@contextmanager
def _setting(cursor: Any, name: str, value: str) -> Iterator[None]:
    """PostgreSQL: the session's setting ``name`` at ``value`` inside, as before after (in a
    transaction that failed, its rollback puts it back)."""
    cursor.execute("SELECT current_setting(%s)", [name])
    before = cursor.fetchone()[0]
    cursor.execute("SELECT set_config(%s, %s, false)", [name, value])
    try:
        yield
    finally:
        with suppress(DatabaseError):
            cursor.execute("SELECT set_config(%s, %s, false)", [name, before])


@dataclass(frozen=True)
class Court:
    """What a seizure's cases decide: the signatures of its prosecuted and convicted linked
    cases, and per case signature the day of the first verdict (all sorted)."""

    prosecuted: tuple[str, ...] = ()
    convicted: tuple[str, ...] = ()
    verdicts: tuple[tuple[str, date], ...] = ()

    def texts(self) -> tuple[str, str, str]:
        return (";".join(self.prosecuted), ";".join(self.convicted),
                ";".join(f"{b}={d.isoformat()}" for b, d in self.verdicts))

    @classmethod
    @lru_cache(maxsize=65536)
    def of(cls, prosecuted: str, convicted: str, verdicts: str) -> Court:
        return cls(tuple(p for p in prosecuted.split(";") if p),
                   tuple(c for c in convicted.split(";") if c),
                   tuple((b, _day(d)) for b, d in (v.rsplit("=", 1)
                                                    for v in verdicts.split(";") if v)))

    def signatures(self) -> set[str]:
        return {*self.prosecuted, *self.convicted, *(b for b, _ in self.verdicts)}

    def add_to(self, counter: Counter, at: At, sign: int = 1) -> None:
        """The seizure's ``prosecuted``, ``convicted`` and ``verdict`` rows (``sign`` -1:
        taken away). A reader counts a row when it sees one of the signatures of its key."""
        month, sig, validated, day = at
        counter.case_signatures |= self.signatures()
        for dimension, sigs in (("prosecuted", self.prosecuted), ("convicted", self.convicted)):
            if sigs:
                counter.add(month, sig, validated, dimension, ";".join(sigs), sign)
        if self.verdicts:
            counter.add(month, sig, validated, "verdict", ";".join(
                f"{b}={(d - day).days}" for b, d in self.verdicts), sign)


@dataclass(frozen=True)
class CaseCount:
    """A case as counted: the month of its earliest linked seizure (0: none), its own
    signature, and whether two distinct agencies took part."""

    month: int
    sig: str
    interagency: bool

    def add_to(self, counter: Counter, sign: int = 1) -> None:
        counter.case_signatures.add(self.sig)
        counter.add(self.month, self.sig, False, "cases", "", sign)
        if self.interagency:
            counter.add(self.month, self.sig, False, "interagency", "", sign)


Kept = tuple[int, int, bool, date]  # a SeizureCourt's month, bucket id, validated, day


@dataclass
class Computed:
    rows: Tallies
    signatures: set[str]  # every visibility the rows name (as a bucket or inside a key)
    court: dict[int, tuple[At, Court]] = field(default_factory=dict)  # by seizure id
    cases: dict[int, CaseCount] = field(default_factory=dict)  # by case id
    kept: dict[int, Kept] = field(default_factory=dict)  # kept_court: the facts as kept
    gone: list[int] = field(default_factory=list)  # kept_court: facts of seizures gone


def compute(connection: BaseDatabaseWrapper, ranges: Sequence[Range] | None,
            undated_cases: bool) -> Computed:
    """The tallies of the seizures dated in ``ranges`` (None: every seizure), and of the cases
    whose earliest linked seizure is; ``undated_cases`` adds the cases without seizures."""
    counter = Counter()
    with scope(connection, _ranges_sql(f"s.{column(Seizure, 'date')}", ranges)) as cursor:
        found = _counted(connection, cursor, counter, ranges, undated_cases)
    found.rows = dict(counter.rows)
    found.signatures = set(counter.signatures.values()) | counter.case_signatures
    return found


def _counted(connection: BaseDatabaseWrapper, cursor: Any, counter: Counter,
             ranges: Sequence[Range] | None, undated_cases: bool) -> Computed:
    _seizure_figures(connection, cursor, counter.add_row)
    found = Computed({}, set())
    found.court = court_records(connection, cursor)
    c, links = table(Case), table(LINKS)
    undated = (f" UNION SELECT c.id FROM {c} c WHERE NOT EXISTS "  # nosec B608
               f"(SELECT 1 FROM {links} l WHERE l.case_id = c.id)") if undated_cases else ""
    _fill_cases(connection, cursor, f"SELECT DISTINCT l.case_id FROM {SCOPE} t "  # nosec B608
                f"{_join(connection)} {links} l ON l.seizure_id = t.id{undated}")
    found.cases = case_records(connection, cursor, ranges)
    for at, court in found.court.values():
        court.add_to(counter, at)
    for case in found.cases.values():
        case.add_to(counter)
    return found


def _empty(cursor: Any, name: str) -> None:
    """Empty a temporary table. PostgreSQL: TRUNCATE, as no autovacuum ever cleans a
    temporary table and a session's thousands of deleted rows would slow every pass."""
    if cursor.db.vendor == "postgresql":
        cursor.execute(f"TRUNCATE {name}")
    else:
        cursor.execute(f"DELETE FROM {name}")  # nosec B608


def fill_ids(cursor: Any, name: str, ids: Iterable[int]) -> None:
    """A temporary table ``name`` (id) holding ``ids``."""
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} (id bigint PRIMARY KEY)")
    _empty(cursor, name)
    cursor.executemany(f"INSERT INTO {name} (id) VALUES (%s)", [(i,) for i in sorted(ids)])  # nosec B608
    cursor.execute(f"ANALYZE {name}")


def _fill_scope(connection: BaseDatabaseWrapper, cursor: Any,
                where: tuple[str, list[Any]], buckets: str | None = None) -> None:
    """The seizures counted (``where``: a condition on the seizures ``s``, its parameters);
    ``buckets``: a table (raw, bucket) giving the bucket of a signature as written here (a
    full rebuild's, own.Sums; seizures of a signature not in it have no bucket yet)."""
    vendor = connection.vendor
    temp = "TEMPORARY TABLE IF NOT EXISTS"
    # SQLite: the id is the rowid, so the scope is read in id order and a count grouped by
    # seizure (own.Sums) streams through it instead of sorting its rows.
    key = "integer" if vendor == "sqlite" else "bigint"
    cursor.execute(f"CREATE {temp} {SCOPE} (id {key} PRIMARY KEY, month integer, "
                   "sig varchar(400), validated boolean, day date, place bigint, dest bigint, "
                   "bucket bigint)")
    _empty(cursor, SCOPE)
    s, day = table(Seizure), column(Seizure, "date")
    select = (  # nosec B608
        f"SELECT s.id, {month_sql(vendor, f's.{day}')} AS month, "  # nosec B608
        f"{_signature_sql(vendor, Seizure, 's')} AS sig, "
        f"s.{column(Seizure, 'validation_status')} = %s AS validated, s.{day} AS day, "
        f"s.{column(Seizure, 'place')} AS place, s.{column(Seizure, 'destination_country')} "
        f"AS dest FROM {s} s WHERE {where[0]}")
    columns = "id, month, sig, validated, day, place, dest"
    if buckets is not None:
        columns += ", bucket"
        select = (f"SELECT x.*, (SELECT m.bucket FROM {buckets} m WHERE m.raw = x.sig) "  # nosec B608
                  f"FROM ({select}) x")
    cursor.execute(f"INSERT INTO {SCOPE} ({columns}) {select}",  # nosec B608
                   [Seizure.Validation.VALIDATED, *where[1]])
    cursor.execute(f"ANALYZE {SCOPE}")


@contextmanager
def scope(connection: BaseDatabaseWrapper, where: tuple[str, list[Any]],
          buckets: str | None = None) -> Iterator[Any]:
    """The scope table filled with the seizures ``s`` matching ``where`` (a cursor on it)."""
    with connection.cursor() as cursor, _tuned_for_counting(connection, cursor):
        _fill_scope(connection, cursor, where, buckets)
        try:
            yield cursor
        finally:
            _empty(cursor, SCOPE)


def scope_of(connection: BaseDatabaseWrapper, ids_table: str) -> Any:
    """The scope table filled with the seizures listed in ``ids_table``."""
    return scope(connection, (f"s.id IN (SELECT id FROM {ids_table})", []))  # nosec B608


def in_ranges(ranges: Sequence[Range]) -> tuple[str, list[Any]]:
    return _ranges_sql(f"s.{column(Seizure, 'date')}", ranges)


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


Add = Callable[[Sequence[Any], str, str, Sequence[Any]], None]
FIGURE_COLUMNS = ("dimension", "key", "seizures", "weight_g", "weighed", "worked_g")
SCOPE_ONLY = 3  # the first figure_selects (total, year, place) read the scope table alone


def _text(vendor: str, expression: str) -> str:
    """A key as text, as ``_key`` writes it: '' for none."""
    if vendor == "postgresql":
        return f"COALESCE(({expression})::text, '')"
    return f"COALESCE(CAST({expression} AS text), '')"


def figure_selects(connection: BaseDatabaseWrapper, group: str = GROUP,
                   within: tuple[int, int] | None = None) -> list[str]:
    """The queries of the seizure figures over the scope table, one GROUP BY each, grouped
    by ``group`` (the scope's month, signature, validated; or also its id: each seizure's
    own figures). Each row: the group's values, then FIGURE_COLUMNS (the key as text).
    Counted alike by a month's recount, a seizure's (indicators.own) and a full rebuild,
    which inserts their rows in the database (own.Sums). ``within``: the lowest and highest
    seizure id of the scope (a full rebuild's chunk), so the rows of the seizures' tables
    are read as one range of their seizure index (PostgreSQL otherwise hashes whole tables
    for a chunk of 50,000)."""
    vendor, join = connection.vendor, _join(connection)

    def on(alias: str, name: str) -> str:
        return _on(alias, name, within)

    zeros = "0, 0, 0"
    selects = [
        f"SELECT {group}, 'total', '', COUNT(*), {zeros} FROM {SCOPE} t GROUP BY {group}",  # nosec B608
        f"SELECT {group}, 'year', {_text(vendor, 't.month / 100')}, COUNT(*), {zeros} "  # nosec B608
        f"FROM {SCOPE} t GROUP BY {group}",
    ]
    simple = [
        ("place", "t.place", "", "COUNT(*)"),
        ("agency", "a.agency_id",
         f"{join} {table(Seizure.agencies.through)} a ON {on('a', 'seizure_id')}", "COUNT(*)"),
        ("nationality", f"p.{column(Suspect, 'nationality')}",
         f"{join} {table(Suspect)} p ON {on('p', column(Suspect, 'seizure'))}",
         f"COUNT(DISTINCT p.{column(Suspect, 'seizure')})"),
    ]
    selects += [f"SELECT {group}, '{dimension}', {_text(vendor, key)}, {counted}, {zeros} "  # nosec B608
                f"FROM {SCOPE} t {joins} GROUP BY {group}, {key}"
                for dimension, key, joins, counted in simple]
    return [*selects, _item_select(connection, group, within),
            _flow_select(vendor, group, within)]


def _on(alias: str, name: str, within: tuple[int, int] | None) -> str:
    """A seizure's rows joined to the scope (``within``: see figure_selects)."""
    joined = f"{alias}.{name} = t.id"
    if within is None:
        return joined
    return f"{joined} AND {alias}.{name} BETWEEN {int(within[0])} AND {int(within[1])}"


def _seizure_figures(connection: BaseDatabaseWrapper, cursor: Any, add: Add,
                     group: str = GROUP) -> None:
    """Counts and weights by seizure attribute (``figure_selects``): each row goes to
    ``add(group values, dimension, key, figures)``."""
    width = group.count(",") + 1
    for select in figure_selects(connection, group):
        cursor.execute(select)
        for row in _stream(cursor):
            add(row[:width], row[width], row[width + 1], row[width + 2:])


def _item_select(connection: BaseDatabaseWrapper, group: str,
                 within: tuple[int, int] | None) -> str:
    """Taxa and commodities from one pass over the items (a materialized CTE) grouped twice:
    seizures counted once per taxon (commodity), the items' grams, how many are weighed,
    and the grams of worked items (commodities)."""
    i, vendor = table(SeizureItem), connection.vendor
    grams = _grams(vendor, f"i.{column(SeizureItem, 'weight_kg')}")
    keys = {"taxon": column(SeizureItem, "taxon"), "commodity": column(SeizureItem, "commodity")}
    passes = " UNION ALL ".join(
        f"SELECT {group}, '{dimension}', {_text(vendor, f't.{key}')}, "  # nosec B608
        f"COUNT(DISTINCT t.seizure), COALESCE(SUM(t.g), 0), COUNT(t.g), {worked} "
        f"FROM x t GROUP BY {group}, t.{key}"
        for dimension, key, worked in (
            ("taxon", keys["taxon"], "0"),
            ("commodity", keys["commodity"],
             "COALESCE(SUM(CASE WHEN t.worked THEN t.g ELSE 0 END), 0)")))
    return (  # nosec B608
        f"WITH x AS MATERIALIZED (SELECT {group}, i.{column(SeizureItem, 'seizure')} AS seizure, "  # nosec B608
        f"i.{keys['taxon']}, i.{keys['commodity']}, {grams} AS g, "
        f"i.{column(SeizureItem, 'worked')} AS worked FROM {SCOPE} t {_join(connection)} {i} i "
        f"ON {_on('i', column(SeizureItem, 'seizure'), within)}) {passes}")


def _stream(cursor: Any) -> Iterator[Any]:
    """The rows in batches (iterating Django's cursor wraps every single row)."""
    while rows := cursor.fetchmany(5000):
        yield from rows


def _flow_select(vendor: str, group: str, within: tuple[int, int] | None) -> str:
    """Origin, transit, destination: one row per combination (as breakdowns.Flows), keyed
    ``origin|transit|destination``; seizures with none of the three have no row."""
    o, tr = table(OriginCountry), table(TransitCountry)
    origin, transit, dest = (f"o.{column(OriginCountry, 'country')}",
                             f"tr.{column(TransitCountry, 'country')}", "t.dest")
    key = " || '|' || ".join(_text(vendor, v) for v in (origin, transit, dest))
    return (  # nosec B608
        f"SELECT {group}, 'flow', {key}, COUNT(*), 0, 0, 0 FROM {SCOPE} t "  # nosec B608
        f"LEFT JOIN {o} o ON {_on('o', column(OriginCountry, 'seizure'), within)} "
        f"LEFT JOIN {tr} tr ON {_on('tr', column(TransitCountry, 'seizure'), within)} "
        f"WHERE {origin} IS NOT NULL OR {transit} IS NOT NULL OR {dest} IS NOT NULL "
        f"GROUP BY {group}, {origin}, {transit}, {dest}")


LINKS = Case.seizures.through


def _fill_cases(connection: BaseDatabaseWrapper, cursor: Any, ids_sql: str) -> None:
    """The temporary table of the cases counted (``ids_sql`` selects their ids)."""
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {CASES} (id bigint PRIMARY KEY)")
    _empty(cursor, CASES)
    cursor.execute(f"INSERT INTO {CASES} (id) {ids_sql}")  # nosec B608
    cursor.execute(f"ANALYZE {CASES}")


def fill_cases_of(connection: BaseDatabaseWrapper, cursor: Any, ids_table: str) -> None:
    """The cases table filled with the cases (still existing) listed in ``ids_table``."""
    _fill_cases(connection, cursor, f"SELECT c.id FROM {table(Case)} c "  # nosec B608
                f"WHERE c.id IN (SELECT id FROM {ids_table})")


def court_records(connection: BaseDatabaseWrapper, cursor: Any,
                  within: tuple[int, int] | None = None) -> dict[int, tuple[At, Court]]:
    """What cases decide for the seizures of the scope table, from the records: per seizure
    with a prosecuted linked case (``within``: as for figure_selects)."""
    e, links, c = table(CaseEvent), table(LINKS), table(Case)
    kind, outcome, day = (f"e.{column(CaseEvent, n)}" for n in ("kind", "outcome", "date"))
    kinds = sorted(str(k) for k in PROSECUTION_KINDS)
    marks = ", ".join(["%s"] * len(kinds))
    verdict, join = CaseEvent.Kind.VERDICT, _join(connection)
    cursor.execute(  # nosec B608
        f"SELECT x.*, {_signature_sql(connection.vendor, Case, 'c')} FROM ("  # nosec B608
        f"SELECT t.id, {GROUP}, t.day, l.case_id, "
        f"MAX(CASE WHEN {kind} = %s AND {outcome} = %s THEN 1 ELSE 0 END) AS convicted, "
        f"MIN(CASE WHEN {kind} = %s THEN {day} END) AS first "
        f"FROM {SCOPE} t {join} {links} l ON {_on('l', 'seizure_id', within)} "
        f"{join} {e} e ON e.{column(CaseEvent, 'case')} = l.case_id "
        f"WHERE {kind} IN ({marks}) GROUP BY t.id, {GROUP}, t.day, l.case_id"
        f") x {join} {c} c ON c.id = x.case_id",
        [verdict, CaseEvent.Outcome.CONVICTION, verdict, *kinds])
    seizures: dict[int, dict[str, Any]] = {}
    for seizure_id, month, sig, validated, seized, _case, convicted, first, raw in \
            cursor.fetchall():
        facts = seizures.get(seizure_id)
        if facts is None:  # (a full rebuild reads ~25,000 rows per 50,000 seizures)
            facts = seizures[seizure_id] = {
                "at": (month, _canonical(sig), bool(validated), _day(seized)),
                "prosecuted": set(), "convicted": set(), "verdict": {}}
        bucket = _canonical(raw)
        facts["prosecuted"].add(bucket)
        if convicted:
            facts["convicted"].add(bucket)
        if first is not None:
            verdicts = facts["verdict"]
            verdicts[bucket] = min(_day(first), verdicts.get(bucket, _day(first)))
    return {seizure_id: (facts["at"], Court(
        tuple(sorted(facts["prosecuted"])), tuple(sorted(facts["convicted"])),
        tuple(sorted(facts["verdict"].items())))) for seizure_id, facts in seizures.items()}


def kept_court(connection: BaseDatabaseWrapper, cursor: Any, months: set[int]
                ) -> tuple[dict[int, tuple[At, Court]], dict[int, Kept], list[int]]:
    """What cases decide for the seizures of the scope table (whole ``months``), from the
    kept facts; the facts as kept; and the facts of those months whose seizure is gone."""
    f = table(SeizureCourt)
    cursor.execute(  # nosec B608
        f"SELECT t.id, {GROUP}, t.day, f.prosecuted, f.convicted, f.verdicts, "  # nosec B608
        f"f.month, f.bucket_id, f.validated, f.day "
        f"FROM {SCOPE} t {_join(connection)} {f} f ON f.seizure_id = t.id "
        # PostgreSQL: probe the facts' key for the scope's ids (its statistics may make it
        # hash the whole table instead).
        + (f"WHERE f.seizure_id = ANY(ARRAY(SELECT id FROM {SCOPE}))"  # nosec B608
           if connection.vendor == "postgresql" else ""))
    court, kept = {}, {}
    for sid, month, sig, validated, day, pro, con, ver, *stored in cursor.fetchall():
        court[sid] = ((month, _canonical(sig), bool(validated), _day(day)),
                      Court.of(pro, con, ver))
        kept[sid] = (stored[0], stored[1], bool(stored[2]), _day(stored[3]))
    gone: list[int] = []
    if months:
        cursor.execute(  # nosec B608
            f"SELECT f.seizure_id FROM {f} f WHERE f.month IN "  # nosec B608
            f"({', '.join(['%s'] * len(months))}) AND NOT EXISTS "
            f"(SELECT 1 FROM {SCOPE} t WHERE t.id = f.seizure_id)", sorted(months))
        gone = [row[0] for row in cursor.fetchall()]
    return court, kept, gone


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


def case_records(connection: BaseDatabaseWrapper, cursor: Any,
                 ranges: Sequence[Range] | None) -> dict[int, CaseCount]:
    """The cases of the cases table, from the records: those whose earliest linked seizure
    falls in ``ranges`` (None: any) by its month, those without any seizure in month 0."""
    s, links, ca, c = table(Seizure), table(LINKS), table(CaseAgency), table(Case)
    join, day = _join(connection), column(Seizure, "date")
    cursor.execute(  # nosec B608
        f"SELECT c.id, {_signature_sql(connection.vendor, Case, 'c')} FROM {CASES} k "  # nosec B608
        f"{join} {c} c ON c.id = k.id")
    sigs = {case_id: _canonical(raw) for case_id, raw in cursor.fetchall()}
    cursor.execute(  # nosec B608
        f"SELECT l.case_id, MIN(s.{day}) FROM {CASES} k {join} {links} l "  # nosec B608
        f"ON l.case_id = k.id {join} {s} s ON s.id = l.seizure_id GROUP BY l.case_id")
    months = dict.fromkeys(sigs, UNDATED)
    inside = _inside(ranges)
    for case_id, first in cursor.fetchall():
        first_day = _day(first)
        if inside(first_day):
            months[case_id] = month_of(first_day)
        else:
            del months[case_id]
    agency, role = column(CaseAgency, "agency"), column(CaseAgency, "role")
    outside = sorted(str(r) for r in NOT_COORDINATION)
    cursor.execute(  # nosec B608
        f"SELECT a.case_id FROM {CASES} k {join} {ca} a ON a.case_id = k.id "  # nosec B608
        f"WHERE a.{role} NOT IN ({', '.join(['%s'] * len(outside))}) "
        f"GROUP BY a.case_id HAVING MIN(a.{agency}) < MAX(a.{agency})", outside)
    several = {row[0] for row in cursor.fetchall()}
    return {case_id: CaseCount(month, sigs[case_id], case_id in several)
            for case_id, month in months.items()}
