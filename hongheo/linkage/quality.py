"""The data-quality dashboard ("đúng, đủ, sạch, sống") per commune and province.

Figures per commune, all computed from the registry and the latest finished linkage run that
covers the commune:

* ``members``: active members; ``complete``: with ID number, full date of birth, sex and name (đủ);
* ``valid_ids``: ID numbers well-formed and in agreement with date of birth and sex (đúng);
* ``linked``: members with an accepted link to the population extract (đúng);
* ``duplicates``: members found in several households or communes (sạch);
* ``not_alive_or_resident``: members the extract says are deceased or moved away (sống);
  ``gone_listed``: of them, those whose household is still poor / near-poor or receiving support;
* ``last_update_days``: days since the commune's households were last updated (sống).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from django.db.models import Count, Max, Q
from django.utils import timezone

from hongheo.geography.models import Area
from hongheo.linkage.engine.prepare import prepare_registry
from hongheo.registry.models import Household, Member
from hongheo.users.access import scope_paths

from .models import GONE_KINDS, LISTED_KINDS, LinkageRun, LinkCandidate, LinkFinding, QualitySnapshot

FIGURES = (
    "members",
    "complete",
    "valid_ids",
    "linked",
    "duplicates",
    "not_alive_or_resident",
    "gone_listed",
    "last_update_days",
)
SHARES = ("complete", "valid_ids", "linked")


def communes_in(user: Any, area: Area) -> list[Area]:
    """Communes under ``area`` that the user covers."""
    paths = scope_paths(user)
    if not any(area.path.startswith(p) or p.startswith(area.path) for p in paths):
        return []
    qs = Area.objects.filter(level=Area.Level.COMMUNE, path__startswith=area.path, is_active=True)
    q = Q()
    for p in paths:
        q |= Q(path__startswith=p)
    return list(qs.filter(q).order_by("path"))


def _latest_run_for(commune: Area) -> LinkageRun | None:
    ancestors = [commune.path[: i + 1] for i, c in enumerate(commune.path) if c == "/"]
    return (
        LinkageRun.objects.filter(state=LinkageRun.State.DONE, area__path__in=ancestors)
        .order_by("-finished_at")
        .first()
    )


def flagged_member_ids(commune: Area, which: str) -> list[int]:
    """Members behind a figure: ``incomplete`` (not ``complete``) or ``invalid_id`` (not ``valid_ids``)."""
    rows = list(
        Member.objects.filter(is_active=True, household__commune=commune).values_list(
            "pk", "personal_id", "full_name", "date_of_birth", "sex", "household__code"
        )
    )
    if not rows:
        return []
    prepared = _prepared(rows, commune)
    if which == "incomplete":
        bad = ~(
            pl.col("pid").is_not_null()
            & pl.col("dob_m").is_not_null()
            & pl.col("sex").is_not_null()
            & pl.col("name_norm").is_not_null()
        )
    elif which == "invalid_id":
        bad = ~pl.col("pid_agrees")
    else:
        return []
    return [int(x) for x in prepared.filter(bad).get_column("unique_id").to_list()]


def _prepared(rows: list[Any], commune: Area) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "registry_row": [str(r[0]) for r in rows],
            "household_code": [r[5] for r in rows],
            "personal_id": [r[1] or "" for r in rows],
            "full_name": [r[2] or "" for r in rows],
            "dob": [r[3].isoformat() if r[3] else "" for r in rows],
            "sex": [r[4] or "" for r in rows],
            "commune_code": [commune.code] * len(rows),
        }
    )
    return prepare_registry(frame).frame


def commune_figures(commune: Area) -> dict[str, Any]:
    rows = list(
        Member.objects.filter(is_active=True, household__commune=commune).values_list(
            "pk", "personal_id", "full_name", "date_of_birth", "sex", "household__code"
        )
    )
    figures: dict[str, Any] = {"commune": commune.code, "name": commune.name, "members": len(rows)}
    if rows:
        frame = pl.DataFrame(
            {
                "registry_row": [str(r[0]) for r in rows],
                "household_code": [r[5] for r in rows],
                "personal_id": [r[1] or "" for r in rows],
                "full_name": [r[2] or "" for r in rows],
                "dob": [r[3].isoformat() if r[3] else "" for r in rows],
                "sex": [r[4] or "" for r in rows],
                "commune_code": [commune.code] * len(rows),
            }
        )
        prepared = prepare_registry(frame).frame
        complete = prepared.select(
            (
                pl.col("pid").is_not_null()
                & pl.col("dob_m").is_not_null()
                & pl.col("sex").is_not_null()
                & pl.col("name_norm").is_not_null()
            ).sum()
        ).item()
        valid = int(prepared.get_column("pid_agrees").sum())
    else:
        complete = valid = 0
    figures["complete"] = int(complete)
    figures["valid_ids"] = valid
    run = _latest_run_for(commune)
    figures["run"] = run.pk if run else None
    if run is not None:
        figures["linked"] = (
            LinkCandidate.objects.filter(
                run=run, household__commune=commune, status=LinkCandidate.Status.ACCEPTED
            )
            .values("member")
            .distinct()
            .count()
        )
        counts = dict(
            LinkFinding.objects.filter(run=run, commune=commune)
            .values_list("kind")
            .annotate(n=Count("pk"))
            .values_list("kind", "n")
        )
        figures["duplicates"] = counts.get("several_households", 0) + counts.get("several_communes", 0)
        figures["not_alive_or_resident"] = sum(counts.get(k, 0) for k in GONE_KINDS)
        figures["gone_listed"] = sum(counts.get(k, 0) for k in LISTED_KINDS)
        figures["not_found"] = counts.get("not_found", 0)
    else:
        figures.update(
            linked=None, duplicates=None, not_alive_or_resident=None, gone_listed=None, not_found=None
        )
    last = Household.objects.filter(commune=commune).aggregate(m=Max("updated_at"))["m"]
    figures["last_update_days"] = (timezone.now() - last).days if last else None
    for share in SHARES:
        value = figures.get(share)
        figures[f"{share}_pct"] = (
            round(100 * value / figures["members"], 1) if value is not None and figures["members"] else None
        )
    return figures


def quality_table(user: Any, area: Area) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows = [commune_figures(c) for c in communes_in(user, area)]
    total: dict[str, Any] = {
        "name": area.name,
        "commune": area.code,
        "members": sum(r["members"] for r in rows),
    }
    for key in (
        "complete",
        "valid_ids",
        "linked",
        "duplicates",
        "not_alive_or_resident",
        "gone_listed",
        "not_found",
    ):
        values = [r[key] for r in rows if r.get(key) is not None]
        total[key] = sum(values) if values else None
    for share in SHARES:
        v = total.get(share)
        total[f"{share}_pct"] = (
            round(100 * v / total["members"], 1) if v is not None and total["members"] else None
        )
    ages = [r["last_update_days"] for r in rows if r["last_update_days"] is not None]
    total["last_update_days"] = max(ages) if ages else None
    return rows, total


def snapshot_run(run: LinkageRun) -> None:
    """Record the quality figures of every commune the run covered (the trend)."""
    communes = Area.objects.filter(
        level=Area.Level.COMMUNE, path__startswith=run.area.path, households__isnull=False
    ).distinct()
    QualitySnapshot.objects.bulk_create(
        [QualitySnapshot(area=c, run=run, figures=commune_figures(c)) for c in communes]
    )


def trend(area: Area, limit: int = 12) -> list[dict[str, Any]]:
    """Per snapshot date: linked share and findings over the communes of ``area``."""
    snaps = QualitySnapshot.objects.filter(area__path__startswith=area.path).order_by("taken_at")
    by_run: dict[Any, dict[str, Any]] = {}
    for s in snaps:
        key = s.run_id or s.taken_at
        entry = by_run.setdefault(
            key, {"at": s.taken_at, "run": s.run_id, "members": 0, "linked": 0, "valid_ids": 0}
        )
        entry["members"] += s.figures.get("members") or 0
        entry["linked"] += s.figures.get("linked") or 0
        entry["valid_ids"] += s.figures.get("valid_ids") or 0
    out = list(by_run.values())[-limit:]
    for e in out:
        e["linked_pct"] = round(100 * e["linked"] / e["members"], 1) if e["members"] else None
        e["valid_ids_pct"] = round(100 * e["valid_ids"] / e["members"], 1) if e["members"] else None
    return out


def quality_workbook(rows: list[dict[str, Any]], total: dict[str, Any], area: Area) -> bytes:
    import io

    from hongheo.core.xlsx import new_workbook

    buf = io.BytesIO()
    wb = new_workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Chat luong du lieu")
    head = [
        "Mã xã",
        "Xã/phường",
        "Nhân khẩu",
        "Đủ thông tin",
        "% đủ",
        "Số định danh hợp lệ",
        "% hợp lệ",
        "Đã liên thông",
        "% liên thông",
        "Trùng lặp",
        "Đã chết/chuyển đi",
        "Trong đó còn trong danh sách hoặc nhận hỗ trợ",
        "Không tìm thấy",
        "Số ngày từ lần cập nhật cuối",
    ]
    ws.write_row(0, 0, [f"Chất lượng dữ liệu: {area.name} ({dt.date.today():%d/%m/%Y})"])
    ws.write_row(1, 0, head)
    keys = [
        "commune",
        "name",
        "members",
        "complete",
        "complete_pct",
        "valid_ids",
        "valid_ids_pct",
        "linked",
        "linked_pct",
        "duplicates",
        "not_alive_or_resident",
        "gone_listed",
        "not_found",
        "last_update_days",
    ]
    for i, r in enumerate([*rows, total], start=2):
        for j, k in enumerate(keys):
            v = r.get(k)
            if isinstance(v, str):
                ws.write_string(i, j, v)
            elif v is None:
                ws.write_blank(i, j, None)
            else:
                ws.write_number(i, j, v)
    wb.close()
    return buf.getvalue()
