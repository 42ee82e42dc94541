"""Each rejection reason, whole-household rejection, permission and bad input."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from hongheo.capture.imports.models import ImportBatch
from hongheo.capture.imports.reading import ImportFileError
from hongheo.capture.imports.services import import_upload
from hongheo.core.errors import PermissionDenied
from hongheo.registry.models import Household, Member
from hongheo.users.models import Role


def _reasons(batch) -> dict[int, str]:
    rows = list(
        load_workbook(batch.rejected_file.path, read_only=True).worksheets[0].iter_rows(values_only=True)
    )
    header = rows[0]
    at = header.index("Lý do")
    return {r[0]: r[at] for r in rows[1:]}


def test_every_rejection_reason(world, officer, imp):
    code = world.commune_a.code
    taken = Member.objects.filter(household=world.hh_a2).first().personal_id
    cases = {}

    def case(name, rows, edit):
        edit(rows)
        cases[name] = rows

    case("no_name", imp.household_rows("R-1", code, members=1), lambda r: r[0].update({"Họ và tên": ""}))
    case(
        "pid_length",
        imp.household_rows("R-2", code, members=1),
        lambda r: r[0].update({"Số định danh cá nhân": "04612345"}),
    )
    case(
        "pid_letters",
        imp.household_rows("R-3", code, members=1),
        lambda r: r[0].update({"Số định danh cá nhân": "04607500A001"}),
    )
    case(
        "pid_year",
        imp.household_rows("R-4", code, members=1),
        lambda r: r[0].update({"Ngày sinh": "03/04/1976"}),
    )
    case("pid_sex", imp.household_rows("R-5", code, members=1), lambda r: r[0].update({"Giới tính": "Nữ"}))
    case(
        "bad_date",
        imp.household_rows("R-6", code, members=1),
        lambda r: r[0].update({"Ngày sinh": "31/02/1975"}),
    )
    case(
        "bad_code",
        imp.household_rows("R-7", code, members=1),
        lambda r: r[0].update({"Loại nhà ở": "Lâu đài"}),
    )
    case(
        "two_heads",
        imp.household_rows("R-8", code, members=2),
        lambda r: r[1].update({"Quan hệ với chủ hộ": "Chủ hộ"}),
    )
    case(
        "no_head",
        imp.household_rows("R-9", code, members=2),
        lambda r: r[0].update({"Quan hệ với chủ hộ": "Con"}),
    )
    case(
        "id_taken",
        imp.household_rows("R-10", code, members=2),
        lambda r: r[1].update({"Số định danh cá nhân": taken, "Ngày sinh": "01/03/2012", "Giới tính": "Nữ"}),
    )
    case("commune_unknown", imp.household_rows("R-11", "99999", members=1), lambda r: None)
    case("outside_area", imp.household_rows("R-12", world.commune_b.code, members=1), lambda r: None)
    case("code_taken", imp.household_rows("HH-C", code, members=1), lambda r: None)
    dup = imp.household_rows("R-13", code, members=1)
    dup2 = imp.household_rows("R-14", code, members=1)
    dup2[0]["Số định danh cá nhân"] = dup[0]["Số định danh cá nhân"]
    cases["dup_in_file"] = dup + dup2
    case(
        "class_no_date",
        imp.household_rows("R-15", code, members=1, cls="Hộ nghèo"),
        lambda r: r[0].update({"Ngày quyết định": ""}),
    )
    good = imp.household_rows("OK-1", code)
    rows = [row for rs in cases.values() for row in rs] + good
    batch = imp.run(officer, "loi.csv", imp.to_csv(rows))
    assert batch.state == ImportBatch.State.DONE, batch.error
    assert batch.result["households_new"] == 1 and Household.objects.filter(code="OK-1").exists()
    reasons = _reasons(batch)
    text = "\n".join(reasons.values())
    for expected in (
        "Họ và tên: chưa có",
        "phải gồm đúng 12 chữ số",
        "chỉ được gồm chữ số",
        "không khớp với năm sinh",
        "không khớp với giới tính",
        "“31/02/1975”: không đúng dạng dd/mm/yyyy",
        "Loại nhà ở “Lâu đài”: không có trong danh mục",
        "có 2 chủ hộ",
        "không có dòng nào là Chủ hộ",
        f"Số định danh {taken} đang là nhân khẩu của hộ HH-A2",
        "Mã xã/phường “99999” không có trong danh mục",
        "không thuộc địa bàn bạn phụ trách",
        "Mã hộ HH-C đã được dùng cho một hộ khác",
        "trùng nhau ở các dòng",
        "chưa có ngày quyết định công nhận",
    ):
        assert expected in text, expected
    # the household with one bad row is rejected whole, and says so on its good row
    assert any("Hộ R-10 bị từ chối toàn bộ vì dòng" in r for r in reasons.values())
    assert not Household.objects.filter(code__startswith="R-").exists()
    assert batch.result["rows_rejected"] == len(rows) - 3


def test_villages_missing_are_created_for_a_commune_officer_only(world, imp):
    surveyor = world.users[Role.SURVEYOR]
    rows = imp.household_rows("V-1", world.commune_a.code, "Thôn Chưa Có", members=1)
    batch = imp.run(surveyor, "v.csv", imp.to_csv(rows), create_villages=True)
    assert batch.result["households_new"] == 0
    assert "chỉ cán bộ xã được tạo thôn mới" in "".join(_reasons(batch).values())


def test_a_commune_officer_cannot_import_into_another_commune(world, officer, imp):
    rows = imp.household_rows("X-1", world.commune_c.code, "Thôn Đông")
    batch = imp.run(officer, "x.csv", imp.to_csv(rows))
    assert batch.result["households_new"] == 0 and batch.result["households_rejected"] == 1
    assert not Household.objects.filter(code="X-1").exists()
    assert "không thuộc địa bàn bạn phụ trách" in "".join(_reasons(batch).values())


def test_roles_that_do_not_write_households_cannot_import(world, imp, client):
    chairman = world.users[Role.COMMUNE_CHAIRMAN]
    with pytest.raises(PermissionDenied):
        import_upload(
            actor=chairman, name="a.csv", data=imp.to_csv(imp.household_rows("P-1", world.commune_a.code))
        )
    client.force_login(chairman)
    assert client.get("/nhap-danh-sach/").status_code == 403


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.pdf", b"%PDF-1.4 hello", "Chỉ nhận tệp Excel (.xlsx) hoặc CSV"),
        ("a.csv", b"", "Tệp rỗng"),
        ("a.csv", "Mã hộ,Họ và tên\n".encode(), "chỉ có dòng tiêu đề"),
        ("a.xlsx", b"not a zip at all", "không phải bảng tính Excel hợp lệ"),
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100, "Tệp Excel cũ (.xls)"),
        ("a.csv", "Mã hộ,Họ\n1,An\n".encode("utf-16"), "UTF-16"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(world, officer, name, data, message):
    with pytest.raises(ImportFileError) as exc:
        import_upload(actor=officer, name=name, data=data)
    assert message in str(exc.value)
    assert not ImportBatch.objects.exists()


def test_file_over_the_size_limit(world, officer, imp, settings):
    settings.HONGHEO_IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportFileError, match="quá lớn"):
        import_upload(
            actor=officer, name="a.csv", data=imp.to_csv(imp.household_rows("S-1", world.commune_a.code))
        )


def test_windows_1258_file_is_read_and_reported(world, officer, imp):
    rows = imp.household_rows("W-1", world.commune_a.code, members=2)
    for r in rows:  # keep to characters cp1258 can encode (it has no precomposed ệ, ữ…)
        r["Họ và tên"] = "Lê Văn Tâm" if r["Quan hệ với chủ hộ"] == "Chủ hộ" else "Lê Thị Hà"
        r["Nguyên nhân nghèo"] = ""
    batch = imp.run(officer, "w.csv", _cp1258(imp.to_csv(rows).decode()))
    assert batch.state == ImportBatch.State.DONE, batch.error
    assert batch.result["households_new"] == 1
    assert Household.objects.get(code="W-1").head_name == "Lê Văn Tâm"
    assert any("Windows-1258" in w for w in batch.result["warnings"])


def test_missing_required_columns_are_named(world, officer, imp, client):
    rows = [{"Họ và tên": "An", "Ngày sinh": "01/01/1990"}]
    client.force_login(officer)
    response = client.post("/nhap-danh-sach/", {"tep": _upload("thieu.csv", imp.to_csv(rows))})
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"/nhap-danh-sach/{batch.pk}/ghep-cot/"
    page = client.post(
        f"/nhap-danh-sach/{batch.pk}/ghep-cot/",
        {"layout": "member", "col-0": "full_name", "col-1": "date_of_birth", "action": "run"},
    )
    assert page.status_code == 422
    html = page.content.decode()
    assert "Thiếu cột bắt buộc" in html and "Mã hộ" in html and "Giới tính" in html
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.MAPPING


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: letters with â ê ô ă ơ ư precomposed where
    the code page has them, tone marks as combining characters."""
    import unicodedata

    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append((base + "".join(c for c in parts if c in tones)).encode("cp1258"))
    return b"".join(out)
