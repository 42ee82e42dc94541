"""Issue 8, items 5, 7 and 8: the central analyst sees aggregates unless a named, audited grant
says otherwise; registry models are out of Django admin; the administrator role can manage users
there (as docs/operations.md says); audit rows never hold password hashes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from hongheo.core.errors import PermissionDenied, ValidationError
from hongheo.core.models import AuditEvent
from hongheo.registry.access import household_qs_for_aggregates, household_qs_for_user
from hongheo.users.models import Role, User
from hongheo.users.services import personal_data_grant, personal_data_revoke


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_central_analyst_gets_aggregates_but_no_personal_data_by_default(world):
    analyst = world.users[Role.CENTRAL_ANALYST]
    assert household_qs_for_user(analyst).count() == 0
    assert household_qs_for_aggregates(analyst).count() == 4
    client = _client(analyst)
    assert client.get(f"/ho/{world.hh_a1.pk}/").status_code == 404
    assert client.get(f"/api/v1/households/{world.hh_a1.pk}").status_code == 404
    assert "HH-A1" not in client.get("/ho/").content.decode()
    # reports (aggregates) still count every household of the country
    from hongheo.reports import builders

    tables = builders.report_tables(analyst, world.central, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert tables


def test_a_named_audited_grant_opens_personal_data_until_revoked(world):
    analyst = world.users[Role.CENTRAL_ANALYST]
    admin = world.users[Role.ADMINISTRATOR]
    with pytest.raises(ValidationError):  # a named person: the account must carry a full name
        personal_data_grant(
            actor=admin, user=analyst, reason="Kiểm tra số liệu theo công văn 12/VPQG", days=7
        )
    User.objects.filter(pk=analyst.pk).update(full_name="Nguyễn Văn Phân Tích")
    analyst.refresh_from_db()
    with pytest.raises(PermissionDenied):
        personal_data_grant(
            actor=world.users[Role.PROVINCE_OFFICER], user=analyst, reason="Kiểm tra số liệu", days=7
        )
    with pytest.raises(ValidationError):
        personal_data_grant(actor=admin, user=analyst, reason="Kiểm tra số liệu", days=365)
    grant = personal_data_grant(
        actor=admin, user=analyst, reason="Kiểm tra số liệu theo công văn 12/VPQG", days=7
    )
    assert AuditEvent.objects.filter(action="users.personal_data_grant", actor=admin).exists()
    fresh = User.objects.get(pk=analyst.pk)
    assert household_qs_for_user(fresh).count() == 4
    assert _client(fresh).get(f"/ho/{world.hh_a1.pk}/").status_code == 200
    personal_data_revoke(actor=admin, grant=grant)
    assert household_qs_for_user(User.objects.get(pk=analyst.pk)).count() == 0
    assert AuditEvent.objects.filter(action="users.personal_data_revoke").exists()


def test_registry_models_are_not_in_django_admin(world):
    from django.contrib import admin

    from hongheo.registry.models import Household, Member

    assert Household not in admin.site._registry and Member not in admin.site._registry
    superuser = User.objects.create_superuser("goc", password="mot-mat-khau-rat-dai")
    client = _client(superuser)
    assert client.get("/admin/registry/household/").status_code == 404


def test_administrator_role_manages_users_in_admin(world):
    admin_user = world.users[Role.ADMINISTRATOR]
    client = _client(admin_user)
    assert client.get("/admin/").status_code == 200
    listing = client.get("/admin/users/user/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert f"/admin/users/user/{world.users[Role.COMMUNE_OFFICER].pk}/change/" in html
    assert f"/admin/users/user/{world.users[Role.CENTRAL_ANALYST].pk}/change/" not in html  # outside
    target = world.users[Role.SURVEYOR]
    page = client.get(f"/admin/users/user/{target.pk}/change/")
    assert page.status_code == 200
    assert client.get(f"/admin/users/user/{world.users[Role.CENTRAL_ANALYST].pk}/change/").status_code in (
        302,
        404,
    )


def test_admin_edits_never_write_password_hashes_to_the_audit(world):
    from hongheo.core.audit import snapshot

    user = world.users[Role.SURVEYOR]
    assert user.password not in str(snapshot(user))
    superuser = User.objects.create_superuser("goc", password="mot-mat-khau-rat-dai")
    client = _client(superuser)
    data = {
        "username": user.username,
        "password": user.password,
        "role": user.role,
        "full_name": "Đổi tên",
        "phone": "",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
    }
    r = client.post(f"/admin/users/user/{user.pk}/change/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    user.set_password("mot-mat-khau-moi-dai")
    user.save()
    for event in AuditEvent.objects.filter(object_type="users.user"):
        text = f"{event.before} {event.after}"
        assert "md5$" not in text and "argon2" not in text and "pbkdf2" not in text


def test_province_bulk_exports_are_audited_with_their_row_count(world):
    from hongheo.core.jobs import run_pending_jobs

    officer = world.users[Role.PROVINCE_OFFICER]
    client = _client(officer)
    client.post("/ho/xuat-excel/", {"xa": "", "thon": "", "q": ""})
    run_pending_jobs()
    event = AuditEvent.objects.get(action="registry.export_households", actor=officer)
    assert event.kind == "export" and event.after == {"rows": 3}
