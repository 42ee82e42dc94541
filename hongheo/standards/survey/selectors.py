"""Readers for Phiếu A / Phiếu B data, and the preview of a table on a test household.

The rest of the product asks :func:`official_score_table_for` (and
:func:`official_screening_list_for`): only a *published* version with *official* provenance counts.
When it returns ``None`` the product classifies by measured income and says so on screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.core.errors import NotFound
from hongheo.standards.rules.catalog import Provenance as QuantityProvenance
from hongheo.standards.rules.catalog import Standard, StandardError, get_standard, standard_for_date
from hongheo.standards.rules.engine import CLASS_NAMES_VI, Classification, classify_household
from hongheo.standards.rules.scoring import (
    ScoreResult,
    ScoringError,
    ScreeningResult,
    region_area,
    score_household,
    screen_household,
)

from .models import Provenance, ScoreTable, ScreeningList, Status, _VersionedForm


def official_score_table_for(standard_code: str) -> ScoreTable | None:
    """The Phiếu B table the product may use for ``standard_code``: the latest published version
    with official provenance, or ``None`` (then classify by measured income)."""
    return (
        ScoreTable.objects.filter(
            standard_code=standard_code, status=Status.PUBLISHED, provenance=Provenance.OFFICIAL
        )
        .order_by("-published_at", "-version")
        .first()
    )


def official_screening_list_for(standard_code: str) -> ScreeningList | None:
    """The Phiếu A criteria in force for ``standard_code`` (published, official), or ``None``."""
    return (
        ScreeningList.objects.filter(
            standard_code=standard_code, status=Status.PUBLISHED, provenance=Provenance.OFFICIAL
        )
        .order_by("-published_at", "-version")
        .first()
    )


def standard_in_force(on: dt.date | None = None) -> Standard:
    return standard_for_date(on or timezone.localdate())


def superseded_ids(rows: list[Any]) -> set[int]:
    """Published versions that a later published version of the same code replaces."""
    latest: dict[str, int] = {}
    for r in rows:
        if r.status == Status.PUBLISHED:
            latest[r.code] = max(latest.get(r.code, 0), r.version)
    return {r.pk for r in rows if r.status == Status.PUBLISHED and r.version < latest[r.code]}


def form_versions(model: type[_VersionedForm]) -> list[Any]:
    rows = list(
        model._default_manager.select_related("imported_by", "published_by").order_by(
            "standard_code", "code", "-version"
        )
    )
    old = superseded_ids(rows)
    for r in rows:
        setattr(r, "superseded", r.pk in old)  # noqa: B010
    return rows


def score_table_by_id(pk: int) -> ScoreTable:
    obj = ScoreTable.objects.filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("Không tìm thấy bảng điểm."))
    return obj


def screening_list_by_id(pk: int) -> ScreeningList:
    obj = ScreeningList.objects.filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("Không tìm thấy danh sách tiêu chí Phiếu A."))
    return obj


@dataclass(frozen=True)
class ScorePreview:
    score: ScoreResult
    area: str
    score_b: float | None
    classification: Classification | None
    class_name: str
    cutoff: float | None
    cutoff_provenance: QuantityProvenance | None
    note: str
    ignored: tuple[str, ...]  # answered items that are not on the chosen region's form


def score_table_preview(
    table: ScoreTable, *, region: str, answers: Mapping[str, str], deprived_count: int
) -> ScorePreview:
    """Score A of a test household on ``region``'s form and the class it would get under the table's
    standard (its score cut-offs, and score B = points per indicator × ``deprived_count``).

    Raises :class:`ScoringError` for an unknown region or answer.
    """
    data = table.table()
    area = region_area(region)
    ignored = tuple(
        code
        for code, answer in answers.items()
        if answer and (it := data.item(code)) and not it.applies_to(region)
    )
    result = score_household(data, region, {k: v for k, v in answers.items() if k not in ignored})
    try:
        std = get_standard(table.standard_code)
    except StandardError:
        std = None
    scores = std.scores if std is not None else None
    cutoff = scores.poor_max[area].value if scores is not None else None
    cutoff_prov = scores.poor_max[area].provenance if scores is not None else None
    if std is None or scores is None or not scores.usable:
        return ScorePreview(
            result, area, None, None, "", cutoff, cutoff_prov,
            f"Chuẩn {table.standard_code} chưa có ngưỡng điểm Phiếu B; không xếp loại được theo điểm.",
            ignored,
        )  # fmt: skip
    if not result.complete:
        return ScorePreview(
            result, area, None, None, "", cutoff, cutoff_prov,
            f"Chưa trả lời {len(result.missing)} chỉ tiêu ({', '.join(result.missing)}); chưa xếp loại.",
            ignored,
        )  # fmt: skip
    score_b = float(deprived_count * (scores.points_per_indicator.value or 0))
    cls = classify_household(
        std, {"area": area, "income_per_capita": None, "score_a": result.score_a, "score_b": score_b}
    )
    return ScorePreview(
        result, area, score_b, cls, CLASS_NAMES_VI[cls.classification], cutoff, cutoff_prov, "", ignored
    )


def screening_preview(screening_list: ScreeningList, answers: Mapping[str, str]) -> ScreeningResult:
    return screen_household(screening_list.screening(), answers)


__all__ = [
    "ScorePreview",
    "ScoringError",
    "form_versions",
    "official_score_table_for",
    "official_screening_list_for",
    "score_table_by_id",
    "score_table_preview",
    "screening_list_by_id",
    "screening_preview",
    "standard_in_force",
]
