"""Issue 8, item 4: an ID number held outside the user's area is never described (not where, not
"alive" or "dead"); every look-up is logged, and the live check is rate-limited per user."""

from __future__ import annotations

from django.test import Client

from hongheo.core.models import AuditEvent
from hongheo.registry.models import Member
from hongheo.registry.selectors import ELSEWHERE_MESSAGE
from hongheo.users.models import Role


def _post(member: Member, **over):
    data = {
        "full_name": "Nguyễn Thị Hoa",
        "personal_id": member.personal_id,
        "date_of_birth": member.date_of_birth.isoformat(),
        "sex": member.sex,
        "relation_to_head": "child",
        "status": "in_school",
        "ethnicity": "Kinh",
    }
    return data | over


def _client(world, role=Role.COMMUNE_OFFICER):
    client = Client()
    client.force_login(world.users[role])
    return client


def test_live_check_says_only_elsewhere_for_out_of_area_numbers(world):
    client = _client(world)
    url = f"/ho/{world.hh_a1.pk}/thanh-vien/kiem-tra/"
    living = world.hh_c.members.get(relation_to_head="head")
    dead = world.hh_b.members.get(relation_to_head="child")
    Member.objects.filter(pk=dead.pk).update(is_active=False, left_reason=Member.LeftReason.DIED)
    for member in (living, dead):
        errors = client.post(url, _post(member)).json()["errors"]
        assert errors["personal_id"] == ELSEWHERE_MESSAGE
    # inside the user's own area the officer gets the useful detail
    own = world.hh_a2.members.get(relation_to_head="head")
    assert "đã có trong sổ hộ" in client.post(url, _post(own)).json()["errors"]["personal_id"]
    checks = AuditEvent.objects.filter(
        action="registry.personal_id_check", actor=world.users[Role.COMMUNE_OFFICER]
    )
    assert set(checks.values_list("personal_id", flat=True)) >= {living.personal_id, dead.personal_id}


def test_saving_an_out_of_area_number_says_only_elsewhere_and_is_logged(world):
    client = _client(world)
    living = world.hh_c.members.get(relation_to_head="head")
    response = client.post(f"/ho/{world.hh_a1.pk}/thanh-vien/them/", _post(living))
    assert response.status_code == 422
    body = response.content.decode()
    assert "nơi khác" in body and "HH-C" not in body and world.hh_c.commune.name not in body
    assert AuditEvent.objects.filter(
        action="registry.personal_id_check", personal_id=living.personal_id
    ).exists()


def test_live_check_is_rate_limited_per_user(world, settings):
    settings.PERSONAL_ID_CHECKS_PER_MINUTE = 5
    client = _client(world)
    url = f"/ho/{world.hh_a1.pk}/thanh-vien/kiem-tra/"
    living = world.hh_c.members.get(relation_to_head="head")
    codes = [client.post(url, _post(living)).status_code for _ in range(7)]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    assert AuditEvent.objects.filter(action="registry.personal_id_check_refused").count() == 2
    # another user is not limited by this one
    other = _client(world, Role.SURVEYOR)
    assert other.post(url, _post(living)).status_code == 200


def test_import_errors_do_not_reveal_where_and_are_logged(world, imp):
    officer = world.users[Role.COMMUNE_OFFICER]
    living = world.hh_c.members.get(relation_to_head="head")
    dead = world.hh_b.members.get(relation_to_head="child")
    Member.objects.filter(pk=dead.pk).update(is_active=False, left_reason=Member.LeftReason.DIED)
    rows = imp.household_rows("O-1", world.commune_a.code, members=2)
    for row, member in zip(rows, (living, dead), strict=True):
        row["Số định danh cá nhân"] = member.personal_id
        row["Ngày sinh"] = member.date_of_birth.strftime("%d/%m/%Y")
        row["Giới tính"] = "Nam" if member.sex == "male" else "Nữ"
    batch = imp.run(officer, "o.csv", imp.to_csv(rows))
    import openpyxl

    with batch.rejected_file.open("rb") as fh:
        text = " ".join(
            str(c.value) for r in openpyxl.load_workbook(fh).active.iter_rows() for c in r if c.value
        )
    assert ELSEWHERE_MESSAGE in text
    assert "qua đời" not in text and "một hộ khác" not in text and "HH-C" not in text
    logged = AuditEvent.objects.filter(action="capture.import_personal_id_elsewhere", actor=officer)
    assert set(logged.values_list("personal_id", flat=True)) == {living.personal_id, dead.personal_id}
