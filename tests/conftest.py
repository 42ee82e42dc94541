"""Shared fixtures: the real map loaded once per session, a small registry, one user per role."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import pytest

REQUIRE_ALL = os.environ.get("HONGHEO_REQUIRE_ALL") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip with a clear message on a user's machine; fail in CI (HONGHEO_REQUIRE_ALL=1)."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (HONGHEO_REQUIRE_ALL=1 makes this a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _compiled_messages() -> None:
    from hongheo.core.i18n import compile_messages

    compile_messages()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from hongheo.geography.services import map_load

    with django_db_blocker.unblock():
        map_load(actor=None)


@dataclass
class World:
    central: object
    hue: object
    hanoi: object
    commune_a: object
    commune_b: object
    commune_c: object
    village_a1: object
    village_a2: object
    hh_a1: object
    hh_a2: object
    hh_b: object
    hh_c: object
    users: dict


def _person_id(code: str, dob: dt.date, sex: str, serial: int) -> str:
    century = (dob.year // 100) - 19
    digit = century * 2 + (1 if sex == "female" else 0)
    return f"{code}{digit}{dob.year % 100:02d}{serial:06d}"


_SERIAL = iter(range(1, 10**6))


def make_household(commune, village, code: str, head: str, *, sex: str = "male", dob=dt.date(1980, 5, 17)):
    from hongheo.registry.services import MemberInput, household_create

    members = [
        MemberInput(
            full_name=head,
            date_of_birth=dob,
            sex=sex,
            relation_to_head="head",
            personal_id=_person_id("046", dob, sex, next(_SERIAL)),
            facts={"ethnicity": "Kinh", "health_insurance": True},
        ),
        MemberInput(
            full_name="Trần Thị Bích",
            date_of_birth=dt.date(2012, 3, 1),
            sex="female",
            relation_to_head="child",
            personal_id=_person_id("046", dt.date(2012, 3, 1), "female", next(_SERIAL)),
            facts={"ethnicity": "Kinh", "disability": True},
        ),
    ]
    return household_create(
        actor=None,
        code=code,
        commune=commune,
        village=village,
        address=f"{village.name if village else ''}",
        members=members,
        facts={"income_per_capita": 1_450_000, "housing_quality": "semi_durable"},
    )


def ensure_map() -> None:
    """The map is loaded once per session; a transactional (browser) test flushes it, so reload."""
    from hongheo.geography.models import Area
    from hongheo.geography.services import map_load

    if Area.objects.filter(level=Area.Level.COMMUNE).count() < 3321:
        map_load(actor=None)


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    from hongheo.geography.models import Area

    ensure_map()
    from hongheo.geography.services import village_create
    from hongheo.users.models import Role
    from hongheo.users.services import user_create

    central = Area.objects.get(code="VN")
    hue = Area.objects.get(code="46")
    hanoi = Area.objects.get(code="01")
    commune_a, commune_b = list(Area.objects.filter(parent=hue, kind="xa").order_by("code")[:2])
    commune_c = Area.objects.filter(parent=hanoi, kind="xa").order_by("code").first()
    village_a1 = village_create(actor=None, commune=commune_a, name="Thôn 1")
    village_a2 = village_create(actor=None, commune=commune_a, name="Thôn 2")
    village_c = village_create(actor=None, commune=commune_c, name="Thôn Đông")
    hh_a1 = make_household(commune_a, village_a1, "HH-A1", "Nguyễn Văn An")
    hh_a2 = make_household(commune_a, village_a2, "HH-A2", "Lê Thị Đào", sex="female")
    hh_b = make_household(commune_b, None, "HH-B", "Phạm Minh Đức")
    hh_c = make_household(commune_c, village_c, "HH-C", "Hoàng Văn Bình")
    plan = {
        Role.CENTRAL_ANALYST: [central],
        Role.PROVINCE_OFFICER: [hue],
        Role.COMMUNE_OFFICER: [commune_a],
        Role.COMMUNE_CHAIRMAN: [commune_a],
        Role.VILLAGE_HEAD: [village_a1],
        Role.SURVEYOR: [commune_a],
        Role.ADMINISTRATOR: [hue],
    }
    users = {
        role: user_create(
            actor=None, username=str(role), password="mat-khau-thu-nghiem", role=role, areas=areas
        )
        for role, areas in plan.items()
    }
    return World(
        central,
        hue,
        hanoi,
        commune_a,
        commune_b,
        commune_c,
        village_a1,
        village_a2,
        hh_a1,
        hh_a2,
        hh_b,
        hh_c,
        users,
    )


@pytest.fixture
def household_factory():
    """make_household(commune, village, code, head_name, sex=..., dob=...)"""
    return make_household
