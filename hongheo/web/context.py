from typing import Any

from django.http import HttpRequest

from hongheo.users.access import user_can_read_audit


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_can_audit": user_can_read_audit(user)}
