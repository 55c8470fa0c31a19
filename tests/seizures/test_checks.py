"""Seizure consistency rules of `kouprey check`: each rule caught, with record and rule."""

from __future__ import annotations

import pytest

from kouprey.core.checks import ERROR, WARNING, run_checks
from kouprey.core.permissions import Role
from kouprey.seizures.models import Seizure
from tests import factories as f

pytestmark = pytest.mark.django_db
VALIDATED = Seizure.Validation.VALIDATED


def rules() -> set[tuple[str, str, str]]:
    return {(p.rule, p.severity, p.reference) for p in run_checks()}


def test_a_consistent_seizure_has_no_problem() -> None:
    s = f.seizure(reference="OK-1", validation_status=VALIDATED)
    f.item(s, "12.5", pieces=2)
    f.origin(s, "MZ", "0.7")
    f.origin(s, "KE", "0.3")
    f.suspect(s, nationality=f.country("VN"))
    assert run_checks() == []


def test_origin_proportions_not_summing_to_one() -> None:
    s = f.seizure(reference="KH-1")
    f.origin(s, "MZ", "0.5")
    f.origin(s, "KE", "0.2")
    problem = next(p for p in run_checks() if p.rule == "origin_proportions")
    assert (problem.severity, problem.record_id) == (ERROR, s.pk)
    assert "0.7" in problem.message and "KH-1" in problem.record


def test_validated_seizure_without_items() -> None:
    f.seizure(reference="KH-2", validation_status=VALIDATED)
    f.seizure(reference="DRAFT-1")  # a draft may still lack its items
    assert rules() == {("validated_without_items", ERROR, "KH-2")}


def test_counted_pieces_with_zero_weight() -> None:
    f.item(f.seizure(reference="KH-3"), "0", pieces=4)
    f.item(f.seizure(reference="KH-OK"), "0")  # no pieces counted: nothing to contradict
    assert rules() == {("item_zero_weight", ERROR, "KH-3")}


def test_raw_ivory_heavier_per_piece_than_any_tusk() -> None:
    f.item(f.seizure(reference="KH-4"), "1500", pieces=3)  # 500 kg a tusk
    f.item(f.seizure(reference="KH-5"), "1500", pieces=300)  # 5 kg a tusk: fine
    f.item(f.seizure(reference="KH-6"), "1500", pieces=3,
           commodity=f.commodity("pangolin-scales"), taxon=None)  # not ivory
    assert rules() == {("item_weight_per_piece", ERROR, "KH-4")}


def test_suspect_without_nationality_is_a_warning_in_validated_seizures() -> None:
    s = f.seizure(reference="KH-7", validation_status=VALIDATED)
    f.item(s)
    f.suspect(s)
    f.suspect(f.seizure(reference="DRAFT-2"))
    assert rules() == {("suspect_without_nationality", WARNING, "KH-7")}


def test_checks_read_only_what_the_user_may_see() -> None:
    wcs, other = f.organisation("wcs"), f.organisation("other")
    f.seizure(org=other, reference="THEIRS", validation_status=VALIDATED)
    assert run_checks(f.user(Role.VIEWER, wcs)) == []
    assert [p.reference for p in run_checks()] == ["THEIRS"]
