"""Background job kinds of the registry."""

from __future__ import annotations

from typing import Any

from hongheo.core.jobs import Progress, job_handler
from hongheo.core.models import Job

from .demo import population_load


@job_handler("registry.synth_load")
def synth_load(job: Job, progress: Progress) -> dict[str, Any]:
    """Generate and load a synthetic population (demo and training instances)."""
    params = job.params
    total = int(params["households"])
    progress.total(total)
    progress.log(f"Sinh dữ liệu mô phỏng cho tỉnh {params['province']}: {total} hộ")
    result = population_load(
        actor=job.created_by,
        province_code=int(params["province"]),
        households=total,
        communes=params.get("communes"),
        seed=int(params.get("seed", 1)),
        on_progress=lambda n: progress.advance(n, f"Đã ghi {n}/{total} hộ"),
    )
    progress.log(f"Đã ghi {result['households']} hộ, {result['members']} nhân khẩu")
    return result


@job_handler("registry.export_households")
def export_households(job: Job, progress: Progress) -> dict[str, Any]:
    """Export a household list (with members) the user may see to Excel (xuất danh sách hộ)."""
    import tempfile
    from pathlib import Path

    from django.core.files import File
    from openpyxl import Workbook

    from hongheo.core.audit import audit_read
    from hongheo.core.models import AuditEvent
    from hongheo.users.models import User

    from .codes import label
    from .models import Member
    from .selectors import household_list

    user = User.objects.get(pk=job.params["user_id"])
    households = household_list(
        user=user,
        commune_code=job.params.get("commune_code", ""),
        village_code=job.params.get("village_code", ""),
        query=job.params.get("query", ""),
    )
    total = households.count()
    progress.total(total)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách hộ")
    sheet.append(["DANH SÁCH HỘ GIA ĐÌNH"])
    sheet.append([f"Người xuất: {user.full_name or user.username}"])
    sheet.append([])
    sheet.append(
        [
            "STT",
            "Mã hộ",
            "Chủ hộ",
            "Số nhân khẩu",
            "Thôn/tổ",
            "Xã/phường",
            "Địa chỉ",
            "Nhà ở",
            "Nước",
            "Nhà tiêu",
            "Thu nhập BQ (đ/người/tháng)",
            "Thành viên (họ tên — số định danh — ngày sinh)",
        ]
    )
    done = 0
    chunk = 1000
    ids = list(households.values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        rows = households.filter(pk__in=part)
        members: dict[int, list[str]] = {}
        for m in Member.objects.filter(household_id__in=part, is_active=True).order_by("id"):
            members.setdefault(m.household_id, []).append(
                f"{m.full_name} — {m.personal_id or ''} — {m.date_of_birth:%d/%m/%Y}"
            )
        for h in rows:
            done += 1
            sheet.append(
                [
                    done,
                    h.code,
                    h.head_name,
                    h.size,
                    h.village.name if h.village else "",
                    h.commune.name,
                    h.address,
                    label("housing_quality", h.housing_quality),
                    label("water_source", h.water_source),
                    label("toilet", h.toilet),
                    h.income_per_capita,
                    "; ".join(members.get(h.pk, [])),
                ]
            )
        progress.advance(done, f"Đã xuất {done}/{total} hộ")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "danh-sach-ho.xlsx"
        workbook.save(path)
        with path.open("rb") as fh:
            job.result_file.save(f"danh-sach-ho-{job.pk}.xlsx", File(fh), save=False)
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name)
    audit_read(
        actor=user,
        action="registry.export_households",
        fields=["personal_id", "income_per_capita"],
        object_type="core.job",
        object_id=str(job.pk),
        kind=AuditEvent.Kind.EXPORT,
    )
    return {"households": total}
