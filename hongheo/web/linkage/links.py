"""The population candidates of a household's members, for the officer's household page and the
applications list (đối chiếu dữ liệu dân cư): one call per page, audited as a read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from hongheo.core.audit import audit_read
from hongheo.linkage.selectors import household_links
from hongheo.linkage.services import user_can_review_links
from hongheo.registry.models import Household

from .views import side_by_side


def population_links(
    request: HttpRequest, households: Iterable[Household]
) -> dict[int, list[dict[str, Any]]]:
    """Household id → rows ``{"member", "item" (candidate and its fields) or None, "check"}``; empty
    for users who do not decide on links (the citizen, a surveyor) — population data is never shown
    to them."""
    user = request.user
    if not user_can_review_links(user):
        return {}
    by_id = {h.pk: h for h in households}
    links = household_links(user, list(by_id))
    out: dict[int, list[dict[str, Any]]] = {}
    shown: list[Household] = []
    for hid, rows in links.items():
        out[hid] = [
            {
                "member": r.member,
                "item": {"c": r.candidate, "fields": side_by_side(r.candidate)} if r.candidate else None,
                "check": r.check,
            }
            for r in rows
        ]
        if any(r.candidate for r in rows):
            shown.append(by_id[hid])
    for household in shown:
        audit_read(
            actor=user,
            action="linkage.population_links_view",
            fields=["full_name", "personal_id", "date_of_birth"],
            object_type="registry.household",
            object_id=str(household.pk),
            household_code=household.code,
            area_code=household.commune.code if household.commune_id else "",
        )
    return out


def can_review(request: HttpRequest) -> bool:
    return user_can_review_links(request.user)
