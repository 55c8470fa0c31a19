"""``kouprey init`` and ``kouprey createuser``."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kouprey.cli import app
from kouprey.core.models import Organisation, User
from kouprey.core.permissions import Confidentiality, Role
from kouprey.reference.loaders import load_all

PASSWORD = "a long enough secret 42"
runner = CliRunner()


def kouprey(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``kouprey`` command in a fresh process with these settings."""
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-c", "from kouprey.cli import app; app()", *args],
        env={**os.environ, "COLUMNS": "120", **env}, capture_output=True, text=True,
        timeout=300, check=False,
    )


def test_init_on_a_fresh_sqlite_file_twice(tmp_path: Path):
    env = {"KOUPREY_DATA_DIR": str(tmp_path),
           "KOUPREY_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    first = kouprey(env, "init")
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "fresh.sqlite3").is_file()
    assert "places" in first.stdout and "930" in first.stdout
    second = kouprey(env, "init")
    assert second.returncode == 0, second.stderr
    rows = [line.split("│") for line in second.stdout.splitlines()
            if line.count("│") == 6 and "table" not in line]
    assert rows and {r[3].strip() for r in rows} == {"0"}  # created
    assert {r[5].strip() for r in rows} == {"0"}  # names kept (none differ)


def test_init_on_postgresql_when_available():
    url = os.environ.get("KOUPREY_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("KOUPREY_TEST_POSTGRES_URL is not set")
    import psycopg

    name = f"kouprey_init_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        fresh = url.rsplit("/", 1)[0] + "/" + name
        for _ in range(2):
            result = kouprey({"KOUPREY_DATABASE_URL": fresh}, "init")
            assert result.returncode == 0, result.stderr
        assert "postgresql" in result.stdout
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.django_db
def test_createuser_with_a_password_file(tmp_path: Path):
    load_all()
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD + "\n")
    result = runner.invoke(app, ["createuser", "dara", "--org", "gdce", "--role", "editor",
                                 "--password-file", str(secret), "--clearance", "confidential"])
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    user = User.objects.get(username="dara")
    assert user.check_password(PASSWORD)
    assert (user.role, user.clearance) == (Role.EDITOR, Confidentiality.CONFIDENTIAL)
    assert not user.is_staff and not user.is_superuser
    org = user.organisation
    assert (org.code, org.kind) == ("gdce", Organisation.Kind.AGENCY)
    assert "Customs" in org.name and org.name_km


@pytest.mark.django_db
def test_createuser_prompts_and_makes_superusers_staff():
    result = runner.invoke(app, ["createuser", "root", "--org", "hq", "--org-name",
                                 "Headquarters", "--role", "admin", "--superuser"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    user = User.objects.get(username="root")
    assert user.is_superuser and user.is_staff and user.check_password(PASSWORD)
    assert user.organisation.name == "Headquarters"
    assert Organisation.objects.filter(code="hq").count() == 1


@pytest.mark.django_db
def test_existing_organisation_is_reused():
    Organisation.objects.create(code="wcs", name="WCS Cambodia")
    result = runner.invoke(app, ["createuser", "ana", "--org", "wcs", "--role", "analyst",
                                 "--clearance", "3"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert User.objects.get(username="ana").organisation.name == "WCS Cambodia"
    assert User.objects.get(username="ana").clearance == 3


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "message"), [
    (["--role", "boss"], "unknown role 'boss'"),
    (["--role", "viewer", "--clearance", "top"], "unknown clearance 'top'"),
    (["--role", "viewer", "--clearance", "9"], "unknown clearance '9'"),
    (["--role", "viewer", "--password-file", "/nonexistent/pw"], "cannot read"),
])
def test_bad_input_exits_non_zero_and_creates_nothing(args, message):
    result = runner.invoke(app, ["createuser", "eve", "--org", "wcs", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert not User.objects.filter(username="eve").exists()
    assert not Organisation.objects.filter(code="wcs").exists()


@pytest.mark.django_db
def test_weak_password_and_duplicate_user_are_refused(tmp_path: Path):
    weak = tmp_path / "weak"
    weak.write_text("short\n")
    result = runner.invoke(app, ["createuser", "eve", "--org", "wcs", "--role", "viewer",
                                 "--password-file", str(weak)])
    assert result.exit_code != 0 and "password was refused" in result.output
    assert "short" not in result.output.replace("too short", "")
    assert not User.objects.filter(username="eve").exists()
    User.objects.create_user("eve", password=PASSWORD)
    result = runner.invoke(app, ["createuser", "eve", "--org", "wcs", "--role", "viewer"])
    assert result.exit_code != 0 and "already exists" in result.output


@pytest.mark.django_db
def test_bad_organisation_code():
    result = runner.invoke(app, ["createuser", "eve", "--org", "Not A Slug", "--role", "viewer"])
    assert result.exit_code != 0 and "organisation code" in result.output
