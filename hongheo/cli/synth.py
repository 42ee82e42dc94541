"""``hongheo synth``: generate a synthetic population (dân cư giả lập) for real communes of a province.

``hongheo synth --province CODE --households N --out PATH [--format parquet|csv] [--seed S]
[--communes K] [--as-of YYYY-MM-DD]`` writes ``PATH/households.<ext>`` and ``PATH/members.<ext>``
(temp files renamed into place, so a failure never leaves a half-written file) and prints a one-line
summary on stderr. ``hongheo synth --list-provinces`` prints the 34 current province codes.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from hongheo.cli import CommandError

HELP = "generate a synthetic population of households and members for a province (CSV or Parquet)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--province", metavar="CODE", help="current (2025) province code, e.g. 46 (Huế)")
    parser.add_argument("--households", metavar="N", type=int, help="number of households (hộ) to generate")
    parser.add_argument("--out", metavar="PATH", type=Path, help="output directory (created if missing)")
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="default: parquet")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same output; default 0)")
    parser.add_argument("--communes", metavar="K", type=int, help="use only K communes of the province")
    parser.add_argument("--as-of", metavar="YYYY-MM-DD", default="2026-09-01", help="reference date for ages")
    parser.add_argument(
        "--list-provinces", action="store_true", help="print the valid province codes and exit"
    )


def _province_code(text: str) -> int:
    from hongheo.registry.synth import province_names

    hint = "run `hongheo synth --list-provinces` to see the 34 valid codes"
    if not text.strip().isdigit():
        raise CommandError(f"unknown province code {text!r}; {hint}", 2)
    code = int(text)
    if code not in province_names():
        raise CommandError(f"unknown province code {text!r}; {hint}", 2)
    return code


def run(args: argparse.Namespace) -> int:
    from hongheo.registry import synth

    if args.list_provinces:
        for code, name in sorted(synth.province_names().items()):
            print(f"{code:02d}\t{name}")
        return 0
    missing = [opt for opt, value in (("--province", args.province), ("--households", args.households),
                                      ("--out", args.out)) if value is None]  # fmt: skip
    if missing:
        raise CommandError(f"missing {', '.join(missing)}", 2)
    code = _province_code(args.province)
    if args.households <= 0:
        raise CommandError(f"--households must be a positive number, got {args.households}", 2)
    if args.communes is not None and args.communes <= 0:
        raise CommandError(f"--communes must be a positive number, got {args.communes}", 2)
    try:
        as_of = date.fromisoformat(args.as_of)
    except ValueError:
        raise CommandError(f"--as-of must be a date written YYYY-MM-DD, got {args.as_of!r}", 2)
    if args.out.exists() and not args.out.is_dir():
        raise CommandError(f"--out must be a directory: {args.out} is a file", 2)
    try:
        population = synth.generate_population(
            code, args.households, seed=args.seed, communes=args.communes, as_of=as_of
        )
        synth.write_population(population, args.out, args.format)
    except synth.SynthError as exc:
        raise CommandError(str(exc), 2)
    except OSError as exc:
        raise CommandError(f"cannot write to {args.out}: {exc}", 1)
    share = synth.income_poor_share(population.households)
    print(
        f"synth: province {code:02d}: {population.households.height:,} households, "
        f"{population.members.height:,} members, poor share by income {share:.1%} "
        f"(≤ 1,500,000 rural / 2,000,000 urban VND) -> {args.out}",
        file=sys.stderr,
    )
    return 0
