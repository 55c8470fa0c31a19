"""Each seizure's own figures and what cases decide are kept per seizure and per case: a
write recounts the records it named (not their months), and the kept figures always equal
those of a full recount."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction

from kouprey.cases.models import CaseEvent
from kouprey.indicators import own, store, tallies, triggers
from kouprey.indicators.models import (
    ALL_MONTHS,
    CaseFact,
    DirtyMonth,
    SeizureCourt,
    SeizureTally,
)
from kouprey.seizures.models import Seizure
from tests import factories as f
from tests.factories import indicators as r
from tests.indicators.test_rollups import WRITES, assert_exact

pytestmark = pytest.mark.django_db


def kept() -> tuple[list[tuple[Any, ...]], ...]:
    """The kept figures (a seizure's lines in any order: ``own.decode`` reads a dict)."""
    return ([(*head, own.decode(rows)) for *head, rows in sorted(SeizureTally.objects.values_list(
                "seizure_id", "month", "bucket_id", "validated", "rows"))],
            sorted(SeizureCourt.objects.values_list(
                "seizure_id", "month", "bucket_id", "validated", "day", "prosecuted",
                "convicted", "verdicts")),
            sorted(CaseFact.objects.values_list("case_id", "month", "bucket_id", "interagency")))


def rebuilt() -> tuple[list[tuple[Any, ...]], ...]:
    DirtyMonth.objects.create(month=ALL_MONTHS)
    store.refresh()
    return kept()


def test_a_case_event_recounts_no_month(monkeypatch: pytest.MonkeyPatch) -> None:
    w = r.world_with_cases(11)
    case = next(c for c in w.cases if c.seizures.exists())
    seizure = case.seizures.order_by("date").first()
    assert seizure is not None

    def no_month(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a month was counted again")

    monkeypatch.setattr(tallies, "compute", no_month)
    f.event(case, CaseEvent.Kind.VERDICT, seizure.date + timedelta(days=30),
            outcome="conviction")
    case.shared_with.add(w.orgs[2])
    case.seizures.add(w.pick(w.seizures))
    store.refresh()
    assert not DirtyMonth.objects.exists()
    monkeypatch.undo()
    assert SeizureCourt.objects.filter(seizure_id=seizure.pk).exists()
    assert_exact([None, *r.readers(w)[:2]])


def test_seizure_writes_recount_no_month(monkeypatch: pytest.MonkeyPatch) -> None:
    w = r.world_with_cases(13)
    s = w.pick([c for c in w.seizures if c.cases.exists()])

    def no_month(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a month was counted again")

    monkeypatch.setattr(tallies, "compute", no_month)
    monkeypatch.setattr(store, "_recount_months", no_month)
    r.add_item(w, s)
    s.date = s.date.replace(year=s.date.year + 1)
    s.validation_status = Seizure.Validation.VALIDATED
    s.save()
    r.share(w, s)
    gone = w.pick([c for c in w.seizures if c != s])
    w.seizures.remove(gone)
    gone.delete()
    assert store.refresh() >= 2
    assert not DirtyMonth.objects.exists()
    monkeypatch.undo()
    assert not SeizureTally.objects.filter(seizure_id=gone.pk).exists()
    assert_exact([None, *r.readers(w)[:2]])
    assert kept() == rebuilt()


def test_a_bulk_write_recounts_its_months() -> None:
    w = r.world_with_cases(14)
    s = w.pick(w.seizures)
    with transaction.atomic(), triggers.bulk() as marks:
        Seizure.objects.filter(pk=s.pk).update(validation_status=Seizure.Validation.VALIDATED)
        marks.mark_dates([s.date])
    assert store.refresh() == 1  # the month
    assert_exact([None, *r.readers(w)[:2]])
    assert kept() == rebuilt()


def test_a_seizure_write_moves_its_kept_facts() -> None:
    w = r.world_with_cases(12)
    case = next(c for c in w.cases if c.seizures.exists())
    seizure = case.seizures.first()
    assert seizure is not None
    f.event(case, CaseEvent.Kind.CHARGE, seizure.date)
    store.refresh()
    seizure.date = seizure.date.replace(year=seizure.date.year + 1)
    seizure.save()
    store.refresh()
    fact = SeizureCourt.objects.get(seizure_id=seizure.pk)
    assert (fact.day, fact.month) == (seizure.date, tallies.month_of(seizure.date))
    assert kept() == rebuilt()


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_kept_facts_equal_a_full_recount_after_any_writes(seed: int) -> None:
    w = r.world_with_cases(seed)
    readers = [None, *r.readers(w)[:2]]
    for _ in range(3):
        for _ in range(8):
            w.pick(WRITES)(w)
        store.refresh()
        assert_exact(readers)
        assert kept() == rebuilt()
