"""``hongheo classify`` and ``hongheo standards list`` exactly as in shared/contracts/cli.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from hongheo.cli import main

HEADER = "household_id,area,income_per_capita,deprived\n"
GOOD = HEADER + "h1,rural,1450000,water;telecom;housing_area\nh2,urban,2000000,water\nh3,rural,3000000,\n"


def write_csv(tmp_path: Path, text: str, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "row", "column"),
    [
        ("h1,rural,1450000,water;flying\n", 1, "deprived"),
        ("h1,rural,1450000,\nh2,rural,,\n", 2, "income_per_capita"),
        ("h1,rural,1450000,\nh2,rural,nhiều,\n", 2, "income_per_capita"),
        ("h1,rural,1450000,\nh2,rural,-1,\n", 2, "income_per_capita"),
        ("h1,rural,1450000,\nh2,rural,1,\nh3,highland,1,\n", 3, "area"),
        ("h1,rural,1450000,\nh2,rural,1,\nh1,urban,1,\n", 3, "household_id"),
    ],
)
def test_bad_input_exit_2_names_row_and_column_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, row: int, column: str
) -> None:
    src = write_csv(tmp_path, HEADER + body)
    out = tmp_path / "out.csv"
    code = main(["classify", "--standard", "vn-2022-2025", "--input", str(src), "--output", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"dòng {row}" in err and column in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in.csv"]


def test_unknown_standard(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write_csv(tmp_path, GOOD)
    out = tmp_path / "out.csv"
    assert main(["classify", "--standard", "vn-1999", "--input", str(src), "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert "vn-1999" in err and "vn-2022-2025" in err
    assert not out.exists()


def test_bad_input_keeps_an_existing_output_untouched(tmp_path: Path) -> None:
    src = write_csv(tmp_path, HEADER + "h1,rural,x,\n")
    out = tmp_path / "out.csv"
    out.write_text("old", encoding="utf-8")
    assert main(["classify", "--standard", "vn-2022-2025", "--input", str(src), "--output", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_missing_input_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "--standard", "vn-2022-2025", "--input", str(tmp_path / "none.csv")]) == 2
    assert "none.csv" in capsys.readouterr().err


def _expected(frame: pl.DataFrame) -> None:
    assert frame["household_id"].to_list() == ["h1", "h2", "h3"]
    assert frame["classification"].to_list() == ["poor", "near_poor", "not_poor"]
    assert frame["standard"].to_list() == ["vn-2022-2025"] * 3
    assert [int(x) for x in frame["deprived_count"].to_list()] == [3, 1, 0]
    # The reason names the threshold, the area and the deprivation count (not the income itself,
    # which is in income_used).
    assert (
        frame["reason"][0] == "Thu nhập ≤ chuẩn nông thôn 1.500.000 đ và thiếu hụt 3 chỉ số (≥ 3): hộ nghèo"
    )
    assert (
        frame["reason"][1]
        == "Thu nhập ≤ chuẩn thành thị 2.000.000 đ và thiếu hụt 1 chỉ số (< 3): hộ cận nghèo"
    )
    for col in ("income_used", "threshold"):
        assert col in frame.columns


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_happy_path_all_formats(tmp_path: Path, fmt: str) -> None:
    frame = pl.read_csv(write_csv(tmp_path, GOOD, "src.csv"), infer_schema=False)
    src = tmp_path / f"in.{fmt}"
    {"csv": frame.write_csv, "jsonl": frame.write_ndjson, "parquet": frame.write_parquet}[fmt](src)
    out = tmp_path / f"out.{fmt}"
    assert main(["classify", "--standard", "vn-2022-2025", "--input", str(src), "--output", str(out)]) == 0
    reader = {
        "csv": lambda p: pl.read_csv(p, infer_schema=False),
        "jsonl": pl.read_ndjson,
        "parquet": pl.read_parquet,
    }
    _expected(reader[fmt](out))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["src.csv", src.name, out.name])


def test_csv_income_that_is_not_a_plain_integer_falls_back_to_text(tmp_path: Path) -> None:
    # " 1450000" does not parse as Int64 at read time; the text path strips it and classifies.
    src = write_csv(
        tmp_path, HEADER + "h1,rural, 1450000 ,water;telecom;housing_area\nh2,urban,2000000,water\n"
    )
    out = tmp_path / "out.csv"
    assert main(["classify", "--standard", "vn-2022-2025", "--input", str(src), "--output", str(out)]) == 0
    frame = pl.read_csv(out, infer_schema=False)
    assert frame["classification"].to_list() == ["poor", "near_poor"]
    assert frame["income_used"].to_list() == ["1450000", "2000000"]


def test_output_file_gets_the_usual_mode(tmp_path: Path) -> None:
    import os

    src = write_csv(tmp_path, GOOD)
    out = tmp_path / "out.csv"
    assert main(["classify", "--standard", "vn-2022-2025", "--input", str(src), "--output", str(out)]) == 0
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask


def test_typed_jsonl_input_and_format_switch(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    rows = [
        {
            "household_id": "h1",
            "area": "rural",
            "income_per_capita": 1450000,
            "deprived": "water;telecom;housing_area",
        },
        {"household_id": "h2", "area": "urban", "income_per_capita": 2000000, "deprived": "water"},
        {"household_id": "h3", "area": "rural", "income_per_capita": 3000000, "deprived": None, "note": "x"},
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.parquet"
    assert (
        main(
            [
                "classify",
                "--standard",
                "vn-2022-2025",
                "--input",
                str(src),
                "--output",
                str(out),
                "--format",
                "parquet",
            ]
        )
        == 0
    )
    _expected(pl.read_parquet(out))


def test_stdout_when_no_output(tmp_path: Path) -> None:
    src = write_csv(tmp_path, GOOD)
    proc = subprocess.run(
        [sys.executable, "-m", "hongheo", "classify", "--standard", "vn-2022-2025", "--input", str(src)],
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    lines = proc.stdout.decode("utf-8").splitlines()
    assert lines[0].startswith("household_id,standard,classification,deprived_count,reason")
    assert len(lines) == 4


def test_score_rows(tmp_path: Path) -> None:
    src = write_csv(
        tmp_path,
        "household_id,area,income_per_capita,deprived,score_a,score_b\n"
        "h1,rural,,water;telecom;housing_area,140,\nh2,urban,,water,176,\nh3,rural,1000000,,,\n",
    )
    out = tmp_path / "out.csv"
    assert main(["classify", "--standard", "vn-2022-2025", "--input", str(src), "--output", str(out)]) == 0
    frame = pl.read_csv(out, infer_schema=False)
    assert frame["classification"].to_list() == ["poor", "not_poor", "near_poor"]
    assert frame["basis"].to_list() == ["score", "score", "income"]


def test_classify_does_not_import_django(tmp_path: Path) -> None:
    src = write_csv(tmp_path, GOOD)
    argv = [
        "classify",
        "--standard",
        "vn-2022-2025",
        "--input",
        str(src),
        "--output",
        str(tmp_path / "o.csv"),
    ]
    code = (
        "import sys; from hongheo.cli import main; "
        f"rc = main({argv!r}); assert rc == 0; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode()


def test_classify_module_imports_no_polars_at_start() -> None:
    code = "import sys, hongheo.cli.classify, hongheo.cli.standards; assert 'polars' not in sys.modules"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode()


def test_standards_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["standards", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["code", "title", "effective_from", "effective_to", "scope"]
    body = "\n".join(out[1:])
    for code, start, end in (
        ("vn-2016-2020", "2016-01-01", "2021-12-31"),
        ("vn-2022-2025", "2022-01-01", "2026-12-31"),
        ("vn-2026-2030", "2027-01-01", "2030-12-31"),
    ):
        line = next(line for line in out if line.startswith(code))
        assert start in line and end in line and "national" in line
    assert "Chuẩn nghèo đa chiều quốc gia giai đoạn 2022–2025" in body


def test_published_standards_hook(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, dong_nai: dict[str, object]
) -> None:
    import hongheo.cli.standards as standards_cli

    monkeypatch.setattr(standards_cli, "published_standard_documents", lambda: [dong_nai])
    src = write_csv(tmp_path, HEADER + "h1,rural,2000000,water;telecom\n")
    out = tmp_path / "out.csv"
    assert (
        main(["classify", "--standard", "dong-nai-2022-2025", "--input", str(src), "--output", str(out)]) == 0
    )
    assert pl.read_csv(out)["classification"].to_list() == ["poor"]
