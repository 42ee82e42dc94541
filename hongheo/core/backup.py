"""Backup and restore of one instance: the database and the media files in one ``.tar.gz``.

Archive layout (``FORMAT_VERSION`` 1)::

    database/db.sqlite3   SQLite: a consistent copy made with the online backup API
    database/db.dump      PostgreSQL: ``pg_dump --format=custom --no-owner``
    media/<path>          every file under ``settings.MEDIA_ROOT``
    manifest.json         written last: format, creation time, database vendor, app version,
                          applied migrations per app, and the size and sha256 of every other member

A restore reads the whole archive and checks it (manifest, checksums, vendor, migrations known to
this version) before it touches anything. The command-line front ends are ``hongheo backup`` and
``hongheo restore``; docs/operations.md tells operators how to use them.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

import hongheo

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBERS = {"sqlite": "database/db.sqlite3", "postgresql": "database/db.dump"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A clear failure. ``exit_code`` 2: bad input or configuration; 1: refused or failed."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# ---------------------------------------------------------------------------------------------
# helpers


def _db_settings() -> dict[str, Any]:
    return settings.DATABASES[DEFAULT_DB_ALIAS]


def _vendor() -> str:
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if vendor not in DB_MEMBERS:
        raise BackupError(f"unsupported database vendor {vendor!r} (only SQLite and PostgreSQL)")
    return vendor


def _sqlite_path() -> Path:
    name = str(_db_settings()["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"cannot back up or restore the SQLite database {name!r}: it is not a file")
    return Path(name)


def _pg_env() -> dict[str, str]:
    """libpq environment for pg_dump / pg_restore: nothing secret on the command line."""
    db = _db_settings()
    env = dict(os.environ)
    mapping = {
        "HOST": "PGHOST",
        "PORT": "PGPORT",
        "USER": "PGUSER",
        "PASSWORD": "PGPASSWORD",
        "NAME": "PGDATABASE",
    }
    for key, var in mapping.items():
        value = db.get(key)
        if value not in (None, ""):
            env[var] = str(value)
    options = db.get("OPTIONS") or {}
    for key, var in {
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
        "service": "PGSERVICE",
        "passfile": "PGPASSFILE",
    }.items():
        if options.get(key):
            env[var] = str(options[key])
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client tools (Debian/Ubuntu: apt-get install "
            f"postgresql-client), matching or newer than the server version",
            1,
        )
    return path


def _run_pg(args: list[str]) -> None:
    result = subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{Path(args[0]).name} failed: {' / '.join(detail[-5:]) or 'no output'}", 1)


def _applied_migrations(sqlite_file: Path | None = None) -> dict[str, list[str]]:
    """Applied migrations per app: read from the SQLite copy itself, or from the live database."""
    pairs: list[tuple[str, str]] = []
    if sqlite_file is not None:
        conn = sqlite3.connect(sqlite_file)
        try:
            pairs = conn.execute("SELECT app, name FROM django_migrations").fetchall()
        except sqlite3.OperationalError:
            pairs = []  # an empty, never migrated database
        finally:
            conn.close()
    else:
        from django.db.migrations.recorder import MigrationRecorder

        recorder = MigrationRecorder(connections[DEFAULT_DB_ALIAS])
        if recorder.has_table():
            pairs = list(recorder.applied_migrations())
    state: dict[str, list[str]] = {}
    for app_label, name in pairs:
        state.setdefault(app_label, []).append(name)
    return {app: sorted(names) for app, names in sorted(state.items())}


def _known_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces or [])
    return known


def _media_files(root: Path) -> Iterator[tuple[Path, str]]:
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            if path.is_symlink() or not path.is_file():
                continue
            yield path, path.relative_to(root).as_posix()


class _HashingReader:
    """Reads a file for tarfile while computing its sha256."""

    def __init__(self, fileobj: IO[bytes]) -> None:
        self._f = fileobj
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._f.read(size)
        self.sha256.update(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, arcname: str, members: dict[str, dict]) -> None:
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        info = tarfile.TarInfo(arcname)
        info.size = size
        info.mtime = int(path.stat().st_mtime)
        info.mode = 0o644
        reader = _HashingReader(f)
        tar.addfile(info, reader)  # type: ignore[arg-type]
    members[arcname] = {"size": size, "sha256": reader.sha256.hexdigest()}


def _copy_owner_and_mode(reference: Path, target: Path) -> None:
    """Give ``target`` the permissions (and, when allowed, the owner) of the file it replaces."""
    st = reference.stat()
    os.chmod(target, st.st_mode & 0o7777)
    with contextlib.suppress(OSError):
        os.chown(target, st.st_uid, st.st_gid)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---------------------------------------------------------------------------------------------
# backup


def _dump_database(vendor: str, target: Path) -> None:
    if vendor == "sqlite":
        source_path = _sqlite_path()
        if not source_path.exists():
            raise BackupError(f"the SQLite database {source_path} does not exist")
        source = sqlite3.connect(source_path, timeout=30)
        dest = sqlite3.connect(target)
        try:
            with dest:
                source.backup(dest)  # online backup API: a consistent snapshot, WAL or not
            dest.execute("PRAGMA journal_mode=DELETE")  # a self-contained file without -wal/-shm
        finally:
            dest.close()
            source.close()
    else:
        _run_pg([_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}"])


def backup_create(*, out_path: str | os.PathLike[str]) -> dict[str, Any]:
    """Write a backup archive to ``out_path`` atomically (temp file, then rename). Returns a summary."""
    out = Path(out_path).expanduser().resolve()
    if not out.parent.is_dir():
        raise BackupError(f"the folder {out.parent} does not exist")
    if out.is_dir():
        raise BackupError(f"{out} is a folder; give a file name such as hongheo-backup.tar.gz")
    vendor = _vendor()
    if vendor == "sqlite" and not _sqlite_path().is_file():
        raise BackupError(f"the SQLite database {_sqlite_path()} does not exist; nothing to back up")
    created_at = datetime.now(UTC).isoformat(timespec="seconds")
    media_root = Path(settings.MEDIA_ROOT)

    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    tmp_archive = Path(tmp_name)
    raw = os.fdopen(fd, "wb")
    try:
        # The dump is staged beside the archive (where the space is needed anyway), not in /tmp.
        with raw, tempfile.TemporaryDirectory(prefix=".hongheo-backup-", dir=out.parent) as work:
            dump = Path(work) / Path(DB_MEMBERS[vendor]).name
            _dump_database(vendor, dump)
            migrations = _applied_migrations(dump if vendor == "sqlite" else None)
            members: dict[str, dict] = {}
            media_count = 0
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                _add_file(tar, dump, DB_MEMBERS[vendor], members)
                for path, rel in _media_files(media_root):
                    try:
                        _add_file(tar, path, f"media/{rel}", members)
                    except FileNotFoundError:
                        continue  # removed while we were walking
                    media_count += 1
                manifest = {
                    "format": "hongheo-backup",
                    "format_version": FORMAT_VERSION,
                    "created_at": created_at,
                    "app_version": hongheo.__version__,
                    "database_vendor": vendor,
                    "migrations": migrations,
                    "members": members,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(datetime.now(UTC).timestamp())
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(tmp_archive, 0o600)  # personal data: readable by the owner only
        os.replace(tmp_archive, out)
        _fsync_dir(out.parent)
    except BaseException:
        raw.close()
        tmp_archive.unlink(missing_ok=True)
        raise
    return {
        "path": str(out),
        "size": out.stat().st_size,
        "vendor": vendor,
        "created_at": created_at,
        "app_version": hongheo.__version__,
        "database_bytes": members[DB_MEMBERS[vendor]]["size"],
        "media_files": media_count,
    }


# ---------------------------------------------------------------------------------------------
# restore


def _member_kind(name: str) -> str:
    """'manifest', 'database' or 'media'; anything else (absolute paths, '..', links) is refused."""
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("", ".", "..") for part in path.parts) or "\\" in name:
        raise BackupError(f"the archive contains an unsafe member name: {name!r}")
    if name == MANIFEST:
        return "manifest"
    if name in DB_MEMBERS.values():
        return "database"
    if path.parts[0] == "media" and len(path.parts) > 1:
        return "media"
    raise BackupError(f"the archive contains an unexpected member: {name!r}")


def _open_archive(archive: Path) -> tarfile.TarFile:
    if not archive.exists():
        raise BackupError(f"{archive}: no such file")
    if not archive.is_file():
        raise BackupError(f"{archive}: not a file")
    try:
        return tarfile.open(archive, mode="r:*")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        first = str(exc).strip().splitlines()[0].rstrip(":") if str(exc).strip() else type(exc).__name__
        raise BackupError(f"{archive}: not a .tar.gz backup archive ({first})")


def _iter_members(
    archive: Path, sink: Path | None = None, wanted: set[str] | frozenset[str] = frozenset()
) -> Iterator[tuple[str, str, int, bytes | None]]:
    """Yield (name, sha256, size, manifest bytes or None) for each file member, copying the members
    named in ``wanted`` into ``sink`` / name. A damaged archive becomes a BackupError."""
    try:
        with _open_archive(archive) as tar:
            for member in tar:
                if member.isdir():
                    _member_kind(member.name.rstrip("/"))
                    continue
                if not member.isfile():
                    raise BackupError(f"the archive contains a link or special file: {member.name!r}")
                kind = _member_kind(member.name)
                if kind == "manifest" and member.size > 64 * CHUNK:
                    raise BackupError(f"{archive}: the manifest is implausibly large")
                f = tar.extractfile(member)
                assert f is not None
                digest = hashlib.sha256()
                kept = bytearray() if kind == "manifest" else None
                out = None
                if sink is not None and member.name in wanted:
                    target = sink / member.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    out = target.open("wb")
                try:
                    size = 0
                    while chunk := f.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        if out is not None:
                            out.write(chunk)
                        if kept is not None:
                            kept.extend(chunk)
                finally:
                    if out is not None:
                        out.close()
                yield member.name, digest.hexdigest(), size, (bytes(kept) if kept is not None else None)
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise BackupError(f"{archive}: the archive is damaged ({exc})")
    except OSError as exc:
        if sink is not None and exc.filename and Path(exc.filename) != archive:
            raise BackupError(f"cannot write {exc.filename}: {exc.strerror}", 1)
        raise BackupError(f"{archive}: the archive is damaged ({exc})")


def _read_manifest(archive: Path) -> tuple[dict[str, Any], dict[str, tuple[str, int]]]:
    found: dict[str, tuple[str, int]] = {}
    manifest_bytes: bytes | None = None
    for name, sha, size, data in _iter_members(archive):
        if name in found:
            raise BackupError(f"{archive}: the archive contains {name!r} twice")
        found[name] = (sha, size)
        if data is not None:
            manifest_bytes = data
    if manifest_bytes is None:
        raise BackupError(f"{archive}: no {MANIFEST} in the archive; this is not a Hộ Nghèo backup")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as exc:
        raise BackupError(f"{archive}: the manifest is not valid JSON ({exc})")
    if not isinstance(manifest, dict) or manifest.get("format") != "hongheo-backup":
        raise BackupError(f"{archive}: the manifest is not a Hộ Nghèo backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{archive}: backup format version {manifest.get('format_version')!r} is not supported "
            f"(this version reads {FORMAT_VERSION})"
        )
    return manifest, found


def _verify(archive: Path) -> dict[str, Any]:
    """Check everything that can be checked without touching the live system."""
    manifest, found = _read_manifest(archive)
    listed = manifest.get("members")
    if not isinstance(listed, dict):
        raise BackupError(f"{archive}: the manifest lists no members")
    for name, meta in listed.items():
        _member_kind(name)
        if name not in found:
            raise BackupError(f"{archive}: member {name!r} is listed in the manifest but missing")
        sha, size = found[name]
        if not isinstance(meta, dict) or meta.get("sha256") != sha or meta.get("size") != size:
            raise BackupError(f"{archive}: checksum mismatch for {name!r}; the archive is corrupted")
    extra = sorted(set(found) - set(listed) - {MANIFEST})
    if extra:
        raise BackupError(f"{archive}: members not listed in the manifest: {', '.join(extra[:5])}")
    vendor = _vendor()
    if manifest.get("database_vendor") != vendor:
        raise BackupError(
            f"{archive}: the backup is of a {manifest.get('database_vendor')!r} database but this "
            f"instance is configured for {vendor!r}"
        )
    if DB_MEMBERS[vendor] not in listed:
        raise BackupError(f"{archive}: the archive holds no database dump ({DB_MEMBERS[vendor]})")
    known = _known_migrations()
    unknown = sorted(
        f"{app}.{name}"
        for app, names in (manifest.get("migrations") or {}).items()
        for name in names
        if (app, name) not in known
    )
    if unknown:
        raise BackupError(
            f"{archive}: the backup was made by a newer version ({manifest.get('app_version')}) with "
            f"migrations this version does not know ({', '.join(unknown[:5])}); install that version first"
        )
    return manifest


def _database_has_data() -> bool:
    """Any row in a table of the project's own apps (users, areas, households, audit…)."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        tables = set(connection.introspection.table_names())
    except Exception:  # an unreachable database is reported by the restore itself
        return False
    for model in apps.get_models():
        if not model.__module__.startswith("hongheo."):
            continue
        if model._meta.db_table in tables and model._default_manager.using(DEFAULT_DB_ALIAS).exists():
            return True
    return False


def _restore_sqlite(dump: Path) -> None:
    live = _sqlite_path()
    live.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{live.name}.", suffix=".restore", dir=live.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(dump, tmp)
        check = sqlite3.connect(tmp)
        try:
            row = check.execute("PRAGMA integrity_check").fetchone()
            if not row or row[0] != "ok":
                raise BackupError(f"the database in the archive fails SQLite's integrity check: {row}")
            check.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"the database in the archive is not a valid SQLite database ({exc})")
        finally:
            check.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        connections.close_all()
        if live.exists():
            # Fold the write-ahead log into the file and leave WAL mode, so no stale -wal file can be
            # replayed onto the restored database. This needs exclusive access.
            conn = sqlite3.connect(live, timeout=5)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            except sqlite3.DatabaseError as exc:
                raise BackupError(
                    f"the database {live} is in use ({exc}); stop the web server and the job worker, "
                    f"then restore again",
                    1,
                )
            finally:
                conn.close()
            wal = live.with_name(live.name + "-wal")
            if mode.lower() != "delete" or (wal.exists() and wal.stat().st_size > 0):
                raise BackupError(
                    f"the database {live} is in use; stop the web server and the job worker, "
                    f"then restore again",
                    1,
                )
            _copy_owner_and_mode(live, tmp)
        else:
            os.chmod(tmp, 0o640)
        os.replace(tmp, live)
        for suffix in ("-wal", "-shm"):
            live.with_name(live.name + suffix).unlink(missing_ok=True)
        _fsync_dir(live.parent)
    finally:
        tmp.unlink(missing_ok=True)


def _restore_postgresql(dump: Path) -> None:
    tool = _pg_tool("pg_restore")
    connections.close_all()
    db_name = str(_db_settings()["NAME"])
    _run_pg(
        [tool, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
         f"--dbname={db_name}", str(dump)]
    )  # fmt: skip


def _swap_media(staged: Path, media_root: Path) -> None:
    """Replace MEDIA_ROOT's contents by the staged tree (rename when possible)."""
    media_root.parent.mkdir(parents=True, exist_ok=True)
    old = media_root.with_name(f".{media_root.name}.old-{os.getpid()}")
    if media_root.exists():
        _copy_owner_and_mode(media_root, staged)
        try:
            os.rename(media_root, old)
        except OSError:
            # MEDIA_ROOT is a mount point or not renameable: replace its entries one by one.
            for entry in list(media_root.iterdir()):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
            for entry in list(staged.iterdir()):
                os.rename(entry, media_root / entry.name)
            return
    else:
        os.chmod(staged, 0o755)  # noqa: S103  (as mkdir would make it; the web server serves media)
    os.rename(staged, media_root)
    shutil.rmtree(old, ignore_errors=True)


def backup_restore(*, archive_path: str | os.PathLike[str], force: bool) -> dict[str, Any]:
    """Verify ``archive_path`` completely, then restore the database and the media files."""
    archive = Path(archive_path).expanduser().resolve()
    manifest = _verify(archive)
    vendor = manifest["database_vendor"]
    if _database_has_data() and not force:
        raise BackupError(
            "the configured database already holds data; restoring would replace it. "
            "Make a backup of it first, then run the restore again with --force",
            1,
        )
    listed = manifest["members"]
    media_root = Path(settings.MEDIA_ROOT)
    media_names = {n for n in listed if n.startswith("media/")}
    db_member = DB_MEMBERS[vendor]
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # Staged next to MEDIA_ROOT (same file system, so the media swap is a rename).
    with tempfile.TemporaryDirectory(prefix=f".{media_root.name}.restore-", dir=media_root.parent) as work:
        staging = Path(work)
        # Extract, checking each checksum once more (the file could have changed since it was verified).
        for name, sha, size, _data in _iter_members(archive, staging, {db_member} | media_names):
            if name in listed and (listed[name]["sha256"] != sha or listed[name]["size"] != size):
                raise BackupError(f"{archive}: checksum mismatch for {name!r}; the archive is corrupted")
        staged_media = staging / "media"
        staged_media.mkdir(exist_ok=True)
        if vendor == "sqlite":
            _restore_sqlite(staging / db_member)
        else:
            _restore_postgresql(staging / db_member)
        _swap_media(staged_media, media_root)

    connections.close_all()
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        call_command("migrate", interactive=False, verbosity=0)

    from .audit import audit_write

    summary = {
        "archive": str(archive),
        "created_at": manifest.get("created_at"),
        "app_version": manifest.get("app_version"),
        "vendor": vendor,
        "media_files": len(media_names),
        "migrations_applied_after_restore": len(pending),
    }
    with transaction.atomic():
        audit_write(actor=None, action="system.restore", object_type="backup", object_id=archive.name[:64],
                    after=summary)  # fmt: skip
    return summary
