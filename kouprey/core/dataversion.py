"""A number the database raises on every committed write to the records: the data version.

The single row of ``core_dataversion`` (model ``core.DataVersion``) holds it. Triggers on
every table of the apps the indicators read (``TRACKED_APPS``, including many-to-many
tables, listed from the app registry so a new model is covered by itself) raise it in the
writing transaction, so a reader sees a new version exactly when it sees the new rows.
Whatever writes (forms, API, importer's COPY, raw SQL, the sqlite3 shell) fires them.
An exact cache keys its entries on the version (indicators.cache).

- SQLite: row-level ``AFTER INSERT/UPDATE/DELETE`` triggers run the ``UPDATE``. SQLite has
  a single writer, so the row adds no waiting. A migration that rebuilds a table drops its
  triggers: ``ensure_dataversion`` (after every migrate) puts them back.
- PostgreSQL: statement-level triggers (also fired by ``COPY`` and ``TRUNCATE``) note the
  transaction in ``core_dataversion_pending``; a deferred constraint trigger on that table
  raises the version once, at commit. The version row is therefore locked only while the
  transaction commits, not from its first write: concurrent writers neither wait for a long
  import nor deadlock on it (see docs/decisions/2026-11-21-indicator-cache.md).

After every migrate (and ``flush``) the version also jumps by a random amount: writes made
while triggers were missing are covered, and a database recreated or restored from a backup
does not reuse version numbers an older cache may hold.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction

TRACKED_APPS = ("core", "reference", "seizures", "cases")
# Tables whose rows no indicator reads. Users: a reader's own visibility (organisation,
# role, clearance) is part of each cache key, so sign-ins (last_login) need not invalidate.
UNTRACKED_TABLES = frozenset({
    "core_dataversion", "core_auditentry", "core_apitoken",
    "core_user", "core_user_groups", "core_user_user_permissions",
})
TABLE = "core_dataversion"
PENDING = "core_dataversion_pending"
PG_TRIGGER = "kouprey_dataversion"
SQLITE_EVENTS = {"ai": "INSERT", "au": "UPDATE", "ad": "DELETE"}
JUMP_BITS = 40  # the random jump after a migrate: fresh numbers for ~10^12 versions


def tracked_tables() -> list[str]:
    """Every table of the tracked apps (models and auto-created many-to-many tables)."""
    tables = set()
    for label in TRACKED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            meta = model._meta  # noqa: SLF001
            if meta.managed and not meta.proxy and meta.db_table not in UNTRACKED_TABLES:
                tables.add(meta.db_table)
    return sorted(tables)


def current(using: str = DEFAULT_DB_ALIAS) -> int | None:
    """The committed version as this connection's transaction sees it (None: no row)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT version FROM core_dataversion WHERE id = 1")
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _sqlite_trigger(table: str, suffix: str) -> str:
    # Table names come from the app registry, never from input.
    return (f"CREATE TRIGGER IF NOT EXISTS {table}_dataversion_{suffix} "  # noqa: S608 # nosec B608
            f"AFTER {SQLITE_EVENTS[suffix]} ON {table} BEGIN "
            "UPDATE core_dataversion SET version = version + 1 WHERE id = 1; END")


PG_FUNCTIONS = [
    "CREATE TABLE IF NOT EXISTS core_dataversion_pending (txid bigint PRIMARY KEY)",
    """CREATE OR REPLACE FUNCTION kouprey_dataversion_touch() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO core_dataversion_pending (txid) VALUES (txid_current())
                ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$""",
    """CREATE OR REPLACE FUNCTION kouprey_dataversion_bump() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE core_dataversion SET version = version + 1 WHERE id = 1;
            DELETE FROM core_dataversion_pending WHERE txid = NEW.txid;
            RETURN NULL;
        END $$""",
]
PG_BUMP_TRIGGER = (
    f"CREATE CONSTRAINT TRIGGER {PG_TRIGGER} AFTER INSERT ON {PENDING} "
    f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kouprey_dataversion_bump()")


def _pg_trigger(table: str) -> str:
    return (f"CREATE TRIGGER {PG_TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION kouprey_dataversion_touch()")


def triggered_tables(connection: Any) -> set[str]:
    """The tables that carry the data-version triggers (all three events on SQLite)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            names: dict[str, set[str]] = {}
            for table, name in cursor.fetchall():
                names.setdefault(table, set()).add(name)
            return {table for table, found in names.items()
                    if all(f"{table}_dataversion_{s}" in found for s in SQLITE_EVENTS)}
        if connection.vendor == "postgresql":
            cursor.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c "
                           "ON c.oid = t.tgrelid WHERE t.tgname = %s "
                           "AND pg_table_is_visible(c.oid)", [PG_TRIGGER])
            return {row[0] for row in cursor.fetchall()}
    return set()


def missing_triggers(connection: Any) -> list[str]:
    """Tracked tables of this database without their triggers (empty when all is well)."""
    existing = set(connection.introspection.table_names())
    have = triggered_tables(connection)
    return [t for t in tracked_tables() if t in existing and t not in have]


def ensure_dataversion(connection: Any) -> None:
    """Create the row and any missing trigger, then jump the version (after every migrate).

    Idempotent; cheap when everything is in place (one catalogue query).
    """
    if connection.vendor not in {"sqlite", "postgresql"}:
        return
    if TABLE not in connection.introspection.table_names():
        return  # core's migrations have not run yet
    missing = missing_triggers(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for sql in PG_FUNCTIONS:
                cursor.execute(sql)
            if PENDING not in triggered_tables(connection):
                cursor.execute(PG_BUMP_TRIGGER)
        for table in missing:
            statements = [_pg_trigger(table)] if connection.vendor == "postgresql" else [
                _sqlite_trigger(table, suffix) for suffix in SQLITE_EVENTS]
            for sql in statements:
                cursor.execute(sql)
        jump = secrets.randbits(JUMP_BITS) + 1
        cursor.execute("INSERT INTO core_dataversion (id, version) SELECT 1, 0 "
                       "WHERE NOT EXISTS (SELECT 1 FROM core_dataversion WHERE id = 1)")
        cursor.execute("UPDATE core_dataversion SET version = version + %s WHERE id = 1",
                       [jump])


@contextmanager
def bulk_writes(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Around a large write inside a transaction (an import): one version bump, not one a row.

    On SQLite a row trigger makes every single-row INSERT a multi-row statement, for which
    SQLite keeps a statement journal: it made a 20,000-seizure import 35 % slower. So, in
    the transaction, the version is raised once, the row triggers are dropped, and they are
    created again before the block ends. SQLite's DDL is transactional and this connection
    holds the write lock, so no other connection ever sees a table without its triggers;
    if they cannot be put back the transaction is rolled back. Outside a transaction, and
    on PostgreSQL (one trigger a statement), nothing changes.
    """
    connection = connections[using]
    if connection.vendor != "sqlite" or not connection.in_atomic_block:
        yield
        return
    tables = sorted(set(tracked_tables()) & triggered_tables(connection))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_dataversion SET version = version + 1 WHERE id = 1")
        for table in tables:
            for suffix in SQLITE_EVENTS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_dataversion_{suffix}")
    try:
        yield
    except BaseException:
        with suppress(Exception):  # the original error matters; _restore ensured rollback
            _restore(connection, tables)
        raise
    _restore(connection, tables)


def _restore(connection: Any, tables: list[str]) -> None:
    if connection.needs_rollback:  # the transaction is being undone: so is the drop
        return
    try:
        with connection.cursor() as cursor:
            for table in tables:
                for suffix in SQLITE_EVENTS:
                    cursor.execute(_sqlite_trigger(table, suffix))
    except Exception:
        transaction.set_rollback(True, using=connection.alias)  # never commit without them
        raise
