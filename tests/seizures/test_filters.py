"""Seizure filters: to-many filters as semi-joins (no duplicates, no DISTINCT)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kouprey.cases.filters import CaseFilter
from kouprey.cases.models import Case
from kouprey.seizures.filters import SeizureFilter
from kouprey.seizures.models import Seizure
from tests import factories as f

pytestmark = pytest.mark.django_db


def _ids(params):
    filterset = SeizureFilter(params, queryset=Seizure.objects.all())
    assert filterset.is_valid(), filterset.errors
    with CaptureQueriesContext(connection) as queries:
        found = list(filterset.qs.values_list("reference", flat=True))
    assert "DISTINCT" not in queries.captured_queries[0]["sql"]
    return sorted(found)


def test_to_many_filters_find_each_seizure_once():
    lion, elephant = f.taxon("Panthera leo"), f.taxon("Loxodonta africana")
    both = f.seizure(reference="BOTH")
    f.item(both, taxon=lion)
    f.item(both, taxon=lion)  # two matching items: still one row
    f.item(both, taxon=elephant)
    only = f.seizure(reference="ELEPHANT")
    f.item(only, taxon=elephant)
    f.seizure(reference="NONE")
    assert _ids({"taxon": lion.pk}) == ["BOTH"]
    assert _ids({"taxon": elephant.pk}) == ["BOTH", "ELEPHANT"]
    gdce, fa = f.agency("gdce"), f.agency("fa")
    both.agencies.add(gdce, fa)
    only.agencies.add(fa)
    assert _ids({"agency": gdce.pk}) == ["BOTH"]
    assert _ids({"agency": fa.pk, "taxon": elephant.pk}) == ["BOTH", "ELEPHANT"]
    f.suspect(both, nationality=f.country("VN"))
    f.suspect(both, name="Another Person", nationality=f.country("VN"))
    assert _ids({"nationality": f.country("VN").pk}) == ["BOTH"]
    f.origin(only, "MZ")
    assert _ids({"origin": f.country("MZ").pk}) == ["ELEPHANT"]
    assert _ids({}) == ["BOTH", "ELEPHANT", "NONE"]


def test_common_values_filter_per_record_with_the_same_results(monkeypatch):
    """A value with more than BROAD_RELATED related rows is checked with EXISTS per record."""
    from kouprey.seizures import filters

    lion = f.taxon("Panthera leo")
    hit = f.seizure(reference="LION")
    f.item(hit, taxon=lion)
    f.item(hit, taxon=lion)
    f.seizure(reference="NONE")
    gdce = f.agency("gdce")
    hit.agencies.add(gdce)
    monkeypatch.setattr(filters, "BROAD_RELATED", 1)
    with CaptureQueriesContext(connection) as queries:
        assert _ids({"taxon": lion.pk}) == ["LION"]
    assert "EXISTS" in queries.captured_queries[-1]["sql"]
    assert _ids({"taxon": lion.pk, "agency": gdce.pk}) == ["LION"]
    with CaptureQueriesContext(connection) as queries:  # an exact count lists them (IN)
        assert _ids({"taxon": lion.pk, "count": "exact"}) == ["LION"]
    assert "EXISTS" not in queries.captured_queries[-1]["sql"]


def test_case_agency_filter():
    gdce = f.agency("gdce")
    hit = f.case()
    f.involve(hit, gdce)
    f.involve(hit, gdce, role="prosecuting")
    f.case()
    filterset = CaseFilter({"agency": gdce.pk}, queryset=Case.objects.all())
    assert filterset.is_valid()
    assert list(filterset.qs) == [hit]
