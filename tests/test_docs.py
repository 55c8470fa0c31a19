"""The documentation keeps up with the code (STYLE.md rules 5, 6 and 14).

- docs/cli.md is exactly what ``make docs`` generates from the commands' --help;
- every ``KOUPREY_*`` setting that kouprey/settings.py reads is in the admin guide's table,
  and the table names no setting that does not exist;
- every command's help has an example;
- README.md starts with the two commands, ``make demo`` and ``make test``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import typer
import typer.main

from kouprey import clidocs
from kouprey.cli import app

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ROOT / "kouprey" / "settings.py"
ADMIN_GUIDE = ROOT / "docs" / "admin-guide.md"
ENV_READERS = {"env", "env_bool", "env_int", "env_list"}


def settings_read() -> set[str]:
    """Every NAME in ``env("NAME" ...)`` / ``env_bool("NAME" ...)`` calls in settings.py."""
    names = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ENV_READERS and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names.add(f"KOUPREY_{node.args[0].value}")
    return names


def settings_documented() -> set[str]:
    """The names in the first column of the admin guide's settings table."""
    return set(re.findall(r"^\|\s*`(KOUPREY_[A-Z0-9_]+)`\s*\|", ADMIN_GUIDE.read_text(),
                          flags=re.MULTILINE))


def test_cli_reference_is_generated_from_the_commands() -> None:
    written = (ROOT / "docs" / "cli.md").read_text()
    assert written == clidocs.generate(), (
        "docs/cli.md is out of date: run `make docs` and commit docs/cli.md")


def test_settings_parser_finds_the_settings() -> None:
    assert {"KOUPREY_DATABASE_URL", "KOUPREY_DATA_DIR", "KOUPREY_SECRET_KEY"} <= settings_read()


def test_every_setting_is_in_the_admin_guide() -> None:
    missing = sorted(settings_read() - settings_documented())
    assert not missing, f"add these settings to the table in docs/admin-guide.md: {missing}"


def test_the_admin_guide_names_no_setting_that_does_not_exist() -> None:
    stale = sorted(settings_documented() - settings_read())
    assert not stale, f"docs/admin-guide.md documents settings that settings.py does not read: " \
                      f"{stale}"


def commands() -> list[typer.Context]:
    """Every command that runs something (groups only list their sub-commands)."""
    root = clidocs.context(typer.main.get_command(app), "kouprey")
    return [ctx for ctx in clidocs.walk(root) if not hasattr(ctx.command, "list_commands")]


@pytest.mark.parametrize("ctx", commands(), ids=lambda ctx: ctx.command_path)
def test_every_command_has_an_example(ctx: typer.Context) -> None:
    assert "Example:" in clidocs.help_text(ctx), (
        f"`{ctx.command_path} --help` needs an 'Example:' line in its docstring")


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```[a-z]*\n(.*?)```", readme, flags=re.DOTALL)
    assert first_block is not None, "README.md has no command block"
    lines = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()
                if line.strip()]
    assert lines[:2] == ["make demo", "make test"], (
        "README.md's first command block must start with `make demo` and `make test`")
