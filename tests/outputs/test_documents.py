"""Printed documents: a certificate of a 10-member household fits one page, the batch numbers
pages per certificate, the address is printed once, the posting list per village, the batch as a
background job, and annex lists in natural village order."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from django.test import Client

from hongheo.core.jobs import run_pending_jobs
from hongheo.core.models import Job
from hongheo.core.text import natural_key
from hongheo.registry.services import MemberInput, member_add
from hongheo.reviews import documents
from hongheo.reviews.models import Certificate, Decision
from hongheo.users.models import Role

from .test_no_internal_notes import signed  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _pages(content: bytes) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages]


def _grow(household, size: int) -> None:
    for i in range(size - household.members.filter(is_active=True).count()):
        member_add(
            actor=None,
            household=household,
            data=MemberInput(
                full_name=f"Nguyễn Thị Thành Viên Số {i + 3}",
                date_of_birth=dt.date(1990 + i, 1, 1),
                sex="female",
                relation_to_head="child",
            ),
        )


def test_certificates_one_page_each_numbered_per_certificate_address_once(world, signed):  # noqa: F811
    certificate = Certificate.objects.get()
    _grow(certificate.household, 10)
    assert certificate.household.members.filter(is_active=True).count() == 10
    one = _pages(documents.certificates_pdf([certificate], lambda c: "https://x/y"))
    assert len(one) == 1, "a 10-member household spills onto a second page"
    assert "Quét mã để xác minh" in one[0] and "CHỦ TỊCH" in one[0]
    where = one[0].split("Nơi cư trú:")[1].split("\n")[0]
    province = world.commune_a.parent.name
    assert where.count(province) == 1 and where.count(world.commune_a.name) == 1, where
    three = _pages(documents.certificates_pdf([certificate] * 3, lambda c: "https://x/y"))
    assert len(three) == 3
    assert all("1/1" in page for page in three)


def test_certificate_batch_is_a_background_job_with_progress(world, signed):  # noqa: F811
    chairman = Client()
    chairman.force_login(world.users[Role.COMMUNE_CHAIRMAN])
    decision = Decision.objects.get()
    response = chairman.post(f"/ra-soat/quyet-dinh/{decision.pk}/giay-chung-nhan/in-lo/")
    assert response.status_code == 302 and "/tac-vu/" in response["Location"]
    job = Job.objects.get(kind="reviews.certificates_batch")
    assert job.state == "queued"
    run_pending_jobs()
    job.refresh_from_db()
    assert job.state == "succeeded", job.error
    assert job.progress_done == job.progress_total == Certificate.objects.count()
    with job.result_file.open("rb") as fh:
        assert "GIẤY CHỨNG NHẬN" in _pages(fh.read())[0]
    surveyor = Client()
    surveyor.force_login(world.users[Role.SURVEYOR])
    assert surveyor.post(f"/ra-soat/quyet-dinh/{decision.pk}/giay-chung-nhan/in-lo/").status_code == 403


def test_posting_list_per_village(world, signed):  # noqa: F811
    officer = Client()
    officer.force_login(world.users[Role.COMMUNE_OFFICER])
    page = officer.get(f"/ra-soat/dot/{signed.pk}/niem-yet/").content.decode()
    assert f"/ra-soat/dot/{signed.pk}/niem-yet/{world.village_a2.code}/danh-sach.pdf" in page
    response = officer.get(f"/ra-soat/dot/{signed.pk}/niem-yet/{world.village_a2.code}/danh-sach.pdf")
    assert response.status_code == 200
    text = "\n".join(_pages(response.content))
    assert "DANH SÁCH NIÊM YẾT CÔNG KHAI" in text and "Lê Thị Đào" in text
    assert "Nguyễn Văn An" not in text  # Thôn 1's household is on Thôn 1's list
    head = world.hh_a2.members.get(relation_to_head="head")
    assert head.personal_id not in text
    other = f"/ra-soat/dot/{signed.pk}/niem-yet/{world.commune_b.code}/danh-sach.pdf"
    assert officer.get(other).status_code == 404


def test_natural_vietnamese_order():
    names = ["Tổ dân phố 10", "Tổ dân phố 2", "Xã Đan Điền", "Xã Dương Hòa", "Thôn 1"]
    assert sorted(names, key=natural_key) == [
        "Thôn 1",
        "Tổ dân phố 2",
        "Tổ dân phố 10",
        "Xã Dương Hòa",
        "Xã Đan Điền",
    ]
