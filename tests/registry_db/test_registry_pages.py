"""Household pages: sections render, forms save through the services, check-as-you-type endpoints,
the access gate and the writer rule; the code lists carry provenance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from hongheo.core.models import AuditEvent
from hongheo.registry import code_lists
from hongheo.registry import services as s
from hongheo.registry.models import Household, HouseholdEvent, Member
from hongheo.users.models import Role
from hongheo.users.services import user_create


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def officer_client(world):
    return client_for(world.users[Role.COMMUNE_OFFICER])


def child(hh: Household) -> Member:
    return hh.members.get(is_active=True, relation_to_head="child")


def head(hh: Household) -> Member:
    return hh.members.get(is_active=True, relation_to_head="head")


# --- code lists ----------------------------------------------------------------------------------


def test_every_code_list_carries_provenance():
    for name in code_lists.list_names():
        prov = code_lists.provenance(name)
        assert prov["status"] in code_lists.PROVENANCE_STATUSES, name
        assert prov["source"].strip(), name
        assert code_lists.codes(name), name


def test_unofficial_lists_say_so():
    for name in ("poverty_cause", "support_need", "household_group"):
        prov = code_lists.provenance(name)
        assert prov["status"] == "third-party"
        assert "UNVERIFIED" in prov["note"]
    assert code_lists.provenance("member_status")["status"] == "verified"
    assert "UNVERIFIED" in code_lists.code_lists()["about"]


def test_model_choices_agree_with_code_lists():
    assert list(Member.Relation.values) == list(code_lists.codes("relation_to_head"))
    assert list(Member.Sex.values) == list(code_lists.codes("sex"))
    assert list(Member.LeftReason.values) == list(code_lists.codes("left_reason"))
    assert list(HouseholdEvent.Kind.values) == list(code_lists.codes("household_event"))


def test_old_codes_module_still_works():
    from hongheo.registry.codes import HOUSING_QUALITY, label

    assert HOUSING_QUALITY["durable"] == "Nhà kiên cố"
    assert label("toilet", "none") == "Không có nhà tiêu"
    assert label("poverty_cause", "lack_land") == "Thiếu đất sản xuất"
    assert label("toilet", "") == "—"


def test_code_lists_endpoint(officer_client):
    body = officer_client.get("/ho/danh-muc.json").json()
    assert body["lists"]["poverty_cause"]["provenance"]["status"] == "third-party"
    assert {"code": "credit", "label_vi": "Vay vốn ưu đãi"} in body["lists"]["support_need"]["items"]


# --- household page ------------------------------------------------------------------------------


def test_household_page_shows_new_sections(world, officer_client):
    officer = world.users[Role.COMMUNE_OFFICER]
    hh = world.hh_a1
    s.household_update_groups_causes_needs(
        actor=officer,
        household=hh,
        groups={"merit": True},
        poverty_causes=["lack_land"],
        support_needs=["credit"],
    )
    s.support_received_add(actor=officer, household=hh, kind="electricity", year=2025, amount_vnd=600_000)
    s.member_record_move_away(
        actor=officer, member=child(hh), date=dt.date(2026, 1, 5), destination="Đà Nẵng"
    )
    html = officer_client.get(f"/ho/{hh.pk}/").content.decode()
    for text in (
        "Người có công",
        "Thiếu đất sản xuất",
        "Vay vốn ưu đãi",
        "Hỗ trợ tiền điện",
        "600.000",
        "Thành viên đã rời hộ",
        "Chuyển đi nơi khác",
        "Lịch sử biến động của hộ",
        "Đà Nẵng",
        'data-testid="household-actions"',
    ):
        assert text in html, text
    assert "<script>" not in html and "style=" not in html  # strict CSP: no inline code or style


def test_readers_see_no_write_actions(world):
    html = client_for(world.users[Role.COMMUNE_CHAIRMAN]).get(f"/ho/{world.hh_a1.pk}/").content.decode()
    assert 'data-testid="household-actions"' not in html
    assert "Lịch sử biến động" in html


# --- household edit form -------------------------------------------------------------------------


def _facts_post(**over):
    data = {
        "housing_quality": "semi_durable",
        "wall_material": "durable",
        "roof_material": "non_durable",
        "pillar_material": "durable",
        "floor_area_m2": "36.5",
        "water_source": "piped",
        "toilet": "flush_septic",
        "waste_handling": "collected",
        "internet": "1",
        "information_devices": "2",
        "income_per_capita": "1400000",
        "income_sources": ["crops", "livestock"],
        "phone": "0905 123 456",
        "ethnic_minority": "on",
        "no_working_capacity": "on",
        "poverty_causes": ["lack_capital", "illness_accident"],
        "support_needs": ["health", "credit"],
    }
    data.update(over)
    return data


def test_household_edit_form_saves(world, officer_client):
    hh = world.hh_a1
    assert officer_client.get(f"/ho/{hh.pk}/sua/").status_code == 200
    response = officer_client.post(f"/ho/{hh.pk}/sua/", _facts_post())
    assert response.status_code == 302
    hh.refresh_from_db()
    assert hh.floor_area_m2 == 36.5 and hh.internet is True and hh.information_devices == 2
    assert hh.income_sources == ["crops", "livestock"] and hh.phone == "0905123456"
    assert hh.ethnic_minority and hh.no_working_capacity and not hh.merit
    assert hh.poverty_causes == ["lack_capital", "illness_accident"] and hh.support_needs == [
        "health",
        "credit",
    ]
    kinds = set(HouseholdEvent.objects.filter(household=hh).values_list("kind", flat=True))
    assert {"facts_changed", "groups_changed"} <= kinds


def test_household_edit_form_bad_input_saves_nothing(world, officer_client):
    hh = world.hh_a1
    before = AuditEvent.objects.filter(kind="write").count()
    response = officer_client.post(f"/ho/{hh.pk}/sua/", _facts_post(phone="12", floor_area_m2="-4"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Số điện thoại" in html and "Diện tích" in html
    assert AuditEvent.objects.filter(kind="write").count() == before
    hh.refresh_from_db()
    assert hh.phone == "" and hh.poverty_causes == []


def test_household_check_endpoint(world, officer_client):
    hh = world.hh_a1
    ok = officer_client.post(f"/ho/{hh.pk}/kiem-tra/", _facts_post()).json()
    assert ok == {"errors": {}}
    bad = officer_client.post(
        f"/ho/{hh.pk}/kiem-tra/", _facts_post(phone="abc", toilet="golden", poverty_causes=["laziness"])
    ).json()["errors"]
    assert set(bad) == {"phone", "toilet", "poverty_causes"}
    hh.refresh_from_db()
    assert hh.phone == ""  # nothing written


def test_form_pages_load_the_script_not_inline(world, officer_client):
    html = officer_client.get(f"/ho/{world.hh_a1.pk}/sua/").content.decode()
    assert "web/household_form.js" in html and "data-check-url" in html
    assert "<script>" not in html


# --- members -------------------------------------------------------------------------------------


def _member_post(**over):
    data = {
        "full_name": "Nguyễn Thị Hoa",
        "personal_id": "046315000123",
        "date_of_birth": "2015-06-01",
        "sex": "female",
        "relation_to_head": "child",
        "status": "in_school",
        "ethnicity": "Kinh",
        "health_insurance": "1",
        "in_school": "1",
        "education_level": "primary",
        "has_qualification": "",
        "employment": "",
    }
    data.update(over)
    return data


def test_member_add_form(world, officer_client):
    hh = world.hh_a1
    assert officer_client.get(f"/ho/{hh.pk}/thanh-vien/them/").status_code == 200
    response = officer_client.post(f"/ho/{hh.pk}/thanh-vien/them/", _member_post())
    assert response.status_code == 302
    m = hh.members.get(personal_id="046315000123")
    assert m.status == "in_school" and m.health_insurance is True and m.has_qualification is None


def test_member_add_form_rejects_a_wrong_id(world, officer_client):
    hh = world.hh_a1
    response = officer_client.post(f"/ho/{hh.pk}/thanh-vien/them/", _member_post(personal_id="046215000123"))
    assert response.status_code == 422
    assert "không khớp với giới tính" in response.content.decode()
    assert not hh.members.filter(full_name="Nguyễn Thị Hoa").exists()


def test_member_check_endpoint(world, officer_client):
    hh = world.hh_a1
    url = f"/ho/{hh.pk}/thanh-vien/kiem-tra/"
    assert officer_client.post(url, _member_post()).json() == {"errors": {}}
    errors = officer_client.post(url, _member_post(personal_id="04631500012")).json()["errors"]
    assert "12 chữ số" in errors["personal_id"]
    errors = officer_client.post(url, _member_post(date_of_birth="1990-01-01")).json()["errors"]
    assert "năm sinh" in errors["personal_id"]
    taken = head(world.hh_b)
    errors = officer_client.post(
        url,
        _member_post(
            personal_id=taken.personal_id, date_of_birth=taken.date_of_birth.isoformat(), sex=taken.sex
        ),
    ).json()["errors"]
    # another commune's member: only "registered elsewhere" (issue 8, no personal-ID oracle)
    assert errors["personal_id"] == "Số định danh đã được đăng ký ở nơi khác — liên hệ cấp tỉnh."
    errors = officer_client.post(url, _member_post(relation_to_head="head")).json()["errors"]
    assert "chủ hộ" in errors["relation_to_head"]
    # editing: one's own number is not a duplicate
    me = child(hh)
    own = _member_post(
        member=str(me.pk), personal_id=me.personal_id, date_of_birth=me.date_of_birth.isoformat(), sex=me.sex
    )
    assert officer_client.post(url, own).json() == {"errors": {}}


def test_member_edit_form(world, officer_client):
    hh = world.hh_a1
    me = child(hh)
    assert officer_client.get(f"/ho/{hh.pk}/thanh-vien/{me.pk}/sua/").status_code == 200
    post = _member_post(
        full_name="Trần Thị Bích Ngọc", personal_id=me.personal_id, date_of_birth=me.date_of_birth.isoformat()
    )
    assert officer_client.post(f"/ho/{hh.pk}/thanh-vien/{me.pk}/sua/", post).status_code == 302
    me.refresh_from_db()
    assert me.full_name == "Trần Thị Bích Ngọc" and me.status == "in_school"


def test_member_move_form(world, officer_client):
    hh, target = world.hh_a1, world.hh_a2
    me = child(hh)
    url = f"/ho/{hh.pk}/thanh-vien/{me.pk}/chuyen-ho/"
    assert officer_client.get(url).status_code == 200
    assert officer_client.post(url, {"to_code": "HH-B", "relation_to_head": "other"}).status_code == 422
    response = officer_client.post(
        url, {"to_code": "HH-A2", "relation_to_head": "grandchild", "date": "2026-02-01"}
    )
    assert response.status_code == 302
    assert target.members.get(is_active=True, previous=me).relation_to_head == "grandchild"


def test_member_move_form_head_needs_new_head(world, officer_client):
    hh = world.hh_a1
    me = head(hh)
    url = f"/ho/{hh.pk}/thanh-vien/{me.pk}/chuyen-ho/"
    response = officer_client.post(url, {"to_code": "HH-A2", "relation_to_head": "other"})
    assert response.status_code == 422 and "chủ hộ mới" in response.content.decode()
    response = officer_client.post(
        url, {"to_code": "HH-A2", "relation_to_head": "other", "new_head": str(child(hh).pk)}
    )
    assert response.status_code == 302
    assert head(hh).full_name == "Trần Thị Bích"


@pytest.mark.parametrize(("kind", "reason"), [("chet", "died"), ("chuyen-di", "moved_away")])
def test_member_leave_forms(world, officer_client, kind, reason):
    hh = world.hh_a1
    me = child(hh)
    url = f"/ho/{hh.pk}/thanh-vien/{me.pk}/{kind}/"
    assert officer_client.get(url).status_code == 200
    assert officer_client.post(url, {"date": "2026-01-10", "destination": "Huế"}).status_code == 302
    me.refresh_from_db()
    assert me.left_reason == reason


def test_change_head_form(world, officer_client):
    hh = world.hh_a1
    new = child(hh)
    url = f"/ho/{hh.pk}/doi-chu-ho/"
    assert officer_client.get(url).status_code == 200
    assert (
        officer_client.post(url, {"new_head": str(new.pk), "old_head_relation": "parent"}).status_code == 302
    )
    assert head(hh).pk == new.pk


def test_split_form(world, officer_client):
    hh = world.hh_a1
    me = child(hh)
    url = f"/ho/{hh.pk}/tach-ho/"
    assert officer_client.get(url).status_code == 200
    response = officer_client.post(url, {"members": [str(me.pk)]})
    assert response.status_code == 422 and "chủ hộ của hộ mới" in response.content.decode()
    response = officer_client.post(
        url, {"members": [str(me.pk)], "new_head": str(me.pk), "new_code": "HH-A1-T", "date": "2026-02-02"}
    )
    assert response.status_code == 302
    new = Household.objects.get(code="HH-A1-T")
    assert new.split_from == hh and head(new).full_name == me.full_name
    assert response["Location"] == f"/ho/{new.pk}/"
    html = officer_client.get(f"/ho/{new.pk}/").content.decode()
    assert "Tách từ hộ" in html and "HH-A1" in html


def test_merge_form(world, officer_client):
    source = world.hh_a2
    url = f"/ho/{source.pk}/nhap-ho/"
    assert officer_client.get(url).status_code == 200
    assert officer_client.post(url, {"target_code": "HH-B"}).status_code == 422  # not in the officer's area
    src_head = head(source)
    response = officer_client.post(url, {"target_code": "HH-A1", f"relation_{src_head.pk}": "child_in_law"})
    assert response.status_code == 302
    source.refresh_from_db()
    assert not source.is_active and source.merged_into == world.hh_a1
    html = officer_client.get(f"/ho/{source.pk}/").content.decode()
    assert "đã nhập vào hộ" in html and 'data-testid="household-actions"' not in html


def test_support_form(world, officer_client):
    hh = world.hh_a1
    url = f"/ho/{hh.pk}/ho-tro/them/"
    assert officer_client.get(url).status_code == 200
    assert (
        officer_client.post(url, {"kind": "tuition", "year": "2025", "member": str(child(hh).pk)}).status_code
        == 302
    )
    assert hh.support_received.get().kind == "tuition"
    assert officer_client.post(url, {"kind": "tuition", "year": "1700"}).status_code == 422


# --- access --------------------------------------------------------------------------------------


WRITE_URLS = [
    "/ho/{pk}/sua/",
    "/ho/{pk}/thanh-vien/them/",
    "/ho/{pk}/tach-ho/",
    "/ho/{pk}/nhap-ho/",
    "/ho/{pk}/doi-chu-ho/",
    "/ho/{pk}/ho-tro/them/",
]


@pytest.mark.parametrize("url", WRITE_URLS)
def test_write_pages_gate(world, url):
    surveyor_b = user_create(
        actor=None,
        username="rasoat_b",
        password="mat-khau-thu-nghiem",
        role=Role.SURVEYOR,
        areas=[world.commune_b],
    )
    target = url.format(pk=world.hh_a1.pk)
    # another commune's surveyor: not found (looks the same as a missing household)
    assert client_for(surveyor_b).get(target).status_code == 404
    # a reader in the area: forbidden
    assert client_for(world.users[Role.COMMUNE_CHAIRMAN]).get(target).status_code == 403
    # writers of the area
    assert client_for(world.users[Role.SURVEYOR]).get(target).status_code == 200
    assert (
        client_for(world.users[Role.VILLAGE_HEAD]).get(target).status_code == 200
    )  # HH-A1 is in their village
    assert client_for(world.users[Role.VILLAGE_HEAD]).get(url.format(pk=world.hh_a2.pk)).status_code == 404


def test_post_by_other_commune_writes_nothing(world):
    surveyor_b = user_create(
        actor=None,
        username="rasoat_b",
        password="mat-khau-thu-nghiem",
        role=Role.SURVEYOR,
        areas=[world.commune_b],
    )
    before = AuditEvent.objects.filter(kind="write").count()
    response = client_for(surveyor_b).post(f"/ho/{world.hh_a1.pk}/sua/", _facts_post())
    assert response.status_code == 404
    assert client_for(surveyor_b).post(f"/ho/{world.hh_a1.pk}/kiem-tra/", _facts_post()).status_code == 404
    assert AuditEvent.objects.filter(kind="write").count() == before


def test_login_required(world):
    assert Client().get(f"/ho/{world.hh_a1.pk}/sua/").status_code == 302


def test_household_page_prints_the_village_once(world, officer_client):
    """The address line names the village once: appended only when the address does not carry it."""
    hh = world.hh_a1
    hh.address = f"{hh.village.name}, {world.commune_a.name}"
    hh.save(update_fields=["address"])
    html = officer_client.get(f"/ho/{hh.pk}/").content.decode()
    line = html.split('data-testid="household-address">', 1)[1].split("</span>", 1)[0]
    assert line.count(hh.village.name) == 1, line
    hh.address = "Số 5 đường Lê Lợi"
    hh.save(update_fields=["address"])
    html = officer_client.get(f"/ho/{hh.pk}/").content.decode()
    line = html.split('data-testid="household-address">', 1)[1].split("</span>", 1)[0]
    assert line == f"Số 5 đường Lê Lợi · {hh.village.name}", line
