"""The case list's stage, outcome and court filters: the same cases the case page's stage
(``services.stage``) and verdicts name, on the page, its JSON twin and the API."""

from __future__ import annotations

from datetime import date
from itertools import combinations

import pytest
from django.test import Client
from django.urls import reverse

from kouprey.cases import services
from kouprey.cases.filters import CaseFilter
from kouprey.cases.models import Case, CaseEvent
from kouprey.core.permissions import Role
from tests import factories as f
from tests.factories.api import TokenClient

pytestmark = pytest.mark.django_db

K = CaseEvent.Kind
DAY = date(2020, 1, 10)
# One event of each stage, and the two transactional fines.
EVENTS = {
    "arrest": {"kind": K.ARREST},
    "charge": {"kind": K.CHARGE, "law_section": "Forestry Law art. 98"},
    "fine-paid": {"kind": K.TRANSACTION, "fine_status": CaseEvent.FineStatus.PAID},
    "fine-refused": {"kind": K.TRANSACTION, "fine_status": CaseEvent.FineStatus.REFUSED},
    "hearing": {"kind": K.HEARING},
    "conviction": {"kind": K.VERDICT, "outcome": CaseEvent.Outcome.CONVICTION},
    "acquittal": {"kind": K.VERDICT, "outcome": CaseEvent.Outcome.ACQUITTAL},
    "sentence": {"kind": K.SENTENCE, "prison_months": 12},
    "appeal": {"kind": K.APPEAL},
}


def _filtered(**params: str) -> set[int]:
    found = CaseFilter(params, queryset=Case.objects.all())
    assert found.is_valid(), found.errors
    return set(found.qs.values_list("pk", flat=True))


@pytest.fixture
def cases() -> list[Case]:
    """A case for every set of up to two events, and one without any."""
    org = f.organisation("wcs")
    made = [f.case(org=org, title="no events")]
    for pair in [(), *combinations(EVENTS, 1), *combinations(EVENTS, 2)]:
        if not pair:
            continue
        case = f.case(org=org, title=" + ".join(pair))
        for name in pair:
            CaseEvent.objects.create(case=case, date=DAY, **EVENTS[name])
        made.append(case)
    return made


def test_each_stage_finds_exactly_the_cases_at_that_stage(cases):
    expected: dict[str, set[int]] = {}
    for case in cases:
        expected.setdefault(services.stage(case.events.all()), set()).add(case.pk)
    assert set(expected) == set(services.STAGE_LABELS)  # every stage occurs
    for name in services.STAGE_LABELS:
        assert _filtered(stage=name) == expected[name], name


def test_each_outcome_finds_the_cases_with_that_verdict(cases):
    for outcome in CaseEvent.Outcome.values:
        expected = {c.pk for c in cases if c.events.filter(kind=K.VERDICT, outcome=outcome)}
        assert _filtered(outcome=outcome) == expected
    assert _filtered(outcome="conviction")  # the fixture has convictions


def test_court_filter():
    court = f.agency("pp-court", kind="court")
    other = f.agency("sr-court", kind="court")
    mine = f.case(court=court)
    f.case(court=other)
    f.case()
    assert _filtered(court=str(court.pk)) == {mine.pk}


def test_an_unknown_stage_is_refused_by_name():
    found = CaseFilter({"stage": "sentencing"}, queryset=Case.objects.all())
    assert not found.is_valid()
    assert "stage" in found.errors


def test_the_page_its_json_twin_and_the_api_filter_alike(client: Client):
    org = f.organisation("wcs")
    client.force_login(f.user(Role.ANALYST, org=org))
    convicted = f.case(org=org, title="Convicted case")
    CaseEvent.objects.create(case=convicted, date=DAY, **EVENTS["conviction"])
    acquitted = f.case(org=org, title="Acquitted case")
    CaseEvent.objects.create(case=acquitted, date=DAY, **EVENTS["acquittal"])
    f.case(org=org, title="Open case")

    page = client.get(reverse("cases:list"), {"outcome": "conviction"}).content.decode()
    assert "Convicted case" in page and "Acquitted case" not in page
    assert "Open case" not in page
    twin = client.get(reverse("cases:list"), {"stage": "verdict", "format": "json"}).json()
    assert {row["title"] for row in twin["results"]} == {"Convicted case", "Acquitted case"}
    api = TokenClient(f.user(Role.ANALYST, org=org))
    found = api.get("/api/cases/", {"outcome": "acquittal"}).json()
    assert [row["title"] for row in found["items"]] == ["Acquitted case"]
    assert api.get("/api/cases/", {"stage": "seizure"}).json()["count"] == 1
