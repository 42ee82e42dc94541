"""Issue 8, item 5 on the review surface: an aggregate-only role (the central analyst) reads no
personal data through the review pages — rounds' households, Phiếu A/B, meetings and minutes,
postings, complaints, applications, decisions and certificates are "not found" for it — unless it
holds the one personal-data grant (``users.PersonalDataGrant``) that opens the registry too. It
still sees the province overview and a round's step and counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from hongheo.users.models import Role, User
from hongheo.users.services import personal_data_grant

from .conftest import review_objects


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def objs(world):
    from hongheo.reviews import services as reviews

    reviews.status_baseline_set(
        actor=None, household=world.hh_a1, classification="poor", since=dt.date(2025, 12, 20), source="DS"
    )
    return review_objects(world.users[Role.COMMUNE_OFFICER], world.commune_a, world.hh_a1, tag="a")


def _personal_urls(o, world):
    r = o["round"].pk
    return [
        ("GET", f"/ra-soat/dot/{r}/danh-sach/"),
        ("GET", f"/ra-soat/dot/{r}/ho/{o['entry'].pk}/phieu-a/"),
        ("GET", f"/ra-soat/dot/{r}/ho/{o['entry'].pk}/phieu-b/"),
        ("GET", f"/ra-soat/dot/{r}/hop-dan/xa/"),
        ("GET", f"/ra-soat/hop-dan/{o['meeting'].pk}/bien-ban.pdf"),
        ("GET", f"/ra-soat/dot/{r}/niem-yet/"),
        ("GET", f"/ra-soat/niem-yet/{o['posting'].pk}/minh-chung/"),
        ("GET", f"/ra-soat/dot/{r}/niem-yet/xa/danh-sach.pdf"),
        ("GET", f"/ra-soat/dot/{r}/khieu-nai/"),
        ("POST", f"/ra-soat/khieu-nai/{o['complaint'].pk}/phuc-tra/"),
        ("POST", f"/ra-soat/giay-de-nghi/{o['application'].pk}/tu-choi/"),
        ("GET", f"/ra-soat/giay-de-nghi/{o['application'].pk}/van-ban-tra-loi.pdf"),
        ("GET", f"/ra-soat/dot/{r}/quyet-dinh/"),
        ("GET", f"/ra-soat/quyet-dinh/{o['decision'].pk}/mau-02.pdf"),
        ("GET", f"/ra-soat/quyet-dinh/{o['decision'].pk}/giay-chung-nhan.pdf"),
        ("POST", f"/ra-soat/quyet-dinh/{o['decision'].pk}/giay-chung-nhan/in-lo/"),
        ("GET", f"/ra-soat/giay-chung-nhan/{o['certificate'].pk}.pdf"),
        ("POST", f"/ra-soat/dot/{r}/chuyen-buoc/"),
        ("POST", f"/ra-soat/dot/{r}/huy/"),
    ]


def test_central_analyst_without_a_grant_finds_no_review_object(world, objs):
    client = _client(world.users[Role.CENTRAL_ANALYST])
    wrong = []
    for method, url in _personal_urls(objs, world):
        response = client.post(url) if method == "POST" else client.get(url)
        if response.status_code != 404:
            wrong.append(f"{method} {url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_central_analyst_sees_the_round_counts_but_no_household(world, objs):
    client = _client(world.users[Role.CENTRAL_ANALYST])
    page = client.get(f"/ra-soat/dot/{objs['round'].pk}/")
    assert page.status_code == 200
    assert page.context["progress"]["total"] == objs["round"].entries.count() > 0  # counted
    html = page.content.decode()
    assert world.hh_a1.head_name not in html and world.hh_a1.code not in html
    assert f"/ra-soat/hop-dan/{objs['meeting'].pk}/bien-ban.pdf" not in html
    assert f"/ra-soat/dot/{objs['round'].pk}/danh-sach/" not in html
    overview = client.get("/ra-soat/tinh/")
    assert overview.status_code == 200


def test_the_registry_grant_opens_the_review_households_too(world, objs):
    analyst = world.users[Role.CENTRAL_ANALYST]
    User.objects.filter(pk=analyst.pk).update(full_name="Nguyễn Văn Phân Tích")
    analyst.refresh_from_db()
    personal_data_grant(
        actor=world.users[Role.ADMINISTRATOR], user=analyst, reason="Kiểm tra theo công văn 12/VPQG", days=7
    )
    client = _client(User.objects.get(pk=analyst.pk))
    page = client.get(f"/ra-soat/dot/{objs['round'].pk}/danh-sach/")
    assert page.status_code == 200
    assert world.hh_a1.code in page.content.decode()
    # role checks still apply: an analyst does not sign or print decisions
    assert client.get(f"/ra-soat/quyet-dinh/{objs['decision'].pk}/mau-02.pdf").status_code == 403


def test_commune_staff_still_read_their_round(world, objs):
    officer = _client(world.users[Role.COMMUNE_OFFICER])
    assert officer.get(f"/ra-soat/dot/{objs['round'].pk}/danh-sach/").status_code == 200
    chairman = _client(world.users[Role.COMMUNE_CHAIRMAN])
    assert chairman.get(f"/ra-soat/giay-chung-nhan/{objs['certificate'].pk}.pdf").status_code == 200
