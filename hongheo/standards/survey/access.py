"""Who may see and who may change Phiếu A / Phiếu B data."""

from __future__ import annotations

from typing import Any

from hongheo.users.models import Role, User

VIEW_ROLES = {Role.ADMINISTRATOR, Role.PROVINCE_OFFICER, Role.CENTRAL_ANALYST}
MANAGE_ROLES = {Role.ADMINISTRATOR}


def user_can_view_survey_forms(user: Any) -> bool:
    return isinstance(user, User) and user.is_active and user.role in VIEW_ROLES


def user_can_manage_survey_forms(user: Any) -> bool:
    """Import, re-import and publish: administrators only."""
    return isinstance(user, User) and user.is_active and user.role in MANAGE_ROLES
