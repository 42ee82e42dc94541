"""Classifying the households of an area in the database (xếp loại hộ theo chuẩn nghèo).

A snapshot of household and member facts is read in chunks into polars, the indicators are
derived and the households classified by the vectorised engine, and the results are written back
in chunks. An official run only becomes current when every row is written (one short transaction
flips ``is_current``), so a crash leaves the previous results in force and a re-run is safe. A
"what if" run stores only per-commune counts and never touches official results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_write
from hongheo.core.bulkio import insert_frame, queryset_frame
from hongheo.core.errors import PermissionDenied, ValidationError
from hongheo.geography.models import Area
from hongheo.registry.models import Household, Member
from hongheo.users.access import user_covers_area
from hongheo.users.models import Role

from .facts import HOUSEHOLD_FACTS, MEMBER_FACTS
from .models import ClassificationRun, HouseholdClassification
from .rules.catalog import Standard
from .selectors import standard_get, standard_in_force

CLASSIFY_ROLES = {Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER, Role.ADMINISTRATOR}
WRITE_CHUNK = 50_000

Progress = Callable[[int, int, str], None]


def _noop(done: int, total: int, message: str) -> None:
    return None


def check_can_classify(actor: Any, area: Area) -> None:
    if actor is None:
        return
    if getattr(actor, "role", None) not in CLASSIFY_ROLES or not user_covers_area(actor, area):
        raise PermissionDenied(_("Bạn không có quyền xếp loại hộ ở địa bàn này."))


HOUSEHOLD_SCHEMA = {
    "household_pk": "Int64",
    "commune_id": "Int64",
    "area": "Utf8",
    "housing_quality": "Utf8",
    "floor_area_m2": "Float64",
    "water_source": "Utf8",
    "toilet": "Utf8",
    "waste_handling": "Utf8",
    "internet": "Boolean",
    "information_devices": "Int64",
    "income_per_capita": "Int64",
}
MEMBER_SCHEMA = {
    "household_pk": "Int64",
    "date_of_birth": "Date",
    "sex": "Utf8",
    "relation_to_head": "Utf8",
    "health_insurance": "Boolean",
    "in_school": "Boolean",
    "education_level": "Utf8",
    "has_qualification": "Boolean",
    "employment": "Utf8",
    "disability": "Boolean",
    "disability_allowance": "Boolean",
    "undernourished": "Boolean",
}


def load_facts(area: Area) -> tuple[Any, Any]:
    """Households (with their commune's urban/rural class) and members of an area, as frames."""
    import polars as pl

    def dtypes(schema: dict[str, str]) -> dict[str, Any]:
        return {name: getattr(pl, kind) for name, kind in schema.items()}

    households = Household.objects.filter(area_path__startswith=area.path, is_active=True).order_by("id")
    hh = queryset_frame(
        households,
        ["id", "commune_id", "commune__setting", *HOUSEHOLD_FACTS],
        list(HOUSEHOLD_SCHEMA),
        dtypes(HOUSEHOLD_SCHEMA),
    )
    members = Member.objects.filter(
        household__area_path__startswith=area.path, household__is_active=True, is_active=True
    ).order_by()
    mm = queryset_frame(members, ["household_id", *MEMBER_FACTS], list(MEMBER_SCHEMA), dtypes(MEMBER_SCHEMA))
    hh = hh.with_columns(pl.col("household_pk").cast(pl.Utf8).alias("household_id"))
    mm = mm.with_columns(pl.col("household_pk").cast(pl.Utf8).alias("household_id"))
    return hh, mm


def classify_frames(standard: Standard, hh: Any, mm: Any, reference_date: dt.date) -> Any:
    """Derive indicators and classify; households without a measured income are left out."""
    import polars as pl

    from .rules.engine import classify_frame
    from .rules.indicators import derive_deprivations

    ready = hh.filter(pl.col("income_per_capita").is_not_null() & pl.col("area").is_in(["rural", "urban"]))
    if ready.height == 0:
        return ready.select("household_pk", "commune_id").with_columns(
            pl.lit("").alias("classification"), pl.lit(0).alias("deprived_count")
        ).head(0), hh.height
    derived = derive_deprivations(ready, mm, standard=standard, reference_date=reference_date)
    frame = ready.select("household_id", "household_pk", "commune_id", "area", "income_per_capita").join(
        derived.select("household_id", "deprived"), on="household_id", how="left", maintain_order="left"
    )
    result = classify_frame(standard, frame.select("household_id", "area", "income_per_capita", "deprived"))
    out = pl.concat(
        [
            frame.select("household_pk", "commune_id", "area", "deprived"),
            result.select("classification", "deprived_count", "reason", "basis", "income_used", "threshold"),
        ],
        how="horizontal",
    )
    return out, hh.height - ready.height


def _counts(frame: Any) -> dict[str, dict[str, int]]:
    summary: dict[str, dict[str, int]] = {}
    for commune_id, cls, n in frame.group_by("commune_id", "classification").len().iter_rows():
        summary.setdefault(str(commune_id), {})[cls] = int(n)
    return summary


def classification_run(
    *,
    actor: Any,
    area: Area,
    standard_code: str | None = None,
    reference_date: dt.date | None = None,
    kind: str = ClassificationRun.Kind.OFFICIAL,
    job: Any = None,
    progress: Progress = _noop,
) -> ClassificationRun:
    import polars as pl

    check_can_classify(actor, area)
    if area.level not in (Area.Level.PROVINCE, Area.Level.COMMUNE, Area.Level.VILLAGE):
        raise ValidationError(_("Chỉ xếp loại được theo tỉnh, xã hoặc thôn."))
    reference_date = reference_date or timezone.localdate()
    province_code = area.province_code or None
    standard = (  # a what-if run may preview a draft (issue 8: it failed with "Không có chuẩn nghèo mã")
        standard_get(standard_code, include_drafts=kind == ClassificationRun.Kind.WHAT_IF)
        if standard_code
        else standard_in_force(reference_date, province_code=province_code)
    )
    run = ClassificationRun.objects.create(
        area=area,
        standard_code=standard.code,
        kind=kind,
        reference_date=reference_date,
        job=job,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        progress(0, 100, "Đọc dữ liệu hộ và nhân khẩu")
        hh, mm = load_facts(area)
        progress(15, 100, f"Tính chỉ số thiếu hụt và xếp loại {hh.height} hộ")
        result, skipped = classify_frames(standard, hh, mm, reference_date)
        prev = queryset_frame(
            HouseholdClassification.objects.filter(
                household__area_path__startswith=area.path, is_current=True
            ).annotate(_at=Cast("classified_at", CharField())),
            ["household_id", "classification", "deprived", "_at"],
            ["household_pk", "previous", "previous_deprived", "previous_at"],
            {
                "household_pk": pl.Int64,
                "previous": pl.Utf8,
                "previous_deprived": pl.Utf8,
                "previous_at": pl.Utf8,
            },
        ).with_columns(pl.col("previous_deprived").fill_null(""), _parse_timestamp(pl.col("previous_at")))
        joined = result.with_columns(pl.col("household_pk").cast(pl.Int64)).join(
            prev, on="household_pk", how="left"
        )
        changed = joined.filter(
            pl.col("previous").is_null() | (pl.col("previous") != pl.col("classification"))
        )
        changes: dict[str, dict[str, int]] = {}
        for commune_id, before, after, n in (
            changed.group_by("commune_id", "previous", "classification").len().iter_rows()
        ):
            changes.setdefault(str(commune_id), {})[f"{before or 'none'}→{after}"] = int(n)
        run.summary = {"communes": _counts(result), "skipped_no_income": skipped}
        run.changes = changes
        run.households = result.height
        if kind == ClassificationRun.Kind.OFFICIAL:
            _write_results(run, standard, joined, progress)
        progress(100, 100, "Hoàn thành")
        run.state = ClassificationRun.State.DONE
        run.finished_at = timezone.now()
        with transaction.atomic():
            run.save(update_fields=["summary", "changes", "households", "state", "finished_at"])
            if kind != ClassificationRun.Kind.OFFICIAL:
                # an official run is audited with its results (_write_results); a what-if run only here
                audit_write(
                    actor=run.created_by,
                    action="standards.what_if_run",
                    obj=run,
                    after={"standard": standard.code, "area": area.code, "households": run.households},
                    area_code=area.code,
                )
    except Exception:
        HouseholdClassification.objects.filter(run=run).delete()
        ClassificationRun.objects.filter(pk=run.pk).update(
            state=ClassificationRun.State.FAILED, finished_at=timezone.now()
        )
        raise
    return run


def _write_results(run: ClassificationRun, standard: Standard, joined: Any, progress: Progress) -> None:
    """Write every result inside one transaction: the new results become current and the previous
    ones stop being current together, or nothing changes at all.

    A previous result that said exactly the same (same class, same deprived indicators) is
    replaced by a row of this run that keeps its ``classified_at`` (the time since when that result
    holds: reports on a past date read the result in force that day); one that differed is kept, no
    longer current, as the household's history. So the history holds every change without a
    province re-run rewriting hundreds of thousands of rows, and a re-run never changes a past report.
    """
    import polars as pl

    total = joined.height
    now = timezone.now()
    differs = (pl.col("previous") != pl.col("classification")) | (
        pl.col("previous_deprived") != pl.col("deprived").fill_null("")
    )
    frame = joined.select(
        pl.lit(str(run.pk)).alias("run_id"),
        pl.col("household_pk").alias("household_id"),
        pl.lit(standard.code).alias("standard_code"),
        "classification",
        pl.col("area").alias("area_setting"),
        "income_used",
        "threshold",
        "deprived_count",
        pl.col("deprived").fill_null(""),
        pl.col("reason").str.slice(0, 400),
        "basis",
        pl.lit(True).alias("is_current"),
        # a result that says what the previous one said keeps the time since when it holds, so a
        # report on a past date still finds it (see _write_results)
        pl.when(pl.col("previous").is_not_null() & ~differs)
        .then(
            pl.coalesce(
                pl.col("previous_at"), pl.lit(now).dt.cast_time_unit("us").dt.convert_time_zone("UTC")
            )
        )
        .otherwise(pl.lit(now).dt.cast_time_unit("us").dt.convert_time_zone("UTC"))
        .alias("classified_at"),
    )
    kept = joined.filter(pl.col("previous").is_not_null() & differs)["household_pk"].to_list()
    written = 0
    with transaction.atomic():
        for start in range(0, len(kept), 10_000):
            HouseholdClassification.objects.filter(
                is_current=True, household_id__in=kept[start : start + 10_000]
            ).update(is_current=False)
        HouseholdClassification.objects.filter(
            household__area_path__startswith=run.area.path, is_current=True
        ).delete()
        progress(35, 100, "Ghi kết quả mới")
        for start in range(0, total, WRITE_CHUNK):
            written += insert_frame(HouseholdClassification, frame.slice(start, WRITE_CHUNK))
            progress(35 + int(60 * written / max(total, 1)), 100, f"Đã ghi {written}/{total} kết quả")
        progress(96, 100, "Đưa kết quả mới vào sử dụng")
        audit_write(
            actor=run.created_by,
            action="standards.classification_run",
            obj=run,
            after={
                "standard": standard.code,
                "area": run.area.code,
                "households": total,
                "kept_as_history": len(kept),
                "changes": run.changes,
            },
            area_code=run.area.code,
        )


def _parse_timestamp(text: Any) -> Any:
    """A ``classified_at`` read as text (PostgreSQL: ``2025-01-02 09:00:00.123456+00``; SQLite:
    ``2025-01-02 09:00:00.123456``, UTC) as a UTC datetime column."""
    import polars as pl

    cleaned = text.str.replace(r"[+-]00(:?00)?$", "").str.replace("T", " ", literal=True)
    return (
        pl.when(cleaned.str.contains(r"\."))
        .then(cleaned.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_unit="us", strict=False))
        .otherwise(cleaned.str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us", strict=False))
        .dt.replace_time_zone("UTC")
        .alias("previous_at")
    )
