"""Seeding a realistic demo province: real communes, villages, synthetic households, demo users."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from hongheo.geography.models import Area
from hongheo.geography.services import map_load, village_create
from hongheo.users.models import Role, User
from hongheo.users.services import user_create

from .bulk import households_bulk_load
from .models import Household

DEMO_PASSWORD = "hongheo-demo-2026"  # noqa: S105  (printed for the demo; never used in production)

_VILLAGE_KIND_BY_PREFIX = {
    "Thôn": "thon",
    "Tổ dân phố": "to_dan_pho",
    "Bản": "ban",
    "Ấp": "ap",
    "Buôn": "buon",
}


def _village_kind(name: str) -> str:
    for prefix, kind in _VILLAGE_KIND_BY_PREFIX.items():
        if name.startswith(prefix):
            return kind
    return "other"


def population_load(
    *,
    actor: Any,
    province_code: int,
    households: int,
    communes: int | None,
    seed: int,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Generate a synthetic population for real communes of a province and load it."""
    from .synth import generate_population

    population = generate_population(province_code, households, communes=communes, seed=seed)
    hh, mm = population.households, population.members
    commune_codes = sorted({f"{int(c):05d}" for c in hh["commune_code"].to_list()})
    commune_areas = {a.code: a for a in Area.objects.filter(code__in=commune_codes)}
    missing = set(commune_codes) - set(commune_areas)
    if missing:
        map_load(actor=actor, province_codes=[province_code])
        commune_areas = {a.code: a for a in Area.objects.filter(code__in=commune_codes)}
    villages: dict[tuple[str, str], Area] = {
        (v.parent.code if v.parent else "", v.name): v
        for v in Area.objects.filter(parent__code__in=commune_codes, level=Area.Level.VILLAGE).select_related(
            "parent"
        )
    }
    with transaction.atomic():
        for code, name in sorted(
            {(f"{int(c):05d}", v) for c, v in hh.select("commune_code", "village_name").iter_rows()}
        ):
            if (code, name) not in villages:
                villages[(code, name)] = village_create(
                    actor=None, commune=commune_areas[code], name=name, kind=_village_kind(name)
                )
        written = households_bulk_load(
            actor=actor,
            households=hh.iter_rows(named=True),
            members=mm.iter_rows(named=True),
            villages=villages,
            communes=commune_areas,
            on_progress=on_progress,
        )
    return {"households": written, "members": mm.height, "communes": commune_codes}


DEMO_PROVINCE = 46  # Thành phố Huế


def demo_seed(*, households: int = 3000, communes: int = 6, seed: int = 46) -> dict[str, Any]:
    """Create the demo province's data and one demo user per role. Idempotent."""
    map_load(actor=None)
    province = Area.objects.get(code=f"{DEMO_PROVINCE:02d}")
    result: dict[str, Any] = {}
    if not Household.objects.filter(commune__parent=province).exists():
        result = population_load(
            actor=None, province_code=DEMO_PROVINCE, households=households, communes=communes, seed=seed
        )
    users = demo_users_create(province=province)
    return {**result, "users": users}


def demo_users_create(*, province: Area) -> list[dict[str, str]]:
    communes = list(
        Area.objects.filter(parent=province, level=Area.Level.COMMUNE, households__isnull=False)
        .distinct()
        .order_by("name")
    )
    if not communes:
        communes = list(Area.objects.filter(parent=province, level=Area.Level.COMMUNE).order_by("name")[:2])
    first = communes[0]
    other = communes[1] if len(communes) > 1 else first
    village = Area.objects.filter(parent=first, level=Area.Level.VILLAGE).order_by("code").first()
    central = Area.objects.get(level=Area.Level.CENTRAL)
    plan = [
        ("admin", Role.ADMINISTRATOR, [province], "Trần Quốc Bảo", "Quản trị hệ thống"),
        (
            "trunguong",
            Role.CENTRAL_ANALYST,
            [central],
            "Đỗ Thị Minh Châu",
            "Chuyên viên Văn phòng Quốc gia về giảm nghèo",
        ),
        (
            "tinh",
            Role.PROVINCE_OFFICER,
            [province],
            "Hoàng Văn Dũng",
            "Chuyên viên Sở Nông nghiệp và Môi trường",
        ),
        ("xa", Role.COMMUNE_OFFICER, [first], "Lê Thị Hồng", f"Công chức văn hóa - xã hội {first.name}"),
        ("xa2", Role.COMMUNE_OFFICER, [other], "Phan Văn Long", f"Công chức văn hóa - xã hội {other.name}"),
        (
            "chutich",
            Role.COMMUNE_CHAIRMAN,
            [first],
            "Nguyễn Văn Thành",
            f"Chủ tịch Ủy ban nhân dân {first.name}",
        ),
        (
            "truongthon",
            Role.VILLAGE_HEAD,
            [village or first],
            "Võ Văn Tài",
            f"Trưởng {village.name if village else first.name}",
        ),
        ("rasoatvien", Role.SURVEYOR, [first], "Trương Thị Mai", f"Rà soát viên {first.name}"),
    ]
    out = []
    for username, role, areas, full_name, position in plan:
        if role == Role.VILLAGE_HEAD and village is None:
            continue
        if not User.objects.filter(username=username).exists():
            user_create(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                areas=areas,
                full_name=full_name,
                position=position,
            )
        out.append({"username": username, "role": str(role.label), "area": ", ".join(a.name for a in areas)})
    return out
