"""Admin pages: every registered model lists and searches; who may change what."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from kouprey.core.audit import acting_as
from kouprey.core.models import ApiToken, AuditEntry
from kouprey.core.permissions import Role
from kouprey.reference.loaders import load_all
from kouprey.reference.models import Place
from tests import factories as f

pytestmark = pytest.mark.django_db

REFERENCE = ["country", "place", "agency", "taxon", "commoditytype", "unit", "detectionmethod",
             "transportmode", "concealmenttype"]
CORE = ["organisation", "user", "auditentry", "apitoken"]


def url(app: str, model: str, view: str = "changelist", *args: object) -> str:
    return reverse(f"admin:{app}_{model}_{view}", args=args)


@pytest.fixture
def superuser(client):
    user = f.user(Role.ADMIN, is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def test_every_model_is_registered():
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert {f"reference.{m}" for m in REFERENCE} | {f"core.{m}" for m in CORE} <= registered


@pytest.mark.parametrize(("app", "model"), [("reference", m) for m in REFERENCE]
                         + [("core", m) for m in CORE])
def test_superuser_lists_and_searches(client, superuser, app, model):
    load_all()
    assert client.get(url(app, model)).status_code == 200
    assert client.get(url(app, model), {"q": "Phnom"}).status_code == 200


def test_place_search_finds_khmer_names(client, superuser):
    load_all()
    page = client.get(url("reference", "place"), {"q": "បាវិត"})
    assert "Bavet" in page.content.decode()


def test_admin_role_manages_reference_data(client):
    load_all()
    client.force_login(f.user(Role.ADMIN, is_staff=True))
    assert client.get(url("reference", "place", "add")).status_code == 200
    place = Place.objects.get(iata="PNH")
    assert client.get(url("reference", "place", "change", place.pk)).status_code == 200
    for model in ["organisation", "auditentry", "apitoken"]:
        assert client.get(url("core", model)).status_code == 403


def test_admin_role_manages_only_own_organisation_users(client):
    wcs, gdce = f.organisation("wcs"), f.organisation("gdce")
    boss = f.user(Role.ADMIN, wcs, is_staff=True, username="boss")
    colleague = f.user(Role.VIEWER, wcs, username="colleague")
    stranger = f.user(Role.VIEWER, gdce, username="stranger")
    client.force_login(boss)
    listing = client.get(url("core", "user")).content.decode()
    assert "colleague" in listing and "stranger" not in listing
    assert client.get(url("core", "user", "change", stranger.pk)).status_code == 302
    form = client.get(url("core", "user", "change", colleague.pk)).content.decode()
    assert 'name="is_superuser"' not in form
    response = client.post(url("core", "user", "change", colleague.pk), {
        "username": "colleague", "organisation": gdce.pk, "role": Role.EDITOR,
        "clearance": 4, "is_active": "on", "is_superuser": "on",
    })
    assert response.status_code == 200  # the form refuses another organisation
    colleague.refresh_from_db()
    assert (colleague.organisation, colleague.role) == (wcs, Role.VIEWER)
    response = client.post(url("core", "user", "change", colleague.pk), {
        "username": "colleague", "organisation": wcs.pk, "role": Role.EDITOR,
        "clearance": boss.clearance, "is_active": "on", "is_superuser": "on",
    })
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.role == Role.EDITOR and not colleague.is_superuser
    assert client.post(url("core", "user", "delete", colleague.pk),
                       {"post": "yes"}).status_code == 403


def test_staff_without_manage_is_refused_by_the_policy(client):
    """The staff flag alone opens nothing: /admin/ answers to the role's ``manage``."""
    load_all()
    client.force_login(f.user(Role.EDITOR, is_staff=True))
    assert client.get(url("reference", "place")).status_code == 403
    assert client.get(url("reference", "place", "add")).status_code == 403
    place = Place.objects.get(iata="PNH")
    response = client.post(url("reference", "place", "change", place.pk), {"name": "x"})
    assert response.status_code == 403


def test_audit_log_and_tokens_are_read_only(client, superuser):
    with acting_as(superuser):
        f.seizure()
    entry = AuditEntry.objects.first()
    token = ApiToken.objects.create(user=superuser, name="script", key_hash="h" * 64,
                                    prefix="abcd1234")
    assert client.get(url("core", "auditentry", "add")).status_code == 403
    assert client.get(url("core", "auditentry", "change", entry.pk)).status_code == 200
    assert client.post(url("core", "auditentry", "delete", entry.pk),
                       {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert client.get(url("core", "apitoken", "add")).status_code == 403
    page = client.get(url("core", "apitoken", "change", token.pk)).content.decode()
    assert "h" * 64 not in page


def test_anonymous_is_sent_to_kouprey_sign_in(client):
    response = client.get(url("reference", "place"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/admin/reference/place/")
