"""In Chromium: the member form checks the 12-digit ID as the user types (household_form.js,
no inline script), and saving adds the member to the household page."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_form_checks_id_as_you_type(page, live_server, world):
    from hongheo.users.models import Role

    officer = world.users[Role.COMMUNE_OFFICER]
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", officer.username)
    page.fill("input[name=password]", "mat-khau-thu-nghiem")
    page.click("button[type=submit]")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/ho/{world.hh_a1.pk}/thanh-vien/them/")
    page.fill("input[name=full_name]", "Nguyễn Thị Hoa")
    page.fill("input[name=date_of_birth]", "2015-06-01")
    page.select_option("select[name=sex]", "female")
    page.fill("input[name=personal_id]", "046215000123")  # digit 4 = 2: a boy born in the 2000s
    box = page.locator('[data-field-error="personal_id"]')
    box.wait_for(state="visible", timeout=5000)
    assert "giới tính" in box.text_content()
    page.fill("input[name=personal_id]", "046315000123")
    box.wait_for(state="hidden", timeout=5000)
    page.click("[data-testid=save]")
    page.wait_for_url(f"**/ho/{world.hh_a1.pk}/")
    assert "Nguyễn Thị Hoa" in page.text_content("[data-testid=members]")
    assert "Thêm nhân khẩu" in page.text_content("[data-testid=history]")
    assert not [e for e in errors if "Content Security Policy" in e]
