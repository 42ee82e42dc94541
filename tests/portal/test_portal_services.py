"""The portal's services: submit (new household → provisional, known household matched by ID),
replay, joining, every bad input, rate limits, the bot check, status by code + PIN through a whole
round, complaint and exit request; and Mẫu 01 without a household code reaching a decision."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import override_settings

from hongheo.capture.portal import services as portal
from hongheo.capture.portal.models import PortalApplication, PortalLookup
from hongheo.core.errors import Conflict, NotFound, ValidationError
from hongheo.core.models import AuditEvent
from hongheo.registry.models import Household, Member
from hongheo.registry.services import MemberInput
from hongheo.reviews import services as reviews
from hongheo.reviews.models import Application
from hongheo.users.models import Role

TODAY = dt.date(2026, 10, 1)
_serial = iter(range(500_000, 900_000))


def pid(dob: dt.date, sex: str) -> str:
    digit = (dob.year // 100 - 19) * 2 + (1 if sex == "female" else 0)
    return f"046{digit}{dob.year % 100:02d}{next(_serial):06d}"


def payload(commune, village=None, **over):
    head_dob, child_dob = dt.date(1985, 4, 2), dt.date(2015, 6, 1)
    head_id = over.pop("head_id", None) or pid(head_dob, "female")
    data = {
        "client_key": str(uuid.uuid4()),
        "commune": commune.code,
        "village": village.code if village else "",
        "address": "Xóm Bến, số 12",
        "declarant": {
            "full_name": "Hồ Thị Mai",
            "personal_id": head_id,
            "date_of_birth": head_dob.isoformat(),
            "sex": "female",
            "phone": "0905123456",
        },
        "members": [
            {
                "full_name": "Hồ Thị Mai",
                "relation_to_head": "head",
                "date_of_birth": head_dob.isoformat(),
                "sex": "female",
                "personal_id": head_id,
                "health_insurance": False,
                "employment": "self_employed",
                "education_level": "lower_secondary",
            },
            {
                "full_name": "Hồ Văn Tí",
                "relation_to_head": "child",
                "date_of_birth": child_dob.isoformat(),
                "sex": "male",
                "personal_id": "",
                "in_school": True,
                "health_insurance": True,
            },
        ],
        "living": {
            "housing_quality": "non_durable",
            "floor_area_m2": 18,
            "water_source": "unprotected_well",
            "toilet": "unimproved",
            "waste_handling": "dumped",
            "internet": False,
            "information_devices": 1,
        },
        "incomes": [
            {"source": "crops", "amount": 18_000_000, "period": "year"},
            {"source": "wages", "amount": 1_000_000, "period": "month"},
        ],
        "reason": "Chồng mất, con nhỏ",
        "bot": {"token": portal.challenge_new()["token"], "answer": "", "website": ""},
    }
    data.update(over)
    return answered(data)


def answered(data):
    from django.core import signing

    token = data["bot"]["token"]
    q = signing.loads(token, salt="hongheo.portal.challenge")
    data["bot"]["answer"] = str(q["a"] + q["b"])
    return data


def counts():
    return (PortalApplication.objects.count(), Application.objects.count(), Household.objects.count())


def submit(data, address, **kw):
    """Accept, then the worker's pass that does the registry work (decision 0012)."""
    receipt = portal.portal_submit(actor=None, payload=data, address=address, today=TODAY, **kw)
    portal.portal_process_pending()
    receipt.submission.refresh_from_db()
    return receipt


def test_new_family_gets_a_provisional_household_and_a_portal_application(world):
    data = payload(world.commune_a, world.village_a1)
    before, last_audit = counts(), AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    receipt = portal.portal_submit(actor=None, payload=data, address="10.0.0.1", today=TODAY)
    sub = receipt.submission
    assert len(receipt.pin) == 6 and len(sub.tracking_code) == 9
    assert receipt.pin not in sub.pin_hash
    # accepted: the submission and one audit row; the registry work waits for the worker
    assert counts() == (before[0] + 1, before[1], before[2])
    assert sub.application is None and sub.processed_at is None and sub.received_on == TODAY
    new_audit = AuditEvent.objects.filter(pk__gt=last_audit or 0)
    assert [a.action for a in new_audit] == ["capture.portal_submit"]
    assert portal.portal_status(submission=sub)["status"] == "received"
    assert portal.portal_process_pending() == 1
    sub.refresh_from_db()
    assert sub.processed_at is not None and sub.process_error == ""
    app = sub.application
    assert app.received_on == TODAY
    assert app.channel == "portal" and app.status == "received" and app.kind == "review"
    hh = app.household
    assert hh.provisional and hh.village == world.village_a1 and hh.size == 2
    assert hh.income_per_capita == (18_000_000 / 12 + 1_000_000) / 2 == sub.income_per_capita
    assert AuditEvent.objects.filter(action="registry.household_create_provisional").exists()
    # indicative self-assessment with the plain explanation
    result = sub.self_result
    assert result["indicative"] is True
    assert result["explanation"].startswith("Theo thông tin bạn khai, hộ có thể thuộc diện hộ ")
    assert "1.250.000" in result["explanation"]

    # replay: same code and PIN, nothing new
    before = counts()
    again = portal.portal_submit(actor=None, payload=data, address="10.0.0.1", today=TODAY)
    assert again.replay and again.submission.pk == sub.pk and again.pin == receipt.pin
    assert counts() == before
    changed = {**data, "reason": "khác"}
    with pytest.raises(Conflict):
        portal.portal_submit(actor=None, payload=changed, address="10.0.0.1", today=TODAY)
    assert counts() == before


def test_known_household_is_matched_by_member_id_and_second_application_is_joined(world):
    head = world.hh_a1.members.get(relation_to_head="head")
    data = payload(world.commune_a, world.village_a1)
    data["members"][0]["personal_id"] = data["declarant"]["personal_id"]
    data["members"].append(
        {
            "full_name": head.full_name,
            "relation_to_head": "other",
            "date_of_birth": head.date_of_birth.isoformat(),
            "sex": head.sex,
            "personal_id": head.personal_id,
        }
    )
    first = submit(data, "10.0.0.2").submission
    assert first.matched_existing and first.application.household == world.hh_a1
    # the declaration is a dated record of the household; its facts of record do not change
    assert first.facts_record.source == "portal" and first.facts_record.applied_at is None
    assert first.facts_record.household_facts["income_per_capita"] == first.income_per_capita != 1_450_000
    world.hh_a1.refresh_from_db()
    assert world.hh_a1.income_per_capita == 1_450_000
    n_apps, n_households = Application.objects.count(), Household.objects.count()
    second_data = payload(world.commune_a, world.village_a1, head_id=data["declarant"]["personal_id"])
    second = submit(second_data, "10.0.0.3").submission
    assert second.joined_to == first and second.application == first.application
    assert (Application.objects.count(), Household.objects.count()) == (n_apps, n_households)
    status = portal.portal_status(submission=second)
    # the sender of the second form learns nothing about what the commune already had
    assert status["status"] == "received" and status["classification"] is None
    assert status == {**portal.portal_status(submission=second), "status": "received"}
    assert "joined" not in str(status) and first.tracking_code not in str(status)


def _bad(path, value):
    def change(d):
        node = d
        *parents, last = path
        for p in parents:
            node = node[p]
        node[last] = value

    return change


BAD = [
    ("declarant.personal_id", _bad(("declarant", "personal_id"), "04612345")),
    ("declarant.personal_id", _bad(("declarant", "personal_id"), "04608512345x")),
    ("declarant.personal_id", _bad(("declarant", "date_of_birth"), "1986-04-02")),  # year ≠ digits 5–6
    ("declarant.personal_id", _bad(("declarant", "sex"), "male")),  # digit 4 says female
    ("members", _bad(("members", 0, "relation_to_head"), "spouse")),  # no head
    ("members", _bad(("members", 1, "relation_to_head"), "head")),  # two heads
    ("commune", _bad(("commune",), "99999")),  # not on the map
    ("incomes.0.amount", _bad(("incomes", 0, "amount"), -5)),
    ("incomes.1.amount", _bad(("incomes", 1, "amount"), 900_000_000)),
    ("incomes.0.period", _bad(("incomes", 0, "period"), "week")),
    ("reason", _bad(("reason",), "x" * 1001)),
    ("members.1.full_name", _bad(("members", 1, "full_name"), "Tên " * 60)),
    ("address", _bad(("address",), "a" * 301)),
    (
        "members.1.personal_id",
        _bad(("members", 1, "personal_id"), "046315000001"),
    ),  # child ID: digit 4 says a girl
    ("living.water_source", _bad(("living", "water_source"), "river_magic")),
]


@pytest.mark.parametrize(("field", "change"), BAD, ids=[f"{i}-{b[0]}" for i, b in enumerate(BAD)])
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(world, field, change):
    data = payload(world.commune_a, world.village_a1)
    change(data)
    before = counts()
    with pytest.raises(ValidationError) as info:
        portal.portal_submit(actor=None, payload=data, address="10.0.0.4", today=TODAY)
    fields = info.value.details["fields"]
    assert field in fields, fields
    assert fields[field] and info.value.message
    assert counts() == before


def test_bot_check(world):
    data = payload(world.commune_a)
    data["bot"]["website"] = "http://spam"
    with pytest.raises(ValidationError, match="Không gửi được"):
        portal.portal_submit(actor=None, payload=data, address="10.0.0.5", today=TODAY)
    data = payload(world.commune_a)
    data["bot"]["answer"] = "100"
    with pytest.raises(ValidationError, match="chưa đúng"):
        portal.portal_submit(actor=None, payload=data, address="10.0.0.5", today=TODAY)
    data = payload(world.commune_a)
    with override_settings(PORTAL_BOT_MIN_SECONDS=30), pytest.raises(ValidationError, match="quá nhanh"):
        portal.portal_submit(actor=None, payload=data, address="10.0.0.5", today=TODAY)
    assert PortalApplication.objects.count() == 0


@override_settings(PORTAL_SUBMITS_PER_ADDRESS=2, PORTAL_SUBMITS_PER_PERSONAL_ID=1)
def test_rate_limits_per_address_and_per_id(world):
    a = payload(world.commune_a)
    portal.portal_submit(actor=None, payload=a, address="10.0.0.6", today=TODAY)
    again_same_id = payload(world.commune_b, head_id=a["declarant"]["personal_id"])
    with pytest.raises(ValidationError, match="nhiều hồ sơ") as info:
        portal.portal_submit(actor=None, payload=again_same_id, address="10.0.0.7", today=TODAY)
    assert info.value.code == "rate_limited"
    portal.portal_submit(actor=None, payload=payload(world.commune_b), address="10.0.0.6", today=TODAY)
    with pytest.raises(ValidationError, match="địa chỉ mạng"):
        portal.portal_submit(actor=None, payload=payload(world.commune_b), address="10.0.0.6", today=TODAY)
    assert PortalApplication.objects.count() == 2


def test_status_follows_the_round_to_the_decision_and_lookups_are_logged(world):
    officer, chairman = world.users[Role.COMMUNE_OFFICER], world.users[Role.COMMUNE_CHAIRMAN]
    receipt = portal.portal_submit(
        actor=None, payload=payload(world.commune_a, world.village_a2), address="10.0.0.8", today=TODAY
    )
    code, pin = receipt.submission.tracking_code, receipt.pin
    assert portal.portal_status(submission=receipt.submission)["status"] == "received"
    portal.portal_process_pending()
    with pytest.raises(NotFound):
        portal.portal_find(code=code, pin="000000" if pin != "000000" else "111111", address="10.0.0.9")
    with pytest.raises(NotFound):
        portal.portal_find(code="XXXX-XXXX", pin=pin, address="10.0.0.9")
    sub = portal.portal_find(code=code.replace("-", "").lower(), pin=pin, address="10.0.0.9")
    assert portal.portal_status(submission=sub)["status"] == "received"
    rnd = reviews.round_open(actor=officer, commune=world.commune_a, kind="yearly", year=2026)
    assert portal.portal_status(submission=sub)["status"] == "verifying"
    from tests.conftest import run_round_to_decision

    decision = run_round_to_decision(world.commune_a, officer=officer, chairman=chairman, year=2026)
    assert decision.round_id == rnd.pk
    status = portal.portal_status(submission=portal.portal_find(code=code, pin=pin, address="10.0.0.9"))
    assert status["status"] == "decided" and status["decision_number"] == "99/QĐ-UBND"
    # the decision covered the provisional household the portal created: no longer provisional
    household = Household.objects.get(pk=sub.application.household_id)
    assert not household.provisional
    assert AuditEvent.objects.filter(
        action="registry.household_confirm", household_code=household.code, actor=chairman
    ).exists()
    assert status["classification"] in ("poor", "near_poor", "average", "not_poor")
    assert set(status) >= {"status_vi", "self_assessment"} and "members" not in str(status.keys())
    assert (
        PortalLookup.objects.filter(ok=True).count() == 2
        and PortalLookup.objects.filter(ok=False).count() == 2
    )
    assert AuditEvent.objects.filter(action="capture.portal_status_view").count() == 4
    if status["classification"] in ("poor", "near_poor"):
        exit_app = portal.portal_request_exit(submission=sub, content="Đã có việc làm ổn định")
        assert exit_app.kind == "exit" and exit_app.household == sub.application.household


@override_settings(PORTAL_LOOKUP_FAILURES_PER_ADDRESS=2)
def test_wrong_pins_are_throttled(world):
    receipt = portal.portal_submit(
        actor=None, payload=payload(world.commune_a), address="10.0.1.1", today=TODAY
    )
    for _ in range(2):
        with pytest.raises(NotFound):
            portal.portal_find(code=receipt.submission.tracking_code, pin="x", address="10.0.1.2")
    with pytest.raises(ValidationError, match="quá nhiều"):
        portal.portal_find(code=receipt.submission.tracking_code, pin=receipt.pin, address="10.0.1.2")


def test_complaint_with_the_code_during_posting(world):
    officer = world.users[Role.COMMUNE_OFFICER]
    receipt = submit(payload(world.commune_a, world.village_a1), "10.0.2.1")
    with pytest.raises(Conflict):
        portal.portal_complain(submission=receipt.submission, content="Sai")
    rnd = reviews.round_open(actor=officer, commune=world.commune_a, kind="yearly", year=2026)
    entry = rnd.entries.get(application=receipt.submission.application)
    reviews.screening_record(actor=officer, entry=entry, excluded=False)
    reviews.round_advance(actor=officer, review_round=rnd, action="start_survey")
    reviews.survey_record(actor=officer, entry=entry)
    reviews.round_advance(actor=officer, review_round=rnd, action="start_meetings")
    assert portal.portal_status(submission=receipt.submission)["status"] == "meeting"
    reviews.meeting_record(
        actor=officer,
        review_round=rnd,
        village=world.village_a1,
        held_on=TODAY,
        attendees=20,
        chair_name="A",
        secretary_name="B",
        votes={entry.pk: 15},
    )
    reviews.round_advance(actor=officer, review_round=rnd, action="start_posting")
    status = portal.portal_status(submission=receipt.submission)
    assert status["status"] == "posted" and status["can_complain"]
    complaint = portal.portal_complain(submission=receipt.submission, content="Nhà tôi thiếu nước sạch")
    assert complaint.entry == entry and complaint.round == rnd


def test_officer_typed_application_without_household_reaches_a_decision(world):
    officer, chairman = world.users[Role.COMMUNE_OFFICER], world.users[Role.COMMUNE_CHAIRMAN]
    dob = dt.date(1970, 2, 3)
    with pytest.raises(ValidationError):  # nothing to build the household from
        reviews.application_receive(
            actor=officer,
            commune=world.commune_a,
            kind="review",
            applicant_name="Võ Văn Nam",
            received_on=TODAY,
        )
    application = reviews.application_receive(
        actor=officer,
        commune=world.commune_a,
        kind="review",
        applicant_name="Võ Văn Nam",
        received_on=TODAY,
        village=world.village_a2,
        address="Tổ 3",
        members=[MemberInput("Võ Văn Nam", dob, "male", "head", pid(dob, "male"))],
    )
    assert application.household.provisional and application.status == "received"
    decision = run_round(world, officer, chairman)
    application.refresh_from_db()
    assert application.status == "accepted" and application.decided_on == decision.signed_on
    application.household.refresh_from_db()
    assert not application.household.provisional  # the decision covered it
    # an application received while the next round lists households enters it at once
    rnd = reviews.round_open(actor=officer, commune=world.commune_a, kind="monthly", year=2027, month=1)
    dob2 = dt.date(1990, 1, 1)
    late = reviews.application_receive(
        actor=officer,
        commune=world.commune_a,
        kind="review",
        applicant_name="Đinh Thị Hoa",
        received_on=TODAY,
        address="Tổ 4",
        members=[MemberInput("Đinh Thị Hoa", dob2, "female", "head", pid(dob2, "female"))],
    )
    assert late.status == "in_review" and rnd.entries.filter(application=late).exists()
    assert Member.objects.filter(household=late.household).count() == 1


def run_round(world, officer, chairman):
    from tests.conftest import run_round_to_decision

    return run_round_to_decision(world.commune_a, officer=officer, chairman=chairman, year=2026)


def test_an_id_with_an_unknown_prefix_is_kept_for_the_officer_not_refused(world):
    data = payload(world.commune_a, world.village_a1)
    dob = dt.date(1990, 5, 5)
    data["members"].append(
        {
            "full_name": "Lê Văn Kiều",
            "relation_to_head": "other",
            "date_of_birth": dob.isoformat(),
            "sex": "male",
            "personal_id": "999090123456",  # born abroad: a country code, not in the lists
        }
    )
    sub = submit(data, "10.0.3.1").submission
    member = sub.application.household.members.get(full_name="Lê Văn Kiều")
    assert member.personal_id is None
    assert any(m["personal_id"] == "999090123456" for m in sub.declared["members"])


# --- accept now, register in the worker (decision 0012) ------------------------------------------


def test_a_crash_between_accept_and_processing_loses_nothing(world, monkeypatch):
    from django.core.management import call_command

    receipt = portal.portal_submit(
        actor=None, payload=payload(world.commune_a, world.village_a1), address="10.0.4.1", today=TODAY
    )
    sub = receipt.submission
    n_apps, n_households = Application.objects.count(), Household.objects.count()

    # the worker dies half-way through the registry work (after the household and application)
    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(portal, "_record_declared", crash)
    assert portal.portal_process_pending() == 0
    sub.refresh_from_db()
    assert sub.processed_at is None and sub.application is None
    assert sub.process_attempts == 1 and "worker killed" in sub.process_error
    assert (Application.objects.count(), Household.objects.count()) == (n_apps, n_households)
    assert portal.portal_status(submission=sub)["status"] == "received"
    monkeypatch.undo()

    # the next worker pass (the real command) takes it up; a pass over nothing does nothing
    call_command("run_worker", "--once", stdout=__import__("io").StringIO())
    sub.refresh_from_db()
    assert sub.processed_at is not None and sub.process_error == ""
    assert sub.application is not None and sub.application.household.provisional
    assert (Application.objects.count(), Household.objects.count()) == (n_apps + 1, n_households + 1)
    assert portal.portal_process_pending() == 0
    assert Application.objects.count() == n_apps + 1


@override_settings(PORTAL_PROCESS_MAX_ATTEMPTS=2)
def test_a_submission_that_keeps_failing_stops_being_retried_and_keeps_its_reason(world, monkeypatch):
    sub = portal.portal_submit(
        actor=None, payload=payload(world.commune_a), address="10.0.4.2", today=TODAY
    ).submission
    monkeypatch.setattr(portal, "_record_declared", lambda *a, **k: 1 / 0)
    for _ in range(3):
        portal.portal_process_pending()
    sub.refresh_from_db()
    assert sub.process_attempts == 2 and "division by zero" in sub.process_error
    assert portal.portal_pending_count() == 1  # still waiting, visible, never dropped


def test_a_bot_question_serves_one_submission_only(world):
    first = payload(world.commune_a)
    receipt = portal.portal_submit(actor=None, payload=first, address="10.0.5.1", today=TODAY)
    second = payload(world.commune_a)
    second["bot"] = dict(first["bot"])  # the same answered question, another form
    before, audits = counts(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as info:
        portal.portal_submit(actor=None, payload=second, address="10.0.5.2", today=TODAY)
    assert info.value.code == "bot_replayed" and "đã được dùng" in info.value.message
    assert "bot.answer" in info.value.details["fields"]
    assert counts() == before and AuditEvent.objects.count() == audits  # no half-write
    # the phone that sent the first form may still send it again (same key): the same receipt
    again = portal.portal_submit(actor=None, payload=first, address="10.0.5.1", today=TODAY)
    assert again.replay and again.submission.pk == receipt.submission.pk and again.pin == receipt.pin
    # a new question lets the second form through
    second["bot"] = {"token": portal.challenge_new()["token"], "answer": "", "website": ""}
    assert not portal.portal_submit(
        actor=None, payload=answered(second), address="10.0.5.2", today=TODAY
    ).replay


def test_a_replay_is_answered_even_after_its_question_expired(world):
    data = payload(world.commune_a)
    receipt = portal.portal_submit(actor=None, payload=data, address="10.0.5.3", today=TODAY)
    with override_settings(PORTAL_BOT_MAX_SECONDS=-1):  # every question has expired now
        again = portal.portal_submit(actor=None, payload=data, address="10.0.5.3", today=TODAY)
        with pytest.raises(ValidationError, match="hết hạn"):
            portal.portal_submit(
                actor=None, payload=payload(world.commune_a), address="10.0.5.3", today=TODAY
            )
    assert again.replay and again.pin == receipt.pin


class _Recorder:
    sent: list = []

    def send(self, *, phone, text):
        _Recorder.sent.append((phone, text))


@override_settings(PORTAL_NOTIFY_BACKEND="tests.portal.test_portal_services._Recorder")
def test_the_code_and_pin_go_to_the_configured_gateway_once_registered(
    world, django_capture_on_commit_callbacks
):
    _Recorder.sent.clear()
    receipt = portal.portal_submit(
        actor=None, payload=payload(world.commune_a), address="10.0.6.1", today=TODAY
    )
    assert _Recorder.sent == []  # nothing at accept
    with django_capture_on_commit_callbacks(execute=True):
        portal.portal_process_pending()
    [(phone, text)] = _Recorder.sent
    assert phone == "0905123456"
    assert receipt.submission.tracking_code in text and receipt.pin in text


def test_without_a_gateway_the_message_is_only_logged_with_the_pin_masked(caplog):
    from hongheo.capture.portal.notify import LogNotifier

    with caplog.at_level("INFO", logger="hongheo.capture.portal.notify"):
        LogNotifier().send(phone="0905123456", text="Hồ sơ ABCD-EFGH. Mã PIN: 123456.")
    assert "ABCD-EFGH" in caplog.text and "123456" not in caplog.text and "***456" in caplog.text


def test_places_and_standards_are_cached_per_process(world, django_assert_max_num_queries):
    from hongheo.capture.portal import validation
    from hongheo.standards.selectors import standards_cache_clear

    validation.places_cache_clear()
    standards_cache_clear()
    data = payload(world.commune_a, world.village_a1)
    with override_settings(PORTAL_CACHE_SECONDS=60, STANDARDS_CACHE_SECONDS=60):
        portal.self_assessment(payload=data, today=TODAY)
        with django_assert_max_num_queries(1):  # the open round only; places and standard are known
            portal.self_assessment(payload=data, today=TODAY)
        # a village of another commune is still refused
        bad = payload(world.commune_b, world.village_a1)
        with pytest.raises(ValidationError) as info:
            portal.self_assessment(payload=bad, today=TODAY)
        assert "village" in info.value.details["fields"]
    validation.places_cache_clear()
    standards_cache_clear()


def test_publishing_a_standard_drops_the_cached_copies(world, django_capture_on_commit_callbacks):
    from hongheo.standards.rules.catalog import get_standard
    from hongheo.standards.selectors import standard_in_force_cached, standards_cache_clear
    from hongheo.standards.services import standard_draft_save, standard_publish

    doc = {
        **{k: v for k, v in get_standard("vn-2022-2025").document.items() if k != "dimensions"},
        "code": "hue-2026",
        "title": "Chuẩn nghèo riêng của Huế (thử nghiệm)",
        "scope": "province",
        "province_code": "46",
        "based_on": "vn-2022-2025",
        "effective_from": "2026-01-01",
        "effective_to": "2026-12-31",
    }
    admin = world.users[Role.ADMINISTRATOR]
    standards_cache_clear()
    with override_settings(STANDARDS_CACHE_SECONDS=3600):
        on = dt.date(2026, 6, 1)
        assert standard_in_force_cached(on, province_code="46").code == "vn-2022-2025"
        draft = standard_draft_save(actor=admin, document=doc)
        assert standard_in_force_cached(on, province_code="46").code == "vn-2022-2025"  # a draft
        with django_capture_on_commit_callbacks(execute=True):
            standard_publish(actor=admin, standard=draft)
        assert standard_in_force_cached(on, province_code="46").code == "hue-2026"
    standards_cache_clear()
