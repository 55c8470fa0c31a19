"""``kouprey token``: API tokens for scripts (``Authorization: Bearer <key>``).

The key is printed once, when it is created; only its hash is stored, so a lost key cannot
be shown again: revoke it and create another.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import typer
from rich.table import Table

from kouprey.cli import app, console, fail, setup_django

token_app = typer.Typer(help="API tokens for scripts: create, list, revoke.",
                        no_args_is_help=True, rich_markup_mode=None)
app.add_typer(token_app, name="token")


def _user(username: str) -> Any:
    from kouprey.core.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        fail(f"No user named {username!r}; create one with `kouprey createuser`.")
    if not user.is_active:
        fail(f"User {username!r} is deactivated; a token for them would not work.")
    return user


@token_app.command("create")
def create(
    username: Annotated[str, typer.Argument(metavar="USER", help="Who the token signs in as.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "script",
    days: Annotated[int | None, typer.Option(
        "--days", min=1, help="Expire after this many days (default: never).")] = None,
) -> None:
    """Create a token and print its key (shown this once only).

    The token acts as USER, with USER's organisation, role and clearance.

    Example: kouprey token create analyst --name nightly-export --days 90
    """
    setup_django()
    from django.utils import timezone

    from kouprey.core import tokens

    user = _user(username)
    expires = timezone.now() + timedelta(days=days) if days else None
    key = tokens.issue(user, name, expires_at=expires)
    console.print(key, highlight=False, soft_wrap=True)
    console.print(f"Token {name!r} for {user.username}. Store the key now: it is not kept and "
                  "cannot be shown again. Send it as `Authorization: Bearer <key>`.",
                  style="dim", highlight=False, soft_wrap=True)


@token_app.command("list")
def list_tokens(
    username: Annotated[str | None, typer.Argument(
        metavar="[USER]", help="Only this user's tokens.")] = None,
) -> None:
    """List tokens (their id, owner, name and key prefix; never the key).

    Example: kouprey token list analyst
    """
    setup_django()
    from kouprey.core.models import ApiToken

    rows = ApiToken.objects.select_related("user").order_by("id")
    if username:
        rows = rows.filter(user=_user(username))
    table = Table(box=None)
    for column in ("id", "user", "name", "key starts", "created", "last used", "expires"):
        table.add_column(column, no_wrap=True)
    for token in rows:
        table.add_row(str(token.pk), token.user.username, token.name, token.prefix,
                      _when(token.created_at), _when(token.last_used_at),
                      _when(token.expires_at))
    console.print(table)


def _when(moment: Any) -> str:
    return f"{moment:%Y-%m-%d}" if moment else "-"


@token_app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(metavar="ID", help="The id `token list` shows.")],
) -> None:
    """Revoke a token: scripts using it are refused from now on.

    Example: kouprey token revoke 3
    """
    setup_django()
    from kouprey.core.models import ApiToken

    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None:
        fail(f"No token with id {token_id}; `kouprey token list` shows them.")
    label = f"{token.name!r} of {token.user.username}"
    token.delete()
    console.print(f"Revoked token {token_id} ({label}).", highlight=False)
