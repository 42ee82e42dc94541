"""The audit trail: one service that every write and every sensitive read goes through.

Services call :func:`audit_write` inside their own ``transaction.atomic`` block, so the audit row
commits or rolls back together with the change it describes.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from .context import current_request_id
from .models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


# Never in the trail (issue 8): password hashes, secrets, tokens, keys. A change shows as "changed".
# ``key`` is a device token's key (fieldwork.DeviceToken); ``pin_hash`` the portal PIN's hash.
SECRET_FIELDS = {
    "password",
    "secret",
    "secret_key",
    "token",
    "key",
    "api_key",
    "private_key",
    "session_key",
    "pin",
    "pin_hash",
}
SECRET_MARK = "[bí mật — không ghi]"  # noqa: S105 - a label, not a password


def _is_secret(name: str) -> bool:
    return name in SECRET_FIELDS or name.endswith(("_password", "_secret", "_token", "_pin", "_pin_hash"))


def is_secret_field(name: str) -> bool:
    """Whether :func:`snapshot` replaces this field by a mark (tests check every model with it)."""
    return _is_secret(name)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audited state of a model instance (concrete fields, FK as ids). Secret fields are never
    recorded: they appear as a mark with a short fingerprint, so a change is still visible."""
    import hashlib

    names = list(fields) if fields is not None else [f.attname for f in instance._meta.concrete_fields]
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(instance, name)
        if _is_secret(name):
            digest = hashlib.sha256(str(value).encode()).hexdigest()[:6] if value else ""
            out[name] = f"{SECRET_MARK} {digest}".strip()
        else:
            out[name] = _jsonable(value)
    return out


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[dict | None, dict | None]:
    """Keep only the fields that changed (both sides), so the trail stays readable."""
    if before is None or after is None:
        return before, after
    changed = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_username": getattr(actor, "username", "") or "system"}
    return {"actor": actor, "actor_username": actor.get_username()}


def audit_write(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    household_code: str = "",
    personal_id: str = "",
    area_code: str = "",
) -> AuditEvent:
    """Record a write. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_write must be called inside the service's transaction")
    event = audit_write_event(
        actor=actor,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        household_code=household_code,
        personal_id=personal_id,
        area_code=area_code,
    )
    event.save(force_insert=True)
    return event


def audit_write_event(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    household_code: str = "",
    personal_id: str = "",
    area_code: str = "",
) -> AuditEvent:
    """The unsaved row :func:`audit_write` stores, for a service that inserts it in the same
    statement as the change it records (:func:`hongheo.core.dbwrite.insert_together`)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    before, after = diff(_jsonable(before), _jsonable(after))
    return AuditEvent(
        kind=AuditEvent.Kind.WRITE,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        household_code=household_code,
        personal_id=personal_id,
        area_code=area_code,
        request_id=current_request_id(),
        **_actor_fields(actor),
    )


def audit_read(
    *,
    actor: Any,
    action: str,
    fields: Iterable[str],
    object_type: str = "",
    object_id: str = "",
    household_code: str = "",
    personal_id: str = "",
    area_code: str = "",
    kind: str = AuditEvent.Kind.READ,
    rows: int | None = None,
) -> AuditEvent:
    """Record a read of sensitive personal data (ethnicity, health, disability, income) or an export
    (``rows``: how many records left the system, kept in ``after``)."""
    return AuditEvent.objects.create(
        kind=kind,
        after={"rows": rows} if rows is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        fields=sorted(set(fields)),
        household_code=household_code,
        personal_id=personal_id,
        area_code=area_code,
        request_id=current_request_id(),
        **_actor_fields(actor),
    )


def audit_read_many(
    *, actor: Any, action: str, personal_ids: Iterable[str], fields: Iterable[str] = ("personal_id",)
) -> int:
    """One read row per ID number (a batch look-up, e.g. an import's matches outside the user's area)."""
    common = {
        "kind": AuditEvent.Kind.READ,
        "action": action,
        "fields": sorted(set(fields)),
        "request_id": current_request_id(),
        **_actor_fields(actor),
    }
    rows = [AuditEvent(personal_id=str(pid)[:12], **common) for pid in personal_ids if pid]
    AuditEvent.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@dataclass(frozen=True)
class AuditRow:
    """One object of a batch write for :func:`audit_write_many`."""

    obj: models.Model
    after: dict[str, Any] | None = None
    household_code: str = ""
    area_code: str = ""


def audit_write_many(*, actor: Any, action: str, rows: Iterable[AuditRow]) -> int:
    """One write row per object of a batch (the same action), in one insert. Must run inside the
    caller's transaction, like :func:`audit_write`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_write_many must be called inside the service's transaction")
    events = [
        audit_write_event(
            actor=actor,
            action=action,
            obj=r.obj,
            after=r.after,
            household_code=r.household_code,
            area_code=r.area_code,
        )
        for r in rows
    ]
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)
