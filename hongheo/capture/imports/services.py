"""Writers of the import domain (house rule 1): upload, mapping, run. Views and the job only
parse, authorise, call and render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongheo.core.audit import audit_write
from hongheo.core.errors import NotFound, PermissionDenied, ValidationError
from hongheo.core.jobs import Progress, job_enqueue
from hongheo.core.xlsx import ParseTooBig, archive_limits, run_limited
from hongheo.users.access import scope_paths, user_can_write_households

from . import engine, reading
from . import mapping as mapping_mod
from .models import ImportBatch, ImportMapping

JOB_KIND = "capture.import_households"
PREVIEW_ROWS = 200
PHASES = {"read": (0.0, 0.08), "validate": (0.08, 0.35), "write": (0.35, 0.99)}


def max_bytes() -> int:
    return int(getattr(settings, "HONGHEO_IMPORT_MAX_BYTES", reading.DEFAULT_MAX_BYTES))


def read_in_worker(name: str, data: bytes) -> reading.ReadResult:
    """The whole file is parsed by the job, an Excel file in a child process under a memory ceiling
    (``HONGHEO_PARSE_MEMORY_MB``): a hostile file fails there with a clear message."""
    limits = archive_limits()
    if reading.file_kind(name, data) != "xlsx":
        return reading.read_table(name, data, max_bytes=max_bytes(), archive=limits)
    reading.check_archive_or_refuse(data, limits)
    try:
        return run_limited(
            reading.read_table,
            name,
            data,
            max_bytes=max_bytes(),
            archive=limits,
            memory_mb=int(getattr(settings, "HONGHEO_PARSE_MEMORY_MB", 2048)),
        )
    except ParseTooBig as exc:
        raise reading.ImportFileError(str(exc)) from exc


def _check_importer(actor: Any) -> None:
    if not user_can_write_households(actor):
        raise PermissionDenied(_("Bạn không có quyền nhập danh sách hộ gia đình."))


def import_batch_for(actor: Any, pk: Any) -> ImportBatch:
    """An import of the user's own ("not found" and "not yours" look the same)."""
    try:
        batch = ImportBatch.objects.select_related("job").get(pk=int(pk), created_by=actor)
    except (ValueError, TypeError, ImportBatch.DoesNotExist):
        raise NotFound(_("Không tìm thấy lần nhập."))
    return batch


def mappings_for(actor: Any) -> Any:
    return ImportMapping.objects.filter(created_by=actor).order_by("name")


def import_upload(
    *,
    actor: Any,
    name: str,
    data: bytes,
    saved_mapping: ImportMapping | None = None,
    create_villages: bool = False,
) -> ImportBatch:
    """Receive a file: check it can be read (format, encoding, size, not empty), keep it, and
    queue the import when its layout is known (the product's template, or a saved mapping);
    otherwise the batch waits for the mapping step.

    The file is parsed and hashed, and stored, BEFORE the one short write transaction: on SQLite a
    write transaction holds the database's only write lock, and parsing a large upload inside it
    would make every other user's login wait."""
    _check_importer(actor)
    preview = reading.read_table(
        name, data, max_bytes=max_bytes(), limit=PREVIEW_ROWS, archive=archive_limits()
    )
    mapping: dict[str, Any] = {}
    if saved_mapping is not None:
        if saved_mapping.created_by_id != getattr(actor, "pk", None):
            raise NotFound(_("Không tìm thấy mẫu ghép cột."))
        mapping = saved_mapping.as_mapping()
        problems = mapping_mod.validate_mapping(mapping, preview.columns)
        if problems:
            raise ValidationError(
                _("Mẫu ghép cột “%(name)s” không khớp tệp: %(problems)s")
                % {"name": saved_mapping.name, "problems": " ".join(problems)}
            )
    else:
        layout = mapping_mod.detect_template(preview.columns)
        if layout:
            mapping = mapping_mod.template_mapping(preview.columns, layout)
    batch = ImportBatch(
        created_by=actor,
        file_name=name[-255:],
        file_size=len(data),
        file_sha256=reading.sha256(data),
        scope_key=scope_key(actor, create_villages=create_villages),
        columns=preview.columns,
        saved_mapping=saved_mapping,
        result={
            "warnings": preview.warnings,
            "encoding": preview.encoding,
            "kind": preview.kind,
            "create_villages": bool(create_villages),
        },
    )
    batch.file.save(f"nhap-{timezone.now():%Y%m%d-%H%M%S}.{preview.kind}", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            batch.save()
            audit_write(
                actor=actor,
                action="capture.import_upload",
                obj=batch,
                after={"file": batch.file_name, "sha256": batch.file_sha256, "size": batch.file_size},
            )
            if mapping:
                _enqueue(actor, batch, mapping)
    except BaseException:
        batch.file.delete(save=False)  # nothing recorded: keep no orphan file
        raise
    return batch


@transaction.atomic
def import_set_mapping(
    *, actor: Any, batch: ImportBatch, mapping: dict[str, Any], save_as: str = ""
) -> ImportBatch:
    """Set the column mapping (and value maps) of a waiting import, optionally save it under a
    name for reuse, and queue the import."""
    _check_importer(actor)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.created_by_id != actor.pk:
        raise NotFound(_("Không tìm thấy lần nhập."))
    if batch.state != ImportBatch.State.MAPPING:
        raise ValidationError(_("Lần nhập này đã được chạy."))
    problems = mapping_mod.validate_mapping(mapping, batch.columns)
    if problems:
        raise ValidationError(" ".join(problems), details={"problems": problems})
    save_as = " ".join(save_as.split())[:120]
    if save_as:
        saved, _created = ImportMapping.objects.update_or_create(
            created_by=actor,
            name=save_as,
            defaults={
                "layout": mapping["layout"],
                "columns": mapping["columns"],
                "values": mapping.get("values", {}),
            },
        )
        batch.saved_mapping = saved
        audit_write(actor=actor, action="capture.import_mapping_save", obj=saved, after=saved.as_mapping())
    _enqueue(actor, batch, mapping)
    return batch


def _enqueue(actor: Any, batch: ImportBatch, mapping: dict[str, Any]) -> None:
    batch.mapping = mapping
    batch.mapping_hash = mapping_mod.mapping_hash(mapping)
    earlier = _earlier_import(batch)
    if earlier is not None:
        batch.state = ImportBatch.State.DUPLICATE
        batch.duplicate_of = earlier
        batch.result = {
            **batch.result,
            "duplicate_of": earlier.pk,
            "imported_at": earlier.updated_at.isoformat(),
        }
        batch.save()
        audit_write(
            actor=actor, action="capture.import_duplicate", obj=batch, after={"duplicate_of": earlier.pk}
        )
        return
    job = job_enqueue(
        actor=actor,
        kind=JOB_KIND,
        title=f"Nhập danh sách hộ từ tệp {batch.file_name}"[:200],
        params={"batch_id": batch.pk},
    )
    batch.job = job
    batch.state = ImportBatch.State.QUEUED
    batch.save()


def _earlier_import(batch: ImportBatch) -> ImportBatch | None:
    """The same bytes with the same mapping, imported before by someone with the same area as the
    uploader (issue 8): a file that another commune imported is still imported for this one, and
    nothing tells the uploader that someone elsewhere had it."""
    return (
        ImportBatch.objects.filter(
            file_sha256=batch.file_sha256,
            mapping_hash=batch.mapping_hash,
            scope_key=batch.scope_key,
            state=ImportBatch.State.DONE,
        )
        .exclude(pk=batch.pk)
        .first()
    )


def scope_key(actor: Any, *, create_villages: bool = False) -> str:
    """The uploader's area, and the options that change what an import does ("tạo thôn mới"): the
    same file re-imported with the box ticked is not "the same import again"."""
    import hashlib

    text = "|".join(scope_paths(actor)) + ("#create_villages" if create_villages else "")
    return hashlib.sha256(text.encode()).hexdigest()


def import_run(
    *,
    batch: ImportBatch,
    progress: Progress | None = None,
    today: dt.date | None = None,
    scratch: Any = None,
) -> dict[str, Any]:
    """The job's body: read and validate (no transaction open), then write in one transaction and
    keep the rejected rows. Safe to run again: a batch already written is not written twice (its
    state is DONE in the same transaction as its rows), and a killed run wrote nothing."""
    actor = batch.created_by
    today = today or timezone.localdate()

    def report(phase: str, fraction: float, message: str) -> None:
        if progress is None:
            return
        lo, hi = PHASES[phase]
        progress.advance(int(1000 * (lo + (hi - lo) * min(max(fraction, 0.0), 1.0))), message, force=True)

    batch.refresh_from_db()
    if batch.state in (ImportBatch.State.DONE, ImportBatch.State.DUPLICATE):
        # A retried job whose first run committed (killed after the write): nothing to do again.
        return {"batch_id": batch.pk, **batch.result, "already_done": True}
    if progress is not None:
        progress.total(1000)
    created_villages_allowed = bool((batch.result or {}).get("create_villages"))
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportBatch.State.RUNNING, error="")
    try:
        earlier = _earlier_import(batch)
        if earlier is not None:
            ImportBatch.objects.filter(pk=batch.pk).update(
                state=ImportBatch.State.DUPLICATE, duplicate_of=earlier
            )
            return {"batch_id": batch.pk, "duplicate_of": earlier.pk}
        _check_importer(actor)
        report("read", 0.0, "Đang đọc tệp")
        with batch.file.open("rb") as fh:
            data = fh.read()
        read = read_in_worker(batch.file_name, data)
        del data
        report("read", 1.0, f"Đã đọc {read.frame.height:,} dòng".replace(",", "."))
        # unknown village names are row errors unless the uploader ticked "tạo thôn mới" (issue 8)
        options = {**batch.mapping, "create_villages": bool(created_villages_allowed)}
        plan = engine.validate(read, options, user=actor, today=today, progress=report)
        report("validate", 1.0, "Đã kiểm tra xong, đang ghi")
        outcome = plan.outcome
        rejected_name = ""
        if outcome.rows_rejected:
            path = engine.scratch_path(".xlsx", folder=scratch)
            try:
                engine.rejected_workbook(read, plan, path)
                stem = batch.file_name.rsplit(".", 1)[0][:80]
                with path.open("rb") as fh:
                    batch.rejected_file.save(
                        f"dong-bi-tu-choi-{stem}.xlsx", ContentFile(fh.read()), save=False
                    )
                rejected_name = batch.rejected_file.name
            finally:
                path.unlink(missing_ok=True)
        source = f"Danh sách nhập từ tệp {batch.file_name} (lần nhập {batch.pk})"
        with transaction.atomic():
            engine.write(plan, actor=actor, batch_id=batch.pk, source=source, today=today, progress=report)
            result = {"batch_id": batch.pk, **outcome.as_dict()}
            audit_write(
                actor=actor,
                action="capture.import_summary",
                obj=batch,
                after={k: v for k, v in result.items() if k != "timings"},
            )
            ImportBatch.objects.filter(pk=batch.pk).update(
                state=ImportBatch.State.DONE,
                result={**batch.result, **result},
                rejected_file=rejected_name,
                updated_at=timezone.now(),
            )
        if batch.job_id and rejected_name:
            from hongheo.core.models import Job

            Job.objects.filter(pk=batch.job_id).update(result_file=rejected_name)
        report("write", 1.0, "Đã nhập xong")
        return result
    except Exception as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(state=ImportBatch.State.FAILED, error=str(exc)[:2000])
        raise


def import_interrupted(*, batch_id: Any, error: str) -> None:
    """The worker running this import died (job interrupted): the write transaction was rolled
    back, so the batch is failed with the job's reason and can be run again."""
    ImportBatch.objects.filter(
        pk=batch_id, state__in=[ImportBatch.State.QUEUED, ImportBatch.State.RUNNING]
    ).update(state=ImportBatch.State.FAILED, error=error[:2000], updated_at=timezone.now())
