"""Template round trip, a foreign layout with a saved mapping, re-runs, a crash, the pages, export."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from hongheo.capture.imports import engine
from hongheo.capture.imports.models import ImportBatch, ImportMapping
from hongheo.core.jobs import run_pending_jobs
from hongheo.core.models import AuditEvent, Job
from hongheo.registry.models import Household, HouseholdEvent, Member
from hongheo.reviews.models import OfficialStatus
from hongheo.users.models import Role


def _counts():
    return (
        Household.objects.count(),
        Member.objects.count(),
        HouseholdEvent.objects.count(),
        OfficialStatus.objects.count(),
        Household.objects.filter(code="T-1").values_list("updated_at", flat=True).first(),
    )


def test_own_template_round_trip_per_household_layout(world, officer, client, imp):
    client.force_login(officer)
    response = client.get("/nhap-danh-sach/mau-ho.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Danh sách", "Danh mục", "Hướng dẫn"]
    sheet = book["Danh sách"]
    headings = [c.value for c in sheet[1]]
    assert "Họ và tên chủ hộ" in headings and "Quan hệ với chủ hộ" not in headings
    sheet.delete_rows(2)  # the example row
    values = {
        "Mã hộ": "T-1",
        "Mã xã/phường": world.commune_a.code,
        "Thôn/tổ dân phố": "Thôn 2",
        "Họ và tên chủ hộ": "Võ Thị Mai",
        "Số định danh của chủ hộ": imp.pid(__import__("datetime").date(1982, 6, 1), "female"),
        "Ngày sinh của chủ hộ": "01/06/1982",
        "Giới tính của chủ hộ": "Nữ",
        "Loại hộ hiện tại": "Hộ cận nghèo",
        "Ngày quyết định": "2024-12-20",
        "Hộ có người có công": "Có",
        "Loại nhà ở": "Nhà kiên cố",
    }
    sheet.append([values.get(h) for h in headings])
    out = io.BytesIO()
    book.save(out)
    response = client.post("/nhap-danh-sach/", {"tep": SimpleUploadedFile("mau-ho.xlsx", out.getvalue())})
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"/nhap-danh-sach/{batch.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "data-job-status" in page and "import-progress" in page  # the progress bar while queued
    run_pending_jobs()
    page = client.get(f"/nhap-danh-sach/{batch.pk}/").content.decode()
    assert 'data-testid="households-new">1<' in page and "households-link" in page
    household = Household.objects.get(code="T-1")
    assert household.size == 1 and household.female_head and household.merit
    assert household.village == world.village_a2 and household.housing_quality == "durable"
    official = OfficialStatus.objects.get(household=household, valid_to__isnull=True)
    assert official.classification == "near_poor"
    # the export of the list contains the new fields, and is audited
    client.post("/ho/xuat-excel/", {"xa": world.commune_a.code})
    run_pending_jobs()
    job = Job.objects.get(kind="registry.export_households")
    book = load_workbook(job.result_file.path, read_only=True)
    rows = list(book["Danh sách hộ"].iter_rows(values_only=True))
    header = rows[3]
    row = next(r for r in rows[4:] if r[1] == "T-1")
    assert row[header.index("Loại hộ hiện tại")] == "Hộ cận nghèo"
    assert row[header.index("Có người có công")] == "Có"
    assert row[header.index("Chủ hộ là nữ")] == "Có"
    members = list(book["Nhân khẩu"].iter_rows(values_only=True))
    assert any(r[0] == "T-1" and r[1] == "Võ Thị Mai" and r[4] == "Nữ" for r in members[1:])
    assert AuditEvent.objects.filter(
        kind="export", action="registry.export_households", actor=officer
    ).exists()


FOREIGN = ["STT", "Mã HGĐ", "Họ tên", "Số CCCD", "Ngày sinh", "Phái", "QH với chủ hộ", "Xã", "Thôn"]


def _foreign(imp, world, code: str):
    rows = []
    for i, r in enumerate(imp.household_rows(code, world.commune_a.code), 1):
        rows.append(
            {
                "STT": i,
                "Mã HGĐ": code,
                "Họ tên": r["Họ và tên"],
                "Số CCCD": r["Số định danh cá nhân"],
                "Ngày sinh": r["Ngày sinh"],
                "Phái": "1" if r["Giới tính"] == "Nam" else "2",
                "QH với chủ hộ": {"Chủ hộ": "CH", "Vợ/chồng": "Vợ", "Con": "Con"}[r["Quan hệ với chủ hộ"]],
                "Xã": world.commune_a.name,
                "Thôn": "thôn 1",
            }
        )
    return imp.to_csv(rows, FOREIGN)


def test_foreign_layout_with_a_saved_mapping_reused(world, officer, client, imp):
    client.force_login(officer)
    response = client.post(
        "/nhap-danh-sach/", {"tep": SimpleUploadedFile("ds-xa.csv", _foreign(imp, world, "F-1"))}
    )
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"/nhap-danh-sach/{batch.pk}/ghep-cot/"
    page = client.get(response["Location"]).content.decode()
    # columns with sample values and suggested fields
    assert "Số CCCD" in page and "Xã" in page
    suggested = {
        c: k
        for c, k in __import__("hongheo.capture.imports.mapping", fromlist=["x"])
        .suggest_columns(FOREIGN, "member")
        .items()
    }
    assert suggested["Họ tên"] == "full_name" and suggested["Số CCCD"] == "personal_id"
    assert suggested["Ngày sinh"] == "date_of_birth" and suggested["Xã"] == "commune_name"
    fields = {
        "Mã HGĐ": "household_code",
        "Họ tên": "full_name",
        "Số CCCD": "personal_id",
        "Ngày sinh": "date_of_birth",
        "Phái": "sex",
        "QH với chủ hộ": "relation_to_head",
        "Xã": "commune_name",
        "Thôn": "village_name",
    }
    post = {"layout": "member", "action": "refresh"}
    post.update({f"col-{i}": fields.get(c, "") for i, c in enumerate(FOREIGN)})
    page = client.post(f"/nhap-danh-sach/{batch.pk}/ghep-cot/", post).content.decode()
    assert 'data-testid="values-sex"' in page and "“1”" in page  # value maps for coded columns
    post.update({"action": "run", "save_as": "Danh sách xã cũ"})
    post.update({"raw-sex-0": "1", "val-sex-0": "male", "raw-sex-1": "2", "val-sex-1": "female"})
    post.update(
        {
            "raw-relation_to_head-0": "CH",
            "val-relation_to_head-0": "head",
            "raw-relation_to_head-1": "Vợ",
            "val-relation_to_head-1": "spouse",
        }
    )
    response = client.post(f"/nhap-danh-sach/{batch.pk}/ghep-cot/", post)
    assert response["Location"] == f"/nhap-danh-sach/{batch.pk}/"
    run_pending_jobs()
    batch.refresh_from_db()
    assert batch.result["households_new"] == 1, batch.result
    assert Household.objects.get(code="F-1").village == world.village_a1  # "thôn 1" = "Thôn 1"
    saved = ImportMapping.objects.get(name="Danh sách xã cũ", created_by=officer)
    # the next file of the same layout: pick the saved mapping, no mapping step
    response = client.post(
        "/nhap-danh-sach/",
        {"tep": SimpleUploadedFile("ds-xa-2.csv", _foreign(imp, world, "F-2")), "mau_ghep": saved.pk},
    )
    second = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert response["Location"] == f"/nhap-danh-sach/{second.pk}/"
    run_pending_jobs()
    second.refresh_from_db()
    assert second.result["households_new"] == 1 and Household.objects.filter(code="F-2").exists()


def test_rerunning_the_same_file_changes_nothing(world, officer, imp):
    rows = imp.household_rows("T-1", world.commune_a.code, cls="Hộ nghèo")
    first = imp.run(officer, "a.csv", imp.to_csv(rows))
    assert first.result["households_new"] == 1
    before = _counts()
    audit = (
        AuditEvent.objects.filter(kind="write")
        .exclude(action__startswith="capture.import_")
        .exclude(action="job.enqueue")
        .count()
    )
    again = imp.run(officer, "a.csv", imp.to_csv(rows))
    assert again.state == ImportBatch.State.DUPLICATE and again.duplicate_of == first
    # the same households in another file (other bytes): recognised as already there ("đã có")
    other = imp.run(officer, "b.csv", imp.to_csv(list(reversed(rows))))
    assert other.state == ImportBatch.State.DONE
    assert other.result["households_existing"] == 1 and other.result["households_new"] == 0
    assert not other.rejected_file
    assert _counts() == before
    assert (
        AuditEvent.objects.filter(kind="write")
        .exclude(action__startswith="capture.import_")
        .exclude(action="job.enqueue")
        .count()
        == audit
    )


def test_changed_facts_are_conflicts_not_overwritten(world, officer, imp):
    rows = imp.household_rows("T-1", world.commune_a.code, cls="Hộ nghèo")
    imp.run(officer, "a.csv", imp.to_csv(rows))
    before = _counts()
    rows[0]["Địa chỉ"] = "Số 5 đường mới"
    rows[1]["Ngày sinh"] = "21/11/1978"  # not the registry's date of birth
    rows[0]["Loại hộ hiện tại"] = "Hộ cận nghèo"
    batch = imp.run(officer, "c.csv", imp.to_csv(rows))
    assert batch.result["households_conflict"] == 1 and batch.result["households_new"] == 0
    assert _counts() == before
    assert Household.objects.get(code="T-1").address == "Thôn 1"
    reasons = [
        r[-2] for r in load_workbook(batch.rejected_file.path).worksheets[0].iter_rows(values_only=True)
    ]
    text = " ".join(str(r) for r in reasons)
    assert "Khác với hộ đã có trong sổ" in text and "Địa chỉ (trong sổ: Thôn 1)" in text
    assert "Loại hộ hiện tại (trong sổ: Hộ nghèo)" in text
    assert "Trần Thị Lan khác với sổ hộ: Ngày sinh (trong sổ: 20/11/1978)" in text
    rows_kind = [
        r[-1] for r in load_workbook(batch.rejected_file.path).worksheets[0].iter_rows(values_only=True)
    ]
    assert "Xung đột với sổ hộ" in rows_kind


def test_a_crash_mid_way_leaves_nothing(world, officer, imp, monkeypatch):
    monkeypatch.setattr(engine, "WRITE_CHUNK", 1)
    real = engine.bulkio.insert_frame
    calls = {"members": 0}

    def failing(model, frame, **kw):
        if model is Member:
            calls["members"] += 1
            if calls["members"] == 2:
                raise RuntimeError("disk full")
        return real(model, frame, **kw)

    monkeypatch.setattr(engine.bulkio, "insert_frame", failing)
    before = _counts()
    events = AuditEvent.objects.count()
    rows = imp.household_rows("K-1", world.commune_a.code, "Thôn Mới") + imp.household_rows(
        "K-2", world.commune_a.code
    )
    batch = imp.run(officer, "k.csv", imp.to_csv(rows), create_villages=True)
    assert batch.state == ImportBatch.State.FAILED and "disk full" in batch.error
    assert Job.objects.get(pk=batch.job_id).state == Job.State.FAILED
    assert _counts() == before
    assert not Household.objects.filter(code__in=["K-1", "K-2"]).exists()
    assert not world.commune_a.children.filter(name="Thôn Mới").exists()  # the new village too
    # only the upload and the job's queueing were recorded
    assert AuditEvent.objects.count() - events == 2


def test_pages_are_the_importers_own(world, officer, client, imp):
    batch = imp.run(
        officer,
        "a.csv",
        imp.to_csv(
            [
                *imp.household_rows("B-1", world.commune_a.code, members=1),
                {**imp.household_rows("B-2", world.commune_a.code, members=1)[0], "Ngày sinh": "x"},
            ]
        ),
    )
    client.force_login(officer)
    page = client.get(f"/nhap-danh-sach/{batch.pk}/").content.decode()
    assert "rejected-link" in page
    download = client.get(f"/nhap-danh-sach/{batch.pk}/dong-bi-tu-choi.xlsx")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    job_page = client.get(f"/tac-vu/{batch.job_id}/").content.decode()
    assert "Tải kết quả" in job_page
    other = world.users[Role.SURVEYOR]
    client.force_login(other)
    assert client.get(f"/nhap-danh-sach/{batch.pk}/").status_code == 404
    assert client.get(f"/nhap-danh-sach/{batch.pk}/dong-bi-tu-choi.xlsx").status_code == 404


@pytest.mark.parametrize("text", ["1.200.000", "1200000", "1,200,000"])
def test_income_with_thousand_separators(world, officer, imp, text):
    rows = imp.household_rows("I-1", world.commune_a.code, members=1)
    rows[0]["Thu nhập bình quân (đồng/người/tháng)"] = text
    imp.run(officer, "i.csv", imp.to_csv(rows))
    assert Household.objects.get(code="I-1").income_per_capita == 1_200_000
