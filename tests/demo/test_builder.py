"""The demo data: the seeds' facts, reproduced figures, idempotence, fictitious people."""

from __future__ import annotations

import stat
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kouprey.cases.models import Case, CaseEvent, Defendant
from kouprey.core.checks import run_checks
from kouprey.core.models import AuditEntry, Organisation, User
from kouprey.demo import data
from kouprey.demo.builder import DemoError, build
from kouprey.indicators.services import Scope, find, headline
from kouprey.seizures.models import Seizure, SeizureItem, Suspect

pytestmark = pytest.mark.django_db
FOCAL = {"KHKOS", "KHPNH", "PNH", "REP"}


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    path = tmp_path / "demo-password"
    build(path)
    return path


def value(scope: Scope, indicator: str) -> float | int | None:
    return find(headline(scope), indicator).value


def test_reproduces_the_reports_figures(demo: Path) -> None:
    baseline = Scope(until=date(2018, 1, 31))
    assert value(baseline, "seizures_total") == 21
    assert value(baseline, "seizures_with_conviction") == 3
    assert value(Scope(), "seizures_total") == 23
    since = Scope(since=date(2018, 2, 1))
    assert value(since, "cases_total") == 2
    rate = find(headline(since), "interagency_rate")
    assert (rate.value, rate.numerator, rate.denominator) == (0.5, 1, 2)


def test_counts_by_commodity_nationality_and_place(demo: Path) -> None:
    seizures = Seizure.objects.filter(external_id__startswith="demo:")
    rhino = seizures.filter(items__commodity__code="rhino-horn").distinct()
    ivory = seizures.filter(items__commodity__is_ivory=True).distinct()
    assert (rhino.count(), ivory.count()) == (6, 15)
    vn_cn = {"VN", "CN"}
    assert rhino.filter(suspects__nationality__iso2__in=vn_cn).distinct().count() == 6
    assert ivory.filter(suspects__nationality__iso2__in=vn_cn).distinct().count() == 12
    assert {s.place.code for s in seizures} == FOCAL
    commodities = set(SeizureItem.objects.values_list("commodity__code", flat=True))
    assert commodities == {"ivory-raw", "ivory-worked", "rhino-horn", "pangolin-scales",
                           "lion-bone"}


def test_the_lion_bone_case(demo: Path) -> None:
    seizure = Seizure.objects.get(external_id="demo:seizure:2019-pnh-lion-bone")
    assert seizure.place.iata == "PNH" and seizure.date.strftime("%Y-%m") == "2019-12"
    assert seizure.items.get().weight_kg > Decimal(280)
    arrested = seizure.suspects.filter(arrested=True, nationality__iso2="VN")
    assert arrested.count() == 2
    case = seizure.cases.get()
    agencies = set(case.agency_roles.values_list("agency__code", flat=True))
    assert {"gdce", "ccc", "fa", "pp-court", "unodc", "trace"} <= agencies
    sampling = case.events.get(kind=CaseEvent.Kind.SAMPLING)
    assert sampling.date.strftime("%Y-%m") == "2020-03" and sampling.authority.code == "fa"


def test_the_lion_bone_seizure_says_how_it_travelled_and_who_seized_it(demo: Path) -> None:
    """Flight DM 512, bones in checked bags: air passenger baggage, found by X-ray (an
    invented detail); seed 000 calls it an inter-agency seizure: Customs and the CCC."""
    seizure = Seizure.objects.get(reference="DEMO-2019-PNH-LION-BONE")
    assert seizure.flight_number == "DM 512"
    assert seizure.transport_mode is not None
    assert seizure.transport_mode.code == "air-passenger"
    assert seizure.detection_method is not None and seizure.detection_method.code == "x-ray"
    assert set(seizure.agencies.values_list("code", flat=True)) == {"gdce", "ccc"}


def test_every_demo_seizure_with_a_conveyance_has_its_transport_mode(demo: Path) -> None:
    modes = {(bool(s.flight_number), bool(s.container_number), s.transport_mode.code)
             for s in Seizure.objects.select_related("transport_mode")
             if s.flight_number or s.container_number}
    assert modes == {(True, False, "air-passenger"), (False, True, "sea-container")}


def test_the_2016_rhino_horn_seizures_sampled_for_namibia(demo: Path) -> None:
    cases = Case.objects.filter(external_id__startswith="demo:case:2016-pnh-rhino")
    assert cases.count() == 2
    for case in cases:
        seizure = case.seizures.get()
        assert seizure.date.year == 2016 and seizure.place.iata == "PNH"
        assert seizure.origins.get().country.iso2 == "NA"
        agencies = set(case.agency_roles.values_list("agency__code", flat=True))
        assert {"fa", "gdce", "pp-court", "na-police"} <= agencies
        assert "South Africa" in case.events.get(kind=CaseEvent.Kind.SAMPLING).notes


def test_baseline_large_ivory_cases_were_customs_alone(demo: Path) -> None:
    large = Case.objects.filter(seizures__date__year__in=[2016, 2017],
                                seizures__items__weight_kg__gte=500).distinct()
    assert large.count() == 3
    for case in large:
        assert set(case.agency_roles.values_list("agency__code", flat=True)) == {"gdce"}


def test_every_record_and_person_is_synthetic_and_owned_by_the_demo(demo: Path) -> None:
    owner = Organisation.objects.get(code="wcs-demo")
    assert owner.name == "WCS Cambodia (demo)"
    assert not Seizure.objects.exclude(synthetic=True, owner_org=owner).exists()
    assert not Case.objects.exclude(synthetic=True, owner_org=owner).exists()
    assert not Suspect.objects.filter(synthetic=False).exists()
    assert not Defendant.objects.filter(synthetic=False).exists()
    assert Seizure.objects.filter(shared_with__code="gdce-demo").exists()
    assert all(s.sources.exists() for s in Seizure.objects.all())


def test_history_is_recorded_as_the_demo_admin(demo: Path) -> None:
    seizure = Seizure.objects.get(external_id="demo:seizure:2013-pnh-ivory")
    entries = AuditEntry.objects.filter(root_model="seizures.seizure", root_id=str(seizure.pk))
    assert entries.filter(action="create", actor_name="demo").exists()


def test_running_twice_changes_nothing(demo: Path) -> None:
    entries, password = AuditEntry.objects.count(), demo.read_text()
    result = build(demo)
    assert (result.seizures_created, result.cases_created) == (0, 0)
    assert AuditEntry.objects.count() == entries
    assert Seizure.objects.count() == 23 and Case.objects.count() == len(data.CASES)
    assert demo.read_text() == password and not result.password_changed
    assert result.password == password.strip()


def test_password_file_is_private_and_signs_in(demo: Path) -> None:
    assert stat.S_IMODE(demo.stat().st_mode) == 0o600
    password = demo.read_text().strip()
    for spec in data.USERS:
        user = User.objects.get(username=spec.username)
        assert user.check_password(password) and user.role == spec.role
    assert User.objects.get(username="demo").organisation.code == "wcs-demo"
    assert User.objects.get(username="demo-gdce").organisation.code == "gdce-demo"


def test_without_the_file_an_existing_password_is_kept_not_guessed(demo: Path) -> None:
    result = build(None)
    assert result.password == "" and result.unknown_password == [u.username for u in
                                                                  data.USERS]
    assert User.objects.get(username="demo").check_password(demo.read_text().strip())


def test_reset_password(demo: Path) -> None:
    old = demo.read_text().strip()
    result = build(demo, reset_password=True)
    assert result.password_changed and result.password != old
    assert demo.read_text().strip() == result.password
    assert User.objects.get(username="demo").check_password(result.password)


def test_refuses_a_demo_username_outside_the_demo() -> None:
    other = Organisation.objects.create(code="real", name="Real")
    User.objects.create_user("demo", password="x" * 12, organisation=other)
    with pytest.raises(DemoError, match="demo"):
        build(None)
    assert not Seizure.objects.exists()


def test_partner_viewer_sees_only_what_is_shared(demo: Path) -> None:
    viewer = User.objects.get(username="demo-gdce")
    visible = Seizure.objects.restrict(viewer, "view")
    assert visible.count() == sum(1 for s in data.SEIZURES if not s.confidential) == 21
    assert value(Scope(user=viewer), "seizures_total") == 21


def test_demo_data_passes_the_consistency_check(demo: Path) -> None:
    assert run_checks() == []


def test_the_demo_admin_opens_the_admin_pages(demo: Path, client) -> None:
    """The navigation shows the demo admin "Administration": the page must open for them
    (Django's admin also wants the staff flag, which `kouprey createuser` gives admins)."""
    staff = {u.username: u.is_staff for u in User.objects.filter(
        username__in=[spec.username for spec in data.USERS])}
    assert staff == {"demo": True, "demo-analyst": False, "demo-gdce": False}
    client.force_login(User.objects.get(username="demo"))
    assert client.get("/admin/").status_code == 200
    # a demo set up before the flag was given gets it on the next `kouprey demo`
    User.objects.filter(username="demo").update(is_staff=False)
    build(demo)
    assert User.objects.get(username="demo").is_staff
