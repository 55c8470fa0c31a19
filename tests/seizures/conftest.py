"""Fixtures the seizure page tests share: the WCS organisation and a signed-in editor of it
(a module may define its own ``editor``, as test_forms does)."""

import pytest
from django.test import Client

from kouprey.core.models import Organisation, User
from kouprey.core.permissions import Role
from tests import factories as f


@pytest.fixture
def wcs() -> Organisation:
    return f.organisation("wcs")


@pytest.fixture
def editor(client: Client, wcs: Organisation) -> User:
    user = f.user(Role.EDITOR, wcs)
    client.force_login(user)
    return user
