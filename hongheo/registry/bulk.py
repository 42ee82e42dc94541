"""Fast bulk loading of households and members from column frames (demo seeding, benchmarks).

Rows are validated (personal IDs against date of birth and sex), written in chunks with
``bulk_create`` inside one transaction, and the load is audited as one event per chunk listing
the household codes, so a crash leaves nothing half-written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_write
from hongheo.core.errors import ValidationError
from hongheo.core.ids import InvalidPersonalId, validate_personal_id
from hongheo.core.text import fold, person_sort_key
from hongheo.geography.models import Area

from .models import Household, Member
from .services import HOUSEHOLD_FACT_FIELDS, MEMBER_FACT_FIELDS


def households_bulk_load(
    *,
    actor: Any,
    households: Iterable[dict[str, Any]],
    members: Iterable[dict[str, Any]],
    villages: dict[tuple[str, str], Area],
    communes: dict[str, Area],
    chunk_size: int = 2000,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Load synthetic-schema rows (see ``hongheo.registry.synth``). Returns households written."""
    by_household: dict[str, list[dict[str, Any]]] = {}
    for m in members:
        by_household.setdefault(str(m["household_id"]), []).append(m)
    written = 0
    with transaction.atomic():
        chunk: list[tuple[Household, list[dict[str, Any]]]] = []

        def flush() -> None:
            nonlocal written
            Household.objects.bulk_create([h for h, _ in chunk])
            saved = {h.code: h for h in Household.objects.filter(code__in=[h.code for h, _ in chunk])}
            rows: list[Member] = []
            for h, ms in chunk:
                for m in ms:
                    rows.append(_member_row(saved[h.code], m))
            Member.objects.bulk_create(rows, batch_size=1000)
            audit_write(
                actor=actor,
                action="registry.households_bulk_load",
                object_type="registry.household",
                object_id="*",
                after={"households": [h.code for h, _ in chunk], "members": len(rows)},
            )
            written += len(chunk)
            chunk.clear()
            if on_progress:
                on_progress(written)

        for row in households:
            code = str(row["household_id"])
            commune = communes[f"{int(row['commune_code']):05d}"]
            village = villages.get((commune.code, row["village_name"]))
            ms = by_household.get(code, [])
            head = next((m for m in ms if m["relation_to_head"] == "head"), None)
            if head is None:
                raise ValidationError(_("Hộ %(code)s không có chủ hộ.") % {"code": code})
            facts = {k: row[k] for k in HOUSEHOLD_FACT_FIELDS if k in row}
            household = Household(
                code=code,
                commune=commune,
                village=village,
                area_path=(village or commune).path,
                address=row.get("address", ""),
                latitude=row.get("latitude"),
                longitude=row.get("longitude"),
                head_name=head["full_name"],
                head_sort_key=person_sort_key(head["family_name"], head["middle_name"], head["given_name"]),
                size=len(ms),
                **facts,
            )
            chunk.append((household, ms))
            if len(chunk) >= chunk_size:
                flush()
        if chunk:
            flush()
    return written


def _member_row(household: Household, m: dict[str, Any]) -> Member:
    dob = m["date_of_birth"]
    if isinstance(dob, str):
        dob = dt.date.fromisoformat(dob)
    try:
        validate_personal_id(m["personal_id"], date_of_birth=dob, sex=m["sex"])
    except InvalidPersonalId as exc:
        raise ValidationError(
            _("Hộ %(code)s, %(full_name)s: số định danh %(personal_id)s: %(exc)s")
            % {
                "code": household.code,
                "full_name": m["full_name"],
                "personal_id": m["personal_id"],
                "exc": exc,
            }
        )
    facts = {k: m[k] for k in MEMBER_FACT_FIELDS if k in m}
    return Member(
        household=household,
        personal_id=m["personal_id"],
        full_name=m["full_name"],
        search_name=fold(m["full_name"]),
        sort_key=person_sort_key(m["family_name"], m["middle_name"], m["given_name"]),
        date_of_birth=dob,
        sex=m["sex"],
        relation_to_head=m["relation_to_head"],
        **facts,
    )
