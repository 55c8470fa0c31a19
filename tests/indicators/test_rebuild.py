"""A full rebuild counts each seizure's figures once, chunk by chunk, in the database
(own.Sums), and writes exactly what the grouped pass and the per-seizure counts give."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from kouprey.indicators import own, store, tallies
from kouprey.indicators.models import (
    ALL_MONTHS,
    ALL_TIME,
    Bucket,
    DirtyMonth,
    SeizureTally,
    Tally,
)
from tests.factories import indicators as r
from tests.indicators.test_facts import kept
from tests.indicators.test_rollups import WRITES, assert_exact

pytestmark = pytest.mark.django_db

Rows = dict[tuple[Any, ...], list[int]]


def rebuild() -> None:
    DirtyMonth.objects.create(month=ALL_MONTHS)
    store.refresh()
    assert not DirtyMonth.objects.exists()


def stored() -> Rows:
    """Every Tally row (months, years, all time) by signature instead of bucket id."""
    sigs = dict(Bucket.objects.values_list("pk", "signature"))
    return {(m, sigs[b], v, d, k): list(figures) for m, b, v, d, k, *figures in
            Tally.objects.values_list("month", "bucket_id", "validated", "dimension", "key",
                                      *store.FIGURES)}


def grouped() -> Rows:
    """What the grouped pass (``tallies.compute``, one GROUP BY per dimension and month)
    gives, with its year and all-time sums."""
    rows: Rows = {}
    for (month, *rest), figures in tallies.compute(connection, None, True).rows.items():
        levels = [month] if month <= 0 else [month, -(month // 100), ALL_TIME]
        for level in levels:
            total = rows.setdefault((level, *rest), [0, 0, 0, 0])
            for i, value in enumerate(figures):
                total[i] += value
    return rows


def counted() -> dict[int, Any]:
    """Each seizure's own figures as the Python path counts them (``own.count``)."""
    sigs = dict(Bucket.objects.values_list("signature", "pk"))
    with tallies.scope(connection, ("1 = 1", [])) as cursor:
        found = own.count(connection, cursor)
    return {sid: (month, sigs[sig], validated, rows)
            for sid, ((month, sig, validated), rows) in found.items()}


def kept_figures() -> dict[int, Any]:
    return {sid: (month, bucket, validated, own.decode(rows)) for sid, month, bucket,
            validated, rows in SeizureTally.objects.values_list(
                "seizure_id", "month", "bucket_id", "validated", "rows")}


@pytest.mark.parametrize("seed", [31, 32])
def test_a_rebuild_in_chunks_writes_what_the_grouped_pass_counts(
        seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    w = r.world_with_cases(seed, seizures=16)
    for _ in range(10):
        w.pick(WRITES)(w)
    monkeypatch.setattr(own, "CHUNK", 3)  # a seizure's month rows summed over many chunks
    rebuild()
    assert stored() == grouped()
    assert kept_figures() == counted()
    assert_exact([None, *r.readers(w)[:2]])


@pytest.mark.parametrize("seed", [33, 34])
def test_a_rebuild_writes_what_the_writes_kept(seed: int) -> None:
    """The tallies and kept figures after random writes counted by their differences are
    those a full rebuild writes."""
    w = r.world_with_cases(seed, seizures=16)
    for _ in range(3):
        for _ in range(6):
            w.pick(WRITES)(w)
        store.refresh()
        before = stored(), kept()
        rebuild()
        assert (stored(), kept()) == before


def test_a_rebuild_counts_the_seizure_figures_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither the grouped pass over every month nor a per-seizure count in Python: each
    figure query runs once per chunk, grouped by seizure, its rows kept in the database."""
    w = r.world_with_cases(35, seizures=16)
    runs: list[str] = []
    real = tallies.figure_selects

    def selects(connection: Any, group: str = tallies.GROUP,
                within: tuple[int, int] | None = None) -> list[str]:
        runs.append(group)
        return real(connection, group, within)

    def not_here(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a second pass over the seizures")

    monkeypatch.setattr(tallies, "compute", not_here)
    monkeypatch.setattr(own, "count", not_here)
    monkeypatch.setattr(tallies, "figure_selects", selects)
    rebuild()
    monkeypatch.undo()
    chunks = len(list(own.chunks(connection)))
    assert runs.count(own.BY_BUCKET) == chunks  # per seizure
    assert len(runs) == 2 * chunks  # and total, year, place by month from the scope alone
    assert SeizureTally.objects.count() == len(w.seizures)


def test_a_rebuild_of_nothing() -> None:
    rebuild()
    assert not Tally.objects.exists()
    assert not SeizureTally.objects.exists()


def test_the_month_index_is_back_after_a_rebuild() -> None:
    r.world_with_cases(36, seizures=16)
    rebuild()
    with connection.cursor() as cursor:
        indexes = own._secondary_indexes(connection, cursor)  # noqa: SLF001
    assert [columns for _name, columns in indexes] == [["month"]]
