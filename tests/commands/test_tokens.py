"""``kouprey token``: create (the key shown once), list (never the key), revoke."""

from __future__ import annotations

import pytest
from django.test import Client
from typer.testing import CliRunner

import kouprey.commands.tokens  # noqa: F401  registers ``token`` on the app
from kouprey.cli import app
from kouprey.core.models import ApiToken
from kouprey.core.permissions import Role
from tests import factories as f

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_create_prints_a_key_that_signs_in_and_only_its_hash_is_kept() -> None:
    f.user(Role.VIEWER, username="synthetic.script")
    result = runner.invoke(app, ["token", "create", "synthetic.script", "--name", "nightly"])
    assert result.exit_code == 0, result.output
    key = result.output.split()[0]
    assert key.startswith("kpy_")
    token = ApiToken.objects.get()
    assert token.name == "nightly" and token.expires_at is None
    assert key not in (token.key_hash, token.prefix)
    response = Client().get("/api/", headers={"Authorization": f"Bearer {key}"})
    assert response.json()["user"] == "synthetic.script"


def test_create_with_days_sets_an_expiry() -> None:
    f.user(username="synthetic.temp")
    result = runner.invoke(app, ["token", "create", "synthetic.temp", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert ApiToken.objects.get().expires_at is not None


def test_list_shows_tokens_but_never_the_key() -> None:
    f.user(username="synthetic.lister")
    key = runner.invoke(app, ["token", "create", "synthetic.lister"]).output.split()[0]
    result = runner.invoke(app, ["token", "list"])
    assert result.exit_code == 0, result.output
    assert "synthetic.lister" in result.output and key[:8] in result.output
    assert key not in result.output


def test_revoke_refuses_the_key_from_then_on() -> None:
    f.user(username="synthetic.revoked")
    key = runner.invoke(app, ["token", "create", "synthetic.revoked"]).output.split()[0]
    token = ApiToken.objects.get()
    result = runner.invoke(app, ["token", "revoke", str(token.pk)])
    assert result.exit_code == 0, result.output
    assert Client().get("/api/", headers={"Authorization": f"Bearer {key}"}).status_code == 401


@pytest.mark.parametrize("args", [["create", "nobody"], ["revoke", "999"], ["list", "nobody"]])
def test_unknown_user_or_token_is_a_clean_error(args: list[str]) -> None:
    result = runner.invoke(app, ["token", *args])
    assert result.exit_code == 1
    assert "Error:" in result.output and "Traceback" not in result.output
