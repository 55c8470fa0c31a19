"""``kouprey init``, ``kouprey createuser`` and ``kouprey unlock``: set up a database and the
people who use it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from kouprey.cli import app, console, fail, setup_django
from kouprey.core.permissions import Confidentiality

if TYPE_CHECKING:
    from kouprey.core.models import Organisation
    from kouprey.reference.loaders import Counts

# Clearance levels by name: open, restricted, confidential, secret.
CLEARANCE_NAMES = {level.name.lower(): int(level) for level in Confidentiality}


def migrate() -> None:
    """Create or bring the database schema up to date (SQLite or PostgreSQL)."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def counts_table(counts: dict[str, Counts]) -> Table:
    table = Table(title="Reference data")
    for column in ("table", "rows", "created", "updated", "names kept"):
        table.add_column(column, justify="left" if column == "table" else "right")
    for label, c in counts.items():  # names kept: differ from the bundle's, never overwritten
        table.add_row(label, str(c.total), str(c.created), str(c.updated), str(c.names_kept))
    return table


@app.command()
def init(
    migrate_only: Annotated[bool, typer.Option(
        "--migrate-only", help="Only create or migrate the database; load no reference data.",
    )] = False,
) -> None:
    """Create or migrate the database and load the reference data (safe to run again).

    The database is KOUPREY_DATABASE_URL, else an SQLite file under KOUPREY_DATA_DIR.
    Reference rows are matched on their codes: running init again changes nothing, and
    rows admins added are kept.

    Example: kouprey init
    """
    setup_django()
    from django.db import DatabaseError, connection

    from kouprey.reference.loaders import load_all

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.completed}/{task.total}"))
    counts: dict[str, Counts] = {}
    try:
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("Migrating the database", total=None)
            migrate()
            bar.update(task, description="Migrated the database", total=1, completed=1)
            if not migrate_only:
                loading = bar.add_task("Loading reference data", total=None)

                def progress(label: str, done: int, total: int) -> None:
                    bar.update(loading, description=f"Loaded {label}", completed=done,
                               total=total)

                counts = load_all(progress)
    except DatabaseError as error:
        fail(f"the database ({connection.vendor}) refused: {error}")
    console.print(f"Database ready ({connection.vendor}: {connection.settings_dict['NAME']}).")
    if counts:
        console.print(counts_table(counts))
    console.print("Next: kouprey createuser NAME --org CODE --role admin --superuser")


def parse_clearance(value: str) -> int:
    """A clearance level by number (1-4) or name (open, restricted, confidential, secret)."""
    level = CLEARANCE_NAMES.get(value.strip().lower())
    if level is None and value.strip().isdigit() and int(value) in CLEARANCE_NAMES.values():
        level = int(value)
    if level is None:
        fail(f"unknown clearance {value!r}; choose 1-4 or one of: {', '.join(CLEARANCE_NAMES)}")
    return level


def read_password(path: Path | None) -> str:
    """The password from the first line of ``path``, else asked twice without echo."""
    if path is None:
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        fail(f"cannot read the password file {path}: {error.strerror}")
    if not lines or not lines[0]:
        fail(f"the password file {path} is empty")
    return lines[0]


ORG_KINDS = {"ngo": "ngo", "court": "court", "lab": "lab"}


def organisation(code: str, name: str | None) -> Organisation:
    """The organisation with this code, created when missing (named after the agency with
    the same code in the reference data, if there is one)."""
    from kouprey.core.models import Organisation
    from kouprey.reference.models import Agency

    found = Organisation.objects.filter(code=code).first()
    if found is not None:
        return found
    agency = Agency.objects.filter(code=code).first()
    fields = {"name": name or code.upper(), "kind": Organisation.Kind.AGENCY}
    if agency is not None:
        fields.update(name=name or agency.name, name_km=agency.name_km,
                      kind=ORG_KINDS.get(agency.kind, Organisation.Kind.AGENCY))
    created = Organisation.objects.create(code=code, **fields)
    console.print(f"Created organisation {created.code} ({created.name}).")
    return created


@app.command()
def createuser(
    name: Annotated[str, typer.Argument(help="The user name to sign in with.")],
    org: Annotated[str, typer.Option(
        "--org", metavar="CODE", help="Organisation code; created when missing.")],
    role: Annotated[str, typer.Option(
        "--role", metavar="ROLE", help="viewer, analyst, editor or admin.")],
    password_file: Annotated[Path | None, typer.Option(
        "--password-file", metavar="FILE",
        help="Read the password from the first line of FILE instead of asking for it.",
    )] = None,
    clearance: Annotated[str | None, typer.Option(
        "--clearance", metavar="LEVEL",
        help="Highest confidentiality the user reads: 1-4 or open, restricted, "
             "confidential, secret (default restricted).",
    )] = None,
    superuser: Annotated[bool, typer.Option(
        "--superuser", help="Give every permission, including the admin pages.")] = False,
    org_name: Annotated[str | None, typer.Option(
        "--org-name", metavar="NAME", help="Name of the organisation if it is created.",
    )] = None,
    email: Annotated[str, typer.Option("--email", help="E-mail address.")] = "",
) -> None:
    """Create a user in an organisation with a role. The password is never shown.

    Admins (and superusers) may also sign in to the admin pages, where admins edit the
    reference data.

    Example: kouprey createuser dara --org wcs --role editor --password-file pw.txt
    """
    setup_django()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from kouprey.core.models import User
    from kouprey.core.permissions import Role

    if not re.fullmatch(r"[-a-z0-9_]+", org):
        fail(f"organisation code {org!r}: use lower-case letters, digits, - and _ only")
    if role not in Role.values:
        fail(f"unknown role {role!r}; choose one of: {', '.join(Role.values)}")
    level = parse_clearance(clearance) if clearance is not None else None
    if User.objects.filter(username=name).exists():
        fail(f"a user named {name!r} already exists")
    password = read_password(password_file)
    candidate = User(username=name, email=email, role=role)
    try:
        validate_password(password, candidate)
    except ValidationError as error:
        fail("the password was refused: " + " ".join(error.messages))
    with transaction.atomic():
        candidate.organisation = organisation(org, org_name)
        if level is not None:
            candidate.clearance = level
        candidate.is_superuser = superuser
        candidate.is_staff = superuser or role == Role.ADMIN
        candidate.set_password(password)
        candidate.save()
    console.print(f"Created user {name} ({role}) in {candidate.organisation.code}.")


@app.command()
def unlock(
    name: Annotated[str, typer.Argument(help="The user name whose sign-ins are locked.")],
) -> None:
    """Lift the lock on an account after repeated failed sign-ins, and clear its count.

    After KOUPREY_SIGNIN_ATTEMPTS failed sign-ins in a row (5 by default) an account is
    locked for KOUPREY_SIGNIN_LOCK_MINUTES (15); this ends the lock at once. The user's
    password is unchanged.

    Example: kouprey unlock dara
    """
    setup_django()
    from axes.models import AccessAttempt
    from axes.utils import reset
    from django.db.models import Sum

    failures = AccessAttempt.objects.filter(username=name).aggregate(
        n=Sum("failures_since_start"))["n"] or 0
    if not failures:
        console.print(f"{name} has no failed sign-ins to clear.")
        return
    reset(username=name)
    console.print(f"Unlocked {name}: {failures} failed sign-in(s) cleared.")
