"""Full-text search over ``search_text`` and ``search_refs``, one code path for SQLite and
PostgreSQL.

SQLite: an FTS5 table with the trigram tokenizer (created by a migration) finds any run of
three or more characters, so a Khmer word inside a sentence without spaces is found.
PostgreSQL: a pg_trgm GIN index serves ``search_text ILIKE '%word%'`` (``contains_sql``).
Shorter queries fall back to a plain substring match on SQLite. Reference rows (places,
commodities, taxa, agencies) are tokens in ``search_refs``; each word is looked up in the
reference tables first (``reference.words``, ``Term``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

import django_filters as df
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet
from django.db.models.expressions import RawSQL

from kouprey.reference import words

SEARCH_COLUMNS = ("search_text", "search_refs")  # a record's own words; reference tokens


def fts_table(model: Any) -> str:
    return f"{model._meta.db_table}_fts"  # noqa: SLF001


def contains_pattern(word: str) -> str:
    """A LIKE pattern matching ``word`` anywhere, its ``%``, ``_`` and ``\\`` literal."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# SQLite: words found in at least this share of the newest records are checked on each row
# instead of listing their FTS matches (below).
BROAD_SHARE = 0.1

CONTAINS_FUNCTION = "kouprey_contains"  # SQLite: registered on every new connection
REFS_FUNCTION = "kouprey_any_ref"  # likewise


def contains_folded(text: str | None, word: str | None) -> bool:
    """``word`` inside ``text``, every letter's case folded (as the FTS index folds them).

    SQLite's ``LIKE`` folds the case of ASCII letters only: "trần" would miss "TRẦN"."""
    if not text or not word:
        return False
    return word.casefold() in text.casefold()


@lru_cache(maxsize=64)
def _token_set(tokens: str) -> frozenset[str]:
    return frozenset(tokens.split())


def any_token(refs: str | None, tokens: str | None) -> bool:
    """Whether ``refs`` (a ``search_refs``) holds any of the space-separated ``tokens``."""
    if not refs or not tokens:
        return False
    wanted = _token_set(tokens)
    return any(t in wanted for t in refs.split())


def register_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: SQLite gets ``kouprey_contains(text, word)`` and
    ``kouprey_any_ref(refs, tokens)``."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(CONTAINS_FUNCTION, 2, contains_folded,
                                              deterministic=True)
        connection.connection.create_function(REFS_FUNCTION, 2, any_token,
                                              deterministic=True)


def _folds_beyond_ascii(word: str) -> bool:
    return any(not c.isascii() and c.lower() != c.upper() for c in word)


def contains_sql(column: str, vendor: str, word: str) -> tuple[str, list[str]]:
    """SQL true when ``word`` is inside ``column``, case folded: ``ILIKE`` on PostgreSQL
    (which a pg_trgm GIN index serves; Django's ``icontains`` is ``UPPER() LIKE UPPER()``,
    which it cannot); on SQLite ``LIKE``, or for a word with non-ASCII letters that have a
    case (Vietnamese, accented Latin) the folding function, since ``LIKE`` folds ASCII only.
    The one rule for every search condition: the records' texts and the reference names."""
    if vendor == "postgresql":
        return f"{column} ILIKE %s", [contains_pattern(word)]
    if vendor == "sqlite" and _folds_beyond_ascii(word):
        return f"{CONTAINS_FUNCTION}({column}, %s)", [word]
    return f"{column} LIKE %s ESCAPE '\\'", [contains_pattern(word)]


# SQLite: more tokens than this are looked for with one call per row (``any_token``), not
# one LIKE each (a two-letter word can stand for hundreds of places).
MANY_TOKENS = 8


def token_sql(column: str, vendor: str, token: str) -> tuple[str, list[str]]:
    """SQL true when ``column`` (a ``search_refs``) holds ``token``. A token is written
    exactly as it is looked for, so PostgreSQL takes a case-sensitive ``LIKE`` (which its
    trigram index serves too): at 1M an exact count of "pangolin" (nine tokens) took 2.7 s
    with ``ILIKE``, which folds the case of the column again for each token, 1.4 s so."""
    if vendor == "postgresql":
        return f"{column} LIKE %s", [contains_pattern(token)]
    return contains_sql(column, vendor, token)


def tokens_sql(column: str, vendor: str, tokens: tuple[str, ...]) -> tuple[str, list[str]]:
    """SQL true when ``column`` (a ``search_refs``) holds any of ``tokens``."""
    if vendor == "sqlite" and len(tokens) > MANY_TOKENS:
        return f"{REFS_FUNCTION}({column}, %s)", [" ".join(tokens)]
    parts = [token_sql(column, vendor, t) for t in tokens]
    return " OR ".join(c for c, _ in parts), [p for _, ps in parts for p in ps]


@dataclass(frozen=True)
class Term:
    """A word searched for, with the tokens (``reference.words``) of the reference rows whose
    names contain it: a record matches when its own words (``search_text``) hold the word or
    its reference tokens (``search_refs``) hold any of the tokens."""

    word: str
    tokens: tuple[str, ...] = ()

    def sql(self, text: str, refs: str, vendor: str) -> tuple[str, list[str]]:
        """The condition on the columns ``text`` and ``refs`` (their SQL)."""
        sql, params = contains_sql(text, vendor, self.word)
        if self.tokens:
            more_sql, more = tokens_sql(refs, vendor, self.tokens)
            sql, params = f"{sql} OR {more_sql}", [*params, *more]
        return f"({sql})", params

    def fts(self) -> str:
        """The FTS5 query for this term, every string quoted (no FTS syntax from input)."""
        quoted = [f"search_text : {_quoted(self.word)}",
                  *(f"search_refs : {_quoted(t)}" for t in self.tokens)]
        return "(" + " OR ".join(quoted) + ")"

    def q(self) -> Q:
        """The same condition for a queryset of records."""
        return Q(Condition(F("search_text"), F("search_refs"), build=self.sql))


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class Condition(Func):
    """A boolean expression over columns, its SQL from ``build(*columns' SQL, vendor)``:
    one column (a plain one or an expression such as a place's code, which ``build`` puts
    before its own parameters), or several plain ones."""

    output_field = BooleanField()

    def __init__(self, *expressions: Any, build: Any) -> None:
        super().__init__(*expressions)
        self.build = build

    def as_sql(self, compiler: Any, connection: Any, function: str | None = None,
               template: str | None = None, arg_joiner: str | None = None,
               **extra_context: Any) -> Any:
        compiled = [compiler.compile(e) for e in self.source_expressions]
        sql, params = self.build(*(c for c, _ in compiled), connection.vendor)
        if len(compiled) == 1:  # one column, first in ``build``'s SQL: its parameters first
            return sql, [*compiled[0][1], *params]
        assert not any(p for _, p in compiled)  # noqa: S101 - several: plain columns  # nosec B101
        return sql, params


def tokens_matching(word: str) -> tuple[str, ...]:
    """The tokens of every reference row with a searched name containing ``word``, read
    from the reference tables on each search (a few hundred rows: fresh after any rename)."""
    found: list[str] = []
    for kind, (_label, fields) in words.KINDS.items():
        condition = Q()
        for field in fields:
            condition |= Q(Condition(F(field), build=partial(contains_sql, word=word)))
        pks = words.searchable(kind).filter(condition).values_list("pk", flat=True)
        found += [words.token(kind, pk) for pk in sorted(pks)]
    return tuple(found)


PHRASE = re.compile(r'"([^"]*)"|(\S+)')


# Zero-width space: Khmer keyboards put it between words, and Python does not count it as a
# space, so "ភ្លុក<ZWSP>ដំរី" was searched as one word, found only in text typed the same way.
ZERO_WIDTH_SPACE = "\u200b"


def query_parts(query: str) -> list[tuple[str, bool]]:
    """(word, whether it was in double quotes) for each word of a search (``query_words``);
    a zero-width space separates words as a space does."""
    found = []
    for quoted, plain in PHRASE.findall(query.replace(ZERO_WIDTH_SPACE, " ")):
        word = " ".join(quoted.split()) if quoted else plain.replace('"', "")
        if word:
            found.append((word, bool(quoted)))
    return found


def query_words(query: str) -> list[str]:
    """The words of a search; text in double quotes is one word, spaces and all (``"Vo Van
    Gia"`` finds that name, not every record holding "vo", "van" and "gia" somewhere). A
    quote without its pair is ignored. Every word, function words included: what is
    searched for is ``searched_words``."""
    return [word for word, _quoted in query_parts(query)]


# Function words: left out of a search typed as a phrase ("ivory at the port", "ភ្លុក នៅ
# កំពង់ផែ"), which would otherwise find only the records that also hold "at" and "the" (or
# none: "នៅ" is in almost no record). Short and conservative: words that only join others,
# never something a user looks for on its own. Compared case-folded; a word in double
# quotes is always searched (a phrase is exact), and so is a query of function words only.
FUNCTION_WORDS = frozenset({
    # English
    "a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "the", "to", "with",
    # Khmer (typed between spaces; inside a word they are letters of it and stay)
    "នៅ",  # at, in (also "still", "to stay")
    "និង",  # and
    "ក្នុង",  # in, inside
    "ពី",  # from ("two" is another word, ពីរ)
    "ទៅ",  # to (also the verb "to go", never a search on its own)
    "របស់",  # of, belonging to (also "thing": too vague to search for)
    "ដែល",  # which, that, who
    "នេះ",  # this
    "នោះ",  # that
    "បាន",  # past-tense marker, "got", "could"
    "ឬ",  # or (as a word of its own; ឬស្សី, bamboo, is another word)
    "ដល់",  # to, until, reaching
    "លើ",  # on, above (place names with it, "upper", are written joined: ភូមិលើ)
    # Not listed: ជា, "to be, as", is also the common family name Chea, searched for in
    # suspects' and defendants' names ("ជា សុខា").
})


def searched_words(query: str) -> tuple[list[str], list[str]]:
    """(the words searched for, the function words left out) of a search: its words
    (``query_words``) but for the unquoted ``FUNCTION_WORDS`` when some other word remains;
    each word left out named once, as first typed. Leaving a word out never finds fewer
    records: a record found with it holds every other word too."""
    parts = query_parts(query)

    def is_function_word(word: str, quoted: bool) -> bool:
        return not quoted and word.casefold() in FUNCTION_WORDS

    searched = [word for word, quoted in parts if not is_function_word(word, quoted)]
    if not searched:  # function words only ("at the"): searched all the same
        return [word for word, _quoted in parts], []
    left_out: dict[str, str] = {}
    for word, quoted in parts:
        if is_function_word(word, quoted):
            left_out.setdefault(word.casefold(), word)
    return searched, list(left_out.values())


def ignored_words(query: str) -> list[str]:
    """The function words a search leaves out (``searched_words``): lists name them."""
    return searched_words(query)[1]


def terms(query: str) -> list[Term]:
    """The terms of a search: its searched words (``searched_words``) and their tokens."""
    return [Term(w, tokens_matching(w)) for w in searched_words(query)[0]]


def _contains_every(queryset: QuerySet[Any], found: list[Term]) -> QuerySet[Any]:
    """Each term checked on each row (``Term.q``)."""
    for term in found:
        queryset = queryset.filter(term.q())
    return queryset


def search(queryset: QuerySet[Any], query: str, stops_early: bool = True) -> QuerySet[Any]:
    """Records whose search text contains every word of ``query`` (but function words such
    as "at", "the" or "នៅ" beside other words: ``searched_words``): in their own words, or
    as a token of a reference row whose names contain it (``reference.words``).

    SQLite: ``id IN (FTS matches)`` reads every match before the list can sort or count
    them, which for a word in half the records (450,000 at 1M) is most of a second. So when
    the words are common (in at least ``BROAD_SHARE`` of the newest records, a sample read
    in ~5 ms: ``share_of_newest``) they are checked on each row (``LIKE``) while the list
    walks its own index (by date) and stops at the page or at the count's limit
    (``lists.COUNT_LIMIT``), finding a match every few rows. (Counting the FTS matches up to
    a limit decided the same, but cost 40-65 ms for a common word at 1M.) Short words
    (under 3 characters, which the trigram index cannot find) are always checked on each
    row. When the caller reads every match anyway (an exact count, a download:
    ``stops_early=False``) the FTS matches are listed however common. Either way the same
    records are found; only the plan differs. PostgreSQL checks each term on each row
    (``ILIKE`` for the word, ``LIKE`` for its tokens), which its trigram index serves.
    """
    found = terms(query)
    if not found:
        return queryset
    if connection.vendor == "sqlite" and all(len(t.word) >= 3 for t in found):
        if stops_early and share_of_newest(queryset.model, found) >= BROAD_SHARE:
            return _contains_every(queryset, found)
        table = fts_table(queryset.model)
        sql = f"SELECT rowid FROM {table} WHERE {table} MATCH %s"  # noqa: S608  # nosec B608 B611
        fts_query = " AND ".join(t.fts() for t in found)
        matches = RawSQL(sql, [fts_query])  # noqa: S611 - only the search is input  # nosec B608 B611
        return queryset.filter(pk__in=matches)
    return _contains_every(queryset, found)


SAMPLE_ROWS = 1000  # newest records read to judge how common the words are


def share_of_newest(model: Any, found: list[Term]) -> float:
    """The share of the ``SAMPLE_ROWS`` newest records (the model's default order: what a
    list walking its date index reads first) that contain every term; a table smaller than
    the sample counts as if the missing rows did not match (a walk over it ends soon
    anyway). Read from a derived table, which the full-text index cannot serve, so it costs
    those rows only (~5 ms on SQLite, ~10-15 ms on PostgreSQL at 1M). Only chooses a plan:
    never what is found."""
    newest = model._base_manager.order_by(*model._meta.ordering).values(  # noqa: SLF001
        *SEARCH_COLUMNS)[:SAMPLE_ROWS]
    sql, params = newest.query.sql_with_params()
    conditions = [t.sql("newest.search_text", "newest.search_refs", connection.vendor)
                  for t in found]
    where = " AND ".join(c for c, _ in conditions)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) newest WHERE {where}",  # noqa: S608  # nosec B608
                       [*params, *(p for _, ps in conditions for p in ps)])
        return int(cursor.fetchone()[0]) / SAMPLE_ROWS


def share_on_postgres(model: Any, query: str) -> float | None:
    """PostgreSQL: ``share_of_newest`` for the words of ``query`` (None elsewhere, or
    without words). Lists use it to walk their index when the words are common
    (web.sorting.walking)."""
    if connection.vendor != "postgresql":
        return None
    found = terms(query)
    return share_of_newest(model, found) if found else None


def reads_every_match(data: Any) -> bool:
    """Whether a list with these parameters reads every match: an exact count
    (``count=exact``, lists.COUNT_PARAM) or a download; otherwise it stops at its page and
    its count's limit, and filters may choose plans that find a few matches soon."""
    data = data or {}
    return data.get("count") == "exact" or data.get("format") in ("csv", "xlsx")


class SearchFilter(df.CharFilter):
    """``?q=`` on list pages and the API."""

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        if not value:
            return qs
        return search(qs, value, stops_early=not reads_every_match(self.parent.data))


def _sqlite_sql(table: str, columns: tuple[str, ...] = SEARCH_COLUMNS) -> list[str]:
    # Table and column names are Kouprey's own, never input.
    fts = f"{table}_fts"
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({names}, "
        f"content='{table}', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "  # noqa: S608  # nosec B608 B611
        f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "  # noqa: S608  # nosec B608
        f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES('delete', old.id, {old}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF {names} ON {table} "  # noqa: S608  # nosec B608 B611
        f"BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES('delete', old.id, {old}); "
        f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END",
        f"INSERT INTO {fts}({fts}) VALUES('rebuild')",  # noqa: S608  # nosec B608
    ]


def _postgres_sql(table: str, columns: tuple[str, ...] = SEARCH_COLUMNS) -> list[str]:
    indexed = ", ".join(f"{c} gin_trgm_ops" for c in columns)
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"CREATE INDEX IF NOT EXISTS {table}_search_trgm ON {table} USING gin ({indexed})",
    ]


def _drop_sql(table: str, vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [*(f"DROP TRIGGER IF EXISTS {table}_fts_{t}" for t in ("ai", "ad", "au")),
                f"DROP TABLE IF EXISTS {table}_fts"]
    return [f"DROP INDEX IF EXISTS {table}_search_trgm"] if vendor == "postgresql" else []


def _install_sql(table: str, vendor: str, columns: tuple[str, ...]) -> list[str]:
    if vendor == "sqlite":
        return _sqlite_sql(table, columns)
    return _postgres_sql(table, columns) if vendor == "postgresql" else []


def install_search(table: str, columns: tuple[str, ...] = ("search_text",),
                   replace: bool = False) -> Any:
    """A migration operation that adds the full-text index over ``columns`` of ``table`` on
    either database; with ``replace`` the one there before is dropped first."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for sql in [*(_drop_sql(table, vendor) if replace else []),
                    *_install_sql(table, vendor, columns)]:
            schema_editor.execute(sql)

    def backwards(apps: Any, schema_editor: Any) -> None:
        for sql in _drop_sql(table, schema_editor.connection.vendor):
            schema_editor.execute(sql)

    return migrations.RunPython(forwards, backwards)


def drop_search(table: str) -> Any:
    """A migration operation that drops the full-text index of ``table`` (put back by a
    later ``install_search``), so that rewriting every record's text does not index it."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        for sql in _drop_sql(table, schema_editor.connection.vendor):
            schema_editor.execute(sql)

    return migrations.RunPython(forwards, migrations.RunPython.noop)


def rewrite_search(app_label: str, model_name: str, related: list[str],
                   text: Any, refs: Any) -> Any:
    """A migration operation that computes every record's ``search_text`` and
    ``search_refs`` again with ``text`` and ``refs``, 2,000
    records at a time with ``related`` prefetched. The migration passes functions of its
    own, written for the models as they were then, not the services' current ones."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        pks = list(model._base_manager.order_by("pk").values_list("pk", flat=True))  # noqa: SLF001
        for start in range(0, len(pks), 2000):
            rows = list(model._base_manager.filter(  # noqa: SLF001
                pk__in=pks[start:start + 2000]).prefetch_related(*related))
            for row in rows:
                row.search_text, row.search_refs = text(row), refs(row)
            model._base_manager.bulk_update(rows, SEARCH_COLUMNS)  # noqa: SLF001

    return migrations.RunPython(forwards, migrations.RunPython.noop)


SEARCHABLE_TABLES = ["seizures_seizure", "cases_case"]

# SQLite: narrow covering indexes over the seizure columns a list page's filters, the
# reader's restriction and the sorts read, so counts and pages never read the wide table rows
# (search text, description). By id: a search (FTS rowids) or a to-many filter (an IN list
# of ids) checks each candidate there (taxon filter at 100k: 88 -> 22 ms). By date: a date
# range with other column filters (at 1M, a year's validated count: 306 -> 10 ms). The
# planner picks them only with statistics, hence ``ANALYZE`` of the table after migrate.
SQLITE_COVERING = {
    "seizures_seizure": [
        ("seizures_seizure_list_cover", ["id", "date", "confidentiality", "owner_org_id",
                                         "place_id", "validation_status", "reference"]),
        ("seizures_seizure_date_cover", ["date", "confidentiality", "owner_org_id",
                                         "validation_status", "place_id", "reference"]),
        # The model's (validation_status, date) INCLUDE index (migration seizures 0006),
        # with the included columns as keys: SQLite has no INCLUDE, and a migration that
        # rebuilds the table (any added column) creates it again from the model as a plain
        # two-column index, which SQLite then prefers and reads every row through (a status
        # and year list sorted by reference at 1M: 6 -> 250 ms). So it is put right here.
        ("seizure_validation_cover", ["validation_status", "date", "id", "reference",
                                      "confidentiality", "owner_org_id"]),
    ],
    # The to-many filters' subqueries (seizures.filters.AnyRelatedFilter) read the seizure
    # ids from the index alone (a taxon filter at 1M: 256 -> 152 ms).
    "seizures_seizureitem": [
        ("seizures_seizureitem_taxon_cover", ["taxon_id", "seizure_id"]),
        ("seizures_seizureitem_commodity_cover", ["commodity_id", "seizure_id"]),
    ],
    "seizures_suspect": [("seizures_suspect_nationality_cover",
                          ["nationality_id", "seizure_id"])],
    "seizures_origincountry": [("seizures_origincountry_country_cover",
                                ["country_id", "seizure_id"])],
}


# SQLite: tables of a seizure's rows whose single-column foreign-key indexes (Django's) are
# dropped when a longer index begins with the same column: a covering index above, or the
# unique (seizure, agency) pair of a link table. The longer one serves every query the
# shorter did, and each index costs every import (built again at the end of a large one)
# and every write. Not the seizure table itself: its list pages were measured with its
# indexes as they are (decisions/...-list-speed.md).
SQLITE_PREFIX_DROPPED = ["seizures_seizureitem", "seizures_suspect", "seizures_origincountry",
                         "seizures_seizure_agencies", "seizures_seizure_shared_with"]


def ensure_list_indexes(connection: Any) -> None:
    """SQLite: create the covering indexes above (idempotent), drop the indexes they make
    redundant (``SQLITE_PREFIX_DROPPED``) and refresh their tables' statistics; tables or
    columns that do not exist (yet) are skipped."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for table, indexes in SQLITE_COVERING.items():
            if table not in tables:
                continue
            present = {c.name for c in
                       connection.introspection.get_table_description(cursor, table)}
            for name, columns in indexes:
                if set(columns) <= present:
                    if index_columns(cursor, name) not in ([], columns):
                        cursor.execute(f"DROP INDEX {name}")  # a name from this module
                    # Names come from this module, never from input.
                    cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                                   f"({', '.join(columns)})")
        for table in SQLITE_PREFIX_DROPPED:
            if table in tables:
                for name in redundant_indexes(cursor, table):
                    cursor.execute(f'DROP INDEX "{name}"')  # a name SQLite gave us
        for table in {*SQLITE_COVERING, *SQLITE_PREFIX_DROPPED} & tables:
            cursor.execute(f"ANALYZE {table}")


def index_columns(cursor: Any, name: str) -> list[str]:
    """SQLite: the key columns of index ``name`` in order ([] when there is none)."""
    cursor.execute(f'PRAGMA index_info("{name}")')  # a name from this module or SQLite
    return [info[2] for info in sorted(cursor.fetchall())]


def redundant_indexes(cursor: Any, table: str) -> list[str]:
    """SQLite: the non-unique indexes of ``table`` whose columns begin a longer index."""
    columns: dict[str, tuple[str, ...]] = {}
    unique: dict[str, bool] = {}
    cursor.execute(f"PRAGMA index_list({table})")  # a table name from this module
    for row in cursor.fetchall():
        name, is_unique, origin = row[1], bool(row[2]), row[3]
        if origin == "pk":
            continue
        columns[name] = tuple(index_columns(cursor, name))
        unique[name] = is_unique
    return sorted(
        name for name, cols in columns.items() if not unique[name] and any(
            other != name and len(longer) > len(cols) and longer[:len(cols)] == cols
            for other, longer in columns.items()))


def ensure_search(connection: Any) -> None:
    """Re-create missing search triggers and indexes (after every migrate).

    On SQLite a migration that alters a table rebuilds it and drops its triggers; this puts
    them back (and rebuilds the index) so search never silently goes stale. Then the list
    pages' covering indexes (``ensure_list_indexes``).
    """
    with connection.cursor() as cursor:
        for table in SEARCHABLE_TABLES:
            if table not in connection.introspection.table_names(cursor):
                continue
            present = {c.name for c in
                       connection.introspection.get_table_description(cursor, table)}
            columns = tuple(c for c in SEARCH_COLUMNS if c in present)
            if connection.vendor == "sqlite":
                cursor.execute("SELECT count(*) FROM sqlite_master WHERE type='trigger' "
                               "AND name LIKE %s", [f"{table}_fts_a_"])
                if cursor.fetchone()[0] == 3:
                    continue
            for sql in _install_sql(table, connection.vendor, columns):
                cursor.execute(sql)
    ensure_list_indexes(connection)
