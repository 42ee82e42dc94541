"""Fixtures of the field-work tests: a yearly round in survey, answers for a Phiếu B, photos."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from typing import Any

import pytest

from hongheo.users.models import Role


def answers_for(household: Any, *, income: int = 1_000_000, **overrides: Any) -> dict[str, Any]:
    """A complete, valid Phiếu B for a registered household (all members present)."""
    members = [
        {
            "member_id": m.pk,
            "full_name": m.full_name,
            "date_of_birth": m.date_of_birth.isoformat(),
            "sex": m.sex,
            "relation_to_head": m.relation_to_head,
            "presence": "present",
            "health_insurance": True,
            "in_school": m.date_of_birth.year > 2005,
            "education_level": "lower_secondary",
            "has_qualification": False,
            "employment": "self_employed",
            "disability": False,
            "disability_allowance": False,
            "undernourished": False,
        }
        for m in household.members.filter(is_active=True).order_by("pk")
    ]
    out: dict[str, Any] = {
        "housing_quality": "semi_durable",
        "floor_area_m2": 42.5,
        "water_source": "piped",
        "toilet": "flush_septic",
        "waste_handling": "collected",
        "internet": True,
        "information_devices": 2,
        "member": members,
        "income_wages": income,
        "income_farming": 0,
        "income_business": 0,
        "income_other": 0,
        "gps": {"lat": 16.46, "lon": 107.59, "accuracy": 8},
        "remarks": "",
    }
    out.update(overrides)
    return out


def jpeg(seed: int = 1, size: tuple[int, int] = (64, 48)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (seed * 37 % 255, 90, 160))
    draw = ImageDraw.Draw(image)
    for i in range(6):
        x = (seed * 13 + i * 11) % size[0]
        draw.rectangle([x, i * 7, x + 9, i * 7 + 5], fill=((seed + i) * 50 % 255, 20 * i, 200))
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=85)
    return buf.getvalue()


@pytest.fixture
def field(world):
    """The world with a yearly round of commune A in the survey step (HH-A1, HH-A2 listed)."""
    from hongheo.reviews import services as rs

    for hh in (world.hh_a1, world.hh_a2):
        rs.status_baseline_set(
            actor=None, household=hh, classification="poor", since=dt.date(2025, 12, 20), source="DS 2025"
        )
    officer = world.users[Role.COMMUNE_OFFICER]
    rnd = rs.round_open(actor=officer, commune=world.commune_a, kind="yearly", year=2026)
    rnd = rs.round_advance(actor=officer, review_round=rnd, action="start_survey")
    world.round = rnd
    world.surveyor = world.users[Role.SURVEYOR]
    world.officer = officer
    return world


@pytest.fixture
def new_id():
    return lambda: str(uuid.uuid4())
