"""The data version: raised by the database on every committed write to the records."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, connections, transaction

from kouprey.cases.models import CaseEvent
from kouprey.core import dataversion
from kouprey.core.dataversion import TRACKED_APPS, UNTRACKED_TABLES, current
from kouprey.core.models import AuditEntry, DataVersion, User
from kouprey.reference.models import Place
from kouprey.seizures.importers import import_seizures
from kouprey.seizures.models import Seizure, SeizureItem
from tests import factories as f
from tests.factories.importing import GOOD_ROWS, reference_data, write_csv

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                     reason="PostgreSQL's deferred version bump")


def test_every_table_of_the_tracked_apps_is_tracked_or_named_untracked() -> None:
    tables = {m._meta.db_table for label in TRACKED_APPS  # noqa: SLF001
              for m in apps.get_app_config(label).get_models(include_auto_created=True)}
    tracked = set(dataversion.tracked_tables())
    assert tables == tracked | (UNTRACKED_TABLES & tables)
    assert not tracked & UNTRACKED_TABLES
    # The many-to-many tables a number depends on are tracked too.
    assert {"seizures_seizure_agencies", "seizures_seizure_shared_with", "cases_case_seizures",
            "cases_case_shared_with", "seizures_seizureitem", "reference_place",
            "core_organisation"} <= tracked


@pytest.mark.django_db
def test_every_tracked_table_has_its_triggers() -> None:
    assert dataversion.missing_triggers(connection) == []
    assert set(dataversion.tracked_tables()) <= dataversion.triggered_tables(connection)
    assert DataVersion.objects.get().pk == 1


def _seizure() -> Seizure:
    return f.seizure(org=f.organisation("wcs"))


def _new_seizure() -> None:
    _seizure()


def _item_weight() -> None:
    item = f.item(_seizure(), "10")
    before = current()
    SeizureItem.objects.filter(pk=item.pk).update(weight_kg=Decimal("12.5"))
    assert current() != before


def _case_event() -> None:
    case = f.case(seizures=[_seizure()])
    before = current()
    f.event(case, CaseEvent.Kind.CHARGE, date(2020, 1, 5))
    assert current() != before


def _shared() -> None:
    seizure = _seizure()
    gdce = f.organisation("gdce")
    before = current()
    seizure.shared_with.add(gdce)
    shared = current()
    assert shared != before
    seizure.shared_with.remove(gdce)
    assert current() != shared


def _reference_renamed() -> None:
    place = f.place()
    before = current()
    Place.objects.filter(pk=place.pk).update(name="Renamed port")
    assert current() != before


def _raw_item_insert() -> None:
    seizure, commodity = _seizure(), f.commodity()
    before = current()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO seizures_seizureitem (worked, weight_kg, currency, "
                       "description, commodity_id, seizure_id) VALUES (%s, %s, '', '', %s, %s)",
                       [False, Decimal("5"), commodity.pk, seizure.pk])
    assert current() != before


def _deleted() -> None:
    seizure = _seizure()
    f.item(seizure)
    before = current()
    seizure.delete()
    assert current() != before


def _bulk_created() -> None:
    seizure = _seizure()
    before = current()
    SeizureItem.objects.bulk_create([SeizureItem(seizure=seizure, commodity=f.commodity())
                                     for _ in range(3)])
    assert current() != before


WRITES: dict[str, Callable[[], None]] = {
    "new seizure": _new_seizure, "item weight": _item_weight, "case event": _case_event,
    "shared with another organisation": _shared, "reference renamed": _reference_renamed,
    "raw SQL item insert": _raw_item_insert, "delete": _deleted, "bulk_create": _bulk_created,
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_committed_write_raises_the_version(write: Callable[[], None]) -> None:
    before = current()
    assert before is not None
    write()
    after = current()
    assert after is not None and after > before


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_leaves_the_version() -> None:
    f.place()
    before = current()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        Place.objects.update(name="Renamed")
        raise Undo
    assert current() == before


@pytest.mark.django_db(transaction=True)
def test_writes_no_indicator_reads_leave_the_version() -> None:
    user = f.user()
    before = current()
    User.objects.filter(pk=user.pk).update(last_login="2026-01-01T00:00:00Z")
    AuditEntry.objects.create(action="update", model="x", object_id="1", root_model="x",
                              root_id="1")
    assert current() == before


@pytest.mark.django_db(transaction=True)
def test_lost_triggers_come_back_after_migrate_and_the_version_jumps() -> None:
    table = "seizures_seizureitem"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # as a migration rebuilding the table does
            for suffix in dataversion.SQLITE_EVENTS:
                cursor.execute(f"DROP TRIGGER {table}_dataversion_{suffix}")
        else:
            cursor.execute(f"DROP TRIGGER {dataversion.PG_TRIGGER} ON {table}")
    assert dataversion.missing_triggers(connection) == [table]
    before = current()
    assert before is not None
    call_command("migrate", verbosity=0)  # post_migrate puts them back
    assert dataversion.missing_triggers(connection) == []
    after = current()
    assert after is not None and after > before
    seizure = _seizure()
    before = current()
    f.item(seizure)
    assert current() != before


@pytest.mark.django_db(transaction=True)
def test_flush_keeps_a_version_row_with_fresh_numbers() -> None:
    before = current()
    call_command("flush", interactive=False, verbosity=0)
    after = current()
    assert after is not None and after != before


def _in_thread(action: Callable[[], Any]) -> Any:
    """Run ``action`` on another connection (a thread has its own), return its result."""
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(action())
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive(), "the other connection was blocked"
    return result[0]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_readers_see_a_new_version_only_after_commit() -> None:
    before = current()
    with transaction.atomic():
        _seizure()
        assert _in_thread(current) == before
    assert _in_thread(current) != before


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_writers_do_not_wait_for_each_other_on_the_version() -> None:
    org = f.organisation("wcs")
    place = f.place()
    before = current()
    assert before is not None
    with transaction.atomic():  # a long transaction (an import) holds its writes open
        f.seizure(org=org, place=place)

        def other_writer() -> int | None:
            with connections["default"].cursor() as cursor:
                cursor.execute("SET lock_timeout = '5s'")
            Seizure.objects.create(owner_org=org, place=place, date=date(2020, 1, 1),
                                   synthetic=True)
            return current()

        committed = _in_thread(other_writer)
        assert committed is not None and committed > before
    after = current()
    assert after is not None and after > committed


@pytest.mark.django_db(transaction=True)
def test_an_import_raises_the_version_and_keeps_the_triggers(tmp_path: Path) -> None:
    reference_data()
    org = f.organisation("wcs")
    before = current()
    result = import_seizures(write_csv(tmp_path / "s.csv", GOOD_ROWS), org_id=org.pk)
    assert result.committed, result.problems
    after = current()
    assert after is not None and before is not None and after > before
    assert dataversion.missing_triggers(connection) == []
    rejected = [*GOOD_ROWS[:2], [*GOOD_ROWS[2][:2], "not a date", *GOOD_ROWS[2][3:]]]
    result = import_seizures(write_csv(tmp_path / "bad.csv", rejected), org_id=org.pk)
    assert not result.committed
    assert current() == after  # nothing written, nothing raised
    assert dataversion.missing_triggers(connection) == []


@pytest.mark.django_db(transaction=True)
def test_bulk_writes_puts_the_triggers_back_even_when_its_block_fails() -> None:
    class Failed(Exception):
        pass

    with transaction.atomic():
        with pytest.raises(Failed), dataversion.bulk_writes():
            _seizure()
            raise Failed
        # the transaction goes on and commits: the triggers must be there
    assert dataversion.missing_triggers(connection) == []
    before = current()
    _seizure()
    assert current() != before
