"""The exact indicator cache: a repeated table is served from memory, a committed write
anywhere shows at once, and users who see different records never share an entry.

The cache is bypassed inside a transaction, so these tests commit (transaction=True).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache as django_cache
from django.db import connection, transaction
from django.test import Client
from django.utils import translation
from typer.testing import CliRunner

from kouprey.cases.models import CaseEvent
from kouprey.cli import app
from kouprey.core.models import Organisation
from kouprey.core.permissions import Confidentiality, Role
from kouprey.indicators import cache
from kouprey.indicators.services import Indicator, Scope, find
from kouprey.reference.models import Place
from kouprey.seizures.importers import import_seizures
from kouprey.seizures.models import Seizure, SeizureItem
from tests import factories as f
from tests.factories.importing import GOOD_ROWS, reference_data, write_csv
from tests.factories.indicators import in_thread

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def computations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Scope]]:
    """The scopes actually computed (cache misses), with an empty cache to start."""
    django_cache.clear()
    done: list[Scope] = []
    real = cache.rollups.compute

    def counted(scope: Scope, using: str = "default") -> list[Indicator]:
        done.append(scope)
        return real(scope, using)

    monkeypatch.setattr(cache.rollups, "compute", counted)
    yield done
    django_cache.clear()


@pytest.fixture
def wcs() -> Organisation:
    return f.organisation("wcs")


@pytest.fixture
def seizure(wcs: Organisation) -> Seizure:
    seizure = f.seizure(org=wcs)
    f.item(seizure, "100")
    return seizure


def value(rows: list[Indicator], indicator_id: str, key: str = "") -> Any:
    return find(rows, indicator_id, key).value


def uncached(scope: Scope) -> list[Indicator]:
    with transaction.atomic():  # the cache is bypassed inside a transaction
        return cache.compute(scope)


def test_the_same_table_twice_is_computed_once(seizure: Seizure,
                                               computations: list[Scope]) -> None:
    first = cache.compute(Scope())
    second = cache.compute(Scope())
    assert len(computations) == 1
    assert first == second == uncached(Scope())
    assert value(second, "seizures_total") == 1


def test_a_cached_table_costs_one_version_read(seizure: Seizure,
                                               django_assert_num_queries: Any) -> None:
    cache.compute(Scope())
    with django_assert_num_queries(1):
        cache.compute(Scope())


def _new_seizure(s: Seizure) -> tuple[str, str]:
    f.seizure(org=s.owner_org)
    return "seizures_total", ""


def _item_weight(s: Seizure) -> tuple[str, str]:
    SeizureItem.objects.filter(seizure=s).update(weight_kg=Decimal("250"))
    return "total_weight_kg", ""


def _case_event(s: Seizure) -> tuple[str, str]:
    case = f.case(org=s.owner_org, seizures=[s])
    f.event(case, CaseEvent.Kind.CHARGE, s.date + timedelta(days=3))
    return "seizures_with_prosecution", ""


def _reference_renamed(s: Seizure) -> tuple[str, str]:
    Place.objects.filter(pk=s.place_id).update(name="Renamed port")
    return "seizures_by_place", str(s.place_id)


def _raw_item_insert(s: Seizure) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO seizures_seizureitem (worked, weight_kg, currency, "
                       "description, commodity_id, seizure_id) VALUES (%s, %s, '', '', %s, %s)",
                       [False, Decimal("7"), f.commodity().pk, s.pk])
    return "total_weight_kg", ""


def _validated(s: Seizure) -> tuple[str, str]:
    Seizure.objects.filter(pk=s.pk).update(validation_status=Seizure.Validation.VALIDATED)
    return "seizures_total", ""


WRITES: dict[str, Callable[[Seizure], tuple[str, str]]] = {
    "new seizure": _new_seizure, "item weight": _item_weight, "case event": _case_event,
    "reference renamed": _reference_renamed, "raw SQL item insert": _raw_item_insert,
}


def _row(rows: list[Indicator], indicator_id: str, key: str) -> tuple[Any, str]:
    row = find(rows, indicator_id, key)
    return row.value, row.label


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_a_committed_write_shows_at_once(seizure: Seizure, write: Callable[[Seizure], Any],
                                         computations: list[Scope]) -> None:
    before = cache.compute(Scope())
    indicator_id, key = write(seizure)
    after = cache.compute(Scope())
    assert len(computations) == 2
    assert _row(after, indicator_id, key) != _row(before, indicator_id, key)
    assert after == uncached(Scope())


def test_validated_only_is_part_of_the_key(seizure: Seizure) -> None:
    assert value(cache.compute(Scope(validated_only=True)), "seizures_total") == 0
    assert value(cache.compute(Scope()), "seizures_total") == 1
    _validated(seizure)
    assert value(cache.compute(Scope(validated_only=True)), "seizures_total") == 1


def test_dates_are_part_of_the_key(seizure: Seizure, computations: list[Scope]) -> None:
    day = seizure.date
    assert value(cache.compute(Scope(since=day + timedelta(days=1))), "seizures_total") == 0
    assert value(cache.compute(Scope(until=day)), "seizures_total") == 1
    assert value(cache.compute(Scope(since=day, until=day)), "seizures_total") == 1
    cache.compute(Scope(until=day))
    assert len(computations) == 3


def test_sharing_with_another_organisation_shows_at_once(seizure: Seizure) -> None:
    gdce = f.organisation("gdce")
    partner = Scope(user=f.user(Role.VIEWER, gdce))
    assert value(cache.compute(partner), "seizures_total") == 0
    seizure.shared_with.add(gdce)
    assert value(cache.compute(partner), "seizures_total") == 1


def test_users_who_see_different_records_do_not_share(seizure: Seizure, wcs: Organisation,
                                                      computations: list[Scope]) -> None:
    secret = f.seizure(org=wcs, confidentiality=Confidentiality.SECRET)
    f.item(secret, "1")
    viewer = f.user(Role.VIEWER, wcs)
    colleague = f.user(Role.VIEWER, wcs)  # same organisation, role, clearance: same records
    cleared = f.user(Role.VIEWER, wcs, clearance=Confidentiality.SECRET)
    outsider = f.user(Role.VIEWER, f.organisation("gdce"))
    totals = {name: value(cache.compute(Scope(user=user)), "seizures_total") for name, user in
              [("viewer", viewer), ("colleague", colleague), ("cleared", cleared),
               ("outsider", outsider)]}
    assert totals == {"viewer": 1, "colleague": 1, "cleared": 2, "outsider": 0}
    assert len(computations) == 3  # the colleague shares the viewer's entry
    assert value(cache.compute(Scope()), "seizures_total") == 2


def test_a_changed_role_or_organisation_is_a_new_entry(seizure: Seizure, wcs: Organisation
                                                       ) -> None:
    viewer = f.user(Role.VIEWER, wcs)
    assert value(cache.compute(Scope(user=viewer)), "seizures_total") == 1
    viewer.organisation = f.organisation("gdce")
    viewer.save()
    assert value(cache.compute(Scope(user=viewer)), "seizures_total") == 0
    viewer.is_active = False
    viewer.save()
    assert value(cache.compute(Scope(user=viewer)), "seizures_total") == 0


def test_the_language_of_the_labels_is_part_of_the_key(seizure: Seizure,
                                                       computations: list[Scope]) -> None:
    with translation.override("en"):
        cache.compute(Scope())
    with translation.override("km"):
        cache.compute(Scope())
    assert len(computations) == 2


def test_inside_a_transaction_the_cache_is_bypassed(seizure: Seizure,
                                                    computations: list[Scope]) -> None:
    assert value(cache.compute(Scope()), "seizures_total") == 1

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        f.seizure(org=seizure.owner_org)
        assert value(cache.compute(Scope()), "seizures_total") == 2  # its own write
        raise Undo
    assert value(cache.compute(Scope()), "seizures_total") == 1
    # Inside the transaction services.compute answered and nothing was stored: the table
    # after the rollback is the first one, from the cache.
    assert len(computations) == 1


def _commit_elsewhere(action: Callable[[], Any]) -> None:
    """Commit ``action`` while a computation runs (PostgreSQL: on another connection)."""
    if connection.vendor == "sqlite":
        action()  # autocommit between the computation's queries
        return

    thread = in_thread(action)
    thread.join(timeout=20)
    assert not thread.is_alive()


def test_a_write_committed_during_the_computation_is_not_hidden(
        seizure: Seizure, monkeypatch: pytest.MonkeyPatch, computations: list[Scope]) -> None:
    compute = cache.rollups.compute
    raced = []

    def racing(scope: Scope, using: str = "default") -> list[Indicator]:
        rows = compute(scope, using)
        if not raced:
            raced.append(1)
            _commit_elsewhere(lambda: f.seizure(org=seizure.owner_org))
        return rows

    monkeypatch.setattr(cache.rollups, "compute", racing)
    # SQLite: the version moved during the computation, so it is computed again (2);
    # PostgreSQL: the snapshot's table (1) is exact for its version.
    assert value(cache.compute(Scope()), "seizures_total") in {1, 2}
    monkeypatch.setattr(cache.rollups, "compute", compute)
    assert value(cache.compute(Scope()), "seizures_total") == 2
    assert value(cache.compute(Scope()), "seizures_total") == 2


def test_the_page_and_its_json_twin_go_through_the_cache(
        seizure: Seizure, wcs: Organisation, computations: list[Scope]) -> None:
    client = Client()
    client.force_login(f.user(Role.ANALYST, wcs))
    first = client.get("/indicators/", {"format": "json"}).json()
    assert client.get("/indicators/", {"format": "json"}).json() == first
    assert client.get("/indicators/").status_code == 200
    assert len(computations) == 1
    f.seizure(org=wcs, date=date(2021, 1, 1))
    rows = client.get("/indicators/", {"format": "json"}).json()["indicators"]
    assert next(r for r in rows if r["id"] == "seizures_total")["value"] == 2


def test_the_cli_goes_through_the_cache(seizure: Seizure, computations: list[Scope]) -> None:
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(app, ["indicators", "--format", "json"])
        assert result.exit_code == 0, result.output
    assert len(computations) == 1


def test_an_import_shows_at_once(seizure: Seizure, wcs: Organisation,
                                 tmp_path: Path) -> None:
    reference_data()
    assert value(cache.compute(Scope()), "seizures_total") == 1
    result = import_seizures(write_csv(tmp_path / "s.csv", GOOD_ROWS), org_id=wcs.pk)
    assert result.committed, result.problems
    assert value(cache.compute(Scope()), "seizures_total") == 1 + result.created


def test_superusers_and_the_administrators_view_share_one_entry(
        seizure: Seizure, computations: list[Scope]) -> None:
    root = f.user(Role.VIEWER, f.organisation("gdce"), is_superuser=True)
    assert cache.compute(Scope(user=root)) == cache.compute(Scope())
    assert len(computations) == 1
