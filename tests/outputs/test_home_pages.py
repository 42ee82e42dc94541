"""Home pages say what to do next, per role; the province sees communes without a round as late."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from hongheo.reviews import services as s
from hongheo.reviews.selectors import province_overview
from hongheo.users.models import Role

pytestmark = pytest.mark.django_db


def _home(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def open_round(world):
    officer = world.users[Role.COMMUNE_OFFICER]
    s.status_baseline_set(
        actor=None, household=world.hh_a1, classification="poor", since=dt.date(2025, 12, 20), source="DS"
    )
    s.application_receive(
        actor=officer,
        commune=world.commune_a,
        kind="review",
        applicant_name="Lê Thị Đào",
        household=world.hh_a2,
        received_on=dt.date(2026, 10, 1),
    )
    rnd = s.round_open(actor=officer, commune=world.commune_a, kind="yearly", year=2026)
    return s.round_advance(actor=officer, review_round=rnd, action="start_survey")


def test_commune_officer_home_says_what_to_do(world, open_round):
    html = _home(world.users[Role.COMMUNE_OFFICER])
    assert 'data-testid="next-steps"' in html and 'data-testid="open-round"' in html
    assert "Phiếu B, chấm điểm, xếp loại" in html  # the step
    assert 'data-testid="class-counts"' in html and "Cuối năm" in html
    assert "1 giấy đề nghị chưa có kết quả" in html
    assert 'data-testid="job-list-link"' in html
    nav = html.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert "Tác vụ nền" not in nav  # the jobs left the main menu


def test_chairman_sees_decisions_waiting(world, open_round):
    assert "Không có quyết định nào chờ ký." in _home(world.users[Role.COMMUNE_CHAIRMAN])


def test_surveyor_sees_households_to_survey(world, open_round):
    html = _home(world.users[Role.SURVEYOR])
    assert 'data-testid="to-survey"' in html and "hộ chưa có Phiếu B" in html


def test_province_counts_communes_without_a_round_as_late(world, open_round):
    province_user = world.users[Role.PROVINCE_OFFICER]
    rows = province_overview(province_user, today=dt.date(2026, 11, 30))
    late = [r for r in rows if r.deadline and r.deadline.overdue]
    assert len(rows) > 2 and len(late) == len(rows) - 1  # every commune but A has no round
    assert all(r.deadline.state == "not_opened" for r in late)
    before = province_overview(province_user, today=dt.date(2026, 8, 1))  # the window has not started
    assert not any(r.deadline and r.deadline.overdue for r in before)
    html = _home(province_user)
    assert 'data-testid="province-overdue"' in html and "0 quá hạn" not in html


def test_central_analyst_sees_provinces_not_communes(world):
    html = _home(world.users[Role.CENTRAL_ANALYST])
    assert 'data-testid="provinces"' in html and "Thành phố Huế" in html
    assert html.count('href="/dia-ban/') < 60
