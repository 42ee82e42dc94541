"""Several new rows written in one statement, for hot paths where each round trip to the database
counts (the portal's accept path: the submission and its audit row)."""

from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction
from django.db.models.sql import InsertQuery


def can_insert_together() -> bool:
    return connection.vendor == "postgresql"


def insert_together(*objs: models.Model) -> None:
    """PostgreSQL: insert new rows, of different tables, with one statement (data-modifying WITH
    clauses): they commit or fail together, in autocommit without a BEGIN/COMMIT round trip, or
    inside the caller's transaction. A row another refers to must carry its primary key already;
    a row without one gets it from the database (not read back). Field defaults, ``auto_now`` and
    the database's constraints apply as with ``save()``; no signals are sent."""
    if not can_insert_together():
        raise RuntimeError("insert_together needs PostgreSQL")
    parts: list[str] = []
    params: list[Any] = []
    for obj in objs:
        meta = obj._meta
        fields = [f for f in meta.local_concrete_fields if not (f is meta.auto_field and obj.pk is None)]
        query = InsertQuery(type(obj))
        query.insert_values(fields, [obj])
        [(sql, values)] = query.get_compiler(connection=connection).as_sql()
        parts.append(sql)
        params.extend(values)
    head = ", ".join(f"w{n} AS ({sql})" for n, sql in enumerate(parts[:-1]))
    statement = f"WITH {head} {parts[-1]}" if head else parts[-1]
    if connection.in_atomic_block:  # a savepoint, so that a refused insert leaves the caller usable
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    else:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
