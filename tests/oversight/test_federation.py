"""Federation at the centre's endpoint: signed pushes are verified against the province's key,
every version is kept, the newest accepted push feeds the national table; a replay or an older
push changes nothing; a bad signature or a malformed report is refused with its reason."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from django.urls import reverse

from hongheo.oversight import federation, selectors, services
from hongheo.oversight.models import ReceivedPush
from hongheo.users.models import Role

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def key():
    return federation.load_private_key(federation.new_private_key_pem())


@pytest.fixture
def registered(world, key):
    services.province_key_register(actor=None, province=world.hue, public_key=federation.public_key_b64(key))
    return key


def envelope(world, huế, key, *, on=TODAY):
    payload = services.push_build(actor=world.users[Role.PROVINCE_OFFICER], province=world.hue, on=on)
    return federation.sign(payload, key)


def post(client, env):
    body = env if isinstance(env, bytes) else federation.canonical(env)
    response = client.post(reverse("web:oversight_receive"), data=body, content_type="application/json")
    return response.status_code, response.json()


def national_poor():
    now, _base, provinces = selectors.national_figures()
    return sum(r["poor"] for r in now["rows"]), {c: p["push"].sequence for c, p in provinces.items()}


def test_a_push_carries_aggregates_only(world, huế, key):
    env = envelope(world, huế, key)
    text = json.dumps(env, ensure_ascii=False)
    assert "Nguyễn Văn" not in text and "personal_id" not in text and "R-0" not in text
    assert federation.validate_payload(env["payload"]) == []
    assert env["payload"]["history"] and env["payload"]["figures"]["rows"]


def test_accept_replay_and_out_of_order(client, world, huế, registered):
    first = envelope(world, huế, registered)
    second = envelope(world, huế, registered)
    assert second["payload"]["sequence"] > first["payload"]["sequence"]
    assert post(client, second)[1]["status"] == "accepted"
    before = national_poor()
    assert before[0] == 5
    # the older report arrives late: kept as a version, changes nothing
    status, answer = post(client, first)
    assert (status, answer["status"]) == (200, "superseded")
    # the same report again: nothing new stored
    assert post(client, second)[1]["status"] == "duplicate"
    assert national_poor() == before
    assert ReceivedPush.objects.count() == 2
    assert ReceivedPush.objects.filter(status="accepted").get().sequence == second["payload"]["sequence"]


def test_bad_signature_and_malformed_reports_are_refused_with_a_reason(client, world, huế, registered, key):
    other = federation.load_private_key(federation.new_private_key_pem())
    good = envelope(world, huế, registered)
    forged = federation.sign(good["payload"], other)
    status, answer = post(client, forged)
    assert (status, answer["status"]) == (403, "rejected") and "Chữ ký" in answer["reason"]
    tampered = copy.deepcopy(good)
    tampered["payload"]["figures"]["rows"][0]["poor"] += 1
    assert post(client, tampered)[1]["status"] == "rejected"
    sneaky = copy.deepcopy(good["payload"])
    sneaky["figures"]["rows"][0]["head_name"] = "Nguyễn Văn An"
    status, answer = post(client, federation.sign(sneaky, registered))
    assert status == 400 and "head_name" in answer["reason"]
    assert post(client, b"{not json")[1]["status"] == "rejected"
    unregistered = copy.deepcopy(good["payload"])
    unregistered["province"] = unregistered["figures"]["area"]["code"] = "01"
    assert "chưa đăng ký" in post(client, federation.sign(unregistered, registered))[1]["reason"]
    assert not ReceivedPush.objects.exclude(status="rejected").exists()
    assert ReceivedPush.objects.filter(status="rejected", payload__isnull=True).count() == 5
    assert national_poor()[0] == 0


def test_late_provinces_and_the_national_table(client, world, huế, registered, settings):
    settings.OVERSIGHT_PUSH_DUE_DAY = 5
    hanoi_key = federation.load_private_key(federation.new_private_key_pem())
    services.province_key_register(
        actor=None, province=world.hanoi, public_key=federation.public_key_b64(hanoi_key)
    )
    post(client, envelope(world, huế, registered))
    statuses = {s.province.code: s for s in selectors.province_statuses(TODAY)}
    assert statuses["01"].late and statuses["01"].registered
    assert not statuses["46"].late
    assert not statuses["79"].late and not statuses["79"].registered
    client.force_login(world.users[Role.CENTRAL_ANALYST])
    page = client.get(reverse("web:oversight_dashboard")).content.decode()
    assert 'data-testid="national-row-46"' in page and "chưa gửi số liệu đúng hạn" in page
    assert "&lt; 5" in page  # Huế has 4 near-poor households: suppressed on the shared view
    pushed = ReceivedPush.objects.get(province=world.hue)
    assert reverse("web:oversight_received_push", args=[pushed.pk]) in page  # the province's commune rows
    detail = client.get(reverse("web:oversight_received_push", args=[pushed.pk])).content.decode()
    assert huế["a"].name in detail and "&lt; 5" in detail  # commune A's 4 poor households
    page = client.get(reverse("web:oversight_federation")).content.decode()
    assert 'data-testid="late-provinces"' in page
    client.force_login(world.users[Role.PROVINCE_OFFICER])
    assert client.get(reverse("web:oversight_federation")).status_code == 404


def test_due_dates():
    assert selectors.due(dt.date(2026, 11, 30)) == (dt.date(2026, 10, 31), dt.date(2026, 11, 5))
    assert selectors.due(dt.date(2026, 11, 3)) == (dt.date(2026, 9, 30), dt.date(2026, 10, 5))
    assert selectors.due(dt.date(2026, 1, 2)) == (dt.date(2025, 11, 30), dt.date(2025, 12, 5))
