"""``hongheo cccd check NUMBER [--dob YYYY-MM-DD] [--sex male|female]``.

Kiểm tra số định danh cá nhân (số CCCD) 12 chữ số. Contract: ``shared/contracts/cli.md``.
Exit 0 and ``valid``; exit 1 and ``invalid: REASON``; exit 2 for bad options.

A prefix in neither the 63 province codes nor the country codes listed as data stays ``invalid:
unknown province code NNN`` here, as the contract says; the registry's forms and import treat it as a
warning an officer can accept (Decree 137/2015 Art. 13: a birth registered abroad carries a country
code, and the official country list was not found).
"""

from __future__ import annotations

import argparse
from datetime import date

from hongheo.cli import CommandError

HELP = "check a 12-digit personal identification number (số định danh cá nhân / CCCD)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="check one number")
    check.add_argument("number", metavar="NUMBER", help="the 12-digit number")
    check.add_argument("--dob", metavar="YYYY-MM-DD", help="date of birth (ngày sinh) to compare with")
    check.add_argument("--sex", choices=("male", "female"), help="sex (giới tính) to compare with")


def _parse_dob(text: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--dob must be a date written YYYY-MM-DD, got {text!r}", 2)


def run(args: argparse.Namespace) -> int:
    from hongheo.core.ids import InvalidPersonalId, validate_personal_id

    dob = _parse_dob(args.dob) if args.dob is not None else None
    try:
        validate_personal_id(args.number, date_of_birth=dob, sex=args.sex)
    except InvalidPersonalId as exc:
        print(f"invalid: {exc.message}")
        return 1
    print("valid")
    return 0
