"""TEMPORARY (not committed): screenshots for the note."""
from __future__ import annotations

import pytest

from tests.browser.test_every_page import PHONE, DESKTOP, _login, _set_english, seeded  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUT = "/tmp/w9/shots"


def test_shots(chromium_browser, live_server, seeded):  # noqa: F811
    from hongheo.registry.models import Household

    base = live_server.url
    rnd = seeded["round"]
    hh = Household.objects.filter(area_path__startswith=rnd.commune.path, village__isnull=False).order_by("pk").first()
    ctx = chromium_browser.new_context(viewport=PHONE, locale="vi-VN", has_touch=True)
    page = ctx.new_page()

    def shot(name, url=None, full=True):
        if url:
            page.goto(base + url)
        page.screenshot(path=f"{OUT}/{name}.png", full_page=full)
        w = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        print("SHOT", name, page.url.replace(base, ""), w)

    _login(page, base, "xa")
    _set_english(page, base)
    shot("xa_home_en", "/")
    shot("xa_scorecard_en", f"/ho/{hh.pk}/phieu-xep-loai/")
    print("WIDE", page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + (e.textContent || '').trim().slice(0, 60))"""))
    shot("xa_household_en", f"/ho/{hh.pk}/")
    page.goto(f"{base}/ho/{hh.pk}/sua/")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    shot("xa_household_saved_en")
    page.goto(f"{base}/ra-soat/dot/{rnd.pk}/")
    shot("xa_round_en")
    with page.expect_navigation():
        page.click("button[data-action]")
    shot("xa_confirm_en")
    shot("xa_support_en", "/ho-tro/")
    shot("xa_jobs_en", "/tac-vu/")
    shot("xa_field_odk_en", "/thuc-dia/odk/")
    shot("xa_field_conflicts_en", "/thuc-dia/xung-dot/")
    _login(page, base, "tinh")
    _set_english(page, base)
    shot("tinh_home_en", "/")
    shot("tinh_province_en", "/ra-soat/tinh/")
    shot("tinh_linkage_en", "/lien-thong/")
    _login(page, base, "trunguong")
    _set_english(page, base)
    shot("tw_central_en", "/trung-uong/")
    _login(page, base, "admin")
    _set_english(page, base)
    page.set_viewport_size(DESKTOP)
    shot("admin_audit_en", "/nhat-ky/", full=False)
    page.set_viewport_size(PHONE)
    shot("admin_audit_phone_en", "/nhat-ky/", full=False)
    ctx.close()
    res = chromium_browser.new_context(viewport=PHONE, locale="vi-VN", has_touch=True)
    res.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page = res.new_page()
    shot("portal_en", "/dang-ky/")
    res.close()
