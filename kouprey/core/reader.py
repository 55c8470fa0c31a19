"""A large import read and checked in a second process while the first one writes.

On SQLite an import is bound by one core: reading, checking and building the rows in
Python, then the database's own work on those rows, one after the other. Here a reading
process (started with ``spawn``: a fresh interpreter, nothing shared but the arguments)
reads the file, checks every row and builds finished batches; the importing process
receives them through a pipe and writes them in its transaction, while the reader builds
the next. The pipe holds about one batch, so memory stays bounded and a slow writer slows
the reader down.

What stays the same: the problems (row, column, value, reason) come from the reader, which
stops passing batches on after the first one, as in one process; the importing process
commits only when the reader finished without a problem and every batch was written; a
crash or an error on either side rolls the whole import back. The reader opens the same
database (the name is passed on, so a test database is the test database) and reads only:
the existing external ids and the reference data, as committed before the import began.
"""

from __future__ import annotations

import multiprocessing
import pickle  # nosec B403 - between Kouprey's own two processes
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from kouprey.core.importing import (
    FileRejected,
    Importer,
    ImportResult,
    Problems,
    Progress,
    _feed,
    open_table,
)

JOIN_SECONDS = 30  # waiting for a finished reader to exit


class ReaderFailed(RuntimeError):
    """The reading process stopped with an error (its traceback is the message)."""


def read_elsewhere(importer: Importer, reader: Callable[[], Importer], path: Path, kind: str,
                   problems: Problems, result: ImportResult,
                   progress: Progress | None) -> None:
    """Run ``reader()`` over ``path`` in a second process; write what it sends with
    ``importer.receive``; copy its result and problems into ``result`` and ``problems``."""
    context = multiprocessing.get_context("spawn")
    incoming, outgoing = context.Pipe(duplex=False)
    # The reader goes pickled: it names Django models, which the new process can only
    # import once Django is set up there.
    child = context.Process(target=_read, name="kouprey-import-reader", daemon=True,
                            args=(outgoing, pickle.dumps(reader), str(path), kind,
                                  connection.settings_dict["NAME"]))
    child.start()
    outgoing.close()  # the reader's end; EOF here when the reader is gone
    finished = False
    try:
        while not finished:
            finished = _handle(_receive(incoming), importer, problems, result, progress)
    finally:
        incoming.close()
        if finished:
            child.join(JOIN_SECONDS)
        if child.is_alive():
            child.terminate()
            child.join()


def _receive(incoming: Connection) -> tuple[Any, ...]:
    try:
        message: tuple[Any, ...] = incoming.recv()
    except EOFError:
        raise ReaderFailed(_("The process reading the file stopped unexpectedly.")) from None
    return message


def _handle(message: tuple[Any, ...], importer: Importer, problems: Problems,
            result: ImportResult, progress: Progress | None) -> bool:
    """Act on one message from the reader; True once it has finished."""
    kind = message[0]
    if kind == "batch":
        importer.receive(message[1])
    elif kind == "progress":
        if progress is not None:
            progress(message[1], message[2])
    elif kind == "done":
        theirs: ImportResult = message[1]
        mine: Problems = message[2]
        for name in ("rows", "created", "unchanged", "children", "warnings"):
            setattr(result, name, getattr(theirs, name))
        problems.items, problems.total = mine.items, mine.total
        return True
    elif kind == "rejected":
        raise FileRejected(message[1])
    else:
        raise ReaderFailed(message[1])
    return False


def _read(outgoing: Connection, reader: bytes, path: str, kind: str, database: Any) -> None:
    """The reading process: Django set up afresh, the importer's reading half, each batch
    and a progress mark sent back, then the result with the problems."""
    try:
        import django

        django.setup()
        from django.db import connections

        connections["default"].settings_dict["NAME"] = database
        make: Callable[[], Importer] = pickle.loads(reader)  # noqa: S301 # nosec B301 - ours
        _read_file(outgoing, make(), Path(path), kind)
    except FileRejected as exc:
        outgoing.send(("rejected", str(exc)))
    except BaseException:  # everything goes back to the importing process, which rolls back
        outgoing.send(("error", traceback.format_exc()))
    finally:
        outgoing.close()


def _read_file(outgoing: Connection, importer: Importer, path: Path, kind: str) -> None:
    from django.db import connections

    importer.send_to(lambda batch: outgoing.send(("batch", batch)))
    table = open_table(path, kind)
    result = ImportResult(file=path.name, mapping=importer.mapping_name, dry_run=False,
                          warnings=list(table.warnings))
    problems = Problems()
    try:
        _feed(importer, table, problems, result, False,
              lambda position, total: outgoing.send(("progress", position, total)))
    finally:
        table.close()
        connections.close_all()
    outgoing.send(("done", result, problems))
