"""Full-text search finds words inside sentences, Khmer included, on both databases."""

import pytest

from kouprey.core.search import search
from kouprey.seizures.models import Seizure
from kouprey.seizures.services import refresh_search_text
from tests import factories as f

pytestmark = pytest.mark.django_db


def _seizure(description: str) -> Seizure:
    s = f.seizure(description=description)
    refresh_search_text(s)
    return s


def test_finds_khmer_word_inside_a_sentence_without_spaces():
    hit = _seizure("ការរឹបអូសភ្លុកដំរីនៅកំពង់ផែក្រុងព្រះសីហនុ")  # ivory seized at Sihanoukville port
    _seizure("ការរឹបអូសស្រកាសត្វលំពែង")  # pangolin scales
    assert list(search(Seizure.objects.all(), "ភ្លុកដំរី")) == [hit]


def test_every_word_must_match_and_case_is_ignored():
    hit = _seizure("Container of raw IVORY tusks from Mozambique")
    _seizure("Ivory carvings at the airport")
    assert list(search(Seizure.objects.all(), "ivory mozambique")) == [hit]


def test_short_words_fall_back_to_substring_match():
    hit = _seizure("Flight VN 123")
    assert list(search(Seizure.objects.all(), "VN")) == [hit]


@pytest.mark.parametrize("broad", [2.0, 0.0], ids=["index", "per-row"])  # SQLite's plans
def test_text_in_quotes_is_one_phrase(broad, monkeypatch):
    from kouprey.core import search as search_module

    monkeypatch.setattr(search_module, "BROAD_SHARE", broad)  # 0.0: every word "common"
    stops_early = True
    name = _seizure("Arrested: Vo Van Gia (synthetic) at PNH")
    _seizure("Arrested: Ly Van Gia (synthetic) with raw ivory")
    khmer = _seizure("ឈ្មោះ ហេង សុខ")
    _seizure("ហេង និង សុខ")
    both = sorted(search(Seizure.objects.all(), "Vo Van Gia", stops_early=stops_early),
                  key=lambda s: s.pk)
    assert len(both) == 2  # every word somewhere: "vo" inside "ivory" too
    assert list(search(Seizure.objects.all(), '"vo van  gia"', stops_early=stops_early)
                ) == [name]
    assert list(search(Seizure.objects.all(), '"ហេង សុខ"', stops_early=stops_early)
                ) == [khmer]
    assert list(search(Seizure.objects.all(), '"Van Gia" PNH', stops_early=stops_early)
                ) == [name]


def test_a_quote_without_its_pair_is_ignored():
    from kouprey.core.search import query_words

    assert query_words('"Vo Van Gia" ivory') == ["Vo Van Gia", "ivory"]
    assert query_words('Vo "Van') == ["Vo", "Van"]
    assert query_words('"" ivory "  "') == ["ivory"]


def test_search_text_follows_edits():
    s = _seizure("rhino horn")
    s.description = "pangolin scales"
    s.save()
    refresh_search_text(s)
    assert list(search(Seizure.objects.all(), "rhino")) == []
    assert list(search(Seizure.objects.all(), "pangolin")) == [s]


def test_search_triggers_come_back_after_a_table_rebuild():
    from django.db import connection

    from kouprey.core.search import ensure_search

    if connection.vendor != "sqlite":
        pytest.skip("SQLite drops triggers when a migration rebuilds a table")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER seizures_seizure_fts_ai")
    ensure_search(connection)
    hit = _seizure("ស្នែងរមាស rhino horn")
    assert list(search(Seizure.objects.all(), "រមាស")) == [hit]


def test_postgres_search_uses_ilike_the_trigram_index_serves():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    hit = _seizure("Rosewood logs 100% seized")
    _seizure("Rosewood logs seized")
    query = search(Seizure.objects.all(), "ROSEWOOD 100%")
    assert "ILIKE" in str(query.query) and "UPPER" not in str(query.query)
    assert list(query) == [hit]  # "%" is a literal character, not a wildcard
    assert list(search(Seizure.objects.all(), "log_")) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = "
                       "'seizures_seizure_search_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]


def test_sqlite_list_covering_indexes_exist_after_migrate():
    from django.db import connection

    from kouprey.core.search import SQLITE_COVERING, ensure_list_indexes

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    ensure_list_indexes(connection)  # idempotent
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        names = {row[0] for row in cursor.fetchall()}
    assert {name for indexes in SQLITE_COVERING.values() for name, _ in indexes} <= names


def test_sqlite_puts_the_status_covering_index_back_after_a_table_rebuild():
    """A migration that rebuilds the seizure table (adding a column does, on SQLite) makes
    the model's INCLUDE index again as a plain (validation_status, date) index; the status
    and year list sorted by reference then read every row. After migrate it is covering."""
    from django.db import connection

    from kouprey.core.search import ensure_list_indexes, index_columns

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    query = ("EXPLAIN QUERY PLAN SELECT id FROM seizures_seizure WHERE validation_status = "
             "'validated' AND date BETWEEN '2016-01-01' AND '2016-12-31' AND owner_org_id = 1 "
             "ORDER BY reference DESC LIMIT 50")
    with connection.cursor() as cursor:
        assert index_columns(cursor, "seizure_validation_cover")[2:] == [
            "id", "reference", "confidentiality", "owner_org_id"]  # after every migration
        cursor.execute("DROP INDEX seizure_validation_cover")
        cursor.execute('CREATE INDEX "seizure_validation_cover" ON "seizures_seizure" '
                       '("validation_status", "date")')  # what a table rebuild leaves
        ensure_list_indexes(connection)
        assert index_columns(cursor, "seizure_validation_cover") == [
            "validation_status", "date", "id", "reference", "confidentiality", "owner_org_id"]
        cursor.execute(query)
        assert "COVERING INDEX" in str(cursor.fetchall())


def test_sqlite_drops_the_foreign_key_indexes_a_longer_index_begins_with():
    from django.db import connection

    from kouprey.core.search import ensure_list_indexes, redundant_indexes

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute('CREATE INDEX "again_taxon" ON seizures_seizureitem (taxon_id)')
        assert redundant_indexes(cursor, "seizures_seizureitem") == ["again_taxon"]
        ensure_list_indexes(connection)
        for table in ("seizures_seizureitem", "seizures_seizure_agencies"):
            assert redundant_indexes(cursor, table) == []
        cursor.execute("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'index' "
                       "AND tbl_name IN ('seizures_seizureitem', 'seizures_seizure_agencies')")
        kept = [sql for _table, sql in cursor.fetchall() if sql]
        assert any("taxon_id, seizure_id" in sql for sql in kept)  # the covering index
        assert any("UNIQUE" in sql and '"seizure_id", "agency_id"' in sql for sql in kept)
        assert not any(sql.endswith('("taxon_id")') or sql.endswith("(taxon_id)")
                       for sql in kept)
        cursor.execute("EXPLAIN QUERY PLAN SELECT seizure_id FROM seizures_seizureitem "
                       "WHERE taxon_id = 1")
        assert "seizures_seizureitem_taxon_cover" in str(cursor.fetchall())


def test_a_common_phrase_is_checked_per_row_with_the_same_results(monkeypatch):
    """SQLite: words in at least BROAD_SHARE of the newest records are checked on each row
    (LIKE) so the list can stop early; rarer words go through the FTS index; the records
    found are the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kouprey.core import search as search_module

    hits = [_seizure("raw ivory ភ្លុកដំរី found at PNH"), _seizure("IVORY carvings ភ្លុកដំរី")]
    _seizure("pangolin scales")
    monkeypatch.setattr(search_module, "SAMPLE_ROWS", 3)
    monkeypatch.setattr(search_module, "BROAD_SHARE", 0.7)  # 2 of 3: not common
    with CaptureQueriesContext(connection) as queries:
        narrow = sorted(s.pk for s in search(Seizure.objects.all(), "ivory ភ្លុកដំរី"))
    if connection.vendor == "sqlite":
        assert "MATCH" in queries.captured_queries[-1]["sql"]  # through the index
    monkeypatch.setattr(search_module, "BROAD_SHARE", 0.6)  # 2 of 3: common
    with CaptureQueriesContext(connection) as queries:
        broad = sorted(s.pk for s in search(Seizure.objects.all(), "ivory ភ្លុកដំរី"))
    assert narrow == broad == sorted(s.pk for s in hits)
    if connection.vendor == "sqlite":
        assert "MATCH" not in queries.captured_queries[-1]["sql"]  # checked per row


def test_the_share_of_newest_counts_every_word_in_any_case(monkeypatch):
    """The sample that chooses the plan: the newest SAMPLE_ROWS records, every word, case
    folded as the search folds it (Vietnamese capitals too), LIKE's wildcards literal; a
    table smaller than the sample counts as if the missing rows did not match."""
    from datetime import date

    from kouprey.core import search as search_module
    from kouprey.core.search import share_of_newest, terms

    old = _seizure("TRẦN THU HÀ 100% ivory")
    Seizure.objects.filter(pk=old.pk).update(date=date(2001, 1, 1))
    for text in ("Trần Thu Hà ivory", "trần thu hà pangolin", "ivory 100_x", "rosewood"):
        _seizure(text)
    monkeypatch.setattr(search_module, "SAMPLE_ROWS", 10)
    assert share_of_newest(Seizure, terms("rosewood")) == 1 / 10
    monkeypatch.setattr(search_module, "SAMPLE_ROWS", 5)
    assert share_of_newest(Seizure, terms("TRẦN hà")) == 3 / 5
    assert share_of_newest(Seizure, terms("trần ivory")) == 2 / 5
    assert share_of_newest(Seizure, terms("100%")) == 1 / 5
    assert share_of_newest(Seizure, terms("100_")) == 1 / 5
    monkeypatch.setattr(search_module, "SAMPLE_ROWS", 4)  # the oldest falls out
    assert share_of_newest(Seizure, terms("100%")) == 0
    assert share_of_newest(Seizure, terms("ivory")) == 2 / 4
    assert share_of_newest(Seizure, terms("trần hà")) == 2 / 4


def test_lists_that_read_every_match_keep_the_index(monkeypatch):
    """An exact count or a download reads every match: the FTS matches are listed even
    when common (the per-row check would read every record)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kouprey.core import search as search_module
    from kouprey.seizures.filters import SeizureFilter

    hit = _seizure("raw ivory tusks")
    _seizure("pangolin scales")
    monkeypatch.setattr(search_module, "BROAD_SHARE", 0)
    assert search_module.reads_every_match({"count": "exact"})
    assert search_module.reads_every_match({"format": "csv"})
    assert not search_module.reads_every_match({"format": "json"})
    for data, per_row in (({"q": "ivory"}, True), ({"q": "ivory", "count": "exact"}, False)):
        with CaptureQueriesContext(connection) as queries:
            found = list(SeizureFilter(data, queryset=Seizure.objects.all()).qs)
        assert found == [hit]
        if connection.vendor == "sqlite":
            assert ("MATCH" not in queries.captured_queries[-1]["sql"]) is per_row


def test_a_common_word_with_accented_capitals_is_found_whatever_its_case(monkeypatch):
    """Per row (a common phrase, or a word under 3 letters) SQLite's LIKE folds ASCII letters
    only; a Vietnamese name is found in any case, as the FTS index finds it."""
    from kouprey.core import search as search_module

    upper = _seizure("suspect TRẦN THU HÀ arrested")
    title = _seizure("Trần Thu Hà, courier")
    _seizure("Tran Van Nam")  # no diacritics: another word
    narrow = sorted(s.pk for s in search(Seizure.objects.all(), "trần hà"))
    monkeypatch.setattr(search_module, "BROAD_SHARE", 0)
    broad = sorted(s.pk for s in search(Seizure.objects.all(), "trần hà"))
    assert narrow == broad == sorted([upper.pk, title.pk])
    assert sorted(s.pk for s in search(Seizure.objects.all(), "HÀ")) == sorted(
        [upper.pk, title.pk])  # under 3 letters: always per row


# -- function words ("at", "the", "នៅ") in a query with other words are not searched ------

def _port_records() -> tuple[Seizure, Seizure, Seizure]:
    plain = _seizure("Ivory tusks, Sihanoukville port")  # no "at", no "the"
    worded = _seizure("Ivory carvings at the port")
    other = _seizure("Pangolin scales at the port")
    return plain, worded, other


def _found(query: str, stops_early: bool = True) -> set[int]:
    return set(search(Seizure.objects.all(), query, stops_early=stops_early
                      ).values_list("pk", flat=True))


@pytest.mark.parametrize("broad", [2.0, 0.0], ids=["index", "per-row"])  # SQLite's plans
@pytest.mark.parametrize("stops_early", [True, False])
def test_an_english_phrase_finds_what_its_content_words_find(broad, stops_early, monkeypatch):
    from kouprey.core import search as search_module

    monkeypatch.setattr(search_module, "BROAD_SHARE", broad)
    plain, worded, _other = _port_records()
    assert _found("ivory at the port", stops_early) == {plain.pk, worded.pk}
    for phrase, content in [("ivory at the port", "ivory port"),
                            ("The ivory from the port", "ivory port"),
                            ("scales of pangolin", "scales pangolin"),
                            ("ivory AND pangolin", "ivory pangolin")]:
        assert _found(phrase, stops_early) == _found(content, stops_early), phrase


@pytest.mark.parametrize("broad", [2.0, 0.0], ids=["index", "per-row"])
def test_a_khmer_phrase_finds_what_its_content_words_find(broad, monkeypatch):
    from kouprey.core import search as search_module

    monkeypatch.setattr(search_module, "BROAD_SHARE", broad)
    plain = _seizure("ការរឹបអូសភ្លុកដំរីកំពង់ផែក្រុងព្រះសីហនុ")  # ivory, Sihanoukville port
    worded = _seizure("ភ្លុកដំរីនៅកំពង់ផែ")  # ivory at the port
    _seizure("ស្រកាសត្វលំពែងនៅកំពង់ផែ")  # pangolin scales at the port
    assert _found("ភ្លុក នៅ កំពង់ផែ") == {plain.pk, worded.pk}  # "ivory at port"
    assert _found("ភ្លុក នៅ កំពង់ផែ") == _found("ភ្លុក កំពង់ផែ")
    assert _found("ភ្លុក និង កំពង់ផែ") == _found("ភ្លុក កំពង់ផែ")  # "and"


def test_words_in_quotes_are_always_searched():
    _plain, worded, other = _port_records()
    assert _found('"at the port"') == {worded.pk, other.pk}
    assert _found('ivory "at the port"') == {worded.pk}
    assert _found('ivory "the"') == {worded.pk}


def test_a_query_of_function_words_only_searches_them():
    _plain, worded, other = _port_records()
    assert _found("at the") == {worded.pk, other.pk}


def test_searched_words_tells_which_words_were_left_out():
    from kouprey.core.search import FUNCTION_WORDS, ignored_words, searched_words

    assert searched_words("Ivory AT the Port") == (["Ivory", "Port"], ["AT", "the"])
    assert searched_words("the ivory of the port") == (["ivory", "port"], ["the", "of"])
    assert searched_words("ភ្លុក នៅ កំពង់ផែ") == (["ភ្លុក", "កំពង់ផែ"], ["នៅ"])
    assert searched_words('"at the" port') == (["at the", "port"], [])
    assert searched_words('ivory "the"') == (["ivory", "the"], [])
    assert searched_words("at the") == (["at", "the"], [])  # nothing else: searched
    assert searched_words('at "the"') == (["the"], ["at"])
    assert searched_words("") == ([], [])
    assert ignored_words("ivory at the port") == ["at", "the"]
    assert "ជា" not in FUNCTION_WORDS  # also the family name Chea
    assert all(w == w.casefold() and " " not in w for w in FUNCTION_WORDS)


def test_a_zero_width_space_separates_words_as_a_space_does():
    """Khmer keyboards put U+200B between words: ivory, then elephant, each found in the
    sentence wherever it is (the text holds them apart, with another word between)."""
    hit = _seizure("ភ្លុក ពី ដំរី អាហ្វ្រិក")  # ivory from African elephant
    _seizure("ភ្លុក")
    assert list(search(Seizure.objects.all(), "ភ្លុក\u200bដំរី")) == [hit]
