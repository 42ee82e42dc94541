"""The public API and the portal pages: areas searched without diacritics, submit / replay / bad
input with Vietnamese error bodies on the field, OpenAPI, status by code + PIN, the first page's
weight, assisted mode, the commune's pages (channel, self-assessment beside Phiếu B), privacy."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from django.conf import settings
from django.test import Client

from hongheo.capture.portal import services as portal
from hongheo.capture.portal.models import PortalApplication
from hongheo.reviews.models import Application
from hongheo.users.models import Role
from hongheo.users.services import user_create
from tests.portal.test_portal_services import payload

API = "/api/v1/public/"


def post(client, path, data, **extra):
    return client.post(API + path, json.dumps(data), content_type="application/json", **extra)


def test_areas_search_without_diacritics(world):
    c = Client()
    provinces = c.get(API + "areas").json()
    assert any(p["code"] == "46" for p in provinces)
    hue = c.get(API + "areas", {"parent": "46", "q": world.commune_a.name.split()[-1]}).json()
    assert world.commune_a.code in [r["code"] for r in hue]
    folded = c.get(API + "areas", {"parent": "46", "q": "quang dien"}).json()
    assert all("quang dien" in r["search"] for r in folded)
    villages = c.get(API + "areas", {"parent": world.commune_a.code}).json()
    assert {v["name"] for v in villages} == {"Thôn 1", "Thôn 2"}
    lists = c.get(API + "code-lists").json()
    assert lists["water_source"]["items"][0]["label_vi"]


def test_submit_replay_bad_input_and_status_through_the_api(world):
    c = Client()
    data = payload(world.commune_a, world.village_a1)
    r = post(c, "applications", data)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["replay"] is False and body["self_assessment"]["indicative"] is True
    again = post(c, "applications", data).json()
    assert (
        again["replay"] is True
        and again["tracking_code"] == body["tracking_code"]
        and again["pin"] == body["pin"]
    )
    assert PortalApplication.objects.count() == 1
    # the same answered question on another form (another client key): refused, nothing saved
    reused = {**data, "client_key": str(uuid.uuid4())}
    r = post(c, "applications", reused)
    assert r.status_code == 422 and r.json()["code"] == "bot_replayed"
    assert "bot.answer" in r.json()["fields"] and PortalApplication.objects.count() == 1
    # status: only with the right PIN
    bad = post(c, "status", {"code": body["tracking_code"], "pin": "12345"})
    assert bad.status_code == 404 and bad.json()["message"] == "Mã hồ sơ hoặc mã PIN không đúng."
    ok = post(c, "status", {"code": body["tracking_code"], "pin": body["pin"]}).json()
    assert ok["status"] == "received" and "Hồ Thị Mai" not in json.dumps(ok)
    # bad input: a clear message on the field, nothing saved
    wrong = payload(world.commune_a)
    wrong["declarant"]["personal_id"] = "123"
    wrong["members"][1]["relation_to_head"] = "head"
    r = post(c, "applications", wrong)
    assert r.status_code == 422
    err = r.json()
    assert err["fields"]["declarant.personal_id"] == "Số định danh: phải gồm đúng 12 chữ số."
    assert "chủ hộ" in err["fields"]["members"]
    shape = payload(world.commune_a)
    shape["members"] = "không phải danh sách"
    r = post(c, "applications", shape)
    assert r.status_code == 422 and r.json()["message"] == "Dữ liệu gửi lên không đúng cấu trúc."
    assert PortalApplication.objects.count() == 1


def test_self_assessment_endpoint_and_openapi(world):
    c = Client()
    data = payload(world.commune_a)
    r = post(c, "self-assessment", data)
    assert r.status_code == 200
    a = r.json()
    assert a["explanation"].startswith("Theo thông tin bạn khai")
    assert a["income_per_capita"] == 1_250_000 and PortalApplication.objects.count() == 0
    schema = c.get("/api/v1/openapi.json").json()
    for path in (
        "areas",
        "code-lists",
        "challenge",
        "self-assessment",
        "applications",
        "status",
        "complaints",
    ):
        assert f"/api/v1/public/{path}" in schema["paths"], path


def test_first_page_is_light_and_phone_ready(world):
    r = Client().get("/dang-ky/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="viewport"' in html and "Mẫu 01" in html
    static = Path(settings.BASE_DIR) / "hongheo" / "web" / "static" / "web"
    total = len(r.content) + (static / "portal.css").stat().st_size + (static / "portal.js").stat().st_size
    assert total <= 150 * 1024


def test_assisted_submission_by_the_village_head(world):
    head = world.users[Role.VILLAGE_HEAD]
    c = Client(enforce_csrf_checks=True)
    c.force_login(head)
    page = c.get("/dang-ky/")
    assert b'data-testid="assisted"' in page.content
    token = c.cookies["csrftoken"].value
    data = {**payload(world.commune_a, world.village_a1), "channel": "assisted"}
    assert post(c, "applications", data).status_code == 403  # no CSRF header
    r = post(c, "applications", data, HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 200, r.content
    portal.portal_process_pending()  # the worker's pass
    sub = PortalApplication.objects.get()
    assert sub.channel == "assisted" and sub.assisted_by == head and sub.application.channel == "assisted"
    other = {**payload(world.commune_b), "channel": "assisted"}  # outside the village head's area
    assert post(c, "applications", other, HTTP_X_CSRFTOKEN=token).status_code == 403


def test_commune_sees_portal_application_and_others_do_not(world):
    c = Client()
    post(c, "applications", payload(world.commune_a, world.village_a1))
    # the province sees the accepted submission as open before the worker registered it
    province = Client()
    province.force_login(world.users[Role.PROVINCE_OFFICER])
    [row] = province.get("/dang-ky/thong-ke/").context["rows"]
    assert (row["total"], row["open"]) == (1, 1)
    assert Application.objects.count() == 0
    portal.portal_process_pending()  # the worker's pass
    app = Application.objects.get()
    officer = Client()
    officer.force_login(world.users[Role.COMMUNE_OFFICER])
    page = officer.get("/ra-soat/giay-de-nghi/", {"xa": world.commune_a.code}).content.decode()
    assert 'data-channel="portal"' in page and "Hồ Thị Mai" in page and "Tự đánh giá" in page
    board = officer.get("/ra-soat/", {"xa": world.commune_a.code}).content.decode()
    assert 'data-testid="pending-applications"' in board and "Hồ Thị Mai" in board
    outsider = user_create(
        actor=None,
        username="xa-khac",
        password="mat-khau-thu-nghiem",
        role=Role.COMMUNE_OFFICER,
        areas=[world.commune_b],
    )
    other = Client()
    other.force_login(outsider)
    r = other.get("/ra-soat/giay-de-nghi/", {"xa": world.commune_a.code})
    assert r.status_code == 404 and "Hồ Thị Mai" not in r.content.decode()
    assert "Hồ Thị Mai" not in other.get("/ra-soat/").content.decode()
    # province: counts only
    stats = province.get("/dang-ky/thong-ke/").content.decode()
    assert world.commune_a.name in stats and "Hồ Thị Mai" not in stats
    assert officer.get("/dang-ky/thong-ke/").status_code == 403
    assert app.channel == "portal"


def test_status_page_by_code_and_pin(world):
    c = Client()
    body = post(c, "applications", payload(world.commune_a)).json()
    r = c.post("/dang-ky/tra-cuu/", {"code": body["tracking_code"], "pin": "999999x"})
    assert r.status_code == 404 and "không đúng" in r.content.decode()
    r = c.post("/dang-ky/tra-cuu/", {"code": body["tracking_code"], "pin": body["pin"]})
    assert r.status_code == 200 and 'data-status="received"' in r.content.decode()
    assert r["Cache-Control"] == "no-store"


def test_officer_types_a_mau_01_for_a_family_not_in_the_registry(world):
    from hongheo.registry.models import Household

    officer = Client()
    officer.force_login(world.users[Role.COMMUNE_OFFICER])
    url = f"/ra-soat/giay-de-nghi/?xa={world.commune_a.code}"
    form = {
        "xa": world.commune_a.code,
        "kind": "review",
        "channel": "direct",
        "applicant_name": "Võ Văn Nam",
        "household_code": "",
        "personal_id": "046070123456",
        "received_on": "2026-10-01",
        "reason": "",
        "date_of_birth": "",
        "sex": "male",
        "village": world.village_a2.code,
        "address": "Tổ 3",
    }
    before = (Application.objects.count(), Household.objects.count())
    r = officer.post(url, form)
    assert (
        r.status_code == 422 and "Hộ chưa có mã: nhập ngày sinh người đề nghị (chủ hộ)." in r.content.decode()
    )
    assert (Application.objects.count(), Household.objects.count()) == before
    r = officer.post(url, {**form, "date_of_birth": "1970-02-03"})
    assert r.status_code == 302
    application = Application.objects.get(applicant_name="Võ Văn Nam")
    household = application.household
    assert household.provisional and household.village == world.village_a2 and household.address == "Tổ 3"
    assert household.members.get().personal_id == "046070123456"


def test_officer_confirms_a_provisional_household(world):
    post(Client(), "applications", payload(world.commune_a, world.village_a1))
    portal.portal_process_pending()  # the worker's pass
    household = Application.objects.get().household
    officer = Client()
    officer.force_login(world.users[Role.COMMUNE_OFFICER])
    page = officer.get(f"/ho/{household.pk}/").content.decode()
    assert 'data-testid="provisional"' in page
    outsider = user_create(
        actor=None,
        username="xa-b",
        password="mat-khau-thu-nghiem",
        role=Role.COMMUNE_OFFICER,
        areas=[world.commune_b],
    )
    other = Client()
    other.force_login(outsider)
    assert other.post(f"/ho/{household.pk}/xac-nhan-ho-tam/").status_code == 404
    assert officer.post(f"/ho/{household.pk}/xac-nhan-ho-tam/").status_code == 302
    household.refresh_from_db()
    assert household.provisional is False
