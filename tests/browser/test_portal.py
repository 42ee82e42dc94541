"""A citizen registers a household on a phone (390 × 844) through the portal, loses the connection
in the middle (the draft stays on the phone; sending fails clearly), comes back in a new tab, sees
the indicative self-assessment, sends and gets a code + PIN; the commune runs the round (services);
the officer sees the application in the round; the citizen sees the decision with the code."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-thu-nghiem"


@pytest.fixture
def commune(transactional_db):
    from hongheo.geography.models import Area
    from hongheo.geography.services import village_create
    from hongheo.users.models import Role
    from hongheo.users.services import user_create
    from tests.conftest import ensure_map

    ensure_map()
    commune = Area.objects.filter(parent__code="46", kind="xa").order_by("code").first()
    village = village_create(actor=None, commune=commune, name="Thôn Bến Đò")
    officer = user_create(
        actor=None, username="canbo", password=PASSWORD, role=Role.COMMUNE_OFFICER, areas=[commune]
    )
    chairman = user_create(
        actor=None, username="chutich", password=PASSWORD, role=Role.COMMUNE_CHAIRMAN, areas=[commune]
    )
    return {"commune": commune, "village": village, "officer": officer, "chairman": chairman}


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_register_offline_then_follow_to_the_decision(chromium_browser, live_server, commune):
    from playwright.sync_api import expect

    from hongheo.capture.portal.models import PortalApplication
    from hongheo.core.text import fold
    from tests.conftest import run_round_to_decision

    base = live_server.url
    context = chromium_browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{base}/dang-ky/")
    # the portal's service worker takes the page over (it opens offline from now on)
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    # 1. where: search without diacritics
    page.fill("[data-filter=province]", "hue")
    page.select_option("[data-testid=province]", "46")
    code = commune["commune"].code
    page.wait_for_selector(f"[data-testid=commune] option[value='{code}']", state="attached")
    page.fill("[data-filter=commune]", fold(commune["commune"].name).removeprefix("xa "))
    page.select_option("[data-testid=commune]", code)
    page.wait_for_selector(
        f"[data-testid=village] option[value='{commune['village'].code}']", state="attached"
    )
    page.select_option("[data-testid=village]", commune["village"].code)
    page.fill("input[name=address]", "Xóm Bến, số 7")
    _no_sideways_scroll(page)
    page.click("[data-testid=next]")
    # 2. declarant
    page.fill("input[name='declarant.full_name']", "Hồ Thị Mai")
    page.fill("input[name='declarant.date_of_birth']", "1985-04-02")
    page.check("input[name='declarant.sex'][value=female]")
    page.fill("input[name='declarant.personal_id']", "046085123456")  # digit 4 says a man: checked as typed
    expect(page.locator("[data-error='declarant.personal_id']")).to_have_text(
        "Số định danh: chữ số thứ 4 không khớp với giới tính."
    )
    page.fill("input[name='declarant.personal_id']", "046185123456")
    expect(page.locator("[data-error='declarant.personal_id']")).to_have_text("")
    page.click("[data-testid=next]")
    # 3. members: the declarant is the first row (head); add a child
    assert page.input_value("input[name='members.0.full_name']") == "Hồ Thị Mai"
    assert page.input_value("select[name='members.0.relation_to_head']") == "head"
    page.select_option("select[name='members.0.health_insurance']", "0")
    page.click("#add-member")
    page.fill("input[name='members.1.full_name']", "Hồ Văn Tí")
    page.select_option("select[name='members.1.relation_to_head']", "child")
    page.select_option("select[name='members.1.sex']", "male")
    page.fill("input[name='members.1.date_of_birth']", "2015-06-01")
    page.select_option("select[name='members.1.in_school']", "1")
    _no_sideways_scroll(page)
    page.click("[data-testid=next]")

    # the connection drops in the middle of the form
    context.set_offline(True)
    page.select_option("select[name='living.housing_quality']", "non_durable")
    page.fill("input[name='living.floor_area_m2']", "18")
    page.select_option("select[name='living.water_source']", "unprotected_well")
    page.select_option("select[name='living.toilet']", "unimproved")
    page.select_option("select[name='living.internet']", "0")
    page.click("[data-testid=next]")
    page.select_option("select[name='incomes.0.source']", "crops")
    page.select_option("select[name='incomes.0.period']", "year")
    page.fill("input[name='incomes.0.amount']", "18000000")
    page.click("#add-income")
    page.select_option("select[name='incomes.1.source']", "wages")
    page.fill("input[name='incomes.1.amount']", "1000000")
    assert page.text_content("[data-testid=per-person]") == "1.250.000"
    page.click("[data-testid=next]")
    expect(page.locator("[data-testid=assessment]")).to_contain_text("kết nối")
    page.click("[data-testid=send]")
    expect(page.locator("[data-testid=send-error]")).to_contain_text("mất kết nối")
    assert PortalApplication.objects.count() == 0
    page.close()  # the tab is closed while offline

    # still offline, a new tab: the page comes from the phone (service worker), the draft with it
    page = context.new_page()
    response = page.goto(f"{base}/dang-ky/")
    assert response is not None and response.from_service_worker
    expect(page.locator("[data-testid=assessment]")).to_contain_text("kết nối")
    assert page.locator("select[name='members.1.relation_to_head'] option").count() > 2  # code lists
    page.close()

    # back online, a new tab: the draft is still there, at the last step
    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{base}/dang-ky/")
    expect(page.locator("[data-testid=assessment]")).to_contain_text("Theo thông tin")
    text = page.text_content("[data-testid=assessment]")
    assert (
        "Theo thông tin bạn khai, hộ có thể thuộc diện hộ" in text
        and "1.250.000" in text
        and "tham khảo" in text
    )
    question = page.text_content("#question")
    a, b = (int(x) for x in re.findall(r"\d+", question))
    page.fill("[data-testid=bot-answer]", str(a + b))
    page.click("[data-testid=send]")
    page.wait_for_selector("[data-testid=receipt]:not([hidden])")
    tracking_code = page.text_content("[data-testid=tracking-code]").strip()
    pin = page.text_content("[data-testid=pin]").strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", tracking_code) and re.fullmatch(r"\d{6}", pin)
    _no_sideways_scroll(page)
    page.screenshot(path="/tmp/hongheo-portal-receipt.png", full_page=True)
    submission = PortalApplication.objects.get()
    assert submission.application is None  # accepted; the worker registers it (decision 0012)
    from hongheo.capture.portal.services import portal_process_pending

    assert portal_process_pending() == 1
    submission.refresh_from_db()
    assert submission.application.channel == "portal" and submission.application.household.provisional

    # status before the round
    page.goto(f"{base}/dang-ky/tra-cuu/")
    page.fill("[data-testid=code]", tracking_code)
    page.fill("[data-testid=pin-input]", pin)
    page.click("[data-testid=lookup] button[type=submit]")
    assert page.get_attribute("[data-testid=status-label]", "data-status") == "received"

    # the commune runs its yearly round with the services; the officer sees the application in it
    from hongheo.reviews import services as s

    review_round = s.round_open(
        actor=commune["officer"], commune=commune["commune"], kind="yearly", year=2026
    )
    household = submission.application.household
    officer_page = context.new_page()
    officer_page.goto(f"{base}/dang-nhap/")
    officer_page.fill("input[name=username]", "canbo")
    officer_page.fill("input[name=password]", PASSWORD)
    officer_page.click("button[type=submit]")
    officer_page.goto(f"{base}/ra-soat/dot/{review_round.pk}/danh-sach/")
    assert officer_page.locator(f"tr[data-household='{household.code}']").count() == 1
    officer_page.goto(f"{base}/ra-soat/giay-de-nghi/?xa={commune['commune'].code}")
    assert "Tự đăng ký trên cổng" in officer_page.text_content("[data-testid=applications]")
    officer_page.close()
    decision = run_round_to_decision(
        commune["commune"],
        officer=commune["officer"],
        chairman=commune["chairman"],
        year=2026,
        number="15/QĐ-UBND",
    )

    # the citizen sees the decision with the code
    page.goto(f"{base}/dang-ky/tra-cuu/")
    page.fill("[data-testid=code]", tracking_code)
    page.fill("[data-testid=pin-input]", pin)
    page.click("[data-testid=lookup] button[type=submit]")
    assert page.get_attribute("[data-testid=status-label]", "data-status") == "decided"
    decided = page.text_content("[data-testid=decision]")
    assert decision.number in decided and ("Hộ nghèo" in decided or "cận nghèo" in decided)
    _no_sideways_scroll(page)
    page.screenshot(path="/tmp/hongheo-portal-decided.png", full_page=True)
    context.close()
