"""In Chromium at phone size (390×844): the field app works offline (fill Phiếu B with the network
off, reload, go online, sync, see it on the commune's round board), a sync cut mid-upload is
retried without a duplicate, and the commune officer resolves a conflict on its page."""

from __future__ import annotations

import datetime as dt
import io

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-thu-nghiem"
PHONE = {"width": 390, "height": 844}


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (2400, 1800), (120, 90, 60)).save(buf, format="JPEG")
    return buf.getvalue()


@pytest.fixture
def field_world(world):
    from hongheo.reviews import services as rs
    from hongheo.users.models import Role

    for hh in (world.hh_a1, world.hh_a2):
        rs.status_baseline_set(
            actor=None, household=hh, classification="poor", since=dt.date(2025, 12, 20), source="DS 2025"
        )
    officer = world.users[Role.COMMUNE_OFFICER]
    rnd = rs.round_open(actor=officer, commune=world.commune_a, kind="yearly", year=2026)
    world.round = rs.round_advance(actor=officer, review_round=rnd, action="start_survey")
    return world


@pytest.fixture
def phone(chromium_browser):
    context = chromium_browser.new_context(
        locale="vi-VN",
        viewport=PHONE,
        geolocation={"latitude": 16.4637, "longitude": 107.5909, "accuracy": 9},
        permissions=["geolocation"],
    )
    yield context
    context.close()


def _sign_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/thuc-dia/")
    page.fill("#u", "surveyor")
    page.fill("#p", PASSWORD)
    page.click("[data-testid=field-login] button[type=submit]")
    page.wait_for_selector("[data-household=HH-A1]")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)


def _fill_phieu_b(page) -> None:
    page.click("[data-household=HH-A1] >> text=Phiếu B")
    page.wait_for_selector("[data-testid=field-form]")
    page.fill('[name="floor_area_m2"]', "0")
    error = page.locator('[data-error-for="floor_area_m2"]')
    error.wait_for(state="visible")
    assert error.text_content() == "Diện tích nhà ở: phải từ 0,5 đến 10.000 m²."
    page.fill('[name="floor_area_m2"]', "45")
    error.wait_for(state="hidden")
    for name, value in {
        "housing_quality": "semi_durable",
        "water_source": "piped",
        "toilet": "flush_septic",
        "waste_handling": "collected",
        "internet": "1",
    }.items():
        page.select_option(f'[name="{name}"]', value)
    page.fill('[name="information_devices"]', "2")
    for i in (0, 1):
        for name, value in {
            "health_insurance": "1",
            "in_school": "1" if i else "0",
            "education_level": "primary",
            "has_qualification": "0",
            "employment": "not_in_labour_force" if i else "self_employed",
            "disability": "1" if i else "0",
            "disability_allowance": "0",
            "undernourished": "0",
        }.items():
            page.select_option(f'[name="member[{i}].{name}"]', value)
    for name, value in {
        "income_wages": "1800000",
        "income_farming": "600000",
        "income_business": "0",
    }.items():
        page.fill(f'[name="{name}"]', value)
    page.fill('[name="income_other"]', "0")
    assert page.text_content('[data-calc-value="income_per_capita"]').startswith("1.200.000")
    assert "chỉ tham khảo" in page.text_content("[data-testid=field-preview]")
    page.click("[data-action=gps]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=gps-value]').textContent.includes('±')"
    )
    page.set_input_files(
        '[data-photo="photo_house"]', files=[{"name": "nha.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    page.wait_for_selector("img.thumb:not([hidden])")
    page.click("[data-action=save]")
    page.wait_for_selector("[data-household=HH-A1] [data-testid=household-state]")


def _waiting(page) -> str:
    return page.get_attribute("[data-testid=outbox-count]", "data-waiting") or ""


def test_phieu_b_offline_reload_sync_and_round_board(phone, live_server, field_world):
    from hongheo.fieldwork.models import Photo, Submission
    from hongheo.reviews.models import RoundEntry

    page = phone.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _sign_in(page, live_server)
    phone.set_offline(True)
    page.reload()
    page.wait_for_selector("[data-household=HH-A1]")
    assert page.text_content("[data-testid=field-network]") == "Ngoại tuyến"
    _fill_phieu_b(page)
    assert _waiting(page) == "1"
    page.reload()  # still offline: the shell comes from the service worker, the data from IndexedDB
    page.wait_for_selector("[data-household=HH-A1]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=outbox-count]').dataset.waiting === '1'"
    )
    assert Submission.objects.count() == 0
    phone.set_offline(False)
    page.click("[data-action=sync]")
    page.wait_for_function(
        "() => { const n = document.querySelector('[data-testid=outbox-count]');"
        " return n.dataset.waiting === '0' && n.dataset.photos === '0'; }",
        timeout=20000,
    )
    sub = Submission.objects.get()
    assert sub.channel == "app" and sub.accuracy_m == 9
    photo = Photo.objects.get()
    assert max(photo.width, photo.height) == 1600  # resized on the phone
    entry = RoundEntry.objects.get(round=field_world.round, household=field_world.hh_a1)
    assert entry.state == "surveyed" and entry.income_used == 1_200_000

    board = phone.new_page()
    board.goto(f"{live_server.url}/dang-nhap/")
    board.fill("input[name=username]", "commune_officer")
    board.fill("input[name=password]", PASSWORD)
    board.click("button[type=submit]")
    board.wait_for_selector("[data-testid=current-user]")
    board.goto(f"{live_server.url}/ra-soat/dot/{field_world.round.pk}/danh-sach/")
    row = board.locator("[data-household=HH-A1]")
    assert "1.200.000" in row.text_content()
    assert board.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert not [e for e in errors if "Content Security Policy" in e]


def test_cut_mid_upload_then_retry_without_duplicate(phone, live_server, field_world):
    from hongheo.fieldwork.models import Submission

    page = phone.new_page()
    _sign_in(page, live_server)
    cut = {"n": 0}

    def drop_after_server_commit(route):
        if cut["n"] == 0:
            cut["n"] += 1
            route.fetch()  # the server receives and commits the batch…
            route.abort("connectionreset")  # …and the answer never reaches the phone
        else:
            route.continue_()

    phone.set_offline(True)
    _fill_phieu_b(page)
    page.route("**/api/v1/field/sync", drop_after_server_commit)
    phone.set_offline(False)
    page.click("[data-action=sync]")
    page.wait_for_selector("[data-testid=field-flash].error")
    assert Submission.objects.count() == 1 and _waiting(page) == "1"
    page.click("[data-action=sync]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=outbox-count]').dataset.waiting === '0'"
    )
    assert Submission.objects.count() == 1
    page.wait_for_function(  # the list is drawn again just after the counter
        "() => document.querySelector('[data-household=HH-A1] [data-testid=household-state]')"
        ".textContent.includes('Đã gửi')"
    )


def test_officer_resolves_a_conflict(page, live_server, field_world):

    from hongheo.fieldwork import services as fs
    from hongheo.fieldwork.models import FieldConflict
    from hongheo.users.models import Role
    from tests.fieldwork.conftest import answers_for  # type: ignore[import-not-found]

    surveyor = field_world.users[Role.SURVEYOR]
    hh = field_world.hh_a1
    base = fs.household_version(hh)
    send = dict(
        actor=surveyor, channel="app", form_id="hn_phieu_b", form_version="2025.1", household_id=hh.pk
    )
    fs.submission_receive(
        client_id="5c4e0a8e-0000-4000-8000-000000000001", answers=answers_for(hh), base_version=base, **send
    )
    out = fs.submission_receive(
        client_id="5c4e0a8e-0000-4000-8000-000000000002",
        answers=answers_for(hh, income=4_000_000),
        base_version=base,
        **send,
    )
    assert out.status == "conflict"
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", "commune_officer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")
    page.goto(f"{live_server.url}/thuc-dia/xung-dot/")
    page.click("[data-household=HH-A1] [data-testid=conflict-open]")
    assert page.locator("[data-differs]").count() >= 1
    page.fill("input[name=note]", "Đã gọi điện xác minh với hộ")
    page.click("[data-testid=conflict-apply]")
    page.wait_for_selector("[data-testid=no-conflicts]")
    assert FieldConflict.objects.get().state == "applied"
    from hongheo.reviews.models import RoundEntry

    entry = RoundEntry.objects.get(round=field_world.round, household=hh)
    assert entry.facts_record.household_facts["income_per_capita"] == 2_000_000


def test_new_household_found_in_the_field(phone, live_server, field_world):
    from hongheo.fieldwork.models import FieldConflict
    from hongheo.registry.models import Household

    page = phone.new_page()
    _sign_in(page, live_server)
    page.click("[data-action=new-household]")
    page.wait_for_selector("[data-testid=field-form]")
    page.select_option("[data-testid=new-village]", field_world.village_a2.code)
    page.fill("#new-address", "Xóm Bãi")
    page.click("[data-action=add-member]")
    page.fill('[name="member[0].full_name"]', "Đinh Văn Mới")
    page.fill('[name="member[0].date_of_birth"]', "1975-04-02")
    for name, value in {
        "sex": "male",
        "relation_to_head": "head",
        "presence": "present",
        "health_insurance": "1",
        "in_school": "0",
        "education_level": "primary",
        "has_qualification": "0",
        "employment": "self_employed",
        "disability": "0",
        "disability_allowance": "0",
        "undernourished": "0",
    }.items():
        page.select_option(f'[name="member[0].{name}"]', value)
    for name, value in {
        "housing_quality": "non_durable",
        "water_source": "rainwater",
        "toilet": "unimproved",
        "waste_handling": "dumped",
        "internet": "0",
    }.items():
        page.select_option(f'[name="{name}"]', value)
    for name, value in {
        "floor_area_m2": "20",
        "information_devices": "0",
        "income_wages": "900000",
        "income_farming": "0",
        "income_business": "0",
        "income_other": "0",
    }.items():
        page.fill(f'[name="{name}"]', value)
    page.click("[data-action=save]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=field-flash]').textContent === 'Đã đồng bộ.'",
        timeout=20000,
    )
    hh = Household.objects.get(head_name="Đinh Văn Mới")
    assert hh.village_id == field_world.village_a2.pk and hh.income_per_capita == 900_000
    assert FieldConflict.objects.filter(household=hh, kind="new").exists()


def test_the_field_app_speaks_english_at_phone_size(chromium_browser, live_server, field_world):
    """A user who chose English sees the app's own words in English at 390 px (the questionnaire
    stays the official Vietnamese form, marked lang="vi" translate="no"), and nothing scrolls
    sideways."""
    context = chromium_browser.new_context(locale="en-GB", viewport=PHONE)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/thuc-dia/")
        assert page.get_attribute("html", "lang") == "en"
        login = page.locator("[data-testid=field-login]")
        assert "Sign in once" in login.text_content() and "User name" in login.text_content()
        assert "Đăng nhập" not in login.text_content()
        page.fill("#u", "surveyor")
        page.fill("#p", PASSWORD)
        page.click("[data-testid=field-login] button[type=submit]")
        page.wait_for_selector("[data-household=HH-A1]")
        assert "households downloaded" in page.text_content("[data-testid=field-flash]")
        assert page.text_content("[data-testid=outbox-count]") == "Nothing waiting to be sent"
        assert page.text_content("[data-action=sync]") == "Sync now"
        assert page.text_content("[data-action=new-household]") == "+ New household found"
        page.click("[data-household=HH-A1] >> text=Phiếu B")
        page.wait_for_selector("[data-testid=field-form]")
        assert page.text_content("[data-action=save]") == "Save the form on the phone"
        assert page.locator('[data-testid=field-form] [lang="vi"][translate="no"]').count() == 2
        page.click("[data-action=save]")  # empty: the errors are counted in English
        assert page.text_content("[data-testid=field-flash]").startswith("The form still has ")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"sideways scroll: {width}px"
    finally:
        context.close()


def test_inbox_state_shown_until_the_worker_records_it(phone, live_server, field_world, settings):
    """As in production: the sync only stores the form (state "received"), the phone says it is being
    recorded; once the worker recorded it, the next sync asks /field/status and shows it as sent."""
    from hongheo.fieldwork import services as fs
    from hongheo.fieldwork.models import Submission

    settings.FIELDWORK_INBOX_INLINE = False
    page = phone.new_page()
    _sign_in(page, live_server)
    phone.set_offline(True)
    _fill_phieu_b(page)
    phone.set_offline(False)
    page.click("[data-action=sync]")
    state = "[data-household=HH-A1] [data-testid=household-state]"
    page.wait_for_function(f"() => document.querySelector('{state}').textContent.includes('đang ghi')")
    assert Submission.objects.get().state == "received"
    assert fs.inbox_process() == {"accepted": 1, "conflict": 0, "failed": 0}
    page.click("[data-action=sync]")
    page.wait_for_function(f"() => !document.querySelector('{state}').textContent.includes('đang ghi')")
    assert page.text_content(state).strip() == "Đã gửi"
