"""In Chromium, at phone width: a personal ID whose first 3 digits are in neither list is a warning the
officer accepts with a checkbox (issue 7 §5c), and a user sets the name and position printed under
their signature (§5e)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "mat-khau-thu-nghiem")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")


def test_unknown_id_prefix_is_accepted_by_the_officer(page, live_server, world):
    from hongheo.users.models import Role

    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, live_server, world.users[Role.COMMUNE_OFFICER])
    page.goto(f"{live_server.url}/ho/{world.hh_a1.pk}/thanh-vien/them/")
    page.fill("input[name=full_name]", "Trần Văn Kiều")
    page.fill("input[name=date_of_birth]", "1990-03-04")
    page.select_option("select[name=sex]", "male")
    page.select_option("select[name=relation_to_head]", "other")
    page.fill("input[name=personal_id]", "999090123456")
    box = page.locator('[data-field-error="personal_id"]')
    box.wait_for(state="visible", timeout=5000)
    assert "chưa có trong danh sách" in box.text_content()
    page.click("[data-testid=save]")
    page.wait_for_selector("input[name=accept_id_prefix]")
    assert world.hh_a1.members.filter(personal_id="999090123456").count() == 0
    # the form with its warning and checkbox fits a phone screen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.check("input[name=accept_id_prefix]")
    page.click("[data-testid=save]")
    page.wait_for_url(f"**/ho/{world.hh_a1.pk}/")
    assert "Trần Văn Kiều" in page.text_content("[data-testid=members]")


def test_profile_page_at_phone_width(page, live_server, world):
    from hongheo.users.models import Role

    chairman = world.users[Role.COMMUNE_CHAIRMAN]
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, live_server, chairman)
    page.click("[data-testid=current-user]")
    page.wait_for_selector("[data-testid=profile-form]")
    page.fill("input[name=full_name]", "Nguyễn Văn Thành")
    page.fill("input[name=position]", "Chủ tịch Ủy ban nhân dân xã")
    page.click("[data-testid=profile-form] button[type=submit]")
    page.wait_for_selector(".messages")
    assert "Đã lưu hồ sơ." in page.text_content(".messages")
    assert "Nguyễn Văn Thành" in page.text_content("[data-testid=current-user]")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    chairman.refresh_from_db()
    assert chairman.position == "Chủ tịch Ủy ban nhân dân xã"
