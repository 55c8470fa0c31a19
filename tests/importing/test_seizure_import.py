"""Importing seizures: problems by row/column/value/reason, all or nothing, idempotent."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from kouprey.core.importing import FileRejected
from kouprey.core.models import AuditEntry, ColumnMapping
from kouprey.core.permissions import Role
from kouprey.seizures.importers import import_seizures
from kouprey.seizures.models import OriginCountry, Seizure, SeizureItem, Suspect, TransitCountry
from kouprey.seizures.services import search_refs, search_text
from tests import factories as f
from tests.factories.importing import GOOD_ROWS, HEADER, reference_data, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> object:
    reference_data()
    return f.organisation("wcs")


def row(**changes: str) -> list[str]:
    """GOOD_ROWS[2] changed; a row given its own external id gets its own reference too
    (a reference names one seizure of the organisation)."""
    values = dict(zip(HEADER, GOOD_ROWS[2], strict=True))
    if changes.get("external_id") and "reference" not in changes:
        values["reference"] = f"REF/{changes['external_id']}"
    values.update(changes)
    return [values[h] for h in HEADER]


def table_counts() -> dict[str, int]:
    """Rows in every table of the project (and the full-text index on SQLite)."""
    counts = {m._meta.db_table: m._base_manager.count() for m in apps.get_models()}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM seizures_seizure_fts")
            counts["fts"] = cursor.fetchone()[0]
    return counts


def test_a_good_file_is_imported_with_items_suspects_and_chain(tmp_path: Path, org) -> None:
    result = import_seizures(write_csv(tmp_path / "s.csv", GOOD_ROWS), org_id=org.pk)
    assert result.committed, result.problems
    assert (result.created, result.rows) == (2, 3)
    ivory = Seizure.objects.get(external_id="KH-2019-001")
    assert ivory.reference == "KOS/19/001"
    assert ivory.place.locode == "KHKOS"
    assert ivory.discovery_country.iso2 == "KH"  # from the place
    assert sorted(a.code for a in ivory.agencies.all()) == ["fa", "gdce"]
    assert ivory.container_number == "MSCU1234567"
    assert [(o.country.iso2, o.proportion) for o in ivory.origins.all()] == [
        ("MZ", Decimal("0.600")), ("NG", Decimal("0.400"))]
    assert [(t.country.iso2, t.position, t.seizure_opportunity)
            for t in ivory.transits.all()] == [("MY", 1, False), ("SG", 2, True)]
    assert [(i.commodity.code, i.worked, i.pieces, i.weight_kg) for i in ivory.items.all()] == [
        ("ivory-raw", False, 120, Decimal("1000.500")),
        ("ivory-worked", True, 40, Decimal("70.000"))]
    assert [(s.name, s.nationality.iso2, s.role, s.synthetic) for s in ivory.suspects.all()] == [
        ("Synthetic Person A", "VN", "courier", True), ("Synthetic Person B", "CN", "owner", True)]
    horn = Seizure.objects.get(external_id="KH-2019-002")
    item = horn.items.get()
    assert (item.value, item.currency, item.taxon.scientific_name) == (
        Decimal("300000.00"), "USD", "Ceratotherium simum")
    assert horn.owner_org == org


def test_search_text_is_what_the_services_compute(tmp_path: Path, org) -> None:
    import_seizures(write_csv(tmp_path / "s.csv", GOOD_ROWS), org_id=org.pk)
    for seizure in Seizure.objects.all():
        assert seizure.search_text == search_text(seizure)
        assert seizure.search_refs == search_refs(seizure) != ""
    assert Seizure.objects.filter(search_text__contains="Synthetic Person B").count() == 1


def test_one_audit_entry_per_seizure_names_the_file(tmp_path: Path, org) -> None:
    editor = f.user(Role.EDITOR, org=org)
    import_seizures(write_csv(tmp_path / "march.csv", GOOD_ROWS), user=editor)
    entries = AuditEntry.objects.filter(action="import")
    assert entries.count() == 2
    entry = entries.get(object_id=str(Seizure.objects.get(external_id="KH-2019-001").pk))
    assert entry.actor == editor
    assert entry.changes == {"file": "march.csv", "row": 2, "mapping": "default"}
    assert entry.root_model == "seizures.seizure"


def test_xlsx_imports_the_same_as_csv(tmp_path: Path, org) -> None:
    result = import_seizures(write_xlsx(tmp_path / "s.xlsx", GOOD_ROWS), org_id=org.pk)
    assert result.committed, result.problems
    assert SeizureItem.objects.count() == 3
    assert Suspect.objects.count() == 2


def test_importing_the_same_file_again_changes_nothing(tmp_path: Path, org) -> None:
    path = write_csv(tmp_path / "s.csv", GOOD_ROWS)
    import_seizures(path, org_id=org.pk)
    before = table_counts()
    again = import_seizures(path, org_id=org.pk)
    assert again.committed
    assert (again.created, again.unchanged) == (0, 2)
    assert table_counts() == before


def test_rows_without_an_external_id_get_stable_ids(tmp_path: Path, org) -> None:
    # (no reference: the same reference twice would be refused, see below)
    rows = [row(external_id="", reference=""), row(external_id="", reference="X"),
            row(external_id="", reference="")]
    path = write_csv(tmp_path / "s.csv", rows)
    first = import_seizures(path, org_id=org.pk)
    assert first.created == 3  # identical rows are still separate seizures
    ids = set(Seizure.objects.values_list("external_id", flat=True))
    assert all(i.startswith("row:") for i in ids)
    again = import_seizures(path, org_id=org.pk)
    assert (again.created, again.unchanged) == (0, 3)
    assert set(Seizure.objects.values_list("external_id", flat=True)) == ids


@pytest.mark.parametrize(("changes", "column", "value", "reason"), [
    ({"place": "XXXXX"}, "place", "XXXXX", "unknown place code"),
    ({"weight_kg": "-5"}, "weight_kg", "-5", "negative"),
    ({"date": "20/12/2019"}, "date", "20/12/2019", "not a date"),
    ({"date": "2019-02-30"}, "date", "2019-02-30", "no such day in the calendar"),
    ({"date": "2999-01-01"}, "date", "2999-01-01", "in the future"),
    ({"origins": "MZ:0.6;NG:0.3"}, "origins", "MZ:0.6;NG:0.3", "sum to 1; they sum to 0.9"),
    ({"origins": "MZ;NG"}, "origins", "MZ;NG", "give each country of origin its proportion"),
    ({"export_country": "QQ"}, "export_country", "QQ", "unknown country"),
    ({"suspect_nationality": "Atlantis", "suspect_name": "Synthetic C"},
     "suspect_nationality", "Atlantis", "unknown country"),
    ({"pieces": "3.5"}, "pieces", "3.5", "not a whole number"),
    ({"weight_kg": "1.2345"}, "weight_kg", "1.2345", "more than 3 decimal places"),
    ({"agencies": "gdce;nasa"}, "agencies", "gdce;nasa", "unknown agency code nasa"),
    ({"commodity": "unicorn horn"}, "commodity", "unicorn horn", "unknown commodity"),
    ({"taxon": "Draco volans magnus"}, "taxon", "Draco volans magnus", "unknown taxon"),
    ({"currency": "XYZ"}, "currency", "XYZ", "unknown currency"),
    ({"transits": "MY;MY*"}, "transits", "MY;MY*", "listed twice"),
    ({"worked": "perhaps"}, "worked", "perhaps", "not yes or no"),
    ({"date": ""}, "date", "", "required"),
    ({"commodity": "", "taxon": ""}, "commodity", "", "needs its commodity"),
    ({"suspect_nationality": "VN"}, "suspect_name", "", "a suspect needs a name"),
    ({"reference": "R" * 51}, "reference", "R" * 51, "longer than 50"),
])
def test_each_problem_names_row_column_value_and_reason(tmp_path: Path, org, changes, column,
                                                        value, reason) -> None:
    rows = [GOOD_ROWS[0], GOOD_ROWS[1], row(**changes)]
    result = import_seizures(write_csv(tmp_path / "s.csv", rows), org_id=org.pk, dry_run=True)
    assert not result.ok
    problem = result.problems[0]
    assert (problem.row, problem.column, problem.value) == (4, column, value), result.problems
    assert reason in problem.reason
    assert len(result.problems) == 1


def test_a_dry_run_lists_every_problem_and_writes_nothing(tmp_path: Path, org) -> None:
    rows = [row(external_id="A", place="NOPE"), row(external_id="B", weight_kg="-1"),
            row(external_id="C")]
    before = table_counts()
    result = import_seizures(write_csv(tmp_path / "s.csv", rows), org_id=org.pk, dry_run=True)
    assert [(p.row, p.column) for p in result.problems] == [(2, "place"), (3, "weight_kg")]
    assert result.dry_run and not result.committed
    assert table_counts() == before


def test_a_clean_dry_run_counts_what_would_be_imported(tmp_path: Path, org) -> None:
    before = table_counts()
    result = import_seizures(write_csv(tmp_path / "s.csv", GOOD_ROWS), org_id=org.pk,
                             dry_run=True)
    assert result.ok and not result.committed
    assert result.created == 2
    assert result.children["items"] == 3
    assert table_counts() == before


def test_a_rejected_import_leaves_every_table_as_it_was(tmp_path: Path, org,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import kouprey.seizures.importers as importers

    monkeypatch.setattr(importers, "BATCH", 2)  # force batches to be written before the error
    import_seizures(write_csv(tmp_path / "first.csv", [row(external_id="OLD")]), org_id=org.pk)
    before = table_counts()
    rows = [row(external_id=f"N{n}") for n in range(7)] + [row(external_id="BAD", date="x")]
    result = import_seizures(write_csv(tmp_path / "s.csv", rows), org_id=org.pk)
    assert not result.ok and not result.committed
    assert result.created == 0
    assert table_counts() == before


def test_rows_of_one_seizure_must_be_together(tmp_path: Path, org) -> None:
    rows = [row(external_id="A"), row(external_id="B"), row(external_id="A"),
            row(external_id="A"), row(external_id="B")]
    result = import_seizures(write_csv(tmp_path / "s.csv", rows), org_id=org.pk)
    assert [(p.row, p.column, p.value) for p in result.problems] == [
        (4, "external_id", "A"), (6, "external_id", "B")]
    assert "not together" in result.problems[0].reason


def test_a_later_row_may_not_contradict_the_first(tmp_path: Path, org) -> None:
    rows = [row(external_id="A"), row(external_id="A", date="2018-01-01")]
    result = import_seizures(write_csv(tmp_path / "s.csv", rows), org_id=org.pk)
    assert [(p.row, p.column) for p in result.problems] == [(3, "date")]
    assert "row 2" in result.problems[0].reason


def test_an_external_id_of_another_organisation_is_a_problem(tmp_path: Path, org) -> None:
    f.seizure(org=f.organisation("gdce"), external_id="KH-2019-002")
    result = import_seizures(write_csv(tmp_path / "s.csv", GOOD_ROWS), org_id=org.pk)
    assert [(p.row, p.column, p.value) for p in result.problems] == [
        (4, "external_id", "KH-2019-002")]
    assert "another organisation" in result.problems[0].reason
    assert not Seizure.objects.filter(external_id="KH-2019-001").exists()


def test_a_file_without_a_date_column_is_refused_at_the_header(tmp_path: Path, org) -> None:
    header = [h for h in HEADER if h != "date"]
    rows = [[v for h, v in zip(HEADER, r, strict=True) if h != "date"] for r in GOOD_ROWS]
    result = import_seizures(write_csv(tmp_path / "s.csv", rows, header=header),
                             org_id=org.pk)
    assert (result.problems[0].row, result.problems[0].column) == (1, "date")


def test_unknown_columns_are_named_in_a_warning(tmp_path: Path, org) -> None:
    header = [*HEADER, "notes"]
    rows = [[*r, "x"] for r in GOOD_ROWS]
    result = import_seizures(write_csv(tmp_path / "s.csv", rows, header=header),
                             org_id=org.pk)
    assert result.committed
    assert any("notes" in w for w in result.warnings)


def test_semicolon_separated_csv(tmp_path: Path, org) -> None:
    rows = [[c.replace(";", ",") for c in r] for r in GOOD_ROWS]
    result = import_seizures(write_csv(tmp_path / "s.csv", rows, delimiter=";"), org_id=org.pk)
    assert result.committed, result.problems
    assert OriginCountry.objects.count() == 3 and TransitCountry.objects.count() == 2


def test_a_saved_mapping_renames_columns(tmp_path: Path, org) -> None:
    ColumnMapping.objects.create(name="customs", owner_org=org, columns={
        "No.": "external_id", "Date saisie": "date", "Port": "place", "Produit": "commodity",
        "Poids": "weight_kg"})
    path = write_csv(tmp_path / "c.csv", [["C-1", "2020-02-03", "KHKOS", "pangolin-scales",
                                           "250"]],
                     header=["No.", "Date saisie", "Port", "Produit", "Poids"])
    result = import_seizures(path, mapping="customs", org_id=org.pk)
    assert result.committed, result.problems
    assert Seizure.objects.get(external_id="C-1").items.get().weight_kg == 250
    bad = write_csv(tmp_path / "b.csv", [["C-2", "2020-02-03", "KHKOS", "pangolin-scales",
                                          "-1"]],
                    header=["No.", "Date saisie", "Port", "Produit", "Poids"])
    problem = import_seizures(bad, mapping="customs", org_id=org.pk).problems[0]
    assert (problem.column, problem.value) == ("Poids", "-1")  # the file's own header


def test_an_unknown_mapping_is_refused(tmp_path: Path, org) -> None:
    with pytest.raises(LookupError, match="no mapping named"):
        import_seizures(write_csv(tmp_path / "s.csv", GOOD_ROWS), mapping="nope",
                        org_id=org.pk)


def test_a_viewer_may_not_import_and_an_editor_only_into_their_own_org(tmp_path: Path,
                                                                       org) -> None:
    path = write_csv(tmp_path / "s.csv", GOOD_ROWS)
    with pytest.raises(PermissionError):
        import_seizures(path, user=f.user(Role.VIEWER, org=org))
    with pytest.raises(PermissionError):
        import_seizures(path, user=f.user(Role.EDITOR, org=org),
                        org_id=f.organisation("gdce").pk)


def test_a_bad_file_type_is_rejected_and_nothing_written(tmp_path: Path, org) -> None:
    path = tmp_path / "scan.csv"
    path.write_bytes(b"%PDF-1.4\n%...")
    before = table_counts()
    with pytest.raises(FileRejected, match="PDF"):
        import_seizures(path, org_id=org.pk)
    assert table_counts() == before


def test_xlsx_cells_keep_their_types(tmp_path: Path, org) -> None:
    from datetime import datetime

    cells: list[object] = list(row(external_id="T-1"))
    cells[HEADER.index("date")] = datetime(2019, 12, 20)
    cells[HEADER.index("pieces")] = 6
    cells[HEADER.index("weight_kg")] = 12.25
    cells[HEADER.index("value")] = 300000.0
    result = import_seizures(write_xlsx(tmp_path / "t.xlsx", [cells]), org_id=org.pk)
    assert result.committed, result.problems
    item = SeizureItem.objects.get(seizure__external_id="T-1")
    assert (item.seizure.date.isoformat(), item.pieces, item.weight_kg, item.value) == (
        "2019-12-20", 6, Decimal("12.250"), Decimal("300000.00"))


def test_a_place_code_two_places_share_is_refused_and_the_name_chosen(tmp_path: Path,
                                                                       org) -> None:
    """KHPNH is Phnom Penh's river port and its dry port: a row with the code is refused
    naming both (never one of them at random); the place's English or Khmer name picks it."""
    from kouprey.reference.models import Place

    river = f.place("Phnom Penh Autonomous Port", kind=Place.Kind.RIVER_PORT, locode="KHPNH")
    dry = f.place("Phnom Penh dry port", kind=Place.Kind.DRY_PORT, locode="KHPNH")
    Place.objects.filter(pk=dry.pk).update(name_km="កំពង់ផែស្ងួតភ្នំពេញ")
    result = import_seizures(write_csv(tmp_path / "a.csv", [GOOD_ROWS[0], row(place="khpnh")]),
                             org_id=org.pk)
    assert not result.committed
    [problem] = result.problems
    assert (problem.row, problem.column, problem.value) == (3, "place", "khpnh")
    assert "place code KHPNH is shared by" in problem.reason
    assert "Phnom Penh Autonomous Port; Phnom Penh dry port" in problem.reason  # by id
    assert "write the place's name instead" in problem.reason
    assert not Seizure.objects.exists()
    rows = [GOOD_ROWS[0], row(place="phnom penh AUTONOMOUS port", external_id="A"),
            row(place="កំពង់ផែស្ងួតភ្នំពេញ", external_id="B"), row(place="PNH", external_id="C")]
    result = import_seizures(write_csv(tmp_path / "b.csv", rows), org_id=org.pk)
    assert result.committed, result.problems
    assert Seizure.objects.get(external_id="A").place == river
    assert Seizure.objects.get(external_id="B").place == dry
    assert Seizure.objects.get(external_id="C").place.iata == "PNH"


def test_a_place_name_two_places_share_is_refused(tmp_path: Path, org) -> None:
    from kouprey.reference.models import Place

    f.place("Port Authority", locode="KHAAA")
    Place.objects.create(name="Port Authority", kind=Place.Kind.SEAPORT,
                         country=f.country("TH"), locode="THBBB")
    result = import_seizures(write_csv(tmp_path / "a.csv", [GOOD_ROWS[0],
                                                            row(place="Port Authority")]),
                             org_id=org.pk, dry_run=True)
    [problem] = result.problems
    assert (problem.row, problem.column) == (3, "place")
    assert "2 places have this name: write the place's code" in problem.reason
