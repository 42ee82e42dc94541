"""Số định danh cá nhân: structure, every reason code at its boundary, vectorised generation."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hongheo.core.ids import (
    REASON_CODES,
    InvalidPersonalId,
    PersonalIdParts,
    birth_registration_codes,
    century_sex_digit,
    is_valid_personal_id,
    make_personal_id_ints,
    make_personal_ids,
    parse_personal_id,
    validate_personal_id,
)

VERIFIED = {
    "001": "Hà Nội",
    "079": "TP. Hồ Chí Minh",
    "089": "An Giang",
    "077": "Bà Rịa – Vũng Tàu",
    "095": "Bạc Liêu",
    "006": "Bắc Kạn",
    "024": "Bắc Giang",
    "027": "Bắc Ninh",
    "083": "Bến Tre",
    "052": "Bình Định",
    "070": "Bình Phước",
    "060": "Bình Thuận",
    "096": "Cà Mau",
    "004": "Cao Bằng",
    "092": "Cần Thơ",
}


def reason(number: str, **kwargs: object) -> str | None:
    try:
        validate_personal_id(number, **kwargs)  # type: ignore[arg-type]
    except InvalidPersonalId as exc:
        return exc.reason_code
    return None


# ---- the data table -------------------------------------------------------------------------


def test_table_has_63_codes_with_provenance() -> None:
    raw = json.loads(
        resources.files("hongheo.core").joinpath("data/birth_registration_codes.json").read_text("utf-8")
    )
    assert {"verified", "countries"} <= set(raw["provenance"])
    codes = raw["codes"]
    assert len(codes) == 63
    assert len({c["code"] for c in codes}) == 63
    for entry in codes:
        assert len(entry["code"]) == 3 and entry["code"].isdigit()
        # all 63 checked against Circular 07/2016/TT-BCA (fact check of November 2026)
        assert entry["status"] == "verified"
        assert any("07/2016/TT-BCA" in source for source in entry["source"])
        assert entry["code"] == "0" + entry["gso_code_2004"]
    # the country codes of births registered abroad: a list that starts empty, with its provenance
    assert raw["country_codes"]["status"] == "unknown" and raw["country_codes"]["codes"] == []
    assert "137/2015" in raw["country_codes"]["source"]


def test_verified_names() -> None:
    table = birth_registration_codes()
    for code, name in VERIFIED.items():
        assert table[code] == name
    assert table["046"] == "Thừa Thiên Huế"


# ---- reasons at their boundaries -----------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "kwargs", "expected"),
    [
        # length: 11 and 13 characters, empty, spaces
        ("00109001234", {}, "length"),
        ("0010900123456", {}, "length"),
        ("", {}, "length"),
        (" 001090012345", {}, "length"),
        # non-digit at the first and last position, Unicode digits, inner space
        ("a01090012345", {}, "non_digit"),
        ("00109001234x", {}, "non_digit"),
        ("٠٠١٠٩٠٠١٢٣٤٥", {}, "non_digit"),
        ("001090 12345", {}, "non_digit"),
        # province codes: 000, a gap in the list (003), past the end (097), the old 63 bounds
        ("000090012345", {}, "unknown_province_code"),
        ("003090012345", {}, "unknown_province_code"),
        ("097090012345", {}, "unknown_province_code"),
        ("100090012345", {}, "unknown_province_code"),
        ("999090012345", {}, "unknown_province_code"),
        ("001090012345", {}, None),
        ("096090012345", {}, None),
        # century: last day of the 1900s vs first day of the 2000s
        ("001099012345", {"date_of_birth": date(1999, 12, 31)}, None),
        ("001099012345", {"date_of_birth": date(2099, 12, 31)}, "century_mismatch"),
        ("001200012345", {"date_of_birth": date(2000, 1, 1)}, None),
        ("001200012345", {"date_of_birth": date(1900, 1, 1)}, "century_mismatch"),
        ("001000012345", {"date_of_birth": date(1900, 1, 1)}, None),
        # birth year: off by one on both sides
        ("001085012345", {"date_of_birth": date(1984, 12, 31)}, "birth_year_mismatch"),
        ("001085012345", {"date_of_birth": date(1986, 1, 1)}, "birth_year_mismatch"),
        ("001085012345", {"date_of_birth": date(1985, 6, 1)}, None),
        # sex: each digit parity
        ("001085012345", {"sex": "male"}, None),
        ("001085012345", {"sex": "female"}, "sex_mismatch"),
        ("001185012345", {"sex": "female"}, None),
        ("001185012345", {"sex": "male"}, "sex_mismatch"),
        # order: century before sex, birth year before sex
        ("001385012345", {"date_of_birth": date(1985, 1, 1), "sex": "male"}, "century_mismatch"),
        ("001086012345", {"date_of_birth": date(1985, 1, 1), "sex": "female"}, "birth_year_mismatch"),
    ],
)
def test_reasons(number: str, kwargs: dict[str, object], expected: str | None) -> None:
    assert reason(number, **kwargs) == expected
    assert is_valid_personal_id(number, **kwargs) is (expected is None)  # type: ignore[arg-type]


def test_reason_codes_are_exactly_the_contract() -> None:
    assert REASON_CODES == (
        "length",
        "non_digit",
        "unknown_province_code",
        "century_mismatch",
        "birth_year_mismatch",
        "sex_mismatch",
    )
    with pytest.raises(ValueError):
        InvalidPersonalId("checksum", "no such reason")


@pytest.mark.parametrize(
    ("digit", "sex", "century"),
    [
        (0, "male", 1900),
        (1, "female", 1900),
        (2, "male", 2000),
        (3, "female", 2000),
        (4, "male", 2100),
        (5, "female", 2100),
        (6, "male", 2200),
        (7, "female", 2200),
        (8, "male", 2300),
        (9, "female", 2300),
    ],
)
def test_every_century_digit(digit: int, sex: str, century: int) -> None:
    number = f"079{digit}42987654"
    assert parse_personal_id(number) == PersonalIdParts("079", sex, century, 42)
    assert parse_personal_id(number).birth_year == century + 42
    assert century_sex_digit(century + 42, sex) == digit
    validate_personal_id(number, date_of_birth=date(century + 42, 3, 4), sex=sex)
    other_sex = "female" if sex == "male" else "male"
    assert reason(number, sex=other_sex) == "sex_mismatch"
    wrong_century = century + 100 if century < 2300 else 1900
    assert reason(number, date_of_birth=date(wrong_century + 42, 3, 4)) == "century_mismatch"


def test_messages_name_the_problem() -> None:
    with pytest.raises(InvalidPersonalId, match="unknown province code 003"):
        validate_personal_id("003090012345")
    with pytest.raises(InvalidPersonalId, match=r"^length"):
        validate_personal_id("1")
    with pytest.raises(InvalidPersonalId, match="non-digit"):
        validate_personal_id("00109001234a")


def test_bad_arguments_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        validate_personal_id("001090012345", sex="M")
    with pytest.raises(TypeError):
        parse_personal_id(1090012345)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        century_sex_digit(1899, "male")


# ---- generation ----------------------------------------------------------------------------

CODES = sorted(int(c) for c in birth_registration_codes())


@st.composite
def people(draw: st.DrawFn) -> tuple[list[int], list[date], list[str]]:
    n = draw(st.integers(1, 40))
    codes = draw(st.lists(st.sampled_from(CODES), min_size=n, max_size=n))
    dobs = draw(st.lists(st.dates(date(1900, 1, 1), date(2399, 12, 31)), min_size=n, max_size=n))
    sexes = draw(st.lists(st.sampled_from(["male", "female"]), min_size=n, max_size=n))
    return codes, dobs, sexes


@settings(max_examples=60, deadline=None)
@given(people(), st.integers(0, 2**32 - 1))
def test_generated_ids_validate_against_dob_and_sex(
    data: tuple[list[int], list[date], list[str]], seed: int
) -> None:
    codes, dobs, sexes = data
    rng = np.random.default_rng(seed)
    ids = make_personal_ids(rng, np.array(codes), np.array([d.year for d in dobs]), np.array(sexes))
    assert len(set(ids.tolist())) == len(ids)
    for number, code, dob, sex in zip(ids.tolist(), codes, dobs, sexes, strict=True):
        assert len(number) == 12
        assert number[:3] == f"{code:03d}"
        validate_personal_id(number, date_of_birth=dob, sex=sex)


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(CODES),
    st.dates(date(1900, 1, 1), date(2399, 12, 31)),
    st.sampled_from(["male", "female"]),
    st.integers(3, 5),
    st.integers(1, 9),
    st.integers(0, 2**32 - 1),
)
def test_mutated_digit_gives_the_right_reason(
    code: int, dob: date, sex: str, position: int, delta: int, seed: int
) -> None:
    number = make_personal_ids(
        np.random.default_rng(seed), np.array([code]), np.array([dob.year]), np.array([sex])
    )[0]
    digit = (int(number[position]) + delta) % 10
    mutated = number[:position] + str(digit) + number[position + 1 :]
    got = reason(mutated, date_of_birth=dob, sex=sex)
    if position == 3:
        old_century = int(number[3]) // 2
        expected = "century_mismatch" if digit // 2 != old_century else "sex_mismatch"
    else:
        expected = "birth_year_mismatch"
    assert got == expected


def test_generation_is_unique_in_a_crowded_batch() -> None:
    # 200,000 people sharing one code, century, sex and year: the random part must not repeat.
    rng = np.random.default_rng(7)
    n = 200_000
    ints = make_personal_id_ints(rng, np.full(n, 46), np.full(n, 1990), np.zeros(n, dtype=bool))
    assert np.unique(ints).size == n
    assert (ints // 1_000_000 == 46_090).all()


def test_generation_accepts_string_codes_and_is_deterministic() -> None:
    args = (np.array(["046", "001"]), np.array([2001, 1950]), np.array(["female", "male"]))
    a = make_personal_ids(np.random.default_rng(1), *args)
    b = make_personal_ids(np.random.default_rng(1), *args)
    assert a.tolist() == b.tolist()
    assert a[0].startswith("046301") and a[1].startswith("001050")


def test_generation_rejects_unknown_codes_and_years() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="003"):
        make_personal_ids(rng, np.array([3]), np.array([1990]), np.array(["male"]))
    with pytest.raises(ValueError):
        make_personal_ids(rng, np.array([1]), np.array([1899]), np.array(["male"]))
    with pytest.raises(ValueError):
        make_personal_ids(rng, np.array([1]), np.array([1990]), np.array(["M"]))
