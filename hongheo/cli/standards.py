"""``hongheo standards list``: print the poverty standards (chuẩn nghèo) this installation knows.

Shipped national standards come from ``hongheo/standards/rules/data``. Standards an administrator
published (provincial ones, corrections) live in the database; :func:`published_standard_documents`
is the hook that returns them as standard documents (the same JSON shape). It returns nothing
until the database side wires it, and it must keep Django out of the process unless it is called.
"""

from __future__ import annotations

import argparse
from typing import Any

from hongheo.cli import CommandError

HELP = "Liệt kê các chuẩn nghèo (mã, tên, thời gian hiệu lực, phạm vi)"


def published_standard_documents() -> list[dict[str, Any]]:
    """Standard documents published by an administrator (in the database).

    Called only when a code is not a shipped one, so commands that use shipped standards never
    pay for a Django start-up. Without a reachable, migrated database there are none.
    """
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    try:
        import django

        django.setup()
        from hongheo.standards.selectors import published_documents

        return published_documents()
    except Exception:  # no database configured or not migrated: only shipped standards exist
        return []


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("list", help="liệt kê các chuẩn")
    p.add_argument("--shipped-only", action="store_true", help="chỉ các chuẩn quốc gia đi kèm phần mềm")


def run(args: argparse.Namespace) -> int:
    from hongheo.standards.rules.catalog import StandardError, list_standards

    extra = [] if getattr(args, "shipped_only", False) else published_standard_documents()
    try:
        standards = list_standards(extra)
    except StandardError as exc:
        raise CommandError(str(exc)) from exc
    rows = [("code", "title", "effective_from", "effective_to", "scope")]
    for s in standards:
        scope = s.scope if s.province_code is None else f"{s.scope}:{s.province_code}"
        rows.append(
            (
                s.code,
                s.title,
                s.effective_from.isoformat(),
                s.effective_to.isoformat() if s.effective_to else "",
                scope,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    return 0
