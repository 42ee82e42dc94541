from typing import Any

from django.http import HttpRequest

from hongheo.users.access import user_can_read_audit, user_can_write_households

#: the review pages by role (the views enforce the same sets); links show only to those who may open them
_ROUND_OFFICER = {"commune_officer"}
_DECISION_READERS = {"commune_officer", "commune_chairman"}


# Who may open the province's review overview and the support pages (the views say the same).
_PROVINCE_READERS = {"province_officer", "central_analyst", "administrator"}
_SUPPORT_READERS = {"commune_officer", "commune_chairman", "village_head", "province_officer"}


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the layout and shared partials need to show only links the user may follow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from hongheo.standards.survey.access import user_can_view_survey_forms

    role = getattr(user, "role", "")
    return {
        "nav_can_audit": user_can_read_audit(user),
        "nav_can_import": user_can_write_households(user),
        "nav_can_survey_forms": user_can_view_survey_forms(user),
        "nav_round_officer": role in _ROUND_OFFICER,
        "nav_decision_reader": role in _DECISION_READERS,
        "nav_review_province": role in _PROVINCE_READERS,
        "nav_support": role in _SUPPORT_READERS,
    }
