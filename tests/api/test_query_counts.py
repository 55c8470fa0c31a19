"""The API lists read a page in a fixed number of queries, however many records it shows."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kouprey.core.permissions import Role
from tests import factories as f
from tests.factories.api import TokenClient

pytestmark = pytest.mark.django_db


def queries(client: TokenClient, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


def add_records(org, n: int) -> None:
    gdce, fa = f.agency("gdce"), f.agency("fa")
    for _ in range(n):
        seizure = f.seizure(org=org)
        seizure.agencies.set([gdce, fa])
        f.item(seizure)
        f.item(seizure, worked=True)
        case = f.case(org=org, seizures=[seizure], court=gdce)
        f.event(case, "arrest", date(2020, 1, 1))
        f.event(case, "charge", date(2020, 2, 1))


@pytest.mark.parametrize("path", ["/api/seizures/", "/api/cases/"])
def test_list_queries_do_not_grow_with_the_page(path: str) -> None:
    org = f.organisation("wcs")
    client = TokenClient(f.user(Role.VIEWER, org))
    add_records(org, 2)
    few = queries(client, path)
    add_records(org, 8)
    assert queries(client, path) == few
