"""``kouprey import`` and ``kouprey export``: seizures in and out of CSV, XLSX and JSON.

Who the records are read or written for: ``--user USER`` acts as that user (their role must
allow import / export; exports hold only what they may export). An administrator at the
shell may instead import with ``--org ORG`` alone (the audit log then says "system") and
export everything with ``--all-orgs``; one of the two is always required, so an export
never widens by accident.
"""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from kouprey.cli import app, console, err_console, fail, setup_django

import_app = typer.Typer(help="Import records from CSV or XLSX files.", no_args_is_help=True,
                         rich_markup_mode=None)
export_app = typer.Typer(help="Export records and official reports (CSV, XLSX, JSON).",
                         no_args_is_help=True, rich_markup_mode=None)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")

UserOption = Annotated[str | None, typer.Option(
    "--user", metavar="USER", help="Act as this user (their role and organisation apply).")]
AllOrgsOption = Annotated[bool, typer.Option(
    "--all-orgs", help="Administrator at the shell: every organisation's records.")]
YearOption = Annotated[int, typer.Option("--year", metavar="YEAR", help="Seizures dated in "
                                         "this calendar year.")]


@dataclass
class ShellAdministrator:
    """The administrator at the shell (``--all-orgs``): reads every record through the
    same ``restrict()`` as everyone else, as a superuser would."""

    username: str = "system"
    is_superuser: bool = True
    is_authenticated: bool = True
    is_active: bool = True
    organisation_id: int | None = None
    pk: int | None = None


def find_user(username: str) -> Any:
    from kouprey.core.models import User

    user = User.objects.filter(username=username).first()
    if user is None or not user.is_active:
        fail(f"No active user named {username!r}.")
    return user


def reader(username: str | None, all_orgs: bool) -> Any:
    if username and all_orgs:
        fail("Give --user or --all-orgs, not both.")
    if not username and not all_orgs:
        fail("Say whose view to export: --user USER, or --all-orgs (administrator).")
    return find_user(username) if username else ShellAdministrator()


# --- import -------------------------------------------------------------------------------

def _problems_table(result: Any) -> Table:
    table = Table("row", "column", "value", "reason", title="Problems")
    for problem in result.problems:
        table.add_row(str(problem.row or ""), problem.column, problem.value, problem.reason)
    return table


def _report(result: Any) -> None:
    for warning in result.warnings:
        err_console.print(f"[yellow]Warning:[/yellow] {warning}", highlight=False)
    counts = ", ".join(f"{n} {k}" for k, n in result.children.items())
    verb = "would be imported" if result.dry_run else "imported"
    if result.ok:
        console.print(f"{result.rows} rows read: {result.created} seizures {verb}"
                      f"{f' ({counts})' if counts else ''}, {result.unchanged} already "
                      f"present and left unchanged.", highlight=False)
        return
    err_console.print(_problems_table(result))
    more = result.problem_count - len(result.problems)
    if more:
        err_console.print(f"... and {more} more problems.", highlight=False)


@import_app.command("seizures")
def import_seizures_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A .csv or .xlsx file.")],
    mapping: Annotated[str | None, typer.Option(
        "--mapping", metavar="NAME",
        help="Column mapping: default, lemis, or a saved mapping's name.")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Check every row and list the problems; write nothing.")] = False,
    org: Annotated[str | None, typer.Option(
        "--org", metavar="ORG", help="Owning organisation's code (default: the user's).")
    ] = None,
    user: UserOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")
                       ] = False,
) -> None:
    """Import seizures with their items, suspects and trade chain, all or nothing.

    Exits 0 when every row was imported (or, with --dry-run, would be); otherwise lists
    each problem (row, column, value, reason), writes nothing and exits 1. Seizures whose
    external id is already present are left unchanged, so importing a file twice is safe.

    Example: kouprey import seizures lemis.csv --mapping lemis --org wcs --dry-run
    """
    setup_django()
    from kouprey.core.audit import acting_as
    from kouprey.core.importing import FileRejected
    from kouprey.core.models import Organisation
    from kouprey.seizures.importers import import_seizures

    who = find_user(user) if user else None
    org_id = None
    if org:
        found = Organisation.objects.filter(code=org).first()
        if found is None:
            fail(f"No organisation with code {org!r}.")
        org_id = found.pk
    try:
        with acting_as(who), _progress(not as_json) as progress:
            result = import_seizures(file, mapping=mapping, user=who, org_id=org_id,
                                     dry_run=dry_run, progress=progress, parallel=True)
    except (FileRejected, LookupError, PermissionError, ValueError) as exc:
        fail(str(exc))
    recounted = _recount_indicators(show=not as_json) if result.committed else None
    if as_json:
        console.print_json(json.dumps({**result.as_dict(), "indicators": recounted},
                                      default=str))
    else:
        _report(result)
        if recounted and recounted["recounted"]:
            console.print(f"Indicators brought up to date in {recounted['seconds']} s.",
                          highlight=False)
    if not result.ok:
        raise typer.Exit(1)


def _recount_indicators(show: bool) -> dict[str, Any]:
    """After a committed import: the indicator tallies of what it wrote, recounted here
    (``store.bring_up_to_date``), with a spinner on a terminal."""
    from kouprey.indicators import store

    status = err_console.status("Bringing the indicators up to date") \
        if show and err_console.is_terminal else nullcontext()
    with status:
        return store.bring_up_to_date()


class _progress:
    """A rich progress bar fed by the import's (position, total) callbacks."""

    def __init__(self, show: bool) -> None:
        self.show = show and err_console.is_terminal
        self.bar = Progress(TextColumn("importing"), BarColumn(), TaskProgressColumn(),
                            TimeRemainingColumn(), console=err_console, transient=True)
        self.task = self.bar.add_task("import", total=None)

    def __enter__(self) -> Any:
        if not self.show:
            return None
        self.bar.start()
        return self.update

    def update(self, position: int, total: int | None) -> None:
        self.bar.update(self.task, completed=position, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.show:
            self.bar.stop()


@import_app.command("save-mapping")
def save_mapping(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The mapping's name.")],
    columns: Annotated[Path, typer.Argument(
        metavar="JSON", help='A JSON file {"file column header": "kouprey column", ...}.')],
    org: Annotated[str | None, typer.Option(
        "--org", metavar="ORG", help="Only for this organisation (default: everyone).")
    ] = None,
) -> None:
    """Save (or replace) a column mapping for `kouprey import seizures --mapping NAME`.

    Example: kouprey import save-mapping customs-2019 customs-columns.json --org gdce
    """
    setup_django()
    from kouprey.core.models import ColumnMapping, Organisation
    from kouprey.seizures.mappings import builtin_mappings, check_columns

    if name in builtin_mappings():
        fail(f"{name!r} is a built-in mapping; choose another name.")
    try:
        data = json.loads(columns.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        fail(f"Cannot read {columns}: {exc}")
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        fail('The JSON must be an object {"file column header": "kouprey column"}.')
    errors = check_columns(data)
    if errors:
        fail("; ".join(errors))
    owner = Organisation.objects.filter(code=org).first() if org else None
    if org and owner is None:
        fail(f"No organisation with code {org!r}.")
    ColumnMapping.objects.update_or_create(target="seizures", name=name, owner_org=owner,
                                           defaults={"columns": data})
    console.print(f"Saved mapping {name!r} ({len(data)} columns).", highlight=False)


@import_app.command("mappings")
def list_mappings() -> None:
    """List the column mappings: built-in and saved.

    Example: kouprey import mappings
    """
    setup_django()
    from kouprey.core.models import ColumnMapping
    from kouprey.seizures.mappings import builtin_mappings

    table = Table("name", "target", "organisation", "columns")
    for name in builtin_mappings():
        table.add_row(name, "seizures", "(built-in)", "see docs/import-export.md")
    for saved in ColumnMapping.objects.select_related("owner_org"):
        table.add_row(saved.name, saved.target, saved.owner_org.code if saved.owner_org
                      else "(all)", ", ".join(f"{k} -> {v}" for k, v in saved.columns.items()))
    console.print(table)


# --- export -------------------------------------------------------------------------------

def _output(path: Path, suffixes: tuple[str, ...]) -> None:
    if path.suffix.lower() not in suffixes:
        fail(f"--output must end in {' or '.join(suffixes)}.")


@export_app.command("seizures")
def export_seizures(
    fmt: Annotated[str, typer.Option("--format", metavar="csv|xlsx|json",
                                     help="File format.")] = "csv",
    year: Annotated[int | None, typer.Option("--year", metavar="YEAR",
                                             help="Only seizures dated in this year.")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", metavar="FILE", help="Write here (default: standard output; not xlsx).")
    ] = None,
    layout: Annotated[str, typer.Option(
        "--layout", metavar="import|summary",
        help="import: one row per item/suspect, re-importable; summary: one row per seizure."
    )] = "import",
    user: UserOption = None,
    all_orgs: AllOrgsOption = False,
) -> None:
    """Export seizures as CSV, XLSX or JSON (only what the user may export).

    Example: kouprey export seizures --format xlsx --year 2019 --output s.xlsx --user ana
    """
    if fmt not in ("csv", "xlsx", "json") or layout not in ("import", "summary"):
        fail("--format is csv, xlsx or json; --layout is import or summary.")
    if fmt == "xlsx" and output is None:
        fail("An XLSX export needs --output FILE.xlsx.")
    if output is not None and fmt != "json":
        _output(output, (f".{fmt}",))
    setup_django()
    from kouprey.core.permissions import EXPORT
    from kouprey.reports.common import write_table
    from kouprey.seizures import exporters
    from kouprey.seizures.models import Seizure

    queryset = Seizure.objects.restrict(reader(user, all_orgs), EXPORT)
    if year is not None:
        queryset = queryset.filter(date__year=year)
    if fmt == "json":
        if output is None:
            exporters.write_json(queryset, sys.stdout)
        else:
            with output.open("w", encoding="utf-8") as out:
                count = exporters.write_json(queryset, out)
            err_console.print(f"{count} seizures written to {output}.", highlight=False)
        return
    header, rows = ((exporters.IMPORT_HEADER, exporters.import_rows(queryset))
                    if layout == "import" else
                    (exporters.SUMMARY_HEADER, exporters.summary_rows(queryset)))
    if output is None:
        from kouprey.core.tabular import csv_lines

        for line in csv_lines(header, rows):
            sys.stdout.write(line)
        return
    write_table(output, header, rows, title="Seizures")
    err_console.print(f"Written to {output}.", highlight=False)


@export_app.command("cites-aitr")
def export_cites_aitr(
    year: YearOption,
    output: Annotated[Path, typer.Option("--output", metavar="FILE.xlsx",
                                         help="The workbook to write.")],
    user: UserOption = None,
    all_orgs: AllOrgsOption = False,
) -> None:
    """Write the CITES Annual Illegal Trade Report seizure sheet for a year.

    One row per seized item. Check the headings against the Secretariat's current template
    before submitting (docs/import-export.md says what was and was not verified).

    Example: kouprey export cites-aitr --year 2019 --output aitr-2019.xlsx --user ana
    """
    _output(output, (".xlsx", ".csv"))
    setup_django()
    from kouprey.reports import cites_aitr
    from kouprey.reports.common import write_table

    rows = list(cites_aitr.rows(reader(user, all_orgs), year))
    write_table(output, cites_aitr.HEADER, rows, title=cites_aitr.SHEET)
    console.print(f"{len(rows)} items of {year} written to {output}.", highlight=False)


@export_app.command("etis")
def export_etis(
    year: YearOption,
    output: Annotated[Path, typer.Option("--output", metavar="FILE",
                                         help="A .xlsx or .csv file to write.")],
    validated_only: Annotated[bool, typer.Option(
        "--validated-only", help="Only validated seizures (as ETIS counts them).")] = False,
    user: UserOption = None,
    all_orgs: AllOrgsOption = False,
) -> None:
    """Write an ETIS-style export of the year's ivory seizures (RIE = raw + worked/0.7).

    Example: kouprey export etis --year 2019 --output etis-2019.xlsx --user ana
    """
    _output(output, (".xlsx", ".csv"))
    setup_django()
    from kouprey.reports import etis
    from kouprey.reports.common import write_table

    rows = list(etis.rows(reader(user, all_orgs), year, validated_only=validated_only))
    write_table(output, etis.HEADER, rows, title=etis.SHEET)
    console.print(f"{len(rows)} ivory seizures of {year} written to {output}.",
                  highlight=False)
