"""The review pages: each renders for the right role, is 404 outside the user's area and 403 for a
role that may not use it; each form posts through its service (happy path, and a bad input that
shows the Vietnamese message and changes nothing); PDFs and the QR verification page."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hongheo.reviews import services as s
from hongheo.reviews.models import (
    Application,
    Certificate,
    CommunityMeeting,
    Complaint,
    Decision,
    PublicPosting,
    ReviewRound,
)
from hongheo.users.models import Role

D = dt.date(2026, 10, 1)


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _text(response) -> str:
    return response.content.decode()


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(p.extract_text() for p in reader.pages)


def _body(response) -> bytes:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def people(world):
    u = world.users
    return {
        "officer": u[Role.COMMUNE_OFFICER],
        "chairman": u[Role.COMMUNE_CHAIRMAN],
        "surveyor": u[Role.SURVEYOR],
        "village_head": u[Role.VILLAGE_HEAD],
        "province": u[Role.PROVINCE_OFFICER],
    }


@pytest.fixture
def other_officer(world):
    from hongheo.users.services import user_create

    return user_create(
        actor=None,
        username="xa-b",
        password="mat-khau-xa-b-1",
        role="commune_officer",
        areas=[world.commune_b],
    )


@pytest.fixture
def rnd(world, people):
    """A yearly round of commune A: HH-A1 was poor last year, HH-A2 applied (Mẫu 01)."""
    s.status_baseline_set(
        actor=None,
        household=world.hh_a1,
        classification="poor",
        since=dt.date(2025, 12, 20),
        source="DS 2025",
    )
    s.application_receive(
        actor=people["officer"],
        commune=world.commune_a,
        kind="review",
        applicant_name="Lê Thị Đào",
        household=world.hh_a2,
        received_on=D,
    )
    return s.round_open(actor=people["officer"], commune=world.commune_a, kind="yearly", year=2026)


def _entries(review_round):
    return {e.household.code: e for e in review_round.entries.select_related("household")}


def _to_survey(review_round, people):
    e = _entries(review_round)
    s.screening_record(actor=people["surveyor"], entry=e["HH-A2"], excluded=False)
    return s.round_advance(actor=people["officer"], review_round=review_round, action="start_survey")


def _to_meeting(review_round, people):
    review_round = _to_survey(review_round, people)
    e = _entries(review_round)
    s.survey_record(actor=people["surveyor"], entry=e["HH-A1"], facts={"income_per_capita": 2_900_000})
    s.survey_record(actor=people["surveyor"], entry=e["HH-A2"], facts={"income_per_capita": 1_100_000})
    return s.round_advance(actor=people["officer"], review_round=review_round, action="start_meetings")


def _to_posting(review_round, people, world):
    review_round = _to_meeting(review_round, people)
    e = _entries(review_round)
    for village, code in ((world.village_a1, "HH-A1"), (world.village_a2, "HH-A2")):
        s.meeting_record(
            actor=people["officer"],
            review_round=review_round,
            village=village,
            held_on=D,
            attendees=30,
            chair_name="Trưởng thôn",
            secretary_name="Thư ký",
            votes={e[code].pk: 20},
        )
    return s.round_advance(actor=people["officer"], review_round=review_round, action="start_posting")


def _to_decision(review_round, people, world):
    review_round = _to_posting(review_round, people, world)
    s.posting_record(
        actor=people["officer"],
        review_round=review_round,
        posted_from=dt.date(2026, 11, 2),
        places="Nhà văn hóa",
    )
    review_round = s.round_advance(actor=people["officer"], review_round=review_round, action="end_posting")
    return s.round_advance(actor=people["officer"], review_round=review_round, action="submit_for_decision")


# --- board and round page -------------------------------------------------------------------------


def test_board_for_commune_staff_province_redirected(world, people):
    page = _client(people["officer"]).get("/ra-soat/")
    assert page.status_code == 200
    assert "Mở đợt rà soát" in _text(page) and world.commune_a.name in _text(page)
    # the surveyor sees the board but cannot open a round
    page = _client(people["surveyor"]).get("/ra-soat/")
    assert page.status_code == 200 and 'data-testid="open-round"' not in _text(page)
    assert _client(people["province"]).get("/ra-soat/")["Location"] == "/ra-soat/tinh/"
    # a commune the user does not cover is "not found"
    assert _client(people["officer"]).get(f"/ra-soat/?xa={world.commune_b.code}").status_code == 404


def test_open_round_through_the_form(world, people):
    officer = _client(people["officer"])
    url = f"/ra-soat/xa/{world.commune_a.code}/mo-dot/"
    bad = officer.post(url, {"kind": "monthly", "year": 2026, "month": ""})
    assert bad.status_code == 422 and "Rà soát thường xuyên cần tháng (1–12)." in _text(bad)
    assert not ReviewRound.objects.exists()
    assert _client(people["surveyor"]).post(url, {"kind": "yearly", "year": 2026}).status_code == 403
    ok = officer.post(url, {"kind": "yearly", "year": 2026})
    review_round = ReviewRound.objects.get()
    assert ok["Location"] == f"/ra-soat/dot/{review_round.pk}/"
    again = officer.post(
        url, {"kind": "monthly", "year": 2026, "month": 11}
    )  # service refuses: one open round
    assert again.status_code == 422 and "Xã đang có đợt rà soát chưa kết thúc" in _text(again)
    assert ReviewRound.objects.count() == 1


def test_round_page_progress_deadline_and_actions(world, people, rnd, other_officer):
    page = _client(people["officer"]).get(f"/ra-soat/dot/{rnd.pk}/")
    html = _text(page)
    assert page.status_code == 200
    assert 'data-action="start_survey"' in html
    assert "14/12/2026" in html and "Lập danh sách, Phiếu A" in html
    assert "Thôn 1" in html and "Thôn 2" in html  # progress per village
    chairman = _text(_client(people["chairman"]).get(f"/ra-soat/dot/{rnd.pk}/"))
    assert 'data-action="start_survey"' not in chairman  # the table gives the chairman no step here
    assert _client(other_officer).get(f"/ra-soat/dot/{rnd.pk}/").status_code == 404


def test_step_deadline_overdue_and_posting_provenance(world, people, rnd):
    from hongheo.reviews.selectors import step_deadline

    assert not step_deadline(rnd, today=dt.date(2026, 12, 14)).overdue
    late = step_deadline(rnd, today=dt.date(2026, 12, 15))
    assert late.overdue and late.deadline == dt.date(2026, 12, 14)


def test_advance_refused_shows_the_reason_and_changes_nothing(world, people, rnd):
    officer = _client(people["officer"])
    rnd = _to_survey(rnd, people)
    confirm = _text(officer.post(f"/ra-soat/dot/{rnd.pk}/chuyen-buoc/", {"action": "start_meetings"}))
    assert 'data-testid="confirm"' in confirm and "Phiếu B của mọi hộ không còn sửa được" in confirm
    rnd.refresh_from_db()
    assert rnd.state == "survey"  # asking for confirmation changes nothing
    response = officer.post(
        f"/ra-soat/dot/{rnd.pk}/chuyen-buoc/", {"action": "start_meetings", "confirm": "1"}, follow=True
    )
    assert "Còn 2 hộ chưa có Phiếu A/Phiếu B." in _text(response)
    rnd.refresh_from_db()
    assert rnd.state == "survey"
    response = _client(people["surveyor"]).post(
        f"/ra-soat/dot/{rnd.pk}/chuyen-buoc/", {"action": "start_meetings"}
    )
    assert response.status_code == 403


# --- entries, Phiếu A, Phiếu B ---------------------------------------------------------------------


def test_entry_list_search_and_gate(world, people, rnd):
    officer = _client(people["officer"])
    html = _text(officer.get(f"/ra-soat/dot/{rnd.pk}/danh-sach/?q=le thi dao"))
    assert "HH-A2" in html and "HH-A1" not in html
    # the village head of Thôn 1 sees only Thôn 1's households
    html = _text(_client(people["village_head"]).get(f"/ra-soat/dot/{rnd.pk}/danh-sach/"))
    assert "HH-A1" in html and "HH-A2" not in html


def test_screening_form(world, people, rnd):
    entry = _entries(rnd)["HH-A2"]
    url = f"/ra-soat/dot/{rnd.pk}/ho/{entry.pk}/phieu-a/"
    surveyor = _client(people["surveyor"])
    assert surveyor.get(url).status_code == 200
    bad = surveyor.post(url, {"excluded": "1", "reasons": ""})
    assert bad.status_code == 422 and "Phiếu A loại hộ phải ghi tiêu chí loại." in _text(bad)
    entry.refresh_from_db()
    assert entry.screening_excluded is None
    assert surveyor.post(url, {"excluded": "1", "reasons": "Có ô tô"}).status_code == 302
    entry.refresh_from_db()
    assert entry.state == "screened_out" and entry.screening_reasons == ["Có ô tô"]
    assert _client(people["chairman"]).get(url).status_code == 403
    # the village head of Thôn 1 cannot reach a Thôn 2 household
    assert _client(people["village_head"]).get(url).status_code == 404


SURVEY = {
    "housing_quality": "semi_durable",
    "floor_area_m2": "30",
    "water_source": "piped",
    "toilet": "flush_septic",
    "waste_handling": "collected",
    "internet": "1",
    "information_devices": "2",
    "income_wages": "2200000",
    "income_farming": "0",
    "income_business": "0",
    "income_other": "0",
}
MEMBER = {
    "presence": "present",
    "health_insurance": "1",
    "in_school": "0",
    "education_level": "primary",
    "has_qualification": "0",
    "employment": "self_employed",
    "disability": "0",
    "disability_allowance": "0",
    "undernourished": "0",
}


def _survey_post(page_html: str, household, **overrides):
    """The form's own hidden fields (submission id, member identity) plus the answers."""
    import re

    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page_html))
    data.pop("csrfmiddlewaretoken", None)
    data.update(SURVEY)
    for i, _ in enumerate(household.members.filter(is_active=True)):
        data.update({f"member-{i}-{k}": v for k, v in MEMBER.items()})
    data.update(overrides)
    return data


def test_survey_form(world, people, rnd):
    rnd = _to_survey(rnd, people)
    entry = _entries(rnd)["HH-A2"]
    url = f"/ra-soat/dot/{rnd.pk}/ho/{entry.pk}/phieu-b/"
    surveyor = _client(people["surveyor"])
    raw = surveyor.get(url).content.decode()
    page = _text(surveyor.get(url))
    # the browser gets the same messages the server gives, from the one questionnaire
    assert 'data-msg-range="Diện tích nhà ở: phải từ 0,5 đến 10.000 m²."' in page
    assert 'name="member-1-in_school"' in page and "reviews.js" in page
    bad = surveyor.post(url, _survey_post(raw, world.hh_a2, income_wages="-5", floor_area_m2=""))
    html = _text(bad)
    assert bad.status_code == 422
    assert "phải từ 0 đến 1.000.000.000 đồng." in html
    assert "Diện tích nhà ở: bắt buộc nhập." in html
    entry.refresh_from_db()
    world.hh_a2.refresh_from_db()
    assert entry.state == "listed" and world.hh_a2.income_per_capita == 1_450_000
    good = _survey_post(raw, world.hh_a2)
    assert surveyor.post(url, good).status_code == 302
    assert surveyor.post(url, good).status_code == 302  # sent twice: recorded once
    entry.refresh_from_db()
    world.hh_a2.refresh_from_db()
    assert entry.state == "surveyed" and entry.proposed_class in ("poor", "near_poor")
    # the Phiếu B is a dated record; the registry keeps its facts of record until the decision
    assert entry.facts_record.household_facts["income_per_capita"] == 1_100_000
    assert entry.facts_record.household_facts["toilet"] == "flush_septic"
    assert entry.result.income_used == 1_100_000 and entry.result.facts_record == entry.facts_record
    assert world.hh_a2.income_per_capita == 1_450_000
    again = _text(surveyor.get(url))  # the form shows what this Phiếu B recorded
    assert 'name="income_wages" value="2200000"' in again
    from hongheo.fieldwork.models import Submission

    assert Submission.objects.filter(household=world.hh_a2, channel="web").count() == 1
    assert _client(people["chairman"]).get(url).status_code == 403


# --- meeting and minutes ------------------------------------------------------------------------------


def test_meeting_form_and_minutes_pdf(world, people, rnd):
    rnd = _to_meeting(rnd, people)
    e = _entries(rnd)
    head = _client(people["village_head"])
    url = f"/ra-soat/dot/{rnd.pk}/hop-dan/{world.village_a1.code}/"
    page = _text(head.get(url))
    assert "HH-A1" in page and "HH-A2" not in page
    form = {
        "held_on": "2026-10-20",
        "attendees": "30",
        "chair_name": "Nguyễn Trưởng",
        "secretary_name": "Lê Ký",
    }
    bad = head.post(url, {**form, f"agree_{e['HH-A1'].pk}": "31"})
    assert bad.status_code == 422 and "số đồng ý 31 ngoài 0–30" in _text(bad)
    assert not CommunityMeeting.objects.exists()
    assert head.post(url, {**form, f"agree_{e['HH-A1'].pk}": "14"}).status_code == 302
    meeting = CommunityMeeting.objects.get()
    e["HH-A1"].refresh_from_db()
    assert e["HH-A1"].state == "disagreed"  # 14/30 < 50 %: goes back
    assert "Rà soát lại (dưới 50%)" in _text(head.get(url))
    assert meeting.minutes_pdf  # kept as recorded
    pdf = _client(people["chairman"]).get(f"/ra-soat/hop-dan/{meeting.pk}/bien-ban.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(_body(pdf))
    assert "BIÊN BẢN HỌP DÂN" in text and "Nguyễn Văn An" in text and "Nguyễn Trưởng" in text
    # Thôn 2's meeting page is not the Thôn 1 head's; the surveyor does not run meetings
    assert head.get(f"/ra-soat/dot/{rnd.pk}/hop-dan/{world.village_a2.code}/").status_code == 404
    assert _client(people["surveyor"]).get(url).status_code == 403


# --- posting -------------------------------------------------------------------------------------------


def test_posting_form_end_date_note_and_proof(world, people, rnd, other_officer):
    rnd = _to_posting(rnd, people, world)
    officer = _client(people["officer"])
    url = f"/ra-soat/dot/{rnd.pk}/niem-yet/"
    page = _text(officer.get(url))
    assert "3 ngày làm việc" in page and 'data-testid="provenance-mark"' in page
    assert "CHƯA XÁC MINH" not in page and "addendum" not in page
    assert officer.get("/ra-soat/niem-yet/ngay-ket-thuc/?tu=2026-11-20").json()["to_vi"] == "24/11/2026"
    bad = officer.post(url, {"posted_from": "2026-11-20", "places": "   "})
    assert bad.status_code == 422 and "Ghi rõ nơi niêm yết" in _text(bad)
    assert not PublicPosting.objects.exists()
    proof = SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")
    response = officer.post(
        url, {"posted_from": "2026-11-20", "places": "Nhà văn hóa Thôn 1", "proof": proof}
    )
    assert response.status_code == 302
    posting = PublicPosting.objects.get()
    assert posting.posted_to == dt.date(2026, 11, 24) and posting.proof
    download = officer.get(f"/ra-soat/niem-yet/{posting.pk}/minh-chung/")
    assert download.status_code == 200 and _body(download).startswith(b"\x89PNG")
    for close in download._resource_closers:  # the open proof file only (response.close() would
        close()  # also close the database connection, via request_finished)
    assert _client(other_officer).get(f"/ra-soat/niem-yet/{posting.pk}/minh-chung/").status_code == 404
    assert _client(people["surveyor"]).get(url).status_code == 403


# --- complaints ------------------------------------------------------------------------------------------


def test_complaint_receive_and_recheck_changes_the_class(world, people, rnd):
    rnd = _to_posting(rnd, people, world)
    e = _entries(rnd)
    officer = _client(people["officer"])
    url = f"/ra-soat/dot/{rnd.pk}/khieu-nai/"
    bad = officer.post(
        url, {"entry": e["HH-A1"].pk, "complainant": "", "content": "x", "received_on": "2026-11-21"}
    )
    assert bad.status_code == 422 and "Khiếu nại phải có người khiếu nại và nội dung." in _text(bad)
    assert not Complaint.objects.exists()
    officer.post(
        url,
        {
            "entry": e["HH-A1"].pk,
            "complainant": "Hàng xóm",
            "content": "Hộ còn khó khăn",
            "received_on": "2026-11-21",
        },
    )
    complaint = Complaint.objects.get()
    resolve = f"/ra-soat/khieu-nai/{complaint.pk}/phuc-tra/"
    p = f"c{complaint.pk}-"
    bad = officer.post(
        resolve, {p + "recheck_note": "", p + "new_class": "near_poor", p + "on": "2026-11-22"}
    )
    assert bad.status_code == 422 and "Ghi kết quả phúc tra." in _text(bad)
    complaint.refresh_from_db()
    assert complaint.status == "open"
    ok = officer.post(
        resolve, {p + "recheck_note": "Xác minh lại", p + "new_class": "near_poor", p + "on": "2026-11-22"}
    )
    assert ok.status_code == 302
    e["HH-A1"].refresh_from_db()
    assert e["HH-A1"].final_class == "near_poor"
    assert "Đã giải quyết" in _text(officer.get(url))
    assert _client(people["chairman"]).get(url).status_code == 403


# --- applications and the written refusal -------------------------------------------------------


def test_applications_receive_and_chairman_refusal(world, people):
    officer = _client(people["officer"])
    url = f"/ra-soat/giay-de-nghi/?xa={world.commune_a.code}"
    bad = officer.post(
        url,
        {
            "xa": world.commune_a.code,
            "kind": "exit",
            "channel": "direct",
            "applicant_name": "Nguyễn Văn An",
            "household_code": "HH-A1",
            "received_on": "2026-11-15",
        },
    )
    assert bad.status_code == 422 and "Chỉ hộ nghèo, hộ cận nghèo mới đề nghị" in _text(bad)
    assert not Application.objects.exists()
    out_of_area = officer.post(
        url,
        {
            "xa": world.commune_a.code,
            "kind": "review",
            "channel": "direct",
            "applicant_name": "X",
            "household_code": "HH-C",
            "received_on": "2026-11-15",
        },
    )
    assert "Không tìm thấy hộ có mã này" in _text(out_of_area)
    ok = officer.post(
        url,
        {
            "xa": world.commune_a.code,
            "kind": "review",
            "channel": "post",
            "applicant_name": "Nguyễn Văn An",
            "household_code": "HH-A1",
            "received_on": "2026-11-15",
            "reason": "Ốm đau",
        },
    )
    assert ok.status_code == 302
    application = Application.objects.get()
    chairman = _client(people["chairman"])
    assert 'data-testid="refuse-form"' in _text(chairman.get(url))
    refuse = f"/ra-soat/giay-de-nghi/{application.pk}/tu-choi/"
    assert officer.post(refuse, {"reason": "x", "on": "2026-11-20"}).status_code == 403
    page = chairman.post(refuse, {"reason": "", "on": "2026-11-20"}, follow=True)
    assert "Văn bản từ chối phải nêu lý do." in _text(page)
    application.refresh_from_db()
    assert application.status == "received"
    chairman.post(refuse, {"reason": "Thu nhập vượt chuẩn cận nghèo", "on": "2026-11-20"})
    application.refresh_from_db()
    assert application.status == "refused"
    pdf = chairman.get(f"/ra-soat/giay-de-nghi/{application.pk}/van-ban-tra-loi.pdf")
    assert "Thu nhập vượt chuẩn cận nghèo" in _pdf_text(_body(pdf))
    assert _client(people["surveyor"]).get(url).status_code == 403


# --- decision, PDFs, certificates, verification -------------------------------------------------


def test_decision_page_sign_print_and_verify(world, people, rnd, other_officer):
    rnd = _to_decision(rnd, people, world)
    url = f"/ra-soat/dot/{rnd.pk}/quyet-dinh/"
    assert _client(people["surveyor"]).get(url).status_code == 403
    assert _client(other_officer).get(url).status_code == 404
    officer_page = _text(_client(people["officer"]).get(url))
    assert 'data-testid="sign-form"' not in officer_page
    chairman = _client(people["chairman"])
    html = _text(chairman.get(url))
    # what changed since last year comes first, then the full lists
    assert html.index("Thay đổi so với năm trước") < html.index("Danh sách đầy đủ")
    assert "Thoát nghèo" in html and "Hộ nghèo mới (phát sinh)" in html
    assert 'data-testid="sign-form"' in html
    bad = chairman.post(url, {"number": "", "signed_on": "2026-11-20"})
    assert bad.status_code == 422 and "Thiếu số quyết định." in _text(bad)
    rnd.refresh_from_db()
    assert rnd.state == "decision" and not Decision.objects.exists()
    assert _client(people["officer"]).post(url, {"number": "1", "signed_on": "2026-11-20"}).status_code == 403
    unconfirmed = chairman.post(url, {"number": "12/QĐ-UBND", "signed_on": "2026-11-20"})
    assert unconfirmed.status_code == 422 and "ký quyết định không thể hoàn tác" in _text(unconfirmed)
    ok = chairman.post(url, {"number": "12/QĐ-UBND", "signed_on": "2026-11-20", "confirm": "on"})
    assert ok.status_code == 302
    rnd.refresh_from_db()
    decision = Decision.objects.get()
    assert rnd.state == "closed"
    page = _text(chairman.get(url))
    assert 'data-testid="decision-done"' in page and "0001/GCN-HN.HCN" in page

    response = chairman.get(f"/ra-soat/quyet-dinh/{decision.pk}/mau-02.pdf")
    text = _pdf_text(_body(response))
    assert "12/QĐ-UBND" in text and "DANH SÁCH HỘ THOÁT NGHÈO" in text and "Nguyễn Văn An" in text
    # the standard is cited by its legal instrument, never by its internal code (issue 7 §5)
    assert "Nghị định số" in text and "vn-20" not in text and people["chairman"].username not in text
    decision.refresh_from_db()
    assert decision.pdf  # kept as first printed

    certificate = Certificate.objects.get()
    assert certificate.household == world.hh_a2
    one = chairman.get(f"/ra-soat/giay-chung-nhan/{certificate.pk}.pdf")
    reader = pypdf.PdfReader(io.BytesIO(_body(one)))
    first = reader.pages[0].extract_text()
    assert "Lê Thị Đào" in first and "0001/GCN-HN.HCN" in first and "GIẤY CHỨNG NHẬN" in first
    every = chairman.get(f"/ra-soat/quyet-dinh/{decision.pk}/giay-chung-nhan.pdf")
    assert len(pypdf.PdfReader(io.BytesIO(_body(every))).pages) == 1
    assert _client(other_officer).get(f"/ra-soat/giay-chung-nhan/{certificate.pk}.pdf").status_code == 404
    assert (
        _client(people["surveyor"]).get(f"/ra-soat/giay-chung-nhan/{certificate.pk}.pdf").status_code == 403
    )

    # the QR code's page is public and shows no personal data beyond the head's initials
    verify = Client().get(f"/xac-minh/{certificate.token}/")
    html = _text(verify)
    assert verify.status_code == 200
    assert "0001/GCN-HN.HCN" in html and world.commune_a.name in html and "2027" in html
    expected = {"poor": "Hộ nghèo", "near_poor": "Hộ cận nghèo"}[certificate.classification]
    assert expected in html
    assert "L. T. Đ." in html and "Lê Thị Đào" not in html
    head = world.hh_a2.members.get(relation_to_head="head")
    assert head.personal_id not in html and world.hh_a2.code not in html
    assert "Còn hiệu lực" in html
    assert Client().get("/xac-minh/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_qr_code_encodes_the_verification_address(world, people, rnd):
    from hongheo.reviews.documents import qr_svg_data_uri

    uri = qr_svg_data_uri("http://testserver/xac-minh/abc/")
    assert uri.startswith("data:image/svg+xml")


# --- province ----------------------------------------------------------------------------------------


def test_province_page(world, people, rnd):
    page = _client(people["province"]).get("/ra-soat/tinh/?loc=co-dot")
    html = _text(page)
    assert page.status_code == 200
    assert world.commune_a.name in html and "Lập danh sách, Phiếu A" in html
    assert world.commune_b.name not in html  # filtered to communes with a round
    all_communes = _text(_client(people["province"]).get("/ra-soat/tinh/"))
    assert world.commune_b.name in all_communes and "Chưa có" in all_communes
    assert world.commune_c.name not in all_communes  # Hà Nội is not this province
    assert _client(people["officer"]).get("/ra-soat/tinh/").status_code == 403


def test_province_page_names_the_province_of_a_duplicate_commune_name(world, people):
    """A commune whose name also occurs in another province shows its province; a unique one not."""
    world.commune_b.name = world.commune_c.name  # now the same name in Huế and in Hà Nội
    world.commune_b.save(update_fields=["name"])
    html = _text(_client(people["province"]).get("/ra-soat/tinh/"))
    assert f"{world.commune_c.name} ({world.commune_b.parent.name})" in html
    assert f"{world.commune_a.name} (" not in html
