"""Report builders: the numbers of every report for one area and period, from the ledger.

Everything starts from the one gate (``household_qs_for_user``), narrowed to the report area. The
work is two database reads and some polars:

1. households with no ledger row (almost all of them) are grouped by the database: one grouped
   query with conditional aggregation gives, per (row, class at start, class at end), the number
   of households and the sums of every flag (groups, deprived indicators, causes, needs,
   agricultural); no personal data leaves the database;
2. households with ledger rows are read one per row with the same flag expressions, together
   with their ledger, and :mod:`hongheo.reports.engine` decides their class at both dates.

The two parts form one small "cube" from which every table of the catalog is taken.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from hongheo.core.errors import NotFound, ValidationError
from hongheo.core.text import natural_key
from hongheo.geography.models import Area
from hongheo.registry.access import household_qs_for_aggregates, household_qs_for_user
from hongheo.registry.models import Household
from hongheo.reviews.models import StatusChange
from hongheo.reviews.status import relation_on
from hongheo.standards.models import HouseholdClassification
from hongheo.users.access import scope_paths

from . import engine
from .catalog import Catalog, Column, Layout, catalog

# --- what a row of a report is -------------------------------------------------------------------

ROW_FIELD: dict[str, str] = {
    Area.Level.CENTRAL: "commune__parent_id",
    Area.Level.PROVINCE: "commune_id",
    Area.Level.DISTRICT: "commune_id",
    Area.Level.COMMUNE: "village_id",
    Area.Level.VILLAGE: "village_id",
}
ROW_LEVEL_LABEL: dict[str, str] = {
    Area.Level.CENTRAL: "Tỉnh/Thành phố",
    Area.Level.PROVINCE: "Xã/Phường/Đặc khu",
    Area.Level.DISTRICT: "Xã/Phường/Đặc khu",
    Area.Level.COMMUNE: "Thôn/Tổ dân phố",
    Area.Level.VILLAGE: "Thôn/Tổ dân phố",
}
NO_VILLAGE = "Chưa gắn thôn/tổ dân phố"
# PostgreSQL work_mem for the grouped report query (a province of 300,000 households sorts ~15 MB)
REPORT_WORK_MEM = "64MB"


def report_area(user: Any, code: str | None) -> Area:
    """The area to report on: ``code`` when the user covers it, else the user's own (first) area.
    An area outside the user's scope is "not found", like a missing one."""
    paths = scope_paths(user)
    if not paths:
        raise NotFound("Không tìm thấy địa bàn.")
    if code:
        area = Area.objects.filter(code=code).first()
        if area is None or not any(area.path.startswith(p) for p in paths):
            raise NotFound("Không tìm thấy địa bàn.")
        return area
    area = Area.objects.filter(path=paths[0]).first()
    if area is None:
        raise NotFound("Không tìm thấy địa bàn.")
    return area


def row_areas(area: Area) -> list[tuple[str, str]]:
    """(key, name) of the rows of a report on ``area``: provinces, communes or villages."""
    if area.level == Area.Level.CENTRAL:
        qs = Area.objects.filter(parent=area, level=Area.Level.PROVINCE, historical=False)
    elif area.level in (Area.Level.PROVINCE, Area.Level.DISTRICT):
        qs = Area.objects.filter(path__startswith=area.path, level=Area.Level.COMMUNE, historical=False)
    elif area.level == Area.Level.COMMUNE:
        qs = Area.objects.filter(parent=area, level=Area.Level.VILLAGE)
    else:
        qs = Area.objects.filter(pk=area.pk)
    rows = [(str(pk), name) for pk, name in qs.order_by("code").values_list("pk", "name")]
    # natural Vietnamese order ("Tổ dân phố 2" before "Tổ dân phố 10", "Xã Đan Điền" after "Xã D…")
    return sorted(rows, key=lambda row: natural_key(row[1]))


# --- flags: what is counted besides households ---------------------------------------------------


def _has_field(name: str) -> bool:
    try:
        Household._meta.get_field(name)
    except Exception:
        return False
    return True


def _code_items(list_name: str) -> list[tuple[str, str]]:
    """Codes and labels of a registry code list, if the registry ships it (empty otherwise)."""
    try:
        from hongheo.registry import code_lists
    except ImportError:  # pragma: no cover - older registry
        return []
    try:
        return list(code_lists.labels(list_name).items())
    except KeyError:
        return []


def indicator_items(on: dt.date, province_code: str | None = None) -> tuple[str, list[tuple[str, str]]]:
    """The standard in force on ``on`` and its indicators (code, Vietnamese name)."""
    from hongheo.standards.rules.catalog import standard_for_date

    std = standard_for_date(on, province_code)
    items = [(i.code, i.name_vi) for i in std.indicators]
    return std.code, items


@dataclass
class Dimensions:
    """The expandable column lists of one report run."""

    standard_code: str
    indicators: list[tuple[str, str]]
    groups: list[tuple[str, str]]
    causes: list[tuple[str, str]]
    needs: list[tuple[str, str]]

    def expansions(self) -> dict[str, list[tuple[str, str]]]:
        return {"indicator": self.indicators, "group": self.groups, "cause": self.causes, "need": self.needs}


def dimensions_for(end: dt.date, area: Area, cat: Catalog) -> Dimensions:
    province = area.province_code or None
    try:
        std_code, indicators = indicator_items(end, province)
    except ValueError:  # no standard in force on that date
        std_code, indicators = "", []
    groups = [(code, label) for code, label in cat.groups if _has_field(code)]
    causes = _code_items("poverty_cause") if _has_field("poverty_causes") else []
    needs = _code_items("support_need") if _has_field("support_needs") else []
    return Dimensions(std_code, indicators, groups, causes, needs)


def _code_in_text(field_name: str, code: str) -> Q:
    """``code`` is one of the ';'-separated codes of a text column (no concatenation per row)."""
    return (
        Q(**{field_name: code})
        | Q(**{f"{field_name}__startswith": f"{code};"})
        | Q(**{f"{field_name}__endswith": f";{code}"})
        | Q(**{f"{field_name}__contains": f";{code};"})
    )


def _code_in_json(field_name: str, code: str) -> Q:
    """``code`` is an element of a JSON list column: JSON containment where the database has it
    (PostgreSQL: ``@>``, index-friendly and cheap), else the quoted code in the JSON text."""
    if connection.features.supports_json_field_contains:
        return Q(**{f"{field_name}__contains": [code]})
    return Q(**{f"_{field_name}_txt__contains": f'"{code}"'})


def flag_conditions(dims: Dimensions, cat: Catalog) -> dict[str, Q]:
    """Measure prefix → the condition on one household. Names use the catalog's measure
    vocabulary: ``group:merit``, ``group:other``, ``ind:water``, ``cause:lack_land``, ``agri``…"""
    flags: dict[str, Q] = {}
    none_q = Q()
    for code, _label in dims.groups:
        flags[f"group:{code}"] = Q(**{code: True})
        none_q &= Q(**{code: False})
    if dims.groups:
        flags["group:other"] = none_q
    for code, _label in dims.indicators:
        flags[f"ind:{code}"] = _code_in_text("_dep", code)
    for code, _label in dims.causes:
        flags[f"cause:{code}"] = _code_in_json("poverty_causes", code)
    for code, _label in dims.needs:
        flags[f"need:{code}"] = _code_in_json("support_needs", code)
    agri_q: Q | None = None
    if _has_field("agricultural"):
        agri_q = Q(agricultural=True)
    elif _has_field("income_sources"):
        for code in cat.agricultural.get("income_sources", []):
            part = _code_in_json("income_sources", code)
            agri_q = part if agri_q is None else agri_q | part
    if agri_q is not None:
        flags["agri"] = agri_q
    return flags


MASK_BITS = 62


def flag_masks(conditions: dict[str, Q]) -> tuple[list[Any], dict[str, tuple[int, int]]]:
    """The conditions packed into integers (one bit each, ``MASK_BITS`` per integer): a household
    travels as a few numbers instead of one column per flag, and households with the same flags
    group together in the database. Returns the expressions and name → (mask index, bit)."""
    exprs: list[Any] = []
    where: dict[str, tuple[int, int]] = {}
    names = list(conditions)
    for j in range(0, len(names), MASK_BITS):
        parts = []
        for b, name in enumerate(names[j : j + MASK_BITS]):
            where[name] = (j // MASK_BITS, b)
            parts.append(
                Case(
                    When(conditions[name], then=Value(1 << b)),
                    default=Value(0),
                    output_field=BigIntegerField(),
                )
            )
        total: Any = parts[0]
        for part in parts[1:]:
            total = total + part
        exprs.append(ExpressionWrapper(total, output_field=BigIntegerField()))
    return exprs, where


def decode_flags(frame: pl.DataFrame, where: dict[str, tuple[int, int]], count: str) -> pl.DataFrame:
    """Flag sums from mask columns ``m0``, ``m1``…: bit × ``count`` (households in the row), and
    ``agri_persons`` = ``size`` where the agricultural bit is set."""
    cols = [
        ((pl.col(f"m{j}") // (1 << b)) % 2).mul(pl.col(count)).cast(pl.Int64).alias(n)
        for n, (j, b) in where.items()
    ]
    if "agri" in where:
        j, b = where["agri"]
        cols.append(
            (((pl.col(f"m{j}") // (1 << b)) % 2) * pl.col("size")).cast(pl.Int64).alias("agri_persons")
        )
    return frame.with_columns(cols)


def flag_names(conditions: dict[str, Q]) -> list[str]:
    return ["persons", *conditions, *(["agri_persons"] if "agri" in conditions else [])]


def _deprived_as_of(end: dt.date) -> Subquery:
    """The deprived indicators of the household's latest stored result computed on or before ``end``
    (what-if runs excluded), so a later classification never changes a past report."""
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    latest = (
        HouseholdClassification.objects.filter(household=OuterRef("pk"), classified_at__lt=until)
        .exclude(run__kind="what_if")
        .order_by("-classified_at", "-id")
        .values("deprived")[:1]
    )
    return Subquery(latest, output_field=CharField())


def _results_after(area: Area, end: dt.date) -> bool:
    """Whether any household of ``area`` has a stored result computed after ``end`` (then a report
    ending on ``end`` must look back to the result in force that day instead of the current one)."""
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return (
        HouseholdClassification.objects.filter(
            household__area_path__startswith=area.path, classified_at__gte=until
        )
        .exclude(run__kind="what_if")
        .exists()
    )


def _with_text_columns(
    qs: QuerySet[Household], dims: Dimensions, end: dt.date, *, look_back: bool
) -> QuerySet[Household]:
    """``look_back``: some result was computed after ``end`` — read, per household, the latest result
    computed on or before ``end`` (a correlated subquery, slower); else the current result is the one
    in force on ``end`` (one join)."""
    if dims.indicators:
        if look_back:
            qs = qs.annotate(_dep=_deprived_as_of(end))
        else:
            qs = qs.annotate(
                _cur=FilteredRelation("classifications", condition=Q(classifications__is_current=True)),
                _dep=F("_cur__deprived"),
            )
    text: dict[str, Any] = {}
    if not connection.features.supports_json_field_contains:
        names = ["poverty_causes", "support_needs", "income_sources"]
        text = {f"_{n}_txt": Cast(n, TextField()) for n in names if _has_field(n)}
    return qs.annotate(**text) if text else qs


def _class_case(on: dt.date, alias: str) -> Case:
    """The household's class on ``on``: ``gone`` when it no longer exists, else the class of its official
    history period covering ``on`` (joined as ``alias`` by :func:`_with_status_on`), else ``none``."""
    gone = Q(closed_at__isnull=True, is_active=False) | Q(closed_at__lte=on)
    return Case(
        When(gone, then=Value("gone")),
        When(**{f"{alias}__classification__isnull": False}, then=F(f"{alias}__classification")),
        default=Value("none"),
        output_field=CharField(),
    )


def _with_status_on(qs: QuerySet[Household], **dates: dt.date) -> QuerySet[Household]:
    """Join the official history period covering each date (``alias=date``); periods never overlap,
    so each join adds at most one row per household."""
    return qs.annotate(**{alias: relation_on(on) for alias, on in dates.items()})


# --- the cube ------------------------------------------------------------------------------------


@dataclass
class Cube:
    area: Area
    start: dt.date  # first day of the period
    end: dt.date  # last day of the period (the report date)
    frame: pl.DataFrame
    flags: list[str]
    dims: Dimensions
    rows: list[tuple[str, str]]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def start_class_date(self) -> dt.date:
        return self.start - dt.timedelta(days=1)


def ledger_of(household_ids: list[int], chunk: int = 10_000) -> list[tuple[Any, ...]]:
    """The ledger rows of households already read through the gate: one array parameter on
    PostgreSQL, bounded IN lists elsewhere."""
    columns = ("household_id", "effective_on", "id", "from_class", "to_class", "kind")
    if not household_ids:
        return []
    if connection.vendor == "postgresql":
        table = StatusChange._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(columns)} FROM {table} WHERE household_id = ANY(%s)",  # noqa: S608
                [household_ids],
            )
            return cursor.fetchall()
    rows: list[tuple[Any, ...]] = []
    for i in range(0, len(household_ids), chunk):
        rows += list(
            StatusChange.objects.filter(household_id__in=household_ids[i : i + chunk])
            .order_by()
            .values_list(*columns)
        )
    return rows


@contextmanager
def report_session() -> Iterator[None]:
    """The report's grouped query on PostgreSQL: no JIT (compiling the flag expressions costs more
    than it saves on a province) and enough work memory to group in memory rather than on disk.
    Both are ``SET LOCAL``: they end with the transaction opened here."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = %s", [REPORT_WORK_MEM])
        yield


def _scoped(user: Any, area: Area, *, personal: bool = False) -> QuerySet[Household]:
    """The gate's households narrowed to ``area`` (and its commune or village key, which lets the
    database use that index), without the model's default ordering. Aggregates count the whole
    area; ``personal=True`` (a list of households) needs the personal-data gate."""
    gate = household_qs_for_user if personal else household_qs_for_aggregates
    qs = gate(user).filter(area_path__startswith=area.path)
    if area.level == Area.Level.COMMUNE:
        qs = qs.filter(commune_id=area.pk)
    elif area.level == Area.Level.VILLAGE:
        qs = qs.filter(village_id=area.pk)
    return qs.order_by()


def build_cube(user: Any, area: Area, start: dt.date, end: dt.date, *, cat: Catalog | None = None) -> Cube:
    """The cube of ``area`` for the period [start, end] (both inclusive) as ``user`` may see it."""
    import time

    if start > end:
        raise ValidationError("Ngày bắt đầu kỳ báo cáo phải trước ngày kết thúc.")
    cat = cat or catalog()
    dims = dimensions_for(end, area, cat)
    conditions = flag_conditions(dims, cat)
    masks, where = flag_masks(conditions)
    mask_names = [f"m{j}" for j in range(len(masks))]
    names = flag_names(conditions)
    row_field = ROW_FIELD.get(area.level, "commune_id")
    day0 = start - dt.timedelta(days=1)
    timings: dict[str, float] = {}
    size = Coalesce(F("size"), Value(0), output_field=IntegerField())
    # households with ledger rows (an uncorrelated IN: PostgreSQL hashes the ledger's ids once)
    in_ledger = Q(pk__in=StatusChange.objects.order_by().values("household_id"))
    scoped = _with_status_on(_scoped(user, area), _s0=day0, _s1=end)
    look_back = bool(dims.indicators) and _results_after(area, end)
    classes = {"_row": F(row_field), "_cs": _class_case(day0, "_s0"), "_ce": _class_case(end, "_s1")}

    # One grouped query. Households without ledger rows (almost all) group by (row, class at start,
    # class at end, flag masks); flag masks are computed only where a table uses them (class poor,
    # near-poor or average; 0 elsewhere), so they collapse into few groups and only distinct
    # combinations leave the database. A household with ledger rows is its own group (keyed by its
    # id, with all its masks): :mod:`engine` decides its class at both dates from the ledger.
    t = time.perf_counter()
    measured = Q(_s1__classification__in=engine.MEASURED_CLASSES) | in_ledger
    mask_alias = {
        f"_m{j}": Case(When(measured, then=m), default=Value(0), output_field=BigIntegerField())
        for j, m in enumerate(masks)
    }
    own_group = Case(When(in_ledger, then=F("pk")), default=Value(None), output_field=BigIntegerField())
    with report_session():
        grouped = list(
            _with_text_columns(scoped, dims, end, look_back=look_back)
            .annotate(**classes, **mask_alias, _hid=own_group)
            .values("_row", "_cs", "_ce", "_hid", *mask_alias)
            .annotate(_k=Count("pk"), _s=Sum(size))
            .values_list("_row", "_cs", "_ce", "_hid", *mask_alias, "_k", "_s")
        )
    stable_rows = [(*r[:3], *r[4:]) for r in grouped if r[3] is None]
    changed_rows = [(r[3], r[0], r[1], r[2], r[-1], *r[4:-2]) for r in grouped if r[3] is not None]
    stable_schema: dict[str, Any] = {"row": pl.Int64, "cls_start": pl.String, "cls_end": pl.String}
    stable_schema.update({m: pl.Int64 for m in [*mask_names, "n", "size"]})
    stable = pl.DataFrame(stable_rows, schema=stable_schema, orient="row")
    stable = decode_flags(stable, where, "n").with_columns(pl.col("size").alias("persons"))
    stable = engine.normalise_cube(stable, names)
    timings["grouped_query_s"] = time.perf_counter() - t

    # the ledger of the households with ledger rows
    t = time.perf_counter()
    ledger_rows = ledger_of([r[0] for r in changed_rows])
    timings["ledger_query_s"] = time.perf_counter() - t

    t = time.perf_counter()
    changed_schema: dict[str, Any] = {
        "household_id": pl.Int64,
        "row": pl.Int64,
        "cls_start": pl.String,
        "cls_end": pl.String,
        "size": pl.Int64,
    }
    changed_schema.update({m: pl.Int64 for m in mask_names})
    changed = pl.DataFrame(changed_rows, schema=changed_schema, orient="row")
    changed = decode_flags(changed.with_columns(pl.lit(1).alias("_one")), where, "_one").with_columns(
        pl.col("size").alias("persons"), pl.col("row").cast(pl.String)
    )
    ledger = pl.DataFrame(ledger_rows, schema=engine.LEDGER_SCHEMA, orient="row")
    moved = engine.changed_cube(changed, ledger, day0, end, names)
    frame = pl.concat([stable, engine.normalise_cube(moved, names)], how="vertical")
    timings["engine_s"] = time.perf_counter() - t
    return Cube(area, start, end, frame, names, dims, row_areas(area), timings)


# --- tables --------------------------------------------------------------------------------------


@dataclass
class TableRow:
    key: str
    name: str
    values: list[float | int | None]
    is_total: bool = False


@dataclass
class Table:
    layout: Layout
    columns: list[Column]
    rows: list[TableRow]
    area: Area
    start: dt.date
    end: dt.date
    row_label: str
    standard_code: str
    catalog_version: str

    @property
    def total(self) -> TableRow:
        return self.rows[-1]

    @property
    def header_groups(self) -> list[tuple[str, int]]:
        """(group heading, span) over the columns, '' for ungrouped columns."""
        out: list[tuple[str, int]] = []
        for col in self.columns:
            if out and col.group_vi and out[-1][0] == col.group_vi:
                out[-1] = (col.group_vi, out[-1][1] + 1)
            else:
                out.append((col.group_vi, 1))
        return out

    @property
    def head_cells(self) -> list[dict[str, Any]]:
        """First heading row: group headings (colspan) and ungrouped columns (rowspan 2)."""
        cells: list[dict[str, Any]] = []
        i = 0
        for group, span in self.header_groups:
            if group:
                cells.append({"label": group, "colspan": span, "rowspan": 1})
            else:
                col = self.columns[i]
                cells.append({"label": f"{col.label_vi} ({col.unit})", "colspan": 1, "rowspan": 2})
            i += span
        return cells

    @property
    def body(self) -> list[tuple[TableRow, list[tuple[float | int | None, bool]]]]:
        """Rows with (value, is_rate) cells, for templates."""
        rates = [c.unit == "%" for c in self.columns]
        return [(row, list(zip(row.values, rates, strict=True))) for row in self.rows]

    def value(self, row_key: str, measure: str) -> float | int | None:
        idx = [c.measure for c in self.columns].index(measure)
        for row in self.rows:
            if row.key == row_key:
                return row.values[idx]
        raise KeyError(row_key)


def measures_frame(cube: Cube) -> pl.DataFrame:
    keys = [k for k, _ in cube.rows]
    present = set(cube.frame.get_column("row").unique().to_list()) - set(keys)
    extra = sorted(k for k in present if k is not None)
    return engine.measures(cube.frame, cube.flags, [*keys, *extra])


def tables_from_cube(
    cube: Cube, codes: list[str] | None = None, *, cat: Catalog | None = None
) -> list[Table]:
    cat = cat or catalog()
    wide = measures_frame(cube)
    names: dict[str, str] = dict(cube.rows)
    names[""] = NO_VILLAGE
    names[engine.TOTAL_ROW] = "Tổng cộng"
    records = {r["row"]: r for r in wide.iter_rows(named=True)}
    order = (
        [k for k, _ in cube.rows]
        + sorted(k for k in records if k not in names)
        + [k for k in ("", engine.TOTAL_ROW) if k in records]
    )
    if "" in records and not _row_has_households(records[""]):
        order.remove("")
    layouts = [cat.layout(c) for c in codes] if codes else cat.aggregate_layouts()
    tables = []
    for layout in layouts:
        if layout.is_personal:
            continue
        columns = [c for c in layout.columns(cube.dims.expansions()) if c.measure in wide.columns]
        rows = [
            TableRow(
                key=k,
                name=names.get(k) or str(k),
                values=[records[k][c.measure] for c in columns],
                is_total=k == engine.TOTAL_ROW,
            )
            for k in order
        ]
        tables.append(
            Table(
                layout=layout,
                columns=columns,
                rows=rows,
                area=cube.area,
                start=cube.start,
                end=cube.end,
                row_label=ROW_LEVEL_LABEL.get(cube.area.level, "Địa bàn"),
                standard_code=cube.dims.standard_code,
                catalog_version=cat.version,
            )
        )
    return tables


def _row_has_households(record: dict[str, Any]) -> bool:
    return bool(record.get("households") or record.get("households_start"))


def report_tables(
    user: Any, area: Area, start: dt.date, end: dt.date, codes: list[str] | None = None
) -> list[Table]:
    return tables_from_cube(build_cube(user, area, start, end), codes)


# --- the detailed list (personal data) ----------------------------------------------------------


@dataclass
class HouseholdLine:
    code: str
    head_name: str
    commune: str
    village: str
    address: str
    size: int
    since: dt.date | None


def household_list(user: Any, area: Area, on: dt.date, klass: str) -> list[HouseholdLine]:
    """Households of ``klass`` on ``on`` in ``area`` (through the gate). Personal data: the caller
    must log the export (:func:`hongheo.reports.services.household_list_export`)."""
    if klass not in engine.LISTED:
        raise ValidationError("Loại danh sách không hợp lệ.")
    rows = (
        _with_status_on(_scoped(user, area, personal=True), _s=on)
        .annotate(_c=_class_case(on, "_s"))
        .filter(_c=klass)
        .values_list("pk", "_s__valid_from")
    )
    since: dict[int, dt.date | None] = dict(rows)
    lines = []
    ids = sorted(since)
    for i in range(0, len(ids), 5000):  # bounded IN lists (SQLite's variable limit)
        qs = Household.objects.filter(pk__in=ids[i : i + 5000]).select_related("commune", "village")
        for h in qs:
            lines.append(
                HouseholdLine(
                    code=h.code,
                    head_name=h.head_name,
                    commune=h.commune.name,
                    village=h.village.name if h.village else "",
                    address=h.address,
                    size=h.size,
                    since=since.get(h.pk),
                )
            )
    lines.sort(
        key=lambda x: (natural_key(x.commune), natural_key(x.village), natural_key(x.head_name), x.code)
    )
    return lines
