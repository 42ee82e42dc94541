"""``hongheo backup --out FILE.tar.gz``: the database and the media files in one archive (sao lưu).

The logic is in :mod:`hongheo.core.backup`; docs/operations.md describes the archive and its use.
"""

from __future__ import annotations

import argparse
import os

from hongheo.cli import CommandError

HELP = "back up the database and the media files into one .tar.gz archive (sao lưu)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="FILE.tar.gz", help="the archive to write")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise CommandError(f"Lỗi cấu hình / configuration error: {exc}", 2)


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def run(args: argparse.Namespace) -> int:
    setup_django()
    from django.db.utils import Error as DatabaseError

    from hongheo.core.backup import BackupError, backup_create

    try:
        summary = backup_create(out_path=args.out)
    except BackupError as exc:
        raise CommandError(str(exc), exc.exit_code)
    except OSError as exc:
        raise CommandError(f"the backup failed: {exc}", 1)
    except DatabaseError as exc:
        raise CommandError(f"cannot read the database: {exc}", 1)
    print(
        f"backup written: {summary['path']} ({_size(summary['size'])}; {summary['vendor']} database "
        f"{_size(summary['database_bytes'])}, {summary['media_files']} media files, "
        f"version {summary['app_version']}, {summary['created_at']})"
    )
    return 0
