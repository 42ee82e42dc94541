"""Issue 7 §5 with the database: an unknown personal-ID prefix is a warning an officer accepts
(services, member form, import); water/sanitation codes through the forms; the signer's profile
and the legal instrument on Mẫu 02."""

from __future__ import annotations

import datetime as dt
import types

import pytest
from django.template.loader import render_to_string
from django.test import Client

from hongheo.core.errors import PermissionDenied, ValidationError
from hongheo.core.models import AuditEvent
from hongheo.registry import services as registry
from hongheo.registry.validation import UNKNOWN_ID_PREFIX
from hongheo.reviews.documents import signer_block
from hongheo.standards.rules.catalog import get_standard
from hongheo.users.models import Role
from hongheo.users.services import user_profile_update

ABROAD = "999090123456"  # prefix 999: in neither list (a country code, say); male born 1990


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _input(**over):
    data = {
        "full_name": "Trần Văn Kiều",
        "date_of_birth": dt.date(1990, 3, 4),
        "sex": "male",
        "relation_to_head": "other",
        "personal_id": ABROAD,
        "facts": {"ethnicity": "Kinh"},
    }
    data.update(over)
    return registry.MemberInput(**data)


def test_unknown_prefix_is_a_warning_until_an_officer_accepts_it(world):
    officer = world.users[Role.COMMUNE_OFFICER]
    hh = world.hh_a1
    before = hh.members.count()
    with pytest.raises(ValidationError) as err:
        registry.member_add(actor=officer, household=hh, data=_input())
    assert UNKNOWN_ID_PREFIX in str(err.value) and "“999”" in str(err.value)
    assert hh.members.count() == before  # nothing written
    member = registry.member_add(actor=officer, household=hh, data=_input(accept_unknown_id_prefix=True))
    assert member.personal_id == ABROAD
    event = AuditEvent.objects.filter(action="registry.member_add", object_id=str(member.pk)).get()
    assert event.after["personal_id_prefix_accepted"] == "999"
    # later edits of other facts do not ask again; a new unknown number does
    registry.member_update(actor=officer, member=member, changes={"full_name": "Trần Văn Kiệt"})
    with pytest.raises(ValidationError, match=UNKNOWN_ID_PREFIX):
        registry.member_update(actor=officer, member=member, changes={"personal_id": "998090123456"})
    member.refresh_from_db()
    assert member.personal_id == ABROAD and member.full_name == "Trần Văn Kiệt"
    # the other checks still hold for an accepted prefix
    with pytest.raises(ValidationError, match="năm sinh"):
        registry.member_add(
            actor=officer,
            household=hh,
            data=_input(personal_id="997091123456", accept_unknown_id_prefix=True),
        )


def _post(**over):
    data = {
        "full_name": "Trần Văn Kiều",
        "personal_id": ABROAD,
        "date_of_birth": "1990-03-04",
        "sex": "male",
        "relation_to_head": "other",
        "status": "",
        "ethnicity": "Kinh",
        "health_insurance": "",
        "in_school": "",
        "education_level": "",
        "has_qualification": "",
        "employment": "",
    }
    data.update(over)
    return data


def test_member_form_shows_the_warning_and_lets_the_officer_accept(world):
    client = _client(world.users[Role.COMMUNE_OFFICER])
    hh = world.hh_a1
    url = f"/ho/{hh.pk}/thanh-vien/them/"
    assert 'name="accept_id_prefix"' not in client.get(url).content.decode()
    first = client.post(url, _post())
    page = first.content.decode()
    assert first.status_code == 422 and UNKNOWN_ID_PREFIX in page and 'name="accept_id_prefix"' in page
    assert not hh.members.filter(personal_id=ABROAD).exists()
    check = client.post(f"/ho/{hh.pk}/thanh-vien/kiem-tra/", _post()).json()["errors"]
    assert UNKNOWN_ID_PREFIX in check["personal_id"]
    assert client.post(f"/ho/{hh.pk}/thanh-vien/kiem-tra/", _post(accept_id_prefix="on")).json() == {
        "errors": {}
    }
    second = client.post(url, _post(accept_id_prefix="on"))
    assert second.status_code == 302
    assert hh.members.filter(personal_id=ABROAD).exists()
    # a known province prefix never shows the box
    known = client.post(url, _post(personal_id="046090123456", full_name="Lê Văn Tâm"))
    assert known.status_code == 302


def test_household_form_offers_the_new_codes(world):
    page = _client(world.users[Role.COMMUNE_OFFICER]).get(f"/ho/{world.hh_a1.pk}/sua/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="protected_spring"' in html and 'value="pour_flush"' in html


def test_profile_page_sets_the_name_and_position_printed_on_documents(world):
    chairman = world.users[Role.COMMUNE_CHAIRMAN]
    client = _client(chairman)
    assert client.get("/tai-khoan/ho-so/").status_code == 200
    bad = client.post("/tai-khoan/ho-so/", {"full_name": "   ", "position": "Chủ tịch"})
    assert bad.status_code == 400
    chairman.refresh_from_db()
    assert chairman.full_name == "" and chairman.position == ""
    digits = client.post("/tai-khoan/ho-so/", {"full_name": "Nguyễn Văn 2", "position": ""})
    assert digits.status_code == 400 and "chữ số" in digits.content.decode()
    ok = client.post(
        "/tai-khoan/ho-so/",
        {"full_name": "Nguyễn  Văn Thành", "position": "Chủ tịch Ủy ban nhân dân xã Phong Điền"},
    )
    assert ok.status_code == 302
    chairman.refresh_from_db()
    assert chairman.full_name == "Nguyễn Văn Thành"
    assert AuditEvent.objects.filter(action="users.profile_update", object_id=str(chairman.pk)).exists()
    with pytest.raises(PermissionDenied):
        user_profile_update(
            actor=world.users[Role.COMMUNE_OFFICER], user=chairman, full_name="Ai Đó", position=""
        )


def _decision_html(standard_code: str, signer) -> str:
    from hongheo.reviews.documents import _instrument

    instrument = _instrument(standard_code)
    commune = types.SimpleNamespace(name="Xã Phong Điền", parent=types.SimpleNamespace(name="Thành phố Huế"))
    rnd = types.SimpleNamespace(
        kind="yearly", year=2026, month=None, commune=commune, standard_code=standard_code
    )
    return render_to_string(
        "reviews/pdf/decision.html",
        {
            "decision": types.SimpleNamespace(number="12/QĐ-UBND"),
            "round": rnd,
            "commune": commune,
            "province": commune.parent,
            "signed_on": "ngày 20 tháng 12 năm 2026",
            "annexes": [],
            "counts": {"poor": 0, "near_poor": 0, "escaped_poverty": 0, "escaped_near_poverty": 0},
            "status_year": 2027,
            "instrument": instrument,
            "instrument_by_government": instrument.startswith("Nghị định"),
            "signer": signer_block(signer),
        },
    )


def test_mau_02_cites_the_instrument_and_prints_the_signer_from_the_profile(world):
    chairman = world.users[Role.COMMUNE_CHAIRMAN]
    chairman.full_name, chairman.position = "Nguyễn Văn Thành", "Chủ tịch Ủy ban nhân dân xã Phong Điền"
    html = _decision_html("vn-2022-2025", chairman)
    assert "Căn cứ Nghị định số 07/2021/NĐ-CP ngày 27/01/2021 của Chính phủ" in html
    assert "vn-2022-2025" not in html and "vn-20" not in html
    assert "<b data-signer-title>CHỦ TỊCH</b>" in html and "<b data-signer-name>Nguyễn Văn Thành</b>" in html
    assert chairman.username not in html
    later = _decision_html("vn-2026-2030", chairman)
    assert "Nghị định số 351/2025/NĐ-CP ngày 30/12/2025" in later and "vn-2026-2030" not in later
    # a vice-chairman signs on behalf; a profile without a name leaves the line to be written by hand
    vice = types.SimpleNamespace(full_name="Lê Thị Hà", position="Phó Chủ tịch UBND xã", username="pct")
    assert signer_block(vice) == {
        "name": "Lê Thị Hà",
        "title": "PHÓ CHỦ TỊCH",
        "on_behalf": "KT. CHỦ TỊCH",
        "position": "Phó Chủ tịch UBND xã",
    }
    blank = _decision_html(
        "vn-2022-2025", types.SimpleNamespace(full_name="", position="", username="chutich")
    )
    assert "<b data-signer-name></b>" in blank and "chutich" not in blank
    assert get_standard("vn-2022-2025").code not in blank
