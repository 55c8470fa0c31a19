"""Seizure services: RIE, the trade-chain rules, and all-or-nothing saving."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kouprey.seizures.models import OriginCountry, Seizure, SeizureItem, TransitCountry
from kouprey.seizures.services import (
    SeizureRecord,
    rie_kg,
    save_seizure,
    with_totals,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_rie_is_raw_plus_worked_over_point_seven_for_ivory_only():
    s = f.seizure()
    f.item(s, weight="70", worked=False)
    f.item(s, weight="7", worked=True, commodity=f.commodity("ivory-worked"))
    f.item(s, weight="500", commodity=f.commodity("pangolin-scales"))
    assert rie_kg(s.items.all()) == Decimal("80.000")
    annotated = with_totals(Seizure.objects.filter(pk=s.pk)).get()
    assert annotated.rie_kg == Decimal("80")
    assert annotated.total_weight_kg == Decimal("577")


def _record(**seizure_fields) -> SeizureRecord:
    fields = {"date": date(2019, 12, 20), "place": f.place(),
              "owner_org": f.organisation("wcs")}
    fields.update(seizure_fields)
    return SeizureRecord(seizure=Seizure(**fields))


def test_origin_proportions_must_sum_to_one():
    record = _record()
    record.origins = [OriginCountry(country=f.country("MZ"), proportion=Decimal("0.6")),
                      OriginCountry(country=f.country("NG"), proportion=Decimal("0.3"))]
    with pytest.raises(ValidationError) as caught:
        save_seizure(record)
    assert "sum to 0.9" in str(caught.value.message_dict["origins"])
    assert Seizure.objects.count() == 0


def test_negative_weight_names_the_item_and_nothing_is_written():
    record = _record()
    record.items = [SeizureItem(commodity=f.commodity(), weight_kg=Decimal("10")),
                    SeizureItem(commodity=f.commodity(), weight_kg=Decimal("-1"))]
    with pytest.raises(ValidationError) as caught:
        save_seizure(record)
    assert "items[1].weight_kg" in caught.value.message_dict
    assert "items[0].weight_kg" not in caught.value.message_dict
    assert Seizure.objects.count() == 0 and SeizureItem.objects.count() == 0


def test_saving_again_replaces_removed_children():
    record = _record()
    record.items = [SeizureItem(commodity=f.commodity(), weight_kg=Decimal("10")),
                    SeizureItem(commodity=f.commodity(), weight_kg=Decimal("20"))]
    s = save_seizure(record)
    kept = s.items.order_by("id").first()
    again = SeizureRecord(seizure=s, items=[kept])
    save_seizure(again)
    assert list(s.items.values_list("weight_kg", flat=True)) == [Decimal("10")]


def test_search_text_is_filled_on_save():
    record = _record(description="tusks in timber")
    record.suspects = []
    s = save_seizure(record)
    s.refresh_from_db()
    assert "tusks in timber" in s.search_text
    assert s.search_refs == f"§p{s.place_id}§"  # the place's token, not its names
    assert "Sihanoukville" not in s.search_text


def test_search_text_names_a_repeated_commodity_once_and_search_still_finds_it():
    from kouprey.core.search import search

    record = _record(description="three bags")
    pangolin = f.commodity("pangolin-scales")
    record.items = [SeizureItem(commodity=pangolin, weight_kg=Decimal(n)) for n in "123"]
    record.suspects = []
    s = save_seizure(record)
    s.refresh_from_db()
    assert s.search_refs.count(f"§c{pangolin.pk}§") == 1
    assert s.search_text == "three bags"
    found = search(Seizure.objects.all(), pangolin.name.split()[0], stops_early=False)
    assert list(found) == [s]


@pytest.mark.parametrize(("origins", "transits", "key"), [
    (["MZ:0.6", "NG:0.3"], [], "origins"),
    (["MZ:0.5", "MZ:0.5"], [], "origins"),
    ([], ["MY", "MY"], "transits"),
])
def test_trade_chain_messages_are_in_the_readers_language(monkeypatch, origins, transits, key):
    """The form shows these messages as they are: they go through gettext, so a Khmer page
    shows them in Khmer once translated (they were English on every page)."""
    monkeypatch.setattr("kouprey.seizures.services._", lambda text: f"[km] {text}")
    record = _record()
    record.origins = [OriginCountry(country=f.country(o.split(":")[0]),
                                    proportion=Decimal(o.split(":")[1])) for o in origins]
    record.transits = [TransitCountry(country=f.country(t), position=n)
                       for n, t in enumerate(transits, 1)]
    with pytest.raises(ValidationError) as caught:
        save_seizure(record)
    message = caught.value.message_dict[key][0]
    assert message.startswith("[km] ") and "%(" not in message
