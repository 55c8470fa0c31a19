"""Many rows into a table at once (a full rebuild of the tallies and the kept figures):
PostgreSQL's COPY (the ORM's bulk_create spent most of a 1M rebuild preparing values), and
on SQLite ``executemany`` in batches."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

BATCH = 5000


def copy_rows(connection: BaseDatabaseWrapper, table: str, columns: Sequence[str],
              rows: Iterable[Sequence[Any]]) -> None:
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608  # nosec B608
        iterator = iter(rows)
        while batch := list(islice(iterator, BATCH)):
            cursor.executemany(sql, batch)
