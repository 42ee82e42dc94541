"""Reading and validating a population extract and a registry extract into the engine's columns.

``prepare_population`` / ``prepare_registry`` take a polars frame of text columns and return a
:class:`Prepared` with the normalised frame and every row issue found (errors and warnings). The
command line stops at the first error; the web import reports them all and imports nothing.

Normalised columns (both sides): ``unique_id`` (the row's key as text), ``row`` (1-based data row),
``pid`` (ID number, cleaned), ``pid_head`` / ``pid_tail`` (first / last six digits), ``pid_ok``
(well-formed: 12 digits and a known birth-registration code), ``pid_agrees`` (well-formed and in
agreement with the row's own sex and birth year), ``name_*``, ``dob_y`` / ``dob_m`` / ``dob_d``,
``sex``, ``commune``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from hongheo.core.ids import birth_registration_codes
from hongheo.linkage.engine.errors import LinkInputError, RowIssue
from hongheo.linkage.engine.normalise import (
    code_expr,
    dob_frame,
    name_frame,
    pid_expr,
    sex_expr,
    status_expr,
)

POPULATION_COLUMNS = (
    "person_id",
    "personal_id",
    "full_name",
    "dob",
    "sex",
    "commune_code",
    "residence_household_no",
    "status",
)
REGISTRY_COLUMNS = (
    "registry_row",
    "household_code",
    "personal_id",
    "full_name",
    "dob",
    "sex",
    "commune_code",
)
#: Columns that may be absent from a population extract (filled empty).
POPULATION_OPTIONAL = ("residence_household_no", "status", "relation_to_head", "address")
EXTENSIONS = {".csv": "csv", ".parquet": "parquet", ".xlsx": "xlsx"}
MAX_ISSUES = 1000


@dataclass(slots=True)
class Prepared:
    frame: pl.DataFrame
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)

    def raise_for_errors(self) -> None:
        if self.errors:
            raise LinkInputError(self.errors)


# --------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------


def decode_csv_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1258 (Vietnamese Windows), else an error."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        import unicodedata

        return unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError as exc:
        raise LinkInputError(
            RowIssue(None, None, "không đọc được mã ký tự của tệp (cần UTF-8 hoặc Windows-1258)")
        ) from exc


def read_table(source: Path | bytes, fmt: str) -> pl.DataFrame:
    """Every column as text (Parquet and Excel dates are kept as dates)."""
    try:
        if fmt == "csv":
            data = source.read_bytes() if isinstance(source, Path) else source
            text = decode_csv_bytes(data)
            return pl.read_csv(io.StringIO(text), infer_schema=False, truncate_ragged_lines=False)
        if fmt == "parquet":
            df = pl.read_parquet(source if isinstance(source, Path) else io.BytesIO(source))
        elif fmt == "xlsx":
            df = pl.read_excel(
                source if isinstance(source, Path) else io.BytesIO(source),
                engine="openpyxl",
                infer_schema_length=0,
            )
        else:
            raise LinkInputError(RowIssue(None, None, f"định dạng tệp {fmt!r} không được hỗ trợ"))
    except LinkInputError:
        raise
    except FileNotFoundError as exc:
        raise LinkInputError(RowIssue(None, None, f"không tìm thấy tệp {exc.filename}")) from exc
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise LinkInputError(RowIssue(None, None, f"không đọc được tệp: {exc}")) from exc
    return df.with_columns(
        pl.col(c).cast(pl.String) for c, t in df.schema.items() if t not in (pl.Date, pl.Datetime, pl.String)
    )


def read_path(path: Path) -> pl.DataFrame:
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise LinkInputError(
            RowIssue(None, None, f"không nhận ra định dạng tệp {path.name!r} (cần .csv, .parquet)")
        )
    if not path.is_file():
        raise LinkInputError(RowIssue(None, None, f"không tìm thấy tệp {str(path)!r}"))
    return read_table(path, fmt)


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------


def _check_columns(df: pl.DataFrame, required: tuple[str, ...], optional: tuple[str, ...]) -> pl.DataFrame:
    df = df.rename({c: c.strip().lstrip("\ufeff").lower() for c in df.columns})
    missing = [c for c in required if c not in df.columns and c not in optional]
    if missing:
        raise LinkInputError(
            [RowIssue(None, c, f"thiếu cột {c} (cần các cột: {', '.join(required)})") for c in missing]
        )
    fill = [pl.lit(None, dtype=pl.String).alias(c) for c in required if c not in df.columns]
    return df.with_columns(fill) if fill else df


def _issues(
    df: pl.DataFrame, mask: pl.Series, column: str, message: str, level: str = "error"
) -> list[RowIssue]:
    rows = df.filter(mask).get_column("row").head(MAX_ISSUES).to_list()
    return [RowIssue(int(r), column, message, level) for r in rows]


def _pid_checks(frame: pl.DataFrame) -> pl.DataFrame:
    codes = [int(c) for c in birth_registration_codes()]
    pid = pl.col("pid")
    well = pid.str.contains(r"^\d{12}$").fill_null(False)
    code_ok = pid.str.slice(0, 3).cast(pl.Int32, strict=False).is_in(codes).fill_null(False)
    pid_ok = well & code_ok
    digit = pid.str.slice(3, 1).cast(pl.Int32, strict=False)
    yy = pid.str.slice(4, 2).cast(pl.Int32, strict=False)
    century_ok = ((digit // 2) * 100 + 1900 == (pl.col("dob_y") // 100) * 100).fill_null(True)
    year_ok = (yy == pl.col("dob_y") % 100).fill_null(True)
    sex_ok = ((digit % 2 == 1) == (pl.col("sex") == "female")).fill_null(True)
    return frame.with_columns(
        pid_ok=pid_ok,
        pid_agrees=pid_ok & century_ok & year_ok & sex_ok,
        pid_head=pl.when(well).then(pid.str.slice(0, 6)),
        pid_tail=pl.when(well).then(pid.str.slice(6, 6)),
    )


def _common(df: pl.DataFrame, key: str) -> tuple[pl.DataFrame, list[RowIssue]]:
    errors: list[RowIssue] = []
    df = df.with_row_index("row", offset=1).with_columns(pl.col("row").cast(pl.Int64))
    dob = dob_frame(df.get_column("dob"))
    frame = pl.concat([df, dob], how="horizontal").with_columns(
        unique_id=pl.col(key).cast(pl.String).str.strip_chars(),
        pid=pid_expr(pl.col("personal_id")),
        sex=sex_expr(pl.col("sex")),
        sex_raw=pl.col("sex"),
        commune=code_expr(pl.col("commune_code")),
        full_name=pl.col("full_name").cast(pl.String),
    )
    frame = pl.concat([frame, name_frame(frame.get_column("full_name"))], how="horizontal")
    blank_key = frame.get_column("unique_id").fill_null("") == ""
    errors += _issues(frame, blank_key, key, f"thiếu {key}")
    dup = frame.get_column("unique_id").is_duplicated() & ~blank_key
    errors += _issues(frame, dup, key, f"{key} trùng với một dòng khác")
    errors += _issues(frame, frame.get_column("name_norm").is_null(), "full_name", "thiếu họ tên")
    errors += _issues(
        frame,
        frame.get_column("dob_bad"),
        "dob",
        "ngày sinh không đúng dạng (YYYY-MM-DD, DD/MM/YYYY hoặc YYYY)",
    )
    errors += _issues(
        frame, (frame.get_column("sex") == "?").fill_null(False), "sex", "giới tính không hợp lệ (Nam/Nữ)"
    )
    frame = frame.with_columns(sex=pl.when(pl.col("sex") == "?").then(None).otherwise(pl.col("sex")))
    return _pid_checks(frame), errors


def prepare_population(df: pl.DataFrame) -> Prepared:
    """Validate and normalise a population extract (see the module docstring)."""
    df = _check_columns(df, POPULATION_COLUMNS, POPULATION_OPTIONAL)
    frame, errors = _common(df, "person_id")
    frame = frame.with_columns(
        status=status_expr(pl.col("status")),
        household_no=pl.col("residence_household_no").cast(pl.String).str.strip_chars().replace("", None),
    )
    errors += _issues(
        frame, frame.get_column("status") == "?", "status", "tình trạng không hợp lệ (alive, deceased, moved)"
    )
    warnings: list[RowIssue] = []
    dup_pid = frame.get_column("pid").is_duplicated() & frame.get_column("pid").is_not_null()
    warnings += _issues(
        frame,
        dup_pid,
        "personal_id",
        "số định danh trùng với người khác trong bản trích (không dùng để ghép chính xác)",
        "warning",
    )
    bad_pid = frame.get_column("pid").is_not_null() & ~frame.get_column("pid_agrees")
    warnings += _issues(
        frame,
        bad_pid,
        "personal_id",
        "số định danh sai cấu trúc hoặc không khớp ngày sinh/giới tính",
        "warning",
    )
    frame = frame.with_columns(pid_unique=~dup_pid)
    errors.sort(key=lambda i: i.row or 0)
    return Prepared(frame=frame, errors=errors, warnings=warnings)


def prepare_registry(df: pl.DataFrame) -> Prepared:
    """Validate and normalise registry rows (see the module docstring)."""
    df = _check_columns(df, REGISTRY_COLUMNS, ())
    frame, errors = _common(df, "registry_row")
    frame = frame.with_columns(household_code=pl.col("household_code").cast(pl.String).str.strip_chars())
    errors += _issues(
        frame, frame.get_column("household_code").fill_null("") == "", "household_code", "thiếu mã hộ"
    )
    warnings = _issues(
        frame,
        frame.get_column("pid").is_not_null() & ~frame.get_column("pid_agrees"),
        "personal_id",
        "số định danh sai cấu trúc hoặc không khớp ngày sinh/giới tính",
        "warning",
    )
    errors.sort(key=lambda i: i.row or 0)
    return Prepared(frame=frame, errors=errors, warnings=warnings)
