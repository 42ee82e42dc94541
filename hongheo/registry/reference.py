"""Reference lists an administrator corrects as data for this instance (service: write + audit).

Today: the list of 54 ethnic groups (``ethnicity.py``). The corrected file lives in
``HONGHEO_REFERENCE_DIR`` and takes precedence over the shipped one; loading it is refused, with
nothing written, when the file is malformed or when a value already stored in the registry would no
longer be its group's name (a rename would leave stored values behind: keep ``label_vi``, put the
new spelling in ``aliases``)."""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_write
from hongheo.core.errors import PermissionDenied, ValidationError

from . import ethnicity
from .models import Member


def _summary(data: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "version": data.get("version"),
        "status": (data.get("provenance") or {}).get("status"),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
    }


def ethnic_groups_load(*, actor: Any, text: str) -> dict[str, Any]:
    """Make ``text`` (a corrected ethnic_groups.json) this instance's list; audited."""
    if actor is None or not (actor.is_superuser or getattr(actor, "role", "") == "administrator"):
        raise PermissionDenied(_("Chỉ quản trị viên được nạp danh mục dân tộc."))
    target = ethnicity.override_path()
    if target is None:
        raise ValidationError(_("Chưa cấu hình thư mục danh mục (HONGHEO_REFERENCE_DIR)."))
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValidationError(_("Tệp không phải JSON hợp lệ: %(error)s") % {"error": exc}) from None
    problems = ethnicity.check(data)
    if problems:
        raise ValidationError(
            _("Danh mục dân tộc không hợp lệ: %(problems)s") % {"problems": "; ".join(problems[:10])}
        )
    index = {
        ethnicity.key(name): g["label_vi"]
        for g in data["groups"]
        for name in [g["label_vi"], g["code"], *g.get("aliases", [])]
    }
    stored = Member.objects.exclude(ethnicity="").values("ethnicity").annotate(n=Count("id"))
    lost = sorted(
        f"{r['ethnicity']} ({r['n']})"
        for r in stored
        if ethnicity.canonical_or_none(r["ethnicity"]) is not None
        and index.get(ethnicity.key(r["ethnicity"])) != r["ethnicity"]
    )
    if lost:
        raise ValidationError(
            _(
                "Danh mục mới đổi tên hoặc bỏ các dân tộc đang được dùng trong sổ hộ: %(groups)s. "
                "Giữ nguyên label_vi của chúng (cách viết mới đặt vào aliases)."
            )
            % {"groups": ", ".join(lost[:20])}
        )
    before_text = target.read_text(encoding="utf-8") if target.exists() else ethnicity.shipped_text()
    before = _summary(json.loads(before_text), before_text)
    old = {g["label_vi"]: g for g in json.loads(before_text)["groups"]}
    changed = sorted(g["label_vi"] for g in data["groups"] if old.get(g["label_vi"]) != g)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        with transaction.atomic():
            audit_write(
                actor=actor,
                action="registry.ethnic_groups_load",
                object_type="registry.ethnic_groups",
                object_id=str(target.name),
                before=before,
                after={**_summary(data, text), "changed": changed},
            )
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return {**_summary(data, text), "changed": changed}
