"""The /indicators/ page, its JSON/CSV/XLSX twins, and the records behind each number."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kouprey.core.models import User
from kouprey.core.permissions import Role
from kouprey.demo.builder import build
from kouprey.indicators import services, views
from kouprey.seizures.models import Seizure
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/indicators/"


@pytest.fixture
def demo(tmp_path: Path) -> None:
    build(tmp_path / "password")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def analyst(demo: None) -> Client:
    return signed_in(User.objects.get(username="demo-analyst"))


def test_url_name_and_policy() -> None:
    assert reverse("indicators:table") == URL
    from kouprey.core.policy import policy

    assert policy()["indicators:table"] == "view"
    assert policy()["indicators:records"] == "view"


def test_anonymous_is_sent_to_sign_in() -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Client().get(URL + "?format=json").status_code == 401


def test_user_without_organisation_is_refused() -> None:
    lost = User.objects.create_user("lost", password="x" * 12, role=Role.VIEWER)
    assert signed_in(lost).get(URL).status_code == 403


def test_page_shows_numbers_as_links_and_the_caveat(analyst: Client) -> None:
    response = analyst.get(URL, {"until": "2018-01-31"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Seizure counts show where crime was detected and reported" in html
    assert 'href="/indicators/records/?indicator=seizures_with_conviction&amp;' \
           'until=2018-01-31">3</a>' in html
    assert ">21</a>" in html
    assert "Seizures by place" in html and "Phnom Penh International Airport" in html


def test_the_baseline_periods_are_one_click_away(analyst: Client, settings) -> None:
    """With KOUPREY_BASELINE_UNTIL (`make demo` sets it), the page links the baseline and
    the period since, where the demo shows the reports' figures (DOMAIN.md)."""
    import re

    assert 'class="periods"' not in analyst.get(URL).content.decode()  # not configured
    settings.BASELINE_UNTIL = date(2018, 1, 31)
    html = analyst.get(URL, {"validated": "1"}).content.decode()
    links = dict((label, href) for href, label in re.findall(
        r'<a href="([^"]*)">([^<]*)</a>', html.split('class="periods"')[1].split("</nav>")[0]))
    assert links == {"Baseline, to 2018-01-31": "?until=2018-01-31&amp;validated=1",
                     "Since the baseline, from 2018-02-01": "?since=2018-02-01&amp;validated=1"}
    assert '<strong aria-current="true">All dates</strong>' in html
    baseline = analyst.get(URL, {"until": "2018-01-31", "format": "json"}).json()
    rate = next(r for r in baseline["indicators"] if r["id"] == "conviction_rate")
    assert (rate["numerator"], rate["denominator"]) == (3, 21)
    since = analyst.get(URL, {"since": "2018-02-01"}).content.decode()
    assert '<strong aria-current="true">Since the baseline, from 2018-02-01</strong>' in since
    khmer = analyst.get(URL, {"since": "2018-02-01"}, HTTP_ACCEPT_LANGUAGE="km")
    assert "2018-02-01</strong>" in khmer.content.decode()  # ISO in Khmer too


def test_json_twin(analyst: Client) -> None:
    data = analyst.get(URL, {"since": "2018-02-01", "format": "json"}).json()
    assert data["caveat"].startswith("Seizure counts show")
    rows = {(r["id"], r["key"]): r for r in data["indicators"]}
    rate = rows["interagency_rate", ""]
    assert (rate["value"], rate["numerator"], rate["denominator"]) == (0.5, 1, 2)
    assert rate["numerator_url"].startswith("/indicators/records/?indicator=cases_interagency")
    assert "ids" not in rate
    with_ids = analyst.get(URL, {"since": "2018-02-01", "format": "json",
                                 "with_ids": "1"}).json()
    cases = next(r for r in with_ids["indicators"] if r["id"] == "cases_total")
    assert len(cases["ids"]) == 2


def test_csv_and_xlsx(analyst: Client) -> None:
    response = analyst.get(URL, {"until": "2018-01-31", "format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("id,group,key,label,value,numerator,denominator")
    assert "seizures_with_conviction,headline,,Seizures that led to a conviction,3" in text
    response = analyst.get(URL, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    first = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert first[:5] == ["seizures_total", "headline", None, "Seizures", 23]


def test_bad_dates_are_rejected(analyst: Client) -> None:
    assert analyst.get(URL, {"since": "2019-01-01", "until": "2018-01-01"}).status_code == 400
    response = analyst.get(URL, {"since": "soon", "format": "json"})
    assert response.status_code == 400 and "since" in response.json()["errors"]


def test_partner_sees_other_numbers(demo: None) -> None:
    viewer = signed_in(User.objects.get(username="demo-gdce"))
    rows = viewer.get(URL, {"format": "json"}).json()["indicators"]
    assert next(r for r in rows if r["id"] == "seizures_total")["value"] == 21


def records(client: Client, **params: str):  # type: ignore[no-untyped-def]
    return client.get("/indicators/records/", params)


def test_records_json_lists_the_exact_ids(analyst: Client) -> None:
    data = records(analyst, indicator="seizures_with_conviction", until="2018-01-31",
                   format="json").json()
    convicted = Seizure.objects.filter(cases__events__outcome="conviction").distinct()
    assert data["count"] == 3 and sorted(data["ids"]) == sorted(c.pk for c in convicted)


def test_a_number_a_list_filter_expresses_opens_the_filtered_list(analyst: Client) -> None:
    place = Seizure.objects.get(external_id="demo:seizure:2019-pnh-lion-bone").place
    response = records(analyst, indicator="seizures_by_place", key=str(place.pk),
                       until="2018-01-31")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("seizures:list")
    query = parse_qs(location.query)
    assert query.pop("counted") == [f"indicator=seizures_by_place&key={place.pk}"
                                    "&until=2018-01-31"]
    assert query == {"place": [str(place.pk)], "date_to": ["2018-01-31"]}


def test_a_list_opened_from_a_number_names_it_and_links_back(analyst: Client) -> None:
    response = records(analyst, indicator="conviction_rate", until="2018-01-31")
    page = analyst.get(response["Location"])
    html = page.content.decode()
    assert ("These are the records counted by the indicator “Share of seizures resulting in "
            "a conviction (outcome indicator 0.1)”.") in html
    assert '<a href="/indicators/?until=2018-01-31">Back to the indicators</a>' in html
    assert "3 records" in html
    place = Seizure.objects.get(external_id="demo:seizure:2019-pnh-lion-bone").place
    by_place = analyst.get(records(analyst, indicator="seizures_by_place",
                                   key=str(place.pk))["Location"]).content.decode()
    assert "counted by the indicator “Seizures by place”" in by_place
    assert '<a href="/indicators/">Back to the indicators</a>' in by_place
    # a list not opened from a number, or a value naming no indicator, says nothing
    for query in ({}, {"counted": "indicator=nonsense"}, {"counted": "%%%"}):
        plain = analyst.get(reverse("seizures:list"), query)
        assert plain.status_code == 200 and "counted by the indicator" not in \
            plain.content.decode()


def test_a_list_opened_from_a_row_names_the_row(analyst: Client) -> None:
    """A breakdown's row (a place, a year, a trade flow) is named beside the indicator."""
    place = Seizure.objects.get(external_id="demo:seizure:2019-pnh-lion-bone").place
    by_place = analyst.get(records(analyst, indicator="seizures_by_place",
                                   key=str(place.pk))["Location"]).content.decode()
    assert (f"counted by the indicator “Seizures by place”, row “{place.name}”."
            in by_place)
    by_year = analyst.get(records(analyst, indicator="seizures_by_year",
                                  key="2019")["Location"]).content.decode()
    assert "“Seizures by year”, row “2019”." in by_year
    flow = next(r for r in services.breakdowns(services.Scope())["flows"]
                if r.label.startswith(str(services.BREAKDOWNS["flows"].unknown)))
    by_flow = analyst.get(records(analyst, indicator="flows", key=flow.key)["Location"])
    assert f"row “{flow.label}”." in by_flow.content.decode()  # "Not recorded → ... → Viet Nam"


def test_other_numbers_open_the_list_on_their_ids(analyst: Client) -> None:
    response = records(analyst, indicator="cases_total", since="2018-02-01")
    location = urlsplit(response["Location"])
    assert location.path == reverse("cases:list")
    ids = parse_qs(location.query)["ids"][0].split(",")
    scope = services.Scope(since=date(2018, 2, 1))
    assert sorted(map(int, ids)) == sorted(services.records(scope, "cases_total")
                                           .values_list("pk", flat=True))


def test_large_record_sets_are_listed_here(analyst: Client,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "MAX_IDS_IN_URL", 2)
    response = records(analyst, indicator="seizures_with_conviction")
    assert response.status_code == 200
    html = response.content.decode()
    assert "DEMO-2013-PNH-IVORY" in html and "3 records" in html
    assert "counted by the indicator “Seizures that led to a conviction”" in html
    assert reverse("seizures:detail", kwargs={"pk": Seizure.objects.get(
        reference="DEMO-2013-PNH-IVORY").pk}) in html


def test_empty_record_sets_do_not_open_the_whole_list(analyst: Client) -> None:
    response = records(analyst, indicator="seizures_with_conviction", since="2018-02-01")
    assert response.status_code == 200 and "No records." in response.content.decode()


def test_unknown_indicator_is_404(analyst: Client) -> None:
    assert records(analyst, indicator="nonsense").status_code == 404
    assert records(analyst, indicator="flows", key="1").status_code == 404


def test_records_never_include_other_organisations(demo: None) -> None:
    hidden = f.seizure(org=f.organisation("elsewhere"), date=date(2015, 5, 5))
    viewer = signed_in(User.objects.get(username="demo-gdce"))
    ids = records(viewer, indicator="seizures_total", format="json").json()["ids"]
    assert hidden.pk not in ids and len(ids) == 21


def test_every_weight_in_a_breakdown_opens_the_same_records_as_its_count(
        analyst: Client) -> None:
    html = analyst.get(URL).content.decode()
    rows = re.findall(r'<tr><td>[^<]*</td><td class="num"><a href="([^"]+)">\d+</a></td>'
                      r'<td class="num">(.*?)</td></tr>', html)
    weighed = [(count, cell) for count, cell in rows if cell != "—"]
    assert len(weighed) >= 10, "the demo has weights by year, place, taxon, commodity"
    for count_href, cell in weighed:
        link = re.fullmatch(r'<a href="([^"]+)" title="[^"]+">[\d.,]+</a>', cell)
        assert link, cell
        assert link.group(1) == count_href


def test_a_flow_with_unknown_parts_says_unknown_and_links_its_records() -> None:
    """It read "— → — → Viet Nam"; the words go through gettext."""
    org = f.organisation("wcs")
    client = signed_in(f.user(Role.ANALYST, org))
    s = f.seizure(org=org, destination_country=f.country("VN"),
                  validation_status=Seizure.Validation.VALIDATED)
    html = client.get(URL).content.decode()
    row = re.search(r"<tr><td>([^<]*→[^<]*)</td><td class=\"num\"><a href=\"([^\"]+)\">1</a>",
                    html)
    assert row and row.group(1) == "unknown → unknown → Viet Nam"
    opened = client.get(row.group(2).replace("&amp;", "&"))
    assert opened.status_code == 302
    assert [r["id"] for r in client.get(opened["Location"] + "&format=json").json()[
        "results"]] == [s.pk]


@pytest.mark.parametrize("language", ["en", "km"])
def test_weights_and_raw_ivory_equivalent_are_shown_alike(language: str) -> None:
    """RIE (raw + worked / 0.7) was shown to the gram ("1,014.286") beside weights to
    0.1 kg, and Khmer breakdowns grouped differently ("1010,0"): every weight on the page
    is now to 0.1 kg with the same separators; the twins keep the exact values."""
    org = f.organisation("wcs")
    client = signed_in(f.user(Role.ANALYST, org))
    s = f.seizure(org=org, validation_status=Seizure.Validation.VALIDATED)
    f.item(s, weight="1000")
    f.item(s, weight="10", worked=True, commodity=f.commodity("ivory-worked"))
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    cells = dict(re.findall(r'<tr id="(\w+)">\s*<td>[^<]*</td>\s*<td class="num"><a [^>]*>'
                            r'([^<]*)</a>', html))
    assert (cells["total_weight_kg"], cells["rie_kg"]) == ("1,010.0", "1,014.3")
    assert '">1,010.0</a></td></tr>' in html and "1,014.286" not in html  # a breakdown
    data = client.get(URL, {"format": "json"}).json()["indicators"]
    assert next(r for r in data if r["id"] == "rie_kg")["value"] == 1014.286
    csv = b"".join(client.get(URL, {"format": "csv"}).streaming_content).decode()
    assert "1014.286" in csv
