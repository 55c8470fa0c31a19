"""Data migrations run on the historical models with code of their own.

A migration that called the services' current functions would break on a database that
migrates from an old state once those functions change (a new field read, a renamed
relation), and nobody would notice: on the empty test database such a function never runs.
"""

import ast
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

import kouprey
from kouprey.cases.models import Case
from kouprey.seizures.models import Seizure
from tests import factories as f

pytestmark = pytest.mark.django_db

MIGRATIONS = sorted(Path(kouprey.__file__).parent.glob("*/migrations/0*.py"))
# Migration operations written for migrations (they only run SQL) and the managers Django
# serialises into an initial migration.
ALLOWED = {"kouprey.core.search", "kouprey.core.models"}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] == "kouprey"}


def test_no_migration_imports_the_applications_code():
    assert MIGRATIONS
    wrong = {path.relative_to(path.parents[2]).as_posix(): sorted(_imports(path) - ALLOWED)
             for path in MIGRATIONS if _imports(path) - ALLOWED}
    assert wrong == {}


def _rewrite(app_label: str, name: str) -> None:
    """Run the search-text rewrite of migration ``name`` on the rows there are now, with the
    models as they were at that migration."""
    loader = MigrationLoader(connection)
    migration = loader.get_migration(app_label, name)
    rewrite = next(op for op in migration.operations
                   if getattr(op, "code", None) and "rewrite_search" in op.code.__qualname__)
    state = loader.project_state((app_label, name))
    rewrite.code(state.apps, None)  # a data rewrite: no schema editor needed


def test_the_seizure_search_migration_rewrites_a_seizure_from_its_historical_model():
    s = f.seizure(reference="KH-SYN-0001", description="Tusks in timber",
                  container_number="MSCU1234567")
    f.suspect(s, name="ហេង សុខ", name_latin="Heng Sok")
    taxon, commodity = f.taxon(), f.commodity()
    f.item(s, taxon=taxon, commodity=commodity, description="raw tusks")
    s.agencies.add(gdce := f.agency())
    Seizure.objects.filter(pk=s.pk).update(search_text="", search_refs="")

    _rewrite("seizures", "0008_search_refs")

    s.refresh_from_db()
    assert s.search_text == "KH-SYN-0001 Tusks in timber MSCU1234567 ហេង សុខ Heng Sok raw tusks"
    assert s.search_refs.split() == [f"§p{s.place_id}§", f"§c{commodity.pk}§",
                                     f"§t{taxon.pk}§", f"§a{gdce.pk}§"]


def test_the_case_search_migration_rewrites_a_case_from_its_historical_model():
    s = f.seizure(reference="KH-SYN-0002")
    court = f.agency("pp-court")
    c = f.case(seizures=[s], case_number="PP-SYN-17", title="Ivory via Sihanoukville",
               court=court)
    f.defendant(c, name="សុខ ចាន់", name_latin="Sok Chan")
    f.involve(c, gdce := f.agency())
    Case.objects.filter(pk=c.pk).update(search_text="", search_refs="")

    _rewrite("cases", "0005_search_refs")

    c.refresh_from_db()
    for words in ("PP-SYN-17", "Ivory via Sihanoukville", "សុខ ចាន់", "Sok Chan", "KH-SYN-0002"):
        assert words in c.search_text
    assert c.search_refs.split() == [f"§a{court.pk}§", f"§a{gdce.pk}§"]
