"""Shared fixtures. Test data builders live in tests/factories."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The larger real data sets beside the repository; skip where they are absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data is not beside the repository ({SHARED_DATA}); "
                    "this test reads the real data set there.")
    return SHARED_DATA


def pytest_configure() -> None:
    """Cheap Argon2 parameters in tests only (tests/hashers.py): the suite runs minutes faster."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher",
                                 *settings.PASSWORD_HASHERS]
    # WhiteNoise serves the files through the finders in tests; without the directory it
    # warns on each new handler (a fresh clone has not run collectstatic).
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in Khmer leaves Khmer active in the thread (LocaleMiddleware activates the
    request's language and nothing resets it between test-client calls): the next test would
    read translated messages. Each test starts from the default language."""
    from django.utils import translation

    yield
    translation.deactivate()
