"""Readers and writers do not wait for each other, and no number is stale meanwhile.

PostgreSQL with real concurrent connections (threads); SQLite's test database is shared
in memory, so there the lock a refresh cannot get is simulated.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache as django_cache
from django.db import OperationalError, connection, transaction

from kouprey.indicators import cache, own, services, store
from kouprey.indicators.models import DirtyMonth
from kouprey.indicators.services import Scope, find
from tests import factories as f
from tests.factories.indicators import in_thread

pytestmark = pytest.mark.django_db(transaction=True)
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                     reason="concurrent connections: PostgreSQL")


def total() -> Any:
    django_cache.clear()
    return find(cache.compute(Scope()), "seizures_total").value


@postgresql_only
def test_a_reader_does_not_wait_for_an_open_write() -> None:
    f.seizure(date=date(2019, 3, 3))
    written, release = threading.Event(), threading.Event()

    def write() -> None:
        with transaction.atomic():
            f.seizure(date=date(2019, 3, 4))
            written.set()
            release.wait(20)

    thread = in_thread(write)
    assert written.wait(20)
    started = time.perf_counter()
    assert total() == 1  # the committed state, at once
    assert time.perf_counter() - started < 5
    release.set()
    thread.join(20)
    assert total() == 2


@postgresql_only
def test_a_writer_does_not_wait_for_a_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    f.seizure(date=date(2019, 3, 3))
    store.refresh()
    f.seizure(date=date(2019, 5, 5))  # a seizure to count
    computing, committed = threading.Event(), threading.Event()
    real = own.count

    def slow(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        computing.set()
        committed.wait(20)  # the refresh stays open while another connection writes
        return found

    monkeypatch.setattr(own, "count", slow)
    thread = in_thread(store.refresh)
    assert computing.wait(20)
    started = time.perf_counter()
    with transaction.atomic():
        f.seizure(date=date(2019, 5, 6))
    assert time.perf_counter() - started < 5
    committed.set()
    thread.join(20)
    monkeypatch.setattr(own, "count", real)
    assert DirtyMonth.objects.exists()  # the write's mark outlived the refresh
    assert total() == 3


@postgresql_only
def test_two_refreshes_at_once_store_once() -> None:
    for day in (1, 2, 3):
        f.seizure(date=date(2019, day, day))
    threads = [in_thread(store.refresh) for _ in range(2)]
    for thread in threads:
        thread.join(30)
    assert not DirtyMonth.objects.exists()
    assert cache.rollups.compute(Scope()) == services.compute(Scope())


def test_a_refresh_that_cannot_lock_leaves_the_months_to_the_readers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    f.seizure(date=date(2019, 3, 3))
    store.refresh()
    f.seizure(date=date(2019, 4, 4))

    def locked(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("database is locked")

    if connection.vendor == "sqlite":
        monkeypatch.setattr(store, "_store", locked)
        assert store.refresh() == 0
    assert total() == 2  # the dirty month computed by the reader
    assert cache.rollups.compute(Scope()) == services.compute(Scope())
