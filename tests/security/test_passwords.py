"""Issue 8, item 14: Django's password validators everywhere; users change their own password."""

from __future__ import annotations

import pytest
from django.test import Client

from hongheo.core.errors import ValidationError
from hongheo.core.models import AuditEvent
from hongheo.users.models import Role, User
from hongheo.users.services import user_create, user_set_password


@pytest.mark.parametrize("weak", ["1", "12345678901", "password123", "ngan"])
def test_user_create_refuses_weak_passwords(world, weak):
    with pytest.raises(ValidationError, match="Mật khẩu không đạt"):
        user_create(actor=None, username="yeu", password=weak, role=Role.SURVEYOR, areas=[world.commune_a])
    assert not User.objects.filter(username="yeu").exists()


def test_user_changes_own_password(world):
    user = world.users[Role.SURVEYOR]
    client = Client()
    client.force_login(user)
    assert client.get("/doi-mat-khau/").status_code == 200
    weak = client.post(
        "/doi-mat-khau/",
        {"old_password": "mat-khau-thu-nghiem", "new_password1": "1", "new_password2": "1"},
    )
    assert weak.status_code == 422
    ok = client.post(
        "/doi-mat-khau/",
        {
            "old_password": "mat-khau-thu-nghiem",
            "new_password1": "mot-cau-mat-khau-moi-rat-dai",
            "new_password2": "mot-cau-mat-khau-moi-rat-dai",
        },
    )
    assert ok.status_code == 302
    user.refresh_from_db()
    assert user.check_password("mot-cau-mat-khau-moi-rat-dai")
    event = AuditEvent.objects.get(action="users.password_change")
    assert "md5$" not in str(event.after) and "mot-cau" not in str(event.after)
    assert client.get("/").status_code == 200  # still logged in
    with pytest.raises(ValidationError):
        user_set_password(actor=user, user=user, password="123")
