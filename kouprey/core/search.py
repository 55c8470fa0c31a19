"""Full-text search over ``search_text``, one code path for SQLite and PostgreSQL.

SQLite: an FTS5 table with the trigram tokenizer (created by a migration) finds any run of
three or more characters, so a Khmer word inside a sentence without spaces is found.
PostgreSQL: a pg_trgm GIN index serves ``search_text ILIKE '%word%'`` (the ``ILike`` lookup
below: Django's ``icontains`` compiles to ``UPPER(search_text) LIKE UPPER(...)``, which that
index cannot serve, so a search scanned every row). Shorter queries fall back to a plain
substring match on SQLite.
"""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db import connection
from django.db.models import BooleanField, F, Func, Lookup, Q, QuerySet, Value
from django.db.models.expressions import RawSQL


def fts_table(model: Any) -> str:
    return f"{model._meta.db_table}_fts"  # noqa: SLF001


class ILike(Lookup):  # type: ignore[type-arg]
    """``lhs ILIKE rhs`` (a LIKE pattern) on PostgreSQL, which a pg_trgm GIN index serves."""

    lookup_name = "kouprey_ilike"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", [*lhs_params, *rhs_params]


def contains_pattern(word: str) -> str:
    """A LIKE pattern matching ``word`` anywhere, its ``%``, ``_`` and ``\\`` literal."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# SQLite: words found in at least this share of the newest records are checked on each row
# instead of listing their FTS matches (below).
BROAD_SHARE = 0.1


def fts_phrase(words: list[str]) -> str:
    """An FTS5 query matching every word as a quoted string (no FTS syntax from input)."""
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words)


CONTAINS_FUNCTION = "kouprey_contains"  # SQLite: registered on every new connection


def contains_folded(text: str | None, word: str | None) -> bool:
    """``word`` inside ``text``, every letter's case folded (as the FTS index folds them).

    SQLite's ``LIKE`` folds the case of ASCII letters only: "trần" would miss "TRẦN"."""
    if not text or not word:
        return False
    return word.casefold() in text.casefold()


def register_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: SQLite gets ``kouprey_contains(text, word)``."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(CONTAINS_FUNCTION, 2, contains_folded,
                                              deterministic=True)


def _folds_beyond_ascii(word: str) -> bool:
    return any(not c.isascii() and c.lower() != c.upper() for c in word)


def _contains_every(queryset: QuerySet[Any], words: list[str]) -> QuerySet[Any]:
    """Each word checked on each row: ``LIKE`` (fast), or on SQLite, for a word with
    non-ASCII letters that have a case (Vietnamese, accented Latin), the folding function."""
    condition = Q()
    for word in words:
        if connection.vendor == "sqlite" and _folds_beyond_ascii(word):
            condition &= Q(Func(F("search_text"), Value(word), function=CONTAINS_FUNCTION,
                                output_field=BooleanField()))
        else:
            condition &= Q(search_text__icontains=word)
    return queryset.filter(condition)


def search(queryset: QuerySet[Any], query: str, stops_early: bool = True) -> QuerySet[Any]:
    """Records whose search text contains every word of ``query``.

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
    records are found; only the plan differs.
    """
    words = [w for w in query.split() if w]
    if not words:
        return queryset
    if connection.vendor == "sqlite" and all(len(w) >= 3 for w in words):
        if stops_early and share_of_newest(queryset.model, words) >= BROAD_SHARE:
            return _contains_every(queryset, words)
        phrase = fts_phrase(words)
        table = fts_table(queryset.model)
        sql = f"SELECT rowid FROM {table} WHERE {table} MATCH %s"  # noqa: S608  # nosec B608 B611
        matches = RawSQL(sql, [phrase])  # noqa: S611 - only the search phrase is input  # nosec B608 B611
        return queryset.filter(pk__in=matches)
    if connection.vendor == "postgresql":
        for word in words:
            queryset = queryset.filter(ILike(F("search_text"), contains_pattern(word)))
        return queryset
    return _contains_every(queryset, words)


SAMPLE_ROWS = 1000  # newest records read to judge how common the words are


def _word_condition(column: str, word: str) -> tuple[str, str]:
    """SQL true when ``word`` is inside ``column``, folded as the search folds it."""
    if connection.vendor == "postgresql":
        return f"{column} ILIKE %s", contains_pattern(word)
    if connection.vendor == "sqlite" and _folds_beyond_ascii(word):
        return f"{CONTAINS_FUNCTION}({column}, %s)", word
    return f"{column} LIKE %s ESCAPE '\\'", contains_pattern(word)


def share_of_newest(model: Any, words: list[str]) -> float:
    """The share of the ``SAMPLE_ROWS`` newest records (the model's default order: what a
    list walking its date index reads first) that contain every word; a table smaller than
    the sample counts as if the missing rows did not match (a walk over it ends soon
    anyway). Read from a derived table, which the full-text index cannot serve, so it costs
    those rows only (~5 ms on SQLite, ~10-15 ms on PostgreSQL at 1M). Only chooses a plan:
    never what is found."""
    newest = model._base_manager.order_by(*model._meta.ordering).values(  # noqa: SLF001
        "search_text")[:SAMPLE_ROWS]
    sql, params = newest.query.sql_with_params()
    conditions = [_word_condition("newest.search_text", w) for w in words]
    where = " AND ".join(c for c, _ in conditions)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) newest WHERE {where}",  # noqa: S608  # nosec B608
                       [*params, *(p for _, p in conditions)])
        return int(cursor.fetchone()[0]) / SAMPLE_ROWS


def share_on_postgres(model: Any, query: str) -> float | None:
    """PostgreSQL: ``share_of_newest`` for the words of ``query`` (None elsewhere, or
    without words). Lists use it to walk their index when the words are common
    (web.sorting.walking)."""
    words = [w for w in query.split() if w]
    if connection.vendor != "postgresql" or not words:
        return None
    return share_of_newest(model, words)


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


def _sqlite_sql(table: str) -> list[str]:
    # Table names are Kouprey's own model tables, never input.
    fts = f"{table}_fts"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(search_text, "
        f"content='{table}', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "  # noqa: S608  # nosec B608 B611
        f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "  # noqa: S608  # nosec B608
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES('delete', old.id, "
        f"old.search_text); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF search_text ON {table} "  # noqa: S608  # nosec B608 B611
        f"BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES('delete', old.id, "
        f"old.search_text); INSERT INTO {fts}(rowid, search_text) "
        f"VALUES (new.id, new.search_text); END",
        f"INSERT INTO {fts}({fts}) VALUES('rebuild')",  # noqa: S608  # nosec B608
    ]


def _postgres_sql(table: str) -> list[str]:
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"CREATE INDEX IF NOT EXISTS {table}_search_trgm ON {table} "
        f"USING gin (search_text gin_trgm_ops)",
    ]


def install_search(table: str) -> Any:
    """A migration operation that adds the full-text index for ``table`` on either database."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        statements = _sqlite_sql(table) if vendor == "sqlite" else (
            _postgres_sql(table) if vendor == "postgresql" else [])
        for sql in statements:
            schema_editor.execute(sql)

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}_fts")
        elif schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")

    return migrations.RunPython(forwards, backwards)


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
            if connection.vendor == "sqlite":
                if table not in connection.introspection.table_names(cursor):
                    continue
                cursor.execute("SELECT count(*) FROM sqlite_master WHERE type='trigger' "
                               "AND name LIKE %s", [f"{table}_fts_a_"])
                if cursor.fetchone()[0] == 3:
                    continue
                statements = _sqlite_sql(table)
            elif connection.vendor == "postgresql":
                statements = _postgres_sql(table)
            else:
                continue
            for sql in statements:
                cursor.execute(sql)
    ensure_list_indexes(connection)
