"""The ``kouprey`` command: a thin layer over the services (STYLE.md rule 6).

Each group of commands lives in ``kouprey/commands/<name>.py`` and registers itself on
``app``; this module only imports them. Every command has an example in its help, and turns
errors into a clean message with a non-zero exit (``fail``).
"""

from __future__ import annotations

import os
from importlib import import_module
from typing import NoReturn

import typer
from rich.console import Console

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kouprey.settings")

app = typer.Typer(
    help="Kouprey: the case and intelligence system for counter-wildlife-trafficking teams.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
console = Console()
err_console = Console(stderr=True)

COMMAND_MODULES = ["manage", "server", "setup", "tokens", "analysis", "data"]


@app.callback()
def main() -> None:
    """Kouprey: the case and intelligence system for counter-wildlife-trafficking teams.

    Settings come from KOUPREY_* environment variables (see docs/admin-guide.md).
    """


def setup_django() -> None:
    """Set Django up once. Again would configure logging anew, onto whatever standard error
    is at that moment (a test runner's captured stream, closed right after)."""
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a clean error (no traceback) and exit non-zero."""
    err_console.print(f"[red]Error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


for _name in COMMAND_MODULES:
    import_module(f"kouprey.commands.{_name}")


if __name__ == "__main__":
    app()
