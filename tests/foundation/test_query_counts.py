"""List pages run a bounded number of queries, whatever the number of households."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hongheo.users.models import Role


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_household_list_query_count_does_not_grow(world, household_factory):
    client = Client()
    client.force_login(world.users[Role.COMMUNE_OFFICER])
    url = f"/ho/?xa={world.commune_a.code}"
    few = _queries(client, url)
    for i in range(30):
        household_factory(world.commune_a, world.village_a1, f"HH-N{i:03d}", f"Đỗ Văn Số {i}")
    many = _queries(client, url)
    assert many == few
    assert many <= 8
    assert _queries(client, url + "&q=do+van") <= 8


def test_api_list_query_count_bounded(world):
    client = Client()
    client.force_login(world.users[Role.PROVINCE_OFFICER])
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/api/v1/households").json()
    assert body["count"] == 3
    assert len(ctx.captured_queries) <= 5
