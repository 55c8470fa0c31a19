"""``kouprey indicators``, ``kouprey demo`` and ``kouprey check``: thin over the services."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from kouprey.cli import app, console, fail, setup_django

DATE_FORMATS = ["%Y-%m-%d"]


class IndicatorFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class CheckFormat(StrEnum):
    table = "table"
    json = "json"


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _user(username: str | None) -> Any:
    if username is None:
        return None
    from kouprey.core.models import User

    user = User.objects.filter(username=username).first()
    if user is None or not user.is_active:
        fail(f"No active user named {username!r}.")
    return user


UserOption = Annotated[str | None, typer.Option(
    metavar="USER", help="Only the records this user may see (default: every record, the "
                         "administrator's view).")]


@app.command()
def indicators(
    since: Annotated[datetime | None, typer.Option(
        formats=DATE_FORMATS, metavar="DATE", help="Seizures on or after this date.")] = None,
    until: Annotated[datetime | None, typer.Option(
        formats=DATE_FORMATS, metavar="DATE", help="Seizures on or before this date.")] = None,
    fmt: Annotated[IndicatorFormat, typer.Option(
        "--format", help="table, json or csv.")] = IndicatorFormat.table,
    user: UserOption = None,
    validated_only: Annotated[bool, typer.Option(
        "--validated-only", help="Count validated seizures only.")] = False,
    with_ids: Annotated[bool, typer.Option(
        "--with-ids", help="Add the ids of the records behind each number (json).")] = False,
) -> None:
    """Print the indicators computed from the records (the table of the /indicators/ page).

    Dates filter on the seizure date; case indicators count the cases whose earliest linked
    seizure is in the range. Without --user every record is counted.

    Example: kouprey indicators --until 2018-01-31 --format json
    """
    setup_django()
    from kouprey.indicators import cache, output, services

    if since and until and since > until:
        fail("--since is after --until.")
    scope = services.Scope(user=_user(user), since=_day(since), until=_day(until),
                           validated_only=validated_only)
    rows = cache.compute(scope)
    if fmt is IndicatorFormat.json:
        sys.stdout.write(json.dumps(output.as_json(rows, scope, with_ids), ensure_ascii=False,
                                    indent=2) + "\n")
    elif fmt is IndicatorFormat.csv:
        sys.stdout.write("".join(output.csv_text(rows)).lstrip("\ufeff"))
    else:
        _print_tables(rows)
        console.print(f"\n[italic]{services.CAVEAT}[/italic]", highlight=False)


def _print_tables(rows: list[Any]) -> None:
    from kouprey.indicators import output, services

    groups: dict[str, list[Any]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    for group, members in groups.items():
        if group == "headline":
            table = Table(title="Indicators", title_justify="left")
            table.add_column("id")
            table.add_column("indicator")
            table.add_column("value", justify="right")
            table.add_column("of", justify="right")
            for row in members:
                part = f"{row.numerator} / {row.denominator}" if row.numerator is not None \
                    else ""
                table.add_row(row.id, row.label, output.display(row), part)
        else:
            table = Table(title=str(services.BREAKDOWNS[group].label), title_justify="left")
            table.add_column("")
            table.add_column("seizures", justify="right")
            weighed = bool(services.BREAKDOWNS[group].weight)
            if weighed:
                table.add_column("kg", justify="right")
            for row in members:
                cells = [row.label, output.display(row)]
                if weighed:
                    kg = row.extra.get("weight_kg")
                    cells.append("—" if kg is None else f"{kg:,.3f}")
                table.add_row(*cells)
        console.print(table)


@app.command()
def demo(
    admin_password_file: Annotated[Path | None, typer.Option(
        metavar="FILE", help="Also write the demo users' password here (mode 0600).")] = None,
    reset_password: Annotated[bool, typer.Option(
        "--reset-password", help="Give the demo users a new random password.")] = False,
) -> None:
    """Add the Cambodia demo data (run `kouprey init` first); running it again changes nothing.

    Creates the demo organisations, the users demo (admin), demo-analyst and demo-gdce
    (viewer in another organisation) with one random password, and 23 seizures and 11 cases
    from the seed documents' facts. Every person is fictitious and marked synthetic.

    Example: kouprey demo --admin-password-file var/demo-password
    """
    setup_django()
    from kouprey.demo.builder import DemoError, build

    try:
        result = build(admin_password_file, reset_password)
    except DemoError as exc:
        fail(str(exc))
    if result.seizures_created or result.cases_created:
        console.print(f"Demo data: {result.seizures_created} seizures and "
                      f"{result.cases_created} cases added.", highlight=False)
    else:
        console.print("Demo data already present: nothing changed.", highlight=False)
    for user in result.users:
        console.print(f"  sign in as [bold]{user.username}[/bold] "
                      f"({user.get_role_display()}, {user.organisation})", highlight=False)
    if result.password:
        console.print(f"  password: [bold]{result.password}[/bold]", highlight=False)
        if admin_password_file is not None:
            console.print(f"  (also in {admin_password_file})", highlight=False)
    if result.unknown_password:
        console.print("  The password of " + ", ".join(result.unknown_password)
                      + " was set earlier and is kept; run `kouprey demo --reset-password` "
                      "for a new one.", highlight=False)


@app.command()
def check(
    fmt: Annotated[CheckFormat, typer.Option(
        "--format", help="table or json.")] = CheckFormat.table,
    user: UserOption = None,
) -> None:
    """Check the records' consistency; exit 1 when there is an error (warnings exit 0).

    Rules: a verdict without a charge, a sentence without a conviction, an event before the
    seizure, items whose weight does not fit their pieces, origin proportions not summing
    to 1, validated seizures without items; warnings for suspects without nationality in
    validated seizures.

    Example: kouprey check --format json
    """
    setup_django()
    from kouprey.core.checks import ERROR, run_checks

    problems = run_checks(_user(user))
    if fmt is CheckFormat.json:
        sys.stdout.write(json.dumps([p.as_dict() for p in problems], ensure_ascii=False,
                                    indent=2) + "\n")
    elif problems:
        for p in problems:  # one line per problem, so it reads and greps well
            colour = "red" if p.severity == ERROR else "yellow"
            text = escape(f"{p.rule}: {p.record}: {p.message}")
            console.print(f"[{colour}]{p.severity}[/{colour}] {text}", highlight=False,
                          soft_wrap=True)
        errors = sum(1 for p in problems if p.severity == ERROR)
        console.print(f"{errors} errors, {len(problems) - errors} warnings.")
    else:
        console.print("No problems found.")
    errors = sum(1 for p in problems if p.severity == ERROR)
    if errors:
        raise typer.Exit(1)
