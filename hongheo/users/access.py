"""The one access gate's area logic: which parts of the area tree a user may see and manage.

Household-level queries build on :func:`scope_paths` in ``hongheo.registry.access``; nothing else
decides scoping. Out-of-scope objects are reported as "not found", exactly like missing ones.
"""

from __future__ import annotations

from typing import Any

from hongheo.geography.models import Area

from .models import Role, User

# What each role may do to households in its areas.
WRITE_ROLES = {Role.COMMUNE_OFFICER, Role.SURVEYOR, Role.VILLAGE_HEAD}
MANAGE_AREA_ROLES = {Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER, Role.ADMINISTRATOR}
APPROVE_ROLES = {Role.COMMUNE_CHAIRMAN}
AUDIT_ROLES = {Role.ADMINISTRATOR}


def scope_paths(user: Any) -> list[str]:
    """Materialised paths of the areas the user covers (their assignments and all descendants).

    An empty list means the user sees nothing. Cached on the user object for the request.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_scope_paths", None)
    if cached is None:
        paths = sorted(set(Area.objects.filter(assignments__user=user).values_list("path", flat=True)))
        # drop paths already covered by a shorter one
        cached = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
        user._scope_paths = cached
    return list(cached)


def user_covers_area(user: Any, area: Area) -> bool:
    return any(area.path.startswith(p) for p in scope_paths(user))


def user_can_manage_area(user: Any, area: Area | None, *, province_level: bool = False) -> bool:
    if area is None or not isinstance(user, User):
        return False
    if user.role not in MANAGE_AREA_ROLES:
        return False
    if province_level and user.role == Role.COMMUNE_OFFICER:
        return False
    return user_covers_area(user, area)


def user_can_write_households(user: Any) -> bool:
    return isinstance(user, User) and user.role in WRITE_ROLES


def user_can_read_audit(user: Any) -> bool:
    return isinstance(user, User) and user.role in AUDIT_ROLES


# Roles whose area gives aggregates only; personal data needs an active PersonalDataGrant.
AGGREGATE_ONLY_ROLES = {Role.CENTRAL_ANALYST}


def user_has_personal_data_grant(user: Any) -> bool:
    from django.utils import timezone

    from .models import PersonalDataGrant

    if not isinstance(user, User):
        return False
    cached = getattr(user, "_personal_grant", None)
    if cached is None:
        cached = PersonalDataGrant.objects.filter(
            user=user, revoked_at__isnull=True, valid_until__gt=timezone.now()
        ).exists()
        user._personal_grant = cached  # type: ignore[attr-defined]
    return bool(cached)


def personal_scope_paths(user: Any) -> list[str]:
    """The areas whose households' personal data the user may read: :func:`scope_paths`, except
    for aggregate-only roles (the central analyst) without an active, named grant: none."""
    if getattr(user, "role", None) in AGGREGATE_ONLY_ROLES and not user_has_personal_data_grant(user):
        return []
    return scope_paths(user)
