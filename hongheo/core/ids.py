"""Personal identification numbers (số định danh cá nhân, printed as the CCCD number).

Structure (Nghị định 137/2015/NĐ-CP Điều 13; Thông tư 07/2016/TT-BCA Điều 7), 12 digits:

* digits 1–3: mã tỉnh nơi đăng ký khai sinh, on the **pre-2025 63-province map**, or the code of
  the country where a citizen born abroad registered their birth (Decree 137/2015 Art. 13). Both
  lists are data (``data/birth_registration_codes.json``, with provenance): the 63 province codes
  are verified against Circular 07/2016/TT-BCA; the country-code list was not found and starts
  empty, so an unknown prefix may be a real number: :func:`prefix_kind` tells, and
  ``allow_unknown_prefix=True`` lets a caller accept it after an officer confirmed it;
* digit 4: thế kỷ sinh và giới tính: 1900s male 0 / female 1, 2000s 2/3, 2100s 4/5,
  2200s 6/7, 2300s 8/9;
* digits 5–6: two last digits of the year of birth;
* digits 7–12: random.

No check digit is documented, so none is checked. The prefix is a birth-registration province, never
an address: do not map it to a current (34-province) unit.

This module is pure (no Django) and is also used by the synthetic-population generator.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

__all__ = [
    "REASON_CODES",
    "InvalidPersonalId",
    "PersonalIdParts",
    "birth_registration_codes",
    "century_sex_digit",
    "country_codes",
    "is_valid_personal_id",
    "make_personal_id_ints",
    "make_personal_ids",
    "parse_personal_id",
    "prefix_kind",
    "province_codes",
    "validate_personal_id",
]

ID_LENGTH = 12
SEXES = ("male", "female")
FIRST_CENTURY = 1900
LAST_CENTURY = 2300

#: Every reason code :class:`InvalidPersonalId` can carry.
REASON_CODES = (
    "length",
    "non_digit",
    "unknown_province_code",
    "century_mismatch",
    "birth_year_mismatch",
    "sex_mismatch",
)


class InvalidPersonalId(ValueError):
    """Số định danh cá nhân không hợp lệ. ``reason_code`` is one of :data:`REASON_CODES`."""

    def __init__(self, reason_code: str, message: str) -> None:
        if reason_code not in REASON_CODES:
            raise ValueError(f"unknown reason code {reason_code!r}")
        super().__init__(message)
        self.reason_code = reason_code
        self.message = message


@dataclass(frozen=True, slots=True)
class PersonalIdParts:
    """The decoded fields of a well-formed number."""

    province_code: str  # "001" … "096": birth-registration province (pre-2025 map), or the prefix
    sex: str  # "male" | "female"
    century_start_year: int  # 1900, 2000, …, 2300
    birth_year_two_digits: int  # 0–99
    prefix: str = "province"  # "province" | "country" | "unknown" (accepted by the caller)

    @property
    def birth_year(self) -> int:
        return self.century_start_year + self.birth_year_two_digits


@cache
def _table() -> dict[str, Any]:
    text = resources.files("hongheo.core").joinpath("data/birth_registration_codes.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def province_codes() -> dict[str, str]:
    """``{"001": "Hà Nội", …}``: the 63 pre-2025 birth-registration province codes and names."""
    return {entry["code"]: entry["name"] for entry in _table()["codes"]}


@cache
def country_codes() -> dict[str, str]:
    """Country codes of births registered abroad that an administrator added as data (empty as
    shipped: the official list was not found)."""
    section = _table().get("country_codes") or {}
    return {entry["code"]: entry["name"] for entry in section.get("codes", [])}


@cache
def birth_registration_codes() -> dict[str, str]:
    """Every known prefix: the 63 province codes and any listed country codes, with their names."""
    return {**province_codes(), **country_codes()}


def prefix_kind(number: str) -> str:
    """``"province"``, ``"country"`` or ``"unknown"`` for the first 3 digits of ``number``."""
    prefix = number[:3]
    if prefix in province_codes():
        return "province"
    if prefix in country_codes():
        return "country"
    return "unknown"


@cache
def _known_code_mask() -> np.ndarray:
    mask = np.zeros(1000, dtype=bool)
    for code in birth_registration_codes():
        mask[int(code)] = True
    return mask


def century_sex_digit(year: int, sex: str) -> int:
    """Digit 4 for a birth year and sex (``"male"`` / ``"female"``)."""
    if sex not in SEXES:
        raise ValueError(f"sex must be 'male' or 'female', not {sex!r}")
    century = year // 100 * 100
    if not FIRST_CENTURY <= century <= LAST_CENTURY:
        raise ValueError(f"year {year} cannot be encoded (1900–2399 only)")
    return (century - FIRST_CENTURY) // 100 * 2 + (1 if sex == "female" else 0)


def parse_personal_id(number: str, *, allow_unknown_prefix: bool = False) -> PersonalIdParts:
    """Decode a number; raise :class:`InvalidPersonalId` when it is not well-formed. With
    ``allow_unknown_prefix`` a prefix in neither list is accepted (``parts.prefix == "unknown"``)."""
    if not isinstance(number, str):
        raise TypeError("number must be a str")
    if len(number) != ID_LENGTH:
        raise InvalidPersonalId(
            "length", f"length: expected {ID_LENGTH} digits, got {len(number)} characters"
        )
    if not (number.isascii() and number.isdigit()):
        position, char = next((i, c) for i, c in enumerate(number, 1) if c not in "0123456789")
        raise InvalidPersonalId("non_digit", f"non-digit character {char!r} at position {position}")
    province_code = number[:3]
    kind = prefix_kind(number)
    if kind == "unknown" and not allow_unknown_prefix:
        raise InvalidPersonalId("unknown_province_code", f"unknown province code {province_code}")
    digit = int(number[3])
    return PersonalIdParts(
        province_code=province_code,
        sex="female" if digit % 2 else "male",
        century_start_year=FIRST_CENTURY + digit // 2 * 100,
        birth_year_two_digits=int(number[4:6]),
        prefix=kind,
    )


def validate_personal_id(
    number: str,
    *,
    date_of_birth: date | None = None,
    sex: str | None = None,
    allow_unknown_prefix: bool = False,
) -> None:
    """Raise :class:`InvalidPersonalId` unless ``number`` is well-formed and agrees with the person.

    Checks, in order: ``length``, ``non_digit``, ``unknown_province_code`` (skipped with
    ``allow_unknown_prefix``: an officer confirmed a prefix in neither list); then, when
    ``date_of_birth`` is given, ``century_mismatch`` and ``birth_year_mismatch``; then, when ``sex``
    (``"male"`` / ``"female"``) is given, ``sex_mismatch``.
    """
    if sex is not None and sex not in SEXES:
        raise ValueError(f"sex must be 'male' or 'female', not {sex!r}")
    parts = parse_personal_id(number, allow_unknown_prefix=allow_unknown_prefix)
    if date_of_birth is not None:
        century = date_of_birth.year // 100 * 100
        if century != parts.century_start_year:
            raise InvalidPersonalId(
                "century_mismatch",
                f"century mismatch: digit 4 means born {parts.century_start_year}–"
                f"{parts.century_start_year + 99}, date of birth is {date_of_birth.isoformat()}",
            )
        if date_of_birth.year % 100 != parts.birth_year_two_digits:
            raise InvalidPersonalId(
                "birth_year_mismatch",
                f"birth-year mismatch: digits 5–6 are {parts.birth_year_two_digits:02d}, "
                f"date of birth is {date_of_birth.isoformat()}",
            )
    if sex is not None and sex != parts.sex:
        raise InvalidPersonalId("sex_mismatch", f"sex mismatch: digit 4 means {parts.sex}, given {sex}")


def is_valid_personal_id(number: str, *, date_of_birth: date | None = None, sex: str | None = None) -> bool:
    """``True`` when :func:`validate_personal_id` accepts the number."""
    try:
        validate_personal_id(number, date_of_birth=date_of_birth, sex=sex)
    except InvalidPersonalId:
        return False
    return True


# --------------------------------------------------------------------------------------------
# Vectorised generation (synthetic data)
# --------------------------------------------------------------------------------------------

_RANDOM_SPACE = 1_000_000  # digits 7–12


def _as_code_ints(birth_codes: np.ndarray) -> np.ndarray:
    codes = np.asarray(birth_codes)
    if codes.dtype.kind in "US":
        codes = codes.astype(np.int64)
    codes = codes.astype(np.int64, copy=False)
    if codes.size and (codes.min() < 0 or codes.max() > 999 or not _known_code_mask()[codes].all()):
        bad = sorted({f"{c:03d}" for c in codes[(codes < 0) | (codes > 999)].tolist()})
        inside = codes[(codes >= 0) & (codes <= 999)]
        bad += sorted({f"{c:03d}" for c in inside[~_known_code_mask()[inside]].tolist()})
        raise ValueError(f"unknown birth-registration codes: {', '.join(bad[:10])}")
    return codes


def _as_female(sexes: np.ndarray) -> np.ndarray:
    arr = np.asarray(sexes)
    if arr.dtype == bool:
        return arr
    if arr.dtype.kind in "USO":
        female = arr == "female"
        if not (female | (arr == "male")).all():
            raise ValueError("sexes must be 'male' or 'female'")
        return np.asarray(female, dtype=bool)
    raise ValueError("sexes must be strings 'male'/'female' or booleans (True = female)")


def make_personal_id_ints(
    rng: np.random.Generator,
    birth_codes: np.ndarray,
    birth_years: np.ndarray,
    sexes: np.ndarray,
) -> np.ndarray:
    """Structurally valid numbers as ``int64`` (print with 12-digit zero padding), unique in the batch.

    ``birth_codes``: pre-2025 birth-registration codes (ints like ``46`` or strings like ``"046"``);
    ``birth_years``: 1900–2399; ``sexes``: ``"male"``/``"female"`` strings or booleans (True = female).
    The six random digits are drawn uniformly, and draws that collide with another number of the
    batch are drawn again until every number is unique.
    """
    codes = _as_code_ints(birth_codes)
    years = np.asarray(birth_years).astype(np.int64, copy=False)
    female = _as_female(sexes)
    if not (codes.shape == years.shape == female.shape):
        raise ValueError("birth_codes, birth_years and sexes must have the same shape")
    if years.size and (years.min() < FIRST_CENTURY or years.max() > LAST_CENTURY + 99):
        raise ValueError("birth years must be within 1900–2399")
    century_digit = (years // 100 - FIRST_CENTURY // 100) * 2 + female
    prefix = codes * 1000 + century_digit * 100 + years % 100  # digits 1–6
    if prefix.size and np.bincount(prefix.reshape(-1)).max() > _RANDOM_SPACE // 2:
        raise ValueError("too many people share one code/century/sex/year to draw unique numbers")
    flat_prefix = prefix.reshape(-1)
    flat = flat_prefix * _RANDOM_SPACE + rng.integers(0, _RANDOM_SPACE, size=flat_prefix.size, dtype=np.int64)
    # One sort finds the collisions; only the (few) colliding rows are drawn again, checked against
    # the sorted batch and against the numbers accepted so far.
    taken = np.sort(flat)
    repeated = np.unique(taken[1:][taken[1:] == taken[:-1]])
    if repeated.size:
        at = np.minimum(np.searchsorted(repeated, flat), repeated.size - 1)
        rows = np.flatnonzero(repeated[at] == flat)
        _, first = np.unique(flat[rows], return_index=True)
        redo = np.delete(rows, first)
        accepted = np.empty(0, dtype=np.int64)
        while redo.size:
            cand = flat_prefix[redo] * _RANDOM_SPACE + rng.integers(
                0, _RANDOM_SPACE, size=redo.size, dtype=np.int64
            )
            clash = _contains(taken, cand) | _contains(accepted, cand)
            _, first = np.unique(cand, return_index=True)
            fresh = np.zeros(cand.size, dtype=bool)
            fresh[first] = True
            ok = fresh & ~clash
            flat[redo[ok]] = cand[ok]
            accepted = np.sort(np.concatenate([accepted, cand[ok]]))
            redo = redo[~ok]
    return flat.reshape(prefix.shape)


def _contains(sorted_values: np.ndarray, values: np.ndarray) -> np.ndarray:
    if sorted_values.size == 0:
        return np.zeros(values.size, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_values, values), sorted_values.size - 1)
    return sorted_values[at] == values


def format_personal_id_ints(numbers: np.ndarray) -> np.ndarray:
    """12-digit zero-padded strings for :func:`make_personal_id_ints` output."""
    return np.char.zfill(np.asarray(numbers, dtype=np.int64).astype("U12"), ID_LENGTH)


def make_personal_ids(
    rng: np.random.Generator,
    birth_codes: np.ndarray,
    birth_years: np.ndarray,
    sexes: np.ndarray,
) -> np.ndarray:
    """Like :func:`make_personal_id_ints`, as an array of 12-character strings."""
    return format_personal_id_ints(make_personal_id_ints(rng, birth_codes, birth_years, sexes))
