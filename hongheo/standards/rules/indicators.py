"""Deprivation indicators (chỉ số đo lường mức độ thiếu hụt dịch vụ xã hội cơ bản) as named evaluators.

Each indicator of a standard is *data*: the name of an evaluator in :data:`EVALUATORS`, the fact it
reads (``fact``) and its parameters (ages, m², lists of codes…), each with provenance. This module
holds the small, generic evaluators that turn household and member facts into "deprived yes/no"
(thiếu hụt / không thiếu hụt) plus the facts that decided it. There are two paths that must agree:

* :func:`evaluate_indicator` / :func:`evaluate_indicators`: one household, plain Python;
* :func:`derive_deprivations`: many households at once, vectorised with polars.

Fact names are those of the synthetic registry schema (``household_id``, ``area``, ``size``,
``housing_quality``, ``floor_area_m2``, ``water_source``, ``toilet``, ``waste_handling``,
``internet``, ``information_devices``; members: ``personal_id``, ``household_id``, ``sex``,
``date_of_birth``, ``health_insurance``, ``in_school``, ``education_level``, ``has_qualification``,
``employment``, ``disability``, ``disability_allowance``, ``undernourished``). Ages are completed
years at a reference date. A missing fact never makes a household deprived: it is reported in the
deciding facts as ``missing`` instead.

Polars is imported lazily so that the catalog (which validates evaluator parameters through
:data:`EVALUATORS`) stays light.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

    from hongheo.standards.rules.catalog import Indicator, Standard

Facts = Mapping[str, Any]

# ---------------------------------------------------------------------------------------------
# Parameter specifications (used by the catalog to validate standard documents)
# ---------------------------------------------------------------------------------------------

PARAM_KINDS = frozenset({"int", "number", "bool", "codes", "date", "int_by_sex", "bands", "age_schedule"})


@dataclass(frozen=True)
class ParamSpec:
    kind: str
    required: bool = True


def check_param(name: str, spec: ParamSpec, value: Any) -> str | None:
    """Return an error text when ``value`` does not fit ``spec`` (``None`` when it does)."""
    if value is None:
        return None if not spec.required else f"{name}: thiếu giá trị"
    kind = spec.kind
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return None if ok else f"{name}: phải là số nguyên ≥ 0"
    if kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
        return None if ok else f"{name}: phải là số ≥ 0"
    if kind == "bool":
        return None if isinstance(value, bool) else f"{name}: phải là true/false"
    if kind == "codes":
        ok = isinstance(value, list) and all(isinstance(v, str | bool) for v in value)
        return None if ok else f"{name}: phải là danh sách mã"
    if kind == "date":
        try:
            dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return f"{name}: phải là ngày YYYY-MM-DD"
        return None
    if kind == "int_by_sex":
        ok = isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in value.items()
        )
        return None if ok else f"{name}: phải là {{giới tính: số nguyên}}"
    if kind == "age_schedule":
        return _check_age_schedule(name, value)
    if kind == "bands":
        if not isinstance(value, list) or not value:
            return f"{name}: phải là danh sách nhóm tuổi"
        for i, band in enumerate(value):
            if not isinstance(band, dict):
                return f"{name}[{i}]: phải là đối tượng"
            for key in ("age_min", "age_max"):
                v = band.get(key)
                if key == "age_max" and v is None:
                    continue  # no upper bound
                if not isinstance(v, int) or isinstance(v, bool):
                    return f"{name}[{i}].{key}: phải là số nguyên"
            levels = band.get("accepted_levels")
            if not isinstance(levels, list) or not all(isinstance(x, str) for x in levels):
                return f"{name}[{i}].accepted_levels: phải là danh sách mã"
            if not isinstance(band.get("qualification_counts", False), bool):
                return f"{name}[{i}].qualification_counts: phải là true/false"
        return None
    return f"{name}: loại tham số không biết {kind!r}"  # pragma: no cover


def _check_age_schedule(name: str, value: Any) -> str | None:
    """A dated schedule of an age limit by sex: ``[{"from": "YYYY-MM-DD", "male": [years, months],
    "female": [years, months]}, …]`` in increasing ``from`` order."""
    if not isinstance(value, list) or not value:
        return f"{name}: phải là danh sách mốc thời gian"
    previous: dt.date | None = None
    for i, step in enumerate(value):
        if not isinstance(step, dict):
            return f"{name}[{i}]: phải là đối tượng"
        try:
            start = dt.date.fromisoformat(str(step["from"]))
        except (KeyError, TypeError, ValueError):
            return f"{name}[{i}].from: phải là ngày YYYY-MM-DD"
        if previous is not None and start <= previous:
            return f"{name}[{i}].from: các mốc phải tăng dần"
        previous = start
        for sex in ("male", "female"):
            age = step.get(sex)
            ok = (
                isinstance(age, list)
                and len(age) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in age)
                and age[0] >= 0
                and 0 <= age[1] < 12
            )
            if not ok:
                return f"{name}[{i}].{sex}: phải là [số năm, số tháng 0–11]"
    return None


# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------


def months_on(date_of_birth: dt.date | None, reference_date: dt.date) -> int | None:
    """Completed months of age at ``reference_date`` (61 y 6 m = 738); ``None`` without a birth date."""
    if date_of_birth is None:
        return None
    if isinstance(date_of_birth, dt.datetime):
        date_of_birth = date_of_birth.date()
    if isinstance(date_of_birth, str):
        date_of_birth = dt.date.fromisoformat(date_of_birth)
    months = (reference_date.year - date_of_birth.year) * 12 + reference_date.month - date_of_birth.month
    if reference_date.day < date_of_birth.day:
        months -= 1
    return months


def scheduled_age_months(schedule: Sequence[Mapping[str, Any]], on: dt.date) -> dict[str, int]:
    """The age limit by sex, in months, that a dated schedule sets on ``on``: the last step whose
    ``from`` is on or before ``on`` (the first step before the schedule starts)."""
    chosen = schedule[0]
    for step in schedule:
        if dt.date.fromisoformat(step["from"]) <= on:
            chosen = step
    return {sex: chosen[sex][0] * 12 + chosen[sex][1] for sex in ("male", "female")}


def _scheduled_limit(p: Mapping[str, Any]) -> Mapping[str, int] | None:
    """The resolved schedule limit; a schedule that was not resolved is a programming error (it
    would otherwise silently mean "no upper age")."""
    if p.get("age_max_schedule") and "_age_max_months_by_sex" not in p:
        raise ValueError("age_max_schedule must be resolved at the reference date (resolve_params)")
    limit: Mapping[str, int] | None = p.get("_age_max_months_by_sex")
    return limit


def resolve_params(params: Mapping[str, Any], on: dt.date) -> Mapping[str, Any]:
    """Parameters as they apply on the reference date ``on``: a dated ``age_max_schedule`` becomes
    ``_age_max_months_by_sex`` (the limit that year, in months)."""
    schedule = params.get("age_max_schedule")
    if not schedule:
        return params
    return {**params, "_age_max_months_by_sex": scheduled_age_months(schedule, on)}


def age_on(date_of_birth: dt.date | None, reference_date: dt.date) -> int | None:
    """Completed years (tuổi tròn) at ``reference_date``; ``None`` when the birth date is missing."""
    if date_of_birth is None:
        return None
    if isinstance(date_of_birth, dt.datetime):
        date_of_birth = date_of_birth.date()
    if isinstance(date_of_birth, str):
        date_of_birth = dt.date.fromisoformat(date_of_birth)
    years = reference_date.year - date_of_birth.year
    if (reference_date.month, reference_date.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def _date_key(d: dt.date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


@dataclass(frozen=True)
class HouseholdFacts:
    """One household with its members, ages already computed at the reference date."""

    household: Facts
    members: tuple[Facts, ...]
    ages: tuple[int | None, ...]
    reference_date: dt.date

    @classmethod
    def build(
        cls, household: Facts, members: Iterable[Facts] = (), reference_date: dt.date | None = None
    ) -> HouseholdFacts:
        ref = reference_date or dt.date.today()
        mem = tuple(members)
        return cls(household, mem, tuple(age_on(m.get("date_of_birth"), ref) for m in mem), ref)

    @property
    def size(self) -> int | None:
        """Số nhân khẩu: the member records when given, else the household's ``size`` fact."""
        if self.members:
            return len(self.members)
        size = self.household.get("size")
        return int(size) if size is not None else None


def _member_ref(member: Facts, age: int | None) -> dict[str, Any]:
    ref: dict[str, Any] = {"age": age}
    if member.get("personal_id") is not None:
        ref["personal_id"] = member["personal_id"]
    return ref


def _in_age(age: int | None, p: Mapping[str, Any], sex: Any = None, months: int | None = None) -> bool:
    if age is None:
        return False
    if p.get("age_min") is not None and age < p["age_min"]:
        return False
    if p.get("age_below") is not None and age >= p["age_below"]:
        return False
    by_months = _scheduled_limit(p)
    if by_months is not None:
        # Working age ends at the retirement age of the reference year (inclusive, in completed
        # months: 61 y 6 m still counts, 61 y 7 m does not); a member of unknown sex is not counted.
        limit = by_months.get(sex)
        return limit is not None and months is not None and months <= limit
    age_max = p.get("age_max")
    by_sex = p.get("age_max_by_sex")
    if by_sex and sex in by_sex:
        age_max = by_sex[sex]
    return not (age_max is not None and age > age_max)


# ---------------------------------------------------------------------------------------------
# Evaluators
# ---------------------------------------------------------------------------------------------

Result = tuple[bool, dict[str, Any]]


@dataclass(frozen=True)
class Evaluator:
    """A named deprivation rule shape.

    ``evaluate(fact, params, household)`` decides for one household. ``member_aggs(code, fact, params)``
    returns polars aggregations computed per household over the members frame (which has an
    ``_age`` column), and ``household_expr(code, fact, params, household_columns)`` the final boolean
    expression over the households frame joined with those aggregations.
    """

    name: str
    description: str
    params: Mapping[str, ParamSpec]
    needs_fact: bool
    evaluate: Callable[[str | None, Mapping[str, Any], HouseholdFacts], Result]
    member_aggs: Callable[[str, str | None, Mapping[str, Any]], list[pl.Expr]]
    household_expr: Callable[[str, str | None, Mapping[str, Any], frozenset[str]], pl.Expr]
    member_facts: tuple[str, ...] = field(default=())


# --- any_member: at least one member in an age range has a deprived value of one fact -----------


def _any_member_eval(fact: str | None, p: Mapping[str, Any], hh: HouseholdFacts) -> Result:
    assert fact is not None
    deprived_values = list(p["deprived_values"])
    hits: list[dict[str, Any]] = []
    missing = 0
    for member, age in zip(hh.members, hh.ages, strict=True):
        if age is None:
            missing += 1
            continue
        months = (
            months_on(member.get("date_of_birth"), hh.reference_date)
            if "_age_max_months_by_sex" in p
            else None
        )
        if not _in_age(age, p, member.get("sex"), months):
            continue
        value = member.get(fact)
        if value is None:
            missing += 1
            continue
        if any(value == v and type(value) is type(v) for v in deprived_values):
            hits.append({**_member_ref(member, age), fact: value})
    facts: dict[str, Any] = {"fact": fact, "members": hits}
    if missing:
        facts["missing"] = missing
    return bool(hits), facts


def _age_expr(p: Mapping[str, Any]) -> pl.Expr:
    import polars as pl

    age = pl.col("_age")
    cond = age.is_not_null()
    if p.get("age_min") is not None:
        cond = cond & (age >= p["age_min"])
    if p.get("age_below") is not None:
        cond = cond & (age < p["age_below"])
    by_months = _scheduled_limit(p)
    if by_months is not None:
        months_limit: Any = pl.lit(None, dtype=pl.Int32)
        for sex, value in by_months.items():
            months_limit = (
                pl.when(pl.col("sex") == sex).then(pl.lit(value, dtype=pl.Int32)).otherwise(months_limit)
            )
        return cond & (pl.col("_age_months") <= months_limit).fill_null(False)
    by_sex = p.get("age_max_by_sex")
    if by_sex:
        limit: Any = pl.lit(p.get("age_max"), dtype=pl.Int32)
        for sex, value in by_sex.items():
            limit = pl.when(pl.col("sex") == sex).then(pl.lit(value, dtype=pl.Int32)).otherwise(limit)
        cond = cond & (limit.is_null() | (age <= limit))
    elif p.get("age_max") is not None:
        cond = cond & (age <= p["age_max"])
    return cond


def _value_in(col: pl.Expr, values: Sequence[Any]) -> pl.Expr:
    import polars as pl

    bools = [v for v in values if isinstance(v, bool)]
    codes = [v for v in values if not isinstance(v, bool)]
    cond = pl.lit(False)
    for b in bools:
        cond = cond | (col == b)
    if codes:
        cond = cond | col.cast(pl.String).is_in(codes)
    return cond.fill_null(False)


def _any_member_aggs(code: str, fact: str | None, p: Mapping[str, Any]) -> list[pl.Expr]:
    assert fact is not None
    import polars as pl

    hit = _age_expr(p) & _value_in(pl.col(fact), p["deprived_values"])
    return [hit.any().alias(f"_{code}")]


def _agg_flag(code: str, fact: str | None, p: Mapping[str, Any], cols: frozenset[str]) -> pl.Expr:
    import polars as pl

    return pl.col(f"_{code}").fill_null(False)


ANY_MEMBER = Evaluator(
    name="any_member",
    description="Thiếu hụt khi có ít nhất một thành viên trong nhóm tuổi có giá trị thiếu hụt của chỉ tiêu",
    params={
        "deprived_values": ParamSpec("codes"),
        "age_min": ParamSpec("int", required=False),
        "age_below": ParamSpec("int", required=False),
        "age_max": ParamSpec("int", required=False),
        "age_max_by_sex": ParamSpec("int_by_sex", required=False),
        "age_max_schedule": ParamSpec("age_schedule", required=False),
    },
    needs_fact=True,
    evaluate=_any_member_eval,
    member_aggs=_any_member_aggs,
    household_expr=_agg_flag,
)


# --- dependant_share: dependants make up more than a share of members -----------------------------


def _is_dependant(member: Facts, age: int | None, p: Mapping[str, Any]) -> bool:
    if age is not None and (age < p["child_age_below"] or age >= p["elderly_age_min"]):
        return True
    if member.get("disability") is True:
        return bool(member.get("disability_allowance") is True or not p["disability_requires_allowance"])
    return False


def _dependant_eval(fact: str | None, p: Mapping[str, Any], hh: HouseholdFacts) -> Result:
    n = len(hh.members)
    deps = [_member_ref(m, a) for m, a in zip(hh.members, hh.ages, strict=True) if _is_dependant(m, a, p)]
    facts: dict[str, Any] = {"members_count": n, "dependants": deps, "share_above": p["share_above"]}
    if n == 0:
        facts["missing"] = "members"
        return False, facts
    share = len(deps) / n
    facts["share"] = round(share, 4)
    return share > p["share_above"], facts


def _dependant_member_expr(p: Mapping[str, Any]) -> pl.Expr:
    import polars as pl

    age = pl.col("_age")
    by_age = (age < p["child_age_below"]) | (age >= p["elderly_age_min"])
    disabled = pl.col("disability") == True  # noqa: E712
    if p["disability_requires_allowance"]:
        disabled = disabled & (pl.col("disability_allowance") == True)  # noqa: E712
    return by_age.fill_null(False) | disabled.fill_null(False)


def _dependant_aggs(code: str, fact: str | None, p: Mapping[str, Any]) -> list[pl.Expr]:
    return [_dependant_member_expr(p).sum().alias(f"_{code}_n")]


def _dependant_expr(code: str, fact: str | None, p: Mapping[str, Any], cols: frozenset[str]) -> pl.Expr:
    import polars as pl

    n = pl.col("_n_members")
    return ((n > 0) & (pl.col(f"_{code}_n") > n * p["share_above"])).fill_null(False)


DEPENDANT_SHARE = Evaluator(
    name="dependant_share",
    description="Thiếu hụt khi tỷ lệ người phụ thuộc trong hộ lớn hơn ngưỡng",
    params={
        "child_age_below": ParamSpec("int"),
        "elderly_age_min": ParamSpec("int"),
        "disability_requires_allowance": ParamSpec("bool"),
        "share_above": ParamSpec("number"),
    },
    needs_fact=False,
    evaluate=_dependant_eval,
    member_aggs=_dependant_aggs,
    household_expr=_dependant_expr,
)


# --- adult_education: a member in an age band lacks the expected level --------------------------


def _born_ok(member: Facts, p: Mapping[str, Any]) -> bool:
    born_from = p.get("born_on_or_after")
    if not born_from:
        return True
    dob = member.get("date_of_birth")
    if dob is None:
        return False
    if isinstance(dob, str):
        dob = dt.date.fromisoformat(dob)
    return bool(dob >= dt.date.fromisoformat(born_from))


def _adult_member_deprived(member: Facts, age: int | None, p: Mapping[str, Any]) -> bool | None:
    """``True``/``False`` for a member in a band, ``None`` when out of every band or facts missing."""
    if age is None or not _born_ok(member, p):
        return None
    for band in p["bands"]:
        if band["age_min"] <= age and (band.get("age_max") is None or age <= band["age_max"]):
            if p["in_school_counts"] and member.get("in_school") is True:
                return False
            if band.get("qualification_counts") and member.get("has_qualification") is True:
                return False
            level = member.get("education_level")
            if level is None:
                return None
            return level not in band["accepted_levels"]
    return None


def _adult_eval(fact: str | None, p: Mapping[str, Any], hh: HouseholdFacts) -> Result:
    hits = []
    for member, age in zip(hh.members, hh.ages, strict=True):
        if _adult_member_deprived(member, age, p):
            hits.append(
                {
                    **_member_ref(member, age),
                    "education_level": member.get("education_level"),
                    "in_school": member.get("in_school"),
                    "has_qualification": member.get("has_qualification"),
                }
            )
    return bool(hits), {"members": hits}


def _adult_aggs(code: str, fact: str | None, p: Mapping[str, Any]) -> list[pl.Expr]:
    import polars as pl

    age = pl.col("_age")
    member_hit = pl.lit(False)
    covered = pl.lit(False)  # earlier bands win, as in the single path
    for band in p["bands"]:
        in_band = age >= band["age_min"]
        if band.get("age_max") is not None:
            in_band = in_band & (age <= band["age_max"])
        in_band = in_band & ~covered
        ok = pl.lit(False)
        if p["in_school_counts"]:
            ok = ok | (pl.col("in_school") == True)  # noqa: E712
        if band.get("qualification_counts"):
            ok = ok | (pl.col("has_qualification") == True)  # noqa: E712
        ok = ok.fill_null(False)
        lacks = (~pl.col("education_level").cast(pl.String).is_in(band["accepted_levels"])).fill_null(False)
        member_hit = member_hit | (in_band & ~ok & lacks).fill_null(False)
        covered = (covered | in_band).fill_null(False)
    born_from = p.get("born_on_or_after")
    if born_from:
        key = dt.date.fromisoformat(born_from)
        member_hit = member_hit & (pl.col("date_of_birth") >= key).fill_null(False)
    return [member_hit.any().alias(f"_{code}")]


ADULT_EDUCATION = Evaluator(
    name="adult_education",
    description="Thiếu hụt khi có thành viên trong nhóm tuổi không đi học và chưa đạt trình độ tương ứng",
    params={
        "bands": ParamSpec("bands"),
        "in_school_counts": ParamSpec("bool"),
        "born_on_or_after": ParamSpec("date", required=False),
    },
    needs_fact=False,
    evaluate=_adult_eval,
    member_aggs=_adult_aggs,
    household_expr=_agg_flag,
)


# --- household-level evaluators ---------------------------------------------------------------


def _no_aggs(code: str, fact: str | None, p: Mapping[str, Any]) -> list[pl.Expr]:
    return []


def _hh_value(hh: HouseholdFacts, fact: str) -> Any:
    return hh.household.get(fact)


def _value_in_eval(fact: str | None, p: Mapping[str, Any], hh: HouseholdFacts) -> Result:
    assert fact is not None
    value = _hh_value(hh, fact)
    if value is None:
        return False, {fact: None, "missing": fact}
    return value in p["deprived_values"], {fact: value, "deprived_values": list(p["deprived_values"])}


def _value_in_expr(code: str, fact: str | None, p: Mapping[str, Any], cols: frozenset[str]) -> pl.Expr:
    import polars as pl

    assert fact is not None
    return _value_in(pl.col(fact), p["deprived_values"])


HOUSEHOLD_VALUE_IN = Evaluator(
    name="household_value_in",
    description="Thiếu hụt khi giá trị chỉ tiêu của hộ thuộc danh sách thiếu hụt",
    params={"deprived_values": ParamSpec("codes")},
    needs_fact=True,
    evaluate=_value_in_eval,
    member_aggs=_no_aggs,
    household_expr=_value_in_expr,
)


def _value_not_in_eval(fact: str | None, p: Mapping[str, Any], hh: HouseholdFacts) -> Result:
    assert fact is not None
    value = _hh_value(hh, fact)
    if value is None:
        return False, {fact: None, "missing": fact}
    return value not in p["accepted_values"], {fact: value, "accepted_values": list(p["accepted_values"])}


def _value_not_in_expr(code: str, fact: str | None, p: Mapping[str, Any], cols: frozenset[str]) -> pl.Expr:
    import polars as pl

    assert fact is not None
    col = pl.col(fact)
    return (col.is_not_null() & ~col.cast(pl.String).is_in(p["accepted_values"])).fill_null(False)


HOUSEHOLD_VALUE_NOT_IN = Evaluator(
    name="household_value_not_in",
    description="Thiếu hụt khi giá trị chỉ tiêu của hộ không thuộc danh sách đạt chuẩn",
    params={"accepted_values": ParamSpec("codes")},
    needs_fact=True,
    evaluate=_value_not_in_eval,
    member_aggs=_no_aggs,
    household_expr=_value_not_in_expr,
)


def _flag_eval(fact: str | None, p: Mapping[str, Any], hh: HouseholdFacts) -> Result:
    assert fact is not None
    value = _hh_value(hh, fact)
    if value is None:
        return False, {fact: None, "missing": fact}
    return bool(value) == p["deprived_value"], {fact: bool(value)}


def _flag_expr(code: str, fact: str | None, p: Mapping[str, Any], cols: frozenset[str]) -> pl.Expr:
    import polars as pl

    assert fact is not None
    return (pl.col(fact).cast(pl.Boolean) == p["deprived_value"]).fill_null(False)


HOUSEHOLD_FLAG = Evaluator(
    name="household_flag",
    description="Thiếu hụt khi chỉ tiêu có/không của hộ bằng giá trị thiếu hụt",
    params={"deprived_value": ParamSpec("bool")},
    needs_fact=True,
    evaluate=_flag_eval,
    member_aggs=_no_aggs,
    household_expr=_flag_expr,
)


def _count_below_eval(fact: str | None, p: Mapping[str, Any], hh: HouseholdFacts) -> Result:
    assert fact is not None
    value = _hh_value(hh, fact)
    if value is None:
        return False, {fact: None, "missing": fact}
    return value < p["minimum"], {fact: value, "minimum": p["minimum"]}


def _count_below_expr(code: str, fact: str | None, p: Mapping[str, Any], cols: frozenset[str]) -> pl.Expr:
    import polars as pl

    assert fact is not None
    return (pl.col(fact) < p["minimum"]).fill_null(False)


HOUSEHOLD_COUNT_BELOW = Evaluator(
    name="household_count_below",
    description="Thiếu hụt khi số lượng của hộ nhỏ hơn mức tối thiểu",
    params={"minimum": ParamSpec("int")},
    needs_fact=True,
    evaluate=_count_below_eval,
    member_aggs=_no_aggs,
    household_expr=_count_below_expr,
)


def _area_eval(fact: str | None, p: Mapping[str, Any], hh: HouseholdFacts) -> Result:
    area = hh.household.get("floor_area_m2")
    size = hh.size
    facts: dict[str, Any] = {"floor_area_m2": area, "size": size, "min_m2_per_person": p["min_m2_per_person"]}
    if area is None or not size:
        facts["missing"] = "floor_area_m2" if area is None else "size"
        return False, facts
    per_person = float(area) / size
    facts["m2_per_person"] = round(per_person, 2)
    return per_person < p["min_m2_per_person"], facts


def _area_expr(code: str, fact: str | None, p: Mapping[str, Any], cols: frozenset[str]) -> pl.Expr:
    import polars as pl

    size = pl.col("_n_members")
    if "size" in cols:
        size = pl.when(size > 0).then(size).otherwise(pl.col("size"))
    area = pl.col("floor_area_m2").cast(pl.Float64)
    # area / size < min  ⇔  area < min × size  (size > 0): avoids a division per row.
    return ((size > 0) & (area < size.cast(pl.Float64) * p["min_m2_per_person"])).fill_null(False)


AREA_PER_PERSON_BELOW = Evaluator(
    name="area_per_person_below",
    description="Thiếu hụt khi diện tích nhà ở bình quân đầu người nhỏ hơn ngưỡng (m²)",
    params={"min_m2_per_person": ParamSpec("number")},
    needs_fact=False,
    evaluate=_area_eval,
    member_aggs=_no_aggs,
    household_expr=_area_expr,
)


def _reported_eval(fact: str | None, p: Mapping[str, Any], hh: HouseholdFacts) -> Result:
    key = fact or ""
    value = hh.household.get(key)
    if value is None:
        return False, {"reported": None, "missing": key}
    return value is True, {"reported": bool(value)}


def _reported_expr(code: str, fact: str | None, p: Mapping[str, Any], cols: frozenset[str]) -> pl.Expr:
    import polars as pl

    if fact and fact in cols:
        return (pl.col(fact).cast(pl.Boolean) == True).fill_null(False)  # noqa: E712
    return pl.lit(False)


REPORTED = Evaluator(
    name="reported",
    description=(
        "Không suy ra được từ dữ liệu hộ: chỉ thiếu hụt khi điều tra viên ghi nhận trực tiếp "
        "(chỉ tiêu có/không của hộ)"
    ),
    params={},
    needs_fact=True,
    evaluate=_reported_eval,
    member_aggs=_no_aggs,
    household_expr=_reported_expr,
)


EVALUATORS: dict[str, Evaluator] = {
    e.name: e
    for e in (
        ANY_MEMBER,
        DEPENDANT_SHARE,
        ADULT_EDUCATION,
        HOUSEHOLD_VALUE_IN,
        HOUSEHOLD_VALUE_NOT_IN,
        HOUSEHOLD_FLAG,
        HOUSEHOLD_COUNT_BELOW,
        AREA_PER_PERSON_BELOW,
        REPORTED,
    )
}


# ---------------------------------------------------------------------------------------------
# Single-household path
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorOutcome:
    code: str
    deprived: bool
    facts: dict[str, Any]


def evaluate_indicator(indicator: Indicator, household: HouseholdFacts) -> IndicatorOutcome:
    evaluator = EVALUATORS[indicator.evaluator]
    params = resolve_params(indicator.params, household.reference_date)
    deprived, facts = evaluator.evaluate(indicator.fact, params, household)
    return IndicatorOutcome(indicator.code, bool(deprived), facts)


def evaluate_indicators(
    standard: Standard,
    household: Facts,
    members: Iterable[Facts] = (),
    *,
    reference_date: dt.date | None = None,
) -> list[IndicatorOutcome]:
    """Evaluate every indicator of ``standard`` for one household (in the standard's order)."""
    facts = HouseholdFacts.build(household, members, reference_date)
    return [evaluate_indicator(ind, facts) for ind in standard.indicators]


# ---------------------------------------------------------------------------------------------
# Vectorised path
# ---------------------------------------------------------------------------------------------


def derive_deprivations(
    households: pl.DataFrame | pl.LazyFrame,
    members: pl.DataFrame | pl.LazyFrame,
    *,
    standard: Standard | None = None,
    reference_date: dt.date | None = None,
) -> pl.DataFrame:
    """Derive every indicator of ``standard`` for many households at once.

    Returns one row per household (in the households' order): ``household_id``, one boolean column
    per indicator code, and ``deprived`` (the deprived codes joined with ``;``, empty when none).
    ``standard`` defaults to the national standard in force at ``reference_date`` (default today).
    """
    import polars as pl

    from hongheo.standards.rules.catalog import standard_for_date

    ref = reference_date or dt.date.today()
    std = standard or standard_for_date(ref)
    hh = households.lazy()
    mem = members.lazy()
    hh_cols = frozenset(hh.collect_schema().names())
    mem_cols = frozenset(mem.collect_schema().names())

    # Completed years at the reference date: (YYYYMMDD(ref) - YYYYMMDD(dob)) // 10000.
    dob = pl.col("date_of_birth").cast(pl.Date)
    dob_key = dob.dt.year().cast(pl.Int32) * 10000 + dob.dt.month().cast(pl.Int32) * 100 + dob.dt.day()
    needed = {"household_id", "date_of_birth"}
    aggs: list[pl.Expr] = [pl.len().cast(pl.Int64).alias("_n_members")]
    for ind in std.indicators:
        evaluator = EVALUATORS[ind.evaluator]
        aggs.extend(evaluator.member_aggs(ind.code, ind.fact, resolve_params(ind.params, ref)))
        if evaluator.member_aggs is not _no_aggs:
            needed.update(c for c in _MEMBER_FACTS if c in mem_cols)
    # Completed months: (years·12 + months) difference, less one when the day is not yet reached.
    months = (
        (ref.year - dob.dt.year().cast(pl.Int32)) * 12
        + (ref.month - dob.dt.month().cast(pl.Int32))
        - pl.when(dob.dt.day() > ref.day).then(1).otherwise(0)
    )
    mem = mem.select(sorted(needed & mem_cols)).with_columns(
        ((_date_key(ref) - dob_key) // 10000).cast(pl.Int32).alias("_age"),
        months.cast(pl.Int32).alias("_age_months"),
    )
    per_household = mem.group_by("household_id").agg(aggs)
    agg_names = [e.meta.output_name() for e in aggs]
    joined = hh.join(per_household, on="household_id", how="left", maintain_order="left").with_columns(
        [
            pl.col(n).fill_null(0) if n.endswith("_n") or n == "_n_members" else pl.col(n).fill_null(False)
            for n in agg_names
        ]
    )
    flags = [
        EVALUATORS[ind.evaluator]
        .household_expr(ind.code, ind.fact, resolve_params(ind.params, ref), hh_cols)
        .alias(ind.code)
        for ind in std.indicators
    ]
    codes = [ind.code for ind in std.indicators]
    out = joined.select(pl.col("household_id"), *flags).with_columns(
        pl.concat_str(
            [pl.when(pl.col(c)).then(pl.lit(c)) for c in codes], separator=";", ignore_nulls=True
        ).alias("deprived")
    )
    return out.collect()


_MEMBER_FACTS = (
    "sex",
    "health_insurance",
    "in_school",
    "education_level",
    "has_qualification",
    "employment",
    "disability",
    "disability_allowance",
    "undernourished",
)
