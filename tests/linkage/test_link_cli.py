"""``hongheo link``: outputs and failures exactly as in shared/contracts/cli.md."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl
import pytest

from hongheo.cli import main
from hongheo.linkage.engine.synth import make_linkage_data


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, object]:
    base = tmp_path_factory.mktemp("link")
    data = make_linkage_data(1200, 1000, seed=5)
    pop, reg = base / "pop.csv", base / "reg.parquet"
    data.population.write_csv(pop)
    data.registry.write_parquet(reg)
    return pop, reg, data


def test_link_writes_the_contract_files(files, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    pop, reg, data = files
    out = tmp_path / "out"
    assert main(["link", "--population", str(pop), "--registry", str(reg), "--out", str(out)]) == 0
    with (out / "matches.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["registry_row", "person_id", "match_probability", "decision"]
    assert {r["decision"] for r in rows} <= {"auto", "review"}
    assert len({r["registry_row"] for r in rows}) == len(rows)
    assert all(0.0 <= float(r["match_probability"]) <= 1.0 for r in rows)
    truth = dict(data.truth.iter_rows())
    auto = [r for r in rows if r["decision"] == "auto"]
    assert sum(truth[r["registry_row"]] == r["person_id"] for r in auto) / len(auto) >= 0.99
    with (out / "findings.csv").open(encoding="utf-8") as fh:
        findings = list(csv.DictReader(fh))
    assert {"registry_row", "person_id", "finding"} <= set(findings[0])
    assert {f["finding"] for f in findings} >= {"not_found", "deceased"}
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["registry_rows"] == 1000
    assert summary["exact_pass"]["matched"] > 800
    assert {"exact_pass_s", "probabilistic_pass_s", "total_s"} <= set(summary["timings"])
    model = json.loads((out / "model.json").read_text("utf-8"))
    assert [c["output_column_name"] for c in model["comparisons"]][:2] == ["personal_id", "full_name"]


def _bad(
    tmp_path: Path, pop: Path, reg_df: pl.DataFrame, capsys: pytest.CaptureFixture[str], name: str = "reg.csv"
) -> str:
    reg = tmp_path / name
    if name.endswith(".csv"):
        reg_df.write_csv(reg)
    out = tmp_path / "out"
    code = main(["link", "--population", str(pop), "--registry", str(reg), "--out", str(out)])
    assert code == 2
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []
    return capsys.readouterr().err


def test_missing_column(files, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    pop, _, data = files
    err = _bad(tmp_path, pop, data.registry.drop("household_code"), capsys)
    assert "cột household_code" in err


def test_duplicate_registry_row(files, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    pop, _, data = files
    reg = data.registry.with_columns(
        registry_row=pl.when(pl.int_range(pl.len()) == 7).then(pl.lit("R3")).otherwise(pl.col("registry_row"))
    )
    err = _bad(tmp_path, pop, reg, capsys)
    assert "dòng 3, cột registry_row" in err


def test_bad_date(files, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    pop, _, data = files
    reg = data.registry.with_columns(
        dob=pl.when(pl.int_range(pl.len()) == 41).then(pl.lit("1990-31-31")).otherwise(pl.col("dob"))
    )
    err = _bad(tmp_path, pop, reg, capsys)
    assert "dòng 42, cột dob" in err


def test_unreadable_and_unknown_files(files, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    pop, _, _ = files
    out = tmp_path / "out"
    assert (
        main(["link", "--population", str(pop), "--registry", str(tmp_path / "none.csv"), "--out", str(out)])
        == 2
    )
    assert "không tìm thấy" in capsys.readouterr().err
    (tmp_path / "reg.xlsx").write_bytes(b"x")
    assert (
        main(["link", "--population", str(pop), "--registry", str(tmp_path / "reg.xlsx"), "--out", str(out)])
        == 2
    )
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    assert (
        main(
            [
                "link",
                "--population",
                str(pop),
                "--registry",
                str(tmp_path / "broken.parquet"),
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert not out.exists()


def test_windows_1258_and_bom(files, tmp_path: Path, cp1258) -> None:  # type: ignore[no-untyped-def]
    pop, _, data = files
    small = data.registry.head(50)
    text = small.write_csv()
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "win.csv").write_bytes(cp1258(text))
    for name in ("bom.csv", "win.csv"):
        out = tmp_path / f"out-{name}"
        assert (
            main(["link", "--population", str(pop), "--registry", str(tmp_path / name), "--out", str(out)])
            == 0
        )
        matched = pl.read_csv(out / "matches.csv", infer_schema=False)
        assert matched.height >= 45
