"""``hongheo classify``: classify households in bulk under a named standard, without a database.

Contract: ``shared/contracts/cli.md``. Input format follows the file extension (``.csv``,
``.jsonl``, ``.parquet``); the output format is ``--format`` or the input's; output goes to
``--output`` or stdout. Bad input exits with status 2, names the (1-based) data row and the column
on stderr, and leaves no output file: the output is written to a temporary file in the same
directory and renamed only on success.

Start-up stays light: no Django, and polars is imported only inside :func:`run`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hongheo.cli import CommandError

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

HELP = "Phân loại hộ nghèo, cận nghèo hàng loạt theo một chuẩn (không cần cơ sở dữ liệu)"
FORMATS = ("csv", "jsonl", "parquet")
EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--standard", required=True, metavar="CODE", help="mã chuẩn, ví dụ vn-2022-2025")
    parser.add_argument("--input", required=True, metavar="PATH", help="tệp .csv, .jsonl hoặc .parquet")
    parser.add_argument("--output", metavar="PATH", help="tệp kết quả (mặc định: stdout)")
    parser.add_argument("--format", choices=FORMATS, help="định dạng kết quả (mặc định: như tệp vào)")


def _input_format(path: Path) -> str:
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise CommandError(f"không nhận ra định dạng tệp {path.name!r} (cần .csv, .jsonl hoặc .parquet)")
    return fmt


def _load_standard(code: str) -> Any:
    from hongheo.standards.rules.catalog import SHIPPED_CODES, StandardError, get_standard

    extra: list[Any] = []
    if code not in SHIPPED_CODES:
        # Standards an administrator published (e.g. provincial ones); see hongheo.cli.standards.
        from hongheo.cli.standards import published_standard_documents

        extra = published_standard_documents()
    try:
        return get_standard(code, extra)
    except StandardError as exc:
        raise CommandError(str(exc)) from exc


def _read_csv(path: Path) -> pl.DataFrame:
    """Read a CSV with the income already parsed as ``Int64`` (the fast path); every other column
    is text. If some income is not a plain integer, read everything as text instead, so that the
    engine's validation reports the exact row and column."""
    import polars as pl

    try:
        return pl.read_csv(path, infer_schema=False, schema_overrides={"income_per_capita": pl.Int64})
    except pl.exceptions.ComputeError:
        return pl.read_csv(path, infer_schema=False)


def _read(path: Path, fmt: str) -> pl.DataFrame:
    import polars as pl

    try:
        if fmt == "csv":
            return _read_csv(path)
        if fmt == "jsonl":
            return pl.read_ndjson(path, infer_schema_length=None)
        return pl.read_parquet(path)
    except FileNotFoundError as exc:
        raise CommandError(f"không tìm thấy tệp {str(path)!r}") from exc
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise CommandError(f"không đọc được tệp {str(path)!r}: {exc}") from exc


def _write(df: pl.DataFrame, fmt: str, target: Any) -> None:
    if fmt == "csv":
        df.write_csv(target)
    elif fmt == "jsonl":
        df.write_ndjson(target)
    else:
        df.write_parquet(target)


def _file_mode(path: Path) -> int:
    """The mode of an existing output (kept), else 0666 less the process umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def run(args: argparse.Namespace) -> int:
    from hongheo.standards.rules.engine import ClassificationError, classify_frame

    in_path = Path(args.input)
    in_fmt = _input_format(in_path)
    out_fmt = args.format or in_fmt
    standard = _load_standard(args.standard)
    if not in_path.is_file():
        raise CommandError(f"không tìm thấy tệp {args.input!r}")
    df = _read(in_path, in_fmt)
    try:
        result = classify_frame(standard, df)
    except ClassificationError as exc:
        raise CommandError(str(exc)) from exc

    if args.output is None:
        _write(result, out_fmt, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return 0
    out_path = Path(args.output)
    directory = out_path.parent if str(out_path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        _write(result, out_fmt, tmp_name)
        # mkstemp creates the file 0600; give the result the mode a plain open() would have.
        os.chmod(tmp_name, _file_mode(out_path))
        os.replace(tmp_name, out_path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return 0
