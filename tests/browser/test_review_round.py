"""A whole yearly review round of one demo commune in Chromium, on a tablet-sized screen: the
commune officer receives an application, opens the round, screens (Phiếu A), surveys (Phiếu B,
checked as they type), holds the village meeting, posts the results, re-checks a complaint that
changes a result and submits; the chairman sees the changes first, signs, and prints a
certificate; the province sees the commune's round closed."""

from __future__ import annotations

import datetime as dt

import pypdf
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "hongheo-demo-2026"
RANGE_MSG = "Thu nhập từ tiền công, tiền lương (đồng/tháng, cả hộ): phải từ 0 đến 1.000.000.000 đồng."


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


@pytest.fixture
def seeded(transactional_db):
    from django.db.models import Count

    from hongheo.geography.models import Area
    from hongheo.registry.demo import demo_seed
    from hongheo.registry.models import Household
    from hongheo.reviews.services import status_baseline_set
    from hongheo.users.models import User

    demo_seed(households=60, communes=2, seed=5)
    commune = User.objects.get(username="xa").assignments.get().area
    busiest = (
        Household.objects.filter(commune=commune, is_active=True, village__isnull=False)
        .values("village")
        .annotate(n=Count("id"))
        .order_by("-n", "village")
        .first()
    )
    village = Area.objects.get(pk=busiest["village"])
    households = list(Household.objects.filter(village=village, is_active=True).order_by("code")[:3])
    poor = households[:2]
    for h in poor:  # last year's poor list
        status_baseline_set(
            actor=None,
            household=h,
            classification="poor",
            since=dt.date(2025, 12, 20),
            source="DS hộ nghèo 2025",
        )
    return {"commune": commune, "village": village, "poor": poor, "applicant": households[2]}


def _login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")


def _action(page, name):
    page.click(f"button[data-action={name}]")
    page.wait_for_load_state()
    # irreversible steps ask for confirmation, saying what will happen
    assert page.locator("[data-testid=confirm]").count() == 1
    page.click("[data-testid=confirm-yes]")
    page.wait_for_load_state()


MEMBER_ANSWERS = {
    "health_insurance": "1",
    "in_school": "0",
    "education_level": "lower_secondary",
    "has_qualification": "0",
    "employment": "self_employed",
    "disability": "0",
    "disability_allowance": "0",
    "undernourished": "0",
}


def _survey(page, income):
    """Phiếu B generated from the questionnaire: income by source for the whole household (the
    server divides by the members present), every member's facts."""
    members = page.locator("fieldset.member-block").count()
    page.fill("input[name=income_wages]", str(income * members))
    for name in ("income_farming", "income_business", "income_other"):
        page.fill(f"input[name={name}]", "0")
    for i in range(members):
        for name, value in MEMBER_ANSWERS.items():
            page.select_option(f"select[name=member-{i}-{name}]", value)
    page.select_option("select[name=housing_quality]", "semi_durable")
    page.fill("input[name=floor_area_m2]", "24")
    page.select_option("select[name=water_source]", "protected_well")
    page.select_option("select[name=toilet]", "improved_pit")
    page.select_option("select[name=waste_handling]", "collected")
    page.select_option("select[name=internet]", "0")
    page.fill("input[name=information_devices]", "1")
    page.click("[data-testid=survey-form] button[type=submit]")
    page.wait_for_selector("[data-testid=entries]")


def test_full_review_round_in_the_browser(page, live_server, seeded, tmp_path):
    from playwright.sync_api import expect

    from hongheo.reviews.models import ReviewRound, RoundEntry

    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet
    base = live_server.url
    applicant = seeded["applicant"]
    poor_a, poor_b = seeded["poor"]

    # --- commune officer: application (Mẫu 01), then the yearly round -----------------------------
    _login(page, live_server, "xa")
    _nav(page, "reviews")
    page.click("[data-testid=applications-link]")
    form = "[data-testid=application-form]"
    page.fill(f"{form} input[name=applicant_name]", applicant.head_name)
    page.fill(f"{form} input[name=household_code]", applicant.code)
    page.fill(f"{form} textarea[name=reason]", "Chồng ốm nặng, mất sức lao động")
    page.click(f"{form} button[type=submit]")
    assert applicant.head_name in page.text_content("[data-testid=applications]")

    page.goto(f"{base}/ra-soat/")
    page.select_option("[data-testid=open-round] select[name=kind]", "yearly")
    page.fill("[data-testid=open-round] input[name=year]", "2026")
    page.click("[data-testid=open-round] button[type=submit]")
    assert page.text_content("[data-testid=round-state]").strip() == "Lập danh sách, Phiếu A"
    review_round = ReviewRound.objects.get(commune=seeded["commune"])
    assert review_round.entries.count() == 3

    # Phiếu A for the household that applied
    page.goto(f"{base}/ra-soat/dot/{review_round.pk}/danh-sach/")
    page.click(f"tr[data-household='{applicant.code}'] [data-testid=screen-link]")
    page.check("input[name=excluded][value='0']")
    page.click("[data-testid=screening-form] button[type=submit]")
    page.goto(f"{base}/ra-soat/dot/{review_round.pk}/")
    _action(page, "start_survey")
    assert page.text_content("[data-testid=round-state]").strip() == "Phiếu B, chấm điểm, xếp loại"

    # Phiếu B: the form checks as you type, with the server's message
    page.goto(f"{base}/ra-soat/dot/{review_round.pk}/danh-sach/")
    page.click(f"tr[data-household='{applicant.code}'] [data-testid=survey-link]")
    page.fill("input[name=income_wages]", "-5")
    page.locator("input[name=income_wages]").blur()
    assert page.text_content("[data-error-for=income_wages]").strip() == RANGE_MSG
    page.fill("input[name=floor_area_m2]", "")
    page.click("[data-testid=survey-form] button[type=submit]")  # blocked in the browser
    assert "/phieu-b/" in page.url
    page.screenshot(path="/tmp/hongheo-review-survey.png", full_page=True)
    assert page.text_content("[data-error-for=floor_area_m2]").strip() == "Diện tích nhà ở: bắt buộc nhập."
    _survey(page, 700_000)
    for household, income in ((poor_a, 4_500_000), (poor_b, 4_000_000)):
        page.click(f"tr[data-household='{household.code}'] [data-testid=survey-link]")
        _survey(page, income)
    states = page.locator("[data-testid=entry-state]").all_text_contents()
    assert states == ["Đã có Phiếu B"] * 3

    # community meeting of the village: all three stand (≥ 50 %)
    page.goto(f"{base}/ra-soat/dot/{review_round.pk}/")
    _action(page, "start_meetings")
    page.click("[data-testid=meeting-link]")
    form = "[data-testid=meeting-form]"
    page.fill(f"{form} input[name=attendees]", "32")
    page.fill(f"{form} input[name=chair_name]", "Trần Văn Trưởng")
    page.fill(f"{form} input[name=secretary_name]", "Hồ Thị Thư")
    for h in (applicant, poor_a, poor_b):
        page.fill(f"[data-testid=agree-{h.code}]", "20")
    page.click(f"{form} button[type=submit]")
    assert page.locator("[data-testid=minutes-link]").count() == 1
    assert "Thống nhất" in page.text_content("[data-testid=meeting-result]")

    # public posting with the computed end date
    page.goto(f"{base}/ra-soat/dot/{review_round.pk}/")
    _action(page, "start_posting")
    page.goto(f"{base}/ra-soat/dot/{review_round.pk}/niem-yet/")
    assert "3 ngày làm việc" in page.text_content("[data-testid=posting-note]")
    page.fill("input[name=posted_from]", "2026-11-16")
    expect(page.locator("[data-testid=posting-end]")).to_have_text("18/11/2026")  # no eval: strict CSP
    page.fill("textarea[name=places]", f"Nhà văn hóa {seeded['village'].name}; trụ sở UBND xã")
    page.click("[data-testid=posting-form] button[type=submit]")
    assert "18/11/2026" in page.text_content("[data-testid=postings]")
    page.goto(f"{base}/ra-soat/dot/{review_round.pk}/")
    _action(page, "end_posting")

    # a complaint whose re-check changes the applicant's result
    proposed = RoundEntry.objects.get(round=review_round, household=applicant).proposed_class
    changed = "near_poor" if proposed == "poor" else "poor"
    page.goto(f"{base}/ra-soat/dot/{review_round.pk}/khieu-nai/")
    form = "[data-testid=complaint-form]"
    entry_pk = RoundEntry.objects.get(round=review_round, household=applicant).pk
    page.select_option(f"{form} select[name=entry]", str(entry_pk))
    page.fill(f"{form} input[name=complainant]", applicant.head_name)
    page.fill(f"{form} textarea[name=content]", "Kết quả chưa đúng với hoàn cảnh gia đình")
    page.click(f"{form} button[type=submit]")
    resolve = page.locator("[data-testid=resolve-form]")
    resolve.locator("textarea").fill("Phúc tra tại hộ: xác nhận lại thu nhập")
    resolve.locator("select").select_option(changed)
    resolve.locator("button[type=submit]").click()
    assert page.text_content("[data-testid=complaint-status]").strip() == "Đã giải quyết"
    page.goto(f"{base}/ra-soat/dot/{review_round.pk}/")
    _action(page, "submit_for_decision")
    assert page.text_content("[data-testid=round-state]").strip() == "Chờ Chủ tịch UBND xã quyết định"
    page.screenshot(path="/tmp/hongheo-review-board.png", full_page=True)

    # --- the chairman: the changes first, then sign for the whole list ---------------------------
    _login(page, live_server, "chutich")
    page.goto(f"{base}/ra-soat/dot/{review_round.pk}/")
    page.click("[data-action=decide]")
    content = page.content()
    assert content.index("Thay đổi so với năm trước") < content.index("Danh sách đầy đủ")
    changes = page.text_content("[data-testid=changes]")
    assert "Thoát nghèo" in changes and applicant.code in changes
    page.fill("[data-testid=sign-form] input[name=number]", "25/QĐ-UBND")
    page.check("[data-testid=sign-form] input[name=confirm]")
    page.click("[data-testid=sign]")
    page.screenshot(path="/tmp/hongheo-review-decision.png", full_page=True)
    assert "Quyết định số 25/QĐ-UBND" in page.text_content("[data-testid=decision-done]")
    with page.expect_download() as download:
        page.click("[data-testid=certificate-pdf] >> nth=0")
    target = tmp_path / "gcn.pdf"
    download.value.save_as(target)
    text = pypdf.PdfReader(str(target)).pages[0].extract_text()
    assert applicant.head_name in text and "0001/GCN-HN.HCN" in text

    # --- the province sees the commune's round closed --------------------------------------------
    _login(page, live_server, "tinh")
    _nav(page, "reviews")
    assert "/ra-soat/tinh/" in page.url
    row = page.locator(f"tr[data-commune='{seeded['commune'].code}']")
    assert row.locator("[data-testid=commune-state]").text_content().strip() == "Đã có quyết định"

    # --- the commune's and the province's reports show the decision's figures ----------------------
    from hongheo.reviews.models import OfficialStatus, StatusChange

    commune = seeded["commune"]
    poor_now = OfficialStatus.objects.filter(
        household__commune=commune, household__is_active=True, classification="poor", valid_to__isnull=True
    ).count()
    assert StatusChange.objects.filter(round=review_round, kind="escaped_poverty").exists()
    page.goto(f"{base}/bao-cao/")  # the province officer: one row per commune
    row = page.locator("[data-testid=table-ket_qua] tbody tr", has_text=commune.name)
    assert row.locator("td").nth(4).text_content().strip() == str(poor_now)  # column "Hộ nghèo: Số hộ"
    _login(page, live_server, "xa")
    page.goto(f"{base}/bao-cao/?dot={review_round.pk}")
    village_rows = page.locator("[data-testid=table-ket_qua] tbody tr")
    assert village_rows.last.locator("th").nth(4).text_content().strip() == str(poor_now)
    escaped = page.locator("[data-testid=table-dien_bien_ngheo]").text_content()
    assert "TỔNG HỢP DIỄN BIẾN HỘ NGHÈO" in escaped
