"""Background job kinds of the registry."""

from __future__ import annotations

from typing import Any

from django.db.models import F, FilteredRelation, Q

from hongheo.core.jobs import Progress, job_handler, job_scratch_dir
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


EXPORT_CHUNK = 2000


def _flag(value: bool | None) -> str:
    return "" if value is None else ("Có" if value else "Không")


@job_handler("registry.export_households")
def export_households(job: Job, progress: Progress) -> dict[str, Any]:
    """Export a household list the user may see (any filter of the list page) to Excel (xuất
    danh sách hộ): one sheet of households with every registry field, one of members. Streamed
    with xlsxwriter's constant-memory mode, so large lists do not fill the memory. Audited.
    Read-only, so a retry simply builds the file again; the work file lives in the job's scratch
    folder, removed when the job ends or is found interrupted."""

    from django.core.files import File

    from hongheo.core.audit import audit_read
    from hongheo.core.models import AuditEvent
    from hongheo.core.xlsx import new_workbook, write_cells
    from hongheo.users.models import User

    from . import code_lists
    from .models import SENSITIVE_HOUSEHOLD_FIELDS, SENSITIVE_MEMBER_FIELDS, Member
    from .selectors import household_list

    user = User.objects.get(pk=job.params["user_id"])
    households = household_list(
        user=user,
        commune_code=job.params.get("commune_code", ""),
        village_code=job.params.get("village_code", ""),
        query=job.params.get("query", ""),
    )
    # The official status is the open period of the household's history (reviews.OfficialStatus).
    households = households.annotate(
        _official=FilteredRelation("status_history", condition=Q(status_history__valid_to__isnull=True))
    ).annotate(
        _official_class=F("_official__classification"),
        _official_since=F("_official__valid_from"),
        _official_source=F("_official__source"),
    )
    classification = job.params.get("classification", "")
    if classification:
        households = households.filter(_official_class=classification)
    total = households.count()
    progress.total(total)
    label = code_lists.label
    many = code_lists.label_many
    path = job_scratch_dir(job) / "danh-sach-ho.xlsx"
    book = new_workbook(str(path), {"constant_memory": True})
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    sheet = book.add_worksheet("Danh sách hộ")
    sheet.write_string(0, 0, "DANH SÁCH HỘ GIA ĐÌNH", bold)
    sheet.write_string(1, 0, f"Người xuất: {user.full_name or user.username}")
    header = [
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
        "Mã xã/phường",
        "Loại hộ hiện tại",
        "Từ ngày",
        "Nguồn (quyết định)",
        "Số điện thoại",
        "Hộ DTTS",
        "Chủ hộ là nữ",
        "Có người có công",
        "Có đối tượng BTXH",
        "Không có khả năng lao động",
        "Nguyên nhân nghèo",
        "Nhu cầu hỗ trợ",
        "Nguồn thu nhập",
        "Vật liệu tường",
        "Vật liệu mái",
        "Vật liệu cột",
        "Diện tích nhà ở (m²)",
        "Rác thải",
        "Internet",
        "Số thiết bị tiếp cận thông tin",
        "Vĩ độ",
        "Kinh độ",
    ]
    for col, text in enumerate(header):
        sheet.write_string(3, col, text, head)
    msheet = book.add_worksheet("Nhân khẩu")
    mheader = [
        "Mã hộ",
        "Họ và tên",
        "Số định danh cá nhân",
        "Ngày sinh",
        "Giới tính",
        "Quan hệ với chủ hộ",
        "Dân tộc",
        "Khuyết tật",
        "Hưởng trợ cấp khuyết tật",
        "Trẻ suy dinh dưỡng",
        "Có thẻ BHYT",
        "Đang đi học",
        "Trình độ giáo dục",
        "Có bằng cấp chuyên môn",
        "Việc làm",
        "Tình trạng",
    ]
    for col, text in enumerate(mheader):
        msheet.write_string(0, col, text, head)
    classes = {
        "poor": "Hộ nghèo",
        "near_poor": "Hộ cận nghèo",
        "average": "Hộ có mức sống trung bình",
        "not_poor": "Hộ không nghèo",
    }
    done = 0
    mrow = 0
    ids = list(households.values_list("pk", flat=True))
    for start in range(0, len(ids), EXPORT_CHUNK):
        part = ids[start : start + EXPORT_CHUNK]
        members: dict[int, list[Member]] = {}
        for m in Member.objects.filter(household_id__in=part, is_active=True).order_by("household_id", "id"):
            members.setdefault(m.household_id, []).append(m)
        for h in households.filter(pk__in=part):
            done += 1
            status = h._official_class
            row = [
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
                "; ".join(
                    f"{m.full_name} — {m.personal_id or ''} — {m.date_of_birth:%d/%m/%Y}"
                    for m in members.get(h.pk, [])
                ),
                h.commune.code,
                classes.get(status, "") if status else "",
                h._official_since.strftime("%d/%m/%Y") if status else "",
                h._official_source if status else "",
                h.phone,
                _flag(h.ethnic_minority),
                _flag(h.female_head),
                _flag(h.merit),
                _flag(h.social_protection),
                _flag(h.no_working_capacity),
                "; ".join(many("poverty_cause", h.poverty_causes)),
                "; ".join(many("support_need", h.support_needs)),
                "; ".join(many("income_source", h.income_sources)),
                label("housing_material", h.wall_material),
                label("housing_material", h.roof_material),
                label("housing_material", h.pillar_material),
                h.floor_area_m2,
                label("waste_handling", h.waste_handling),
                _flag(h.internet),
                h.information_devices,
                h.latitude,
                h.longitude,
            ]
            write_cells(sheet, 3 + done, 0, row)
            for m in members.get(h.pk, []):
                mrow += 1
                write_cells(
                    msheet,
                    mrow,
                    0,
                    [
                        h.code,
                        m.full_name,
                        m.personal_id or "",
                        m.date_of_birth.strftime("%d/%m/%Y"),
                        label("sex", m.sex),
                        label("relation_to_head", m.relation_to_head),
                        m.ethnicity,
                        _flag(m.disability),
                        _flag(m.disability_allowance),
                        _flag(m.undernourished),
                        _flag(m.health_insurance),
                        _flag(m.in_school),
                        label("education_level", m.education_level),
                        _flag(m.has_qualification),
                        label("employment", m.employment),
                        label("member_status", m.status),
                    ],
                )
        progress.advance(done, f"Đã xuất {done}/{total} hộ")
    book.close()
    with path.open("rb") as fh:
        job.result_file.save(f"danh-sach-ho-{job.pk}.xlsx", File(fh), save=False)
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name)
    audit_read(
        actor=user,
        action="registry.export_households",
        fields=["personal_id", *SENSITIVE_HOUSEHOLD_FIELDS, *SENSITIVE_MEMBER_FIELDS],
        object_type="core.job",
        object_id=str(job.pk),
        kind=AuditEvent.Kind.EXPORT,
        rows=total,
    )
    return {"households": total}
