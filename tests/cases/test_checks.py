"""Case timeline rules of `kouprey check`: each rule caught, with the case and the rule."""

from __future__ import annotations

from datetime import date

import pytest

from kouprey.cases.models import CaseEvent
from kouprey.core.checks import run_checks
from tests import factories as f

pytestmark = pytest.mark.django_db
Kind = CaseEvent.Kind
SEIZED = date(2019, 1, 10)


def rules() -> list[tuple[str, str]]:
    return sorted((p.rule, p.reference) for p in run_checks())


def a_case(number: str = "PP-1"):  # type: ignore[no-untyped-def]
    return f.case(seizures=[f.seizure(date=SEIZED)], case_number=number)


def test_a_full_timeline_has_no_problem() -> None:
    case = a_case()
    accused = f.defendant(case)
    f.event(case, Kind.ARREST, SEIZED, defendant=accused)
    f.event(case, Kind.CHARGE, date(2019, 1, 12), defendant=accused)
    f.event(case, Kind.VERDICT, date(2019, 6, 1), defendant=accused, outcome="conviction")
    f.event(case, Kind.SENTENCE, date(2019, 6, 1), defendant=accused, prison_months=24)
    assert run_checks() == []


def test_verdict_without_charge() -> None:
    case = a_case()
    f.event(case, Kind.VERDICT, date(2019, 6, 1), outcome="conviction")
    problem = run_checks()[0]
    assert (problem.rule, problem.model, problem.record_id) == (
        "verdict_without_charge", "case", case.pk)
    assert "2019-06-01" in problem.message and "PP-1" in problem.record


def test_a_charge_after_the_verdict_does_not_count() -> None:
    case = a_case()
    f.event(case, Kind.VERDICT, date(2019, 6, 1), outcome="acquittal")
    f.event(case, Kind.CHARGE, date(2019, 7, 1))
    assert rules() == [("verdict_without_charge", "PP-1")]


def test_the_charge_must_concern_the_same_defendant() -> None:
    case = a_case()
    one, two = f.defendant(case, "One"), f.defendant(case, "Two")
    f.event(case, Kind.CHARGE, date(2019, 2, 1), defendant=one)
    f.event(case, Kind.VERDICT, date(2019, 6, 1), defendant=one, outcome="conviction")
    f.event(case, Kind.VERDICT, date(2019, 6, 1), defendant=two, outcome="conviction")
    assert rules() == [("verdict_without_charge", "PP-1")]
    f.event(case, Kind.CHARGE, date(2019, 2, 1))  # a charge of the whole case covers both
    assert rules() == []


def test_sentence_without_conviction() -> None:
    case = a_case()
    f.event(case, Kind.CHARGE, date(2019, 2, 1))
    f.event(case, Kind.VERDICT, date(2019, 6, 1), outcome="acquittal")
    f.event(case, Kind.SENTENCE, date(2019, 6, 2), prison_months=12)
    assert rules() == [("sentence_without_conviction", "PP-1")]


def test_verdict_without_outcome() -> None:
    case = a_case()
    f.event(case, Kind.CHARGE, date(2019, 2, 1))
    f.event(case, Kind.VERDICT, date(2019, 6, 1))
    assert rules() == [("verdict_without_outcome", "PP-1")]


def test_event_before_the_seizure() -> None:
    case = f.case(seizures=[f.seizure(date=SEIZED), f.seizure(date=date(2019, 3, 1))],
                  case_number="PP-2")
    f.event(case, Kind.ARREST, date(2019, 1, 9))
    f.event(case, Kind.INVESTIGATION, date(2019, 2, 1))  # after the first seizure: fine
    assert rules() == [("event_before_seizure", "PP-2")]


def test_a_case_without_number_is_named_by_its_title() -> None:
    case = f.case(seizures=[f.seizure(date=SEIZED)], title="Lion bones")
    f.event(case, Kind.ARREST, date(2018, 12, 1))
    assert rules() == [("event_before_seizure", "Lion bones")]
