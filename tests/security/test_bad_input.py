"""Issue 8, items 9 and 13: out-of-range input gets a 400 with a message, never a server error;
the 404 page shows no URL configuration or paths."""

from __future__ import annotations

import pytest
from django.test import Client

from hongheo.users.models import Role


@pytest.fixture
def officer_client(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.users[Role.COMMUNE_OFFICER])
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/households?page=9223372036854775807",
        "/api/v1/households?page=-5",
        "/bao-cao/?den_ngay=0001-01-01",
        "/bao-cao/?tu_ngay=9999-12-31&den_ngay=9999-12-31",
        "/bao-cao/lich/?nam=0",
        "/bao-cao/lich/?nam=99999",
        "/ra-soat/niem-yet/ngay-ket-thuc/?tu=9999-12-31",
        "/ra-soat/niem-yet/ngay-ket-thuc/?tu=0001-01-01",
    ],
)
def test_out_of_range_queries_are_400(officer_client, url):
    response = officer_client.get(url)
    assert response.status_code == 400, (url, response.status_code)
    assert response.content.strip()


def test_huge_year_on_report_submit_is_400(world, officer_client):
    response = officer_client.post(
        "/bao-cao/nop/", {"dia_ban": world.commune_a.code, "loai": "official", "nam": "99999999999"}
    )
    assert response.status_code == 400


def test_deeply_nested_standard_draft_is_400(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.users[Role.ADMINISTRATOR])
    nested = "[" * 100_000 + "]" * 100_000
    response = client.post("/chuan-ngheo/soan-thao/", {"document": nested})
    assert response.status_code in (400, 422)
    assert "lồng" in response.content.decode() or "JSON" in response.content.decode()


def test_plain_404_page_without_debug(db):
    response = Client().get("/khong-co-trang-nay/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Không tìm thấy" in body
    for leak in ("URLPattern", "URLResolver", "tried", "hongheo.web", "/ho/", "api/v1", "site-packages"):
        assert leak not in body, leak


def test_nul_characters_are_refused_before_any_query(world):
    """PostgreSQL cannot hold NUL in text: a NUL in the path, the query, a form or a JSON body is a
    400 with a message, on every database (it was a 500 on PostgreSQL on ~20 pages)."""
    from django.test import Client

    from hongheo.users.models import Role

    client = Client()
    client.force_login(world.users[Role.COMMUNE_OFFICER])
    for response in (
        client.get("/ho/?q=a%00b"),
        client.get(f"/ra-soat/xa/{world.commune_a.code}%00/mo-dot/"),
        client.post("/ho/xuat-excel/", {"q": "a\x00b"}),
        client.post(
            "/api/v1/field/login",
            '{"username": "a\\u0000", "password": "x"}',
            content_type="application/json",
        ),
    ):
        assert response.status_code == 400, response
        assert "NUL" in response.content.decode()
    assert client.get("/ho/?q=an").status_code == 200  # ordinary text passes
