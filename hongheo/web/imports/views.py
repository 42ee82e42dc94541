"""Pages of the import of existing lists (nhập danh sách): upload, column mapping, progress and
result, template and rejected-rows downloads. Thin: parse, authorise, call a service, render."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from hongheo.capture.imports import mapping as mapping_mod
from hongheo.capture.imports import reading
from hongheo.capture.imports.fields import BY_KEY, LAYOUT_MEMBER, LAYOUTS, heading, layout_fields
from hongheo.capture.imports.models import ImportBatch, ImportMapping
from hongheo.capture.imports.services import (
    import_batch_for,
    import_set_mapping,
    import_upload,
    mappings_for,
)
from hongheo.capture.imports.template import template_workbook
from hongheo.core.audit import audit_read
from hongheo.core.errors import NotFound, PermissionDenied, ValidationError
from hongheo.core.models import AuditEvent
from hongheo.users.access import user_can_write_households
from hongheo.users.models import User

from ..errors import domain_errors

SAMPLE_ROWS = 5
VALUE_ROWS = 5000
MAX_VALUES = mapping_mod.MAX_DISTINCT_SHOWN
TEMPLATE_SLUGS = {"nhan-khau": "member", "ho": "household"}


def _require_importer(request: HttpRequest) -> None:
    if not user_can_write_households(request.user):
        raise PermissionDenied(_("Bạn không có quyền nhập danh sách hộ gia đình."))


@login_required
@domain_errors
def import_start_view(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("tep")
        saved: ImportMapping | None = None
        if request.POST.get("mau_ghep"):
            saved = mappings_for(request.user).filter(pk=request.POST["mau_ghep"]).first()
            if saved is None:
                raise NotFound(_("Không tìm thấy mẫu ghép cột."))
        if upload is None:
            error = _("Chưa chọn tệp.")
        else:
            try:
                batch = import_upload(
                    actor=request.user,
                    name=upload.name or "",
                    data=upload.read(),
                    saved_mapping=saved,
                    create_villages=request.POST.get("tao_thon_moi") == "1",
                )
            except ValidationError as exc:
                error = str(exc.message)
            else:
                if batch.state == ImportBatch.State.MAPPING:
                    return redirect("web:import_mapping", pk=batch.pk)
                return redirect("web:import_detail", pk=batch.pk)
    batches = ImportBatch.objects.filter(created_by=cast(User, request.user)).order_by("-created_at")[:20]
    return render(
        request,
        "web/imports/start.html",
        {
            "error": error,
            "mappings": mappings_for(request.user),
            "batches": batches,
            "max_mb": reading.DEFAULT_MAX_BYTES // 1_048_576,
        },
        status=422 if error else 200,
    )


@login_required
@domain_errors
def import_template_view(request: HttpRequest, layout: str) -> HttpResponse:
    if layout not in TEMPLATE_SLUGS:
        raise NotFound(_("Không tìm thấy mẫu."))
    response = HttpResponse(
        template_workbook(TEMPLATE_SLUGS[layout]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="mau-nhap-danh-sach-{layout}.xlsx"'
    return response


def _read_preview(batch: ImportBatch, rows: int) -> reading.ReadResult:
    with batch.file.open("rb") as fh:
        data = fh.read()
    return reading.read_table(batch.file_name, data, limit=rows)


def _posted_mapping(request: HttpRequest, columns: list[str], layout: str) -> dict[str, Any]:
    chosen = {c: request.POST.get(f"col-{i}", "") for i, c in enumerate(columns)}
    values: dict[str, dict[str, str]] = {}
    for name in request.POST:
        raw = request.POST.get(name, "")
        if name.startswith("raw-"):
            _prefix, key, index = name.split("-", 2)
            code = request.POST.get(f"val-{key}-{index}", "")
            if code:
                values.setdefault(key, {})[raw] = code
    return {"layout": layout, "columns": {c: k for c, k in chosen.items() if k}, "values": values}


@login_required
@domain_errors
def import_mapping_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    _require_importer(request)
    batch = import_batch_for(request.user, pk)
    if batch.state != ImportBatch.State.MAPPING:
        return redirect("web:import_detail", pk=batch.pk)
    preview = _read_preview(batch, VALUE_ROWS)
    columns = preview.columns
    layout = request.POST.get("layout") or LAYOUT_MEMBER
    if layout not in LAYOUTS:
        layout = LAYOUT_MEMBER
    problems: list[str] = []
    if request.method == "POST":
        mapping = _posted_mapping(request, columns, layout)
        if request.POST.get("action") == "run":
            try:
                import_set_mapping(
                    actor=request.user, batch=batch, mapping=mapping, save_as=request.POST.get("save_as", "")
                )
            except ValidationError as exc:
                problems = exc.details.get("problems") or [str(exc.message)]
            else:
                messages.success(request, _("Đã xếp hàng nhập danh sách."))
                return redirect("web:import_detail", pk=batch.pk)
    else:
        mapping = {"layout": layout, "columns": mapping_mod.suggest_columns(columns, layout), "values": {}}
    chosen = mapping["columns"]
    rows = []
    for i, column in enumerate(columns):
        samples = preview.frame.get_column(column).drop_nulls().head(SAMPLE_ROWS).to_list()
        rows.append({"index": i, "name": column, "samples": samples, "field": chosen.get(column, "")})
    value_sections = []
    for column, key in chosen.items():
        if not key or BY_KEY[key].kind not in ("code", "class", "bool"):
            continue
        distinct = preview.frame.get_column(column).drop_nulls().unique(maintain_order=True).head(MAX_VALUES)
        given = mapping["values"].get(key, {})
        items = []
        for j, raw in enumerate(distinct.to_list()):
            items.append(
                {
                    "index": j,
                    "raw": raw,
                    "code": given.get(raw) or mapping_mod.suggest_value(key, raw),
                }
            )
        value_sections.append(
            {
                "key": key,
                "column": column,
                "label": heading(BY_KEY[key], layout),
                "items": items,
                "choices": mapping_mod.value_choices(key),
            }
        )
    fields = [(f.key, heading(f, layout) + (" *" if f.required else "")) for f in layout_fields(layout)]
    return render(
        request,
        "web/imports/mapping.html",
        {
            "batch": batch,
            "rows": rows,
            "fields": fields,
            "layout": layout,
            "layouts": LAYOUTS.items(),
            "value_sections": value_sections,
            "problems": problems,
            "save_as": request.POST.get("save_as", ""),
        },
        status=422 if problems else 200,
    )


@login_required
@domain_errors
def import_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = import_batch_for(request.user, pk)
    result = batch.result or {}
    communes = result.get("communes") or []
    households_url = reverse("web:household_list") + (f"?xa={communes[0]}" if len(communes) == 1 else "")
    return render(
        request,
        "web/imports/detail.html",
        {"batch": batch, "job": batch.job, "result": result, "households_url": households_url},
    )


@login_required
@domain_errors
def import_rejected_view(request: HttpRequest, pk: int) -> FileResponse:
    """The rejected rows are personal data: served only to the user who imported them."""
    batch = import_batch_for(request.user, pk)
    if not batch.rejected_file:
        raise NotFound(_("Lần nhập không có dòng bị từ chối."))
    audit_read(
        actor=request.user,
        action="capture.import_rejected_download",
        fields=["personal_id", "full_name", "date_of_birth", "ethnicity", "income_per_capita"],
        object_type="capture.importbatch",
        object_id=str(batch.pk),
        kind=AuditEvent.Kind.EXPORT,
        rows=int((batch.result or {}).get("rows_rejected") or 0),
    )
    return FileResponse(
        batch.rejected_file.open("rb"),
        as_attachment=True,
        filename=batch.rejected_file.name.rsplit("/", 1)[-1],
    )
