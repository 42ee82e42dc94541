from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("HONGHEO_REQUIRE_ALL") == "1":
        pytest.fail(f"{reason} (HONGHEO_REQUIRE_ALL=1 makes this a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        _skip_or_fail("Chromium is not installed (apt-get install chromium); browser tests skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("Playwright for Python is not installed; browser tests skipped")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the tests are
    # still synchronous, so allow them here (and only for the browser session).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(chromium_browser):
    context = chromium_browser.new_context(locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()
