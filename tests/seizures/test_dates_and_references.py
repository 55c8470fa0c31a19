"""One rule for the date of seizure and for the reference, in the form, the API and the
importer (seizures.services.check_dates, check_reference): no date after today in
Phnom Penh; a reference names one seizure of its owning organisation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kouprey.core.permissions import Role
from kouprey.seizures import services
from kouprey.seizures.importers import import_seizures
from kouprey.seizures.models import Seizure
from kouprey.seizures.services import SeizureRecord, save_seizure, today
from tests import factories as f
from tests.factories.api import TokenClient, seizure_payload
from tests.factories.api import reference_data as api_reference_data
from tests.factories.importing import GOOD_ROWS, HEADER, reference_data, write_csv
from tests.factories.pages import form_data

pytestmark = pytest.mark.django_db
REF = "DEMO-2019-PNH-LION-BONE"


def row(**changes: str) -> list[str]:
    values = dict(zip(HEADER, GOOD_ROWS[2], strict=True))
    values.update(changes)
    return [values[h] for h in HEADER]


# -- the date -------------------------------------------------------------------------------

def test_today_is_the_date_in_phnom_penh_whatever_zone_is_active(monkeypatch) -> None:
    # 20:00 UTC on 1 January is 03:00 on 2 January in Phnom Penh (UTC+7).
    evening = datetime(2026, 1, 1, 20, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: evening)
    with timezone.override("UTC"):
        assert today() == date(2026, 1, 2)
        s = f.seizure(date=date(2026, 1, 2))
        services.check_dates(SeizureRecord(s))  # today: allowed
        s.date = date(2026, 1, 3)
        with pytest.raises(services.ValidationError) as refused:
            services.check_dates(SeizureRecord(s))
    assert "date" in refused.value.message_dict


def test_the_form_refuses_a_future_date_and_takes_today(client: Client) -> None:
    client.force_login(f.user(Role.EDITOR, f.organisation("wcs")))
    response = client.post(reverse("seizures:create"),
                           form_data(reference="F-1", date="2031-01-01"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "in the future" in errors["date"][0] and "2031-01-01" in errors["date"][0]
    assert not Seizure.objects.exists()
    twin = client.post(reverse("seizures:create") + "?format=json",
                       form_data(reference="F-1", date="2031-01-01"))
    assert twin.status_code == 400 and "in the future" in str(twin.json()["errors"]["date"])
    saved = client.post(reverse("seizures:create"),
                        form_data(reference="F-1", date=today().isoformat()))
    assert saved.status_code == 302
    assert Seizure.objects.get().date == today()


def test_the_form_refuses_a_future_source_date(client: Client) -> None:
    client.force_login(f.user(Role.EDITOR, f.organisation("wcs")))
    later = (today() + timedelta(days=1)).isoformat()
    response = client.post(reverse("seizures:create"), form_data(
        reference="F-2", rows={"sources": [{"kind": "report", "reference": "r",
                                            "date": later}]}))
    assert response.status_code == 400
    assert "in the future" in response.content.decode()
    assert not Seizure.objects.exists()


def test_the_api_refuses_a_future_date_naming_the_field() -> None:
    api_reference_data()
    editor = TokenClient(f.user(Role.EDITOR, f.organisation("wcs")))
    refused = editor.post("/api/seizures/", seizure_payload(date="2031-01-01"))
    assert refused.status_code == 422, refused.content
    [error] = [e for e in refused.json()["detail"] if e["field"] == "date"]
    assert "in the future" in error["message"]
    assert not Seizure.objects.exists()
    assert editor.post("/api/seizures/", seizure_payload(
        date=today().isoformat())).status_code == 201


def test_the_importer_refuses_a_future_date_and_takes_today(tmp_path: Path) -> None:
    reference_data()
    org = f.organisation("wcs")
    later = (today() + timedelta(days=1)).isoformat()
    refused = import_seizures(write_csv(tmp_path / "a.csv", [row(date=later)]), org_id=org.pk)
    assert [(p.row, p.column, p.value) for p in refused.problems] == [(2, "date", later)]
    assert "in the future" in refused.problems[0].reason
    taken = import_seizures(write_csv(tmp_path / "b.csv", [row(date=today().isoformat())]),
                            org_id=org.pk)
    assert taken.committed, taken.problems
    assert Seizure.objects.get().date == today()


# -- the reference --------------------------------------------------------------------------

def test_the_form_refuses_a_reference_the_organisation_already_uses(client: Client) -> None:
    wcs = f.organisation("wcs")
    f.seizure(wcs, reference=REF)
    client.force_login(f.user(Role.EDITOR, wcs))
    response = client.post(reverse("seizures:create"), form_data(reference=REF))
    assert response.status_code == 400
    message = response.context["form"].errors["reference"][0]
    assert REF in message and "unique within the organisation" in message
    assert Seizure.objects.filter(reference=REF).count() == 1
    # another reference, or the same one in lower case (compared exactly), is taken
    assert client.post(reverse("seizures:create"),
                       form_data(reference=REF.lower())).status_code == 302


def test_editing_a_seizure_keeps_its_own_reference(client: Client) -> None:
    wcs = f.organisation("wcs")
    s = f.seizure(wcs, reference=REF)
    client.force_login(f.user(Role.EDITOR, wcs))
    response = client.post(reverse("seizures:edit", args=[s.pk]),
                           form_data(reference=REF, date="2019-12-28"))
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.date == date(2019, 12, 28)


def test_another_organisation_may_use_the_same_reference() -> None:
    f.seizure(f.organisation("wcs"), reference=REF)
    other = Seizure(date=date(2019, 12, 28), place=f.place(), reference=REF,
                    owner_org=f.organisation("gdce"), synthetic=True)
    save_seizure(SeizureRecord(other))
    assert Seizure.objects.filter(reference=REF).count() == 2


def test_the_api_refuses_a_reference_the_organisation_already_uses() -> None:
    api_reference_data()
    wcs = f.organisation("wcs")
    editor = TokenClient(f.user(Role.EDITOR, wcs))
    assert editor.post("/api/seizures/", seizure_payload(reference=REF)).status_code == 201
    refused = editor.post("/api/seizures/", seizure_payload(reference=REF))
    assert refused.status_code == 422, refused.content
    [error] = [e for e in refused.json()["detail"] if e["field"] == "reference"]
    assert REF in error["message"]
    assert Seizure.objects.filter(reference=REF).count() == 1


def test_the_importer_reports_a_reference_used_twice_in_the_file(tmp_path: Path) -> None:
    reference_data()
    org = f.organisation("wcs")
    rows = [row(external_id="A", reference="R-1"), row(external_id="B", reference="R-2"),
            row(external_id="C", reference="R-1"), row(external_id="D", reference="")]
    result = import_seizures(write_csv(tmp_path / "s.csv", rows), org_id=org.pk)
    assert not result.committed
    [problem] = result.problems
    assert (problem.row, problem.column, problem.value) == (4, "reference", "R-1")
    assert "row 2 of this file" in problem.reason
    assert not Seizure.objects.exists()


def test_the_importer_reports_a_reference_of_an_existing_seizure(tmp_path: Path) -> None:
    reference_data()
    wcs, gdce = f.organisation("wcs"), f.organisation("gdce")
    f.seizure(wcs, reference="R-1", external_id="OLD")
    f.seizure(gdce, reference="R-2")  # another organisation's: no clash
    rows = [row(external_id="A", reference="R-2"), row(external_id="B", reference="R-1")]
    dry = import_seizures(write_csv(tmp_path / "s.csv", rows), org_id=wcs.pk, dry_run=True)
    [problem] = dry.problems
    assert (problem.row, problem.column, problem.value) == (3, "reference", "R-1")
    assert "another seizure of this organisation" in problem.reason
    # The seizure itself again (same external id) is left as it is, not a clash.
    again = [row(external_id="OLD", reference="R-1"), row(external_id="A", reference="R-2")]
    result = import_seizures(write_csv(tmp_path / "b.csv", again), org_id=wcs.pk)
    assert result.committed, result.problems
    assert (result.created, result.unchanged) == (1, 1)


def test_reimporting_a_file_reports_no_reference_clash(tmp_path: Path) -> None:
    reference_data()
    org = f.organisation("wcs")
    path = write_csv(tmp_path / "s.csv", GOOD_ROWS)
    assert import_seizures(path, org_id=org.pk).committed
    again = import_seizures(path, org_id=org.pk)
    assert again.committed and not again.problems
    assert (again.created, again.unchanged) == (0, 2)


def test_references_are_checked_across_batches(tmp_path: Path, monkeypatch) -> None:
    """The file's references are remembered from batch to batch; the lookup in the
    database looks only at seizures there before the import (on SQLite, by id)."""
    from kouprey.seizures import importers

    monkeypatch.setattr(importers, "BATCH", 2)
    reference_data()
    org = f.organisation("wcs")
    f.seizure(org, reference="OLD-REF")
    rows = [row(external_id=f"S{n}", reference=f"R-{n}") for n in range(5)]
    rows += [row(external_id="S9", reference="R-0"), row(external_id="S10",
                                                         reference="OLD-REF")]
    result = import_seizures(write_csv(tmp_path / "s.csv", rows), org_id=org.pk)
    found = [(p.row, p.value) for p in result.problems]
    assert found == [(7, "R-0"), (8, "OLD-REF")]
    ok = import_seizures(write_csv(tmp_path / "ok.csv", rows[:5]), org_id=org.pk)
    assert ok.committed and ok.created == 5
