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

    # the same ID numbers in every test, whatever ran before (a test's data must not depend on the
    # order of the suite: the linkage tests' match levels compare these numbers digit by digit)
    global _SERIAL
    _SERIAL = iter(range(1, 10**6))

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


def run_round_to_decision(commune, *, officer, chairman, year: int, number: str = "99/QĐ-UBND"):
    """Drive the commune's open round (or a new yearly one) through every step with the services:
    Phiếu A keeps everyone, Phiếu B on the household's facts, every village agrees, posting, decision.
    Returns the decision."""
    from hongheo.reviews import services as s
    from hongheo.reviews.models import ReviewRound

    rnd = ReviewRound.objects.filter(commune=commune).exclude(state="closed").first()
    if rnd is None:
        rnd = s.round_open(actor=officer, commune=commune, kind="yearly", year=year)
    entries = list(rnd.entries.select_related("household"))
    for e in entries:
        if e.origin in ("application", "exit_application"):
            s.screening_record(actor=officer, entry=e, excluded=False)
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_survey")
    for e in entries:
        e.refresh_from_db()
        facts = {} if e.household.income_per_capita is not None else {"income_per_capita": 1_000_000}
        s.survey_record(actor=officer, entry=e, facts=facts)
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_meetings")
    by_village: dict = {}
    for e in entries:
        by_village.setdefault(e.household.village, []).append(e.pk)
    for village, pks in by_village.items():
        s.meeting_record(
            actor=officer,
            review_round=rnd,
            village=village,
            held_on=rnd.period_start,
            attendees=30,
            chair_name="Nguyễn Văn Chủ Trì",
            secretary_name="Lê Thị Thư Ký",
            votes=dict.fromkeys(pks, 25),
        )
    rnd = s.round_advance(actor=officer, review_round=rnd, action="start_posting")
    posted_from = dt.date(year, 9, 15)
    s.posting_record(actor=officer, review_round=rnd, posted_from=posted_from, places="Nhà văn hóa thôn")
    rnd = s.round_advance(actor=officer, review_round=rnd, action="end_posting")
    rnd = s.round_advance(actor=officer, review_round=rnd, action="submit_for_decision")
    return s.decision_sign(actor=chairman, review_round=rnd, number=number, signed_on=dt.date(year, 11, 30))


@pytest.fixture
def round_runner():
    return run_round_to_decision
