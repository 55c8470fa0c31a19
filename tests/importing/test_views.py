"""The import page: check, then import; problems in a table; big uploads refused unread."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from kouprey.core.permissions import Role
from kouprey.seizures.importers.views import LimitedUpload
from kouprey.seizures.models import Seizure
from tests import factories as f
from tests.factories.importing import GOOD_ROWS, reference_data, write_csv

pytestmark = pytest.mark.django_db
URL = "/seizures/import/"


@pytest.fixture
def editor(tmp_path: Path, settings) -> Client:
    settings.DATA_DIR = tmp_path / "data"
    reference_data()
    client = Client()
    client.force_login(f.user(Role.EDITOR, org=f.organisation("wcs")))
    return client


def upload(path: Path) -> io.BytesIO:
    handle = io.BytesIO(path.read_bytes())
    handle.name = path.name
    return handle


def test_the_url_is_named() -> None:
    assert reverse("seizures:import") == URL


def test_who_may_open_it(editor: Client) -> None:
    assert editor.get(URL).status_code == 200
    viewer = Client()
    viewer.force_login(f.user(Role.VIEWER, org=f.organisation("wcs")))
    assert viewer.get(URL).status_code == 403
    assert Client().get(URL).status_code == 302


def test_check_then_import(editor: Client, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", GOOD_ROWS)
    checked = editor.post(URL, {"file": upload(path), "mapping": "default",
                                "action": "check"})
    assert checked.status_code == 200
    assert b"2 seizures can be imported" in checked.content
    assert Seizure.objects.count() == 0
    token = checked.context["token"]
    done = editor.post(URL, {"token": token, "mapping": "default", "action": "import"})
    assert done.status_code == 200
    assert b"2 seizures imported" in done.content
    assert Seizure.objects.count() == 2
    again = editor.post(URL, {"token": token, "mapping": "default", "action": "import"})
    assert again.status_code == 400  # the kept file is gone once imported


def test_problems_are_listed_by_row_column_value_reason(editor: Client, tmp_path: Path
                                                        ) -> None:
    bad = [GOOD_ROWS[2][:3] + ["ZZZZZ"] + GOOD_ROWS[2][4:]]
    response = editor.post(URL, {"file": upload(write_csv(tmp_path / "b.csv", bad)),
                                 "action": "import"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "ZZZZZ" in html and "unknown place code" in html and ">2<" in html
    assert Seizure.objects.count() == 0


def test_the_page_lists_the_columns_it_reads(editor: Client, tmp_path: Path) -> None:
    """A web user cannot open docs/ in the repository: the page itself names the columns,
    and its header row, pasted as a file's first line, is read without a warning."""
    from kouprey.seizures.mappings import FIELDS

    page = editor.get(URL)
    html = page.content.decode()
    assert "Columns of the default mapping" in html
    header = page.context["header"]
    assert header.split(",") == list(FIELDS) and header in html
    assert editor.get(URL + "?format=json").json()["columns"]["item"][:2] == [
        "taxon", "commodity"]
    import csv

    path = write_csv(tmp_path / "s.csv", GOOD_ROWS)
    with path.open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(header + "\n")  # the page's row, as pasted
        csv.DictWriter(handle, fieldnames=list(FIELDS), restval="").writerows(records)
    data = editor.post(URL + "?format=json", {"file": upload(path), "action": "check"}).json()
    assert (data["result"]["problem_count"], data["result"]["created"]) == (0, 2)
    assert data["result"]["warnings"] == []  # every column of the header was read


def test_json_twin(editor: Client, tmp_path: Path) -> None:
    assert editor.get(URL + "?format=json").json()["mappings"][:2] == ["default", "lemis"]
    path = write_csv(tmp_path / "s.csv", GOOD_ROWS)
    data = editor.post(URL + "?format=json", {"file": upload(path), "action": "import"}).json()
    assert data["result"]["committed"] and data["result"]["created"] == 2


def test_an_import_brings_the_indicators_up_to_date(editor: Client, tmp_path: Path
                                                     ) -> None:
    """As on the command line: the months the import wrote are recounted once it has
    committed, so the next person to open the indicators does not wait for them."""
    from kouprey.indicators.models import DirtyMonth, Tally

    DirtyMonth.objects.all().delete()
    path = write_csv(tmp_path / "s.csv", GOOD_ROWS)
    checked = editor.post(URL + "?format=json", {"file": upload(path), "action": "check"})
    assert checked.json()["indicators"] is None  # a check writes nothing
    done = editor.post(URL, {"token": checked.json()["token"], "action": "import"})
    assert b"The indicators are up to date." in done.content  # not "in 0.0 s"
    assert b"brought up to date in" not in done.content
    assert done.context["indicators"]["recounted"] > 0
    assert not DirtyMonth.objects.exists()
    months = Tally.objects.filter(dimension="total", month__gt=0)
    assert sum(months.values_list("seizures", flat=True)) == 2
    again = editor.post(URL + "?format=json",
                        {"file": upload(path), "action": "import"}).json()
    assert again["result"]["unchanged"] == 2
    assert again["indicators"]["recounted"] == 0  # nothing new, nothing to recount


def test_a_slow_recount_says_how_long_it_took(editor: Client, tmp_path: Path,
                                              monkeypatch) -> None:
    monkeypatch.setattr("kouprey.indicators.store.bring_up_to_date",
                        lambda: {"recounted": 3, "seconds": 12.5})
    done = editor.post(URL, {"file": upload(write_csv(tmp_path / "s.csv", GOOD_ROWS)),
                             "action": "import"})
    assert b"The indicators were brought up to date in 12.5 s." in done.content


def test_the_result_links_to_the_seizures_it_imported(editor: Client, tmp_path: Path
                                                      ) -> None:
    before = f.seizure(org=f.organisation("wcs"), reference="OLD-1")
    done = editor.post(URL, {"file": upload(write_csv(tmp_path / "s.csv", GOOD_ROWS)),
                             "action": "import"})
    new = sorted(Seizure.objects.exclude(pk=before.pk).values_list("pk", flat=True))
    assert len(new) == 2
    link = f'href="/seizures/?ids={new[0]},{new[1]}"'
    assert link in done.content.decode()
    listed = editor.get(f"/seizures/?ids={new[0]},{new[1]}&format=json").json()
    assert sorted(r["id"] for r in listed["results"]) == new
    data = editor.post(URL + "?format=json", {
        "file": upload(write_csv(tmp_path / "s.csv", GOOD_ROWS)), "action": "import"}).json()
    assert data["result"]["unchanged"] == 2 and data["imported_ids"] is None
    again = editor.post(URL, {"file": upload(write_csv(tmp_path / "s.csv", GOOD_ROWS)),
                              "action": "import"}).content.decode()
    assert "?ids=" not in again and 'href="/seizures/"' in again  # nothing new: the list


def test_a_file_that_is_not_csv_is_refused(editor: Client, tmp_path: Path) -> None:
    pdf = tmp_path / "scan.csv"
    pdf.write_bytes(b"%PDF-1.4 ...")
    response = editor.post(URL, {"file": upload(pdf), "action": "check"})
    assert response.status_code == 400 and b"PDF" in response.content


@override_settings(MAX_UPLOAD_MB=1)
def test_an_oversize_upload_is_refused_before_it_is_read(editor: Client,
                                                         tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"date\n" + b"2019-01-01\n" * 200_000)  # 2.2 MB
    response = editor.post(URL, {"file": upload(big), "action": "check"})
    assert response.status_code == 413
    assert b"larger than 1 MB" in response.content


@override_settings(MAX_UPLOAD_MB=1)
def test_the_upload_handler_stops_at_the_limit() -> None:
    from django.core.files.uploadhandler import StopUpload
    from django.test import RequestFactory

    handler = LimitedUpload(RequestFactory().post("/"))
    handler.new_file("file", "x.csv", "text/csv", None)
    handler.receive_data_chunk(b"x" * 1000, 0)
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"x" * 1024 * 1024, 1000)
    assert handler.too_big


def test_the_counts_name_what_was_counted_in_the_readers_language(
        editor: Client, tmp_path: Path, monkeypatch) -> None:
    """"items: 2, suspects: 1": the result named the importer's keys in English on every
    page; it names them as the seizure pages do, through the translation."""
    path = write_csv(tmp_path / "s.csv", GOOD_ROWS)
    monkeypatch.setattr("django.template.base.gettext_lazy", lambda text: f"[km] {text}")
    page = editor.post(URL, {"file": upload(path), "mapping": "default",
                             "action": "check"}).content.decode()
    counts = page.split('<ul class="import-counts">')[1].split("</ul>")[0]
    assert "<li>[km] Seized items: " in counts and "<li>[km] Suspects: " in counts
    assert "<li>items:" not in counts


def test_the_page_says_a_list_download_is_not_an_import_file(editor: Client) -> None:
    """People downloaded the seizure list (CSV/XLSX) and tried to import it: the page says
    it is a summary for reading and links to the description of an import file."""
    html = editor.get(URL).content.decode()
    assert "is a summary for reading, not an import file" in html
    assert '<a href="#import-file">the columns described below</a>' in html
    assert html.count('id="import-file"') == 1
