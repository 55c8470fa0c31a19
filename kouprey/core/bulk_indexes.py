"""A large import on SQLite builds its tables' indexes once, sorted, instead of row by row.

Inserting a row updates every index of its table at a random place in each B-tree; once a
table outgrows the page cache most of those updates read a page from disk. Building an
index from scratch sorts the rows instead. Measured on 100,000 generated seizures (3 items
and 2 suspects each) into an empty database: 4.6 s of index updates during the import
against 1.5 s to build the same indexes afterwards. Building costs in proportion to the
whole table, updating in proportion to the new rows, so the indexes are dropped only once
an import has written at least half as many seizures as the table held before (and at
least ``MIN_ROWS``); a small import into a large database keeps its indexes.

Only the non-unique indexes are dropped: unique ones (external ids, link tables) keep
checking every row as it arrives. Everything happens inside the import's transaction and
this connection holds SQLite's write lock, so no other connection ever sees a table without
its indexes (readers keep their snapshot until the commit), and a rolled-back import puts
them back with the rest. Each index is created again from its own SQL, as the database had
it, so indexes added by later migrations are covered without a list here. PostgreSQL keeps
its indexes: dropping one there locks out every reader of the table for the whole import.

On both databases a large import ends by refreshing the planner's statistics of its tables
(``ANALYZE``, in the import's transaction, which counts its own new rows), by the same
threshold. On PostgreSQL, autovacuum would do it some time after the commit, or never
when the server restarts first and forgets how many rows changed: measured at 1M, the
search "Heng Sok" took 404 ms with the statistics of a half-empty table (the planner
checked 39,655 rows against every word) and 57 ms after ``ANALYZE``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

MIN_ROWS = 20_000  # seizures an import writes before its tables' indexes are deferred
ANALYSIS_LIMIT = 2000  # rows sampled per index by ANALYZE afterwards (SQLite's planner)


class DeferredIndexes:
    """``written(n)`` after each batch; ``restore()`` before the transaction commits."""

    def __init__(self, db: Any, tables: list[str], counted: str) -> None:
        self.db = db
        self.tables = tables
        self.saved: list[str] = []  # CREATE INDEX statements of the dropped indexes
        self.count = 0
        self.enabled = db.in_atomic_block
        self.threshold = MIN_ROWS
        if self.enabled:
            with db.cursor() as cursor:
                # Table names come from the models, never from input.
                if db.vendor == "postgresql":  # the planner's estimate: no scan of the table
                    cursor.execute("SELECT greatest(reltuples, 0)::bigint FROM pg_class "
                                   "WHERE oid = %s::regclass", [counted])
                else:
                    cursor.execute(f"SELECT count(*) FROM {counted}")  # noqa: S608 # nosec B608
                self.threshold = max(MIN_ROWS, cursor.fetchone()[0] // 2)

    @property
    def deferred(self) -> bool:
        return bool(self.saved)

    @property
    def large(self) -> bool:
        return self.enabled and self.count >= self.threshold

    def written(self, rows: int) -> None:
        self.count += rows
        if self.large and not self.saved and self.db.vendor == "sqlite":
            self._drop()

    def _drop(self) -> None:
        marks = ", ".join(["%s"] * len(self.tables))
        with self.db.cursor() as cursor:
            # Only placeholders are formatted into the query; the names go as parameters.
            query = ("SELECT name, sql FROM sqlite_master WHERE type = 'index' "  # noqa: S608
                     "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%' "
                     f"AND tbl_name IN ({marks}) ORDER BY name")  # nosec B608
            cursor.execute(query, self.tables)
            found = cursor.fetchall()
            for name, _sql in found:
                cursor.execute(f'DROP INDEX "{name}"')  # a name SQLite gave us
        self.saved = [sql for _name, sql in found]

    def restore(self) -> None:
        """Build the dropped indexes again and refresh the planner's statistics."""
        if not self.large or self.db.needs_rollback:
            return
        try:
            with self.db.cursor() as cursor:
                for sql in self.saved:
                    cursor.execute(sql)
                if self.db.vendor == "sqlite":
                    cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT:d}")
                for table in self.tables:
                    cursor.execute(f"ANALYZE {table}")  # a model's table
        except Exception:
            transaction.set_rollback(True, using=self.db.alias)  # never commit without them
            raise
        self.saved = []
