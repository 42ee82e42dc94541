from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from hongheo.core.errors import PermissionDenied, ValidationError
from hongheo.core.models import AuditEvent
from hongheo.geography.services import commune_set_setting, village_create
from hongheo.registry.services import MemberInput, household_create, household_update_facts
from hongheo.users.models import Role


def test_household_write_is_audited_with_before_and_after(world):
    officer = world.users[Role.COMMUNE_OFFICER]
    household_update_facts(actor=officer, household=world.hh_a1, facts={"income_per_capita": 2_100_000})
    event = AuditEvent.objects.filter(action="registry.household_update").latest("id")
    assert event.actor == officer
    assert event.household_code == "HH-A1"
    assert event.before == {"income_per_capita": 1_450_000}
    assert event.after == {"income_per_capita": 2_100_000}


def test_failed_write_leaves_neither_change_nor_audit_row(world):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        household_create(
            actor=None,
            code="HH-X",
            commune=world.commune_a,
            members=[
                MemberInput(
                    full_name="Ngô Văn Tư",
                    date_of_birth=dt.date(1990, 1, 1),
                    sex="male",
                    relation_to_head="head",
                    personal_id="046090000001",
                ),
                MemberInput(
                    full_name="Ngô Thị Năm",
                    date_of_birth=dt.date(1991, 1, 1),
                    sex="female",
                    relation_to_head="spouse",
                    personal_id="046091000002",
                ),  # wrong sex digit
            ],
        )
    assert AuditEvent.objects.count() == before
    from hongheo.registry.models import Household

    assert not Household.objects.filter(code="HH-X").exists()


def test_audit_rolls_back_with_the_transaction(world):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        village_create(actor=None, commune=world.commune_a, name="Thôn Mới")
        raise RuntimeError("boom")
    assert AuditEvent.objects.count() == before


def test_writer_outside_area_is_refused(world):
    surveyor = world.users[Role.SURVEYOR]
    with pytest.raises(PermissionDenied):
        household_update_facts(actor=surveyor, household=world.hh_b, facts={"toilet": "none"})


def test_reading_a_household_logs_sensitive_read(world):
    client = Client()
    officer = world.users[Role.COMMUNE_OFFICER]
    client.force_login(officer)
    client.get(f"/ho/{world.hh_a1.pk}/")
    event = AuditEvent.objects.filter(kind="read", household_code="HH-A1").latest("id")
    assert event.actor == officer
    assert "ethnicity" in event.fields and "income_per_capita" in event.fields
    assert event.request_id


def test_commune_setting_change_is_audited_and_needs_province(world):
    with pytest.raises(PermissionDenied):
        commune_set_setting(
            actor=world.users[Role.COMMUNE_OFFICER], commune=world.commune_a, setting="urban", source="QĐ 1"
        )
    commune_set_setting(
        actor=world.users[Role.PROVINCE_OFFICER],
        commune=world.commune_a,
        setting="urban",
        source="QĐ 123/QĐ-UBND",
    )
    event = AuditEvent.objects.filter(action="geography.commune_set_setting").latest("id")
    assert event.before["setting"] == "rural" and event.after["setting"] == "urban"
    world.village_a1.refresh_from_db()
    assert world.village_a1.setting == "urban"


def test_audit_search_and_export_for_administrator_only(world):
    household_update_facts(
        actor=world.users[Role.COMMUNE_OFFICER], household=world.hh_a1, facts={"toilet": "none"}
    )
    client = Client()
    client.force_login(world.users[Role.COMMUNE_OFFICER])
    assert client.get("/nhat-ky/").status_code == 404
    client.force_login(world.users[Role.ADMINISTRATOR])
    page = client.get("/nhat-ky/", {"household": "HH-A1", "user": str(Role.COMMUNE_OFFICER)})
    assert page.status_code == 200
    html = page.content.decode()
    assert "registry.household_update" in html
    # readable: the action in Vietnamese, the field by its label, a link to the household, date pickers
    assert "Sửa thông tin hộ" in html and "Nhà tiêu" in html
    assert f'href="/ho/{world.hh_a1.pk}/"' in html and 'type="date"' in html
    today = timezone.localdate().strftime("%d/%m/%Y")
    export = client.get("/nhat-ky/", {"household": "HH-A1", "date_from": today, "xuat": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode().lstrip("\ufeff"))))
    assert "registry.household_update" in {row["hanh_dong"] for row in rows}
    assert rows and {row["ma_ho"] for row in rows} == {"HH-A1"}
    assert AuditEvent.objects.filter(kind="export", action="audit.export").exists()


def test_admin_edits_are_audited(world):
    from hongheo.users.models import User

    admin_user = User.objects.create_superuser("root", password="mat-khau-quan-tri-1", role="administrator")
    client = Client()
    client.force_login(admin_user)
    village = world.village_a1
    response = client.post(
        f"/admin/geography/area/{village.pk}/change/",
        {
            "code": village.code,
            "name": "Thôn Một",
            "level": "village",
            "kind": "thon",
            "parent": world.commune_a.pk,
            "setting": "rural",
            "setting_source": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.filter(action="admin.change", object_id=str(village.pk)).latest("id")
    assert event.before["name"] == "Thôn 1" and event.after["name"] == "Thôn Một"
