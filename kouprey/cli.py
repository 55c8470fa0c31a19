"""The ``kouprey`` command: a thin layer over the services (STYLE.md rule 6)."""

from __future__ import annotations

import os

import typer

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kouprey.settings")

app = typer.Typer(
    help="Kouprey: the case and intelligence system for counter-wildlife-trafficking teams.",
    no_args_is_help=True,
    add_completion=False,
)


def setup_django() -> None:
    import django

    django.setup()


@app.command()
def manage(args: list[str] = typer.Argument(None, help="Arguments for Django's manage.py.")) -> None:
    """Run a Django management command (for administrators).

    Example: kouprey manage showmigrations
    """
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kouprey", *(args or [])])


if __name__ == "__main__":
    app()
