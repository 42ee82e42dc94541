"""Phiếu B income score (điểm A) and Phiếu A quick screening, as data. Pure: no Django, no openpyxl.

The official Phiếu B point table (Thông tư 07/2021/TT-BLĐTBXH, Phụ lục III/IV) and the Phiếu A
exclusion criteria (Phụ lục II) could not be verified (fact sheet §3.7, §3.8; addendum §3, §4), so
nothing here holds a single point or criterion: both are loaded by an administrator as data.

**Score table** (bảng điểm Phiếu B). One urban form and six regional rural forms::

    urban       Thành thị
    rural_nt1   Nông thôn Đồng bằng sông Hồng
    rural_nt2   Nông thôn Trung du và miền núi phía Bắc
    rural_nt3   Nông thôn Bắc Trung Bộ và Duyên hải miền Trung
    rural_nt4   Nông thôn Tây Nguyên
    rural_nt5   Nông thôn Đông Nam Bộ
    rural_nt6   Nông thôn Đồng bằng sông Cửu Long

NT1 = Red River Delta and NT2 = Northern midlands follow Phụ lục 3b of Thông tư 17/2016 (the
2016–2020 analogue, verified); NT3 is verified there too, NT4–NT6 and the 2022–2025 numbering are not.
The forms are always named with the region in words next to the code, so a mismatch is visible.

A table has *items* (chỉ tiêu: code, label) with *answers* (phương án: code, label) and, per answer,
points for each form region; ``None`` means the item is not on that region's form. An optional
constant term per region (item code :data:`CONSTANT_ITEM`) is added to every score. Score A is the
constant plus the points of the chosen answers.

It is imported from two parts, like the circular: the questionnaire (one row per item × answer) and
the point table (one row per item × answer, one points column per region). :func:`validate_score_rows`
lists every bad row (Excel row numbers) and :func:`build_score_table` builds the table or raises
:class:`RowsInvalid` with all of them.

**Screening list** (Phiếu A). Criteria (tiêu chí: code, label) with answers, each answer flagged
"excludes the household at once". Rule ``exclude_if_any``: a household is excluded as soon as one
answer it gave is an excluding answer (addendum §3).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

FORM_REGIONS: tuple[str, ...] = (
    "urban",
    "rural_nt1",
    "rural_nt2",
    "rural_nt3",
    "rural_nt4",
    "rural_nt5",
    "rural_nt6",
)
REGION_NAMES_VI: dict[str, str] = {
    "urban": "Thành thị",
    "rural_nt1": "Nông thôn NT1 – Đồng bằng sông Hồng",
    "rural_nt2": "Nông thôn NT2 – Trung du và miền núi phía Bắc",
    "rural_nt3": "Nông thôn NT3 – Bắc Trung Bộ và Duyên hải miền Trung",
    "rural_nt4": "Nông thôn NT4 – Tây Nguyên",
    "rural_nt5": "Nông thôn NT5 – Đông Nam Bộ",
    "rural_nt6": "Nông thôn NT6 – Đồng bằng sông Cửu Long",
}
CONSTANT_ITEM = "HANG_SO"
NOT_APPLICABLE = frozenset({"-", "–", "—"})
SCREENING_RULE = "exclude_if_any"
YES_VALUES = frozenset({"có", "co", "x", "yes", "1", "true", "đúng"})
NO_VALUES = frozenset({"không", "khong", "", "no", "0", "false"})
MAX_POINTS = 100_000
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")


def region_area(region: str) -> str:
    """``urban`` → ``"urban"``; every ``rural_nt*`` form → ``"rural"`` (the engine's areas)."""
    if region not in FORM_REGIONS:
        raise ScoringError(f"vùng {region!r} không hợp lệ; có {', '.join(FORM_REGIONS)}")
    return "urban" if region == "urban" else "rural"


class ScoringError(ValueError):
    """Answers that cannot be scored or screened (unknown region, item, answer or criterion)."""


@dataclass(frozen=True)
class RowError:
    """One bad row. ``row`` is the Excel row number (``None`` when the whole sheet is at fault)."""

    sheet: str
    row: int | None
    column: str
    message: str
    kind: str

    def __str__(self) -> str:
        where = self.sheet + (f", dòng {self.row}" if self.row is not None else "")
        if self.column:
            where += f", cột {self.column}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "kind": self.kind,
        }


class RowsInvalid(ValueError):
    """Raised by the builders with every bad row."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


# ---------------------------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A spreadsheet cell as trimmed text; ``2.0`` → ``"2"`` (codes typed as numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def parse_points(value: Any) -> float | None:
    """A points cell: a number, or a dash for "not on this region's form" (``None``).

    Raises ``ValueError("missing")`` for a blank cell and ``ValueError("nan")`` for text.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("missing")
    if isinstance(value, bool):
        raise ValueError("nan")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        if text in NOT_APPLICABLE:
            return None
        try:
            number = float(text.replace(" ", "").replace(",", "."))
        except ValueError:
            raise ValueError("nan") from None
    if not math.isfinite(number) or abs(number) > MAX_POINTS:
        raise ValueError("nan")
    return number


def _code_problem(code: str) -> str | None:
    if not code:
        return "thiếu mã"
    if not CODE_RE.match(code):
        return f"mã {code!r} không hợp lệ (chữ, số, '_', '.', '-'; tối đa 40 ký tự)"
    return None


# ---------------------------------------------------------------------------------------------
# Score table
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreAnswer:
    code: str
    label: str
    points: Mapping[str, float | None]  # region → points; None = item not on that region's form


@dataclass(frozen=True)
class ScoreItem:
    code: str
    label: str
    answers: tuple[ScoreAnswer, ...]

    def applies_to(self, region: str) -> bool:
        return any(a.points.get(region) is not None for a in self.answers)

    def answer(self, code: str) -> ScoreAnswer | None:
        for a in self.answers:
            if a.code == code:
                return a
        return None


@dataclass(frozen=True)
class ScoreTable:
    items: tuple[ScoreItem, ...]
    constants: Mapping[str, float] = field(default_factory=dict)  # region → constant term

    def item(self, code: str) -> ScoreItem | None:
        for it in self.items:
            if it.code == code:
                return it
        return None

    def items_for(self, region: str) -> tuple[ScoreItem, ...]:
        """The items on ``region``'s form, in table order."""
        region_area(region)
        return tuple(it for it in self.items if it.applies_to(region))

    def as_dict(self) -> dict[str, Any]:
        return {
            "regions": list(FORM_REGIONS),
            "constants": {r: self.constants[r] for r in FORM_REGIONS if r in self.constants},
            "items": [
                {
                    "code": it.code,
                    "label": it.label,
                    "answers": [
                        {
                            "code": a.code,
                            "label": a.label,
                            "points": {r: a.points.get(r) for r in FORM_REGIONS},
                        }
                        for a in it.answers
                    ],
                }
                for it in self.items
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoreTable:
        items = tuple(
            ScoreItem(
                code=it["code"],
                label=it["label"],
                answers=tuple(
                    ScoreAnswer(
                        a["code"],
                        a["label"],
                        {
                            r: (None if a["points"].get(r) is None else float(a["points"][r]))
                            for r in FORM_REGIONS
                        },
                    )
                    for a in it["answers"]
                ),
            )
            for it in data.get("items", [])
        )
        constants = {r: float(v) for r, v in (data.get("constants") or {}).items() if v is not None}
        return cls(items=items, constants=constants)


@dataclass(frozen=True)
class QuestionRow:
    """A questionnaire row (one item × answer). ``item_label`` may be blank after an item's first row."""

    row: int
    item_code: Any
    item_label: Any
    answer_code: Any
    answer_label: Any


@dataclass(frozen=True)
class PointRow:
    """A point-table row: item × answer, raw cell per region column present in the sheet."""

    row: int
    item_code: Any
    answer_code: Any
    points: Mapping[str, Any]


QUESTION_SHEET = "Phiếu B - Câu hỏi"
POINT_SHEET = "Phiếu B - Điểm"
SCREENING_SHEET = "Phiếu A - Tiêu chí"


def _points_column(region: str) -> str:
    return f"{REGION_NAMES_VI[region]} ({region})"


def validate_score_rows(
    rows: Sequence[PointRow],
    questions: Sequence[QuestionRow],
    *,
    regions: Collection[str] = FORM_REGIONS,
    header_row: int = 1,
    question_sheet: str = QUESTION_SHEET,
    point_sheet: str = POINT_SHEET,
) -> list[RowError]:
    """Every problem in a score table's rows, in sheet and row order (empty when valid).

    ``regions`` are the region columns present in the point sheet (a missing one is reported on
    ``header_row``). Kinds: ``missing_region`` (column), ``missing_value``, ``not_a_number``,
    ``unknown_item``, ``unknown_answer``, ``duplicate_row``, ``missing_points``, ``mixed_form``,
    ``bad_code``, ``missing_label``, ``label_conflict``, ``empty``.
    """
    q_errors: list[RowError] = []
    p_errors: list[RowError] = []

    # -- questionnaire ------------------------------------------------------------------------
    item_labels: dict[str, tuple[str, int]] = {}
    answers: dict[tuple[str, str], int] = {}
    for q in questions:
        item = cell_text(q.item_code)
        answer = cell_text(q.answer_code)
        label = cell_text(q.item_label)
        problem = _code_problem(item)
        if problem:
            q_errors.append(RowError(question_sheet, q.row, "Mã chỉ tiêu", problem, "bad_code"))
            continue
        if item == CONSTANT_ITEM:
            q_errors.append(
                RowError(
                    question_sheet,
                    q.row,
                    "Mã chỉ tiêu",
                    f"{CONSTANT_ITEM} là mã dành cho hằng số, chỉ ghi ở trang {point_sheet}",
                    "bad_code",
                )
            )
            continue
        if item in item_labels:
            first_label, first_row = item_labels[item]
            if label and label != first_label:
                q_errors.append(
                    RowError(
                        question_sheet,
                        q.row,
                        "Tên chỉ tiêu",
                        f"tên chỉ tiêu {item} khác với dòng {first_row} ({first_label!r})",
                        "label_conflict",
                    )
                )
        elif not label:
            q_errors.append(
                RowError(question_sheet, q.row, "Tên chỉ tiêu", f"thiếu tên chỉ tiêu {item}", "missing_label")
            )
            item_labels[item] = ("", q.row)
        else:
            item_labels[item] = (label, q.row)
        problem = _code_problem(answer)
        if problem:
            q_errors.append(RowError(question_sheet, q.row, "Mã phương án", problem, "bad_code"))
            continue
        if not cell_text(q.answer_label):
            q_errors.append(
                RowError(
                    question_sheet, q.row, "Phương án trả lời", "thiếu nội dung phương án", "missing_label"
                )
            )
        key = (item, answer)
        if key in answers:
            q_errors.append(
                RowError(
                    question_sheet,
                    q.row,
                    "Mã phương án",
                    f"trùng dòng {answers[key]} (chỉ tiêu {item}, phương án {answer})",
                    "duplicate_row",
                )
            )
            continue
        answers[key] = q.row
    if not questions:
        q_errors.append(RowError(question_sheet, None, "", "chưa có dòng nào", "empty"))

    # -- point table --------------------------------------------------------------------------
    for region in FORM_REGIONS:
        if region not in regions:
            p_errors.append(
                RowError(
                    point_sheet,
                    header_row,
                    _points_column(region),
                    f"thiếu cột điểm của vùng {REGION_NAMES_VI[region]} ({region})",
                    "missing_region",
                )
            )
    present = [r for r in FORM_REGIONS if r in regions]
    seen: dict[tuple[str, str], int] = {}
    applicable: dict[tuple[str, str], tuple[bool, int]] = {}  # (item, region) → (on form?, first row)
    for p in rows:
        item = cell_text(p.item_code)
        answer = cell_text(p.answer_code)
        if not item:
            p_errors.append(RowError(point_sheet, p.row, "Mã chỉ tiêu", "thiếu mã", "bad_code"))
            continue
        if item == CONSTANT_ITEM:
            if answer:
                p_errors.append(
                    RowError(
                        point_sheet,
                        p.row,
                        "Mã phương án",
                        f"dòng hằng số {CONSTANT_ITEM} không có mã phương án",
                        "bad_code",
                    )
                )
                continue
        elif item not in item_labels:
            p_errors.append(
                RowError(
                    point_sheet,
                    p.row,
                    "Mã chỉ tiêu",
                    f"chỉ tiêu {item} không có trong trang {question_sheet}",
                    "unknown_item",
                )
            )
            continue
        elif (item, answer) not in answers:
            text = f"phương án {answer} không có trong chỉ tiêu {item}" if answer else "thiếu mã phương án"
            p_errors.append(RowError(point_sheet, p.row, "Mã phương án", text, "unknown_answer"))
            continue
        key = (item, answer)
        if key in seen:
            what = "hằng số" if item == CONSTANT_ITEM else f"chỉ tiêu {item}, phương án {answer}"
            p_errors.append(
                RowError(
                    point_sheet, p.row, "Mã phương án", f"trùng dòng {seen[key]} ({what})", "duplicate_row"
                )
            )
            continue
        seen[key] = p.row
        for region in present:
            column = _points_column(region)
            try:
                value = parse_points(p.points.get(region))
            except ValueError as exc:
                if str(exc) == "missing":
                    p_errors.append(
                        RowError(
                            point_sheet,
                            p.row,
                            column,
                            "thiếu điểm (ghi '-' nếu vùng này không hỏi)",
                            "missing_value",
                        )
                    )
                else:
                    p_errors.append(
                        RowError(
                            point_sheet,
                            p.row,
                            column,
                            f"điểm {cell_text(p.points.get(region))!r} không phải là số",
                            "not_a_number",
                        )
                    )
                continue
            if item == CONSTANT_ITEM:
                if value is None:
                    p_errors.append(
                        RowError(
                            point_sheet,
                            p.row,
                            column,
                            "hằng số phải là số (ghi 0 nếu không có)",
                            "not_a_number",
                        )
                    )
                continue
            on_form = value is not None
            first = applicable.setdefault((item, region), (on_form, p.row))
            if first[0] != on_form:
                p_errors.append(
                    RowError(
                        point_sheet,
                        p.row,
                        column,
                        f"chỉ tiêu {item}: dòng {first[1]} {'có điểm' if first[0] else 'ghi -'} ở vùng này, "
                        f"dòng này {'có điểm' if on_form else 'ghi -'}; mọi phương án của một chỉ tiêu phải "
                        "cùng có điểm hoặc cùng ghi '-'",
                        "mixed_form",
                    )
                )
    for (item, answer), qrow in answers.items():
        if (item, answer) not in seen and item in item_labels:
            q_errors.append(
                RowError(
                    question_sheet,
                    qrow,
                    "Mã phương án",
                    f"phương án {answer} của chỉ tiêu {item} chưa có dòng điểm ở trang {point_sheet}",
                    "missing_points",
                )
            )
    q_errors.sort(key=lambda e: e.row or 0)
    return q_errors + p_errors


def build_score_table(
    rows: Sequence[PointRow],
    questions: Sequence[QuestionRow],
    *,
    regions: Collection[str] = FORM_REGIONS,
    header_row: int = 1,
) -> ScoreTable:
    """Validate and build; raise :class:`RowsInvalid` listing every bad row."""
    errors = validate_score_rows(rows, questions, regions=regions, header_row=header_row)
    if errors:
        raise RowsInvalid(errors)
    labels: dict[str, str] = {}
    order: list[str] = []
    answer_labels: dict[str, list[tuple[str, str]]] = {}
    for q in questions:
        item, label = cell_text(q.item_code), cell_text(q.item_label)
        if item not in labels:
            labels[item] = label
            order.append(item)
            answer_labels[item] = []
        answer_labels[item].append((cell_text(q.answer_code), cell_text(q.answer_label)))
    points: dict[tuple[str, str], dict[str, float | None]] = {}
    constants: dict[str, float] = {}
    for p in rows:
        parsed = {r: parse_points(p.points.get(r)) for r in FORM_REGIONS}
        item = cell_text(p.item_code)
        if item == CONSTANT_ITEM:
            constants = {r: float(v) for r, v in parsed.items() if v is not None}
        else:
            points[(item, cell_text(p.answer_code))] = parsed
    items = tuple(
        ScoreItem(
            code=item,
            label=labels[item],
            answers=tuple(
                ScoreAnswer(code, label, points[(item, code)]) for code, label in answer_labels[item]
            ),
        )
        for item in order
    )
    return ScoreTable(items=items, constants=constants)


@dataclass(frozen=True)
class ItemPoints:
    item_code: str
    item_label: str
    answer_code: str
    answer_label: str
    points: float


@dataclass(frozen=True)
class ScoreResult:
    region: str
    score_a: float  # constant + points of the answered items (partial when items are missing)
    constant: float
    items: tuple[ItemPoints, ...]
    missing: tuple[str, ...]  # item codes on the region's form without an answer

    @property
    def complete(self) -> bool:
        return not self.missing


def score_household(table: ScoreTable, region: str, answers: Mapping[str, Any]) -> ScoreResult:
    """Score A of one household on ``region``'s form: constant + points of each answered item.

    ``answers`` maps item codes to answer codes; a blank answer counts as missing. Raises
    :class:`ScoringError` for an unknown region, an item not on the form, or an unknown answer.
    """
    region_area(region)
    given = {cell_text(k): cell_text(v) for k, v in answers.items()}
    problems: list[str] = []
    for code in given:
        item = table.item(code)
        if item is None:
            problems.append(f"chỉ tiêu {code!r} không có trong bảng điểm")
        elif not item.applies_to(region):
            problems.append(f"chỉ tiêu {code!r} không có trong phiếu {REGION_NAMES_VI[region]}")
        elif given[code] and item.answer(given[code]) is None:
            problems.append(f"phương án {given[code]!r} không có trong chỉ tiêu {code!r}")
    if problems:
        raise ScoringError("; ".join(problems))
    constant = float(table.constants.get(region, 0.0))
    total = constant
    lines: list[ItemPoints] = []
    missing: list[str] = []
    for item in table.items_for(region):
        code = given.get(item.code, "")
        if not code:
            missing.append(item.code)
            continue
        answer = item.answer(code)
        assert answer is not None
        value = answer.points[region]
        assert value is not None
        total += value
        lines.append(ItemPoints(item.code, item.label, answer.code, answer.label, value))
    return ScoreResult(region, round(total, 6), constant, tuple(lines), tuple(missing))


def answer_sets(table: ScoreTable, region: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Built-in test households for previewing a table: ``key → (Vietnamese name, answers)``.

    They depend only on the table (lowest / highest points on every item, and the first answer of
    every item), so they work for any imported table.
    """
    items = table.items_for(region)

    def pick(item: ScoreItem, best: bool) -> str:
        ranked = sorted(item.answers, key=lambda a: a.points[region] or 0.0, reverse=best)
        return ranked[0].code

    return {
        "thap_nhat": ("Hộ thử: điểm thấp nhất ở mọi chỉ tiêu", {i.code: pick(i, False) for i in items}),
        "cao_nhat": ("Hộ thử: điểm cao nhất ở mọi chỉ tiêu", {i.code: pick(i, True) for i in items}),
        "dau_tien": ("Hộ thử: phương án đầu tiên ở mọi chỉ tiêu", {i.code: i.answers[0].code for i in items}),
    }


# ---------------------------------------------------------------------------------------------
# Screening list (Phiếu A)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreeningAnswer:
    code: str
    label: str
    excludes: bool


@dataclass(frozen=True)
class ScreeningCriterion:
    code: str
    label: str
    answers: tuple[ScreeningAnswer, ...]

    @property
    def excluding_answers(self) -> tuple[str, ...]:
        return tuple(a.code for a in self.answers if a.excludes)

    def answer(self, code: str) -> ScreeningAnswer | None:
        for a in self.answers:
            if a.code == code:
                return a
        return None


@dataclass(frozen=True)
class ScreeningList:
    criteria: tuple[ScreeningCriterion, ...]
    rule: str = SCREENING_RULE

    def criterion(self, code: str) -> ScreeningCriterion | None:
        for c in self.criteria:
            if c.code == code:
                return c
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "criteria": [
                {
                    "code": c.code,
                    "label": c.label,
                    "answers": [
                        {"code": a.code, "label": a.label, "excludes": a.excludes} for a in c.answers
                    ],
                }
                for c in self.criteria
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScreeningList:
        return cls(
            criteria=tuple(
                ScreeningCriterion(
                    c["code"],
                    c["label"],
                    tuple(ScreeningAnswer(a["code"], a["label"], bool(a["excludes"])) for a in c["answers"]),
                )
                for c in data.get("criteria", [])
            ),
            rule=data.get("rule", SCREENING_RULE),
        )


@dataclass(frozen=True)
class ScreeningRow:
    row: int
    criterion_code: Any
    criterion_label: Any
    answer_code: Any
    answer_label: Any
    excludes: Any


def parse_yes_no(value: Any) -> bool:
    text = cell_text(value).casefold()
    if text in YES_VALUES:
        return True
    if text in NO_VALUES:
        return False
    raise ValueError(text)


def validate_screening_rows(rows: Sequence[ScreeningRow], *, sheet: str = SCREENING_SHEET) -> list[RowError]:
    """Every problem in a screening list's rows (empty when valid)."""
    errors: list[RowError] = []
    labels: dict[str, tuple[str, int]] = {}
    seen: dict[tuple[str, str], int] = {}
    for r in rows:
        code = cell_text(r.criterion_code)
        answer = cell_text(r.answer_code)
        label = cell_text(r.criterion_label)
        problem = _code_problem(code)
        if problem:
            errors.append(RowError(sheet, r.row, "Mã tiêu chí", problem, "bad_code"))
            continue
        if code in labels:
            first_label, first_row = labels[code]
            if label and label != first_label:
                errors.append(
                    RowError(
                        sheet,
                        r.row,
                        "Tiêu chí",
                        f"tên tiêu chí {code} khác với dòng {first_row} ({first_label!r})",
                        "label_conflict",
                    )
                )
        elif not label:
            errors.append(RowError(sheet, r.row, "Tiêu chí", f"thiếu tên tiêu chí {code}", "missing_label"))
            labels[code] = ("", r.row)
        else:
            labels[code] = (label, r.row)
        problem = _code_problem(answer)
        if problem:
            errors.append(RowError(sheet, r.row, "Mã phương án", problem, "bad_code"))
            continue
        if not cell_text(r.answer_label):
            errors.append(
                RowError(sheet, r.row, "Phương án trả lời", "thiếu nội dung phương án", "missing_label")
            )
        try:
            parse_yes_no(r.excludes)
        except ValueError:
            errors.append(
                RowError(
                    sheet,
                    r.row,
                    "Loại trừ ngay",
                    f"{cell_text(r.excludes)!r}: ghi 'Có' (loại khỏi danh sách rà soát) hoặc 'Không'",
                    "not_yes_no",
                )
            )
        key = (code, answer)
        if key in seen:
            errors.append(
                RowError(
                    sheet,
                    r.row,
                    "Mã phương án",
                    f"trùng dòng {seen[key]} (tiêu chí {code}, phương án {answer})",
                    "duplicate_row",
                )
            )
            continue
        seen[key] = r.row
    if not rows:
        errors.append(RowError(sheet, None, "", "chưa có dòng nào", "empty"))
    return errors


def build_screening_list(rows: Sequence[ScreeningRow]) -> ScreeningList:
    errors = validate_screening_rows(rows)
    if errors:
        raise RowsInvalid(errors)
    labels: dict[str, str] = {}
    answers: dict[str, list[ScreeningAnswer]] = {}
    for r in rows:
        code = cell_text(r.criterion_code)
        if code not in labels:
            labels[code] = cell_text(r.criterion_label)
            answers[code] = []
        answers[code].append(
            ScreeningAnswer(cell_text(r.answer_code), cell_text(r.answer_label), parse_yes_no(r.excludes))
        )
    return ScreeningList(tuple(ScreeningCriterion(c, labels[c], tuple(answers[c])) for c in labels))


@dataclass(frozen=True)
class ScreeningResult:
    excluded: bool
    reasons: tuple[str, ...]  # one Vietnamese sentence per excluding answer
    missing: tuple[str, ...]  # criteria without an answer


def screen_household(
    criteria: ScreeningList | Iterable[ScreeningCriterion], answers: Mapping[str, Any]
) -> ScreeningResult:
    """Apply Phiếu A (``exclude_if_any``): excluded when any answer given is an excluding answer.

    Raises :class:`ScoringError` for an unknown criterion or answer.
    """
    listing = criteria if isinstance(criteria, ScreeningList) else ScreeningList(tuple(criteria))
    if listing.rule != SCREENING_RULE:
        raise ScoringError(f"quy tắc {listing.rule!r} không được hỗ trợ")
    given = {cell_text(k): cell_text(v) for k, v in answers.items()}
    problems: list[str] = []
    for code, answer in given.items():
        crit = listing.criterion(code)
        if crit is None:
            problems.append(f"tiêu chí {code!r} không có trong Phiếu A")
        elif answer and crit.answer(answer) is None:
            problems.append(f"phương án {answer!r} không có trong tiêu chí {code!r}")
    if problems:
        raise ScoringError("; ".join(problems))
    reasons: list[str] = []
    missing: list[str] = []
    for crit in listing.criteria:
        code = given.get(crit.code, "")
        if not code:
            missing.append(crit.code)
            continue
        chosen = crit.answer(code)
        assert chosen is not None
        if chosen.excludes:
            reasons.append(f"{crit.label}: {chosen.label}")
    return ScreeningResult(bool(reasons), tuple(reasons), tuple(missing))
