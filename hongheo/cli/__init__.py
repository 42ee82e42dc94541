"""The ``hongheo`` console script.

Sub-commands are looked up lazily so that database-free commands (``classify``, ``cccd``,
``synth``, ``standards``) start fast and never import Django. Each sub-command lives in a
module of this package that defines ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.
The public contract of these commands is ``shared/contracts/cli.md``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# name -> module (relative to this package)
COMMANDS: dict[str, str] = {
    "classify": "classify",
    "cccd": "cccd",
    "link": "link",
    "standards": "standards",
    "synth": "synth",
    "manage": "manage",
    "backup": "backup",
    "restore": "restore",
    "odk-url": "odk_url",
}


class CommandError(Exception):
    """A clear, user-facing error: printed on stderr without a traceback."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _build_parser(argv: Sequence[str]) -> tuple[argparse.ArgumentParser, str | None]:
    parser = argparse.ArgumentParser(prog="hongheo", description="Hộ Nghèo command line")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, module_name in COMMANDS.items():
        if chosen is not None and chosen != name:
            # Register cheaply so --help lists it, without importing the module.
            sub.add_parser(name, add_help=False)
            continue
        module = importlib.import_module(f"hongheo.cli.{module_name}")
        p = sub.add_parser(name, help=getattr(module, "HELP", None))
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser, chosen


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser, _ = _build_parser(args_list)
    args = parser.parse_args(args_list)
    module = getattr(args, "_module", None)
    if module is None:
        parser.print_help()
        return 2
    try:
        return int(module.run(args) or 0)
    except CommandError as exc:
        print(f"hongheo {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("hongheo: interrupted", file=sys.stderr)
        return 130
