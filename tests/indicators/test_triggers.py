"""The database marks the months each write touches, whoever writes (ORM, raw SQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction

from kouprey.cases.models import Case, CaseEvent
from kouprey.core.permissions import Confidentiality
from kouprey.indicators import store, triggers
from kouprey.indicators.models import ALL_MONTHS, COURT, EVERYTHING, DirtyMonth
from kouprey.reference.models import CommodityType
from kouprey.seizures.models import Seizure, SeizureItem, TransitCountry
from tests import factories as f

pytestmark = pytest.mark.django_db

JAN, MAR, JUN = date(2019, 1, 10), date(2019, 3, 5), date(2019, 6, 20)
# The triggers name the case, and a case's marks, looked up, always include month 0 (its
# cases without seizures).
CASE_0 = {0}


def marked(action: Callable[[], Any]) -> set[int]:
    DirtyMonth.objects.all().delete()
    action()
    return {month for month, _ in store.dirty_months(connection)}


def parts(action: Callable[[], Any]) -> set[tuple[int, int]]:
    DirtyMonth.objects.all().delete()
    action()
    return store.dirty_months(connection)


@pytest.fixture
def seizures() -> list[Seizure]:
    return [f.seizure(date=day) for day in (JAN, MAR, JUN)]


def test_every_watched_table_has_its_triggers() -> None:
    assert triggers.missing(connection) == []


def test_a_new_seizure_marks_its_month() -> None:
    assert marked(lambda: f.seizure(date=MAR)) == {201903}


def test_a_changed_date_marks_both_months_and_those_of_its_cases(
        seizures: list[Seizure]) -> None:
    jan, mar, jun = seizures
    f.case(seizures=[jan, jun])
    assert marked(lambda: Seizure.objects.filter(pk=jan.pk).update(date=MAR)) == {
        201901, 201903, 201906}


def test_another_change_marks_only_its_month(seizures: list[Seizure]) -> None:
    jan, mar, jun = seizures
    f.case(seizures=[jan, jun])
    assert marked(lambda: Seizure.objects.filter(pk=jan.pk).update(
        validation_status=Seizure.Validation.VALIDATED)) == {201901}
    assert marked(lambda: Seizure.objects.filter(pk=mar.pk).update(
        confidentiality=Confidentiality.OPEN)) == {201903}


def test_a_deleted_seizure_marks_its_month_and_those_of_its_cases(
        seizures: list[Seizure]) -> None:
    jan, mar, jun = seizures
    f.case(seizures=[jan, jun])
    assert marked(jan.delete) == {201901, 201906} | CASE_0


def test_rows_of_a_seizure_mark_its_month(seizures: list[Seizure]) -> None:
    mar = seizures[1]
    item = f.item(mar)
    assert marked(lambda: f.item(mar)) == {201903}
    assert marked(lambda: SeizureItem.objects.filter(pk=item.pk).update(worked=True)) == {
        201903}
    assert marked(item.delete) == {201903}
    assert marked(lambda: f.suspect(mar)) == {201903}
    assert marked(lambda: f.origin(mar, "VN")) == {201903}
    assert marked(lambda: TransitCountry.objects.create(seizure=mar,
                                                        country=f.country("CN"))) == {201903}
    assert marked(lambda: mar.agencies.add(f.agency())) == {201903}
    assert marked(lambda: mar.shared_with.add(f.organisation("fa"))) == {201903}


def test_an_item_moved_to_another_seizure_marks_both(seizures: list[Seizure]) -> None:
    jan, mar, _ = seizures
    item = f.item(jan)
    assert marked(lambda: SeizureItem.objects.filter(pk=item.pk).update(seizure=mar)) == {
        201901, 201903}


def test_case_writes_mark_the_months_of_its_seizures(seizures: list[Seizure]) -> None:
    jan, mar, jun = seizures
    case = f.case(seizures=[jan, jun])
    months = {201901, 201906} | CASE_0
    assert marked(lambda: f.event(case, CaseEvent.Kind.CHARGE, JUN)) == months
    assert marked(lambda: f.involve(case, f.agency())) == months
    assert marked(lambda: case.shared_with.add(f.organisation("fa"))) == months
    assert marked(lambda: Case.objects.filter(pk=case.pk).update(
        confidentiality=Confidentiality.SECRET)) == months


def test_a_case_without_seizures_marks_month_0(seizures: list[Seizure]) -> None:
    case = f.case()
    assert marked(lambda: f.event(case, CaseEvent.Kind.CHARGE, JUN)) == {0}
    assert marked(lambda: case.seizures.add(seizures[1])) == {0, 201903}
    assert marked(lambda: case.seizures.add(seizures[0])) == {201901, 201903} | CASE_0
    assert marked(lambda: case.seizures.remove(seizures[0])) == {201901, 201903} | CASE_0
    assert marked(lambda: case.seizures.remove(seizures[1])) == {0, 201903}
    assert marked(lambda: f.case()) == {0}


def test_reference_data_marks_nothing(seizures: list[Seizure]) -> None:
    """Labels and ivory commodities are read with the table, not tallied."""
    f.item(seizures[0])
    assert marked(lambda: CommodityType.objects.update(is_ivory=False)) == set()


def test_raw_sql_marks_too(seizures: list[Seizure]) -> None:
    table = Seizure._meta.db_table  # noqa: SLF001
    with connection.cursor() as cursor:
        DirtyMonth.objects.all().delete()
        cursor.execute(f"UPDATE {table} SET date = %s WHERE id = %s",  # noqa: S608
                       [date(2020, 2, 2), seizures[2].pk])
    assert {m for m, _ in store.dirty_months(connection)} == {201906, 202002}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE: PostgreSQL")
def test_truncate_marks_everything(seizures: list[Seizure]) -> None:
    table = TransitCountry._meta.db_table  # noqa: SLF001
    with connection.cursor() as cursor:
        DirtyMonth.objects.all().delete()
        cursor.execute(f"TRUNCATE {table}")
    assert {m for m, _ in store.dirty_months(connection)} == {ALL_MONTHS}


def test_a_lost_trigger_is_put_back_and_marks_everything() -> None:
    name = next(iter(triggers.sqlite_triggers(triggers.watched()[1]))) \
        if connection.vendor == "sqlite" else triggers.PREFIX + "_ai"
    table = triggers.watched()[1].table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {name}" + ("" if connection.vendor == "sqlite"
                                                  else f" ON {table}"))
    assert triggers.missing(connection) == [(table, name)]
    assert marked(lambda: triggers.ensure(connection)) == {ALL_MONTHS}
    assert triggers.missing(connection) == []
    assert marked(lambda: triggers.ensure(connection)) == set()


def test_bulk_writes_mark_only_what_the_writer_says(seizures: list[Seizure]) -> None:
    def write() -> None:
        with transaction.atomic(), triggers.bulk() as marks:
            s = f.seizure(date=date(2021, 4, 4))
            f.item(s)
            f.item(seizures[0])
            marks.mark_dates([s.date, JAN])

    assert marked(write) == {202104, 201901}
    assert marked(lambda: f.item(seizures[1])) == {201903}  # the triggers are back
    assert triggers.missing(connection) == []


def test_bulk_rolled_back_leaves_the_triggers(seizures: list[Seizure]) -> None:
    class Undo(Exception):
        pass

    def write() -> None:
        with pytest.raises(Undo), transaction.atomic(), triggers.bulk() as marks:
            f.seizure(date=date(2021, 4, 4))
            marks.mark_dates([date(2021, 4, 4)])
            raise Undo

    assert marked(write) == set()
    assert triggers.missing(connection) == []
    assert marked(lambda: f.item(seizures[1])) == {201903}


@pytest.mark.django_db(transaction=True)
def test_bulk_outside_a_transaction_still_marks() -> None:
    def write() -> None:
        with triggers.bulk() as marks:
            f.seizure(date=JUN)
            marks.mark_all()

    assert marked(write) == {201906, ALL_MONTHS}


def test_case_writes_recompute_only_what_cases_decide(seizures: list[Seizure]) -> None:
    jan, mar, jun = seizures
    case = f.case(seizures=[jan, jun])
    assert parts(lambda: f.event(case, CaseEvent.Kind.CHARGE, JUN)) == {
        (m, COURT) for m in {201901, 201906} | CASE_0}
    assert (201903, EVERYTHING) in parts(lambda: f.item(mar))
