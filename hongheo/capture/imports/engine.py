"""The import run: read, validate (vectorised), look up the registry, write in ONE transaction.

Outcome of every household of the file, exactly one of:

* **new** — every row valid: the household, its members, its history line (``created``) and,
  when the file gives its current class, the first period of its official history is written;
* **existing** (đã có) — the same household code with the same facts and the same members is
  already in the registry: nothing is written;
* **conflict** — the code exists but the file says something else (a fact, a member, the class):
  nothing is overwritten (house rule 4); the rows go to the rejected file with both values, for a
  person to resolve through the household's page (audited services);
* **rejected** — a row failed a rule: the whole household goes to the rejected file.

All writes happen in chunks inside one ``transaction.atomic`` (a crash leaves nothing), with
``hongheo.core.bulkio.insert_rows`` (COPY on PostgreSQL), one audit event per chunk listing the
household codes, one per chunk of class baselines, and a summary event.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from hongheo.core import bulkio
from hongheo.core.audit import audit_write
from hongheo.core.text import fold
from hongheo.geography.models import Area
from hongheo.registry import code_lists
from hongheo.registry.models import Household, HouseholdEvent, Member
from hongheo.registry.selectors import ELSEWHERE_MESSAGE
from hongheo.reviews.models import OfficialStatus
from hongheo.users.access import scope_paths, user_can_manage_area

from . import checks
from .checks import ERR, HH, REASON, AreaLookup
from .fields import BY_KEY, CLASS_CODES, HOUSEHOLD_FACT_KEYS
from .names import name_keys
from .reading import ROW, ReadResult

logger = logging.getLogger(__name__)

WRITE_CHUNK = 10_000  # households per chunk (≈ 35 000 members)
LOOKUP_CHUNK = 5_000  # values per IN (…) look-up
REJECTED_HEADING = "Lý do"
ROW_HEADING = "Dòng"

#: (phase, fraction) → the caller's progress bar
ProgressFn = Callable[[str, float, str], None]


class JsonDict(dict):  # type: ignore[type-arg]
    _text = ""

    def __str__(self) -> str:
        if not self._text:
            self._text = json.dumps(dict(self), ensure_ascii=False)
        return self._text


@dataclass
class Outcome:
    households_new: int = 0
    members_new: int = 0
    households_existing: int = 0
    households_conflict: int = 0
    households_rejected: int = 0
    rows_total: int = 0
    rows_rejected: int = 0
    statuses_set: int = 0
    villages_created: list[str] = field(default_factory=list)
    communes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    id_prefix_warnings: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "households_new": self.households_new,
            "members_new": self.members_new,
            "households_existing": self.households_existing,
            "households_conflict": self.households_conflict,
            "households_rejected": self.households_rejected,
            "rows_total": self.rows_total,
            "rows_rejected": self.rows_rejected,
            "statuses_set": self.statuses_set,
            "villages_created": self.villages_created,
            "communes": self.communes[:50],
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "warnings": self.warnings,
            "id_prefix_warnings": self.id_prefix_warnings,
        }


def _chunks(values: list[Any], size: int = LOOKUP_CHUNK) -> Any:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- look-ups ----------------------------------------------------------------------------------


def area_lookup(frame: pl.DataFrame, user: Any) -> AreaLookup:
    """Communes named in the file (by code anywhere; by name within the user's provinces) and
    their villages, with the user's area."""
    scope = scope_paths(user)
    codes = (
        frame.get_column("commune_code")
        .drop_nulls()
        .str.replace(r"\.0$", "")
        .map_elements(lambda c: c.zfill(5) if c.isdigit() and len(c) <= 5 else c, return_dtype=pl.String)
        .unique()
        .to_list()
    )
    provinces = sorted({"/".join(p.split("/")[:3]) + "/" for p in scope if p.count("/") >= 3})
    found: dict[str, Area] = {}
    for part in _chunks(codes):
        for area in Area.objects.filter(level=Area.Level.COMMUNE, code__in=part):
            found[area.code] = area
    for path in provinces:
        for area in Area.objects.filter(level=Area.Level.COMMUNE, path__startswith=path):
            found[area.code] = area
    communes = {
        c: {"id": a.pk, "path": a.path, "name": a.name, "province": a.parent_id} for c, a in found.items()
    }
    by_name: dict[str, list[str]] = {}
    for code, area in found.items():
        if not any(area.path.startswith(p) for p in provinces):
            continue
        for key in checks.commune_keys(area.name):
            by_name.setdefault(key, []).append(code)
    in_scope = [a for a in found.values() if any(a.path.startswith(p) or p.startswith(a.path) for p in scope)]
    villages = {}
    for part in _chunks([a.pk for a in in_scope]):
        for pk, path, name, parent in Area.objects.filter(
            level=Area.Level.VILLAGE, parent_id__in=part
        ).values_list("pk", "path", "name", "parent__code"):
            villages[(parent, fold(name))] = {"id": pk, "path": path, "name": name}
    manageable = {a.code for a in in_scope if user_can_manage_area(user, a)}
    return AreaLookup(
        communes=communes, by_name=by_name, villages=villages, scope=scope, manageable=manageable
    )


BULK_LOOKUP = 20_000  # beyond this many values, read the column whole (COPY) and join in polars


def _lookup(qs: Any, column: str, values: list[str], fields: list[str], names: list[str]) -> pl.DataFrame:
    """Rows of ``qs`` whose ``column`` is one of ``values``, as a frame. Few values: IN (…) in
    chunks; many: the whole column streamed once and joined (an IN list costs ~10 µs a value in
    the ORM and the driver, a streamed row ~1 µs)."""
    schema: dict[str, Any] = {n: pl.String for n in names}
    schema.update({n: pl.Int64 for n in names if n == "pk"})
    schema.update({n: pl.Boolean for n in names if n == "is_active"})
    if len(values) > BULK_LOOKUP:
        frame = bulkio.queryset_frame(qs, fields, names, schema)
        wanted = pl.DataFrame(
            {names[fields.index(column)]: values}, schema={names[fields.index(column)]: pl.String}
        )
        return frame.join(wanted, on=names[fields.index(column)], how="semi")
    rows: list[tuple[Any, ...]] = []
    for part in _chunks(values):
        rows += bulkio.queryset_rows(qs.filter(**{f"{column}__in": part}), fields)
    return pl.DataFrame(rows, schema=list(schema.items()), orient="row")


def _log_elsewhere(user: Any, ids: list[str]) -> None:
    """Every ID number of a file found elsewhere in the registry is a logged look-up."""
    from hongheo.core.audit import audit_read_many

    audit_read_many(actor=user, action="capture.import_personal_id_elsewhere", personal_ids=ids)


def _member_ids_in_use(ids: list[str]) -> pl.DataFrame:
    """Active members holding any of ``ids`` (with their household), and the dead."""
    active = _lookup(
        Member.objects.filter(is_active=True, personal_id__isnull=False),
        "personal_id",
        ids,
        ["personal_id", "household__code", "household__area_path"],
        ["personal_id", "_holder", "_holder_path"],
    ).unique("personal_id")
    died = _lookup(
        Member.objects.filter(left_reason=Member.LeftReason.DIED, personal_id__isnull=False),
        "personal_id",
        ids,
        ["personal_id", "household__area_path"],
        ["personal_id", "_died_path"],
    ).unique("personal_id")
    return active.join(
        died.with_columns(pl.lit(True).alias("_died")), on="personal_id", how="full", coalesce=True
    )


HOUSEHOLD_COMPARED = ("address", "phone", *HOUSEHOLD_FACT_KEYS)
MEMBER_COMPARED = ("full_name", "date_of_birth", "sex", "relation_to_head")


def _existing_households(codes: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Households of the registry carrying any of ``codes``, and their active members."""
    fields = ["code", "pk", "area_path", "is_active", "commune__code", "village__name", *HOUSEHOLD_COMPARED]
    found = _lookup(Household.objects.all(), "code", codes, ["code"], ["code"]).get_column("code").to_list()
    rows: list[dict[str, Any]] = []
    for part in _chunks(found):
        rows += list(Household.objects.filter(code__in=part).values(*fields))
    statuses: dict[int, str] = {}
    members: list[tuple[Any, ...]] = []
    ids = [r["pk"] for r in rows]
    for part in _chunks(ids):
        statuses.update(
            OfficialStatus.objects.filter(household_id__in=part, valid_to__isnull=True).values_list(
                "household_id", "classification"
            )
        )
        members += list(
            Member.objects.filter(household_id__in=part, is_active=True).values_list(
                "household__code", "personal_id", "full_name", "date_of_birth", "sex", "relation_to_head"
            )
        )
    for r in rows:
        r["_status"] = statuses.get(r["pk"])
        r["_village_key"] = fold(r.pop("village__name") or "") or None
        r["_commune"] = r.pop("commune__code")
        for key in ("income_sources", "poverty_causes", "support_needs"):
            r[key] = ";".join(r[key] or []) or None
    schema = {
        "code": pl.String,
        "pk": pl.Int64,
        "area_path": pl.String,
        "is_active": pl.Boolean,
        "_commune": pl.String,
        "_village_key": pl.String,
        "_status": pl.String,
        **{k: _dtype(k) for k in HOUSEHOLD_COMPARED},
    }
    households = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
    member_frame = pl.DataFrame(
        members,
        schema=[
            ("code", pl.String),
            ("personal_id", pl.String),
            ("full_name", pl.String),
            ("date_of_birth", pl.Date),
            ("sex", pl.String),
            ("relation_to_head", pl.String),
        ],
        orient="row",
    )
    return households, member_frame


def _dtype(key: str) -> Any:
    kind = BY_KEY[key].kind
    return {"bool": pl.Boolean, "int": pl.Int64, "float": pl.Float64}.get(kind, pl.String)


def _show(value: Any, key: str) -> str:
    if value is None or value == "":
        return "trống"
    spec = BY_KEY[key]
    if spec.kind == "bool":
        return "Có" if value else "Không"
    if spec.kind == "code":
        return code_lists.label(spec.code_list, value)
    if spec.kind == "codes":
        return ", ".join(code_lists.label_many(spec.code_list, str(value).split(";")))
    if spec.kind == "date":
        return value.strftime("%d/%m/%Y")
    return str(value)


def _compare_existing(
    frame: pl.DataFrame, existing: pl.DataFrame, db_members: pl.DataFrame, mapped: set[str]
) -> pl.DataFrame:
    """Conflicts of the file's rows with households already in the registry (in the user's
    area, active). Adds ``_e_conflict`` to the rows; returns the frame."""
    codes = set(existing.get_column("code").to_list())
    part = frame.filter(pl.col(HH).is_in(list(codes)) & pl.col(REASON).is_null())
    messages: dict[int, list[str]] = {}
    if part.height:
        by_code = {r["code"]: r for r in existing.iter_rows(named=True)}
        heads = part.filter(pl.col("relation_to_head") == "head")
        for row in heads.iter_rows(named=True):
            db = by_code[row[HH]]
            diffs = []
            if row["_commune"] != db["_commune"]:
                diffs.append(f"Xã/phường (trong sổ: mã {db['_commune']})")
            if "village_name" in mapped and row["_vkey"] != db["_village_key"]:
                diffs.append("Thôn/tổ dân phố")
            for key in HOUSEHOLD_COMPARED:
                if key in mapped and row[key] is not None and row[key] != db[key]:
                    diffs.append(f"{BY_KEY[key].heading} (trong sổ: {_show(db[key], key)})")
            if row["official_class"] is not None and db["_status"] not in (None, row["official_class"]):
                diffs.append(f"Loại hộ hiện tại (trong sổ: {_label_class(db['_status'])})")
            if diffs:
                messages.setdefault(row[ROW], []).append("Khác với hộ đã có trong sổ: " + "; ".join(diffs))
        # members: by personal ID, else by folded name and date of birth
        match_key = pl.coalesce(
            pl.col("personal_id"),
            pl.col("full_name").map_elements(fold, return_dtype=pl.String)
            + pl.lit("|")
            + pl.col("date_of_birth").cast(pl.String),
        )
        left = part.select(ROW, HH, *MEMBER_COMPARED, "personal_id").with_columns(match_key.alias("_k"))
        right = db_members.rename({"code": HH}).with_columns(match_key.alias("_k"))
        joined = left.join(right, on=[HH, "_k"], how="left", suffix="_db")
        for row in joined.iter_rows(named=True):
            if row["full_name_db"] is None:
                messages.setdefault(row[ROW], []).append(
                    f"Nhân khẩu {row['full_name']} chưa có trong hộ {row[HH]} đã có trong sổ"
                )
                continue
            diffs = [
                f"{BY_KEY[k].heading} (trong sổ: {_show(row[k + '_db'], k)})"
                for k in MEMBER_COMPARED
                if row[k] != row[k + "_db"]
            ]
            if diffs:
                messages.setdefault(row[ROW], []).append(
                    f"Nhân khẩu {row['full_name']} khác với sổ hộ: " + "; ".join(diffs)
                )
        file_counts = dict(part.group_by(HH).len().iter_rows())
        db_counts = dict(db_members.group_by("code").len().iter_rows())
        for row in heads.iter_rows(named=True):
            n_file, n_db = file_counts.get(row[HH], 0), db_counts.get(row[HH], 0)
            if n_file != n_db:
                messages.setdefault(row[ROW], []).append(
                    f"Hộ {row[HH]} trong sổ có {n_db} nhân khẩu, tệp có {n_file}"
                )
    table = {r: "; ".join(m) for r, m in messages.items()}
    return frame.with_columns(
        pl.col(ROW).replace_strict(table, default=None, return_dtype=pl.String).alias(ERR + "conflict")
    )


def _label_class(code: str | None) -> str:
    return CLASS_CODES.get(
        code or "",
        {"average": "Hộ có mức sống trung bình", "not_poor": "Hộ không nghèo"}.get(code or "", "trống"),
    )


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Plan:
    """The validated file, split: what to write, what is already there, what is rejected."""

    frame: pl.DataFrame  # every row with _reason, _status (new | existing | conflict | rejected)
    new: pl.DataFrame  # rows of new households (members)
    existing_status: pl.DataFrame  # existing households whose class is to be recorded
    outcome: Outcome
    new_villages: dict[tuple[str, str], str]  # (commune code, folded) → name as written


def validate(
    read: ReadResult, mapping: dict[str, Any], *, user: Any, today: dt.date, progress: ProgressFn
) -> Plan:
    outcome = Outcome(rows_total=read.frame.height, warnings=list(read.warnings))
    layout = mapping.get("layout", "")
    mapped = set((mapping.get("columns") or {}).values())
    t = time.perf_counter()
    frame = checks.convert(read.frame, mapping, today=today)
    frame = checks.household_rules(frame, layout)
    outcome.timings["convert_s"] = time.perf_counter() - t
    progress("validate", 0.3, "Đã kiểm tra định dạng, đang đối chiếu địa bàn")
    t = time.perf_counter()
    lookup = area_lookup(frame, user)
    lookup.create_villages = bool(mapping.get("create_villages"))
    frame = checks.resolve_areas(frame, lookup)
    outcome.timings["areas_s"] = time.perf_counter() - t
    progress("validate", 0.5, "Đang đối chiếu số định danh và mã hộ với sổ hộ")
    t = time.perf_counter()
    ids = frame.get_column("personal_id").drop_nulls().unique().to_list()
    in_use = _member_ids_in_use(ids)
    frame = frame.join(in_use, on="personal_id", how="left")
    scope = scope_paths(user)

    def seen_by_user(column: str) -> pl.Expr:
        return pl.any_horizontal([pl.col(column).str.starts_with(p) for p in scope] or [pl.lit(False)])

    # out of the user's area, a holder is never described (issue 8: no personal-ID oracle)
    elsewhere = (
        pl.col("_holder").is_not_null() & (pl.col("_holder") != pl.col(HH)) & ~seen_by_user("_holder_path")
    ) | (
        pl.col("_holder").is_null()
        & pl.col("_died").fill_null(False)
        & ~seen_by_user("_died_path").fill_null(True)
    )
    frame = frame.with_columns(elsewhere.fill_null(False).alias("_elsewhere"))
    _log_elsewhere(user, frame.filter(pl.col("_elsewhere")).get_column("personal_id").unique().to_list())
    frame = checks.add_error(
        frame,
        "id_in_use",
        pl.when(pl.col("_elsewhere"))
        .then(pl.lit("Số định danh ") + pl.col("personal_id") + pl.lit(": " + ELSEWHERE_MESSAGE))
        .when(pl.col("_holder").is_not_null() & (pl.col("_holder") != pl.col(HH)))
        .then(
            pl.lit("Số định danh ")
            + pl.col("personal_id")
            + pl.lit(" đang là nhân khẩu của hộ ")
            + pl.col("_holder")
        )
        .when(pl.col("_holder").is_null() & pl.col("_died").fill_null(False))
        .then(
            pl.lit("Số định danh ") + pl.col("personal_id") + pl.lit(" thuộc người đã được ghi nhận qua đời")
        ),
    ).drop(["_holder", "_holder_path", "_died", "_died_path", "_elsewhere"])
    codes = frame.get_column(HH).drop_nulls().unique().to_list()
    existing, db_members = _existing_households(codes)
    paths = dict(
        zip(existing.get_column("code").to_list(), existing.get_column("area_path").to_list(), strict=True)
    )
    active = dict(
        zip(existing.get_column("code").to_list(), existing.get_column("is_active").to_list(), strict=True)
    )
    visible = {c for c, p in paths.items() if any(p.startswith(s) for s in scope)}
    frame = checks.add_error(
        frame,
        "code_taken",
        pl.when(pl.col(HH).is_in(list(set(paths) - visible)))
        .then(
            pl.lit("Mã hộ ")
            + pl.col(HH)
            + pl.lit(" đã được dùng cho một hộ khác (không thuộc địa bàn của bạn)")
        )
        .when(pl.col(HH).is_in([c for c in visible if not active[c]]))
        .then(pl.lit("Mã hộ ") + pl.col(HH) + pl.lit(" là hộ đã nhập vào hộ khác hoặc không còn nhân khẩu")),
    )
    frame = checks.with_reason(frame)
    comparable = existing.filter(pl.col("code").is_in(list(visible)) & pl.col("is_active"))
    frame = _compare_existing(frame, comparable, db_members, mapped)
    conflict = pl.col(ERR + "conflict")
    frame = frame.with_columns(
        pl.when(pl.col(REASON).is_null()).then(conflict).otherwise(pl.col(REASON)).alias(REASON),
        conflict.is_not_null().any().over(HH).alias("_conflict"),
    ).drop(ERR + "conflict")
    frame = checks.reject_whole_households(frame)
    outcome.timings["registry_s"] = time.perf_counter() - t
    existing_codes = list(set(comparable.get_column("code").to_list()))
    status = (
        pl.when(pl.col(REASON).is_not_null() & pl.col("_conflict").fill_null(False))
        .then(pl.lit("conflict"))
        .when(pl.col(REASON).is_not_null())
        .then(pl.lit("rejected"))
        .when(pl.col(HH).is_in(existing_codes))
        .then(pl.lit("existing"))
        .otherwise(pl.lit("new"))
    )
    frame = frame.with_columns(status.alias("_status")).drop("_conflict")
    counts = dict(
        frame.filter(pl.col(HH).is_not_null()).group_by("_status").agg(pl.col(HH).n_unique()).iter_rows()
    )
    outcome.households_new = counts.get("new", 0)
    outcome.households_existing = counts.get("existing", 0)
    outcome.households_conflict = counts.get("conflict", 0)
    outcome.households_rejected = counts.get("rejected", 0) + (
        1 if frame.filter(pl.col(HH).is_null()).height else 0
    )
    outcome.rows_rejected = frame.filter(pl.col(REASON).is_not_null()).height
    _warn_unknown_prefixes(frame, outcome)
    new = frame.filter(pl.col("_status") == "new")
    outcome.members_new = new.height
    # existing households whose class the registry does not have yet
    no_status = comparable.filter(pl.col("_status").is_null()).select(pl.col("code").alias(HH), "pk")
    existing_status = (
        frame.filter((pl.col("_status") == "existing") & (pl.col("relation_to_head") == "head"))
        .filter(pl.col("official_class").is_not_null())
        .join(no_status, on=HH, how="inner")
        .select(HH, "pk", "official_class", "decision_no", "decision_date")
    )
    new_villages = {
        (c, k): n
        for c, k, n in new.filter(pl.col("_new_village"))
        .select("_commune", "_vkey", "village_name")
        .unique(["_commune", "_vkey"])
        .iter_rows()
    }
    return Plan(frame, new, existing_status, outcome, new_villages)


SHOWN_PREFIX_WARNINGS = 20


def _warn_unknown_prefixes(frame: pl.DataFrame, outcome: Outcome) -> None:
    """Accepted rows whose personal ID has a prefix in neither list: imported (the officer who runs
    the import accepts them), and listed as a warning to check (Decree 137/2015 Art. 13: a birth
    registered abroad carries a country code; the country list was not found)."""
    odd = frame.filter(checks.unknown_prefix(frame) & pl.col(REASON).is_null())
    outcome.id_prefix_warnings = odd.height
    if not odd.height:
        return
    shown = ", ".join(
        f"{pid} (dòng {row})"
        for row, pid in odd.select(ROW, "personal_id").head(SHOWN_PREFIX_WARNINGS).iter_rows()
    )
    more = f" và {odd.height - SHOWN_PREFIX_WARNINGS} số khác" if odd.height > SHOWN_PREFIX_WARNINGS else ""
    outcome.warnings.append(
        f"Cần kiểm tra {odd.height} số định danh có 3 chữ số đầu chưa có trong danh sách mã nơi đăng ký "
        f"khai sinh (có thể là mã quốc gia của người đăng ký khai sinh ở nước ngoài); đã nhận theo xác nhận "
        f"của người nhập: {shown}{more}."
    )


def _households_frame(
    new: pl.DataFrame, lookup_villages: dict[tuple[str, str], int], communes: dict[str, int]
) -> pl.DataFrame:
    """One row per new household: facts from the first non-empty value of its rows, the head's
    name and sort key, the size."""
    household_cols = [
        "_commune",
        "_vkey",
        "_area_path",
        "address",
        "phone",
        "latitude",
        "longitude",
        "official_class",
        "decision_no",
        "decision_date",
        *HOUSEHOLD_FACT_KEYS,
    ]
    heads = new.filter(pl.col("relation_to_head") == "head").select(
        HH,
        pl.col("full_name").alias("head_name"),
        pl.col("sort_key").alias("head_sort_key"),
        (pl.col("sex") == "female").alias("female_head"),
    )
    facts = new.group_by(HH, maintain_order=True).agg(
        pl.len().alias("size"), *(pl.col(c).drop_nulls().first().alias(c) for c in household_cols)
    )
    frame = facts.join(heads, on=HH, how="left")
    village_ids = {f"{c}|{k}": v for (c, k), v in lookup_villages.items()}
    return frame.with_columns(
        pl.col("_commune").replace_strict(communes, default=None, return_dtype=pl.Int64).alias("commune_id"),
        (pl.col("_commune") + pl.lit("|") + pl.col("_vkey"))
        .replace_strict(village_ids, default=None, return_dtype=pl.Int64)
        .alias("village_id"),
    )


HOUSEHOLD_FIELDS = (
    "code",
    "commune_id",
    "village_id",
    "area_path",
    "address",
    "legacy_address_code",
    "latitude",
    "longitude",
    "head_name",
    "head_sort_key",
    "size",
    "ethnic_minority",
    "female_head",
    "merit",
    "social_protection",
    "no_working_capacity",
    "poverty_causes",
    "support_needs",
    "phone",
    "housing_quality",
    "wall_material",
    "roof_material",
    "pillar_material",
    "floor_area_m2",
    "water_source",
    "toilet",
    "waste_handling",
    "internet",
    "information_devices",
    "income_per_capita",
    "income_sources",
    "is_active",
    "created_at",
    "updated_at",
)
MEMBER_FIELDS = (
    "household_id",
    "personal_id",
    "full_name",
    "search_name",
    "sort_key",
    "date_of_birth",
    "sex",
    "relation_to_head",
    "ethnicity",
    "disability",
    "disability_allowance",
    "undernourished",
    "health_insurance",
    "in_school",
    "education_level",
    "has_qualification",
    "employment",
    "status",
    "is_active",
    "left_reason",
    "created_at",
    "updated_at",
)
EVENT_FIELDS = ("household_id", "kind", "date", "details", "actor_id", "recorded_at")
STATUS_FIELDS = ("household_id", "classification", "valid_from", "source", "recorded_at")


def _json_list_expr(name: str) -> pl.Expr:
    """``"a;b"`` → ``'["a", "b"]'`` (codes from the code lists: no quotes or backslashes)."""
    col = pl.col(name)
    return (
        pl.when(col.is_null() | (col == ""))
        .then(pl.lit("[]"))
        .otherwise(pl.lit('["') + col.str.replace_all(";", '", "', literal=True) + pl.lit('"]'))
        .alias(name)
    )


def _household_frame(frame: pl.DataFrame, now: dt.datetime) -> pl.DataFrame:
    """New household rows as a frame for ``insert_frame`` (defaults filled, lists as JSON text)."""
    text = ("address", "phone", "housing_quality", "wall_material", "roof_material", "pillar_material",
            "water_source", "toilet", "waste_handling")  # fmt: skip
    flags = ("ethnic_minority", "female_head", "merit", "social_protection", "no_working_capacity")
    return frame.select(
        pl.col(HH).alias("code"),
        "commune_id",
        "village_id",
        pl.col("_area_path").alias("area_path"),
        *(pl.col(c).fill_null("") for c in text),
        pl.lit("").alias("legacy_address_code"),
        "latitude",
        "longitude",
        "head_name",
        "head_sort_key",
        "size",
        *(pl.col(c).fill_null(False).cast(pl.Boolean) for c in flags),
        _json_list_expr("poverty_causes"),
        _json_list_expr("support_needs"),
        "floor_area_m2",
        "internet",
        "information_devices",
        "income_per_capita",
        _json_list_expr("income_sources"),
        pl.lit(True).alias("is_active"),
        pl.lit(now).alias("created_at"),
        pl.lit(now).alias("updated_at"),
    ).select(list(HOUSEHOLD_FIELDS))


MEMBER_OPTIONAL = ("personal_id", "health_insurance", "in_school", "has_qualification")


def _member_frame(frame: pl.DataFrame, now: dt.datetime) -> tuple[list[str], pl.DataFrame]:
    """Member rows ready for ``insert_rows`` (defaults filled by polars; nullable columns that
    are empty throughout are left out, so the database fills them with NULL)."""
    fields = [
        f
        for f in MEMBER_FIELDS
        if f not in MEMBER_OPTIONAL or frame.get_column(f).null_count() < frame.height
    ]
    text = ("ethnicity", "education_level", "employment", "status")
    flags = ("disability", "disability_allowance", "undernourished")
    out = frame.with_columns(
        *(pl.col(c).fill_null("") for c in text),
        *(pl.col(c).fill_null(False) for c in flags),
        pl.lit(True).alias("is_active"),
        pl.lit("").alias("left_reason"),
        pl.lit(now).alias("created_at"),
        pl.lit(now).alias("updated_at"),
    ).select(fields)
    return fields, out


def write(
    plan: Plan, *, actor: Any, batch_id: int, source: str, today: dt.date, progress: ProgressFn
) -> None:
    """Write the plan. Must run inside the caller's ``transaction.atomic``."""
    from hongheo.geography.services import village_create

    outcome = plan.outcome
    t = time.perf_counter()
    new = plan.new
    villages: dict[tuple[str, str], int] = {}
    communes_needed = new.get_column("_commune").unique().to_list()
    commune_areas = {a.code: a for a in Area.objects.filter(code__in=communes_needed)}
    created_paths: dict[str, str] = {}
    for (commune_code, key), name in sorted(plan.new_villages.items()):
        village = village_create(actor=actor, commune=commune_areas[commune_code], name=name)
        villages[(commune_code, key)] = village.pk
        created_paths[f"{commune_code}|{key}"] = village.path
        outcome.villages_created.append(f"{village.name} ({commune_areas[commune_code].name})")
    if created_paths:
        new = new.with_columns(
            pl.coalesce(
                (pl.col("_commune") + pl.lit("|") + pl.col("_vkey")).replace_strict(
                    created_paths, default=None, return_dtype=pl.String
                ),
                pl.col("_area_path"),
            ).alias("_area_path")
        )
    outcome.timings["villages_s"] = time.perf_counter() - t
    for pk, name, parent in Area.objects.filter(
        level=Area.Level.VILLAGE, parent__code__in=communes_needed
    ).values_list("pk", "name", "parent__code"):
        villages.setdefault((parent, fold(name)), pk)
    commune_ids = {c: a.pk for c, a in commune_areas.items()}
    outcome.communes = sorted(commune_areas)
    search, sort = name_keys(new.get_column("full_name"))
    new = new.with_columns(search.alias("search_name"), sort.alias("sort_key"))
    households = _households_frame(new, villages, commune_ids)
    total = households.height
    now = timezone.now()
    written = 0
    user = actor if getattr(actor, "is_authenticated", False) else None
    steps = dict.fromkeys(("households", "ids", "members", "events", "statuses"), 0.0)
    outcome.timings["prepare_s"] = time.perf_counter() - t - outcome.timings["villages_s"]
    # 1. households, chunk by chunk (the write phase's first half)
    for start in range(0, total, WRITE_CHUNK):
        step = time.perf_counter()
        chunk = households.slice(start, WRITE_CHUNK)
        written += bulkio.insert_frame(Household, _household_frame(chunk, now))
        steps["households"] += time.perf_counter() - step
        progress("write", 0.3 * written / max(total, 1), f"Đã ghi {written:,}/{total:,} hộ".replace(",", "."))
    # 2. their ids: every row of this import carries the same created_at
    step = time.perf_counter()
    ids_frame = bulkio.queryset_frame(
        Household.objects.filter(created_at=now),
        ["code", "pk"],
        [HH, "household_id"],
        {HH: pl.String, "household_id": pl.Int64},
    )
    if ids_frame.height != total:
        raise RuntimeError(f"import {batch_id}: wrote {total} households, found {ids_frame.height}")
    households = households.join(ids_frame, on=HH, how="left")
    new = new.join(ids_frame, on=HH, how="left")
    fields, members_all = _member_frame(new, now)
    steps["ids"] += time.perf_counter() - step
    # 3. members, history lines, class baselines and one audit event per chunk
    details = JsonDict({"source": "import", "batch": batch_id})
    actor_id = getattr(user, "pk", None)
    done = 0
    for start in range(0, total, WRITE_CHUNK):
        step = time.perf_counter()
        chunk = households.slice(start, WRITE_CHUNK)
        codes = chunk.get_column(HH).to_list()
        pks = chunk.get_column("household_id")
        lo, hi = pks.min(), pks.max()
        members = members_all.filter(pl.col("household_id").is_between(lo, hi)).join(
            chunk.select("household_id"), on="household_id", how="semi"
        )
        count = bulkio.insert_frame(Member, members.select(fields))
        steps["members"] += time.perf_counter() - step
        step = time.perf_counter()
        bulkio.insert_rows(
            HouseholdEvent,
            EVENT_FIELDS,
            ((pk, HouseholdEvent.Kind.CREATED, today, details, actor_id, now) for pk in pks.to_list()),
        )
        steps["events"] += time.perf_counter() - step
        step = time.perf_counter()
        classed = chunk.filter(pl.col("official_class").is_not_null())
        _write_statuses(
            classed,
            dict(classed.select(HH, "household_id").iter_rows()),
            actor=actor,
            batch_id=batch_id,
            source=source,
        )
        outcome.statuses_set += classed.height
        steps["statuses"] += time.perf_counter() - step
        audit_write(
            actor=actor,
            action="capture.import_households",
            object_type="capture.importbatch",
            object_id=str(batch_id),
            after={"households": codes, "members": count, "chunk": start // WRITE_CHUNK + 1},
            area_code=outcome.communes[0] if len(outcome.communes) == 1 else "",
        )
        done += len(codes)
        progress(
            "write",
            0.3 + 0.7 * done / max(total, 1),
            f"Đã ghi nhân khẩu của {done:,}/{total:,} hộ".replace(",", "."),
        )
    if plan.existing_status.height:
        ids = dict(plan.existing_status.select(HH, "pk").iter_rows())
        _write_statuses(plan.existing_status, ids, actor=actor, batch_id=batch_id, source=source)
        outcome.statuses_set += plan.existing_status.height
    outcome.timings.update({f"write_{k}_s": v for k, v in steps.items()})
    outcome.timings["write_s"] = time.perf_counter() - t


def _write_statuses(
    frame: pl.DataFrame, ids: dict[str, int], *, actor: Any, batch_id: int, source: str
) -> None:
    """The vectorised ``status_baseline_set``: the same first periods of the official history (new
    households have none, so nothing is closed) and one audit event per chunk with the same action."""
    if not frame.height:
        return
    rows = []
    now = timezone.now()
    for code, cls, number, date in frame.select(
        HH, "official_class", "decision_no", "decision_date"
    ).iter_rows():
        text = f"{source}; QĐ số {number}" if number else source
        rows.append((ids[code], cls, date, text[:200], now))
    bulkio.insert_rows(OfficialStatus, STATUS_FIELDS, rows)
    audit_write(
        actor=actor,
        action="reviews.status_baseline_set",
        object_type="capture.importbatch",
        object_id=str(batch_id),
        after={
            "households": [r for r in frame.get_column(HH).to_list()],
            "classification": dict(frame.group_by("official_class").len().iter_rows()),
            "source": source,
        },
    )


# --- the rejected-rows workbook ----------------------------------------------------------------


def rejected_workbook(read: ReadResult, plan: Plan, path: Path) -> int:
    """Original columns of every rejected row plus its reason, streamed (constant memory)."""
    from hongheo.core.xlsx import new_workbook

    bad = plan.frame.filter(pl.col(REASON).is_not_null()).select(ROW, REASON, "_status")
    rows = read.frame.join(bad, on=ROW, how="inner").sort(ROW)
    workbook = new_workbook(str(path), {"constant_memory": True})
    bold = workbook.add_format({"bold": True, "bg_color": "#FDE9D9", "border": 1})
    sheet = workbook.add_worksheet("Dòng bị từ chối")
    headings = [ROW_HEADING, *read.columns, REJECTED_HEADING, "Loại"]
    for col, text in enumerate(headings):
        sheet.write_string(0, col, text, bold)
    sheet.set_column(len(read.columns) + 1, len(read.columns) + 1, 80)
    kinds = {"conflict": "Xung đột với sổ hộ", "rejected": "Lỗi dữ liệu"}
    for i, r in enumerate(rows.select(ROW, *read.columns, REASON, "_status").iter_rows(), start=1):
        sheet.write_number(i, 0, r[0])
        for col, value in enumerate(r[1:-2], start=1):
            if value is not None:
                sheet.write_string(i, col, value)
        sheet.write_string(i, len(headings) - 2, r[-2])
        sheet.write_string(i, len(headings) - 1, kinds.get(r[-1], ""))
    notes = workbook.add_worksheet("Ghi chú")
    notes.write_string(
        0, 0, "Mỗi dòng bị từ chối kèm lý do. Một hộ có dòng lỗi bị từ chối toàn bộ (mọi dòng của hộ)."
    )
    notes.write_string(1, 0, "Xung đột: hộ đã có trong sổ nhưng tệp ghi khác; sổ hộ KHÔNG bị ghi đè.")
    notes.write_string(2, 0, "Sửa tệp (hoặc sửa hộ trên trang hộ gia đình) rồi nhập lại các dòng này.")
    workbook.close()
    return rows.height


def scratch_path(suffix: str, folder: Path | None = None) -> Path:
    """A temporary file; in ``folder`` (the job's scratch folder, removed when the job ends or is
    found interrupted) when given."""
    handle = tempfile.NamedTemporaryFile(suffix=suffix, delete=False, dir=folder)  # noqa: SIM115
    handle.close()
    return Path(handle.name)


def run_in_transaction(fn: Callable[[], None]) -> None:
    with transaction.atomic():
        fn()
