"""Vietnamese text helpers: accent folding for search, alphabetical sort keys, money formatting.

Pure Python, no Django. Search is accent-insensitive (``Nguyễn`` = ``nguyen``, ``Đ`` = ``D``);
sorting follows the Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y)
with tone marks as a secondary key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

_TONE_MARKS = {"\u0300": 2, "\u0309": 3, "\u0303": 4, "\u0301": 5, "\u0323": 6}  # huyền hỏi ngã sắc nặng
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # ă/â/ê/ô, ơ/ư (breve, circumflex, horn)
_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m",
    "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]  # fmt: skip
_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}
_DIGITS = re.compile(r"\d+")


def fold(text: str) -> str:
    """Lower-case, strip every diacritic and map đ→d, collapse white space: the search form."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def _split_letter(ch: str) -> tuple[str, int]:
    """Return (base letter including ă/â/ơ…, tone rank) for one lower-case character."""
    if ch == "đ":
        return "đ", 1
    decomposed = unicodedata.normalize("NFD", ch)
    base = decomposed[0]
    tone = 1
    letter_marks = ""
    for mark in decomposed[1:]:
        if mark in _TONE_MARKS:
            tone = _TONE_MARKS[mark]
        elif mark in _LETTER_MARKS:
            letter_marks += mark
    letter = unicodedata.normalize("NFC", base + letter_marks)
    return letter, tone


def sort_key(text: str) -> str:
    """A string whose plain (binary) order is the Vietnamese alphabetical order of ``text``.

    Usable as an indexed database column, so lists sort correctly on SQLite and PostgreSQL alike.
    """
    primary: list[str] = []
    tones: list[str] = []
    for ch in " ".join(text.lower().split()):
        letter, tone = _split_letter(ch)
        rank = _RANK.get(letter)
        if rank is None:
            # digits, spaces and other characters sort before letters, in code-point order
            primary.append("0" + format(ord(letter) % 4096, "03x"))
        else:
            primary.append("1" + format(rank, "03d"))
        tones.append(str(tone))
    return "".join(primary) + "|" + "".join(tones)


def person_sort_key(family_name: str, middle_name: str, given_name: str) -> str:
    """Vietnamese lists sort people by given name (tên), then family name, then middle name."""
    return sort_key(f"{given_name} {family_name} {middle_name}")


def split_full_name(full_name: str) -> tuple[str, str, str]:
    """Split 'Nguyễn Thị Minh Anh' into ('Nguyễn', 'Thị Minh', 'Anh')."""
    parts = full_name.split()
    if not parts:
        return "", "", ""
    if len(parts) == 1:
        return "", "", parts[0]
    return parts[0], " ".join(parts[1:-1]), parts[-1]


def format_vnd(amount: int | float | None, *, unit: str = " đ") -> str:
    """1500000 → '1.500.000 đ' (Vietnamese thousand separators)."""
    if amount is None:
        return "—"
    rounded = round(amount)
    sign = "-" if rounded < 0 else ""
    return f"{sign}{abs(rounded):,}".replace(",", ".") + unit


def natural_key(text: str) -> str:
    """Vietnamese alphabetical order with numbers in numeric order: "Tổ dân phố 2" before
    "Tổ dân phố 10", "Xã Đan Điền" after "Xã Dương…". A plain string, usable as a sort key."""
    return sort_key(_DIGITS.sub(lambda m: m.group(0).lstrip("0").zfill(12), text or ""))


def natural_sorted(items: list[Any], key: Callable[[Any], str] = lambda a: a.name) -> list[Any]:
    """``items`` in natural Vietnamese order of ``key`` (default: their ``name``)."""
    return sorted(items, key=lambda item: natural_key(key(item)))
