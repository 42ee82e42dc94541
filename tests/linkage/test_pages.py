"""Linkage pages: render for the right users, gate by area, post through the services, audit reads
and exports, and reject bad input with a Vietnamese message that changes nothing."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hongheo.core.jobs import run_pending_jobs
from hongheo.core.models import AuditEvent
from hongheo.linkage.models import LinkageRun, LinkCandidate, PopulationExtract
from hongheo.users.models import Role

from .worlddata import extract_csv


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_upload_and_run_through_pages(world) -> None:  # type: ignore[no-untyped-def]
    c = _client(world.users[Role.PROVINCE_OFFICER])
    page = c.get(reverse("web:linkage_home"))
    assert page.status_code == 200 and "Nhập bản trích dữ liệu dân cư" in page.content.decode()
    upload = SimpleUploadedFile("dan-cu.csv", extract_csv(world).encode("utf-8"))
    r = c.post(reverse("web:linkage_home"), {"action": "upload", "province": "46", "tep": upload})
    extract = PopulationExtract.objects.get()
    assert r.status_code == 302 and r.url == reverse("web:linkage_extract", args=[extract.pk])
    run_pending_jobs()
    page = c.get(reverse("web:linkage_extract", args=[extract.pk])).content.decode()
    assert 'data-testid="extract-rows">5<' in page
    r = c.post(reverse("web:linkage_home"), {"action": "run", "area": "46"})
    run = LinkageRun.objects.get()
    run_pending_jobs()
    page = c.get(reverse("web:linkage_run", args=[run.pk])).content.decode()
    assert "Xong" in page and f"finding-deceased-{world.commune_b.code}" in page
    bad = SimpleUploadedFile("dan-cu.txt", b"x")
    r = c.post(reverse("web:linkage_home"), {"action": "upload", "province": "46", "tep": bad})
    assert r.status_code == 422 and ".csv, .xlsx hoặc .parquet" in r.content.decode()
    assert PopulationExtract.objects.count() == 1


def test_commune_officer_cannot_upload(world) -> None:  # type: ignore[no-untyped-def]
    c = _client(world.users[Role.COMMUNE_OFFICER])
    upload = SimpleUploadedFile("dan-cu.csv", extract_csv(world).encode("utf-8"))
    r = c.post(reverse("web:linkage_home"), {"action": "upload", "province": "46", "tep": upload})
    assert r.status_code == 404
    assert PopulationExtract.objects.count() == 0


def test_review_queue_decide_and_gate(world, linked) -> None:  # type: ignore[no-untyped-def]
    _, run = linked
    officer = world.users[Role.COMMUNE_OFFICER]
    c = _client(officer)
    page = c.get(reverse("web:linkage_review", args=[run.pk])).content.decode()
    cand = LinkCandidate.objects.get(run=run, decision="review")
    assert f"candidate-{cand.pk}" in page and "Lê Thị Đào" in page and "different" in page
    assert AuditEvent.objects.filter(action="linkage.review_queue_view", actor=officer).exists()
    r = c.post(reverse("web:linkage_decide", args=[cand.pk]), {"action": "accept", "lay": ["date_of_birth"]})
    assert r.status_code == 302
    cand.refresh_from_db()
    assert cand.status == "pending"  # the ID number disagrees with the population's date: refused
    c.post(reverse("web:linkage_decide", args=[cand.pk]), {"action": "reject", "ghi_chu": "khác người"})
    cand.refresh_from_db()
    assert cand.status == "rejected" and cand.note == "khác người"
    # a candidate in commune B is not the officer's: 404, nothing changes
    other = LinkCandidate.objects.filter(run=run, household=world.hh_b).first()
    r = c.post(reverse("web:linkage_decide", args=[other.pk]), {"action": "reject"})
    assert r.status_code == 404
    other.refresh_from_db()
    assert other.status == "accepted"
    # the surveyor may read the run but not decide
    surveyor = _client(world.users[Role.SURVEYOR])
    assert surveyor.get(reverse("web:linkage_review", args=[run.pk])).status_code == 200
    r = surveyor.post(reverse("web:linkage_decide", args=[cand.pk]), {"action": "accept"})
    assert r.status_code == 403


def test_findings_and_quality_pages(world, linked) -> None:  # type: ignore[no-untyped-def]
    _, run = linked
    c = _client(world.users[Role.PROVINCE_OFFICER])
    url = reverse("web:linkage_findings", args=[run.pk]) + f"?loai=deceased&xa={world.commune_b.code}"
    page = c.get(url).content.decode()
    assert "Phạm Minh Đức" in page and "Đã chết" in page
    page = c.get(reverse("web:linkage_quality") + "?dia_ban=46").content.decode()
    assert f"quality-{world.commune_a.code}" in page and f"quality-gone-{world.commune_b.code}" in page
    r = c.get(reverse("web:linkage_quality_export") + "?dia_ban=46")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action="linkage.quality_export", kind="export").exists()
    # the members behind a figure (none incomplete here; one member's ID made invalid shows up)
    from hongheo.registry.models import Member

    Member.objects.filter(pk=world.hh_a1.members.order_by("pk").first().pk).update(personal_id="046099999999")
    url = reverse("web:linkage_quality_members") + f"?dia_ban={world.commune_a.code}&loai=invalid_id"
    page = c.get(url).content.decode()
    assert "046099999999" in page
    assert AuditEvent.objects.filter(action="linkage.quality_members_view").exists()
    commune = _client(world.users[Role.COMMUNE_OFFICER])
    url = reverse("web:linkage_quality_members") + f"?dia_ban={world.commune_b.code}&loai=invalid_id"
    assert commune.get(url).status_code == 404
    page = commune.get(reverse("web:linkage_quality") + "?dia_ban=46").content.decode()
    assert f"quality-{world.commune_b.code}" not in page
    assert commune.get(reverse("web:linkage_quality") + "?dia_ban=01").status_code == 404
