"""Synthetic population extract and registry with realistic noise, for the bench and the tests.

The population comes from :func:`hongheo.registry.synth.generate_population` (real communes, names
and structurally valid ID numbers). The registry is drawn from it, household by household, and
noised the way registries disagree with the police's records:

* 10 % of ID numbers missing, one digit wrong, or two adjacent digits swapped;
* names without diacritics (25 %), with a one-letter typo (4 %), a left-out middle name (5 %),
  written given-name first (2 %);
* dates of birth with day and month swapped (3 %), year only (5 %), year off by one (2 %);
* moved to another commune (5 %);
* 1 % of people registered a second time in another household; 3 % not in the extract at all.

Pure: no Django. ``truth`` maps each ``registry_row`` to the true ``person_id`` (null when the
person is not in the extract).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from hongheo.registry.synth import generate_population

PROVINCE = 46  # Thành phố Huế
MEMBERS_PER_HOUSEHOLD = 3.45
LETTERS = "abcdeghiklmnopqrstuvxy"


@dataclass(slots=True)
class LinkageData:
    population: pl.DataFrame  # POP columns of the command line contract
    registry: pl.DataFrame  # REG columns
    truth: pl.DataFrame  # registry_row, person_id (null: not in the extract)


@dataclass(frozen=True, slots=True)
class Noise:
    pid: float = 0.10
    no_diacritics: float = 0.25
    name_typo: float = 0.04
    no_middle: float = 0.05
    given_first: float = 0.02
    dob_swapped: float = 0.03
    dob_year_only: float = 0.05
    dob_year_off: float = 0.02
    moved_commune: float = 0.05
    duplicates: float = 0.01
    not_in_extract: float = 0.03
    deceased: float = 0.015
    moved_away: float = 0.01


def _strip_marks(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.normalize("NFD")
        .str.replace_all(r"\p{M}", "")
        .str.replace_all("đ", "d", literal=True)
        .str.replace_all("Đ", "D", literal=True)
    )


def _typo(rng: np.random.Generator, names: list[str]) -> list[str]:
    out = []
    for name in names:
        positions = [i for i, c in enumerate(name) if c.isalpha()]
        i = positions[int(rng.integers(len(positions)))] if positions else 0
        c = LETTERS[int(rng.integers(len(LETTERS)))]
        if positions and name[i].lower() == c:
            c = "z"
        out.append(name[:i] + c + name[i + 1 :] if positions else name)
    return out


def _pid_noise(rng: np.random.Generator, pids: list[str]) -> list[str | None]:
    out: list[str | None] = []
    for pid in pids:
        u = rng.random()
        if u < 0.4:
            out.append(None)
        elif u < 0.75:
            i = int(rng.integers(12))
            d = str((int(pid[i]) + 1 + int(rng.integers(9))) % 10)
            out.append(pid[:i] + d + pid[i + 1 :])
        else:
            choices = [i for i in range(11) if pid[i] != pid[i + 1]] or [0]
            i = choices[int(rng.integers(len(choices)))]
            out.append(pid[:i] + pid[i + 1] + pid[i] + pid[i + 2 :])
    return out


def make_linkage_data(
    population_size: int, registry_size: int, *, seed: int = 0, noise: Noise | None = None
) -> LinkageData:
    """A population extract of ``population_size`` persons and a registry of ``registry_size`` rows."""
    noise = noise or Noise()
    if registry_size > population_size:
        raise ValueError("the registry cannot be larger than the population")
    rng = np.random.default_rng(seed + 1)
    outside = round(registry_size * noise.not_in_extract)
    want = population_size + outside
    pop = generate_population(PROVINCE, int(want / MEMBERS_PER_HOUSEHOLD * 1.02) + 10, seed=seed)
    members = pop.members.join(
        pop.households.select("household_id", "commune_code"), on="household_id", how="left"
    ).head(want)
    members = members.with_row_index("idx").with_columns(
        person_id=pl.format("P{}", pl.col("idx") + 1),
        in_extract=pl.col("idx") < population_size,
    )
    communes = members.get_column("commune_code").unique().sort().to_numpy()

    # ---- the extract ------------------------------------------------------------------------
    n = population_size
    u = rng.random(n)
    status = np.where(
        u < noise.deceased, "deceased", np.where(u < noise.deceased + noise.moved_away, "moved", "alive")
    )
    extract = members.filter(pl.col("in_extract"))
    population = extract.select(
        "person_id",
        "personal_id",
        "full_name",
        pl.col("date_of_birth").dt.to_string("%Y-%m-%d").alias("dob"),
        pl.when(pl.col("sex") == "female").then(pl.lit("Nữ")).otherwise(pl.lit("Nam")).alias("sex"),
        pl.col("commune_code").cast(pl.String),
        pl.col("household_id").alias("residence_household_no"),
        pl.Series("status", status),
    )

    # ---- registry: whole households of the extract, plus people outside it -------------------
    inside_n = registry_size - outside - round(registry_size * noise.duplicates)
    hh = extract.group_by("household_id", maintain_order=True).len()
    order = rng.permutation(hh.height)
    sizes = hh.get_column("len").to_numpy()[order]
    take = order[: int(np.searchsorted(np.cumsum(sizes), inside_n)) + 1]
    chosen = set(hh.get_column("household_id").gather(take).to_list())
    reg = extract.filter(pl.col("household_id").is_in(chosen)).head(inside_n)
    reg = pl.concat([reg, members.filter(~pl.col("in_extract")).head(outside)])
    dups_n = registry_size - reg.height
    if dups_n > 0:
        dup = reg.filter(pl.col("in_extract")).sample(dups_n, seed=seed)
        other = reg.get_column("household_id").sample(dups_n, seed=seed + 7, with_replacement=True)
        dup = dup.with_columns(household_id=other.alias("household_id"))
        reg = pl.concat([reg, dup])
    reg = reg.sample(fraction=1.0, shuffle=True, seed=seed).head(registry_size)
    m = reg.height

    # ---- noise ---------------------------------------------------------------------------------
    def pick(p: float) -> np.ndarray:
        return rng.random(m) < p

    full = reg.get_column("full_name").to_list()
    family = reg.get_column("family_name").to_list()
    middle = reg.get_column("middle_name").to_list()
    given = reg.get_column("given_name").to_list()
    names = list(full)
    for i in np.flatnonzero(pick(noise.no_middle)):
        if middle[i] and names[i].startswith(family[i]):
            names[i] = f"{family[i]} {given[i]}"
    for i in np.flatnonzero(pick(noise.given_first)):
        if middle[i] and names[i].startswith(family[i]):
            names[i] = f"{middle[i]} {given[i]} {family[i]}"
    typo_rows = np.flatnonzero(pick(noise.name_typo))
    for i, t in zip(typo_rows, _typo(rng, [names[i] for i in typo_rows]), strict=True):
        names[i] = t
    name_s = pl.Series("full_name", names)
    strip = pl.Series(pick(noise.no_diacritics))
    name_s = pl.select(
        pl.when(strip).then(_strip_marks(pl.lit(name_s))).otherwise(pl.lit(name_s))
    ).to_series()

    pids = reg.get_column("personal_id").to_list()
    pid_rows = np.flatnonzero(pick(noise.pid))
    for i, p in zip(pid_rows, _pid_noise(rng, [pids[i] for i in pid_rows]), strict=True):
        pids[i] = p

    dob = reg.get_column("date_of_birth")
    y = dob.dt.year().to_numpy().astype(np.int64)
    mo = dob.dt.month().to_numpy().astype(np.int64)
    d = dob.dt.day().to_numpy().astype(np.int64)
    u = rng.random(m)
    off = (u < noise.dob_year_off) & ~((mo == 2) & (d == 29))
    y = np.where(off, y + np.where(rng.random(m) < 0.5, -1, 1), y)
    swapped = (u >= noise.dob_year_off) & (u < noise.dob_year_off + noise.dob_swapped)
    year_only = (u >= noise.dob_year_off + noise.dob_swapped) & (
        u < noise.dob_year_off + noise.dob_swapped + noise.dob_year_only
    )
    first = np.where(swapped, d, mo)
    second = np.where(swapped, mo, d)
    dob_text = [
        f"{yy:04d}" if yo else f"{yy:04d}-{a:02d}-{b:02d}"
        for yy, a, b, yo in zip(y.tolist(), first.tolist(), second.tolist(), year_only.tolist(), strict=True)
    ]

    commune = reg.get_column("commune_code").to_numpy()
    moved = pick(noise.moved_commune)
    commune = np.where(moved, communes[rng.integers(0, len(communes), m)], commune)

    registry = pl.DataFrame(
        {
            "registry_row": [f"R{i + 1}" for i in range(m)],
            "household_code": reg.get_column("household_id"),
            "personal_id": pl.Series(pids, dtype=pl.String),
            "full_name": name_s,
            "dob": dob_text,
            "sex": np.where(reg.get_column("sex").to_numpy() == "female", "Nữ", "Nam"),
            "commune_code": pl.Series(commune).cast(pl.String),
        }
    )
    truth = pl.DataFrame(
        {
            "registry_row": registry.get_column("registry_row"),
            "person_id": reg.select(pl.when(pl.col("in_extract")).then(pl.col("person_id"))).to_series(),
        }
    )
    return LinkageData(population=population, registry=registry, truth=truth)
