"""Issue 8, items 3 and 11: one login path (Django admin's redirects to the product's, with its
throttle and audit); lockout per (account, address) with a growing wait that the page shows."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from hongheo.core.models import AuditEvent
from hongheo.users.models import LoginFailure, Role

PASSWORD = "mat-khau-thu-nghiem"


def _login(client, username, password, address="192.0.2.1", path="/dang-nhap/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_admin_login_is_the_product_login(world):
    admin = world.users[Role.ADMINISTRATOR]
    client = Client()
    r = client.get("/admin/login/?next=/admin/users/user/")
    assert r.status_code == 302 and r["Location"].startswith("/dang-nhap/?next=")
    # a password posted to Django admin's own form no longer signs anyone in, right or wrong
    for _ in range(30):
        r = _login(client, admin.username, "sai", path="/admin/login/")
        assert r.status_code == 302 and r["Location"].startswith("/dang-nhap/")
    r = _login(client, admin.username, PASSWORD, path="/admin/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    # through the product's login the administrator reaches Django admin, and it is audited
    r = _login(client, admin.username, PASSWORD, path="/dang-nhap/?next=/admin/")
    assert r.status_code == 302 and r["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", actor=admin).exists()


def test_failures_against_other_names_do_not_lock_a_real_user_out(world):
    user = world.users[Role.SURVEYOR]
    client = Client()
    for i in range(40):
        assert _login(client, f"khong-co-{i}", "x").status_code == 401
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 40
    assert _login(client, user.username, PASSWORD).status_code == 302


def test_lockout_is_per_account_and_address_with_a_growing_wait(world):
    user = world.users[Role.SURVEYOR]
    for _ in range(5):
        assert _login(Client(), user.username, "sai").status_code == 401
    blocked = _login(Client(), user.username, PASSWORD)
    assert blocked.status_code == 429
    assert "thử lại sau 1 phút" in blocked.content.decode() or "giây" in blocked.content.decode()
    # the same account from another address is not locked
    assert _login(Client(), user.username, PASSWORD, address="198.51.100.20").status_code == 302
    # after the wait, one more failure doubles it
    LoginFailure.objects.update(at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=61))
    assert _login(Client(), user.username, "sai").status_code == 401
    again = _login(Client(), user.username, PASSWORD)
    assert again.status_code == 429 and "2 phút" in again.content.decode()
