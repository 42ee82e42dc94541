"""A commune officer of a Huế commune logs in in Chromium and sees only that commune's households."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(transactional_db):
    from hongheo.registry.demo import demo_seed

    return demo_seed(households=300, communes=3, seed=7)


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "hongheo-demo-2026")
    page.click("button[type=submit]")


def test_commune_officer_sees_only_own_commune(page, live_server, seeded):
    from hongheo.registry.models import Household
    from hongheo.users.models import User

    officer = User.objects.get(username="xa")
    commune = officer.assignments.get().area
    own = Household.objects.filter(commune=commune).count()
    assert 0 < own < Household.objects.count()

    _login(page, live_server, "xa")
    assert "Cán bộ cấp xã" in page.text_content("[data-testid=current-user]")
    assert page.text_content("[data-testid=household-count]").replace(".", "") == str(own)
    page.click("text=Xem danh sách hộ")
    communes_in_table = set(page.locator("table.list tbody tr td:nth-child(5)").all_text_contents())
    assert communes_in_table == {commune.name}
    other = Household.objects.exclude(commune=commune).first()
    response = page.goto(f"{live_server.url}/ho/{other.pk}/")
    assert response.status == 404
    assert "Không tìm thấy" in page.content()


def test_search_without_diacritics_in_browser(page, live_server, seeded):
    from hongheo.core.text import fold
    from hongheo.registry.models import Household
    from hongheo.users.models import User

    commune = User.objects.get(username="xa").assignments.get().area
    target = Household.objects.filter(commune=commune).order_by("code").first()
    _login(page, live_server, "xa")
    page.goto(f"{live_server.url}/ho/")
    page.fill("input[name=q]", fold(target.head_name))
    page.click("form.filters button[type=submit]")
    assert target.code in page.content()
    page.click(f"text={target.code}")
    assert target.head_name in page.content()
    page.screenshot(path="/tmp/hongheo-household.png")


def test_export_job_progress_and_outcome_in_browser(page, live_server, seeded):
    from hongheo.core.jobs import run_pending_jobs

    _login(page, live_server, "xa")
    page.goto(f"{live_server.url}/ho/")
    page.click("[data-testid=export]")
    assert "/tac-vu/" in page.url
    assert page.text_content("[data-testid=job-state]").strip() == "Đang chờ"
    assert page.locator("progress").count() == 1
    run_pending_jobs()
    # the page polls the status endpoint and reloads itself when the job ends
    page.wait_for_selector("[data-testid=result-link]", timeout=15000)
    assert page.text_content("[data-testid=job-state]").strip() == "Hoàn thành"
    with page.expect_download() as download_info:
        page.click("[data-testid=result-link]")
    assert download_info.value.suggested_filename.endswith(".xlsx")
