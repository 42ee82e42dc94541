"""``hongheo link``: link a poverty registry with a population extract, without a database.

Contract: ``shared/contracts/cli.md``. ``POP`` and ``REG`` are CSV (UTF-8, UTF-8 with BOM or
Windows-1258) or Parquet, by extension. Writes ``DIR/matches.csv``, ``DIR/findings.csv``,
``DIR/summary.json`` and the trained model ``DIR/model.json``. Bad input exits with status 2, names
the (1-based) data row and the column on stderr, and writes nothing: every input is read and
validated before ``DIR`` is touched, and the files are written to a temporary directory beside
``DIR`` and moved in only on success.

Start-up stays light: no Django; polars, DuckDB and Splink are imported inside :func:`run`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from hongheo.cli import CommandError

HELP = "Ghép sổ hộ nghèo với dữ liệu dân cư (không cần cơ sở dữ liệu)"
OUTPUTS = ("matches.csv", "findings.csv", "summary.json", "model.json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--population", required=True, metavar="POP", help="bản trích dữ liệu dân cư (.csv, .parquet)"
    )
    parser.add_argument(
        "--registry", required=True, metavar="REG", help="danh sách thành viên hộ (.csv, .parquet)"
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="thư mục kết quả")
    parser.add_argument("--seed", type=int, default=42, help=argparse.SUPPRESS)


def _load(path_text: str, which: str, kind: str) -> object:
    from hongheo.linkage.engine.errors import LinkInputError
    from hongheo.linkage.engine.prepare import prepare_population, prepare_registry, read_path

    path = Path(path_text)
    if path.suffix.lower() not in (".csv", ".parquet"):
        raise CommandError(f"{which}: không nhận ra định dạng tệp {path.name!r} (cần .csv hoặc .parquet)")
    try:
        df = read_path(path)
        prepared = prepare_population(df) if kind == "population" else prepare_registry(df)
        prepared.raise_for_errors()
    except LinkInputError as exc:
        raise CommandError(f"{which} ({path.name}): {exc}") from exc
    for warning in prepared.warnings[:20]:
        print(f"hongheo link: cảnh báo {which} ({path.name}): {warning.text()}", file=sys.stderr)
    if len(prepared.warnings) > 20:
        print(f"hongheo link: … và {len(prepared.warnings) - 20} cảnh báo khác", file=sys.stderr)
    return prepared


def run(args: argparse.Namespace) -> int:
    import polars as pl

    from hongheo.linkage.engine.pipeline import link

    t0 = time.perf_counter()
    pop = _load(args.population, "--population", "population")
    reg = _load(args.registry, "--registry", "registry")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out: {str(out)!r} không phải thư mục")
    t_import = time.perf_counter() - t0
    result = link(pop.frame, reg.frame, seed=args.seed)  # type: ignore[attr-defined]
    summary = dict(result.summary)
    summary["warnings"] = {
        "population": len(pop.warnings),  # type: ignore[attr-defined]
        "registry": len(reg.warnings),  # type: ignore[attr-defined]
    }
    summary["timings"] = {"import_s": round(t_import, 3), **summary["timings"]}
    summary["timings"]["total_s"] = round(time.perf_counter() - t0, 3)

    parent = out.parent if str(out.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        result.matches.select(
            "registry_row", "person_id", pl.col("match_probability").round(6), "decision"
        ).write_csv(tmp / "matches.csv")
        result.findings.write_csv(tmp / "findings.csv")
        (tmp / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), "utf-8")
        (tmp / "model.json").write_text(json.dumps(result.model, ensure_ascii=False, indent=1), "utf-8")
        out.mkdir(exist_ok=True)
        for name in OUTPUTS:
            os.replace(tmp / name, out / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0
