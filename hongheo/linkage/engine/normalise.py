"""Vietnamese-aware normalisation of names, dates of birth, sex, status and ID numbers.

Every function has a scalar form (used by the incremental matcher and tests) and a vectorised
polars form (batch); both give the same answers, which the tests check.

Names: lower case, diacritics removed (NFD, combining marks dropped), ``đ``/``Đ`` → ``d``,
punctuation → space, runs of spaces collapsed. ``name_sorted`` sorts the tokens (family / middle /
given written in another order); ``name_fg`` keeps the first and last token in sorted order (a
left-out middle name).

Dates of birth: ``YYYY-MM-DD``, ``YYYY``, ``YYYY-DD-MM`` (day and month swapped; recognised when
the "month" is over 12), ``DD/MM/YYYY``, ``DD-MM-YYYY``, ``DD.MM.YYYY``, ``YYYYMMDD``. A value that
cannot be a date is an error; an empty value is unknown.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange

import polars as pl

SEX_VALUES = {
    "nam": "male",
    "male": "male",
    "m": "male",
    "nu": "female",
    "female": "female",
    "f": "female",
}
STATUS_VALUES = {
    "alive": "alive",
    "song": "alive",
    "con song": "alive",
    "thuong tru": "alive",
    "deceased": "deceased",
    "dead": "deceased",
    "chet": "deceased",
    "da chet": "deceased",
    "tu vong": "deceased",
    "da tu vong": "deceased",
    "da mat": "deceased",
    "moved": "moved",
    "chuyen di": "moved",
    "da chuyen di": "moved",
    "chuyen khau": "moved",
}

_SPACE = re.compile(r"\s+")
_NON_ALNUM = re.compile(r"[^a-z0-9 ]")


# --------------------------------------------------------------------------------------------
# scalar forms
# --------------------------------------------------------------------------------------------


def fold(text: str | None) -> str:
    """Lower case, no diacritics, đ → d, punctuation → space, single spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace("đ", "d")
    return _SPACE.sub(" ", _NON_ALNUM.sub(" ", plain)).strip()


def name_lower(text: str | None) -> str:
    """Lower case with diacritics kept (NFC), single spaces."""
    if not text:
        return ""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text).lower()).strip()


def name_keys(text: str | None) -> dict[str, object]:
    """The name columns the comparisons use, for one name."""
    norm = fold(text)
    tokens = norm.split(" ") if norm else []
    ordered = sorted(tokens)
    return {
        "name_lower": name_lower(text) or None,
        "name_norm": norm or None,
        "name_sorted": " ".join(ordered) or None,
        "name_fg": " ".join(sorted([tokens[0], tokens[-1]])) if tokens else None,
        "name_tokens": tokens or None,
    }


def _valid_ymd(y: int, m: int, d: int) -> bool:
    return 1 <= m <= 12 and 1 <= d <= monthrange(y, m)[1] and 1850 <= y <= 2200


def parse_dob(value: object) -> tuple[int | None, int | None, int | None]:
    """``(year, month, day)``; month and day are ``None`` for a bare year; all ``None`` when empty.

    Raises ``ValueError`` when the value is not a date in one of the accepted forms.
    """
    if value is None:
        return (None, None, None)
    if hasattr(value, "year") and hasattr(value, "month") and hasattr(value, "day"):
        return (int(value.year), int(value.month), int(value.day))  # type: ignore[attr-defined]
    text = str(value).strip()
    if not text:
        return (None, None, None)
    if re.fullmatch(r"\d{4}", text):
        y = int(text)
        if not 1850 <= y <= 2200:
            raise ValueError(f"năm sinh {text} không hợp lệ")
        return (y, None, None)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    if m:
        y, a, b = (int(g) for g in m.groups())
        if _valid_ymd(y, a, b):
            return (y, a, b)
        if _valid_ymd(y, b, a):
            return (y, b, a)  # day and month swapped
        raise ValueError(f"ngày sinh {text!r} không phải ngày có thật")
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if m:
        a, b, y = (int(g) for g in m.groups())
        if _valid_ymd(y, b, a):
            return (y, b, a)
        if _valid_ymd(y, a, b):
            return (y, a, b)
        raise ValueError(f"ngày sinh {text!r} không phải ngày có thật")
    raise ValueError(f"ngày sinh {text!r} không đúng dạng (YYYY-MM-DD, DD/MM/YYYY hoặc YYYY)")


def parse_sex(value: object) -> str | None:
    """``"male"`` / ``"female"`` / ``None`` (empty); ``ValueError`` otherwise."""
    if value is None or not str(value).strip():
        return None
    try:
        return SEX_VALUES[fold(str(value))]
    except KeyError:
        raise ValueError(f"giới tính {value!r} không hợp lệ (Nam/Nữ hoặc male/female)") from None


def parse_status(value: object) -> str:
    if value is None or not str(value).strip():
        return "alive"
    try:
        return STATUS_VALUES[fold(str(value))]
    except KeyError:
        raise ValueError(f"tình trạng {value!r} không hợp lệ (alive, deceased, moved)") from None


def clean_pid(value: object) -> str | None:
    """The ID number without spaces, dots or dashes; ``None`` when empty."""
    if value is None:
        return None
    text = re.sub(r"[\s.\-]", "", str(value))
    return text or None


def clean_code(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if text.isdigit():
        text = text.lstrip("0") or "0"
    return text or None


# --------------------------------------------------------------------------------------------
# vectorised forms (polars)
# --------------------------------------------------------------------------------------------


def fold_expr(expr: pl.Expr) -> pl.Expr:
    return (
        expr.fill_null("")
        .str.normalize("NFD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all("đ", "d", literal=True)
        .str.replace_all(r"[^a-z0-9 ]", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def _name_keys_frame(df: pl.DataFrame, column: str) -> pl.DataFrame:
    """Add the name columns, in stages (each expression evaluated once)."""
    df = df.with_columns(
        pl.col(column)
        .fill_null("")
        .str.normalize("NFC")
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
        .replace("", None)
        .alias("name_lower"),
        fold_expr(pl.col(column)).replace("", None).alias("name_norm"),
    )
    df = df.with_columns(name_tokens=pl.col("name_norm").str.split(" "))
    df = df.with_columns(
        name_sorted=pl.col("name_tokens").list.sort().list.join(" "),
        name_fg=pl.concat_list(pl.col("name_tokens").list.first(), pl.col("name_tokens").list.last())
        .list.sort()
        .list.join(" ")
        .replace("", None),
    )
    return df.select("name_lower", "name_norm", "name_sorted", "name_fg", "name_tokens")


NAME_COLUMNS = ("name_lower", "name_norm", "name_sorted", "name_fg", "name_tokens")


def name_frame(series: pl.Series) -> pl.DataFrame:
    """``name_lower``, ``name_norm``, ``name_sorted``, ``name_fg``, ``name_tokens`` for a column of
    names, computed once per distinct name (names repeat a great deal) and joined back in order."""
    s = series.cast(pl.String).rename("_n")
    uniq = pl.DataFrame({"_n": s.unique()})
    keys = pl.concat([uniq, _name_keys_frame(uniq, "_n")], how="horizontal")
    out = pl.DataFrame({"_n": s}).join(keys, on="_n", how="left", maintain_order="left", nulls_equal=True)
    return out.select(NAME_COLUMNS)


def name_columns(column: str) -> list[pl.Expr]:
    """The name columns as expressions (small frames; :func:`name_frame` is the fast path)."""
    return [
        pl.col(column).map_batches(lambda s, c=c: name_frame(s).get_column(c), return_dtype=dtype).alias(c)  # type: ignore[misc,arg-type]
        for c, dtype in zip(
            NAME_COLUMNS, (pl.String, pl.String, pl.String, pl.String, pl.List(pl.String)), strict=True
        )
    ]


def _days_in_month(y: pl.Expr, m: pl.Expr) -> pl.Expr:
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    return (
        pl.when(m == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(m.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )


def _valid(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    return (
        m.is_between(1, 12) & d.is_between(1, 31) & (d <= _days_in_month(y, m)) & y.is_between(1850, 2200)
    ).fill_null(False)


def dob_frame(series: pl.Series) -> pl.DataFrame:
    """``dob_y``, ``dob_m``, ``dob_d`` (Int32, null when unknown) and ``dob_bad`` (a non-empty value that is
    not a date) for a column of dates of birth (text, ``Date`` or ``Datetime``)."""
    if series.dtype in (pl.Date, pl.Datetime):
        return pl.DataFrame(
            {
                "dob_y": series.dt.year().cast(pl.Int32),
                "dob_m": series.dt.month().cast(pl.Int32),
                "dob_d": series.dt.day().cast(pl.Int32),
                "dob_bad": pl.Series([False] * len(series)),
            }
        )
    text = series.cast(pl.String).fill_null("").str.strip_chars()
    text = text.str.replace(r"[ T]00:00(:00)?$", "")
    df = pl.DataFrame({"t": text})
    iso = pl.col("t").str.extract_groups(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
    compact = pl.col("t").str.extract_groups(r"^(\d{4})(\d{2})(\d{2})$")
    vn = pl.col("t").str.extract_groups(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
    df = df.with_columns(
        iso_y=iso.struct.field("1").cast(pl.Int32),
        iso_a=iso.struct.field("2").cast(pl.Int32),
        iso_b=iso.struct.field("3").cast(pl.Int32),
        c_y=compact.struct.field("1").cast(pl.Int32),
        c_a=compact.struct.field("2").cast(pl.Int32),
        c_b=compact.struct.field("3").cast(pl.Int32),
        vn_d=vn.struct.field("1").cast(pl.Int32),
        vn_m=vn.struct.field("2").cast(pl.Int32),
        vn_y=vn.struct.field("3").cast(pl.Int32),
        year_only=pl.when(pl.col("t").str.contains(r"^\d{4}$")).then(
            pl.col("t").cast(pl.Int32, strict=False)
        ),
    )
    # year, first, second in "year, month, day" reading order
    y = pl.coalesce("iso_y", "c_y", "vn_y")
    a = pl.coalesce("iso_a", "c_a", "vn_m")
    b = pl.coalesce("iso_b", "c_b", "vn_d")
    df = df.with_columns(y=y, a=a, b=b)
    straight = _valid(pl.col("y"), pl.col("a"), pl.col("b"))
    swapped = _valid(pl.col("y"), pl.col("b"), pl.col("a"))
    yo = pl.col("year_only")
    yo_ok = yo.is_between(1850, 2200).fill_null(False)
    df = df.with_columns(
        dob_y=pl.when(straight | swapped).then(pl.col("y")).when(yo_ok).then(yo),
        dob_m=pl.when(straight).then(pl.col("a")).when(swapped).then(pl.col("b")),
        dob_d=pl.when(straight).then(pl.col("b")).when(swapped).then(pl.col("a")),
    )
    df = df.with_columns(dob_bad=(pl.col("t") != "") & pl.col("dob_y").is_null())
    return df.select(
        pl.col("dob_y").cast(pl.Int32),
        pl.col("dob_m").cast(pl.Int32),
        pl.col("dob_d").cast(pl.Int32),
        "dob_bad",
    )


def sex_expr(expr: pl.Expr) -> pl.Expr:
    """``male`` / ``female`` / null (empty) / ``"?"`` (not a sex)."""
    raw = expr.cast(pl.String).fill_null("").str.strip_chars()
    f = fold_expr(expr.cast(pl.String))
    return pl.when(raw == "").then(None).otherwise(f.replace_strict(SEX_VALUES, default="?"))


def status_expr(expr: pl.Expr) -> pl.Expr:
    raw = expr.cast(pl.String).fill_null("").str.strip_chars()
    f = fold_expr(expr.cast(pl.String))
    return pl.when(raw == "").then(pl.lit("alive")).otherwise(f.replace_strict(STATUS_VALUES, default="?"))


def pid_expr(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).str.replace_all(r"[\s.\-]", "").replace("", None)


def code_expr(expr: pl.Expr) -> pl.Expr:
    t = expr.cast(pl.String).str.strip_chars().str.replace(r"^(\d+)\.0$", "${1}")
    return (
        pl.when(t.str.contains(r"^\d+$"))
        .then(t.str.strip_chars_start("0").replace("", "0"))
        .otherwise(t)
        .replace("", None)
    )
