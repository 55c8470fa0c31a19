"""The reason for a seizure and the disposal of each seized item (CITES AITR columns):
recorded in the form, the API and an import, shown, exported, and refused when unknown."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from kouprey.core.permissions import Role
from kouprey.reports import cites_aitr
from kouprey.seizures.exporters import IMPORT_HEADER, import_rows
from kouprey.seizures.importers import import_seizures
from kouprey.seizures.models import Seizure, SeizureItem
from tests import factories as f
from tests.factories.api import TokenClient, seizure_payload
from tests.factories.api import reference_data as api_reference_data
from tests.factories.importing import GOOD_ROWS, HEADER, reference_data, write_csv
from tests.factories.pages import form_data

pytestmark = pytest.mark.django_db


def test_the_form_saves_them_and_the_detail_page_and_json_show_them(client: Client) -> None:
    editor = f.user(Role.EDITOR, f.organisation("wcs"))
    client.force_login(editor)
    data = form_data(reference="WHY-1", reason="undeclared",
                     rows={"items": [{"commodity": f.commodity().pk, "weight_kg": "3",
                                      "disposal": "destroyed"}]})
    assert client.post(reverse("seizures:create"), data).status_code == 302
    seizure = Seizure.objects.get(reference="WHY-1")
    assert seizure.reason == Seizure.Reason.UNDECLARED
    assert seizure.items.get().disposal == SeizureItem.Disposal.DESTROYED
    page = client.get(reverse("seizures:detail", args=[seizure.pk])).content.decode()
    assert "Undeclared or concealed" in page and "Destroyed" in page
    twin = client.get(reverse("seizures:detail", args=[seizure.pk]), {"format": "json"})
    body = twin.json()
    assert body["reason"] == "undeclared" and body["items"][0]["disposal"] == "destroyed"


def test_the_form_refuses_an_unknown_reason(client: Client) -> None:
    client.force_login(f.user(Role.EDITOR, f.organisation("wcs")))
    response = client.post(reverse("seizures:create"), form_data(reason="bribery"))
    assert response.status_code == 400
    assert "bribery is not one of the available choices" in response.content.decode()
    assert Seizure.objects.count() == 0


def test_the_api_saves_them_and_names_an_unknown_value() -> None:
    api_reference_data()
    editor = TokenClient(f.user(Role.EDITOR, f.organisation("wcs")))
    payload = seizure_payload(reason="no_permit")
    payload["items"][0]["disposal"] = "held"
    created = editor.post("/api/seizures/", payload)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["reason"] == "no_permit"
    assert [i["disposal"] for i in body["items"]] == ["held", ""]

    bad = seizure_payload(reason="bribery")
    bad["items"][1]["disposal"] = "eaten"
    refused = editor.post("/api/seizures/", bad)
    assert refused.status_code == 422
    fields = {e["field"] for e in refused.json()["detail"]}
    assert {"reason", "items[1].disposal"} <= fields
    assert Seizure.objects.count() == 1


def _file(tmp_path: Path, reason: str, disposal: str) -> Path:
    header = [*HEADER, "reason for seizure", "disposal"]
    rows = [[*row, reason, disposal] for row in GOOD_ROWS]
    return write_csv(tmp_path / "s.csv", rows, header=header)


def test_an_import_takes_them_by_code_or_english_label(tmp_path: Path) -> None:
    reference_data()
    org = f.organisation("wcs")
    result = import_seizures(_file(tmp_path, "Specimens not matching the permit",
                                   "rescue_centre"), org_id=org.pk)
    assert result.ok, result.problems
    assert set(Seizure.objects.values_list("reason", flat=True)) == {"not_matching"}
    assert set(SeizureItem.objects.values_list("disposal", flat=True)) == {"rescue_centre"}
    exported = dict(zip(IMPORT_HEADER, next(iter(import_rows(Seizure.objects.all()))),
                        strict=True))
    assert (exported["reason"], exported["disposal"]) == ("not_matching", "rescue_centre")


def test_an_import_names_the_row_and_column_of_an_unknown_value(tmp_path: Path) -> None:
    reference_data()
    org = f.organisation("wcs")
    result = import_seizures(_file(tmp_path, "bribery", "eaten"), org_id=org.pk)
    assert not result.ok
    found = {(p.row, p.column, p.value) for p in result.problems}
    assert (2, "reason for seizure", "bribery") in found
    assert (2, "disposal", "eaten") in found
    assert Seizure.objects.count() == 0


def test_the_aitr_sheet_carries_them(tmp_path: Path) -> None:
    reference_data()
    org = f.organisation("wcs")
    import_seizures(_file(tmp_path, "prohibited", "destroyed"), org_id=org.pk)
    analyst = f.user(Role.ANALYST, org=org)
    rows = [dict(zip(cites_aitr.HEADER, r, strict=True))
            for r in cites_aitr.rows(analyst, date(2019, 1, 1).year)]
    assert rows
    assert {r["Reason for seizure"] for r in rows} == {"Trade prohibited under national law"}
    assert {r["Disposal of confiscated specimens"] for r in rows} == {"Destroyed"}
