"""The one access gate as a matrix: every role × own area / other commune / other province."""

from __future__ import annotations

import pytest
from django.test import Client

from hongheo.core.errors import NotFound
from hongheo.registry.access import access_household_by_id, household_qs_for_user
from hongheo.users.models import Role

# For each role: may it see (own-area household, household of another commune of the same
# province, household of another province)?
MATRIX = {
    # aggregates only without a named grant (issue 8; tests/security/test_roles_and_admin.py)
    Role.CENTRAL_ANALYST: (False, False, False),
    Role.PROVINCE_OFFICER: (True, True, False),
    Role.ADMINISTRATOR: (True, True, False),
    Role.COMMUNE_OFFICER: (True, False, False),
    Role.COMMUNE_CHAIRMAN: (True, False, False),
    Role.SURVEYOR: (True, False, False),
    Role.VILLAGE_HEAD: (True, False, False),
}
CASES = [
    (role, target, allowed[i])
    for role, allowed in MATRIX.items()
    for i, target in enumerate(("own", "other_commune", "other_province"))
]


def _target(world, name):
    return {"own": world.hh_a1, "other_commune": world.hh_b, "other_province": world.hh_c}[name]


@pytest.mark.parametrize(("role", "target", "allowed"), CASES)
def test_gate_service_level(world, role, target, allowed):
    user = world.users[role]
    household = _target(world, target)
    if allowed:
        assert access_household_by_id(user, household.pk) == household
        assert household_qs_for_user(user).filter(pk=household.pk).exists()
    else:
        with pytest.raises(NotFound):
            access_household_by_id(user, household.pk)
        assert not household_qs_for_user(user).filter(pk=household.pk).exists()


@pytest.mark.parametrize(("role", "target", "allowed"), CASES)
def test_gate_page_and_api_same_404(world, role, target, allowed):
    client = Client()
    client.force_login(world.users[role])
    household = _target(world, target)
    page = client.get(f"/ho/{household.pk}/")
    api = client.get(f"/api/v1/households/{household.pk}")
    if allowed:
        assert page.status_code == 200
        assert household.code in page.content.decode()
        assert api.status_code == 200
        assert api.json()["code"] == household.code
    else:
        missing_page = client.get("/ho/999999999/")
        missing_api = client.get("/api/v1/households/999999999")
        assert page.status_code == missing_page.status_code == 404
        assert api.status_code == missing_api.status_code == 404
        # "not yours" and "not found" are indistinguishable
        assert api.json() == missing_api.json()
        assert page.content.decode().replace(str(household.pk), "").count(
            "Không tìm thấy"
        ) == missing_page.content.decode().count("Không tìm thấy")


def test_village_head_sees_only_own_village(world):
    user = world.users[Role.VILLAGE_HEAD]
    codes = set(household_qs_for_user(user).values_list("code", flat=True))
    assert codes == {"HH-A1"}


def test_commune_officer_list_page_shows_only_own_commune(world):
    client = Client()
    client.force_login(world.users[Role.COMMUNE_OFFICER])
    html = client.get("/ho/").content.decode()
    assert "HH-A1" in html and "HH-A2" in html
    assert "HH-B" not in html and "HH-C" not in html


def test_anonymous_is_sent_to_login_and_api_refuses(world):
    client = Client()
    assert client.get("/ho/").status_code == 302
    assert client.get(f"/api/v1/households/{world.hh_a1.pk}").status_code == 401


def test_user_without_area_sees_nothing(world):
    from hongheo.users.models import User

    lonely = User.objects.create(username="lonely", role=Role.COMMUNE_OFFICER)
    assert household_qs_for_user(lonely).count() == 0
    with pytest.raises(NotFound):
        access_household_by_id(lonely, world.hh_a1.pk)


def test_inactive_user_sees_nothing(world):
    user = world.users[Role.CENTRAL_ANALYST]
    user.is_active = False
    assert household_qs_for_user(user).count() == 0
