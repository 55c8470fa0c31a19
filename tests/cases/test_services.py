"""Case services: the derived stage, the timeline rules, all-or-nothing saving."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from kouprey.cases import services
from kouprey.cases.models import Case, CaseAgency, CaseEvent, Defendant
from kouprey.core.audit import acting_as
from kouprey.core.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db
K = CaseEvent.Kind
SEIZED = date(2019, 12, 20)


def ev(kind: str, **fields: object) -> CaseEvent:
    return CaseEvent(kind=kind, date=fields.pop("when", date(2020, 1, 10)), **fields)


@pytest.mark.parametrize(("events", "expected"), [
    ([], "seizure"),
    ([ev(K.NOTE)], "seizure"),
    ([ev(K.ARREST)], "investigation"),
    ([ev(K.INVESTIGATION)], "investigation"),
    ([ev(K.ARREST), ev(K.REFERRAL)], "prosecution"),
    ([ev(K.CHARGE, law_section="Art. 97")], "prosecution"),
    ([ev(K.TRANSACTION, fine_status="refused")], "prosecution"),
    ([ev(K.ARREST), ev(K.TRANSACTION, fine_status="paid")], "settled"),
    ([ev(K.CHARGE), ev(K.HEARING)], "court"),
    ([ev(K.ARRAIGNMENT, plea="guilty")], "court"),
    ([ev(K.BAIL, bail="refused")], "court"),
    ([ev(K.CHARGE), ev(K.VERDICT, outcome="conviction")], "verdict"),
    ([ev(K.VERDICT, outcome="conviction"), ev(K.SENTENCE, prison_months=60)], "sentence"),
    ([ev(K.VERDICT, outcome="conviction"), ev(K.SENTENCE), ev(K.APPEAL)], "appeal"),
    ([ev(K.VERDICT, outcome="conviction"), ev(K.APPEAL)], "appeal"),
    # once the case reaches court, a fine paid earlier no longer makes it 'settled'
    ([ev(K.TRANSACTION, fine_status="paid"), ev(K.VERDICT, outcome="acquittal")], "verdict"),
])
def test_stage_is_the_furthest_the_events_reach(events, expected):
    assert services.stage(events) == expected
    assert services.stage_label(expected) != expected, "every stage has a label"


def test_a_sentenced_case_says_sentenced_not_verdict():
    assert services.stage_label("sentence") == "Sentenced"
    assert services.stage_label("verdict") == "Verdict"


def test_prosecuted_and_convicted():
    assert not services.is_prosecuted([ev(K.ARREST)])
    assert services.is_prosecuted([ev(K.CHARGE)])
    assert not services.is_convicted([ev(K.VERDICT, outcome="acquittal")])
    assert services.is_convicted([ev(K.VERDICT, outcome="conviction")])


def test_interagency_needs_two_distinct_agencies():
    gdce, fa = f.agency("gdce"), f.agency("fa")
    one = [CaseAgency(agency=gdce, role="detecting"), CaseAgency(agency=gdce, role="custody")]
    assert not services.has_interagency_coordination(one)
    assert services.has_interagency_coordination(
        [*one, CaseAgency(agency=fa, role="investigating")])


def test_the_court_does_not_make_a_case_interagency():
    gdce, court, fa = f.agency("gdce"), f.agency("pp-court"), f.agency("fa")
    tried = [CaseAgency(agency=gdce, role="detecting"),
             CaseAgency(agency=court, role=CaseAgency.Role.ADJUDICATING)]
    assert not services.has_interagency_coordination(tried)
    assert services.has_interagency_coordination(
        [*tried, CaseAgency(agency=fa, role="investigating")])
    # the court's agency in another role (a court registry keeping the evidence) counts
    assert services.has_interagency_coordination(
        [*tried, CaseAgency(agency=court, role="custody")])


def test_defendant_events_include_case_wide_events():
    c = f.case()
    a, b = f.defendant(c, "A"), f.defendant(c, "B")
    f.event(c, K.ARREST, date(2020, 1, 1), defendant=a)
    f.event(c, K.CHARGE, date(2020, 1, 2))
    f.event(c, K.VERDICT, date(2020, 2, 2), defendant=b, outcome="conviction")
    events = list(c.events.all())
    assert services.stage(services.defendant_events(events, a)) == "prosecution"
    assert services.stage(services.defendant_events(events, b)) == "verdict"


def test_save_case_creates_everything_and_search_finds_it():
    s = f.seizure(date=SEIZED)
    c = Case(title="Lion bone at PNH", case_number="PP-2019-77", owner_org=f.organisation())
    d = Defendant(name="Synthetic Person One", synthetic=True)
    events = [ev(K.ARREST, defendant=d), ev(K.CHARGE, law_section="Art. 49")]
    roles = [CaseAgency(agency=f.agency("gdce"), role="detecting"),
             CaseAgency(agency=f.agency("police", kind="police"), role="investigating")]
    services.save_case(c, [s], roles, [d], events)
    assert c.events.count() == 2
    assert c.events.get(kind=K.ARREST).defendant == d
    assert services.stage(c.events.all()) == "prosecution"
    assert Case.objects.filter(search_text__contains="Synthetic Person One").count() == 1
    assert Case.objects.filter(search_text__contains="Art. 49").count() == 1


@pytest.mark.parametrize(("event", "key", "words"), [
    (ev(K.VERDICT, when=date(2019, 1, 5), outcome="conviction"), "events[0].date",
     "Verdict dated 2019-01-05 is before the seizure"),
    (ev(K.VERDICT), "events[0].outcome", "needs an outcome"),
    (ev(K.TRANSACTION), "events[0].fine_status", "paid or refused"),
])
def test_bad_timeline_is_rejected_naming_the_field_and_nothing_written(event, key, words):
    s = f.seizure(date=SEIZED)
    before = (Case.objects.count(), CaseEvent.objects.count(), AuditEntry.objects.count())
    c = Case(title="T", owner_org=f.organisation())
    with pytest.raises(ValidationError) as exc:
        services.save_case(c, [s], [], [], [event])
    assert key in exc.value.message_dict
    assert words in " ".join(exc.value.message_dict[key])
    assert (Case.objects.count(), CaseEvent.objects.count(), AuditEntry.objects.count()) == before


def test_update_replaces_removed_children_and_is_audited():
    s = f.seizure(date=SEIZED)
    c = f.case(seizures=[s])
    a, b = f.defendant(c, "A"), f.defendant(c, "B")
    keep = f.event(c, K.ARREST, date(2020, 1, 1), defendant=a)
    f.event(c, K.ARREST, date(2020, 1, 1), defendant=b)
    role = f.involve(c, f.agency("gdce"))
    editor = f.user()
    with acting_as(editor):
        c.title = "Renamed"
        services.save_case(c, [s], [role], [a], [keep, ev(K.CHARGE, defendant=a)])
    assert list(c.defendants.all()) == [a]
    assert c.events.count() == 2
    history = AuditEntry.objects.filter(root_model="cases.case", root_id=str(c.pk))
    assert history.filter(action="update", model="cases.case", actor=editor).exists()
    assert history.filter(action="delete", model="cases.defendant").exists()


def test_event_must_name_a_defendant_of_the_case():
    c = f.case()
    other = f.defendant(f.case(), "Other")
    with pytest.raises(ValidationError) as exc:
        services.save_case(c, [], [], [], [ev(K.ARREST, defendant=other)])
    assert "events[0].defendant" in exc.value.message_dict


def test_same_agency_and_role_twice_is_rejected():
    gdce = f.agency("gdce")
    c = Case(title="T", owner_org=f.organisation())
    with pytest.raises(ValidationError) as exc:
        services.save_case(c, [], [CaseAgency(agency=gdce, role="detecting"),
                                   CaseAgency(agency=gdce, role="detecting")])
    assert "roles[1].role" in exc.value.message_dict


def test_add_event_applies_the_same_rules():
    c = f.case(seizures=[f.seizure(date=SEIZED)])
    with pytest.raises(ValidationError) as exc:
        services.add_event(c, ev(K.HEARING, when=date(2019, 1, 1)))
    assert "date" in exc.value.message_dict
    assert c.events.count() == 0
    services.add_event(c, ev(K.HEARING))
    assert services.stage(c.events.all()) == "court"
