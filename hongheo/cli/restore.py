"""``hongheo restore FILE.tar.gz [--force]``: restore a ``hongheo backup`` archive (khôi phục).

The archive is verified completely (manifest, checksums, database vendor) before anything is
touched. Stop the web server and the job worker first. Exit 2: bad archive or input, nothing
changed; exit 1: refused (the database holds data and --force is absent) or the restore failed.
"""

from __future__ import annotations

import argparse

from hongheo.cli import CommandError

HELP = "restore a backup archive made by 'hongheo backup' (khôi phục)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("archive", metavar="FILE.tar.gz", help="the archive to restore")
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace a database that already holds data (make a backup of it first)",
    )


def run(args: argparse.Namespace) -> int:
    from hongheo.cli.backup import setup_django

    setup_django()
    from django.db.utils import Error as DatabaseError

    from hongheo.core.backup import BackupError, backup_restore

    try:
        summary = backup_restore(archive_path=args.archive, force=args.force)
    except BackupError as exc:
        raise CommandError(str(exc), exc.exit_code)
    except OSError as exc:
        raise CommandError(f"the restore failed: {exc}", 1)
    except DatabaseError as exc:
        raise CommandError(f"database error during the restore: {exc}", 1)
    note = ""
    if summary["migrations_applied_after_restore"]:
        note = f"; applied {summary['migrations_applied_after_restore']} newer migrations"
    print(
        f"restored: {summary['archive']} (made {summary['created_at']} by version {summary['app_version']}; "
        f"{summary['vendor']} database, {summary['media_files']} media files{note})"
    )
    return 0
