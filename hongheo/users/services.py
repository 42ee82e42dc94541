"""Writers for users, assignments and login throttling."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hongheo.core.audit import audit_write
from hongheo.core.errors import PermissionDenied, ValidationError
from hongheo.geography.models import Area

from .models import AreaAssignment, LoginFailure, Role, User

_ROLE_LEVELS = {
    Role.CENTRAL_ANALYST: {Area.Level.CENTRAL},
    Role.PROVINCE_OFFICER: {Area.Level.PROVINCE},
    Role.COMMUNE_OFFICER: {Area.Level.COMMUNE},
    Role.COMMUNE_CHAIRMAN: {Area.Level.COMMUNE},
    Role.VILLAGE_HEAD: {Area.Level.VILLAGE},
    Role.SURVEYOR: {Area.Level.COMMUNE, Area.Level.VILLAGE},
    Role.ADMINISTRATOR: {Area.Level.CENTRAL, Area.Level.PROVINCE},
}


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str | None,
    role: str,
    areas: list[Area],
    full_name: str = "",
    position: str = "",
    is_staff: bool = False,
) -> User:
    if role not in Role.values:
        raise ValidationError(f"Vai trò không hợp lệ: {role}")
    if not areas:
        raise ValidationError("Mỗi người dùng phải được giao ít nhất một địa bàn.")
    for area in areas:
        if area.level not in _ROLE_LEVELS[Role(role)]:
            raise ValidationError(
                f"Vai trò {Role(role).label} không được giao địa bàn cấp {Area.Level(area.level).label}."
            )
    if User.objects.filter(username=username).exists():
        raise ValidationError(f"Tên đăng nhập '{username}' đã tồn tại.")
    user = User(
        username=username,
        role=role,
        full_name=full_name,
        position=position,
        is_staff=is_staff or role == Role.ADMINISTRATOR,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    for area in areas:
        AreaAssignment.objects.create(user=user, area=area)
    audit_write(
        actor=actor,
        action="users.user_create",
        obj=user,
        after={"username": username, "role": role, "areas": [a.code for a in areas]},
    )
    return user


@transaction.atomic
def user_assign_area(*, actor: Any, user: User, area: Area) -> AreaAssignment:
    if area.level not in _ROLE_LEVELS[Role(user.role)]:
        raise ValidationError("Địa bàn không phù hợp với vai trò.")
    assignment, _ = AreaAssignment.objects.get_or_create(user=user, area=area)
    audit_write(actor=actor, action="users.assign_area", obj=user, after={"area": area.code})
    return assignment


def _keys(username: str, address: str) -> list[str]:
    return [f"user:{username.strip().lower()}", f"ip:{address}"]


def login_is_throttled(*, username: str, address: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)
    limit = settings.LOGIN_THROTTLE_FAILURES
    user_key, ip_key = _keys(username, address)
    if LoginFailure.objects.filter(key=user_key, at__gte=since).count() >= limit:
        return True
    return LoginFailure.objects.filter(key=ip_key, at__gte=since).count() >= limit * 4


def login_record_failure(*, username: str, address: str) -> None:
    with transaction.atomic():
        for key in _keys(username, address):
            LoginFailure.objects.create(key=key)
        audit_write(actor=None, action="auth.login_failed", object_type="users.user", object_id=username[:64])


def login_record_success(*, user: User, address: str) -> None:
    with transaction.atomic():
        LoginFailure.objects.filter(key__in=[_keys(user.username, address)[0]]).delete()
        audit_write(actor=user, action="auth.login", obj=user)


@transaction.atomic
def user_profile_update(*, actor: Any, user: User, full_name: str, position: str) -> User:
    """A user's own name and position (họ và tên, chức vụ), printed under their signature on
    official documents (Mẫu 02). Only the user themself or an administrator may change them."""
    if getattr(actor, "pk", None) != user.pk and getattr(actor, "role", None) != Role.ADMINISTRATOR:
        raise PermissionDenied("Bạn không có quyền sửa hồ sơ của người dùng này.")
    full_name = " ".join(full_name.split())
    position = " ".join(position.split())
    if not full_name:
        raise ValidationError("Vui lòng nhập họ và tên (in dưới chữ ký trên văn bản).")
    if len(full_name) > 150 or len(position) > 150:
        raise ValidationError("Họ và tên, chức vụ không được dài quá 150 ký tự.")
    if any(ch.isdigit() for ch in full_name):
        raise ValidationError("Họ và tên không được chứa chữ số.")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {"full_name": user.full_name, "position": user.position}
    user.full_name, user.position = full_name, position
    user.save(update_fields=["full_name", "position"])
    audit_write(
        actor=actor,
        action="users.profile_update",
        obj=user,
        before=before,
        after={"full_name": full_name, "position": position},
    )
    return user
