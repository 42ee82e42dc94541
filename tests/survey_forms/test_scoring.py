"""The pure Phiếu B score and Phiếu A screening rules (no database)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hongheo.standards.rules.scoring import (
    FORM_REGIONS,
    PointRow,
    QuestionRow,
    RowsInvalid,
    ScoreAnswer,
    ScoreItem,
    ScoreTable,
    ScoringError,
    ScreeningList,
    ScreeningRow,
    answer_sets,
    build_score_table,
    build_screening_list,
    parse_points,
    region_area,
    score_household,
    screen_household,
    validate_score_rows,
    validate_screening_rows,
)

from .conftest import POINTS, QUESTIONS, SCREENING


def q_rows(rows=QUESTIONS, start: int = 3) -> list[QuestionRow]:
    return [QuestionRow(start + i, *r) for i, r in enumerate(rows)]


def p_rows(rows=POINTS, start: int = 3, regions=FORM_REGIONS) -> list[PointRow]:
    return [
        PointRow(start + i, r[0], r[1], dict(zip(regions, r[2:], strict=False))) for i, r in enumerate(rows)
    ]


def s_rows(rows=SCREENING, start: int = 3) -> list[ScreeningRow]:
    return [ScreeningRow(start + i, *r) for i, r in enumerate(rows)]


TABLE = build_score_table(p_rows(), q_rows(), header_row=2)


# ---------------------------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(1, 1.0), (2.5, 2.5), ("3", 3.0), (" 4 ", 4.0), ("1,5", 1.5), ("-", None), ("—", None), (-5, -5.0)],
)
def test_parse_points(raw: Any, expected: float | None) -> None:
    assert parse_points(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        ("  ", "missing"),
        ("abc", "nan"),
        (True, "nan"),
        ("inf", "nan"),
        (1e9, "nan"),
    ],
)
def test_parse_points_rejects(raw: Any, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_points(raw)


def test_region_area() -> None:
    assert region_area("urban") == "urban"
    assert {region_area(r) for r in FORM_REGIONS[1:]} == {"rural"}
    with pytest.raises(ScoringError):
        region_area("rural")


# ---------------------------------------------------------------------------------------------
# Building and validating a score table
# ---------------------------------------------------------------------------------------------


def test_build_table() -> None:
    assert [i.code for i in TABLE.items] == ["NHA", "TIVI", "THUYEN"]
    assert TABLE.item("NHA").label == "Loại nhà"  # type: ignore[union-attr]
    assert TABLE.item("TIVI").answer("1").points["urban"] == 20  # type: ignore[union-attr]
    assert TABLE.constants == {"urban": 100, **{r: 80 for r in FORM_REGIONS[1:]}}
    assert [i.code for i in TABLE.items_for("urban")] == ["NHA", "TIVI"]
    assert [i.code for i in TABLE.items_for("rural_nt6")] == ["NHA", "TIVI", "THUYEN"]
    assert ScoreTable.from_dict(TABLE.as_dict()) == TABLE


def errors_of(points=POINTS, questions=QUESTIONS, regions=FORM_REGIONS) -> list[tuple[str, int | None, str]]:
    errs = validate_score_rows(
        p_rows(points, regions=regions), q_rows(questions), regions=regions, header_row=2
    )
    return [(e.kind, e.row, e.sheet) for e in errs]


B_Q, B_P = "Phiếu B - Câu hỏi", "Phiếu B - Điểm"


def test_valid_rows_have_no_errors() -> None:
    assert errors_of() == []


def test_unknown_item_lists_every_row() -> None:
    points = [*POINTS, ("XE", "1", *[1] * 7), ("XE", "2", *[1] * 7)]
    assert errors_of(points) == [("unknown_item", 10, B_P), ("unknown_item", 11, B_P)]


def test_unknown_answer() -> None:
    points = [*POINTS, ("NHA", "9", *[1] * 7), ("TIVI", None, *[1] * 7)]
    assert errors_of(points) == [("unknown_answer", 10, B_P), ("unknown_answer", 11, B_P)]


def test_duplicate_rows_in_both_parts() -> None:
    points = [*POINTS, ("NHA", "1", *[2] * 7)]
    questions = [*QUESTIONS, ("TIVI", "", "2", "Không (lặp)")]
    errs = validate_score_rows(p_rows(points), q_rows(questions), header_row=2)
    assert [(e.kind, e.row, e.sheet) for e in errs] == [("duplicate_row", 9, B_Q), ("duplicate_row", 10, B_P)]
    assert "trùng dòng 4" in errs[1].message and "trùng dòng 6" in errs[0].message


def test_missing_region_column_is_reported_on_the_header_row() -> None:
    regions = [r for r in FORM_REGIONS if r not in ("rural_nt3", "rural_nt5")]
    errs = validate_score_rows(p_rows(regions=regions), q_rows(), regions=regions, header_row=2)
    assert [(e.kind, e.row) for e in errs] == [("missing_region", 2), ("missing_region", 2)]
    assert "rural_nt3" in errs[0].message and "Bắc Trung Bộ" in errs[0].message
    assert "rural_nt5" in errs[1].message


def test_missing_values_and_non_numbers() -> None:
    points = list(POINTS)
    points[1] = ("NHA", "1", 50, None, 40, 40, "", 40, 40)  # row 4: two blanks
    points[3] = ("TIVI", "1", "nhiều", 15, 15, 15, 15, 15, 15)  # row 6: text
    errs = validate_score_rows(p_rows(points), q_rows(), header_row=2)
    assert [(e.kind, e.row, e.column) for e in errs] == [
        ("missing_value", 4, "Nông thôn NT1 – Đồng bằng sông Hồng (rural_nt1)"),
        ("missing_value", 4, "Nông thôn NT4 – Tây Nguyên (rural_nt4)"),
        ("not_a_number", 6, "Thành thị (urban)"),
    ]


def test_mixed_form_and_missing_points() -> None:
    points = [r for r in POINTS if r[:2] != ("TIVI", "2")]  # TIVI answer 2 has no points row
    points[-1] = ("THUYEN", "2", 0, "-", "-", 0, "-", "-", 0)  # urban: '-' on row 7, 0 here
    errs = validate_score_rows(p_rows(points), q_rows(), header_row=2)
    assert [(e.kind, e.row, e.sheet) for e in errs] == [("missing_points", 6, B_Q), ("mixed_form", 8, B_P)]


def test_questionnaire_problems() -> None:
    questions = [
        ("NHA", "Loại nhà", "1", "Kiên cố"),
        ("NHA", "Nhà ở", "2", "Đơn sơ"),  # row 4: other label
        ("", "x", "1", "y"),  # row 5: no code
        ("TIVI", "", "1", "Có"),  # row 6: first row without label
        ("TIVI", "", "bad code!", "Không"),  # row 7
        ("HANG_SO", "Hằng số", "1", "?"),  # row 8: reserved
        ("THUYEN", "Có thuyền", "1", ""),  # row 9: no answer label
    ]
    errs = validate_score_rows([], q_rows(questions), header_row=2)
    assert [(e.kind, e.row) for e in errs] == [
        ("missing_points", 3),
        ("label_conflict", 4),
        ("missing_points", 4),
        ("bad_code", 5),
        ("missing_label", 6),
        ("missing_points", 6),
        ("bad_code", 7),
        ("bad_code", 8),
        ("missing_label", 9),
        ("missing_points", 9),
    ]


def test_constant_row_rules() -> None:
    points = [*POINTS, ("HANG_SO", None, *[1] * 7), ("HANG_SO", "1", *[1] * 7)]
    points[0] = ("HANG_SO", None, "-", 80, 80, 80, 80, 80, 80)
    errs = validate_score_rows(p_rows(points), q_rows(), header_row=2)
    assert [(e.kind, e.row) for e in errs] == [("not_a_number", 3), ("duplicate_row", 10), ("bad_code", 11)]


def test_empty_parts() -> None:
    errs = validate_score_rows([], [], header_row=2)
    assert [(e.kind, e.sheet, e.row) for e in errs] == [("empty", B_Q, None)]


def test_build_raises_with_all_errors() -> None:
    with pytest.raises(RowsInvalid) as info:
        build_score_table(p_rows([*POINTS, ("XE", "1", *[1] * 7)]), q_rows(), header_row=2)
    assert [e.row for e in info.value.errors] == [10]
    assert "Phiếu B - Điểm, dòng 10" in str(info.value)


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "answers", "score", "missing"),
    [
        ("urban", {"NHA": "1", "TIVI": "1"}, 170, ()),
        ("urban", {"NHA": "2", "TIVI": "2"}, 110, ()),
        ("urban", {"NHA": "2"}, 110, ("TIVI",)),
        ("urban", {}, 100, ("NHA", "TIVI")),
        ("rural_nt1", {"NHA": "1", "TIVI": "1"}, 135, ()),
        ("rural_nt6", {"NHA": "1", "TIVI": "1", "THUYEN": "1"}, 147, ()),
        ("rural_nt6", {"NHA": "1", "TIVI": "1"}, 135, ("THUYEN",)),
        ("rural_nt3", {"NHA": "2", "TIVI": "2", "THUYEN": "2"}, 85, ()),
        ("rural_nt3", {"NHA": 2, "TIVI": 2.0, "THUYEN": ""}, 85, ("THUYEN",)),
    ],
)
def test_score_household(
    region: str, answers: dict[str, Any], score: float, missing: tuple[str, ...]
) -> None:
    result = score_household(TABLE, region, answers)
    assert result.score_a == score
    assert result.missing == missing
    assert result.complete is (not missing)
    assert result.score_a == result.constant + sum(i.points for i in result.items)


def test_per_item_points() -> None:
    result = score_household(TABLE, "rural_nt6", {"NHA": "2", "TIVI": "1", "THUYEN": "1"})
    assert [(i.item_code, i.answer_code, i.points) for i in result.items] == [
        ("NHA", "2", 5),
        ("TIVI", "1", 15),
        ("THUYEN", "1", 12),
    ]
    assert result.items[0].answer_label == "Đơn sơ"


@pytest.mark.parametrize(
    ("region", "answers", "message"),
    [
        ("urban", {"NHA": "9"}, "phương án '9'"),
        ("urban", {"XE": "1"}, "chỉ tiêu 'XE'"),
        ("urban", {"THUYEN": "1"}, "không có trong phiếu Thành thị"),
        ("rural", {"NHA": "1"}, "vùng 'rural'"),
    ],
)
def test_score_household_errors(region: str, answers: dict[str, str], message: str) -> None:
    with pytest.raises(ScoringError, match=message):
        score_household(TABLE, region, answers)


def test_answer_sets_order() -> None:
    for region in FORM_REGIONS:
        sets = answer_sets(TABLE, region)
        low = score_household(TABLE, region, sets["thap_nhat"][1])
        high = score_household(TABLE, region, sets["cao_nhat"][1])
        first = score_household(TABLE, region, sets["dau_tien"][1])
        assert low.complete and high.complete and first.complete
        assert low.score_a <= first.score_a <= high.score_a


# -- properties --------------------------------------------------------------------------------

points_st = st.one_of(st.none(), st.integers(-50, 200).map(float), st.floats(-50, 200, allow_nan=False))


@st.composite
def tables(draw: Any) -> ScoreTable:
    n_items = draw(st.integers(1, 6))
    items = []
    for i in range(n_items):
        n_answers = draw(st.integers(1, 5))
        on_form = {r: draw(st.booleans()) for r in FORM_REGIONS}
        answers = []
        for j in range(n_answers):
            pts = {
                r: (draw(st.floats(-50, 200, allow_nan=False, allow_infinity=False)) if on_form[r] else None)
                for r in FORM_REGIONS
            }
            answers.append(ScoreAnswer(str(j + 1), f"Phương án {j + 1}", pts))
        items.append(ScoreItem(f"I{i}", f"Chỉ tiêu {i}", tuple(answers)))
    constants = {r: draw(st.floats(-100, 200, allow_nan=False, allow_infinity=False)) for r in FORM_REGIONS}
    return ScoreTable(tuple(items), constants)


@given(table=tables(), region=st.sampled_from(FORM_REGIONS), data=st.data())
@settings(max_examples=200, deadline=None)
def test_more_points_never_lower_the_score(table: ScoreTable, region: str, data: Any) -> None:
    items = table.items_for(region)
    assume(items)
    answers = {it.code: data.draw(st.sampled_from([a.code for a in it.answers])) for it in items}
    target = data.draw(st.sampled_from(items))
    better = data.draw(
        st.sampled_from(
            [
                a
                for a in target.answers
                if a.points[region] >= target.answer(answers[target.code]).points[region]
            ]  # type: ignore[operator,union-attr]
        )
    )
    before = score_household(table, region, answers).score_a
    after = score_household(table, region, {**answers, target.code: better.code}).score_a
    assert after >= before


@given(table=tables(), region=st.sampled_from(FORM_REGIONS), data=st.data())
@settings(max_examples=100, deadline=None)
def test_score_is_constant_plus_items_and_roundtrips(table: ScoreTable, region: str, data: Any) -> None:
    items = table.items_for(region)
    answers = {it.code: data.draw(st.sampled_from([a.code for a in it.answers])) for it in items}
    result = score_household(table, region, answers)
    expected = table.constants.get(region, 0.0) + sum(i.points for i in result.items)
    assert result.score_a == pytest.approx(expected, abs=1e-6)
    assert ScoreTable.from_dict(table.as_dict()) == table


@given(
    table=tables(), region=st.sampled_from(FORM_REGIONS), bad=st.text(min_size=1, max_size=5), data=st.data()
)
@settings(max_examples=100, deadline=None)
def test_unknown_answer_is_an_error(table: ScoreTable, region: str, bad: str, data: Any) -> None:
    items = table.items_for(region)
    assume(items)
    target = data.draw(st.sampled_from(items))
    assume(bad.strip() and target.answer(" ".join(bad.split())) is None)
    with pytest.raises(ScoringError):
        score_household(table, region, {target.code: bad})


# ---------------------------------------------------------------------------------------------
# Phiếu A screening
# ---------------------------------------------------------------------------------------------

SCREEN = build_screening_list(s_rows())


def test_build_screening_list() -> None:
    assert [c.code for c in SCREEN.criteria] == ["LUONG", "OTO"]
    assert SCREEN.criteria[0].excluding_answers == ("1",)
    assert SCREEN.criteria[1].label == "Có ô tô"
    assert ScreeningList.from_dict(SCREEN.as_dict()) == SCREEN


@pytest.mark.parametrize(
    ("answers", "excluded", "n_reasons", "missing"),
    [
        ({"LUONG": "2", "OTO": "2"}, False, 0, ()),
        ({"LUONG": "1", "OTO": "2"}, True, 1, ()),
        ({"LUONG": "1", "OTO": "1"}, True, 2, ()),
        ({"OTO": "1"}, True, 1, ("LUONG",)),
        ({}, False, 0, ("LUONG", "OTO")),
    ],
)
def test_screen_household(answers: dict[str, str], excluded: bool, n_reasons: int, missing: tuple) -> None:
    result = screen_household(SCREEN, answers)
    assert result.excluded is excluded
    assert len(result.reasons) == n_reasons
    assert result.missing == missing


def test_screen_reason_text_and_plain_criteria() -> None:
    result = screen_household(SCREEN.criteria, {"OTO": "1"})
    assert result.reasons == ("Có ô tô: Có",)


@pytest.mark.parametrize(
    ("answers", "message"), [({"XE": "1"}, "tiêu chí 'XE'"), ({"OTO": "3"}, "phương án '3'")]
)
def test_screen_errors(answers: dict[str, str], message: str) -> None:
    with pytest.raises(ScoringError, match=message):
        screen_household(SCREEN, answers)


def test_screening_validation() -> None:
    rows = [
        *SCREENING,
        ("OTO", "", "2", "Không", "Không"),  # row 7: duplicate of row 6
        ("XE", "Có xe máy", "1", "Có", "có lẽ"),  # row 8: not yes/no
        ("", "Không mã", "1", "Có", "Có"),  # row 9
        ("LUONG", "Lương", "3", "Khác", "Không"),  # row 10: other label
    ]
    errs = validate_screening_rows(s_rows(rows))
    assert [(e.kind, e.row) for e in errs] == [
        ("duplicate_row", 7),
        ("not_yes_no", 8),
        ("bad_code", 9),
        ("label_conflict", 10),
    ]
    assert validate_screening_rows([])[0].kind == "empty"
    with pytest.raises(RowsInvalid):
        build_screening_list(s_rows(rows))


@given(st.dictionaries(st.sampled_from(["LUONG", "OTO"]), st.sampled_from(["1", "2"])))
def test_excluded_iff_an_excluding_answer(answers: dict[str, str]) -> None:
    result = screen_household(SCREEN, answers)
    assert result.excluded == ("1" in answers.values())
    # answering more never un-excludes
    if result.excluded:
        assert screen_household(SCREEN, {"LUONG": "2", "OTO": "2", **answers}).excluded
