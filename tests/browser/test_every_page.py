"""Every page each demo role reaches from its home, crawled in Chromium at phone size (390 × 844):
no page scrolls sideways and none answers 5xx; and, in English, no label, heading, button or menu
item is still Vietnamese. Data (names, places, values) is marked ``translate="no"`` in templates
and is not judged.

The crawl follows same-origin links breadth-first from the home page, one URL per shape
(``/ho/12/`` and ``/ho/13/`` are the same page), with a cap per role; it skips logout, forms
(POST), file downloads and the admin site."""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "hongheo-demo-2026"
ROLES = ["xa", "chutich", "truongthon", "rasoatvien", "tinh", "trunguong", "admin"]
PAGE_CAP = 60
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SKIP = re.compile(
    r"/dang-xuat|/admin/|/i18n/|/static/|/media/|\.(pdf|xlsx|csv|xml|json|zip)(\?|$)|[?&]xuat=|"
    r"/tai-ve|/tai-xuong|/mau-nhap|/minh-chung/|/ket-qua/|/tep/|/xuat-excel/"
)
VIETNAMESE = re.compile(
    "[ăâđêôơưàáạảãằắặẳẵầấậẩẫèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ]", re.IGNORECASE
)

# The visible UI text that must be translated: headings, table headings, labels, buttons, menu
# items, links, summaries and legends, minus anything inside [translate="no"] (data), names and
# hidden nodes.
UI_TEXT_JS = """
() => {
  const sel = "h1,h2,h3,h4,th,label,button,legend,summary,nav a,.topbar a,main a,[data-ui]";
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    if (el.closest('[translate="no"]') || !el.offsetParent && el.tagName !== "BODY") continue;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let text = "";
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement.closest('[translate="no"], select, textarea, script, style')) continue;
      text += n.textContent;
    }
    text = text.replace(/\\s+/g, " ").trim();
    // a link in the page that is a name (every word capitalised, or a place "Đặc khu …") is data
    const name = text.split(" ").every(w => !w || w[0] === w[0].toUpperCase())
      || /^(Xã|Phường|Đặc khu|Thôn) /.test(text);
    if (el.tagName === "A" && el.closest("main") && name) continue;
    if (text) out.push(el.tagName.toLowerCase() + ": " + text);
  }
  return out;
}
"""


@pytest.fixture
def seeded(transactional_db):
    from hongheo.geography.models import Area
    from hongheo.registry.demo import demo_seed
    from hongheo.reviews.demo import demo_round_seed, demo_statuses_seed
    from hongheo.users.models import User

    demo_seed(households=60, communes=2, seed=5)
    demo_statuses_seed(province=Area.objects.get(code="46"))
    commune = User.objects.get(username="xa").assignments.get().area
    return demo_round_seed(commune=commune, year=dt.date.today().year)


def _login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")


def _shape(url: str) -> str:
    parts = urlsplit(url)
    path = re.sub(r"/[0-9a-f]{8}-[0-9a-f-]{27}", "/U", parts.path)
    path = re.sub(r"\d+", "N", path)
    keys = sorted({q.split("=")[0] for q in parts.query.split("&") if q})
    return path + ("?" + "&".join(keys) if keys else "")


def _crawl(page, base: str, visit, broken: list[str]) -> list[str]:
    """Breadth-first from the home page; calls ``visit(url)`` on each page; returns the URLs.
    A link to a page the role cannot open (403/404) is added to ``broken``."""
    seen_shapes: set[str] = set()
    queue = deque([f"{base}/"])
    visited: list[str] = []
    while queue and len(visited) < PAGE_CAP:
        url = queue.popleft().split("#")[0]
        shape = _shape(url)
        if shape in seen_shapes or SKIP.search(url):
            continue
        seen_shapes.add(shape)
        try:
            response = page.goto(url)
        except Exception as exc:  # a link that turns out to be a file download
            if "Download is starting" in str(exc):
                continue
            raise
        assert response is not None
        assert response.status < 500, f"{url} answered {response.status}"
        visited.append(url)
        if response.status >= 400:
            broken.append(f"{url} answered {response.status}")
            continue
        visit(url)
        links = page.eval_on_selector_all(
            "a[href]:not([download]):not([target=_blank])",
            "els => els.map(e => new URL(e.getAttribute('href'), location.href).href)",
        )
        for link in links:
            if link.startswith(base) and _shape(link.split("#")[0]) not in seen_shapes:
                queue.append(link)
    return visited


def _new_page(chromium_browser, language: str):
    """Vietnamese at phone size; English on a desktop screen, where the menu items are visible."""
    # not is_mobile: a mobile viewport zooms out to fit a too-wide page, which would hide the fault
    viewport = PHONE if language == "vi" else DESKTOP
    context = chromium_browser.new_context(viewport=viewport, locale="vi-VN", has_touch=language == "vi")
    return context, context.new_page()


def _set_english(page, base):
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_page_fits_a_phone_and_is_english_in_english(chromium_browser, live_server, seeded, language):
    base = live_server.url
    context, page = _new_page(chromium_browser, language)
    too_wide: list[str] = []
    vietnamese: list[str] = []
    counts: dict[str, int] = {}
    broken: list[str] = []
    try:
        for username in ROLES:
            _login(page, base, username)
            if language == "en":
                _set_english(page, base)

            def visit(url: str, username: str = username) -> None:
                if language != "vi":
                    for text in page.evaluate(UI_TEXT_JS):
                        if VIETNAMESE.search(text):
                            vietnamese.append(f"{username} {url} — {text[:120]}")
                    page.set_viewport_size(PHONE)  # English words are longer: the phone check again
                width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
                if width[0] > width[1]:
                    too_wide.append(f"{username} {url} ({language}): {width[0]} px > {width[1]} px")
                if language != "vi":
                    page.set_viewport_size(DESKTOP)

            dead: list[str] = []
            counts[username] = len(_crawl(page, base, visit, dead))
            broken.extend(f"{username} {line}" for line in dead)
    finally:
        context.close()
    assert all(n >= 3 for n in counts.values()), counts
    assert counts["xa"] >= 20, counts  # the commune officer reaches the review pages
    assert not broken, "links to pages the role cannot open:\n" + "\n".join(broken)
    assert not too_wide, "pages wider than the phone:\n" + "\n".join(too_wide)
    assert not vietnamese, f"{len(vietnamese)} Vietnamese UI strings in English:\n" + "\n".join(
        sorted(set(vietnamese))[:200]
    )


# Messages, form errors and confirmation pages: reached by POSTs, which the crawl does not send.
MESSAGE_TEXT_JS = """
() => {
  const sel = "h1,h2,h3,label,button,legend,.messages li,.errorlist li,.error,[data-testid=confirm] li,"
    + "[data-testid=confirm] p,[data-testid=confirm] a";
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    if (el.closest('[translate="no"]') || !el.offsetParent) continue;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let text = "";
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement.closest('[translate="no"], select, textarea, script, style')) continue;
      text += n.textContent;
    }
    text = text.replace(/\\s+/g, " ").trim();
    if (text) out.push(el.tagName.toLowerCase() + "." + el.className + ": " + text);
  }
  return out;
}
"""


def test_messages_errors_and_confirmations_are_english(chromium_browser, live_server, seeded):
    """In English at phone size, the commune officer saves a household (flash message), submits an
    empty member form (field errors from the form and the service), opens a step's confirmation
    page and confirms it (a flash message from the service: done or refused), and opens the
    cancellation page; the public portal reads in English for a resident who chose English. Each
    page: no Vietnamese message, heading, label or button; no sideways scroll."""
    from hongheo.registry.models import Household

    base = live_server.url
    review_round = seeded["round"]
    household = (
        Household.objects.filter(area_path__startswith=review_round.commune.path).order_by("pk").first()
    )
    context = chromium_browser.new_context(viewport=PHONE, locale="vi-VN", has_touch=True)
    page = context.new_page()
    vietnamese: list[str] = []
    too_wide: list[str] = []
    seen: list[str] = []

    def check(what: str, expect_message: bool = False) -> None:
        texts = page.evaluate(MESSAGE_TEXT_JS)
        seen.append(f"{what}: {texts}")
        if expect_message:
            assert any(t.startswith(("li.success", "li.error", "li.warning")) for t in texts), (what, texts)
        vietnamese.extend(f"{what} — {t[:160]}" for t in texts if VIETNAMESE.search(t))
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            too_wide.append(f"{what}: {width[0]} px")

    try:
        _login(page, base, "xa")
        _set_english(page, base)
        page.goto(f"{base}/ho/{household.pk}/sua/")
        with page.expect_navigation():
            page.click("main button[type=submit]")
        check("household saved", expect_message=True)

        page.goto(f"{base}/ho/{household.pk}/thanh-vien/them/")
        page.evaluate(
            "() => document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))"
        )
        with page.expect_navigation():
            page.click("main button[type=submit]")
        check("empty member form")
        assert page.locator(".errorlist li, .error").count() > 0, seen[-1]

        page.goto(f"{base}/ra-soat/dot/{review_round.pk}/")
        with page.expect_navigation():
            page.click("button[data-action]")
        check("step confirmation")
        assert page.locator("[data-testid=confirm]").count() == 1
        with page.expect_navigation():
            page.click("[data-testid=confirm-yes]")
        check("step confirmed", expect_message=True)

        page.goto(f"{base}/ra-soat/dot/{review_round.pk}/")
        with page.expect_navigation():
            page.click("[data-testid=cancel-round]")
        check("cancel confirmation")
        page.fill("[data-testid=confirm-reason]", "mở nhầm")
        with page.expect_navigation():
            page.click("[data-testid=confirm-yes]")
        check("round cancelled", expect_message=True)

        page.goto(f"{base}/ho/")
        with page.expect_navigation():
            page.click("[data-testid=export]")
        assert "/tac-vu/" in page.url, page.url
        check("job page")
        vietnamese.extend(f"job page — {t[:160]}" for t in page.evaluate(UI_TEXT_JS) if VIETNAMESE.search(t))
        state = page.locator("[data-testid=job-state]").inner_text()
        assert state and not VIETNAMESE.search(state), state
    finally:
        context.close()

    resident = chromium_browser.new_context(viewport=PHONE, locale="vi-VN", has_touch=True)
    resident.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page = resident.new_page()
    try:
        for path in ("/dang-ky/", "/dang-ky/tra-cuu/", "/dang-ky/thong-ke/"):
            response = page.goto(f"{base}{path}")
            assert response is not None and response.status == 200, path
            assert page.locator("html").get_attribute("lang") == "en", path
            check(f"portal {path}")
            vietnamese.extend(
                f"portal {path} — {t[:160]}" for t in page.evaluate(UI_TEXT_JS) if VIETNAMESE.search(t)
            )
    finally:
        resident.close()
    print("\n".join(seen))  # shown when the test fails: what each page said
    assert not too_wide, too_wide
    assert not vietnamese, "Vietnamese in English:\n" + "\n".join(vietnamese)
