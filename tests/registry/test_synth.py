"""Synthetic population: schema, structure, IDs, names, realism bounds, CLI behaviour."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from hongheo.cli import main
from hongheo.core.ids import validate_personal_id
from hongheo.registry.synth import (
    HOUSEHOLD_SCHEMA,
    MEMBER_SCHEMA,
    Population,
    SynthError,
    generate_population,
    income_poor_share,
    province_communes,
)

# "Anh" is also a common given name, so it is checked only where it would be a title: first word.
HONORIFICS = {"Cô", "Bác", "Chú", "Chị", "Ông", "Bà", "Em", "Dì", "Cậu", "Thím", "Mợ"}


@pytest.fixture(scope="module")
def hue() -> Population:
    return generate_population(46, 20_000, seed=11)


@pytest.fixture(scope="module")
def dien_bien() -> Population:
    return generate_population(11, 20_000, seed=11)


def test_schema_exact(hue: Population) -> None:
    assert dict(hue.households.schema) == HOUSEHOLD_SCHEMA
    assert dict(hue.members.schema) == MEMBER_SCHEMA
    assert list(hue.households.columns) == list(HOUSEHOLD_SCHEMA)
    assert list(hue.members.columns) == list(MEMBER_SCHEMA)
    assert hue.households.null_count().sum_horizontal().item() == 0
    assert hue.members.null_count().sum_horizontal().item() == 0


def test_codes_and_categories(hue: Population) -> None:
    h, m = hue.households, hue.members
    assert h["household_id"].n_unique() == h.height
    assert h["household_id"].str.len_chars().unique().to_list() == [13]
    expected_ids = h.select(
        pl.format(
            "{}{}{}",
            pl.col("province_code").cast(pl.String).str.zfill(2),
            pl.col("commune_code").cast(pl.String).str.zfill(5),
            pl.col("household_id").str.slice(7),
        )
    ).to_series()
    assert (expected_ids == h["household_id"]).all()
    communes = {c.code: c for c in province_communes(46)}
    for code, name, kind in h.select("commune_code", "commune_name", "commune_kind").unique().iter_rows():
        assert communes[code].name == name and communes[code].kind == kind
    assert set(h["area"].unique()) <= {"rural", "urban"}
    assert (h.filter(pl.col("commune_kind") == "phuong")["area"] == "urban").all()
    assert (h.filter(pl.col("commune_kind") != "phuong")["area"] == "rural").all()
    assert set(h["housing_quality"]) <= {"durable", "semi_durable", "non_durable", "makeshift"}
    # every code the generator uses is in the registry's code lists (including the protected spring and
    # pour-flush codes added in issue 7)
    from hongheo.registry import code_lists

    assert set(h["water_source"]) <= set(code_lists.codes("water_source"))
    assert set(h["toilet"]) <= set(code_lists.codes("toilet"))
    assert {"protected_spring"} <= set(h["water_source"]) and {"pour_flush"} <= set(h["toilet"])
    assert set(h["waste_handling"]) <= {"collected", "burned_buried", "dumped"}
    assert set(m["education_level"]) <= {
        "none", "primary", "lower_secondary", "upper_secondary", "vocational", "college", "university"
    }  # fmt: skip
    assert set(m["employment"]) <= {
        "wage_with_contract", "wage_no_contract", "self_employed", "unemployed", "not_in_labour_force"
    }  # fmt: skip
    assert h["address"].str.contains(", Thành phố Huế").all()
    assert (h["floor_area_m2"] > 0).all() and (h["income_per_capita"] > 0).all()
    assert h["latitude"].is_between(15.5, 17.5).all() and h["longitude"].is_between(106.5, 108.5).all()


def test_one_head_and_sizes(hue: Population) -> None:
    h, m = hue.households, hue.members
    heads = m.filter(pl.col("relation_to_head") == "head")
    assert heads.height == h.height
    assert heads["household_id"].n_unique() == h.height
    sizes = m.group_by("household_id").len()
    joined = h.join(sizes, on="household_id")
    assert (joined["size"] == joined["len"]).all()
    assert abs(m.height / h.height - 3.5) <= 0.3
    assert h["size"].min() == 1 and h["size"].max() >= 8
    # the head's ID is in the household
    head_ids = h.join(heads.select("household_id", "personal_id"), on="household_id")
    assert (head_ids["head_personal_id"] == head_ids["personal_id"]).all()


def test_age_structure(hue: Population) -> None:
    m = hue.members.with_columns(
        age=((pl.lit(date(2026, 9, 1)) - pl.col("date_of_birth")).dt.total_days() / 365.2425)
    )
    heads = m.filter(pl.col("relation_to_head") == "head")
    assert heads["age"].min() >= 18
    assert 40 <= heads["age"].mean() <= 60
    parents = m.filter(pl.col("relation_to_head") == "parent")
    assert parents["age"].min() >= 40
    kids = m.filter(pl.col("age") < 16)
    assert 0.15 <= kids.height / m.height <= 0.35
    assert not m.filter(pl.col("age") >= 16)["undernourished"].any()
    assert (m["date_of_birth"] <= date(2026, 9, 1)).all()
    # spouses are of the other sex than the head
    pairs = (
        m.filter(pl.col("relation_to_head").is_in(["head", "spouse"]))
        .group_by("household_id")
        .agg(pl.col("sex").n_unique().alias("sexes"), pl.len())
    )
    assert (pairs.filter(pl.col("len") == 2)["sexes"] == 2).all()


def test_ids_unique_and_valid(hue: Population) -> None:
    m = hue.members
    assert m["personal_id"].n_unique() == m.height
    for number, dob, sex in m.select("personal_id", "date_of_birth", "sex").sample(3000, seed=1).iter_rows():
        validate_personal_id(number, date_of_birth=dob, sex=sex)
    # mostly the birth-registration code of old Thừa Thiên Huế
    assert (m["personal_id"].str.slice(0, 3) == "046").mean() > 0.8


def test_names_realistic_and_without_honorifics(hue: Population, dien_bien: Population) -> None:
    for pop in (hue, dien_bien):
        m = pop.members
        parts = pl.concat([m["family_name"], m["middle_name"], m["given_name"]]).str.split(" ").explode()
        assert not set(parts.unique().to_list()) & HONORIFICS
        assert not (m["full_name"].str.split(" ").list.first() == "Anh").any()
        assert (m["family_name"].str.len_chars() > 0).all() and (m["given_name"].str.len_chars() > 0).all()
        rebuilt = m.select(
            pl.concat_str(["family_name", "middle_name", "given_name"], separator=" ").str.replace_all(
                "  ", " "
            )
        ).to_series()
        kinh = m["ethnicity"] == "Kinh"
        assert (rebuilt.filter(kinh) == m["full_name"].filter(kinh)).all()
    kinh = hue.members.filter(pl.col("ethnicity") == "Kinh")
    share_nguyen = (kinh["family_name"] == "Nguyễn").mean()
    assert 0.28 <= share_nguyen <= 0.48
    women_born_before_1975 = kinh.filter(
        (pl.col("sex") == "female") & (pl.col("date_of_birth").dt.year() < 1975)
    )
    assert (women_born_before_1975["middle_name"] == "Thị").mean() > 0.6
    # children carry the family name of the father (male head)
    fam = hue.members.filter(pl.col("relation_to_head").is_in(["head", "child"])).join(
        hue.households.filter(~pl.col("female_head")).select("household_id"), on="household_id"
    )
    same = fam.group_by("household_id").agg(pl.col("family_name").n_unique().alias("n"))
    assert (same["n"] == 1).all()


def test_ethnicity_by_province(hue: Population, dien_bien: Population) -> None:
    assert hue.households["ethnic_minority"].mean() < 0.1
    assert dien_bien.households["ethnic_minority"].mean() > 0.6
    eth = set(dien_bien.members["ethnicity"].unique())
    assert {"Thái", "H'Mông", "Kinh"} <= eth
    ban = dien_bien.households["village_name"].str.starts_with("Bản ").mean()
    assert ban > 0.2


def test_poor_share_by_income(hue: Population, dien_bien: Population) -> None:
    hue_share = income_poor_share(hue.households)
    db_share = income_poor_share(dien_bien.households)
    assert 0.005 <= hue_share <= 0.08
    assert 0.10 <= db_share <= 0.30
    assert db_share > 2 * hue_share


def test_deterministic_with_seed() -> None:
    a = generate_population(92, 500, seed=5, communes=3)
    b = generate_population(92, 500, seed=5, communes=3)
    c = generate_population(92, 500, seed=6, communes=3)
    assert a.households.equals(b.households) and a.members.equals(b.members)
    assert not a.members.equals(c.members)
    assert a.households["commune_code"].n_unique() <= 3


def test_bad_inputs() -> None:
    with pytest.raises(SynthError, match="unknown province code 99"):
        generate_population(99, 10)
    with pytest.raises(SynthError):
        generate_population(46, 0)


def test_cli_writes_parquet_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pq"
    assert main(["synth", "--province", "46", "--households", "300", "--out", str(out), "--seed", "3"]) == 0
    err = capsys.readouterr().err
    assert "300 households" in err and "poor share by income" in err and err.count("\n") == 1
    assert sorted(p.name for p in out.iterdir()) == ["households.parquet", "members.parquet"]
    h = pl.read_parquet(out / "households.parquet")
    m = pl.read_parquet(out / "members.parquet")
    assert dict(h.schema) == HOUSEHOLD_SCHEMA and dict(m.schema) == MEMBER_SCHEMA
    assert h.height == 300

    out_csv = tmp_path / "csv" / "nested"
    args = [
        "synth",
        "--province",
        "46",
        "--households",
        "300",
        "--out",
        str(out_csv),
        "--seed",
        "3",
        "--format",
        "csv",
    ]
    assert main(args) == 0
    assert sorted(p.name for p in out_csv.iterdir()) == ["households.csv", "members.csv"]
    hc = pl.read_csv(out_csv / "households.csv", schema_overrides={"household_id": pl.String})
    mc = pl.read_csv(
        out_csv / "members.csv",
        schema_overrides={"personal_id": pl.String, "household_id": pl.String},
        try_parse_dates=True,
    )
    assert hc.columns == list(HOUSEHOLD_SCHEMA) and mc.columns == list(MEMBER_SCHEMA)
    assert hc["household_id"].to_list() == h["household_id"].to_list()
    assert mc["personal_id"].to_list() == m["personal_id"].to_list()


def test_cli_communes_option(tmp_path: Path) -> None:
    args = ["synth", "--province", "11", "--households", "200", "--out", str(tmp_path), "--communes", "2"]
    assert main(args) == 0
    h = pl.read_parquet(tmp_path / "households.parquet")
    assert h["commune_code"].n_unique() <= 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--province", "99", "--households", "10"], "unknown province code"),
        (["--province", "abc", "--households", "10"], "unknown province code"),
        (["--province", "46", "--households", "0"], "--households"),
        (["--province", "46", "--households", "-5"], "--households"),
    ],
)
def test_cli_bad_input_exit_2_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    assert main(["synth", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert not out.exists()
    if "province" in message:
        assert "--list-provinces" in err


def test_cli_list_provinces(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", "--list-provinces"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 34
    assert "46\tThành phố Huế" in lines


def test_failed_write_leaves_no_half_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hongheo.registry import synth

    pop = generate_population(46, 50, seed=1)

    def boom(self: pl.DataFrame, *args: object, **kwargs: object) -> None:
        if self.height > 50:  # the members frame
            raise OSError("disk full")
        Path(str(args[0])).write_bytes(b"partial")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", boom)
    with pytest.raises(OSError):
        synth.write_population(pop, tmp_path, "parquet")
    assert list(tmp_path.iterdir()) == []


def test_member_attributes_plausible(hue: Population) -> None:
    m = hue.members
    assert 0.85 <= m["health_insurance"].mean() <= 0.99
    assert 0.005 <= m["disability"].mean() <= 0.1
    assert not (m["disability_allowance"] & ~m["disability"]).any()
    school_age = m.filter(pl.col("date_of_birth").is_between(date(2014, 9, 2), date(2019, 9, 1)))
    assert school_age["in_school"].mean() > 0.9
    qualified = m.filter(pl.col("education_level").is_in(["vocational", "college", "university"]))
    assert qualified["has_qualification"].all()
    young = m.filter(pl.col("date_of_birth") > date(2012, 1, 1))
    assert (young["employment"] == "not_in_labour_force").all()
    assert np.isclose(m["sex"].eq("female").mean(), 0.5, atol=0.05)
