"""Writers for Phiếu A / Phiếu B data: import (draft), re-import into a draft, publish.

Each validates everything first (every bad row is reported, nothing is saved), writes and audits in
one transaction. Published versions are never changed; a new version supersedes them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_write
from hongheo.core.errors import Conflict, PermissionDenied, ValidationError
from hongheo.standards.rules.catalog import StandardError, get_standard
from hongheo.standards.rules.scoring import (
    RowError,
    RowsInvalid,
    build_score_table,
    build_screening_list,
)
from hongheo.standards.rules.scoring import (
    ScoreTable as ScoreTableData,
)
from hongheo.standards.rules.scoring import (
    ScreeningList as ScreeningListData,
)

from .access import user_can_manage_survey_forms
from .models import Provenance, ScoreTable, ScreeningList, Status, _VersionedForm
from .workbook import WorkbookUnreadable, read_score_workbook, read_screening_workbook

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")

F = TypeVar("F", bound=_VersionedForm)


@dataclass(frozen=True)
class _Upload:
    content: bytes
    name: str
    sha256: str


def _read_upload(file: Any) -> _Upload:
    if isinstance(file, bytes | bytearray):
        content, name = bytes(file), ""
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        content = file.read()
        name = str(getattr(file, "name", "") or "").rsplit("/", 1)[-1]
    if not content:
        raise ValidationError(_("Tệp rỗng."), code="empty_file")
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("Tệp lớn hơn 10 MB."), code="file_too_large")
    return _Upload(content, name[:255], hashlib.sha256(content).hexdigest())


def _rows_error(errors: list[RowError]) -> ValidationError:
    bad_rows = sorted(
        {(e.sheet, e.row) for e in errors if e.row is not None}, key=lambda t: (t[0], t[1] or 0)
    )
    return ValidationError(
        _("Tệp có %(count)s lỗi ở %(count2)s dòng; chưa lưu gì. Sửa các dòng dưới đây rồi nhập lại.")
        % {"count": len(errors), "count2": len(bad_rows)},
        code="invalid_rows",
        details={"rows": [e.as_dict() for e in errors]},
    )


def _check_manager(actor: Any) -> None:
    if not user_can_manage_survey_forms(actor):
        raise PermissionDenied(_("Chỉ quản trị hệ thống được nhập và công bố Phiếu A, Phiếu B."))


def _check_header(
    *, standard_code: str, code: str, title: str, official: bool, document_reference: str, is_sample: bool
) -> None:
    try:
        get_standard(standard_code)
    except StandardError as exc:
        raise ValidationError(str(exc), code="unknown_standard")
    if not CODE_RE.match(code):
        raise ValidationError(
            _("Mã %(code)s không hợp lệ (chữ thường, số, '-').") % {"code": repr(code)}, code="bad_code"
        )
    if not title.strip():
        raise ValidationError(_("Hãy ghi tên."), code="missing_title")
    if official and not document_reference.strip():
        raise ValidationError(
            _("Chỉ đánh dấu chính thức khi ghi số hiệu văn bản nguồn (phụ lục chính thức)."),
            code="missing_document_reference",
        )
    if official and is_sample:
        raise ValidationError(
            _("Tệp này là MẪU THỬ, không thể nhập như số liệu chính thức."), code="sample_not_official"
        )


def _save_version(
    model: type[F],
    *,
    actor: Any,
    kind: str,
    data: dict[str, Any],
    upload: _Upload,
    standard_code: str,
    code: str,
    title: str,
    official: bool,
    document_reference: str,
    source_note: str,
    is_sample: bool,
    into: F | None,
    counts: dict[str, int],
) -> F:
    fields = {
        "standard_code": standard_code,
        "title": title.strip(),
        "provenance": Provenance.OFFICIAL if official else Provenance.UNOFFICIAL,
        "document_reference": document_reference.strip(),
        "source_note": source_note.strip(),
        "is_sample": is_sample,
        "data": data,
        "file_name": upload.name,
        "file_sha256": upload.sha256,
    }
    summary = {k: v for k, v in fields.items() if k != "data"} | counts
    if into is not None:
        obj = model._default_manager.select_for_update().get(pk=into.pk)
        if obj.status == Status.PUBLISHED:
            raise Conflict(
                _("%(code)s phiên bản %(version)s đã công bố, không được nhập đè; hãy nhập phiên bản mới.")
                % {"code": obj.code, "version": obj.version},
                code="published",
            )
        before = {k: getattr(obj, k) for k in fields if k != "data"} | obj_counts(obj)
        for k, v in fields.items():
            setattr(obj, k, v)
        obj.imported_by = actor
        obj.save()
        audit_write(actor=actor, action=f"{kind}.reimport", obj=obj, before=before, after=summary)
        return obj
    last = model._default_manager.filter(code=code).aggregate(v=Max("version"))["v"] or 0
    obj = model._default_manager.create(code=code, version=last + 1, imported_by=actor, **fields)
    audit_write(
        actor=actor,
        action=f"{kind}.import",
        obj=obj,
        after={"code": code, "version": obj.version} | summary,
    )
    return obj


def obj_counts(obj: _VersionedForm) -> dict[str, int]:
    data = obj.data or {}
    if "items" in data:
        return {"items": len(data["items"]), "answers": sum(len(i["answers"]) for i in data["items"])}
    criteria = data.get("criteria", [])
    return {"criteria": len(criteria), "answers": sum(len(c["answers"]) for c in criteria)}


@transaction.atomic
def score_table_import(
    *,
    actor: Any,
    file: Any,
    standard_code: str,
    title: str,
    code: str = "",
    official: bool = False,
    document_reference: str = "",
    source_note: str = "",
    into: ScoreTable | None = None,
) -> ScoreTable:
    """Import a Phiếu B score table from the product's xlsx template as a new draft version (or into
    the draft ``into``). Raises :class:`ValidationError` with ``details["rows"]`` listing every bad
    row; nothing is saved then."""
    _check_manager(actor)
    code = (into.code if into is not None else code.strip()) or f"{standard_code}-phieu-b"
    upload = _read_upload(file)
    try:
        parsed = read_score_workbook(upload.content)
    except WorkbookUnreadable as exc:
        raise ValidationError(str(exc), code="unreadable")
    _check_header(
        standard_code=standard_code,
        code=code,
        title=title,
        official=official,
        document_reference=document_reference,
        is_sample=parsed.is_sample,
    )
    if parsed.errors:
        raise _rows_error(parsed.errors)
    try:
        table = build_score_table(
            parsed.points, parsed.questions, regions=parsed.regions, header_row=parsed.header_row
        )
    except RowsInvalid as exc:
        raise _rows_error(exc.errors)
    counts = {"items": len(table.items), "answers": sum(len(i.answers) for i in table.items)}
    return _save_version(
        ScoreTable,
        actor=actor,
        kind="score_table",
        data=table.as_dict(),
        upload=upload,
        standard_code=standard_code,
        code=code,
        title=title,
        official=official,
        document_reference=document_reference,
        source_note=source_note,
        is_sample=parsed.is_sample,
        into=into,
        counts=counts,
    )


@transaction.atomic
def screening_list_import(
    *,
    actor: Any,
    file: Any,
    standard_code: str,
    title: str,
    code: str = "",
    official: bool = False,
    document_reference: str = "",
    source_note: str = "",
    into: ScreeningList | None = None,
) -> ScreeningList:
    """Import Phiếu A screening criteria from the template (sheet "Phiếu A - Tiêu chí")."""
    _check_manager(actor)
    code = (into.code if into is not None else code.strip()) or f"{standard_code}-phieu-a"
    upload = _read_upload(file)
    try:
        parsed = read_screening_workbook(upload.content)
    except WorkbookUnreadable as exc:
        raise ValidationError(str(exc), code="unreadable")
    _check_header(
        standard_code=standard_code,
        code=code,
        title=title,
        official=official,
        document_reference=document_reference,
        is_sample=parsed.is_sample,
    )
    if parsed.errors:
        raise _rows_error(parsed.errors)
    try:
        listing = build_screening_list(parsed.rows)
    except RowsInvalid as exc:
        raise _rows_error(exc.errors)
    counts = {"criteria": len(listing.criteria), "answers": sum(len(c.answers) for c in listing.criteria)}
    return _save_version(
        ScreeningList,
        actor=actor,
        kind="screening_list",
        data=listing.as_dict(),
        upload=upload,
        standard_code=standard_code,
        code=code,
        title=title,
        official=official,
        document_reference=document_reference,
        source_note=source_note,
        is_sample=parsed.is_sample,
        into=into,
        counts=counts,
    )


def _publish(model: type[F], *, actor: Any, obj: F, kind: str) -> F:
    _check_manager(actor)
    locked = model._default_manager.select_for_update().filter(pk=obj.pk).first()
    if locked is None:
        raise ValidationError(_("Không tìm thấy phiên bản cần công bố."), code="not_found")
    if locked.status == Status.PUBLISHED:
        raise Conflict(
            _("%(code)s phiên bản %(version)s đã công bố.")
            % {"code": locked.code, "version": locked.version},
            code="published",
        )
    # The stored content must still build (guards against hand-edited rows).
    if kind == "score_table":
        ScoreTableData.from_dict(locked.data)
    else:
        ScreeningListData.from_dict(locked.data)
    superseded = list(
        model._default_manager.filter(code=locked.code, status=Status.PUBLISHED, version__lt=locked.version)
        .order_by("version")
        .values_list("version", flat=True)
    )
    newer = model._default_manager.filter(
        code=locked.code, status=Status.PUBLISHED, version__gt=locked.version
    ).exists()
    if newer:
        raise Conflict(
            _("Đã có phiên bản mới hơn của %(code)s được công bố; không công bố bản cũ.")
            % {"code": locked.code},
            code="stale",
        )
    locked.status = Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = actor
    locked.save(update_fields=["status", "published_at", "published_by"])
    audit_write(
        actor=actor,
        action=f"{kind}.publish",
        obj=locked,
        before={"status": Status.DRAFT},
        after={
            "status": Status.PUBLISHED,
            "code": locked.code,
            "version": locked.version,
            "standard_code": locked.standard_code,
            "provenance": locked.provenance,
            "supersedes_versions": superseded,
        },
    )
    return locked


@transaction.atomic
def score_table_publish(*, actor: Any, table: ScoreTable) -> ScoreTable:
    """Publish a draft score table; it is frozen from then on and supersedes older versions."""
    return _publish(ScoreTable, actor=actor, obj=table, kind="score_table")


@transaction.atomic
def screening_list_publish(*, actor: Any, screening_list: ScreeningList) -> ScreeningList:
    """Publish a draft screening list (Phiếu A); frozen from then on."""
    return _publish(ScreeningList, actor=actor, obj=screening_list, kind="screening_list")
