"""The support pages: who may open what (7 roles), forms through the services, bad input shown
with nothing changed, the household page's part, the province's checks and send-back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from hongheo.core.models import AuditEvent
from hongheo.registry.services import household_update_facts
from hongheo.reviews.models import ReviewRound, RoundEntry
from hongheo.support.models import Assignment, Organisation, PlanItem, SendBack

from .conftest import ROLES

TODAY = timezone.localdate()
READERS = {"commune_officer", "commune_chairman", "village_head", "province_officer"}


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize("role", ROLES)
def test_commune_page_by_role(listed, users, role):
    response = _client(users[role]).get(f"/ho-tro/xa/{listed.commune_a.code}/")
    assert response.status_code == (200 if role in READERS else 403)
    if role in READERS:
        assert 'data-testid="needs-met"' in response.content.decode()
    other = _client(users[role]).get(f"/ho-tro/xa/{listed.commune_c.code}/")  # Hà Nội
    assert other.status_code in (403, 404)


def test_index_redirects_a_one_commune_user(listed, users):
    response = _client(users["commune_officer"]).get("/ho-tro/")
    assert response.status_code == 302 and response["Location"].endswith(
        f"/ho-tro/xa/{listed.commune_a.code}/"
    )
    province = _client(users["province_officer"]).get("/ho-tro/")
    assert province.status_code == 200 and "/ho-tro/kiem-tra/" in province.content.decode()


def test_organisation_form_assign_and_exports(listed, users):
    c = _client(users["commune_officer"])
    bad = c.post(f"/ho-tro/xa/{listed.commune_a.code}/to-chuc/them/", {"name": "", "kind": "womens_union"})
    assert bad.status_code == 422 and not Organisation.objects.exists()
    response = c.post(
        f"/ho-tro/xa/{listed.commune_a.code}/to-chuc/them/",
        {"name": "Hội Liên hiệp Phụ nữ", "kind": "womens_union", "contact": "Chị Hoa"},
    )
    org = Organisation.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/ho-tro/to-chuc/{org.pk}/")
    page = c.get(f"/ho-tro/to-chuc/{org.pk}/")
    assert page.status_code == 200 and "assign-form" in page.content.decode()
    none = c.post(f"/ho-tro/to-chuc/{org.pk}/", {"form": "assign", "need": "education", "classes": ["poor"]})
    assert (
        none.status_code == 422 and "Không có hộ" in none.content.decode() and not Assignment.objects.exists()
    )
    done = c.post(
        f"/ho-tro/to-chuc/{org.pk}/",
        {
            "form": "assign",
            "village": listed.village_a1.code,
            "classes": ["poor", "near_poor"],
            "helper_name": "Mai",
        },
        follow=True,
    )
    assert "Nguyễn Văn An" in done.content.decode() and "Lê Thị Đào" not in done.content.decode()
    xlsx = c.get(f"/ho-tro/to-chuc/{org.pk}/danh-sach.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    pdf = c.get(f"/ho-tro/to-chuc/{org.pk}/danh-sach.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert c.get(f"/ho-tro/to-chuc/{org.pk}/danh-sach.csv").status_code == 404
    assert (
        AuditEvent.objects.filter(kind="export", action__startswith="support.help_list_export").count() == 2
    )
    # the surveyor and the province may not take the list; an officer of another commune does not see it
    assert _client(users["surveyor"]).get(f"/ho-tro/to-chuc/{org.pk}/danh-sach.xlsx").status_code == 403
    assert (
        _client(users["province_officer"]).get(f"/ho-tro/to-chuc/{org.pk}/danh-sach.xlsx").status_code == 403
    )


def test_household_plan_page_add_follow_up_and_household_part(listed, users):
    c = _client(users["commune_officer"])
    hh = listed.hh_a1
    page = c.get(f"/ho-tro/ho/{hh.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="suggestions"' in text and "Thẻ bảo hiểm y tế" in text
    bad = c.post(
        f"/ho-tro/ho/{hh.pk}/", {"kind": "health_insurance_card", "responsible": "A", "due_on": "2026-12-31"}
    )
    assert bad.status_code == 422 and "chương trình" in bad.content.decode() and not PlanItem.objects.exists()
    c.post(
        f"/ho-tro/ho/{hh.pk}/",
        {
            "kind": "health_insurance_card",
            "need": "health",
            "programme": "state_budget",
            "responsible": "Anh Tú",
            "due_on": (TODAY + dt.timedelta(days=10)).isoformat(),
        },
    )
    item = PlanItem.objects.get()
    assert (
        _client(users["surveyor"])
        .post(f"/ho-tro/ke-hoach/{item.pk}/ket-qua/", {"status": "given"})
        .status_code
        == 403
    )
    c.post(f"/ho-tro/ke-hoach/{item.pk}/ket-qua/", {"status": "given", "note": "Đã cấp thẻ"})
    item.refresh_from_db()
    assert item.status == "given"
    detail = c.get(f"/ho/{hh.pk}/").content.decode()
    assert 'data-testid="household-help"' in detail and "Đã hỗ trợ" in detail
    assert c.get(f"/ho-tro/ho/{listed.hh_b.pk}/").status_code == 404  # another commune's household


def test_household_not_on_the_lists_gets_no_plan_form(listed, users, household_factory):
    hh = household_factory(listed.commune_a, listed.village_a1, "HH-A7", "Hộ Khá Giả")
    text = _client(users["commune_officer"]).get(f"/ho-tro/ho/{hh.pk}/").content.decode()
    assert 'data-testid="not-listed"' in text and 'data-testid="plan-form"' not in text


def test_english_page_shows_english_code_names(listed, users):
    c = _client(users["commune_officer"])
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = c.get(f"/ho-tro/ho/{listed.hh_a1.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Health insurance card" in text


def test_province_checks_page_and_send_back(listed, users, household_factory):
    line = 1_500_000
    for i in range(9):
        h = household_factory(listed.commune_a, listed.village_a1, f"BX{i}", f"Hộ {i}")
        household_update_facts(actor=None, household=h, facts={"income_per_capita": line - 500 * (i + 1)})
    rnd = ReviewRound.objects.create(
        commune=listed.commune_a,
        kind="yearly",
        year=TODAY.year,
        state="posting",
        standard_code="vn-2022-2025",
        period_start=dt.date(TODAY.year, 9, 1),
        period_end=dt.date(TODAY.year, 12, 14),
    )
    RoundEntry.objects.create(
        round=rnd, household=listed.hh_a1, origin="poor", previous_class="poor", state="agreed"
    )
    for role in ROLES:
        if role != "province_officer":
            assert _client(users[role]).get("/ho-tro/kiem-tra/").status_code == 403
    c = _client(users["province_officer"])
    text = c.get("/ho-tro/kiem-tra/").content.decode()
    assert 'data-check="bunching"' in text and 'data-testid="send-back-form"' in text
    assert f'href="/ho/{listed.hh_a1.pk}/"' in text
    empty = c.post(
        f"/ho-tro/kiem-tra/{listed.commune_a.code}/tra-lai/", {"step": "survey", "reason": ""}, follow=True
    )
    assert "không được để trống" in empty.content.decode() and not SendBack.objects.exists()
    c.post(
        f"/ho-tro/kiem-tra/{listed.commune_a.code}/tra-lai/",
        {
            "step": "survey",
            "reason": "Dồn hộ dưới chuẩn nghèo",
            "checks": "bunching,unknown",
            "households": "HH-A1",
        },
    )
    back = SendBack.objects.get()
    assert back.checks == ["bunching"] and back.households == ["HH-A1"]
    rnd.refresh_from_db()
    assert rnd.state == "survey"
    commune = _client(users["commune_officer"]).get(f"/ho-tro/xa/{listed.commune_a.code}/").content.decode()
    assert "Dồn hộ dưới chuẩn nghèo" in commune
    round_page = _client(users["commune_officer"]).get(f"/ra-soat/dot/{rnd.pk}/").content.decode()
    assert 'data-testid="round-send-backs"' in round_page and "Dồn hộ dưới chuẩn nghèo" in round_page
    assert (
        _client(users["commune_officer"])
        .post(f"/ho-tro/kiem-tra/{listed.commune_a.code}/tra-lai/", {"step": "survey", "reason": "x"})
        .status_code
        == 403
    )


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_commune_and_organisation_pages_do_not_grow_with_households(
    listed, users, womens_union, household_factory
):
    from hongheo.registry.services import household_update_groups_causes_needs
    from hongheo.reviews.services import status_baseline_set
    from hongheo.support import services

    c = _client(users["commune_officer"])
    services.households_assign(actor=None, organisation=womens_union)
    urls = [f"/ho-tro/xa/{listed.commune_a.code}/", f"/ho-tro/to-chuc/{womens_union.pk}/"]
    few = [_queries(c, u) for u in urls]
    for i in range(15):
        h = household_factory(listed.commune_a, listed.village_a1, f"HH-Q{i}", f"Hộ Số {i}")
        status_baseline_set(
            actor=None, household=h, classification="poor", since=dt.date(2025, 12, 20), source="x"
        )
        household_update_groups_causes_needs(actor=None, household=h, support_needs=["health"])
    services.households_assign(actor=None, organisation=womens_union)
    assert [_queries(c, u) for u in urls] == few
