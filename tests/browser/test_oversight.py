"""In Chromium: a province officer sets a target, sees progress and the off-track communes, opens
the map and a commune's list; a central analyst sees two provinces' pushed figures, one late, and
the national table."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.oversight.conftest import build_hue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-thu-nghiem"


def _nav(page, name):
    """Click a main-menu item; at phone width the menu is collapsed behind its button first."""
    toggle = page.locator("[data-menu-toggle]")
    if (
        toggle.count()
        and toggle.first.is_visible()
        and not page.locator(f"[data-testid=nav-{name}]").is_visible()
    ):
        toggle.first.click()
    page.click(f"[data-testid=nav-{name}]")


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_province_officer_target_progress_map_and_list(page, live_server, world):
    hue = build_hue(world)
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, live_server, "province_officer")
    _nav(page, "oversight")
    assert "Thành phố Huế" in page.text_content("h1")
    page.click("[data-testid=targets-link]")
    page.fill("input[name=title]", "Tỷ lệ hộ nghèo dưới 16 %")
    page.select_option("select[name=metric]", "rate")
    page.select_option("select[name=op]", "below")
    page.fill("input[name=value]", "16")
    page.click("[data-testid=target-save]")
    progress = page.locator("[data-testid=targets-progress]")
    assert "Tỷ lệ hộ nghèo dưới 16 %" in progress.text_content()
    off = page.locator("[data-testid=off-track-communes]")
    assert hue["a"].name in off.text_content() and hue["b"].name not in off.text_content()
    # no sideways scroll at 390 px
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 392"
        " && !e.closest('.table-wrap')).map(e => e.tagName + '.' + e.className).slice(0, 8)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 392, wide
    page.screenshot(path="/tmp/hongheo-oversight-province.png", full_page=True)

    page.click("[data-testid=map-link]")
    assert "không phải ranh giới hành chính" in page.text_content("[data-testid=map-note]")
    link = page.locator(f"[data-testid=commune-list-{hue['a'].code}]")
    link.wait_for(timeout=15000)
    assert page.locator("#map.leaflet-container").count() == 1
    page.wait_for_timeout(500)
    page.screenshot(path="/tmp/hongheo-oversight-map.png")
    link.click()
    assert page.text_content("[data-testid=result-count]").strip().startswith("22")


def test_central_analyst_sees_pushed_provinces_one_late_and_the_national_table(page, live_server, world):
    from hongheo.oversight import federation, services
    from hongheo.users.models import Role

    build_hue(world)
    analyst = world.users[Role.CENTRAL_ANALYST]
    today = dt.date.today()
    for province, on in ((world.hue, today), (world.hanoi, today - dt.timedelta(days=120))):
        key = federation.load_private_key(federation.new_private_key_pem())
        services.province_key_register(
            actor=None, province=province, public_key=federation.public_key_b64(key)
        )
        payload = services.push_build(actor=analyst, province=province, on=on)
        _push, outcome = services.push_receive(body=federation.canonical(federation.sign(payload, key)))
        assert outcome == "accepted"

    _login(page, live_server, "central_analyst")
    _nav(page, "oversight")
    table = page.locator("[data-testid=national-table]")
    assert "Thành phố Huế" in table.text_content() and "Thành phố Hà Nội" in table.text_content()
    assert "Hà Nội" in page.text_content("[data-testid=late-summary]")
    assert "Huế" not in page.text_content("[data-testid=late-summary]")
    page.screenshot(path="/tmp/hongheo-oversight-national.png", full_page=True)
    page.click("[data-testid=federation-link]")
    assert "Chậm" in page.text_content("[data-testid=status-01]")
    assert "Đúng hạn" in page.text_content("[data-testid=status-46]")
