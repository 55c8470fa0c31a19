"""Indicators: exact counts over the visible records, date semantics, traceable numbers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum

from kouprey.cases.models import Case, CaseAgency, CaseEvent
from kouprey.core.models import Organisation
from kouprey.core.permissions import Role
from kouprey.demo.builder import build
from kouprey.indicators import services
from kouprey.indicators.services import Scope, find, headline
from kouprey.seizures.filters import SeizureFilter
from kouprey.seizures.models import Seizure
from kouprey.seizures.services import with_totals
from tests import factories as f

pytestmark = pytest.mark.django_db
Kind, Outcome = CaseEvent.Kind, CaseEvent.Outcome


def values(scope: Scope) -> dict[str, float | int | None]:
    return {row.id: row.value for row in headline(scope)}


def convicted_case(seizure: Seizure, org: Organisation | None = None) -> Case:
    case = f.case(org=org or seizure.owner_org, seizures=[seizure])
    f.event(case, Kind.CHARGE, seizure.date + timedelta(days=2))
    f.event(case, Kind.VERDICT, seizure.date + timedelta(days=100), outcome=Outcome.CONVICTION)
    return case


def test_counts_only_what_the_user_may_see() -> None:
    wcs, gdce = f.organisation("wcs"), f.organisation("gdce")
    mine = f.seizure(org=wcs)
    convicted_case(mine)
    other = f.seizure(org=gdce)
    convicted_case(other)
    viewer = f.user(Role.VIEWER, wcs)
    assert values(Scope(user=viewer))["seizures_total"] == 1
    assert values(Scope(user=viewer))["seizures_with_conviction"] == 1
    assert values(Scope(user=viewer))["cases_total"] == 1
    assert values(Scope())["seizures_total"] == 2  # no user: every record
    assert list(services.records(Scope(user=viewer), "seizures_total")) == [mine]


def test_a_conviction_in_a_case_the_user_cannot_see_does_not_count() -> None:
    wcs, gdce = f.organisation("wcs"), f.organisation("gdce")
    seizure = f.seizure(org=wcs)
    seizure.shared_with.add(gdce)
    convicted_case(seizure, org=gdce)  # the case belongs to GDCE, not shared with WCS
    viewer = f.user(Role.VIEWER, wcs)
    result = values(Scope(user=viewer))
    assert (result["seizures_total"], result["seizures_with_conviction"]) == (1, 0)
    assert values(Scope(user=f.user(Role.VIEWER, gdce)))["seizures_with_conviction"] == 1


def test_conviction_rate_is_seizures_with_a_conviction_over_seizures() -> None:
    wcs = f.organisation("wcs")
    seizures = [f.seizure(org=wcs, date=date(2015, 1, day)) for day in (1, 2, 3, 4)]
    convicted_case(seizures[0])
    acquitted = f.case(org=wcs, seizures=[seizures[1]])
    f.event(acquitted, Kind.CHARGE, date(2015, 1, 5))
    f.event(acquitted, Kind.VERDICT, date(2015, 6, 1), outcome=Outcome.ACQUITTAL)
    f.case(org=wcs, seizures=[seizures[2]])  # a case with no court step
    rate = find(headline(Scope()), "conviction_rate")
    assert (rate.value, rate.numerator, rate.denominator) == (0.25, 1, 4)
    assert values(Scope())["seizures_with_prosecution"] == 2
    assert values(Scope())["prosecution_rate"] == 0.5


def test_a_seizure_in_two_convicted_cases_counts_once() -> None:
    seizure = f.seizure()
    convicted_case(seizure)
    convicted_case(seizure)
    assert values(Scope())["seizures_with_conviction"] == 1


def test_dates_filter_on_the_seizure_date_and_cases_on_their_first_seizure() -> None:
    early, late = f.seizure(date=date(2017, 12, 30)), f.seizure(date=date(2018, 3, 1))
    spanning = f.case(seizures=[early, late], title="spans the baseline")
    f.event(spanning, Kind.HEARING, date(2019, 1, 1))
    f.case(seizures=[late], title="after")
    f.case(title="no seizure")
    before = Scope(until=date(2018, 1, 31))
    after = Scope(since=date(2018, 2, 1))
    assert values(before)["seizures_total"] == 1 and values(after)["seizures_total"] == 1
    assert [c.title for c in services.records(before, "cases_total")] == ["spans the baseline"]
    assert [c.title for c in services.records(after, "cases_total")] == ["after"]
    assert values(Scope())["cases_total"] == 3  # without dates every case counts


def test_interagency_means_two_distinct_agencies() -> None:
    gdce, fa = f.agency("gdce"), f.agency("fa", kind="forestry")
    customs_only = f.case(seizures=[f.seizure()])
    f.involve(customs_only, gdce, CaseAgency.Role.DETECTING)
    f.involve(customs_only, gdce, CaseAgency.Role.INVESTIGATING)
    joint = f.case(seizures=[f.seizure()])
    f.involve(joint, gdce, CaseAgency.Role.DETECTING)
    f.involve(joint, fa, CaseAgency.Role.FORENSIC)
    rate = find(headline(Scope()), "interagency_rate")
    assert (rate.value, rate.numerator, rate.denominator) == (0.5, 1, 2)
    assert list(services.records(Scope(), "interagency_rate")) == [joint]


def test_the_court_is_not_a_second_agency() -> None:
    """DOMAIN.md, indicator 2.2: cases "handled by Customs alone" stay so when a court tries
    them; a second agency in any other role (police, forestry, a foreign counterpart) counts."""
    gdce, court = f.agency("gdce"), f.agency("pp-court", kind="court")
    police = f.agency("na-police", kind="police")
    tried = f.case(seizures=[f.seizure()])
    f.involve(tried, gdce, CaseAgency.Role.DETECTING)
    f.involve(tried, court, CaseAgency.Role.ADJUDICATING)
    abroad = f.case(seizures=[f.seizure()])
    f.involve(abroad, gdce, CaseAgency.Role.DETECTING)
    f.involve(abroad, court, CaseAgency.Role.ADJUDICATING)
    f.involve(abroad, police, CaseAgency.Role.FOREIGN)
    rate = find(headline(Scope()), "interagency_rate")
    assert (rate.numerator, rate.denominator) == (1, 2)
    assert list(services.records(Scope(), "interagency_rate")) == [abroad]


def test_weights_and_rie_agree_with_the_seizure_service() -> None:
    s = f.seizure()
    f.item(s, "10")
    f.item(s, "7", worked=True, commodity=f.commodity("ivory-worked"))
    f.item(s, "5", commodity=f.commodity("rhino-horn"), taxon=None)
    result = values(Scope())
    assert result["total_weight_kg"] == 22.0
    assert result["rie_kg"] == 20.0  # 10 raw + 7 worked / 0.7
    sums = with_totals(Seizure.objects.all()).aggregate(w=Sum("total_weight_kg"),
                                                        r=Sum("rie_kg"))
    assert Decimal(str(result["rie_kg"])) == sums["r"].quantize(Decimal("0.001"))


@pytest.mark.parametrize(("delays", "median"), [((10,), 10), ((10, 30, 20), 20),
                                                ((10, 40, 20, 30), 25)])
def test_median_days_from_seizure_to_first_verdict(delays: tuple[int, ...],
                                                   median: float) -> None:
    for days in delays:
        s = f.seizure(date=date(2016, 1, 1))
        case = f.case(seizures=[s])
        f.event(case, Kind.VERDICT, s.date + timedelta(days=days), outcome=Outcome.CONVICTION)
        f.event(case, Kind.VERDICT, s.date + timedelta(days=days + 500),
                outcome=Outcome.ACQUITTAL)  # an appeal verdict later: the first one counts
    row = find(headline(Scope()), "median_days_to_verdict")
    assert row.value == median and row.extra["seizures"] == len(delays)


def test_nationality_breakdown_counts_seizures_and_skips_those_without_suspects() -> None:
    one, two = f.seizure(), f.seizure()
    f.seizure()  # no suspect
    f.suspect(one, nationality=f.country("VN"))
    f.suspect(one, nationality=f.country("VN"))
    f.suspect(two, nationality=f.country("CN"))
    f.suspect(two)  # nationality not recorded
    rows = services.breakdowns(Scope())["seizures_by_nationality"]
    assert {r.label: r.value for r in rows} == {"Viet Nam": 1, "China": 1,
                                                "Nationality not recorded": 1}
    unknown = next(r for r in rows if r.key == "")
    assert list(services.records(Scope(), unknown.id, unknown.key)) == [two]


def test_flows_follow_origin_transit_destination() -> None:
    s = f.seizure(destination_country=f.country("VN"))
    f.origin(s, "MZ", "0.5")
    f.origin(s, "KE", "0.5")
    rows = services.breakdowns(Scope())["flows"]
    assert sorted(r.label for r in rows) == ["Kenya → unknown → Viet Nam",
                                             "Mozambique → unknown → Viet Nam"]
    for row in rows:
        assert list(services.records(Scope(), "flows", row.key)) == [s]


def test_validated_only() -> None:
    f.seizure(validation_status=Seizure.Validation.VALIDATED)
    f.seizure(validation_status=Seizure.Validation.DRAFT)
    assert values(Scope(validated_only=True))["seizures_total"] == 1
    assert values(Scope())["seizures_total"] == 2


@pytest.fixture
def demo(tmp_path: Path) -> None:
    build(tmp_path / "password")


def count_of(row: services.Indicator) -> int | float | None:
    return row.numerator if row.numerator is not None else (
        row.extra["seizures"] if row.id == "median_days_to_verdict" else row.value)


@pytest.mark.parametrize("scope", [Scope(), Scope(until=date(2018, 1, 31)),
                                   Scope(since=date(2018, 2, 1)), Scope(validated_only=True)])
def test_every_number_is_the_count_of_its_records(demo: None, scope: Scope) -> None:
    for row in services.compute(scope):
        if row.unit == "kg":
            continue
        assert services.records(scope, row.id, row.key).count() == count_of(row), row


def test_list_filters_select_exactly_the_same_records(demo: None) -> None:
    """Where a seizure-list filter expresses a number, it gives the very same records."""
    scope = Scope(since=date(2014, 1, 1), until=date(2017, 12, 31))
    checked = 0
    for row in services.compute(scope):
        params = services.list_filter(scope, row.id, row.key)
        if params is None:
            continue
        listed = SeizureFilter(params, queryset=Seizure.objects.all()).qs
        expected = services.records(scope, row.id, row.key)
        assert set(listed.values_list("pk", flat=True)) == set(
            expected.values_list("pk", flat=True)), row
        checked += 1
    assert checked > 10


def test_the_table_takes_a_fixed_number_of_queries(demo: None,
                                                   django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(25):
        services.compute(Scope(until=date(2018, 1, 31)))
