"""Reference rows are tokens in a record's search columns; a search finds them by any name."""

import pytest

from kouprey.cases.models import Case
from kouprey.cases.services import refresh_search_text as refresh_case
from kouprey.core import search as search_module
from kouprey.core.search import search
from kouprey.reference.models import Place
from kouprey.seizures.models import Seizure
from kouprey.seizures.services import refresh_search_text
from tests import factories as f

pytestmark = pytest.mark.django_db

PLANS = ["index", "per row", "every match"]


def _found(query: str, plan: str, monkeypatch, model=Seizure) -> list[int]:
    """The records found by ``query`` through one of the search's plans."""
    monkeypatch.setattr(search_module, "BROAD_SHARE", 0 if plan == "per row" else 2)
    found = search(model.objects.all(), query, stops_early=plan != "every match")
    return sorted(r.pk for r in found)


@pytest.fixture
def ivory_at_the_airport():
    airport = f.place("Phnom Penh International Airport", kind=Place.Kind.AIRPORT,
                      name_km="អាកាសយានដ្ឋានអន្តរជាតិភ្នំពេញ", iata="PNH", locode="KHPNH")
    hit = f.seizure(place=airport, description="two suitcases")
    f.item(hit, commodity=f.commodity("ivory-raw", name="Raw ivory", name_km="ភ្លុកដំរី"),
           taxon=f.taxon("Elephas maximus", common_name_en="Asian elephant",
                         common_name_km="ដំរីអាស៊ី"))
    hit.agencies.set([f.agency("gdce", name="General Department of Customs and Excise",
                               name_km="អគ្គនាយកដ្ឋានគយ")])
    refresh_search_text(hit)
    other = f.seizure(description="pangolin scales in a container")
    refresh_search_text(other)
    return hit


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("query", [
    "Phnom Penh", "អន្តរជាតិ", "pnh", "Raw IVORY", "ភ្លុក", "elephas", "asian elephant",
    "ដំរីអាស៊ី", "gdce", "Customs", "គយ", "two customs ivory pnh"])
def test_every_name_of_a_reference_row_finds_the_record(query, plan, ivory_at_the_airport,
                                                        monkeypatch):
    assert _found(query, plan, monkeypatch) == [ivory_at_the_airport.pk]


@pytest.mark.parametrize("plan", PLANS)
def test_the_names_are_not_in_the_record_and_every_word_must_match(plan, ivory_at_the_airport,
                                                                    monkeypatch):
    ivory_at_the_airport.refresh_from_db()
    assert "Phnom" not in ivory_at_the_airport.search_text
    assert len(ivory_at_the_airport.search_refs.split()) == 4  # place, commodity, taxon, agency
    assert _found("ivory pangolin", plan, monkeypatch) == []
    at_sihanoukville = _found("Sihanoukville", plan, monkeypatch)
    assert at_sihanoukville and ivory_at_the_airport.pk not in at_sihanoukville


def test_a_place_code_is_its_iata_code_or_else_its_locode(ivory_at_the_airport, monkeypatch):
    """As ``Place.code`` shows it: the airport's KHPNH is not its code (the river port's and
    the dry port's, which have no IATA code, is)."""
    river = f.place("Phnom Penh Autonomous Port", kind=Place.Kind.RIVER_PORT, locode="KHPNH")
    by_river = f.seizure(place=river)
    refresh_search_text(by_river)
    assert _found("KHPNH", "index", monkeypatch) == [by_river.pk]


@pytest.mark.parametrize("plan", PLANS)
def test_a_word_never_matches_inside_a_token(plan, ivory_at_the_airport, monkeypatch):
    """The tokens hold ids ("§p12§"): a search for a number or a code must not find every
    record of place 12."""
    pk = ivory_at_the_airport.place_id
    for query in (f"p{pk}", str(pk), f"§p{pk}§"):
        assert _found(query, plan, monkeypatch) == [], query


@pytest.mark.parametrize("plan", PLANS)
def test_a_renamed_reference_row_is_found_by_its_new_name_at_once(plan, ivory_at_the_airport,
                                                                  monkeypatch):
    """An admin corrects a Khmer common name: records saved before are found by the new name,
    no longer by the old one, without writing them again."""
    from kouprey.reference.models import Taxon

    Taxon.objects.filter(scientific_name="Elephas maximus").update(common_name_km="ដំរីអាស៊ីថ្មី")
    assert _found("ដំរីអាស៊ីថ្មី", plan, monkeypatch) == [ivory_at_the_airport.pk]
    Taxon.objects.filter(scientific_name="Elephas maximus").update(common_name_en="Indian")
    assert _found("Asian", plan, monkeypatch) == []


@pytest.mark.parametrize("plan", PLANS)
def test_cases_are_found_by_their_court_and_agencies(plan, monkeypatch):
    court = f.agency("pp-court", name="Phnom Penh Municipal Court", name_km="តុលាការ")
    c = f.case(title="Lion bone", court=court)
    f.involve(c, f.agency("police", name="Cambodian National Police"))
    refresh_case(c)
    other = f.case(title="Rosewood")
    refresh_case(other)
    for query in ("municipal", "តុលាការ", "national police", "lion police"):
        assert _found(query, plan, monkeypatch, model=Case) == [c.pk], query


def test_a_word_in_many_reference_rows_lists_them_all(monkeypatch):
    """A broad word ("port") stands for every row with it in a name: the records of each."""
    ports = [f.place(f"Port {n}", locode=f"KHP{n:02d}") for n in range(30)]
    seized = [f.seizure(place=p) for p in ports]
    for s in seized:
        refresh_search_text(s)
    for plan in PLANS:
        assert _found("port", plan, monkeypatch) == sorted(s.pk for s in seized)


def test_postgres_looks_for_tokens_case_sensitively(ivory_at_the_airport):
    """A token is written exactly as it is looked for: PostgreSQL's plain LIKE (its trigram
    index serves it) instead of ILIKE, which folds the column's case again for each token."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    query = search(Seizure.objects.all(), "ivory")
    sql = str(query.query)
    assert '"search_refs" LIKE' in sql and '"search_refs" ILIKE' not in sql
    assert '"search_text" ILIKE' in sql  # the record's own words: any case
    assert list(query) == [ivory_at_the_airport]
