"""The field app's API: device token sign-in, downloads, batch sync with per-item results, photos."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from hongheo.fieldwork.models import Photo, Submission
from hongheo.reviews.models import RoundEntry

from .conftest import answers_for, jpeg


@pytest.fixture
def phone(field):
    client = Client()
    r = client.post(
        "/api/v1/field/login",
        data=json.dumps({"username": "surveyor", "password": "mat-khau-thu-nghiem", "label": "điện thoại 1"}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {r.json()['token']}"
    return client


def _item(hh, **kw):
    return {
        "id": kw.pop("id", str(uuid.uuid4())),
        "form_id": "hn_phieu_b",
        "form_version": "2025.1",
        "household_id": hh.pk,
        "answers": kw.pop("answers", None) or answers_for(hh),
        **kw,
    }


def _sync(phone, items, raw=None):
    body = raw if raw is not None else json.dumps({"items": items})
    return phone.post("/api/v1/field/sync", data=body, content_type="application/json")


def test_login_refuses_bad_password_and_wrong_role(field):
    c = Client()
    bad = c.post(
        "/api/v1/field/login",
        data=json.dumps({"username": "surveyor", "password": "x"}),
        content_type="application/json",
    )
    assert bad.status_code == 401 and "Sai tên đăng nhập" in bad.json()["message"]
    chairman = c.post(
        "/api/v1/field/login",
        data=json.dumps({"username": "commune_chairman", "password": "mat-khau-thu-nghiem"}),
        content_type="application/json",
    )
    assert chairman.status_code == 403
    assert c.get("/api/v1/field/assignments", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_assignments_only_the_users_area(phone, field):
    data = phone.get("/api/v1/field/assignments").json()
    codes = {h["code"] for h in data["households"]}
    assert codes == {"HH-A1", "HH-A2"}
    a1 = next(h for h in data["households"] if h["code"] == "HH-A1")
    assert a1["entry_id"] and a1["version"] and len(a1["members"]) == 2
    assert a1["facts"]["income_per_capita"] == 1_450_000
    q = phone.get("/api/v1/field/questionnaire").json()
    assert q["forms"]["phieu_b"]["form_id"] == "hn_phieu_b"


def test_batch_with_bad_items_accepts_the_good_ones(phone, field):
    good = _item(field.hh_a1)
    items = [
        good,
        _item(field.hh_a2, answers=answers_for(field.hh_a2, floor_area_m2="abc")),
        _item(field.hh_a2, id="12-34"),
        _item(field.hh_b),  # outside the surveyor's area
        _item(field.hh_a2, form_version="1.0"),
        "not an object",
    ]
    r = _sync(phone, items)
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["accepted", "error", "error", "error", "error", "error"]
    assert results[1]["errors"] == {"floor_area_m2": "Diện tích nhà ở: phải là số."}
    assert results[2]["code"] == "bad_id" and results[3]["code"] == "not_found"
    assert results[4]["code"] == "unknown_form"
    assert Submission.objects.count() == 1
    assert RoundEntry.objects.get(household=field.hh_a2, round=field.round).state == "listed"
    again = _sync(phone, [good]).json()["results"][0]
    assert again["status"] == "duplicate" and Submission.objects.count() == 1


def test_malformed_json_is_a_clear_error(phone, field):
    r = _sync(phone, None, raw="{not json")
    assert r.status_code == 400 and r.json()["code"] == "bad_json"
    assert _sync(phone, None, raw=json.dumps({"x": 1})).status_code == 400


def test_photo_upload_idempotent_and_checked(phone, field):
    item = _item(field.hh_a1, photos=[str(uuid.uuid4())])
    res = _sync(phone, [item]).json()["results"][0]
    assert res["photos_missing"] == item["photos"]
    pid = item["photos"][0]
    url = f"/api/v1/field/photos/{pid}"
    from django.core.files.uploadedfile import SimpleUploadedFile

    def up(content, name="a.jpg"):
        return phone.post(
            url,
            data={
                "submission_id": item["id"],
                "question": "photo_house",
                "file": SimpleUploadedFile(name, content),
            },
        )

    assert up(jpeg(5)).status_code == 201
    assert up(jpeg(5)).status_code == 200
    assert Photo.objects.count() == 1
    bad = phone.post(
        f"/api/v1/field/photos/{uuid.uuid4()}",
        data={"submission_id": item["id"], "file": SimpleUploadedFile("x.jpg", b"GIF89a not really")},
    )
    assert bad.status_code == 422 and "JPEG" in bad.json()["message"]
    status = phone.get(f"/api/v1/field/submissions/{item['id']}").json()
    assert status["photos"] == [pid]


def test_openapi_lists_the_field_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/field/sync" in schema["paths"]


def test_new_household_found_in_the_field(phone, field):
    from hongheo.fieldwork.models import FieldConflict
    from hongheo.registry.models import Household

    answers = answers_for(field.hh_a1)
    for row in answers["member"]:
        row["member_id"] = None
    answers["member"][0]["full_name"] = "Đinh Văn Mới"
    answers["member"][1]["full_name"] = "Đinh Thị Con"
    item = {
        "id": str(uuid.uuid4()),
        "form_id": "hn_phieu_b",
        "form_version": "2025.1",
        "new_household": {"village_code": field.village_a2.code, "address": "Xóm Bãi"},
        "answers": answers,
    }
    result = _sync(phone, [item]).json()["results"][0]
    assert result["status"] == "accepted", result
    hh = Household.objects.get(head_name="Đinh Văn Mới")
    assert hh.village_id == field.village_a2.pk and hh.size == 2 and hh.income_per_capita == 500_000
    assert FieldConflict.objects.get(household=hh).kind == "new"
    # it joins the commune's running round (survey step) with its Phiếu B recorded there
    entry = RoundEntry.objects.get(round=field.round, household=hh)
    assert entry.origin == "found" and entry.state == "surveyed" and entry.proposed_class
    assert entry.facts_record.source == "field" and entry.facts_record.source_ref == item["id"]
    assert result["proposed_class"] == entry.proposed_class
    assert _sync(phone, [item]).json()["results"][0]["status"] == "duplicate"
    assert RoundEntry.objects.filter(household=hh).count() == 1
    assert Household.objects.filter(head_name="Đinh Văn Mới").count() == 1
    outside = dict(item, id=str(uuid.uuid4()), new_household={"village_code": "99999999", "address": ""})
    assert _sync(phone, [outside]).json()["results"][0]["code"] == "not_found"


def test_new_household_found_while_no_round_runs_is_registered_and_flagged_only(phone, field):
    from hongheo.fieldwork.models import FieldConflict
    from hongheo.registry.models import Household
    from hongheo.reviews.models import ReviewRound

    ReviewRound.objects.filter(pk=field.round.pk).update(state="cancelled")
    answers = answers_for(field.hh_a1)
    for row in answers["member"]:
        row["member_id"] = None
    answers["member"][0]["full_name"] = "Phan Văn Lạ"
    item = {
        "id": str(uuid.uuid4()),
        "form_id": "hn_phieu_b",
        "form_version": "2025.1",
        "new_household": {"village_code": field.village_a2.code, "address": "Xóm Cồn"},
        "answers": answers,
    }
    assert _sync(phone, [item]).json()["results"][0]["status"] == "accepted"
    hh = Household.objects.get(head_name="Phan Văn Lạ")
    assert FieldConflict.objects.get(household=hh).kind == "new"
    assert not RoundEntry.objects.filter(household=hh).exists()
    # and a cancelled round takes no Phiếu B either
    other = _item(field.hh_a1)
    assert _sync(phone, [other]).json()["results"][0]["code"] == "round_closed"


def test_field_login_is_throttled_and_audited_like_the_web_login(field, settings):
    from hongheo.core.models import AuditEvent

    settings.LOGIN_THROTTLE_FAILURES = 2
    c = Client()

    def login(password):
        return c.post(
            "/api/v1/field/login",
            data=json.dumps({"username": "surveyor", "password": password}),
            content_type="application/json",
        )

    assert login("sai-1").status_code == 401 and login("sai-2").status_code == 401
    blocked = login("mat-khau-thu-nghiem")
    assert blocked.status_code == 429 and blocked.json()["code"] == "throttled"
    failed = AuditEvent.objects.filter(action="auth.login_failed", object_id="surveyor")
    assert [e.after["via"] for e in failed] == ["field_app", "field_app"]
