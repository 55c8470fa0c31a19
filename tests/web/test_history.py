"""Change history in the reader's language: labels through gettext, reference rows by name."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from kouprey.core.audit import acting_as
from kouprey.core.models import AuditEntry
from kouprey.core.permissions import Role
from kouprey.reference.models import DetectionMethod, Place
from kouprey.seizures.models import Seizure
from kouprey.web.history import history, history_json
from tests import factories as f

pytestmark = pytest.mark.django_db

KOS_KM = "កំពង់ផែស្វយ័តក្រុងព្រះសីហនុ"
PNH_KM = "អាកាសយានដ្ឋានអន្តរជាតិភ្នំពេញ"
GDCE_KM = "អគ្គនាយកដ្ឋានគយ និងរដ្ឋាករកម្ពុជា"


def khmer(text: str) -> bool:
    return any("\u1780" <= ch <= "\u17ff" for ch in text)


def moved_seizure() -> tuple[Seizure, Place, Place]:
    """A seizure saved at KOS, then moved to PNH and given GDCE, by an editor."""
    kos = f.place(name_km=KOS_KM)
    pnh = f.place("Phnom Penh International Airport", kind=Place.Kind.AIRPORT, locode="",
                  iata="PNH", name_km=PNH_KM)
    with acting_as(f.user(Role.EDITOR, f.organisation("wcs"))):
        s = f.seizure(place=kos, description="first")
        s.place = pnh
        s.description = "second"
        s.save()
        s.agencies.add(f.agency("gdce", name="General Department of Customs and Excise (GDCE)",
                                name_km=GDCE_KM))
    return s, kos, pnh


def changes(entry: Any) -> dict[str, tuple[str, str]]:
    return {c.field: (c.old, c.new) for c in entry.changes}


def test_the_log_keeps_ids_of_reference_rows():
    s, kos, pnh = moved_seizure()
    update = AuditEntry.objects.filter(root_id=str(s.pk), action="update").order_by("id")
    assert update[0].changes["place"] == [
        "Sihanoukville Autonomous Port", "Phnom Penh International Airport", kos.pk, pnh.pk]
    assert update[0].changes["description"] == ["first", "second"]
    gdce = s.agencies.get()
    assert update[1].changes["agencies"] == {
        "added": ["General Department of Customs and Excise (GDCE)"], "added_ids": [gdce.pk]}


def test_labels_and_reference_rows_in_the_page_language():
    s, _kos, _pnh = moved_seizure()
    with translation.override("km"):
        entries = history(s)
        place_label = str(Seizure._meta.get_field("place").verbose_name)  # noqa: SLF001
        agencies_label = str(Seizure._meta.get_field("agencies").verbose_name)  # noqa: SLF001
    assert [e.action for e in entries] == ["update", "update", "create"]
    assert changes(entries[1])[place_label] == (KOS_KM, PNH_KM)
    assert changes(entries[0])[agencies_label] == ("", GDCE_KM)
    assert changes(entries[2])[place_label] == ("", KOS_KM)
    assert khmer(entries[2].action_label) and khmer(entries[2].record_type)
    with translation.override("en"):
        entries = history(s)
    assert changes(entries[1])["place"] == ("Sihanoukville Autonomous Port",
                                            "Phnom Penh International Airport")
    assert changes(entries[0])["detecting agencies"] == (
        "", "General Department of Customs and Excise (GDCE)")


def test_a_renamed_row_shows_its_new_name_a_deleted_one_its_stored_name():
    s, kos, _pnh = moved_seizure()
    Place.objects.filter(pk=kos.pk).update(name="Sihanoukville Port", name_km="")
    with translation.override("km"):
        assert changes(history(s)[1])[
            str(Seizure._meta.get_field("place").verbose_name)][0] == (  # noqa: SLF001
            "Sihanoukville Port")
    Place.objects.filter(pk=kos.pk).delete()  # the seizure no longer points to it
    with translation.override("km"):
        entries = history(s)
        label = str(Seizure._meta.get_field("place").verbose_name)  # noqa: SLF001
    assert changes(entries[1])[label] == ("Sihanoukville Autonomous Port", PNH_KM)


def test_old_entries_without_ids_still_display():
    """Entries stored before the log kept ids: labels only, fields since removed, odd
    shapes. Labels that name one row show it in the page's language; the rest as stored."""
    s, _kos, _pnh = moved_seizure()
    DetectionMethod.objects.create(code="x-ray", name="X-ray or scanner", name_km="ការស្កេន")
    AuditEntry.objects.create(
        action="update", model="seizures.seizure", object_id=str(s.pk), object_repr="old",
        root_model="seizures.seizure", root_id=str(s.pk), actor_name="someone",
        changes={"place": ["Sihanoukville Autonomous Port", "Nowhere at all"],
                 "detection_method": [None, "X-ray or scanner"],
                 "agencies": {"removed": ["General Department of Customs and Excise (GDCE)",
                                          "A closed agency"]},
                 "a_field_since_removed": ["a", "b"], "notes": "not a pair",
                 "validation_status": [["odd"], "validated"]})
    AuditEntry.objects.create(
        action="update", model="nothing.gone", object_id="1", object_repr="?",
        root_model="seizures.seizure", root_id=str(s.pk), changes={"x": [1, 2, 3, 4]})
    with translation.override("km"):
        entries = history(s)
        seizure_field = Seizure._meta.get_field  # noqa: SLF001
        old = {e.record: changes(e) for e in entries}["old"]
        assert old[str(seizure_field("place").verbose_name)] == (KOS_KM, "Nowhere at all")
        assert old[str(seizure_field("detection_method").verbose_name)] == ("", "ការស្កេន")
        assert old[str(seizure_field("agencies").verbose_name)] == (
            f"{GDCE_KM}, A closed agency", "")
        assert old["a_field_since_removed"] == ("a", "b")
        assert "notes" not in old
        assert history_json(entries)  # and the JSON twin too


def test_history_costs_one_query_per_reference_model(django_assert_max_num_queries):
    s, _kos, _pnh = moved_seizure()
    with acting_as(None):
        for n in range(10):
            s.description = f"v{n}"
            s.save()
    # the entries, the places, the agencies (ids), plus label look-ups for none
    with django_assert_max_num_queries(4):
        history(s)


def test_seizure_page_history_in_khmer(client):
    s, _kos, _pnh = moved_seizure()
    client.force_login(f.user(Role.EDITOR, f.organisation("wcs")))
    page = client.get(reverse("seizures:detail", args=[s.pk]),
                      HTTP_ACCEPT_LANGUAGE="km").content.decode()
    history_html = page[page.index('id="history"'):]
    assert f"<del>{KOS_KM}</del> → <ins>{PNH_KM}</ins>" in history_html
    assert GDCE_KM in history_html
    data = client.get(reverse("seizures:detail", args=[s.pk]), {"format": "json"},
                      HTTP_ACCEPT_LANGUAGE="km").json()
    moved = [c for e in data["history"] for c in e["changes"] if c["new"] == PNH_KM]
    assert moved and set(moved[0]) == {"field", "old", "new"}


def test_history_times_name_their_time_zone(client, settings):
    """An officer in Phnom Penh and an analyst abroad read the same entry: the time says
    which zone it is in (Kouprey's TIME_ZONE, Asia/Phnom_Penh: UTC+7)."""
    import re

    s, _kos, _pnh = moved_seizure()
    client.force_login(f.user(Role.EDITOR, f.organisation("wcs")))
    page = client.get(reverse("seizures:detail", args=[s.pk])).content.decode()
    times = re.findall(r'<time datetime="[^"]+">([^<]+)</time>',
                       page[page.index('id="history"'):])
    assert times and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d \+07", t) for t in times)
