"""The indicator table through an exact cache: never a stale number.

A miss is computed from the month tallies (indicators.rollups), which are exactly
``services.compute``; the cache then serves the same table again until the next write.

An entry's key holds the data version (core.dataversion), which the database raises in the
same transaction as any write to the records; so once a write is committed no reader can
find the entries computed before it. The key also holds the reader's visibility (superuser,
or organisation, role and clearance), every field of the scope (dates, validated only),
the language of the labels and the database. Values are exactly what
``services.compute`` returns.

The version and the numbers must come from the same state of the database:

- PostgreSQL: both are read in one REPEATABLE READ, READ ONLY transaction (one snapshot);
- SQLite (each query its own snapshot): the version is read before and after the
  computation, and the result is kept only when the two agree (no write committed between).

Inside a transaction (``atomic``) the cache is bypassed: that transaction may hold writes
of its own that are not committed yet, and may still roll back.

Django's default cache (LocMemCache) is per process: each server process keeps its own
entries, all exact. A shared cache (CACHES setting) is shared the same way.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import connections, router, transaction
from django.utils.translation import get_language

from kouprey.core import dataversion
from kouprey.indicators import rollups, services, store
from kouprey.seizures.models import Seizure

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

    from kouprey.core.models import User

PREFIX = "kouprey:indicators:1"  # raise the number when the cached structure changes
TIMEOUT = 24 * 3600  # seconds; entries of older versions are never read again anyway
ATTEMPTS = 3  # reads raced by writes before falling back to services.compute


def visibility(user: User | None) -> tuple[Any, ...]:
    """What decides which records ``user`` sees (core.querysets.restrict), and nothing else.

    Every active superuser, and no user at all (the administrator's view), see everything.
    """
    if user is None or (user.is_superuser and user.is_active and user.is_authenticated):
        return ("every record",)
    return ("user", bool(user.is_authenticated), bool(user.is_active),
            getattr(user, "organisation_id", None), getattr(user, "role", None),
            getattr(user, "clearance", None))


def key(scope: services.Scope, version: int, connection: BaseDatabaseWrapper) -> str:
    db = connection.settings_dict
    parts = (version, db.get("NAME"), db.get("HOST"), db.get("PORT"), get_language(),
             visibility(scope.user),
             *((f.name, getattr(scope, f.name)) for f in dataclasses.fields(scope)
               if f.name != "user"))
    return f"{PREFIX}:{hashlib.sha256(repr(parts).encode()).hexdigest()}"


def compute(scope: services.Scope) -> list[services.Indicator]:
    """``services.compute(scope)``: from the cache when the records have not changed, else
    from the month tallies (indicators.rollups), refreshed first."""
    connection = connections[router.db_for_read(Seizure)]
    if connection.in_atomic_block:
        return services.compute(scope)
    version = dataversion.current(connection.alias)
    if version is None:  # no version row (a database being set up): nothing to key on
        return services.compute(scope)
    rows: list[services.Indicator] | None = cache.get(key(scope, version, connection))
    if rows is not None:
        return rows
    for _attempt in range(ATTEMPTS):
        store.refresh(connection.alias)
        try:
            version, rows, consistent = _fresh(scope, connection)
        except rollups.Stale:  # a visibility written after the refresh: refresh again
            continue
        if consistent:
            cache.set(key(scope, version, connection), rows, TIMEOUT)
            return rows
    return services.compute(scope)  # writes kept racing the reads: the reference path


def _fresh(scope: services.Scope, connection: BaseDatabaseWrapper
           ) -> tuple[int, list[services.Indicator], bool]:
    """The version and the table from one state of the database (see the module doc)."""
    if connection.vendor == "postgresql":
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:  # not READ ONLY: a temporary table is written
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute(store.NO_JIT)
            version = dataversion.current(connection.alias) or 0
            return version, rollups.compute(scope, connection.alias), True
    version = dataversion.current(connection.alias) or 0
    rows = rollups.compute(scope, connection.alias)
    return version, rows, dataversion.current(connection.alias) == version
