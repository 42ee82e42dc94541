from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import formats, translation
from hypothesis import given
from hypothesis import strategies as st

from hongheo.core.text import fold, format_vnd, sort_key, split_full_name
from hongheo.users.models import Role


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nguyễn", "nguyen"),
        ("Đặng Văn Đức", "dang van duc"),
        ("  Lê   Thị  ", "le thi"),
        ("Hồ Chí Minh", "ho chi minh"),
        ("ĐẶNG", "dang"),
        ("Ưng Hoàng Phúc", "ung hoang phuc"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_vietnamese_alphabetical_order():
    names = [
        "Đức",
        "Dung",
        "Ánh",
        "Anh",
        "Ân",
        "Ấn",
        "Ăn",
        "Bình",
        "Ơn",
        "Ôn",
        "On",
        "Ưng",
        "Uyên",
        "Yến",
        "Hà",
        "Hạ",
    ]
    expected = [
        "Anh",
        "Ánh",
        "Ăn",
        "Ân",
        "Ấn",
        "Bình",
        "Dung",
        "Đức",
        "Hà",
        "Hạ",
        "On",
        "Ôn",
        "Ơn",
        "Uyên",
        "Ưng",
        "Yến",
    ]
    assert sorted(names, key=sort_key) == expected


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạếềểễệ ", max_size=12))
def test_sort_key_is_deterministic_and_fold_idempotent(text):
    assert sort_key(text) == sort_key(text)
    assert fold(fold(text)) == fold(text)


def test_split_full_name():
    assert split_full_name("Nguyễn Thị Minh Anh") == ("Nguyễn", "Thị Minh", "Anh")
    assert split_full_name("An") == ("", "", "An")


def test_vnd():
    assert format_vnd(1_500_000) == "1.500.000 đ"
    assert format_vnd(0) == "0 đ"
    assert format_vnd(None) == "—"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_dates_are_dd_mm_yyyy(lang):
    with translation.override(lang):
        assert formats.date_format(dt.date(2026, 9, 1), "SHORT_DATE_FORMAT") == "01/09/2026"


def test_login_page_is_vietnamese_by_default_and_english_on_request(db):
    client = Client()
    html = client.get("/dang-nhap/").content.decode()
    assert "Đăng nhập" in html and 'lang="vi"' in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/dang-nhap/"})
    html_en = client.get("/dang-nhap/").content.decode()
    assert "Log in" in html_en and 'lang="en"' in html_en


def test_search_without_diacritics_and_by_id(world):
    client = Client()
    client.force_login(world.users[Role.COMMUNE_OFFICER])
    html = client.get("/ho/", {"q": "nguyen van an"}).content.decode()
    assert "HH-A1" in html and "HH-A2" not in html
    html = client.get("/ho/", {"q": "DAO"}).content.decode()
    assert "HH-A2" in html and "HH-A1" not in html
    pid = world.hh_a2.members.get(relation_to_head="head").personal_id
    html = client.get("/ho/", {"q": pid}).content.decode()
    assert "HH-A2" in html and "HH-A1" not in html


def test_income_shown_with_thousand_separators(world):
    client = Client()
    client.force_login(world.users[Role.COMMUNE_OFFICER])
    assert "1.450.000 đ" in client.get(f"/ho/{world.hh_a1.pk}/").content.decode()


def test_browser_language_does_not_switch_the_ui_to_english(db):
    html = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/dang-nhap/").content.decode()
    assert 'lang="vi"' in html and "Đăng nhập" in html


def test_indicator_facts_are_shown_in_vietnamese():
    from hongheo.web.facts_display import facts_vi

    text = facts_vi({"floor_area_m2": 52.0, "size": 2, "m2_per_person": 26.0, "min_m2_per_person": 8})
    assert text == "diện tích nhà (m²): 52,0; số người: 2; m²/người: 26,0; ngưỡng m²/người: 8"
    members = facts_vi(
        {
            "fact": "education_level",
            "members": [{"age": 25, "education_level": "primary", "in_school": False}],
        }
    )
    assert members == "thành viên liên quan: (25 tuổi, Tiểu học, không đi học)"
    assert facts_vi({"water_source": "piped", "accepted_values": ["piped", "rainwater"]}) == (
        "nguồn nước: Nước máy; đạt khi: Nước máy, Nước mưa"
    )
