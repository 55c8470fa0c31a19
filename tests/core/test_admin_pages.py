"""The admin pages carry Kouprey's name, in the reader's language."""

import pytest
from django.test import Client

from kouprey.core.permissions import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_admin_pages_are_kouprey_administration() -> None:
    """They said "Django administration" (Khmer: "ការគ្រប់គ្រងរបស់ Django")."""
    admin = Client()
    admin.force_login(f.user(Role.ADMIN, is_staff=True))
    html = admin.get("/admin/").content.decode()
    assert "<title>Site administration | Kouprey administration</title>" in html
    assert ">Kouprey administration</a>" in html and "Django administration" not in html
