"""The restricted queryset: who reads and who changes which records."""

import pytest

from kouprey.core.audit import acting_as
from kouprey.core.models import AuditEntry
from kouprey.core.permissions import Confidentiality, Role
from kouprey.seizures.models import Seizure, SeizureItem
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_owner_reads_other_organisation_does_not():
    wcs, gdce = f.organisation("wcs"), f.organisation("gdce")
    s = f.seizure(org=wcs)
    assert list(Seizure.objects.restrict(f.user(Role.VIEWER, wcs))) == [s]
    assert list(Seizure.objects.restrict(f.user(Role.VIEWER, gdce))) == []


def test_sharing_grants_reading_not_changing():
    wcs, gdce = f.organisation("wcs"), f.organisation("gdce")
    s = f.seizure(org=wcs)
    s.shared_with.add(gdce)
    editor = f.user(Role.EDITOR, gdce)
    assert list(Seizure.objects.restrict(editor, "view")) == [s]
    assert list(Seizure.objects.restrict(editor, "change")) == []


def test_open_records_are_read_by_every_organisation():
    s = f.seizure(org=f.organisation("wcs"), confidentiality=Confidentiality.OPEN)
    assert list(Seizure.objects.restrict(f.user(Role.VIEWER, f.organisation("fa")))) == [s]


def test_clearance_hides_higher_levels_even_in_own_organisation():
    wcs = f.organisation("wcs")
    f.seizure(org=wcs, confidentiality=Confidentiality.SECRET)
    assert Seizure.objects.restrict(f.user(Role.ADMIN, wcs)).count() == 0
    cleared = f.user(Role.ADMIN, wcs, clearance=Confidentiality.SECRET)
    assert Seizure.objects.restrict(cleared).count() == 1


def test_secret_records_are_not_shared():
    wcs, gdce = f.organisation("wcs"), f.organisation("gdce")
    s = f.seizure(org=wcs, confidentiality=Confidentiality.SECRET)
    s.shared_with.add(gdce)
    reader = f.user(Role.ADMIN, gdce, clearance=Confidentiality.SECRET)
    assert Seizure.objects.restrict(reader).count() == 0


def test_viewer_cannot_change_own_records():
    wcs = f.organisation("wcs")
    f.seizure(org=wcs)
    assert Seizure.objects.restrict(f.user(Role.VIEWER, wcs), "change").count() == 0
    assert Seizure.objects.restrict(f.user(Role.EDITOR, wcs), "change").count() == 1


def test_children_follow_their_seizure():
    wcs, gdce = f.organisation("wcs"), f.organisation("gdce")
    f.item(f.seizure(org=wcs))
    assert SeizureItem.objects.restrict(f.user(Role.VIEWER, wcs)).count() == 1
    assert SeizureItem.objects.restrict(f.user(Role.VIEWER, gdce)).count() == 0


def test_user_without_organisation_reads_nothing():
    f.seizure()
    nobody = f.user(Role.ADMIN, org=None)
    nobody.organisation = None
    assert Seizure.objects.restrict(nobody).count() == 0


def test_every_change_is_audited_with_who_and_what():
    analyst = f.user(Role.EDITOR, username="synthetic.editor")
    with acting_as(analyst):
        s = f.seizure(description="first")
        s.description = "second"
        s.save()
        f.item(s, weight="12.5")
    history = AuditEntry.objects.filter(root_model="seizures.seizure", root_id=str(s.pk))
    actions = sorted((e.model, e.action) for e in history)
    assert actions == [("seizures.seizure", "create"), ("seizures.seizure", "update"),
                       ("seizures.seizureitem", "create")]
    update = history.get(action="update")
    assert update.changes["description"] == ["first", "second"]
    assert update.actor_name == "synthetic.editor"


def test_audit_entries_cannot_be_edited():
    with acting_as(None):
        f.seizure()
    entry = AuditEntry.objects.first()
    entry.object_repr = "tampered"
    with pytest.raises(ValueError):
        entry.save()


def test_passwords_are_hashed_with_argon2():
    assert f.user().password.startswith("argon2")


def test_audit_shows_amounts_as_plain_numbers():
    with acting_as(None):
        s = f.seizure()
        f.item(s, weight="4000000")
    entry = AuditEntry.objects.get(model="seizures.seizureitem")
    assert entry.changes["weight_kg"] == [None, "4000000"]
