"""Writing batches in a second thread while the next rows are read and checked.

Reading and validating a row is Python; writing a batch is mostly the database's own work
(SQLite's B-trees and full-text index, or a PostgreSQL server process), and both sqlite3
and psycopg release the interpreter lock while the database works. So while one batch is
written, the next is read: on a 2-core machine a 100,000-seizure import took ~30 % less
time (bench/README.md).

The writer thread uses the importing thread's own connection, inside its transaction:
Django is told it is shared (``inc_thread_sharing``) and every use of the connection, by
either thread, holds ``lock``, so the two never interleave statements. At most ``AHEAD``
batches wait to be written (memory stays bounded); an error raised while writing is raised
again in the importing thread at its next batch or at ``close``, and the import's
transaction is then rolled back as for any other error.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

AHEAD = 2  # batches read ahead of the one being written


class Pipeline:
    """Run ``write(batch, flag)`` calls one after the other in a worker thread."""

    def __init__(self, db: Any, write: Callable[..., None]) -> None:
        self.db = db
        self.write = write
        self.lock = threading.RLock()
        self.pending: deque[Future[None]] = deque()
        self.pool: ThreadPoolExecutor | None = None

    def submit(self, *args: Any) -> None:
        if self.pool is None:
            self.db.inc_thread_sharing()
            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer")
        while len(self.pending) >= AHEAD:
            self.pending.popleft().result()  # waits; raises the writer's error, if any
        self.pending.append(self.pool.submit(self._locked, *args))

    def _locked(self, *args: Any) -> None:
        with self.lock:
            self.write(*args)

    def close(self) -> None:
        """Wait for every batch; raise the first error a batch met."""
        try:
            while self.pending:
                self.pending.popleft().result()
        finally:
            self._stop()

    def abandon(self) -> None:
        """After an error in the importing thread: let the running batch end, drop the rest."""
        for future in self.pending:
            future.cancel()
        try:
            for future in self.pending:
                if not future.cancelled():
                    future.exception()  # wait; the importing thread's error is the one raised
        finally:
            self.pending.clear()
            self._stop()

    def _stop(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None
            self.db.dec_thread_sharing()

    @contextmanager
    def using_db(self) -> Iterator[None]:
        """For the importing thread's own queries (reference rows a mapping creates)."""
        with self.lock:
            yield
