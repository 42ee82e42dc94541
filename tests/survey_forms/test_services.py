"""Import, validation, publication and preview of Phiếu A / Phiếu B data (services and selectors)."""

from __future__ import annotations

import io
from typing import Any

import pytest

from hongheo.core.errors import Conflict, PermissionDenied, ValidationError
from hongheo.core.models import AuditEvent
from hongheo.standards.rules.scoring import FORM_REGIONS, ScoringError
from hongheo.standards.survey.models import Provenance, ScoreTable, ScreeningList, Status
from hongheo.standards.survey.selectors import (
    form_versions,
    official_score_table_for,
    official_screening_list_for,
    score_table_preview,
    screening_preview,
)
from hongheo.standards.survey.services import (
    score_table_import,
    score_table_publish,
    screening_list_import,
    screening_list_publish,
)
from hongheo.standards.survey.workbook import build_template
from hongheo.users.models import Role

from .conftest import POINTS, QUESTIONS, SCREENING

STD = "vn-2022-2025"


@pytest.fixture
def admin(world: Any) -> Any:
    return world.users[Role.ADMINISTRATOR]


def import_b(admin: Any, path: Any, **kwargs: Any) -> ScoreTable:
    with open(path, "rb") as fh:
        return score_table_import(
            actor=admin, file=fh, standard_code=kwargs.pop("standard_code", STD), title="Bảng thử", **kwargs
        )


def import_a(admin: Any, path: Any, **kwargs: Any) -> ScreeningList:
    with open(path, "rb") as fh:
        return screening_list_import(actor=admin, file=fh, standard_code=STD, title="Phiếu A thử", **kwargs)


def bad_rows(exc: ValidationError) -> list[tuple[str, int | None, str]]:
    return [(r["sheet"], r["row"], r["kind"]) for r in exc.details["rows"]]


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------


def test_import_ok(admin, make_xlsx):
    path = make_xlsx()
    table = import_b(admin, path)
    assert (table.code, table.version, table.status) == (f"{STD}-phieu-b", 1, Status.DRAFT)
    assert table.provenance == Provenance.UNOFFICIAL and not table.is_sample
    assert table.file_name == path.name and len(table.file_sha256) == 64
    data = table.table()
    assert [i.code for i in data.items] == ["NHA", "TIVI", "THUYEN"]
    assert data.constants["urban"] == 100
    event = AuditEvent.objects.get(action="score_table.import")
    assert event.actor == admin and event.object_id == str(table.pk)
    assert event.after["items"] == 3 and event.after["answers"] == 6


def test_import_sample_file_is_sample_and_unofficial(admin, tmp_path):
    path = tmp_path / "mau-thu.xlsx"
    path.write_bytes(build_template(sample=True))
    table = import_b(admin, path)
    assert table.is_sample and table.provenance == Provenance.UNOFFICIAL
    assert len(table.table().items) == 5
    screening = import_a(admin, path)
    assert screening.is_sample and len(screening.screening().criteria) == 2
    with pytest.raises(ValidationError, match="MẪU THỬ") as info:
        import_b(admin, path, official=True, document_reference="TT 07/2021 Phụ lục IV")
    assert info.value.code == "sample_not_official"


def test_blank_template_is_refused_as_empty(admin, tmp_path):
    path = tmp_path / "trong.xlsx"
    path.write_bytes(build_template())
    with pytest.raises(ValidationError) as info:
        import_b(admin, path)
    assert bad_rows(info.value) == [("Phiếu B - Câu hỏi", None, "empty")]


def assert_nothing_saved(before: int) -> None:
    assert ScoreTable.objects.count() == 0
    assert ScreeningList.objects.count() == 0
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.WRITE).count() == before


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"points": [*POINTS, ("XE", "1", *[1] * 7), ("TIVI", "2", *[0] * 7), ("NHA", "7", *[1] * 7)]},
            [
                ("Phiếu B - Điểm", 10, "unknown_item"),
                ("Phiếu B - Điểm", 11, "duplicate_row"),
                ("Phiếu B - Điểm", 12, "unknown_answer"),
            ],
        ),
        (
            {"regions": [r for r in FORM_REGIONS if r != "rural_nt4"], "points": [r[:-1] for r in POINTS]},
            [("Phiếu B - Điểm", 2, "missing_region")],
        ),
        (
            {
                "points": [
                    POINTS[0],
                    ("NHA", "1", 50, 40, None, 40, 40, 40, 40),
                    ("NHA", "2", 10, "năm", 5, 5, 5, 5, 5),
                    *POINTS[3:],
                ]
            },
            [("Phiếu B - Điểm", 4, "missing_value"), ("Phiếu B - Điểm", 5, "not_a_number")],
        ),
        (
            {"questions": [*QUESTIONS, ("NHA", "", "1", "Kiên cố (lặp)")]},
            [("Phiếu B - Câu hỏi", 9, "duplicate_row")],
        ),
    ],
    ids=[
        "unknown-item-duplicate-unknown-answer",
        "missing-region",
        "missing-and-non-numeric",
        "duplicate-question",
    ],
)
def test_import_errors_list_exact_rows_and_save_nothing(admin, make_xlsx, change, expected):
    before = AuditEvent.objects.filter(kind=AuditEvent.Kind.WRITE).count()
    with pytest.raises(ValidationError) as info:
        import_b(admin, make_xlsx(**change))
    assert bad_rows(info.value) == expected
    assert info.value.code == "invalid_rows"
    assert "chưa lưu gì" in info.value.message
    assert_nothing_saved(before)


def test_missing_sheet_and_columns(admin, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Phiếu B - Câu hỏi"
    ws.append(["Mã chỉ tiêu", "Mã phương án"])  # no label columns
    path = tmp_path / "thieu.xlsx"
    wb.save(path)
    with pytest.raises(ValidationError) as info:
        import_b(admin, path)
    assert bad_rows(info.value) == [
        ("Phiếu B - Câu hỏi", 1, "missing_column"),
        ("Phiếu B - Câu hỏi", 1, "missing_column"),
        ("Phiếu B - Điểm", None, "missing_sheet"),
    ]


def test_not_an_xlsx(admin):
    with pytest.raises(ValidationError, match="Không đọc được tệp") as info:
        score_table_import(actor=admin, file=io.BytesIO(b"a,b\n1,2\n"), standard_code=STD, title="x")
    assert info.value.code == "unreadable"


def test_unknown_standard_and_bad_code(admin, make_xlsx):
    with pytest.raises(ValidationError, match="vn-1999"):
        import_b(admin, make_xlsx(), standard_code="vn-1999")
    with pytest.raises(ValidationError, match="Mã"):
        import_b(admin, make_xlsx(), code="Bảng Điểm")


def test_official_needs_a_document_reference(admin, make_xlsx):
    with pytest.raises(ValidationError, match="số hiệu văn bản"):
        import_b(admin, make_xlsx(), official=True)
    table = import_b(admin, make_xlsx(), official=True, document_reference="TT 07/2021, Phụ lục IV")
    assert table.is_official and table.document_reference == "TT 07/2021, Phụ lục IV"


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMINISTRATOR])
def test_only_administrators_import(world, make_xlsx, role):
    with pytest.raises(PermissionDenied):
        import_b(world.users[role], make_xlsx())
    with pytest.raises(PermissionDenied):
        import_a(world.users[role], make_xlsx())
    assert ScoreTable.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Publication, versions, immutability
# ---------------------------------------------------------------------------------------------


def test_publish_freezes_the_version(admin, make_xlsx):
    table = score_table_publish(actor=admin, table=import_b(admin, make_xlsx()))
    assert table.status == Status.PUBLISHED and table.published_by == admin and table.published_at
    event = AuditEvent.objects.get(action="score_table.publish")
    assert event.before["status"] == "draft" and event.after["status"] == "published"

    table.title = "Sửa sau khi công bố"
    with pytest.raises(Conflict):
        table.save()
    with pytest.raises(Conflict):
        table.delete()
    with pytest.raises(Conflict):
        import_b(admin, make_xlsx(), into=table)
    with pytest.raises(Conflict):
        score_table_publish(actor=admin, table=table)
    table.refresh_from_db()
    assert table.title == "Bảng thử"


def test_reimport_into_a_draft(admin, make_xlsx):
    draft = import_b(admin, make_xlsx())
    points = [(*r[:2], *(v * 2 if isinstance(v, int) else v for v in r[2:])) for r in POINTS]
    again = import_b(admin, make_xlsx(points=points), into=draft)
    assert again.pk == draft.pk and again.version == 1
    assert again.table().constants["urban"] == 200
    assert AuditEvent.objects.filter(action="score_table.reimport", object_id=str(draft.pk)).exists()
    # a failed re-import leaves the draft as it was
    with pytest.raises(ValidationError):
        import_b(admin, make_xlsx(points=[*POINTS, ("XE", "1", *[1] * 7)]), into=draft)
    draft.refresh_from_db()
    assert draft.table().constants["urban"] == 200


def test_new_version_supersedes(admin, make_xlsx):
    v1 = score_table_publish(actor=admin, table=import_b(admin, make_xlsx()))
    v2 = import_b(admin, make_xlsx())
    assert v2.version == 2 and v2.code == v1.code
    score_table_publish(actor=admin, table=v2)
    rows = {r.version: r for r in form_versions(ScoreTable)}
    assert rows[1].superseded and not rows[2].superseded
    latest = AuditEvent.objects.filter(action="score_table.publish").order_by("-id").first()
    assert latest.after["supersedes_versions"] == [1]


def test_stale_draft_cannot_be_published_after_a_newer_version(admin, make_xlsx):
    v1 = import_b(admin, make_xlsx())
    v2 = import_b(admin, make_xlsx())
    score_table_publish(actor=admin, table=v2)
    with pytest.raises(Conflict):
        score_table_publish(actor=admin, table=v1)


def test_official_score_table_for(admin, make_xlsx):
    assert official_score_table_for(STD) is None
    unofficial = score_table_publish(actor=admin, table=import_b(admin, make_xlsx()))
    assert official_score_table_for(STD) is None  # published but not official
    draft = import_b(
        admin, make_xlsx(), code="bang-chinh-thuc", official=True, document_reference="TT 07/2021"
    )
    assert official_score_table_for(STD) is None  # official but a draft
    published = score_table_publish(actor=admin, table=draft)
    assert official_score_table_for(STD) == published != unofficial
    assert official_score_table_for("vn-2016-2020") is None


def test_non_admin_cannot_publish(world, admin, make_xlsx):
    table = import_b(admin, make_xlsx())
    with pytest.raises(PermissionDenied):
        score_table_publish(actor=world.users[Role.PROVINCE_OFFICER], table=table)
    table.refresh_from_db()
    assert table.status == Status.DRAFT


# ---------------------------------------------------------------------------------------------
# Phiếu A
# ---------------------------------------------------------------------------------------------


def test_screening_import_publish(admin, make_xlsx):
    lst = import_a(admin, make_xlsx())
    assert lst.code == f"{STD}-phieu-a" and lst.status == Status.DRAFT
    assert screening_preview(lst, {"OTO": "1"}).excluded
    assert not screening_preview(lst, {"OTO": "2", "LUONG": "2"}).excluded
    assert official_screening_list_for(STD) is None
    official = import_a(
        admin, make_xlsx(), code="phieu-a-ct", official=True, document_reference="TT 07/2021 PL II"
    )
    screening_list_publish(actor=admin, screening_list=official)
    assert official_screening_list_for(STD) == official
    with pytest.raises(Conflict):
        import_a(admin, make_xlsx(), into=official)


def test_screening_import_errors(admin, make_xlsx):
    screening = [*SCREENING, ("OTO", "", "1", "Có", "Có"), ("XE", "Xe", "1", "Có", "?")]
    with pytest.raises(ValidationError) as info:
        import_a(admin, make_xlsx(screening=screening))
    assert bad_rows(info.value) == [
        ("Phiếu A - Tiêu chí", 7, "duplicate_row"),
        ("Phiếu A - Tiêu chí", 8, "not_yes_no"),
    ]
    assert ScreeningList.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Preview
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("standard", "region", "answers", "deprived", "score_a", "expected"),
    [
        # vn-2022-2025: rural ≤ 140, urban ≤ 175; poor when score B ≥ 30 (10 per indicator)
        (STD, "urban", {"NHA": "1", "TIVI": "1"}, 3, 170, "poor"),
        (STD, "urban", {"NHA": "1", "TIVI": "1"}, 2, 170, "near_poor"),
        (STD, "rural_nt1", {"NHA": "1", "TIVI": "1"}, 0, 135, "near_poor"),
        (STD, "rural_nt6", {"NHA": "1", "TIVI": "1", "THUYEN": "1"}, 5, 147, "not_poor"),
        # vn-2016-2020: rural B1 ≤ 120 poor whatever B2; 120 < B1 ≤ 150 by B2
        ("vn-2016-2020", "rural_nt3", {"NHA": "2", "TIVI": "2", "THUYEN": "2"}, 0, 85, "poor"),
        ("vn-2016-2020", "rural_nt6", {"NHA": "1", "TIVI": "1", "THUYEN": "1"}, 3, 147, "poor"),
        ("vn-2016-2020", "rural_nt6", {"NHA": "1", "TIVI": "1", "THUYEN": "1"}, 2, 147, "near_poor"),
        ("vn-2016-2020", "urban", {"NHA": "1", "TIVI": "1"}, 0, 170, "near_poor"),
    ],
)
def test_preview_math(admin, make_xlsx, standard, region, answers, deprived, score_a, expected):
    table = import_b(admin, make_xlsx(), standard_code=standard)
    preview = score_table_preview(table, region=region, answers=answers, deprived_count=deprived)
    assert preview.score.score_a == score_a
    assert preview.score_b == deprived * 10
    assert preview.classification is not None
    assert preview.classification.classification == expected
    assert preview.classification.basis == "score"


def test_preview_without_cutoffs_or_with_missing_items(admin, make_xlsx):
    table = import_b(admin, make_xlsx(), standard_code="vn-2026-2030")
    preview = score_table_preview(table, region="urban", answers={"NHA": "1", "TIVI": "1"}, deprived_count=3)
    assert preview.classification is None and "chưa có ngưỡng điểm" in preview.note
    table22 = import_b(admin, make_xlsx())
    preview = score_table_preview(table22, region="urban", answers={"NHA": "1"}, deprived_count=3)
    assert preview.classification is None and "TIVI" in preview.note
    preview = score_table_preview(
        table22, region="urban", answers={"NHA": "1", "TIVI": "2", "THUYEN": "1"}, deprived_count=0
    )
    assert preview.ignored == ("THUYEN",) and preview.score.score_a == 150
    with pytest.raises(ScoringError):
        score_table_preview(table22, region="urban", answers={"NHA": "5"}, deprived_count=0)
