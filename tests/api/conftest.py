"""API tests: fast password hashing (Argon2 itself is tested in tests/core)."""

import pytest


@pytest.fixture(autouse=True)
def _fast_hasher(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
