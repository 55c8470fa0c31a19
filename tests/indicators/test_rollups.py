"""The table from the month tallies is exactly services.compute, for every reader and scope,
after any sequence of writes, whether the dirty months were stored again or not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from kouprey.cases.models import Case, CaseAgency, CaseEvent
from kouprey.core.models import User
from kouprey.core.permissions import Confidentiality
from kouprey.indicators import rollups, services, store
from kouprey.indicators.models import ALL_MONTHS, DirtyMonth, Tally
from kouprey.indicators.services import Scope
from kouprey.reference.models import CommodityType
from kouprey.seizures.models import Seizure, SeizureItem
from tests import factories as f
from tests.factories import indicators as r

pytestmark = pytest.mark.django_db

SCOPES = [
    {},
    {"since": date(2019, 1, 1), "until": date(2019, 12, 31)},
    {"since": date(2018, 12, 15), "until": date(2019, 6, 10)},
    {"since": date(2019, 2, 5), "until": date(2019, 2, 20)},
    {"until": date(2019, 7, 31)},
    {"since": date(2019, 7, 16)},
    {"since": date(2019, 3, 1), "until": date(2019, 3, 31)},
    {"validated_only": True},
    {"since": date(2019, 1, 10), "until": date(2020, 1, 20), "validated_only": True},
]


def table(rows: list[services.Indicator]) -> list[dict[str, Any]]:
    return [row.as_dict() for row in rows]


def assert_exact(readers: list[User | None]) -> None:
    for user in readers:
        for fields in SCOPES:
            scope = Scope(user=user, **fields)
            try:
                fast = rollups.compute(scope)
            except rollups.Stale:
                store.refresh()
                fast = rollups.compute(scope)
            assert table(fast) == table(services.compute(scope)), (user, fields)


# --- random writes -------------------------------------------------------------------------

def _new_seizure(w: r.World) -> None:
    r.seizure(w)


def _move_date(w: r.World) -> None:
    s = w.pick(w.seizures)
    s.date = w.day()
    s.save()


def _move_place(w: r.World) -> None:
    Seizure.objects.filter(pk=w.pick(w.seizures).pk).update(place=w.pick(w.places))


def _add_item(w: r.World) -> None:
    r.add_item(w, w.pick(w.seizures))


def _delete_item(w: r.World) -> None:
    item = SeizureItem.objects.order_by("?").first()
    if item is not None:
        item.delete()


def _delete_seizure(w: r.World) -> None:
    s = w.pick(w.seizures)
    w.seizures.remove(s)
    s.delete()


def _share_seizure(w: r.World) -> None:
    r.share(w, w.pick(w.seizures))


def _seizure_visibility(w: r.World) -> None:
    Seizure.objects.filter(pk=w.pick(w.seizures).pk).update(**r.visibility(w))


def _validate(w: r.World) -> None:
    s = w.pick(w.seizures)
    s.validation_status = Seizure.Validation.VALIDATED
    s.save()


def _case_event(w: r.World) -> None:
    r.add_event(w, w.pick(w.cases))


def _delete_event(w: r.World) -> None:
    event = CaseEvent.objects.order_by("?").first()
    if event is not None:
        event.delete()


def _new_case(w: r.World) -> None:
    r.case(w)


def _link(w: r.World) -> None:
    w.pick(w.cases).seizures.add(w.pick(w.seizures))


def _unlink(w: r.World) -> None:
    c = w.pick(w.cases)
    linked = list(c.seizures.all())
    if linked:
        c.seizures.remove(w.pick(linked))


def _delete_case(w: r.World) -> None:
    c = w.pick(w.cases)
    w.cases.remove(c)
    c.delete()


def _share_case(w: r.World) -> None:
    c = w.pick(w.cases)
    r.share(w, c)
    Case.objects.filter(pk=c.pk).update(confidentiality=w.pick(list(Confidentiality.values)))


def _case_agency(w: r.World) -> None:
    CaseAgency.objects.get_or_create(case=w.pick(w.cases), agency=w.pick(w.agencies),
                                     role=w.pick(list(CaseAgency.Role.values)))


def _agency_role(w: r.World) -> None:
    """A role changed in place: to or from the court's, which is not coordination."""
    role = CaseAgency.objects.order_by("?").first()
    new = w.pick([CaseAgency.Role.ADJUDICATING, CaseAgency.Role.INVESTIGATING])
    if role is not None and not CaseAgency.objects.filter(
            case=role.case_id, agency=role.agency_id, role=new).exists():
        CaseAgency.objects.filter(pk=role.pk).update(role=new)


def _ivory(w: r.World) -> None:
    commodity = w.pick(w.commodities)
    CommodityType.objects.filter(pk=commodity.pk).update(is_ivory=w.rng.random() < 0.5)


def _raw_item(w: r.World) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO seizures_seizureitem (worked, weight_kg, currency, "
                       "description, commodity_id, seizure_id) VALUES (%s, %s, '', '', %s, %s)",
                       [True, Decimal("7.125"), w.pick(w.commodities).pk,
                        w.pick(w.seizures).pk])


WRITES: list[Callable[[r.World], None]] = [
    _new_seizure, _move_date, _move_place, _add_item, _delete_item, _delete_seizure,
    _share_seizure, _seizure_visibility, _validate, _case_event, _delete_event, _new_case,
    _link, _unlink, _delete_case, _share_case, _case_agency, _agency_role, _ivory, _raw_item,
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_tallies_give_exactly_the_reference_table(seed: int) -> None:
    w = r.world(seed)
    readers = r.readers(w)
    for _ in range(25):
        r.seizure(w)
    for _ in range(8):
        r.case(w)
    f.case(title="No seizure yet", owner_org=w.orgs[1])
    store.refresh()
    assert not DirtyMonth.objects.exists()
    assert_exact(readers)
    for round_number in range(4):
        for _ in range(6):
            w.pick(WRITES)(w)
        if round_number % 2:
            store.refresh()  # stored again; otherwise the dirty months are computed
        assert_exact(readers)


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__.strip("_") for w in WRITES])
def test_each_write_keeps_the_table_exact(write: Callable[[r.World], None]) -> None:
    w = r.world(7)
    readers = r.readers(w)[:3]
    for _ in range(12):
        r.seizure(w)
    for _ in range(4):
        r.case(w)
    store.refresh()
    write(w)
    assert_exact(readers)
    store.refresh()
    assert_exact(readers)


def test_a_refresh_stores_only_the_dirty_months() -> None:
    w = r.world(3)
    for _ in range(10):
        r.seizure(w)
    store.refresh()
    s = r.seizure(w)
    s.date = date(2019, 5, 17)
    s.save()
    months = {m for m, _ in store.dirty_months(connection)}
    assert 201905 in months
    assert store.refresh() == 1  # the seizure named, counted by its differences
    assert Tally.objects.filter(month=201905, dimension="total").exists()
    assert Tally.objects.filter(month=-2019, dimension="total").exists()


def test_everything_dirty_is_one_pass() -> None:
    w = r.world(4)
    for _ in range(10):
        r.seizure(w)
    DirtyMonth.objects.create(month=ALL_MONTHS)
    assert_exact([None])  # computed from the records, nothing stored yet
    store.refresh()
    assert not DirtyMonth.objects.exists()
    assert_exact([None])


def test_plan_uses_year_rows_for_whole_clean_years() -> None:
    todo = rollups.plan(date(2018, 3, 10), date(2020, 2, 29), {201907})
    assert todo.ranges == [(date(2018, 3, 10), date(2018, 3, 31)),
                           (date(2019, 7, 1), date(2019, 7, 31))]
    assert not todo.undated
    sql = str(Tally.objects.filter(todo.stored).query)
    assert "IN (-2019)" in sql  # 2019 has a dirty month: its months are read one by one


def test_a_median_from_a_histogram_is_statistics_median() -> None:
    from collections import Counter
    from statistics import median

    for days in ([3], [1, 2], [5, 1, 9, 9], [4, 4, 4, 10, 11]):
        assert rollups._median(Counter(days)) == (median(days), len(days))


def test_a_seizure_seen_through_one_of_two_cases() -> None:
    """Days to verdict: the first verdict among the cases the reader sees."""
    wcs, other = f.organisation("wcs"), f.organisation("other")
    s = f.seizure(org=wcs, confidentiality=Confidentiality.OPEN)
    mine = f.case(org=wcs, seizures=[s])
    theirs = f.case(org=other, seizures=[s])
    f.event(theirs, CaseEvent.Kind.VERDICT, s.date + timedelta(days=10), outcome="conviction")
    f.event(mine, CaseEvent.Kind.VERDICT, s.date + timedelta(days=40), outcome="acquittal")
    reader = f.user(org=wcs)
    store.refresh()
    fast = rollups.compute(Scope(user=reader))
    assert table(fast) == table(services.compute(Scope(user=reader)))
    assert services.find(fast, "median_days_to_verdict").value == 40
    assert services.find(fast, "seizures_with_conviction").value == 0


def test_counting_a_partial_month_leaves_the_session_settings_as_they_were():
    """PostgreSQL counts with the cost of a random read lowered
    (tallies._tuned_for_counting) and puts the session's own value back afterwards, also
    after a failed count."""
    from kouprey.indicators import tallies

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's setting; the SQLite test database is in memory (no mmap)")
    s = f.seizure(date=date(2019, 2, 10))
    f.item(s)
    with connection.cursor() as cursor:
        cursor.execute("SET random_page_cost = 3.5")
        counted = tallies.compute(connection, [(date(2019, 2, 5), date(2019, 2, 20))], False)
        assert any(dimension == "total" for *_, dimension, _key in counted.rows)
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "3.5"
        with pytest.raises(ZeroDivisionError), tallies._tuned_for_counting(connection, cursor):  # noqa: SLF001
            cursor.execute("SHOW random_page_cost")
            assert cursor.fetchone()[0] == tallies.RANDOM_PAGE_COST
            raise ZeroDivisionError
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "3.5"
