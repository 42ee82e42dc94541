"""Synthetic population (dân cư giả lập) for real communes of one province.

Generates households (hộ gia đình) and their members (nhân khẩu) with a Vietnam-like structure:
household sizes averaging ≈ 3.5 persons, heads / spouses / children / elderly parents /
three-generation households, names drawn from Vietnamese family / middle / given-name tables by
ethnicity, sex and birth cohort, structurally valid personal ID numbers (số định danh cá nhân) that
agree with the date of birth and sex, ethnicity, housing, water, sanitation, information, health
insurance, schooling, employment and a per-capita income whose share below the 2022–2025 poverty
lines is a few percent nationally and 10–25 % in northern mountain provinces.

Everything is vectorised (numpy arrays per column, polars for strings and output) so a million
households take seconds. Pure module: no Django. The data tables live in ``data/`` with their
provenance; they are approximate and meant for synthetic data only.

Output schema (fixed; other modules depend on it): :data:`HOUSEHOLD_SCHEMA`, :data:`MEMBER_SCHEMA`.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from hongheo.core.ids import make_personal_id_ints

__all__ = [
    "DEFAULT_AS_OF",
    "HOUSEHOLD_SCHEMA",
    "INCOME_LINES_2022_2025",
    "MEMBER_SCHEMA",
    "Commune",
    "Population",
    "SynthError",
    "generate_population",
    "income_poor_share",
    "province_communes",
    "province_names",
    "write_population",
]

DEFAULT_AS_OF = date(2026, 9, 1)
#: Chuẩn thu nhập 2022–2025 (Nghị định 07/2021/NĐ-CP), VND/person/month, "từ … trở xuống".
INCOME_LINES_2022_2025 = {"rural": 1_500_000, "urban": 2_000_000}
MAX_SEQ = 999_999  # six digits of the household sequence inside a commune

HOUSEHOLD_SCHEMA: dict[str, Any] = {
    "household_id": pl.String,
    "province_code": pl.Int64,
    "commune_code": pl.Int64,
    "commune_name": pl.String,
    "commune_kind": pl.String,
    "village_name": pl.String,
    "area": pl.String,
    "address": pl.String,
    "head_personal_id": pl.String,
    "size": pl.Int64,
    "ethnic_minority": pl.Boolean,
    "female_head": pl.Boolean,
    "merit": pl.Boolean,
    "social_protection": pl.Boolean,
    "housing_quality": pl.String,
    "floor_area_m2": pl.Float64,
    "water_source": pl.String,
    "toilet": pl.String,
    "waste_handling": pl.String,
    "internet": pl.Boolean,
    "information_devices": pl.Int64,
    "income_per_capita": pl.Int64,
    "latitude": pl.Float64,
    "longitude": pl.Float64,
}

MEMBER_SCHEMA: dict[str, Any] = {
    "personal_id": pl.String,
    "household_id": pl.String,
    "full_name": pl.String,
    "family_name": pl.String,
    "middle_name": pl.String,
    "given_name": pl.String,
    "sex": pl.String,
    "date_of_birth": pl.Date,
    "relation_to_head": pl.String,
    "ethnicity": pl.String,
    "health_insurance": pl.Boolean,
    "in_school": pl.Boolean,
    "education_level": pl.String,
    "has_qualification": pl.Boolean,
    "employment": pl.String,
    "disability": pl.Boolean,
    "disability_allowance": pl.Boolean,
    "undernourished": pl.Boolean,
}

RELATIONS = ("head", "spouse", "child", "parent", "grandchild", "sibling", "other")
HEAD, SPOUSE, CHILD, PARENT, GRANDCHILD, SIBLING, OTHER = range(len(RELATIONS))

# Category lists are ordered from worst to best: a household's latent living standard picks the
# category through correlated uniforms (see ``_ordered``).
HOUSING = ("makeshift", "non_durable", "semi_durable", "durable")
WATER = (
    "surface",
    "unprotected_well",
    "rainwater",
    "protected_spring",
    "protected_well",
    "purchased",
    "piped",
)
TOILET = ("none", "unimproved", "improved_pit", "pour_flush", "flush_septic")
WASTE = ("dumped", "burned_buried", "collected")
EDUCATION = ("none", "primary", "lower_secondary", "upper_secondary", "vocational", "college", "university")
EMPLOYMENT = ("unemployed", "wage_no_contract", "self_employed", "wage_with_contract", "not_in_labour_force")
NILF = EMPLOYMENT.index("not_in_labour_force")

# Living-standard groups: 0 urban, 1 rural Kinh/Hoa, 2 rural ethnic minority.
URBAN, RURAL, RURAL_MINORITY = 0, 1, 2
_GROUP_PROBS: dict[str, list[list[float]]] = {
    # approximate shapes after the 2019 census / VHLSS national shares; hand-set
    "housing": [[0.004, 0.016, 0.25, 0.73], [0.012, 0.035, 0.50, 0.453], [0.06, 0.14, 0.56, 0.24]],
    # protected springs (nước khe/mó) mostly in upland minority villages; pour-flush latrines rural
    "water": [
        [0.002, 0.006, 0.01, 0.001, 0.049, 0.05, 0.882],
        [0.015, 0.035, 0.07, 0.03, 0.38, 0.03, 0.44],
        [0.12, 0.13, 0.05, 0.12, 0.12, 0.01, 0.45],
    ],
    "toilet": [
        [0.002, 0.008, 0.01, 0.01, 0.97],
        [0.015, 0.035, 0.05, 0.06, 0.84],
        [0.14, 0.20, 0.14, 0.10, 0.42],
    ],
    "waste": [[0.02, 0.05, 0.93], [0.10, 0.35, 0.55], [0.35, 0.45, 0.20]],
    # among people in the labour force: unemployed, no contract, self-employed, with contract
    "work": [[0.03, 0.17, 0.35, 0.45], [0.02, 0.22, 0.51, 0.25], [0.02, 0.16, 0.74, 0.08]],
}
# Highest education level of adults by cohort (18–34, 35–59, 60+) × (Kinh, minority).
_EDUCATION_PROBS = {
    (0, 0): [0.01, 0.05, 0.20, 0.35, 0.10, 0.07, 0.22],
    (0, 1): [0.05, 0.15, 0.36, 0.28, 0.08, 0.03, 0.05],
    (1, 0): [0.03, 0.15, 0.35, 0.25, 0.09, 0.04, 0.09],
    (1, 1): [0.15, 0.30, 0.30, 0.15, 0.05, 0.02, 0.03],
    (2, 0): [0.08, 0.30, 0.35, 0.15, 0.06, 0.02, 0.04],
    (2, 1): [0.35, 0.35, 0.18, 0.07, 0.03, 0.01, 0.01],
}
# Household size 1..10 (10 means 10–12): shaped like the 2019 census (3.5 persons per household).
_SIZE_PROBS = {
    RURAL: [0.09, 0.18, 0.21, 0.27, 0.145, 0.065, 0.025, 0.01, 0.004, 0.001],
    URBAN: [0.11, 0.20, 0.24, 0.26, 0.115, 0.045, 0.017, 0.006, 0.004, 0.003],
    RURAL_MINORITY: [0.05, 0.11, 0.16, 0.22, 0.19, 0.12, 0.07, 0.04, 0.02, 0.02],
}
_KIND_WEIGHT = {"phuong": 1.5, "xa": 1.0, "dac_khu": 0.5}


class SynthError(ValueError):
    """Bad generator input (unknown province, household count, …)."""


@dataclass(frozen=True, slots=True)
class Commune:
    code: int
    name: str
    kind: str  # "xa" | "phuong" | "dac_khu"


@dataclass(slots=True)
class Population:
    households: pl.DataFrame
    members: pl.DataFrame


# --------------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------------


def _load_json(name: str) -> dict[str, Any]:
    text = resources.files("hongheo.registry").joinpath(f"data/{name}").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _profiles() -> dict[str, Any]:
    return _load_json("province_profiles.json")


@cache
def _birth_codes() -> dict[str, Any]:
    return _load_json("birth_registration_by_province.json")


@cache
def _names() -> dict[str, Any]:
    return _load_json("names.json")


@cache
def province_names() -> dict[int, str]:
    """Current (2025) provinces: ``{46: "Thành phố Huế", …}`` from ``vietnam_provinces``."""
    from vietnam_provinces import Province

    return {int(p.code): p.name for p in Province.iter_all()}


_KIND_OF = {"xã": "xa", "phường": "phuong", "đặc khu": "dac_khu"}


@cache
def province_communes(province_code: int) -> tuple[Commune, ...]:
    """Communes (xã / phường / đặc khu) of a current province, sorted by code."""
    from vietnam_provinces import Ward

    if province_code not in province_names():
        raise SynthError(f"unknown province code {province_code}")
    wards = Ward.iter_by_province(province_code)  # type: ignore[arg-type]
    out = [Commune(int(w.code), w.name, _KIND_OF[str(w.division_type.value)]) for w in wards]
    return tuple(sorted(out, key=lambda c: c.code))


# --------------------------------------------------------------------------------------------
# Small vectorised helpers
# --------------------------------------------------------------------------------------------


def _phi(z: np.ndarray) -> np.ndarray:
    """Logistic approximation of the standard normal CDF (error < 0.01): enough for synthetic data."""
    return 1.0 / (1.0 + np.exp(-1.702 * z))


def _corr_uniform(rng: np.random.Generator, latent: np.ndarray, rho: float) -> np.ndarray:
    """Uniforms whose rank correlates with ``latent`` (≈ standard normal) with strength ``rho``."""
    noise = rng.standard_normal(latent.shape[0], dtype=np.float32)
    return _phi(rho * latent + np.float32(np.sqrt(1.0 - rho * rho)) * noise)


def _ordered(u: np.ndarray, group: np.ndarray, probs: Sequence[Sequence[float]]) -> np.ndarray:
    """Category index per row: ``u`` against the cumulative probabilities of the row's group."""
    table = np.asarray(probs, dtype=np.float64)
    cum = np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)[:, :-1]
    out = np.zeros(u.shape[0], dtype=np.int8)
    for k in range(cum.shape[1]):
        out += u > cum[group, k]
    return out


def _draw(rng: np.random.Generator, probs: np.ndarray, n: int) -> np.ndarray:
    cum = np.cumsum(probs / probs.sum())
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), probs.size - 1)


def _uniform(rng: np.random.Generator, low: float, high: float, n: int) -> np.ndarray:
    return rng.uniform(low, high, n).astype(np.float32)


def _strings(labels: Sequence[str], index: np.ndarray) -> pl.Series:
    return pl.Series(list(labels), dtype=pl.String).gather(pl.Series(index, dtype=pl.UInt32))


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _NameTables:
    family: list[str]
    middle: list[str]
    given: list[str]
    groups: list[str]
    given_first: np.ndarray  # per group
    maternal: np.ndarray  # per group: children take the mother's family name
    family_lut: np.ndarray  # cells (group, region 0 north / 1 south) × 2**16
    middle_lut: np.ndarray  # cells (group, sex 0 male / 1 female, era) × 2**16
    given_lut: np.ndarray
    eras: list[int]
    ethnicity_group: dict[str, str]


def _weights(value: Any, width: int) -> list[float]:
    if isinstance(value, list):
        return [float(v) for v in value]
    return [float(value)] * width


@cache
def _name_tables() -> _NameTables:
    data = _names()
    groups = list(data["groups"])
    eras = list(data["eras"])
    n_eras = len(eras) + 1

    def resolve(group: str, part: str) -> dict[str, Any]:
        table = data["groups"][group][part]
        return data["groups"][table][part] if isinstance(table, str) else table

    vocab: dict[str, list[str]] = {"family": [], "middle": [], "given": []}
    for g in groups:
        vocab["family"] += resolve(g, "family")
        for part in ("middle", "given"):
            for sex in ("male", "female"):
                vocab[part] += resolve(g, f"{part}_{sex}")
    for part in vocab:
        vocab[part] = sorted(set(vocab[part]))
    idx = {part: {name: i for i, name in enumerate(words)} for part, words in vocab.items()}

    family_cum = np.zeros((len(groups), 2, len(vocab["family"])))
    middle_cum = np.zeros((len(groups), 2, n_eras, len(vocab["middle"])))
    given_cum = np.zeros((len(groups), 2, n_eras, len(vocab["given"])))
    for gi, g in enumerate(groups):
        for name, w in resolve(g, "family").items():
            family_cum[gi, :, idx["family"][name]] = _weights(w, 2)
        for part, arr in (("middle", middle_cum), ("given", given_cum)):
            for si, sex in enumerate(("male", "female")):
                for name, w in resolve(g, f"{part}_{sex}").items():
                    arr[gi, si, :, idx[part][name]] = _weights(w, n_eras)
    for table in (family_cum, middle_cum, given_cum):
        table /= table.sum(axis=-1, keepdims=True)
        np.cumsum(table, axis=-1, out=table)
    given_first = np.array([data["groups"][g]["order"] == "given_first" for g in groups])
    return _NameTables(
        family=vocab["family"],
        middle=vocab["middle"],
        given=vocab["given"],
        groups=groups,
        given_first=given_first,
        maternal=np.array([data["groups"][g].get("lineage") == "maternal" for g in groups]),
        family_lut=_lookup_table(family_cum.reshape(-1, family_cum.shape[-1])),
        middle_lut=_lookup_table(middle_cum.reshape(-1, middle_cum.shape[-1])),
        given_lut=_lookup_table(given_cum.reshape(-1, given_cum.shape[-1])),
        eras=eras,
        ethnicity_group=data["ethnicity_group"],
    )


_LUT_BITS = 16


def _lookup_table(cum: np.ndarray) -> np.ndarray:
    """Quantile lookup tables (cell × 2**16) for cumulative distributions ``cum`` (cell × vocab)."""
    grid = (np.arange(2**_LUT_BITS) + 0.5) / 2**_LUT_BITS
    lut = np.empty((cum.shape[0], grid.size), dtype=np.int32)
    for c in range(cum.shape[0]):
        lut[c] = np.minimum(np.searchsorted(cum[c], grid, side="right"), cum.shape[1] - 1)
    return lut.reshape(-1)


def _sample_cells(rng: np.random.Generator, cell: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """One vocabulary index per row from the distribution of the row's cell (resolution 2**-16)."""
    key = cell.astype(np.int64) << _LUT_BITS
    key += rng.integers(0, 2**_LUT_BITS, size=cell.shape[0], dtype=np.int64)
    return lut[key]


# --------------------------------------------------------------------------------------------
# Villages
# --------------------------------------------------------------------------------------------

_BAN_FIRST = (
    "Nà",
    "Huổi",
    "Pá",
    "Co",
    "Phiêng",
    "Nậm",
    "Bó",
    "Khau",
    "Hua",
    "Púng",
    "Pác",
    "Khuổi",
    "Lũng",
    "Tà",
    "Sín",
)
_BAN_SECOND = (
    "Lạn", "Só", "Khoang", "Mạ", "Pục", "Lếch", "Mòn", "Xa", "Cang", "Hịa", "Pậu", "Chải", "Chang",
    "Kham", "Hon", "Pin", "Mo", "Sản", "Phìn", "Luông",
)  # fmt: skip
_HIGHLAND_WORDS = (
    "Kmrơng", "Tơ Nia", "Ea Bông", "Dơk", "Krông", "Ktang", "Ngol", "Jut", "Bông", "Ja", "Brêng",
    "Kon Hra", "Mơ Nú", "Ea Sar", "Plei Ơi", "Tơ Lơ",
)  # fmt: skip
_SOUTH_WORDS = (
    "Tân Hòa", "Phú Lợi", "Bình An", "Long Thạnh", "Mỹ Phước", "Vĩnh Hòa", "An Thới", "Hòa Lộc",
    "Thạnh Lợi", "Phước Hưng", "Tân Lập", "Bình Thành", "Khánh Hưng", "Hưng Thạnh", "Mỹ Hòa", "Tân Phú",
)  # fmt: skip
_NORTH_WORDS = (
    "Đông", "Tây", "Nam", "Bắc", "Thượng", "Hạ", "Trung", "Đoài", "An Phú", "Phú Xuân", "Lộc Hà",
    "Yên Thịnh", "Đại Đồng", "Hòa Bình", "Thanh Xuân", "Phú Mỹ",
)  # fmt: skip


def _village_names(
    rng: np.random.Generator, kind: str, region: str, mountain: bool, minority: float, n: int
) -> list[str]:
    south = region in {"southeast", "mekong_delta"}
    numbered = [f"{{}} {i}" for i in range(1, n + 1)]
    if kind == "phuong":
        prefix = "Khu phố" if south else "Tổ dân phố"
        return [f.format(prefix) for f in numbered]
    if kind == "dac_khu":
        return [f.format("Khu phố" if south else "Thôn") for f in numbered]
    words: list[str] = []
    if region == "northern_mountains" and (mountain or minority > 0.5) and minority > 0.4:
        pairs = [f"Bản {a} {b}" for a in _BAN_FIRST for b in _BAN_SECOND]
        words = [pairs[i] for i in rng.choice(len(pairs), size=min(n, len(pairs)), replace=False)]
    elif region == "central_highlands" and minority > 0.4:
        words = [f"{'Buôn' if rng.random() < 0.5 else 'Làng'} {w}" for w in _HIGHLAND_WORDS]
    elif south:
        words = [f"Ấp {w}" for w in _SOUTH_WORDS] if rng.random() < 0.4 else []
        if minority > 0.3:
            words = [
                f"Sóc {w}" for w in ("Tro", "Ruộng", "Chùa", "Mới", "Xoài", "Dừa", "Cụt", "Rừng")
            ] + words
    else:
        words = [f"Thôn {w}" for w in _NORTH_WORDS] if rng.random() < 0.4 else []
    base = "Ấp" if south else "Thôn"
    if words:
        rng.shuffle(words)
    names = list(dict.fromkeys(words))[:n]
    names += [f"{base} {i}" for i in range(1, n - len(names) + 1)]
    return names


# --------------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _CommuneTable:
    communes: list[Commune]
    urban: np.ndarray
    weight: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    minority_share: np.ndarray
    dominant: np.ndarray  # index into the province's minority list
    birth_code: np.ndarray
    effect: np.ndarray
    village_offset: np.ndarray
    village_count: np.ndarray
    village_names: list[str]
    village_address: list[str]
    village_lat: np.ndarray
    village_lon: np.ndarray


def _commune_table(
    rng: np.random.Generator,
    province_code: int,
    communes: list[Commune],
    profile: dict[str, Any],
    minority_probs: np.ndarray,
) -> _CommuneTable:
    n = len(communes)
    kinds = [c.kind for c in communes]
    urban = np.array([k == "phuong" for k in kinds])
    weight = np.array([_KIND_WEIGHT[k] for k in kinds]) * rng.lognormal(0.0, 0.45, n)
    lat0, lon0 = profile["centroid"]
    dlat, dlon = profile["half_extent"]
    lat = lat0 + rng.uniform(-0.85, 0.85, n) * dlat
    lon = lon0 + rng.uniform(-0.85, 0.85, n) * dlon
    kinh = profile["ethnicity"].get("Kinh", 0.0) / sum(profile["ethnicity"].values())
    p_min = 1.0 - kinh
    mean = np.where(urban, p_min * 0.35, np.minimum(0.97, p_min * 1.12))
    share = np.where(mean > 0.002, rng.beta(np.maximum(mean, 1e-3) * 3, np.maximum(1 - mean, 1e-3) * 3), mean)
    dominant = _draw(rng, minority_probs, n) if minority_probs.size else np.zeros(n, dtype=np.int64)
    olds = _birth_codes()["provinces"][f"{province_code:02d}"]
    old_codes = np.array([int(o["code"]) for o in olds])
    old_w = np.array([float(o["weight"]) for o in olds])
    birth_code = old_codes[_draw(rng, old_w, n)]
    effect = rng.normal(0.0, 0.15, n)
    province_name = province_names()[province_code]
    counts = np.where(
        urban,
        rng.integers(8, 31, n),
        np.where(np.array(kinds) == "dac_khu", rng.integers(4, 13, n), rng.integers(6, 23, n)),
    )
    names: list[str] = []
    addresses: list[str] = []
    for i, c in enumerate(communes):
        village = _village_names(
            rng, c.kind, profile["region"], profile["mountain"], float(share[i]), int(counts[i])
        )
        names += village
        addresses += [f"{v}, {c.name}, {province_name}" for v in village]
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    commune_of_village = np.repeat(np.arange(n), counts)
    v_lat = lat[commune_of_village] + rng.normal(0, 0.02, commune_of_village.size)
    v_lon = lon[commune_of_village] + rng.normal(0, 0.02, commune_of_village.size)
    return _CommuneTable(
        communes,
        urban,
        weight,
        lat,
        lon,
        share,
        dominant,
        birth_code,
        effect,
        offsets,
        counts,
        names,
        addresses,
        v_lat,
        v_lon,
    )


def _check_inputs(province_code: int, households: int, communes: int | None) -> None:
    if province_code not in province_names():
        valid = ", ".join(f"{c:02d}" for c in sorted(province_names()))
        raise SynthError(
            f"unknown province code {province_code}; valid codes (34 provinces since 2025): {valid}"
        )
    if households <= 0:
        raise SynthError("the number of households must be at least 1")
    if communes is not None and communes <= 0:
        raise SynthError("the number of communes must be at least 1")


def generate_population(
    province_code: int,
    households: int,
    *,
    seed: int = 0,
    communes: int | None = None,
    as_of: date = DEFAULT_AS_OF,
) -> Population:
    """Generate ``households`` synthetic households of one current province (deterministic per seed).

    ``communes`` limits the population to that many real communes of the province, chosen with the
    seed; by default all communes are used. Ages are computed at ``as_of``.
    """
    _check_inputs(province_code, households, communes)
    rng = np.random.default_rng(seed)
    profile = _profiles()["provinces"][f"{province_code:02d}"]
    all_communes = list(province_communes(province_code))
    if communes is not None and communes < len(all_communes):
        chosen = np.sort(rng.choice(len(all_communes), size=communes, replace=False))
        all_communes = [all_communes[i] for i in chosen]

    ethnic = profile["ethnicity"]
    minorities = [e for e in ethnic if e != "Kinh"]
    minority_probs = np.array([ethnic[e] for e in minorities], dtype=np.float64)
    ethnicities = ["Kinh", *minorities]
    ct = _commune_table(rng, province_code, all_communes, profile, minority_probs)

    # ---- households -> communes, villages -------------------------------------------------
    H = households
    per_commune = rng.multinomial(H, ct.weight / ct.weight.sum())
    if per_commune.max() > MAX_SEQ:
        raise SynthError(
            f"too many households for one commune ({per_commune.max()} > {MAX_SEQ}); use more communes"
        )
    hc = np.repeat(np.arange(len(all_communes)), per_commune)
    seq = np.arange(H) - np.repeat(np.cumsum(per_commune) - per_commune, per_commune) + 1
    village = ct.village_offset[hc] + (rng.random(H) * ct.village_count[hc]).astype(np.int64)
    urban = ct.urban[hc]

    # ---- ethnicity ----------------------------------------------------------------------------
    minority = rng.random(H) < ct.minority_share[hc]
    if minorities:
        own = _draw(rng, minority_probs, H)
        use_dominant = rng.random(H) < 0.6
        eth = np.where(minority, 1 + np.where(use_dominant, ct.dominant[hc], own), 0)
    else:
        minority[:] = False
        eth = np.zeros(H, dtype=np.int64)
    group = np.where(urban, URBAN, np.where(minority, RURAL_MINORITY, RURAL)).astype(np.int8)

    # ---- size and structure --------------------------------------------------------------------
    size_cum = np.cumsum(np.array([_SIZE_PROBS[g] for g in (URBAN, RURAL, RURAL_MINORITY)]), axis=1)
    size_cum /= size_cum[:, -1:]
    u = rng.random(H)
    size = np.ones(H, dtype=np.int64)
    for k in range(9):
        size += u > size_cum[group, k]
    size = np.where(size == 10, rng.integers(10, 13, H), size)

    female_head_p = np.where(urban, 0.32, np.where(minority, 0.14, 0.26))
    single = size == 1
    has_spouse = (size >= 2) & (rng.random(H) < np.where(size == 2, 0.78, 0.88))
    elder = (size >= 4) & (rng.random(H) < np.where(minority, 0.18, 0.26))
    rest = size - 1 - has_spouse
    u = rng.random(H)
    n_par = np.where(u < 0.05, 2, np.where(u < 0.15, 1, 0))
    n_par = np.where(elder, 0, np.minimum(n_par, rest))
    n_desc = rest - n_par
    female_head = rng.random(H) < np.where(has_spouse, female_head_p * 0.6, female_head_p * 1.6)

    head_age = rng.normal(46, 11, H).astype(np.float32)
    old_single = single & (rng.random(H) < 0.5)
    head_age = np.where(
        single, np.where(old_single, _uniform(rng, 62, 92, H), _uniform(rng, 20, 60, H)), head_age
    )
    female_head = np.where(old_single, rng.random(H) < 0.7, female_head)
    couple_only = (size == 2) & has_spouse
    head_age = np.where(
        couple_only,
        np.where(rng.random(H) < 0.5, _uniform(rng, 22, 36, H), _uniform(rng, 55, 85, H)),
        head_age,
    )
    head_age = np.where(elder, _uniform(rng, 56, 82, H), head_age)
    head_age = np.where(n_par > 0, _uniform(rng, 24, 52, H), head_age)
    room = 21 + 2.2 * n_desc + _uniform(rng, 0, 4, H)
    head_age = np.where((n_desc > 0) & ~elder, np.maximum(head_age, room), head_age)
    head_age = np.clip(head_age, 19, 95)
    spouse_age = np.clip(head_age + np.where(female_head, 3, -3) + rng.normal(0, 3, H), 18, 100)
    mother_age = np.where(female_head, head_age, np.where(has_spouse, spouse_age, head_age - 2))
    first_child = np.maximum(mother_age - _uniform(rng, 20, 31, H), 0)
    gap = np.minimum(_uniform(rng, 1.5, 4.5, H), first_child / np.maximum(n_desc - 1, 1))
    adult_child = np.maximum(mother_age - _uniform(rng, 22, 32, H), 18)
    inlaw = n_desc >= 3
    n_gc = n_desc - np.where(inlaw, 2, 1)
    first_gc = np.maximum(adult_child - _uniform(rng, 20, 30, H), 0)
    gc_gap = np.minimum(_uniform(rng, 1.5, 4.5, H), first_gc / np.maximum(n_gc - 1, 1))
    u = rng.random(H)
    sib_last = ~elder & (n_desc >= 1) & (u < 0.04)
    other_last = ~elder & (n_desc >= 2) & (u >= 0.04) & (u < 0.06)
    father_age = np.clip(head_age + _uniform(rng, 22, 34, H), 40, 103)

    # ---- members -----------------------------------------------------------------------------
    M = int(size.sum())
    hh = np.repeat(np.arange(H), size)
    start = np.cumsum(size) - size
    pos = np.arange(M) - start[hh]
    sp = has_spouse[hh].astype(np.int64)
    npar = n_par[hh]
    r = pos - 1 - sp - npar  # index among descendants
    nd = n_desc[hh]
    eld = elder[hh]
    rel = np.full(M, CHILD, dtype=np.int8)
    rel[pos == 0] = HEAD
    rel[(pos == 1) & (sp == 1)] = SPOUSE
    rel[(pos >= 1 + sp) & (pos < 1 + sp + npar)] = PARENT
    desc = r >= 0
    rel[desc & eld & (r >= 1)] = GRANDCHILD
    rel[desc & eld & (r == 1) & inlaw[hh]] = OTHER
    last = desc & (r == nd - 1)
    rel[last & sib_last[hh]] = SIBLING
    rel[last & other_last[hh]] = OTHER

    ix = {k: np.flatnonzero(rel == k) for k in range(len(RELATIONS))}
    age = np.empty(M, dtype=np.float32)
    age[ix[HEAD]] = head_age
    rows = ix[SPOUSE]
    age[rows] = spouse_age[hh[rows]]
    rows = ix[CHILD]
    rh = hh[rows]
    age[rows] = first_child[rh] - np.maximum(r[rows], 0) * gap[rh] + rng.random(rows.size) - 0.5
    rows = rows[elder[rh]]  # the adult child in a three-generation household
    age[rows] = adult_child[hh[rows]]
    rows = ix[PARENT]
    rh = hh[rows]
    second_parent = (n_par[rh] == 2) & (pos[rows] - 1 - has_spouse[rh] == 1)
    age[rows] = father_age[rh] - 3 * second_parent
    parent_female = np.where(n_par[rh] == 2, second_parent, rng.random(rows.size) < 0.75)
    rows = ix[GRANDCHILD]
    rh = hh[rows]
    gi = r[rows] - np.where(inlaw[rh], 2, 1)
    age[rows] = first_gc[rh] - np.maximum(gi, 0) * gc_gap[rh] + rng.random(rows.size) - 0.5
    rows = ix[OTHER]
    rh = hh[rows]
    age[rows] = np.where(
        elder[rh], adult_child[rh] + rng.normal(0, 3, rows.size), rng.uniform(15, 70, rows.size)
    )
    inlaw_rows = rows[elder[rh] & inlaw[rh]]
    rows = ix[SIBLING]
    age[rows] = np.maximum(head_age[hh[rows]] + rng.normal(0, 6, rows.size), 15)
    np.clip(age, 0.0, 104.0, out=age)
    age += rng.random(M, dtype=np.float32) * np.float32(0.999)
    age_int = age.astype(np.int16)

    female = rng.random(M) < 0.487
    female[ix[HEAD]] = female_head
    rows = ix[SPOUSE]
    female[rows] = ~female_head[hh[rows]]
    female[ix[PARENT]] = parent_female
    female[inlaw_rows] = ~female[inlaw_rows - 1]  # the in-law follows the adult child

    as_of_day = np.datetime64(as_of, "D").astype(np.int64)
    dob_days = as_of_day - np.floor(age.astype(np.float64) * 365.2425).astype(np.int64)
    dob_series = pl.Series("date_of_birth", dob_days.astype(np.int32)).cast(pl.Date)
    birth_year = dob_series.dt.year().to_numpy().astype(np.int64)

    # ---- names --------------------------------------------------------------------------------
    nt = _name_tables()
    group_of_eth = np.array([nt.groups.index(nt.ethnicity_group.get(e, "kinh")) for e in ethnicities])
    name_group = group_of_eth[eth][hh]
    south = int(profile["region"] not in {"northern_mountains", "red_river_delta"} and province_code >= 44)
    era = np.searchsorted(np.array(nt.eras), birth_year, side="right")
    n_eras = len(nt.eras) + 1
    fam = _sample_cells(rng, name_group * 2 + south, nt.family_lut)
    sex_cell = (name_group * 2 + female) * n_eras + era
    mid = _sample_cells(rng, sex_cell, nt.middle_lut)
    giv = _sample_cells(rng, sex_cell, nt.given_lut)
    head_fam = fam[start]
    spouse_fam = fam[np.minimum(start + 1, M - 1)]
    maternal = nt.maternal[group_of_eth[eth]]
    line_fam = np.where((female_head != maternal) & has_spouse, spouse_fam, head_fam)
    for rows in (ix[CHILD], ix[GRANDCHILD]):
        fam[rows] = line_fam[hh[rows]]
    for rows in (ix[SIBLING], ix[PARENT][~female[ix[PARENT]]]):
        fam[rows] = head_fam[hh[rows]]

    # ---- personal IDs --------------------------------------------------------------------------
    national = _birth_codes()["national_weights"]
    nat_codes = np.array([int(c) for c in national])
    nat_w = np.array(list(national.values()), dtype=np.float64)
    migrant_p = float(profile["migrant_share"]) * np.where((rel == SPOUSE) | (rel == OTHER), 2.0, 1.0)
    migrant = rng.random(M) < migrant_p
    birth_codes = np.where(migrant, nat_codes[_draw(rng, nat_w, M)], ct.birth_code[hc][hh])
    id_ints = make_personal_id_ints(rng, birth_codes, birth_year, female)
    del birth_codes, migrant

    # ---- living standard ---------------------------------------------------------------------
    w = rng.standard_normal(H).astype(np.float32)
    shift = float(profile["income_shift"])
    wz = w + np.float32(1.2 * shift)
    gm = group[hh]
    wm = wz[hh]
    minority_m = minority[hh]

    insured_p = np.where(age_int < 6, 0.995, np.array([0.92, 0.90, 0.96])[gm])
    health_insurance = _corr_uniform(rng, wm, 0.2) > 1 - insured_p

    school_p = np.zeros(M, dtype=np.float32)
    for lo, hi, probs in (
        (3, 6, (0.93, 0.88, 0.80)),
        (6, 11, (0.995, 0.99, 0.97)),
        (11, 15, (0.98, 0.96, 0.88)),
        (15, 18, (0.90, 0.78, 0.60)),
        (18, 23, (0.45, 0.25, 0.08)),
    ):
        band = (age_int >= lo) & (age_int < hi)
        school_p = np.where(band, np.array(probs, dtype=np.float32)[gm], school_p)
    in_school = _corr_uniform(rng, wm, 0.4) > 1 - school_p

    edu_u = _corr_uniform(rng, wm + np.where(gm == URBAN, 0.5, 0.0).astype(np.float32), 0.5)
    cohort = np.where(age_int < 35, 0, np.where(age_int < 60, 1, 2))
    edu_group = cohort * 2 + minority_m
    edu_table = [_EDUCATION_PROBS[(c, m)] for c in range(3) for m in range(2)]
    education = _ordered(edu_u, edu_group, edu_table)
    education = np.where(age_int < 11, 0, education)
    education = np.where(
        (age_int >= 11) & (age_int < 15), np.where(in_school | (edu_u > 0.1), 1, 0), education
    )
    education = np.where(
        (age_int >= 15) & (age_int < 18), np.where(in_school, 2, np.where(edu_u > 0.15, 1, 0)), education
    )
    education = np.where((age_int >= 18) & (age_int < 21), np.minimum(education, 4), education).astype(
        np.int8
    )
    has_qualification = (education >= 4) | ((education == 3) & (age_int >= 18) & (rng.random(M) < 0.08))

    dis_p = np.where(age_int < 16, 0.012, np.where(age_int < 60, 0.03, np.where(age_int < 75, 0.10, 0.25)))
    disability = rng.random(M) < dis_p
    disability_allowance = disability & (rng.random(M) < 0.35)

    work_u = _corr_uniform(rng, wm + np.where(has_qualification, 0.8, 0.0).astype(np.float32), 0.4)
    employment = _ordered(work_u, gm, _GROUP_PROBS["work"])
    working_age = (age_int >= 18) & (age_int < np.where(female, 58, 61))
    lf_p = np.where(working_age, np.where(female, 0.80, 0.88), 0.0)
    lf_p = np.where(working_age & disability, 0.35, lf_p)
    lf_p = np.where((age_int >= 15) & (age_int < 18), 0.7, lf_p)
    lf_p = np.where(~working_age & (age_int >= 58) & (age_int < 75), 0.35, lf_p)
    lf_p = np.where(age_int >= 75, 0.08, lf_p)
    lf_p = np.where(in_school, 0.0, lf_p)
    in_lf = rng.random(M) < lf_p
    older = (age_int >= 58) & ~working_age
    employment = np.where(older & (employment == 3), 2, employment)  # few contracts after retirement
    employment = np.where(in_lf, employment, NILF).astype(np.int8)

    under_p = np.where(age_int < 5, np.array([0.10, 0.15, 0.28])[gm], np.array([0.04, 0.07, 0.18])[gm])
    undernourished = (age_int < 16) & (_corr_uniform(rng, wm, 0.4) < under_p)
    del wm

    # ---- household amenities -------------------------------------------------------------------
    housing = _ordered(_corr_uniform(rng, wz, 0.6), group, _GROUP_PROBS["housing"])
    water = _ordered(_corr_uniform(rng, wz, 0.5), group, _GROUP_PROBS["water"])
    toilet = _ordered(_corr_uniform(rng, wz, 0.6), group, _GROUP_PROBS["toilet"])
    waste = _ordered(_corr_uniform(rng, wz, 0.4), group, _GROUP_PROBS["waste"])
    min_age = _group_min(age_int, hh, H)
    elderly_only = min_age >= 65
    internet_p = np.array([0.95, 0.87, 0.68])[group] * np.where(elderly_only, 0.5, 1.0)
    internet = _corr_uniform(rng, wz, 0.5) > 1 - internet_p
    devices = np.zeros(H, dtype=np.int64)
    for probs in ((0.92, 0.90, 0.75), (0.92, 0.85, 0.70), (0.45, 0.18, 0.05), (0.06, 0.07, 0.08)):
        p = np.array(probs)[group]
        devices += _corr_uniform(rng, wz, 0.5) > 1 - p
    per_capita_area = rng.lognormal(np.log(24.0) + 0.25 * wz - np.where(urban, 0.15, 0.0), 0.42)
    floor_area = np.round(per_capita_area * size**0.92 * 2) / 2
    floor_area = np.maximum(floor_area, 6.0)

    # ---- income -------------------------------------------------------------------------------
    employed = (employment != NILF) & (employment != 0)
    emp_share = np.bincount(hh, weights=employed, minlength=H) / size
    ln_income = (
        np.log(float(_profiles()["rural_median_income"]))
        + shift
        + np.where(urban, 0.42, 0.0)
        - np.where(minority, 0.3, 0.0)
        + ct.effect[hc]
        + 0.5 * w
        + rng.normal(0, 0.15, H)
        - 0.06 * (size - 3.5)
        + 0.3 * (emp_share - 0.5)
    )
    income = (np.round(np.exp(ln_income) / 1000) * 1000).astype(np.int64)
    income = np.maximum(income, 100_000)

    allowance_h = np.bincount(hh, weights=disability_allowance, minlength=H) > 0
    very_old = np.bincount(hh, weights=age_int >= 80, minlength=H) > 0
    social_protection = allowance_h | (very_old & (rng.random(H) < 0.85)) | (rng.random(H) < 0.01)
    merit = rng.random(H) < np.where(head_age >= 65, 0.08, 0.025)

    hh_lat = ct.village_lat[village] + rng.normal(0, 0.004, H)
    hh_lon = ct.village_lon[village] + rng.normal(0, 0.004, H)
    lat0, lon0 = profile["centroid"]
    dlat, dlon = profile["half_extent"]
    hh_lat = np.clip(hh_lat, lat0 - dlat, lat0 + dlat)
    hh_lon = np.clip(hh_lon, lon0 - dlon, lon0 + dlon)

    # ---- frames --------------------------------------------------------------------------------
    commune_codes = np.array([c.code for c in all_communes], dtype=np.int64)
    hid_int = province_code * 10**11 + commune_codes[hc] * 10**6 + seq
    household_id = pl.Series(hid_int).cast(pl.String).str.zfill(13)
    personal_id = pl.Series(id_ints).cast(pl.String).str.zfill(12)
    kinds = ("xa", "phuong", "dac_khu")
    commune_kind_idx = np.array([kinds.index(c.kind) for c in all_communes])

    households_df = pl.DataFrame(
        {
            "household_id": household_id,
            "province_code": np.full(H, province_code, dtype=np.int64),
            "commune_code": commune_codes[hc],
            "commune_name": _strings([c.name for c in all_communes], hc),
            "commune_kind": _strings(kinds, commune_kind_idx[hc]),
            "village_name": _strings(ct.village_names, village),
            "area": _strings(("rural", "urban"), urban.astype(np.int64)),
            "address": _strings(ct.village_address, village),
            "head_personal_id": personal_id.gather(pl.Series(start, dtype=pl.UInt32)),
            "size": size,
            "ethnic_minority": minority,
            "female_head": female_head,
            "merit": merit,
            "social_protection": social_protection,
            "housing_quality": _strings(HOUSING, housing),
            "floor_area_m2": floor_area.astype(np.float64),
            "water_source": _strings(WATER, water),
            "toilet": _strings(TOILET, toilet),
            "waste_handling": _strings(WASTE, waste),
            "internet": internet,
            "information_devices": devices,
            "income_per_capita": income,
            "latitude": np.round(hh_lat, 6),
            "longitude": np.round(hh_lon, 6),
        },
        schema=HOUSEHOLD_SCHEMA,
    )

    family_s = _strings(nt.family, fam)
    middle_s = _strings(nt.middle, mid)
    given_s = _strings(nt.given, giv)
    given_first = pl.Series(nt.given_first[name_group])
    members_df = pl.DataFrame(
        {
            "personal_id": personal_id,
            "household_id": household_id.gather(pl.Series(hh, dtype=pl.UInt32)),
            "family_name": family_s,
            "middle_name": middle_s,
            "given_name": given_s,
            "_given_first": given_first,
            "sex": _strings(("male", "female"), female.astype(np.int64)),
            "date_of_birth": dob_series,
            "relation_to_head": _strings(RELATIONS, rel),
            "ethnicity": _strings(ethnicities, eth[hh]),
            "health_insurance": health_insurance,
            "in_school": in_school,
            "education_level": _strings(EDUCATION, education),
            "has_qualification": has_qualification,
            "employment": _strings(EMPLOYMENT, employment),
            "disability": disability,
            "disability_allowance": disability_allowance,
            "undernourished": undernourished,
        }
    )
    middle_part = pl.when(pl.col("middle_name") == "").then(pl.lit("")).otherwise(pl.col("middle_name") + " ")
    full_name = (
        pl.when(pl.col("_given_first"))
        .then(pl.concat_str([middle_part, pl.col("given_name"), pl.lit(" "), pl.col("family_name")]))
        .otherwise(pl.concat_str([pl.col("family_name"), pl.lit(" "), middle_part, pl.col("given_name")]))
    )
    members_df = members_df.with_columns(full_name=full_name).select(list(MEMBER_SCHEMA))
    return Population(households_df, members_df.cast(MEMBER_SCHEMA))  # type: ignore[arg-type]


def _group_min(values: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Minimum of ``values`` per group, for groups stored contiguously in order."""
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    out = np.full(n, np.iinfo(np.int16).max, dtype=np.int16)
    out[groups[starts]] = np.minimum.reduceat(values, starts)
    return out


# --------------------------------------------------------------------------------------------
# Summary and output
# --------------------------------------------------------------------------------------------


def income_poor_share(households: pl.DataFrame) -> float:
    """Share of households at or below the 2022–2025 income line of their area (0–1)."""
    if households.height == 0:
        return 0.0
    line = (
        pl.when(pl.col("area") == "urban")
        .then(INCOME_LINES_2022_2025["urban"])
        .otherwise(INCOME_LINES_2022_2025["rural"])
    )
    return float(households.select((pl.col("income_per_capita") <= line).mean()).item())


def write_population(population: Population, out_dir: Path, fmt: str = "parquet") -> tuple[Path, Path]:
    """Write ``households.<ext>`` and ``members.<ext>`` atomically (temp files, then rename)."""
    if fmt not in {"parquet", "csv"}:
        raise SynthError(f"unknown format {fmt!r} (parquet or csv)")
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = {name: out_dir / f"{name}.{fmt}" for name in ("households", "members")}
    temps: dict[str, Path] = {}
    umask = os.umask(0)
    os.umask(umask)
    try:
        for name, frame in (("households", population.households), ("members", population.members)):
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=f".{fmt}.tmp", dir=out_dir)
            os.close(fd)
            temps[name] = Path(tmp_name)
            if fmt == "parquet":
                frame.write_parquet(temps[name], compression="zstd", compression_level=1)
            else:
                frame.write_csv(temps[name])
            os.chmod(temps[name], 0o666 & ~umask)
        for name, tmp in temps.items():
            os.replace(tmp, targets[name])
    except BaseException:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        raise
    return targets["households"], targets["members"]
