"""Refuse to start on a database that cannot be reached or is missing migrations."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import OperationalError


def require_migrated(alias: str = DEFAULT_DB_ALIAS) -> None:
    connection = connections[alias]
    try:
        plan = MigrationExecutor(connection).migration_plan(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
    except OperationalError as exc:
        raise CommandError(f"Không kết nối được cơ sở dữ liệu / cannot reach the database: {exc}")
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        raise CommandError(
            f"Cơ sở dữ liệu thiếu {len(plan)} migration ({names}…). Chạy: python manage.py migrate "
            f"/ the database is missing migrations; run: python manage.py migrate"
        )
