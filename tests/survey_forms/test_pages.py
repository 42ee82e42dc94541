"""The Phiếu A / Phiếu B pages: permissions, banner, upload errors, preview, publish, downloads."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from hongheo.standards.survey.models import ScoreTable, ScreeningList, Status
from hongheo.standards.survey.services import score_table_import, score_table_publish
from hongheo.standards.survey.workbook import SAMPLE_MARK
from hongheo.users.models import Role

from .conftest import POINTS

BASE = "/chuan-ngheo/phieu/"
BANNER = "Chưa có bảng điểm Phiếu B chính thức: hệ thống xếp loại theo thu nhập bình quân đo được."
VIEWERS = [Role.ADMINISTRATOR, Role.PROVINCE_OFFICER, Role.CENTRAL_ANALYST]
OTHERS = [Role.COMMUNE_OFFICER, Role.COMMUNE_CHAIRMAN, Role.VILLAGE_HEAD, Role.SURVEYOR]


def client_for(world: Any, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def import_b(world: Any, path: Any, **kwargs: Any) -> ScoreTable:
    with open(path, "rb") as fh:
        return score_table_import(
            actor=world.users[Role.ADMINISTRATOR],
            file=fh,
            standard_code="vn-2022-2025",
            title="Bảng thử",
            **kwargs,
        )


def upload(client: Client, url: str, path: Any, **fields: Any) -> Any:
    with open(path, "rb") as fh:
        data = {"file": fh, "standard_code": "vn-2022-2025", "title": "Bảng nhập qua trang", **fields}
        return client.post(url, data)


@pytest.mark.parametrize("role", VIEWERS)
def test_viewers_see_the_list_with_banner(world, role):
    response = client_for(world, role).get(BASE)
    assert response.status_code == 200
    html = response.content.decode()
    assert BANNER in html
    assert ("nhap/" in html) is (role == Role.ADMINISTRATOR)  # import links for administrators only


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_get_not_found(world, make_xlsx, role):
    table = import_b(world, make_xlsx())
    client = client_for(world, role)
    urls = [
        BASE,
        f"{BASE}mau-nhap.xlsx",
        f"{BASE}mau-thu.xlsx",
        f"{BASE}bang-diem/nhap/",
        f"{BASE}bang-diem/{table.pk}/",
        f"{BASE}phieu-a/nhap/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(f"{BASE}bang-diem/{table.pk}/cong-bo/").status_code == 404


def test_anonymous_is_sent_to_login(db):
    response = Client().get(BASE)
    assert response.status_code == 302 and "dang-nhap" in response["Location"]


def test_province_officer_may_look_but_not_change(world, make_xlsx):
    table = import_b(world, make_xlsx())
    client = client_for(world, Role.PROVINCE_OFFICER)
    detail = client.get(f"{BASE}bang-diem/{table.pk}/")
    assert detail.status_code == 200
    assert 'data-testid="publish"' not in detail.content.decode()
    assert client.get(f"{BASE}bang-diem/nhap/").status_code == 403
    assert upload(client, f"{BASE}bang-diem/nhap/", make_xlsx()).status_code == 403
    assert client.post(f"{BASE}bang-diem/{table.pk}/cong-bo/").status_code == 403
    assert client.get(f"{BASE}bang-diem/{table.pk}/nhap-lai/").status_code == 403
    table.refresh_from_db()
    assert table.status == Status.DRAFT


def test_banner_gone_when_an_official_table_is_published(world, make_xlsx):
    table = import_b(world, make_xlsx(), official=True, document_reference="TT 07/2021, Phụ lục IV")
    client = client_for(world, Role.PROVINCE_OFFICER)
    assert BANNER in client.get(BASE).content.decode()  # a draft does not count
    score_table_publish(actor=world.users[Role.ADMINISTRATOR], table=table)
    html = client.get(BASE).content.decode()
    assert BANNER not in html
    assert "TT 07/2021, Phụ lục IV" in html


def test_unofficial_published_table_keeps_banner_and_is_labelled(world, make_xlsx):
    table = score_table_publish(actor=world.users[Role.ADMINISTRATOR], table=import_b(world, make_xlsx()))
    client = client_for(world, Role.ADMINISTRATOR)
    html = client.get(BASE).content.decode()
    assert BANNER in html
    assert "KHÔNG CHÍNH THỨC / MẪU THỬ" in html
    detail = client.get(f"{BASE}bang-diem/{table.pk}/").content.decode()
    assert "KHÔNG CHÍNH THỨC / MẪU THỬ" in detail and 'data-testid="unofficial-banner"' in detail


def test_upload_errors_are_shown_as_a_table_of_rows(world, make_xlsx):
    client = client_for(world, Role.ADMINISTRATOR)
    path = make_xlsx(points=[*POINTS, ("XE", "1", *[1] * 7), ("NHA", "1", *[1] * 7)])
    response = upload(client, f"{BASE}bang-diem/nhap/", path)
    assert response.status_code == 422
    html = response.content.decode()
    table = html[html.index('data-testid="import-errors"') :]
    cells = re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td>", table)
    assert cells == [("Phiếu B - Điểm", "10"), ("Phiếu B - Điểm", "11")]
    assert "chỉ tiêu XE không có trong trang Phiếu B - Câu hỏi" in html
    assert "trùng dòng 4" in html
    assert ScoreTable.objects.count() == 0


def test_upload_official_without_reference_is_refused_by_the_form(world, make_xlsx):
    client = client_for(world, Role.ADMINISTRATOR)
    response = upload(client, f"{BASE}bang-diem/nhap/", make_xlsx(), official="on")
    assert response.status_code == 422
    assert "Ghi số hiệu văn bản" in response.content.decode()
    assert ScoreTable.objects.count() == 0


def test_upload_preview_publish_flow(world, make_xlsx):
    client = client_for(world, Role.ADMINISTRATOR)
    response = upload(client, f"{BASE}bang-diem/nhap/", make_xlsx())
    table = ScoreTable.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}bang-diem/{table.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "KHÔNG CHÍNH THỨC / MẪU THỬ" in detail and 'data-testid="publish"' in detail

    # typed answers: urban 100 + 50 + 20 = 170 ≤ 175, score B 30 → poor
    html = client.get(
        f"{BASE}bang-diem/{table.pk}/", {"vung": "urban", "so_thieu_hut": 3, "cau_NHA": "1", "cau_TIVI": "1"}
    ).content.decode()
    assert re.search(r'data-testid="score-a">170<', html)
    assert re.search(r'data-testid="preview-class">hộ nghèo<', html)
    assert "Kết quả chỉ để thử" in html
    # built-in test household: highest points on rural NT6 = 80 + 40 + 15 + 12 = 147 > 140
    html = client.get(
        f"{BASE}bang-diem/{table.pk}/", {"vung": "rural_nt6", "so_thieu_hut": 0, "bo": "cao_nhat"}
    ).content.decode()
    assert re.search(r'data-testid="score-a">147<', html)
    assert re.search(r'data-testid="preview-class">hộ không nghèo<', html)
    # unknown answer → a message, not a crash
    html = client.get(
        f"{BASE}bang-diem/{table.pk}/", {"vung": "urban", "so_thieu_hut": 0, "cau_NHA": "9"}
    ).content.decode()
    assert 'data-testid="preview-result"' not in html

    response = client.post(f"{BASE}bang-diem/{table.pk}/cong-bo/")
    assert response.status_code == 302
    table.refresh_from_db()
    assert table.status == Status.PUBLISHED
    detail = client.get(f"{BASE}bang-diem/{table.pk}/").content.decode()
    assert 'data-testid="publish"' not in detail
    # publishing again and re-importing into the published version are refused
    assert client.post(f"{BASE}bang-diem/{table.pk}/cong-bo/").status_code == 409
    response = upload(client, f"{BASE}bang-diem/{table.pk}/nhap-lai/", make_xlsx())
    assert response.status_code == 409


def test_reimport_into_draft_via_page(world, make_xlsx):
    table = import_b(world, make_xlsx())
    client = client_for(world, Role.ADMINISTRATOR)
    assert client.get(f"{BASE}bang-diem/{table.pk}/nhap-lai/").status_code == 200
    response = upload(client, f"{BASE}bang-diem/{table.pk}/nhap-lai/", make_xlsx(), title="Tên mới")
    assert response.status_code == 302
    table.refresh_from_db()
    assert table.title == "Tên mới" and table.version == 1


def test_screening_pages(world, make_xlsx):
    client = client_for(world, Role.ADMINISTRATOR)
    response = upload(client, f"{BASE}phieu-a/nhap/", make_xlsx(), title="Phiếu A thử")
    lst = ScreeningList.objects.get()
    assert response.status_code == 302
    html = client.get(
        f"{BASE}phieu-a/{lst.pk}/", {"xem_thu": "1", "cau_OTO": "1", "cau_LUONG": "2"}
    ).content.decode()
    assert "Loại khỏi danh sách rà soát" in html and "Có ô tô: Có" in html
    html = client.get(f"{BASE}phieu-a/{lst.pk}/", {"xem_thu": "1", "cau_OTO": "2"}).content.decode()
    assert "Không bị loại" in html and "LUONG" in html
    assert client.post(f"{BASE}phieu-a/{lst.pk}/cong-bo/").status_code == 302
    lst.refresh_from_db()
    assert lst.status == Status.PUBLISHED


def test_template_download_opens_and_bundles_no_points(world):
    response = client_for(world, Role.PROVINCE_OFFICER).get(f"{BASE}mau-nhap.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Hướng dẫn", "Phiếu A - Tiêu chí", "Phiếu B - Câu hỏi", "Phiếu B - Điểm"]
    instructions = " ".join(str(c.value) for row in wb["Hướng dẫn"].iter_rows() for c in row if c.value)
    assert "Phụ lục III/IV" in instructions and "KHÔNG được đóng gói sẵn" in instructions
    assert "chưa kiểm chứng" in instructions
    for name in wb.sheetnames[1:]:
        assert wb[name].max_row == 2  # title and header only: no data
    header = [c.value for c in wb["Phiếu B - Điểm"][2]]
    assert header[3] == "Thành thị (urban)" and header[-1].endswith("(rural_nt6)")
    assert SAMPLE_MARK not in instructions


def test_sample_download_is_marked_on_every_sheet(world):
    response = client_for(world, Role.ADMINISTRATOR).get(f"{BASE}mau-thu.xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    for ws in wb.worksheets:
        assert ws["A1"].value == SAMPLE_MARK == "MẪU THỬ — không phải số liệu chính thức"
    labels = [r[1] for r in wb["Phiếu B - Câu hỏi"].iter_rows(min_row=3, values_only=True) if r[1]]
    assert labels and all("(mẫu thử)" in label for label in labels)


def test_pages_have_no_inline_script_or_style(world, make_xlsx):
    table = import_b(world, make_xlsx())
    client = client_for(world, Role.ADMINISTRATOR)
    for url in [BASE, f"{BASE}bang-diem/nhap/", f"{BASE}bang-diem/{table.pk}/?vung=urban&so_thieu_hut=0"]:
        html = client.get(url).content.decode()
        assert "style=" not in html
        assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html)), url
