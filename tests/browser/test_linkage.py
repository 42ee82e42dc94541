"""Linkage in Chromium: a province officer imports an extract, runs the linkage, reads the findings,
decides the grey-zone candidate (field check, then accept) and opens the quality dashboard at 390 px."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def _login(page, live_server, username):  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "mat-khau-thu-nghiem")
    page.click("button[type=submit]")


def test_import_run_findings_decide_dashboard(page, live_server, world, tmp_path):  # type: ignore[no-untyped-def]
    from hongheo.core.jobs import run_pending_jobs
    from hongheo.linkage.models import LinkCandidate
    from hongheo.users.models import Role

    from ..linkage.worlddata import extract_csv

    source = tmp_path / "dan-cu.csv"
    source.write_bytes(b"\xef\xbb\xbf" + extract_csv(world).encode("utf-8"))
    _login(page, live_server, str(Role.PROVINCE_OFFICER))
    _nav(page, "linkage")
    page.set_input_files("[data-testid=extract-file]", str(source))
    page.click("[data-testid=extract-upload]")
    assert "Đang chờ" in page.text_content("[data-testid=extract-state]")
    run_pending_jobs()
    page.reload()
    assert page.text_content("[data-testid=extract-rows]").strip() == "5"

    page.click("text=Về trang liên thông")
    page.select_option("[data-testid=run-area]", "46")
    page.click("[data-testid=run-start]")
    run_pending_jobs()
    page.reload()
    assert page.text_content("[data-testid=run-state]").strip() == "Xong"
    assert page.text_content("[data-testid=run-review]").strip() == "1"
    page.click(f"[data-testid=finding-deceased-{world.commune_b.code}]")
    assert "Phạm Minh Đức" in page.content()
    page.go_back()

    page.click("[data-testid=review-link]")
    cand = LinkCandidate.objects.get(decision="review")
    page.click(f"[data-testid=field-check-{cand.pk}]")
    assert "Đã chuyển kiểm tra thực địa" in page.content()
    page.goto(f"{live_server.url}/lien-thong/lan-ghep/{cand.run_id}/xem-xet/?trang_thai=field_check")
    page.click(f"[data-testid=accept-{cand.pk}]")
    cand.refresh_from_db()
    assert cand.status == "accepted"

    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/lien-thong/chat-luong/?dia_ban=46")
    assert page.locator(f"[data-testid=quality-{world.commune_a.code}]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the trend chart beside (here: under) the table, drawn inside the phone's width
    chart = page.locator("[data-testid=quality-trend-chart]")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    with page.expect_download() as download:
        page.click("[data-testid=quality-export]")
    assert download.value.suggested_filename == "chat-luong-du-lieu-46.xlsx"


def test_new_member_candidate_on_the_household_page_at_390(page, live_server, world):  # type: ignore[no-untyped-def]
    """A commune officer adds a member through the form: the household page shows the population
    candidate at once (probability, per-field weights) and the officer rejects it there, at 390 px."""
    from hongheo.core.jobs import run_pending_jobs
    from hongheo.linkage import services as svc
    from hongheo.linkage.models import LinkCandidate
    from hongheo.users.models import Role

    from ..linkage.worlddata import extract_csv

    rows = f"P6,046315000123,Nguyễn Thị Hoa,2015-06-01,Nữ,{world.commune_a.code},R1,alive\n"
    province = world.users[Role.PROVINCE_OFFICER]
    svc.extract_upload(
        actor=province, province=world.hue, name="v.csv", data=(extract_csv(world) + rows).encode("utf-8")
    )
    run_pending_jobs()
    svc.run_start(actor=province, area=world.hue)
    run_pending_jobs()
    page.set_viewport_size({"width": 390, "height": 800})
    _login(page, live_server, str(Role.COMMUNE_OFFICER))
    page.goto(f"{live_server.url}/ho/{world.hh_a1.pk}/thanh-vien/them/")
    page.fill("input[name=full_name]", "Nguyễn Thị Hoa")
    page.fill("input[name=personal_id]", "046315000123")
    page.fill("input[name=date_of_birth]", "2015-06-01")
    page.select_option("select[name=sex]", "female")
    page.select_option("select[name=relation_to_head]", "child")
    page.click("form [type=submit]")
    page.wait_for_url(f"**/ho/{world.hh_a1.pk}/")
    cand = LinkCandidate.objects.get(run__isnull=True, person__person_id="P6")
    card = page.locator(f"[data-testid=candidate-{cand.pk}]")
    assert card.is_visible() and "Nguyễn Thị Hoa" in card.text_content()
    assert page.text_content(f"[data-testid=probability-{cand.pk}]").strip()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click(f"[data-testid=reject-{cand.pk}]")
    page.wait_for_url(f"**/ho/{world.hh_a1.pk}/")
    cand.refresh_from_db()
    assert cand.status == "rejected"
