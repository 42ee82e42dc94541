"""Writers for users, assignments and login throttling."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_write
from hongheo.core.errors import PermissionDenied, ValidationError
from hongheo.geography.models import Area

from .models import AreaAssignment, LoginFailure, PersonalDataGrant, Role, User

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
        raise ValidationError(_("Vai trò không hợp lệ: %(role)s") % {"role": role})
    if not areas:
        raise ValidationError(_("Mỗi người dùng phải được giao ít nhất một địa bàn."))
    for area in areas:
        if area.level not in _ROLE_LEVELS[Role(role)]:
            raise ValidationError(
                _("Vai trò %(label)s không được giao địa bàn cấp %(label2)s.")
                % {"label": Role(role).label, "label2": Area.Level(area.level).label}
            )
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("Tên đăng nhập '%(username)s' đã tồn tại.") % {"username": username})
    user = User(
        username=username,
        role=role,
        full_name=full_name,
        position=position,
        is_staff=is_staff or role == Role.ADMINISTRATOR,
    )
    if password:
        _check_password(password, user)
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


def _check_password(password: str, user: User) -> None:
    """Django's validators (settings.AUTH_PASSWORD_VALIDATORS: at least 10 characters, not a common
    or all-digit password, not like the user name), with their messages."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError as DjangoValidationError

    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError(
            _("Mật khẩu không đạt yêu cầu: %(reasons)s") % {"reasons": " ".join(str(m) for m in exc.messages)}
        )


@transaction.atomic
def user_set_password(*, actor: Any, user: User, password: str) -> User:
    """A new password (the user's own, or set by an administrator): validated, hashed, audited
    (the audit row never holds the password or its hash)."""
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_write(actor=actor, action="users.password_change", obj=user, after={"username": user.username})
    return user


@transaction.atomic
def user_assign_area(*, actor: Any, user: User, area: Area) -> AreaAssignment:
    if area.level not in _ROLE_LEVELS[Role(user.role)]:
        raise ValidationError(_("Địa bàn không phù hợp với vai trò."))
    assignment, _created = AreaAssignment.objects.get_or_create(user=user, area=area)
    audit_write(actor=actor, action="users.assign_area", obj=user, after={"area": area.code})
    return assignment


def _pair_key(username: str, address: str) -> str:
    return f"pair:{username.strip().lower()}|{address}"[:200]


def login_wait_seconds(*, username: str, address: str) -> int:
    """Seconds this (account, address) pair must wait before trying again; 0 when it may try.

    Lockout is per pair (issue 8): failures against other names from the same address, or against
    this name from other addresses, never lock this pair out. After ``LOGIN_THROTTLE_FAILURES``
    failures the wait doubles with each further failure (``LOGIN_BACKOFF_BASE_SECONDS`` up to
    ``LOGIN_BACKOFF_MAX_SECONDS``), counted from the last failure; a success clears the pair."""
    limit = settings.LOGIN_THROTTLE_FAILURES
    base = int(getattr(settings, "LOGIN_BACKOFF_BASE_SECONDS", settings.LOGIN_THROTTLE_WINDOW_SECONDS))
    most = int(getattr(settings, "LOGIN_BACKOFF_MAX_SECONDS", 24 * 3600))
    now = timezone.now()
    recent = LoginFailure.objects.filter(key=_pair_key(username, address), at__gte=now - timedelta(days=1))
    failures = recent.count()
    if failures < limit:
        return 0
    last = recent.order_by("-at").values_list("at", flat=True).first()
    if last is None:
        return 0
    lock = min(base * 2 ** (failures - limit), most)
    remaining = lock - (now - last).total_seconds()
    return max(0, int(remaining + 0.999))


def login_is_throttled(*, username: str, address: str) -> bool:
    return login_wait_seconds(username=username, address=address) > 0


def login_record_failure(*, username: str, address: str, via: str = "web") -> None:
    with transaction.atomic():
        LoginFailure.objects.create(key=_pair_key(username, address))
        audit_write(
            actor=None,
            action="auth.login_failed",
            object_type="users.user",
            object_id=username[:64],
            after={"address": address, "via": via},
        )


def login_record_success(*, user: User, address: str, via: str = "web") -> None:
    with transaction.atomic():
        LoginFailure.objects.filter(key=_pair_key(user.username, address)).delete()
        audit_write(actor=user, action="auth.login", obj=user, after={"address": address, "via": via})


def login_attempt(
    *, request: Any, username: str, password: str, address: str, via: str = "web"
) -> tuple[User | None, int]:
    """The one login path (product pages and Django admin): throttle, authenticate, audit.
    Returns (the user or None, seconds to wait when refused by the throttle)."""
    from django.contrib.auth import authenticate

    wait = login_wait_seconds(username=username, address=address)
    if wait:
        return None, wait
    user = authenticate(request, username=username, password=password)
    if user is None:
        login_record_failure(username=username, address=address, via=via)
        return None, 0
    login_record_success(user=user, address=address, via=via)  # type: ignore[arg-type]
    return user, 0  # type: ignore[return-value]


def wait_message(seconds: int) -> str:
    minutes, secs = divmod(max(seconds, 1), 60)
    span = f"{minutes} phút {secs} giây" if minutes else f"{secs} giây"
    return f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {span}."


@transaction.atomic
def user_profile_update(*, actor: Any, user: User, full_name: str, position: str) -> User:
    """A user's own name and position (họ và tên, chức vụ), printed under their signature on
    official documents (Mẫu 02). Only the user themself or an administrator may change them."""
    if getattr(actor, "pk", None) != user.pk and getattr(actor, "role", None) != Role.ADMINISTRATOR:
        raise PermissionDenied(_("Bạn không có quyền sửa hồ sơ của người dùng này."))
    full_name = " ".join(full_name.split())
    position = " ".join(position.split())
    if not full_name:
        raise ValidationError(_("Vui lòng nhập họ và tên (in dưới chữ ký trên văn bản)."))
    if len(full_name) > 150 or len(position) > 150:
        raise ValidationError(_("Họ và tên, chức vụ không được dài quá 150 ký tự."))
    if any(ch.isdigit() for ch in full_name):
        raise ValidationError(_("Họ và tên không được chứa chữ số."))
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


GRANT_MAX_DAYS = 90


@transaction.atomic
def personal_data_grant(*, actor: Any, user: User, reason: str, days: int) -> PersonalDataGrant:
    """Give a named central analyst access to personal data for ``days`` days (at most 90), for a
    stated reason. Only an administrator (or a superuser) may; the grant is audited."""
    if not (getattr(actor, "is_superuser", False) or getattr(actor, "role", None) == Role.ADMINISTRATOR):
        raise PermissionDenied(_("Chỉ quản trị hệ thống được cấp quyền xem dữ liệu cá nhân."))
    if user.role != Role.CENTRAL_ANALYST:
        raise ValidationError(
            _("Chỉ cấp quyền này cho chuyên viên trung ương (các vai trò khác xem theo địa bàn).")
        )
    if not user.full_name.strip() or not user.is_active:
        raise ValidationError(
            _("Quyền chỉ cấp cho một người cụ thể: tài khoản phải đang hoạt động và có họ tên.")
        )
    if len(reason.strip()) < 10:
        raise ValidationError(_("Ghi rõ lý do (văn bản, nhiệm vụ) khi cấp quyền xem dữ liệu cá nhân."))
    if not 1 <= days <= GRANT_MAX_DAYS:
        raise ValidationError(
            _("Thời hạn từ 1 đến %(GRANT_MAX_DAYS)s ngày.") % {"GRANT_MAX_DAYS": GRANT_MAX_DAYS}
        )
    grant = PersonalDataGrant.objects.create(
        user=user, granted_by=actor, reason=reason.strip(), valid_until=timezone.now() + timedelta(days=days)
    )
    audit_write(
        actor=actor,
        action="users.personal_data_grant",
        obj=grant,
        after={"user": user.username, "reason": grant.reason, "valid_until": grant.valid_until},
    )
    return grant


@transaction.atomic
def personal_data_revoke(*, actor: Any, grant: PersonalDataGrant) -> PersonalDataGrant:
    if not (getattr(actor, "is_superuser", False) or getattr(actor, "role", None) == Role.ADMINISTRATOR):
        raise PermissionDenied(_("Chỉ quản trị hệ thống được thu hồi quyền xem dữ liệu cá nhân."))
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    audit_write(
        actor=actor, action="users.personal_data_revoke", obj=grant, after={"user": grant.user.username}
    )
    return grant
