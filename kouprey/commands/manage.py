"""``kouprey manage``: Django's management commands, for administrators."""

from __future__ import annotations

import typer

from kouprey.cli import app, setup_django


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command (for administrators).

    Example: kouprey manage showmigrations
    """
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kouprey", *ctx.args])
