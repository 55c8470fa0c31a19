"""The shared list machinery: values, sort headers, history lines."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import translation

from kouprey.core.audit import acting_as
from kouprey.core.permissions import Role
from kouprey.web import lists
from kouprey.web.lists import Column
from tests import factories as f


def test_plain_text_and_json_values():
    assert lists.plain_text(Decimal("3150.000")) == "3,150"
    assert lists.plain_text(Decimal("12.500")) == "12.5"
    assert lists.plain_text(["China", "Viet Nam"]) == "China, Viet Nam"
    assert lists.plain_text(None) == ""
    assert lists.json_value(Decimal("12.5")) == 12.5
    assert lists.json_value(date(2019, 12, 20)) == "2019-12-20"
    assert lists.export_value(["a", "b"]) == "a; b"


def test_sort_headers_toggle_and_keep_filters():
    columns = [Column("reference", "Reference", str, sort="reference"),
               Column("date", "Date", str, sort="date"), Column("place", "Place", str)]
    request = RequestFactory().get("/x/", {"sort": "reference", "q": "ivory", "page": "3"})
    ref, when, place = lists.headers(request, columns)
    assert ref.direction == "ascending" and ref.sort_url == "?sort=-reference&q=ivory"
    assert when.direction == "" and when.sort_url == "?sort=date&q=ivory"
    assert place.sort_url == ""
    default = lists.headers(RequestFactory().get("/x/"), columns, default_sort="-date")
    assert default[1].direction == "descending"


def test_output_format_and_action():
    assert lists.output_format(RequestFactory().get("/", {"format": "XLSX"})) == "xlsx"
    assert lists.output_format(RequestFactory().get("/", {"format": "pdf"})) == "html"
    assert lists.action_for("csv") == "export" and lists.action_for("json") == "view"


def test_url_or_none():
    assert lists.url_or_none("seizures:list") == "/seizures/"
    assert lists.url_or_none("nowhere:list") is None


@pytest.mark.django_db
def test_history_names_fields_and_hides_ids():
    editor = f.user(Role.EDITOR, f.organisation("wcs"), username="vanna")
    with acting_as(editor):
        s = f.seizure(description="first")
        f.item(s, weight="5")
        s.description = "second"
        s.validation_status = "validated"
        s.save()
    with translation.override("en"):
        entries = lists.history(s)
    assert [e.action for e in entries] == ["update", "create", "create"]
    update = {c.field: (c.old, c.new) for c in entries[0].changes}
    assert update == {"description": ("first", "second"),
                      "validation status": ("Draft", "Validated")}
    item_fields = [c.field for c in entries[1].changes]
    assert "ID" not in item_fields and "seizure" not in item_fields
    assert entries[0].who == "vanna"
    assert lists.history_json(entries)[0]["changes"][0]["field"] == "description"
