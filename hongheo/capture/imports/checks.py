"""Vectorised validation of an imported list (polars). Pure module: no Django.

:func:`convert` turns the mapped text columns into typed columns and one message column per field
(``_e_<key>``); :func:`household_rules` adds the rules that span rows (one head per household,
one commune per household, duplicate personal IDs in the file); :func:`resolve_areas` checks
communes and villages against the map and the user's area; the engine adds the registry look-ups.
Messages are Vietnamese and name the value that is wrong, so a commune officer can fix the file.
Every rule mirrors ``hongheo.registry.validation`` (the single-record rules of the services).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import polars as pl

from hongheo.core.ids import birth_registration_codes
from hongheo.core.text import fold
from hongheo.registry import code_lists, ethnicity
from hongheo.registry.validation import (
    MAX_DEVICES,
    MAX_FLOOR_AREA_M2,
    MAX_INCOME,
    OLDEST_BIRTH,
    PERSONAL_ID_MESSAGES,
)

from .fields import BY_KEY, FIELDS, LAYOUT_HOUSEHOLD, heading
from .mapping import FALSE_WORDS, TRUE_WORDS, code_aliases, list_for
from .reading import ROW

REASON = "_reason"
HH = "household_code"
ERR = "_e_"
DATE_FORMATS = ("%d/%m/%Y", "%Y/%m/%d")  # after "-" and "." become "/"


def _map_unique(series: pl.Series, fn: Callable[[str], Any], dtype: Any) -> pl.Series:
    """Apply a Python function to each distinct value only (coded columns have few)."""
    values = series.drop_nulls().unique().to_list()
    table = {v: fn(v) for v in values}
    if not table:
        return pl.Series(series.name, [], dtype=dtype).extend_constant(None, series.len())
    return series.replace_strict(table, default=None, return_dtype=dtype)


def _label(key: str, layout: str) -> str:
    return heading(BY_KEY[key], layout)


def _quoted(col: str) -> pl.Expr:
    return pl.lit("“") + pl.col(col) + pl.lit("”")


def canonical(raw: pl.DataFrame, mapping: dict[str, Any]) -> pl.DataFrame:
    """The file's columns renamed to field keys (unmapped fields as nulls), text only."""
    columns = {c: k for c, k in (mapping.get("columns") or {}).items() if k}
    frame = raw.select([pl.col(ROW), *(pl.col(c).alias(k) for c, k in columns.items())])
    missing = [f.key for f in FIELDS if f.key not in frame.columns]
    frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(k) for k in missing)
    if mapping.get("layout") == LAYOUT_HOUSEHOLD:
        frame = frame.with_columns(pl.lit("head").alias("relation_to_head"))
    return frame


def _text(frame: pl.DataFrame, key: str, layout: str) -> tuple[pl.Expr, pl.Expr | None]:
    spec = BY_KEY[key]
    col = pl.col(key)
    value = (
        pl.when(col.str.contains(r"\s\s|[\t\n\r\xa0]")).then(col.str.replace_all(r"\s+", " ")).otherwise(col)
    )
    error = None
    if spec.max_length:
        error = pl.when(value.str.len_chars() > spec.max_length).then(
            pl.lit(f"{_label(key, layout)}: quá dài (tối đa {spec.max_length} ký tự)")
        )
    return value.alias(key), error


def _dates(key: str) -> pl.Expr:
    col = pl.col(key).str.replace(r"[T ]00:00(:00)?$", "").str.replace_all(r"[-.]", "/")
    return pl.coalesce([col.str.to_date(f, strict=False) for f in DATE_FORMATS])


def _numbers(key: str, *, integer: bool) -> pl.Expr:
    text = pl.col(key).str.replace_all(r"[\s\u00a0]", "")
    if integer:
        grouped = text.str.contains(r"^-?\d{1,3}([.,]\d{3})+$")
        text = pl.when(grouped).then(text.str.replace_all(r"[.,]", "")).otherwise(text)
        as_float = text.str.replace(",", ".").cast(pl.Float64, strict=False)
        return (
            pl.when(as_float.is_not_null() & (as_float == as_float.round(0)))
            .then(as_float.cast(pl.Int64, strict=False))
            .otherwise(None)
        )
    return text.str.replace(",", ".").cast(pl.Float64, strict=False)


def _personal_id_clean() -> pl.Expr:
    raw = pl.col("personal_id")
    raw = pl.when(raw.str.contains(r"[\s.\-]")).then(raw.str.replace_all(r"[\s.\-]", "")).otherwise(raw)
    # a number that went through Excel loses its leading zero (every province code starts with 0)
    short = (raw.str.len_bytes() < 12) & raw.str.contains(r"^\d{10,11}$")
    return pl.when(short).then(raw.str.zfill(12)).otherwise(raw).alias("personal_id")


def _personal_id(dob: pl.Expr, sex: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The checks of ``validate_personal_id`` in its order (``personal_id`` already cleaned). A
    prefix in neither the province nor the country list is not an error here: it is reported as a
    warning of the import (:func:`unknown_prefix_rows`), since a birth registered abroad carries a
    country code and the country list was not found."""
    pid = pl.col("personal_id")
    digit = pid.str.slice(3, 1).cast(pl.Int32, strict=False)
    century = 1900 + (digit // 2) * 100
    two = pid.str.slice(4, 2).cast(pl.Int32, strict=False)
    id_sex = pl.when(digit % 2 == 1).then(pl.lit("female")).otherwise(pl.lit("male"))
    prefix = pl.lit("Số định danh ") + pid + pl.lit(": ")
    message = (
        pl.when(pid.is_null())
        .then(None)
        .when(pid.str.len_chars() != 12)
        .then(prefix + pl.lit(PERSONAL_ID_MESSAGES["length"]))
        .when(~pid.str.contains(r"^\d{12}$"))
        .then(prefix + pl.lit(PERSONAL_ID_MESSAGES["non_digit"]))
        .when(dob.is_not_null() & (dob.dt.year() // 100 * 100 != century))
        .then(prefix + pl.lit(PERSONAL_ID_MESSAGES["century_mismatch"]))
        .when(dob.is_not_null() & (dob.dt.year() % 100 != two))
        .then(prefix + pl.lit(PERSONAL_ID_MESSAGES["birth_year_mismatch"]))
        .when(sex.is_not_null() & (sex != id_sex))
        .then(prefix + pl.lit(PERSONAL_ID_MESSAGES["sex_mismatch"]))
    )
    return pid.alias("personal_id"), message


def unknown_prefix(frame: pl.DataFrame) -> pl.Expr:
    """Rows whose well-formed personal ID has a prefix in neither list."""
    pid = pl.col("personal_id")
    known = list(birth_registration_codes())
    return pid.is_not_null() & pid.str.contains(r"^\d{12}$") & ~pid.str.slice(0, 3).is_in(known)


def _code_table(key: str, mapping: dict[str, Any]) -> dict[str, str]:
    table = dict(code_aliases(list_for(key)))
    table.update({fold(k): v for k, v in ((mapping.get("values") or {}).get(key) or {}).items() if v})
    return table


def _multi(raw: str, list_name: str, table: dict[str, str]) -> tuple[str, str]:
    parts = [p.strip() for p in raw.replace("\n", ";").split(";") if p.strip()]
    codes, unknown = [], []
    for part in parts:
        code = table.get(fold(part))
        if code:
            codes.append(code)
            continue
        # "a, b" is a list of codes only when every piece is one (labels may contain commas)
        pieces = [table.get(fold(x)) for x in part.split(",") if x.strip()]
        if pieces and all(pieces):
            codes.extend(c for c in pieces if c)
        else:
            unknown.append(part)
    if unknown:
        shown = ", ".join(f"“{u}”" for u in unknown)
        return "", f"{code_lists.list_label(list_name)}: không có trong danh mục {shown}"
    order = code_lists.codes(list_name)
    return ";".join(c for c in order if c in set(codes)), ""


def _lookup_code(table: dict[str, str], value: str) -> str | None:
    return table.get(fold(value))


def _multi_struct(list_name: str, table: dict[str, str], value: str) -> dict[str, str]:
    codes, error = _multi(value, list_name, table)
    return {"c": codes, "e": error}


def convert(raw: pl.DataFrame, mapping: dict[str, Any], *, today: dt.date) -> pl.DataFrame:
    """Typed columns plus one message column per field (``_e_<key>``, null when fine)."""
    layout = mapping.get("layout", "")
    frame = canonical(raw, mapping)
    originals = frame.select(pl.col(k).alias(f"_raw_{k}") for k in ("date_of_birth", "decision_date"))
    errors: dict[str, pl.Expr] = {}
    # coded, yes/no and multi-choice columns: mapped on their distinct values only
    eager: list[pl.Series] = []
    for spec in FIELDS:
        series = frame.get_column(spec.key)
        if spec.kind in ("code", "class"):
            table = _code_table(spec.key, mapping)
            eager.append(_map_unique(series, partial(_lookup_code, table), pl.String).alias(spec.key))
        elif spec.kind == "bool":
            user = {fold(k): v for k, v in ((mapping.get("values") or {}).get(spec.key) or {}).items()}

            def to_bool(v: str, user: dict[str, str] = user) -> bool | None:
                word = user.get(fold(v), fold(v))
                return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None

            eager.append(_map_unique(series, to_bool, pl.Boolean).alias(spec.key))
        elif spec.kind == "codes":
            table = _code_table(spec.key, mapping)
            pairs = _map_unique(
                series,
                partial(_multi_struct, spec.code_list, table),
                pl.Struct({"c": pl.String, "e": pl.String}),
            )
            eager.append(pairs.struct.field("c").replace("", None).alias(spec.key))
            eager.append(pairs.struct.field("e").replace("", None).alias(ERR + spec.key))
        else:
            continue
        if spec.kind != "codes":
            eager.append(series.alias(f"_raw_{spec.key}"))
    frame = frame.with_columns(eager)
    # ethnicity: one of the 54 official groups, any common spelling (issue 8)
    if frame.get_column("ethnicity").null_count() < frame.height:
        raw_eth = frame.get_column("ethnicity")
        frame = frame.with_columns(
            _map_unique(raw_eth, ethnicity.canonical_or_none, pl.String).alias("ethnicity"),
            raw_eth.alias("_raw_ethnicity"),
        )
        errors["ethnicity"] = pl.when(
            pl.col("_raw_ethnicity").is_not_null() & pl.col("ethnicity").is_null()
        ).then(
            pl.lit(f"{_label('ethnicity', layout)} ")
            + _quoted("_raw_ethnicity")
            + pl.lit(": không có trong danh mục 54 dân tộc")
        )
    for spec in FIELDS:
        if spec.kind in ("code", "class", "bool"):
            raw_col = f"_raw_{spec.key}"
            what = (
                "phải là Có hoặc Không"
                if spec.kind == "bool"
                else "không có trong danh mục"
                if spec.kind == "code"
                else "phải là Hộ nghèo hoặc Hộ cận nghèo"
            )
            errors[spec.key] = pl.when(pl.col(raw_col).is_not_null() & pl.col(spec.key).is_null()).then(
                pl.lit(f"{_label(spec.key, layout)} ") + _quoted(raw_col) + pl.lit(f": {what}")
            )
    # text columns
    typed: list[pl.Expr] = []
    for spec in FIELDS:
        if spec.kind == "text" and spec.key not in ("personal_id", "phone", "ethnicity"):
            if frame.get_column(spec.key).null_count() == frame.height:
                continue
            value, error = _text(frame, spec.key, layout)
            typed.append(value)
            if error is not None:
                errors[spec.key] = error
    frame = frame.with_columns([*typed, _personal_id_clean()])
    # dates and numbers
    frame = frame.with_columns(
        _dates("date_of_birth").alias("date_of_birth"),
        _dates("decision_date").alias("decision_date"),
        _numbers("income_per_capita", integer=True).alias("income_per_capita"),
        _numbers("information_devices", integer=True).alias("information_devices"),
        _numbers("floor_area_m2", integer=False).alias("floor_area_m2"),
        _numbers("latitude", integer=False).alias("latitude"),
        _numbers("longitude", integer=False).alias("longitude"),
        pl.col("phone").str.replace_all(r"[\s.\-()]", "").alias("phone"),
        originals.get_column("_raw_date_of_birth"),
        originals.get_column("_raw_decision_date"),
        *(
            pl.col(k).alias(f"_raw_{k}")
            for k in ("income_per_capita", "information_devices", "floor_area_m2")
        ),
    )
    frame = frame.with_columns(
        pl.when(pl.col("phone").str.contains(r"^\d{9}$"))
        .then(pl.lit("0") + pl.col("phone"))
        .otherwise(pl.col("phone"))
        .alias("phone")
    )
    dob = pl.col("date_of_birth")
    errors["date_of_birth"] = (
        pl.when(pl.col("_raw_date_of_birth").is_null())
        .then(pl.lit(f"{_label('date_of_birth', layout)}: chưa có"))
        .when(dob.is_null())
        .then(
            pl.lit(f"{_label('date_of_birth', layout)} ")
            + _quoted("_raw_date_of_birth")
            + pl.lit(": không đúng dạng dd/mm/yyyy")
        )
        .when(dob > pl.lit(today))
        .then(pl.lit("Ngày sinh không được sau ngày hôm nay"))
        .when(dob < pl.lit(OLDEST_BIRTH))
        .then(pl.lit("Ngày sinh không được trước năm 1900"))
    )
    errors["decision_date"] = (
        pl.when(pl.col("_raw_decision_date").is_not_null() & pl.col("decision_date").is_null())
        .then(
            pl.lit("Ngày quyết định ")
            + _quoted("_raw_decision_date")
            + pl.lit(": không đúng dạng dd/mm/yyyy")
        )
        .when(pl.col("official_class").is_not_null() & pl.col("_raw_decision_date").is_null())
        .then(pl.lit("Có loại hộ hiện tại nhưng chưa có ngày quyết định công nhận"))
        .when(pl.col("decision_date") > pl.lit(today))
        .then(pl.lit("Ngày quyết định không được sau ngày hôm nay"))
    )
    for key in ("full_name", "sex", "relation_to_head", HH):
        missing = pl.col(key).is_null() & (
            pl.col(f"_raw_{key}").is_null() if f"_raw_{key}" in frame.columns else pl.lit(True)
        )
        check = pl.when(missing).then(pl.lit(f"{_label(key, layout)}: chưa có"))
        errors[key] = check if key not in errors else pl.coalesce(check, errors[key])
    if "commune_code" in frame.columns:
        errors["commune"] = pl.when(pl.col("commune_code").is_null() & pl.col("commune_name").is_null()).then(
            pl.lit("Chưa có mã xã/phường hoặc tên xã/phường")
        )
    for key, lo, hi, label in (
        ("income_per_capita", 0, MAX_INCOME, "Thu nhập bình quân"),
        ("information_devices", 0, MAX_DEVICES, "Số thiết bị tiếp cận thông tin"),
        ("floor_area_m2", 0.5, MAX_FLOOR_AREA_M2, "Diện tích nhà ở"),
    ):
        kind = "số nguyên" if key != "floor_area_m2" else "số"
        errors[key] = (
            pl.when(pl.col(f"_raw_{key}").is_not_null() & pl.col(key).is_null())
            .then(pl.lit(f"{label} ") + _quoted(f"_raw_{key}") + pl.lit(f": phải là {kind}"))
            .when((pl.col(key) < lo) | (pl.col(key) > hi))
            .then(pl.lit(f"{label}: phải từ {lo:g} đến {hi:g}"))
        )
    errors["phone"] = pl.when(
        pl.col("phone").is_not_null() & ~pl.col("phone").str.contains(r"^(\+84|0)\d{9,10}$")
    ).then(
        pl.lit("Số điện thoại ") + _quoted("phone") + pl.lit(": 10 hoặc 11 chữ số, bắt đầu bằng 0 hoặc +84")
    )
    lat, lon = pl.col("latitude"), pl.col("longitude")
    errors["gps"] = (
        pl.when(lat.is_null() != lon.is_null())
        .then(pl.lit("Toạ độ GPS phải có cả vĩ độ và kinh độ"))
        .when(lat.is_not_null() & ~(lat.is_between(7, 24) & lon.is_between(101, 118)))
        .then(pl.lit("Toạ độ GPS nằm ngoài lãnh thổ Việt Nam"))
    )
    _, pid_error = _personal_id(dob, pl.col("sex"))
    errors["personal_id"] = pid_error
    frame = frame.with_columns(
        pl.when(pl.col(ERR + k).is_not_null()).then(pl.col(ERR + k)).otherwise(e).alias(ERR + k)
        if ERR + k in frame.columns
        else e.alias(ERR + k)
        for k, e in errors.items()
    )
    return frame.drop([c for c in frame.columns if c.startswith("_raw_")])


def error_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith(ERR)]


def with_reason(frame: pl.DataFrame) -> pl.DataFrame:
    """Fold every ``_e_*`` column into ``_reason`` (null when the row is fine)."""
    cols = error_columns(frame)
    if not cols:
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias(REASON))
    reason = pl.concat_str([pl.col(c) for c in cols], separator="; ", ignore_nulls=True)
    return frame.with_columns(reason.replace("", None).alias(REASON)).drop(cols)


def add_error(frame: pl.DataFrame, name: str, expr: pl.Expr) -> pl.DataFrame:
    return frame.with_columns(expr.alias(ERR + name))


def household_rules(frame: pl.DataFrame, layout: str) -> pl.DataFrame:
    """Rules across rows: one head per household, one place per household, duplicate IDs."""
    code = pl.col(HH)
    if layout == LAYOUT_HOUSEHOLD:
        count = pl.len().over(HH)
        frame = add_error(
            frame,
            "dup_household",
            pl.when(code.is_not_null() & (count > 1)).then(
                pl.lit("Mã hộ ")
                + code
                + pl.lit(" xuất hiện ")
                + count.cast(pl.String)
                + pl.lit(" lần trong tệp")
            ),
        )
    else:
        heads = (pl.col("relation_to_head") == "head").sum().over(HH)
        frame = add_error(
            frame,
            "heads",
            pl.when(code.is_null())
            .then(None)
            .when(heads == 0)
            .then(pl.lit("Hộ ") + code + pl.lit(" không có dòng nào là Chủ hộ"))
            .when(heads > 1)
            .then(
                pl.lit("Hộ ")
                + code
                + pl.lit(" có ")
                + heads.cast(pl.String)
                + pl.lit(" chủ hộ (mỗi hộ có đúng một chủ hộ)")
            ),
        )
        place = pl.concat_str(
            [pl.col("commune_code"), pl.col("commune_name"), pl.col("village_name")],
            separator="|",
            ignore_nulls=True,
        )
        frame = frame.with_columns(place.alias("_place"))
        frame = add_error(
            frame,
            "place",
            pl.when(
                code.is_not_null() & (pl.col("_place").replace("", None).drop_nulls().n_unique().over(HH) > 1)
            ).then(pl.lit("Các dòng của hộ ") + code + pl.lit(" ghi xã/thôn khác nhau")),
        ).drop("_place")
    pid = pl.col("personal_id")
    rows = pl.col(ROW).cast(pl.String)
    frame = frame.with_columns(
        pl.when(pid.is_not_null() & (pl.len().over("personal_id") > 1))
        .then(rows.implode().over("personal_id", mapping_strategy="join").list.join(", "))
        .alias("_dup_rows")
    )
    frame = add_error(
        frame,
        "dup_id",
        pl.when(pl.col("_dup_rows").is_not_null()).then(
            pl.lit("Số định danh ") + pid + pl.lit(" trùng nhau ở các dòng ") + pl.col("_dup_rows")
        ),
    )
    return frame.drop("_dup_rows")


@dataclass
class AreaLookup:
    """What the engine read from the map for the communes and villages named in the file."""

    communes: dict[str, dict[str, Any]]  # commune code → {id, path, name, province}
    by_name: dict[str, list[str]]  # folded commune name (with and without its kind) → codes
    villages: dict[tuple[str, str], dict[str, Any]]  # (commune code, folded name) → {id, path, name}
    scope: list[str]  # the user's area paths
    manageable: set[str] = field(default_factory=set)  # commune codes where villages may be created
    create_villages: bool = False  # the uploader ticked "tạo thôn mới" for this import


KIND_WORDS = ("xa ", "phuong ", "dac khu ", "thi tran ")


def commune_keys(name: str) -> list[str]:
    folded = fold(name)
    keys = [folded]
    for word in KIND_WORDS:
        if folded.startswith(word):
            keys.append(folded[len(word) :])
    return keys


def resolve_areas(frame: pl.DataFrame, lookup: AreaLookup) -> pl.DataFrame:
    """Commune (by code, else by name), village (by name, new ones listed), the user's area."""
    code_in = pl.col("commune_code").str.replace(r"\.0$", "")
    code_in = pl.when(code_in.str.contains(r"^\d{1,5}$")).then(code_in.str.zfill(5)).otherwise(code_in)
    frame = frame.with_columns(code_in.alias("commune_code"))

    def by_name(name: str) -> str:
        found = sorted({c for k in commune_keys(name) for c in lookup.by_name.get(k, [])})
        return found[0] if len(found) == 1 else ("?" if found else "")

    named = _map_unique(frame.get_column("commune_name"), by_name, pl.String)
    frame = frame.with_columns(
        pl.when(pl.col("commune_code").is_not_null())
        .then(pl.col("commune_code"))
        .otherwise(named.replace({"": None, "?": None}))
        .alias("_commune"),
        named.alias("_named"),
    )
    known = list(lookup.communes)
    commune = pl.col("_commune")
    paths = {c: v["path"] for c, v in lookup.communes.items()}
    frame = frame.with_columns(
        commune.replace_strict(paths, default=None, return_dtype=pl.String).alias("_cpath")
    )
    village_key = _map_unique(frame.get_column("village_name"), fold, pl.String)
    frame = frame.with_columns(village_key.alias("_vkey"))
    vtable = {f"{c}|{k}": v["path"] for (c, k), v in lookup.villages.items()}
    frame = frame.with_columns(
        (commune + pl.lit("|") + pl.col("_vkey"))
        .replace_strict(vtable, default=None, return_dtype=pl.String)
        .alias("_vpath")
    )
    new_village = pl.col("_vkey").is_not_null() & pl.col("_vpath").is_null() & commune.is_in(known)
    frame = frame.with_columns(new_village.alias("_new_village"))
    area_path = pl.coalesce(pl.col("_vpath"), pl.col("_cpath"))
    in_scope = pl.any_horizontal([area_path.str.starts_with(p) for p in lookup.scope] or [pl.lit(False)])
    # a new village lies under its commune: the commune must be in the user's area
    commune_in_scope = pl.any_horizontal(
        [pl.col("_cpath").str.starts_with(p) for p in lookup.scope] or [pl.lit(False)]
    )
    frame = add_error(
        frame,
        "commune_found",
        pl.when(pl.col("commune_code").is_not_null() & ~commune.is_in(known))
        .then(
            pl.lit("Mã xã/phường ")
            + _quoted("commune_code")
            + pl.lit(" không có trong danh mục đơn vị hành chính")
        )
        .when(pl.col("commune_code").is_null() & (pl.col("_named") == "?"))
        .then(pl.lit("Tên xã/phường ") + _quoted("commune_name") + pl.lit(" trùng nhiều đơn vị: ghi mã xã"))
        .when(
            pl.col("commune_code").is_null() & pl.col("commune_name").is_not_null() & (pl.col("_named") == "")
        )
        .then(
            pl.lit("Xã/phường ")
            + _quoted("commune_name")
            + pl.lit(" không có trong danh mục đơn vị hành chính")
        )
        .when(commune.is_not_null() & commune.is_in(known) & ~pl.col("_new_village") & ~in_scope)
        .then(pl.lit("Địa bàn của hộ không thuộc địa bàn bạn phụ trách"))
        .when(pl.col("_new_village") & ~commune_in_scope)
        .then(pl.lit("Địa bàn của hộ không thuộc địa bàn bạn phụ trách"))
        .when(pl.col("_new_village") & pl.lit(not lookup.create_villages))
        .then(
            pl.lit("Thôn ")
            + _quoted("village_name")
            + pl.lit(" chưa có trong xã: kiểm tra tên thôn, hoặc nhập lại và chọn “tạo thôn mới”")
        )
        .when(pl.col("_new_village") & ~commune.is_in(list(lookup.manageable)))
        .then(
            pl.lit("Thôn ")
            + _quoted("village_name")
            + pl.lit(" chưa có trong xã; chỉ cán bộ xã được tạo thôn mới khi nhập")
        ),
    )
    return frame.with_columns(
        pl.when(pl.col("_new_village")).then(pl.col("_cpath")).otherwise(area_path).alias("_area_path")
    ).drop(["_named", "_cpath"])


def reject_whole_households(frame: pl.DataFrame) -> pl.DataFrame:
    """A household with any rejected row is rejected whole: its other rows say why."""
    bad = pl.col(REASON).is_not_null()
    failing = pl.when(bad).then(pl.col(ROW).cast(pl.String)).implode().over(HH, mapping_strategy="join")
    frame = frame.with_columns(
        pl.when(pl.col(HH).is_not_null()).then(bad.any().over(HH)).otherwise(bad).alias("_hh_bad")
    )
    frame = frame.with_columns(
        pl.when(~bad & pl.col("_hh_bad"))
        .then(
            pl.lit("Hộ ")
            + pl.col(HH)
            + pl.lit(" bị từ chối toàn bộ vì dòng ")
            + failing.list.drop_nulls().list.join(", ")
            + pl.lit(" có lỗi")
        )
        .otherwise(pl.col(REASON))
        .alias(REASON)
    )
    return frame.drop("_hh_bad")
