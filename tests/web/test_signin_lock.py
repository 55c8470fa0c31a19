"""An account is locked after repeated failed sign-ins (django-axes, settings "Sign-in
protection"): the page says why and for how long, other accounts are not affected, the
lock ends by itself or with ``kouprey unlock``, and the password typed is never logged."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from typer.testing import CliRunner

from kouprey.cli import app
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough secret 42"
WRONG = "guess-number-%d-xyzzy"


@pytest.fixture
def dara():
    user = f.user(username="dara")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def fail_times(client: Client, username: str, times: int) -> None:
    """``times`` wrong passwords; the fifth is answered with the lock."""
    for n in range(times):
        response = sign_in(client, username, WRONG % n)
        if n < 4:
            assert response.status_code == 200
            assert "correct username and password" in response.content.decode()
        else:
            assert response.status_code == 429


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_is_refused_after_five_failures(client, dara):
    fail_times(client, "dara", 4)
    assert sign_in(client, "dara", PASSWORD).status_code == 302  # four: still allowed
    client.post(reverse("logout"))
    fail_times(client, "dara", 5)

    response = sign_in(client, "dara", PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins for this account. Try again in 15 minutes" in page
    assert 'value="dara"' in page  # the form is there again, with the name typed
    assert not signed_in(client)


def test_a_lock_is_per_account_not_per_computer(client, dara):
    other = f.user(username="sophea")
    other.set_password(PASSWORD)
    other.save()
    fail_times(client, "dara", 5)

    assert sign_in(client, "sophea", PASSWORD).status_code == 302
    assert signed_in(client)


def test_an_unknown_name_is_locked_the_same_way(client):
    fail_times(client, "nobody-here", 5)
    response = sign_in(client, "nobody-here", "whatever it is 1")
    assert response.status_code == 429  # the answer does not tell whether the account exists


def test_the_lock_ends_after_the_cool_off(client, dara):
    fail_times(client, "dara", 5)
    assert sign_in(client, "dara", PASSWORD).status_code == 429
    AccessAttempt.objects.filter(username="dara").update(
        attempt_time=timezone.now() - timedelta(minutes=16))

    assert sign_in(client, "dara", PASSWORD).status_code == 302


def test_kouprey_unlock_lifts_the_lock(client, dara):
    fail_times(client, "dara", 6)

    result = CliRunner().invoke(app, ["unlock", "dara"])

    assert result.exit_code == 0, result.output
    assert "Unlocked dara: 6 failed sign-in(s) cleared." in result.output
    assert sign_in(client, "dara", PASSWORD).status_code == 302
    again = CliRunner().invoke(app, ["unlock", "dara"])
    assert "dara has no failed sign-ins to clear." in again.output


def test_the_lock_message_is_in_khmer_for_a_khmer_page(client, dara):
    fail_times(client, "dara", 5)
    response = client.post(reverse("login"), {"username": "dara", "password": PASSWORD},
                           HTTP_ACCEPT_LANGUAGE="km")
    assert response.status_code == 429
    assert "Too many failed sign-ins" not in response.content.decode()


def test_no_password_reaches_the_log(client, dara, caplog):
    caplog.set_level(logging.DEBUG)
    fail_times(client, "dara", 5)
    sign_in(client, "dara", PASSWORD)
    sign_in(client, "my secret typed as a name", PASSWORD)  # a slip people make
    assert "Locking out" in caplog.text  # the failures and the lock are logged
    for n in range(5):
        assert WRONG % n not in caplog.text
    assert PASSWORD not in caplog.text
    assert "my secret typed as a name" not in caplog.text
