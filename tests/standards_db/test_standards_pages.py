from __future__ import annotations

import json

from django.test import Client

from hongheo.core.jobs import run_pending_jobs
from hongheo.core.models import Job
from hongheo.registry.services import household_update_facts
from hongheo.standards.models import ClassificationRun, PublishedStandard
from hongheo.users.models import Role


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_classify_commune_from_the_area_page_then_see_the_explanation(world):
    officer = world.users[Role.COMMUNE_OFFICER]
    client = _client(officer)
    area_page = client.get(f"/dia-ban/{world.commune_a.code}/").content.decode()
    assert 'data-testid="classify-official"' in area_page
    response = client.post(f"/dia-ban/{world.commune_a.code}/xep-loai/", {"kind": "official"})
    job = Job.objects.get(kind="standards.classify_area")
    assert response["Location"] == f"/tac-vu/{job.pk}/"
    run_pending_jobs()
    job.refresh_from_db()
    assert job.state == "succeeded", job.error
    run = ClassificationRun.objects.get(pk=job.result["run_id"])
    assert run.households == 2
    assert "Xem kết quả xếp loại" in client.get(f"/tac-vu/{job.pk}/").content.decode()
    run_page = client.get(f"/xep-loai/{run.pk}/").content.decode()
    assert world.commune_a.name in run_page and "none→" in run_page
    # income 1,450,000 ≤ 1,500,000 rural line; the child has a disability → the page explains it
    page = client.get(f"/ho/{world.hh_a1.pk}/").content.decode()
    assert 'data-testid="class-label"' in page
    assert "Chuẩn nghèo đa chiều quốc gia giai đoạn 2022–2025" in page
    assert "1.500.000" in page
    assert "stale" not in page
    card = client.get(f"/ho/{world.hh_a1.pk}/phieu-xep-loai/").content.decode()
    assert "PHIẾU KẾT QUẢ XẾP LOẠI HỘ GIA ĐÌNH" in card and world.hh_a1.code in card
    household_update_facts(actor=officer, household=world.hh_a1, facts={"income_per_capita": 5_000_000})
    assert 'data-testid="stale"' in client.get(f"/ho/{world.hh_a1.pk}/").content.decode()


def test_what_if_from_the_area_page_needs_a_standard(world):
    client = _client(world.users[Role.PROVINCE_OFFICER])
    assert client.post(f"/dia-ban/{world.hue.code}/xep-loai/", {"kind": "what_if"}).status_code == 422
    client.post(f"/dia-ban/{world.hue.code}/xep-loai/", {"kind": "what_if", "standard": "vn-2026-2030"})
    run_pending_jobs()
    run = ClassificationRun.objects.get()
    assert run.kind == "what_if" and run.standard_code == "vn-2026-2030"
    assert 'data-testid="what-if-banner"' in client.get(f"/xep-loai/{run.pk}/").content.decode()


def test_classification_pages_respect_the_gate(world):
    client = _client(world.users[Role.SURVEYOR])
    assert client.post(f"/dia-ban/{world.commune_a.code}/xep-loai/", {"kind": "official"}).status_code == 403
    other = _client(world.users[Role.COMMUNE_OFFICER])
    assert other.post(f"/dia-ban/{world.commune_c.code}/xep-loai/", {"kind": "official"}).status_code == 404
    _client(world.users[Role.PROVINCE_OFFICER]).post(
        f"/dia-ban/{world.hue.code}/xep-loai/", {"kind": "official"}
    )
    run_pending_jobs()
    run = ClassificationRun.objects.get()
    assert _client(world.users[Role.CENTRAL_ANALYST]).get(f"/xep-loai/{run.pk}/").status_code == 200
    hanoi_user = _client(world.users[Role.VILLAGE_HEAD])
    assert hanoi_user.get(f"/xep-loai/{run.pk}/").status_code == 404


def test_standards_pages_show_every_number_with_its_provenance(world):
    client = _client(world.users[Role.COMMUNE_OFFICER])
    listing = client.get("/chuan-ngheo/").content.decode()
    for code in ("vn-2016-2020", "vn-2022-2025", "vn-2026-2030"):
        assert code in listing
    # no link to a page the role cannot open: Phiếu A/B is for those who may view it
    assert (
        'href="/chuan-ngheo/phieu/"' not in listing and client.get("/chuan-ngheo/phieu/").status_code == 404
    )
    admin_listing = _client(world.users[Role.ADMINISTRATOR]).get("/chuan-ngheo/").content.decode()
    assert 'href="/chuan-ngheo/phieu/"' in admin_listing
    detail = client.get("/chuan-ngheo/vn-2022-2025/").content.decode()
    assert "1.500.000 đ" in detail and "2.000.000 đ" in detail
    # an officer sees a discreet marker on unchecked numbers, never the research notes
    assert 'data-testid="provenance-mark"' in detail and "Chưa đối chiếu văn bản gốc" in detail
    assert "addendum" not in detail and "fact sheet" not in detail and "unverified" not in detail
    # the administrator reads it in plain words with the legal instrument
    admin = _client(world.users[Role.ADMINISTRATOR]).get("/chuan-ngheo/vn-2022-2025/").content.decode()
    assert (
        "Đã đối chiếu văn bản" in admin and "Chưa đối chiếu văn bản gốc — quản trị viên có thể sửa" in admin
    )
    assert "Nghị định 07/2021/NĐ-CP" in admin and "3RD-PARTY" not in admin and "addendum" not in admin
    assert client.get("/chuan-ngheo/khong-co/").status_code == 404


def test_administrator_drafts_and_publishes_a_provincial_standard(world):
    admin = _client(world.users[Role.ADMINISTRATOR])
    assert _client(world.users[Role.PROVINCE_OFFICER]).get("/chuan-ngheo/soan-thao/").status_code == 404
    form = admin.get("/chuan-ngheo/soan-thao/").content.decode()
    assert "tinh-XX-2026" in form
    bad = admin.post("/chuan-ngheo/soan-thao/", {"document": '{"code": "x"'})
    assert "JSON không hợp lệ" in bad.content.decode()
    template = json.loads(admin.get("/chuan-ngheo/soan-thao/").context["document"])
    template.update(code="hue-2026", province_code="46", title="Chuẩn nghèo của Huế 2026")
    template["income_lines"]["poor"]["rural"]["value"] = -5
    invalid = admin.post("/chuan-ngheo/soan-thao/", {"document": json.dumps(template)})
    assert 'data-testid="errors"' in invalid.content.decode()
    assert not PublishedStandard.objects.exists()
    template["income_lines"]["poor"]["rural"]["value"] = 1_800_000
    saved = admin.post("/chuan-ngheo/soan-thao/", {"document": json.dumps(template)})
    assert saved["Location"] == "/chuan-ngheo/hue-2026/"
    assert "Bản nháp" in admin.get("/chuan-ngheo/hue-2026/").content.decode()
    admin.post("/chuan-ngheo/hue-2026/cong-bo/")
    assert PublishedStandard.objects.get(code="hue-2026").status == "published"
    assert "hue-2026" in admin.get("/chuan-ngheo/").content.decode()


def test_cli_classify_uses_a_standard_published_in_the_database(world, tmp_path, capsys):
    from hongheo.cli import main
    from hongheo.standards.rules.catalog import get_standard
    from hongheo.standards.services import standard_draft_save, standard_publish

    doc = {
        **{k: v for k, v in get_standard("vn-2022-2025").document.items() if k != "dimensions"},
        "code": "hue-2026-cli",
        "title": "Chuẩn nghèo riêng của Huế",
        "scope": "province",
        "province_code": "46",
        "based_on": "vn-2022-2025",
    }
    doc["income_lines"] = json.loads(json.dumps(doc["income_lines"]))
    doc["income_lines"]["poor"]["rural"]["value"] = 1_800_000
    admin = world.users[Role.ADMINISTRATOR]
    standard_publish(actor=admin, standard=standard_draft_save(actor=admin, document=doc))
    source = tmp_path / "in.csv"
    source.write_text(
        "household_id,area,income_per_capita,deprived\nH1,rural,1700000,employment;water;sanitation\n"
    )
    assert main(["classify", "--standard", "hue-2026-cli", "--input", str(source)]) == 0
    out = capsys.readouterr().out
    assert "H1,hue-2026-cli,poor," in out and "1.800.000" in out
