"""Issue 14 in Chromium at phone width (390 px): a commune officer builds a support plan for a
poor household, assigns a village's poor households to the Women's Union, downloads its list
(no ID numbers), records the support given and sees the commune's "needs met" figure move; a
province officer sees a bunching flag on a seeded commune and sends its results back."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pypdf
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "hongheo-demo-2026"


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
    from hongheo.registry.models import Household, Member
    from hongheo.registry.services import household_update_groups_causes_needs
    from hongheo.reviews.services import status_baseline_set
    from hongheo.support.demo import demo_bunched_round
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
    poor = list(Household.objects.filter(village=village, is_active=True).order_by("code")[:2])
    for h in poor:
        status_baseline_set(
            actor=None, household=h, classification="poor", since=dt.date(2025, 12, 20), source="DS 2025"
        )
        household_update_groups_causes_needs(
            actor=None, household=h, support_needs=["health", "credit"], poverty_causes=["lack_capital"]
        )
    other = User.objects.get(username="xa2").assignments.get().area
    assert demo_bunched_round(other, today=dt.date.today()) >= 8
    ids = set(
        Member.objects.filter(household__commune=commune)
        .exclude(personal_id=None)
        .values_list("personal_id", flat=True)
    )
    return {"commune": commune, "village": village, "poor": poor, "other": other, "ids": ids}


def _login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")


WIDE_JS = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 392 && !e.closest('.table-wrap'))
  .slice(0, 5).map(e => e.tagName + ':' + (e.getAttribute('name') || e.className))"""


def _no_sideways_scroll(page):
    """No sideways page scroll at 390 px (wide tables scroll inside their own container)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 392, page.evaluate(WIDE_JS)


def test_plan_hand_off_support_and_province_send_back(page, live_server, seeded, tmp_path):
    from hongheo.reviews.models import ReviewRound
    from hongheo.support.models import SendBack

    page.set_viewport_size({"width": 390, "height": 844})
    first, second = seeded["poor"]
    _login(page, live_server, "xa")

    # the household page shows who helps and links to its plan
    page.goto(f"{live_server.url}/ho/{first.pk}/")
    assert "chưa có" in page.inner_text("[data-testid=helpers]")
    page.click("[data-testid=support-plan-link]")
    page.wait_for_selector("[data-testid=suggestions]")
    page.click("[data-testid=suggestions] a >> text=Thẻ bảo hiểm y tế")
    page.wait_for_selector("[data-testid=plan-form]")
    assert page.input_value("select[name=kind]") == "health_insurance_card"
    page.select_option("select[name=programme]", "state_budget")
    page.fill("input[name=responsible]", "Cán bộ văn hóa - xã hội")
    page.fill("input[name=due_on]", (dt.date.today() + dt.timedelta(days=20)).isoformat())
    page.click("[data-testid=plan-submit]")
    page.wait_for_selector("[data-testid=plan-item][data-status=planned]")
    _no_sideways_scroll(page)

    # the commune's figures before any support is given
    _nav(page, "support")
    page.wait_for_selector("[data-testid=needs-met]")
    assert page.inner_text("[data-testid=needs-met]").strip() == "0/4"
    _no_sideways_scroll(page)

    # the Women's Union, and the village's poor households handed to it with a helper
    page.fill("[data-testid=organisation-form] input[name=name]", "Hội Liên hiệp Phụ nữ xã")
    page.select_option("[data-testid=organisation-form] select[name=kind]", "womens_union")
    page.fill("[data-testid=organisation-form] input[name=contact]", "Chị Hoa, 0905 000 111")
    page.click("[data-testid=organisation-form] button[type=submit]")
    page.wait_for_selector("[data-testid=assign-form]")
    page.select_option("select[name=village]", seeded["village"].code)
    page.fill("input[name=helper_name]", "Nguyễn Thị Hoa")
    page.click("[data-testid=assign-submit]")
    page.wait_for_selector("[data-testid=assigned] >> text=Nguyễn Thị Hoa")
    assigned = page.inner_text("[data-testid=assigned]")
    assert first.head_name in assigned and second.head_name in assigned
    _no_sideways_scroll(page)

    with page.expect_download() as download:
        page.click("[data-testid=list-xlsx]")
    path = tmp_path / "list.xlsx"
    download.value.save_as(path)
    cells = [
        str(c) for row in openpyxl.load_workbook(path).active.iter_rows(values_only=True) for c in row if c
    ]
    text = " ".join(cells)
    assert first.head_name in text and "Nguyễn Thị Hoa" in text
    assert seeded["ids"] and not any(pid in text for pid in seeded["ids"])
    pdf_url = page.get_attribute("[data-testid=list-pdf]", "href")
    pdf = page.context.request.get(f"{live_server.url}{pdf_url}")
    pdf_text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.body())).pages)
    assert "DANH SÁCH" in pdf_text and not any(pid in pdf_text for pid in seeded["ids"])

    # support given → recorded as support received → "needs met" moves
    page.goto(f"{live_server.url}/ho-tro/ho/{first.pk}/")
    page.click("[data-testid=plan-item] summary")
    page.select_option("[data-testid=follow-up-form] select[name=status]", "given")
    page.fill("[data-testid=follow-up-form] input[name=note]", "Đã cấp thẻ")
    page.click("[data-testid=follow-up-submit]")
    page.wait_for_selector("[data-testid=plan-item][data-status=given]")
    page.goto(f"{live_server.url}/ho/{first.pk}/")
    assert "Hội Liên hiệp Phụ nữ xã" in page.inner_text("[data-testid=helpers]")
    assert "Thẻ bảo hiểm y tế" in page.inner_text("[data-testid=support]")
    _nav(page, "support")
    page.wait_for_selector("[data-testid=needs-met]")
    assert page.inner_text("[data-testid=needs-met]").strip() == "1/4"

    # the province sees the bunching flag on the seeded commune and sends its results back
    _login(page, live_server, "tinh")
    _nav(page, "support")
    page.click("[data-testid=checks-link]")
    section = f"[data-testid=commune-flags][data-commune='{seeded['other'].code}']"
    page.wait_for_selector(f"{section} [data-check=bunching]")
    _no_sideways_scroll(page)
    page.click(f"{section} [data-testid=send-back-open]")
    page.select_option(f"{section} select[name=step]", "survey")
    page.fill(f"{section} textarea[name=reason]", "Nhiều hộ dồn ngay dưới chuẩn nghèo: rà soát lại Phiếu B.")
    page.click(f"{section} [data-testid=send-back-submit]")
    page.wait_for_selector(".messages .success")
    assert ReviewRound.objects.get(commune=seeded["other"]).state == "survey"
    assert SendBack.objects.get().checks == ["bunching"]

    # the commune sees why
    _login(page, live_server, "xa2")
    _nav(page, "support")
    page.wait_for_selector("[data-testid=send-backs]")
    assert "dồn ngay dưới chuẩn nghèo" in page.inner_text("[data-testid=send-backs]")
