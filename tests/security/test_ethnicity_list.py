"""Issue 8, item 15 (the list itself): what the ethnic-group list was checked against is recorded
in its provenance; the two official numberings (1979 and 2008) are both kept; the member form
offers the list as a select (English names in English); an administrator corrects the list as data
with ``manage.py ethnic_groups --load``, audited, refused whole when it is wrong."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from hongheo.core.models import AuditEvent
from hongheo.registry import ethnicity
from hongheo.users.models import Role


def test_provenance_says_what_was_checked_and_stays_unverified():
    prov = ethnicity.ethnic_groups()["provenance"]
    assert prov["status"] == "unverified"  # not every code could be read in an official source
    urls = [c["url"] for c in prov["checks"] if c["url"]]
    assert any("gso.gov.vn" in u for u in urls) and any("danang.gov.vn" in u for u in urls)
    assert all(c["what"] and c["against"] and c["result"] for c in prov["checks"])


def test_the_two_official_numberings_are_kept_apart():
    assert ethnicity.code_of("Hoa") == "04" and ethnicity.code_of("Hoa", code_set="code_2008") == "06"
    assert ethnicity.code_of("Mường") == "06" and ethnicity.code_of("Mường", code_set="code_2008") == "04"
    assert ethnicity.code_of("Ê-đê") == "12" and ethnicity.code_of("Ê-đê", code_set="code_2008") == "11"
    groups = ethnicity.ethnic_groups()["groups"]
    assert sorted(g["code_2008"] for g in groups) == [f"{i:02d}" for i in range(1, 55)]
    # spellings of the official sources all resolve to one group
    for text, name in [("RaGlay", "Ra-glai"), ("Cơ Lao", "Co Lao"), ("Khơ- Me", "Khơ-me"), ("HMông", "Mông")]:
        assert ethnicity.canonical(text) == name


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_member_form_offers_the_list_as_a_select(world):
    client = _client(world.users[Role.COMMUNE_OFFICER])
    url = f"/ho/{world.hh_a1.pk}/thanh-vien/them/"
    page = client.get(url)
    field = page.context["form"]["ethnicity"].field
    choices = [(v, str(label)) for v, label in field.choices]
    assert len(choices) == 55 and ("Mông", "Mông") in choices
    assert '<select name="ethnicity"' in page.content.decode()
    with translation.override("en"):
        assert ("Mông", "Hmong") in [(v, str(label)) for v, label in field.choices]
    data = {
        "full_name": "Nguyễn Thị Hoa",
        "date_of_birth": "2015-06-01",
        "sex": "female",
        "relation_to_head": "child",
        "ethnicity": "Người Sao Hoả",
    }
    response = client.post(url, data)
    assert response.status_code == 422
    assert not world.hh_a1.members.filter(full_name="Nguyễn Thị Hoa").exists()
    assert client.post(url, data | {"ethnicity": "Ê-đê"}).status_code == 302
    assert world.hh_a1.members.get(full_name="Nguyễn Thị Hoa").ethnicity == "Ê-đê"


@pytest.fixture
def reference_dir(tmp_path):
    before = ethnicity.override_path()
    ethnicity.set_override_path(tmp_path / "ethnic_groups.json")
    yield tmp_path
    ethnicity.set_override_path(before)


def _corrected(tmp_path, change):
    data = json.loads(ethnicity.shipped_text())
    change(data)
    path = tmp_path / "sua.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_administrator_loads_a_corrected_list_with_audit(world, reference_dir, capsys):
    admin = world.users[Role.ADMINISTRATOR]

    def fix(data):
        data["version"] = 3
        data["groups"][0]["aliases"].append("Người Kinh")

    call_command("ethnic_groups", load=_corrected(reference_dir, fix), user=admin.username)
    assert "phiên bản 3" in capsys.readouterr().out
    assert ethnicity.canonical("người kinh") == "Kinh"  # in use at once, no restart
    event = AuditEvent.objects.get(action="registry.ethnic_groups_load")
    assert event.actor == admin and event.after["changed"] == ["Kinh"] and event.after["version"] == 3
    out = reference_dir / "xuat.json"
    call_command("ethnic_groups", export=str(out))
    assert json.loads(out.read_text("utf-8"))["version"] == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["groups"].pop(), "54 dân tộc"),
        (lambda d: d["groups"][1].update(code="01"), "code bị trùng"),
        (lambda d: d["groups"][1]["aliases"].append("Kinh"), "trùng giữa"),
        (lambda d: d["groups"][0].update(label_vi="Việt"), "đang được dùng"),  # members are Kinh
        (lambda d: d["provenance"].update(status="ok"), "provenance"),
    ],
)
def test_a_wrong_list_is_refused_whole(world, reference_dir, change, message):
    admin = world.users[Role.ADMINISTRATOR]
    with pytest.raises(CommandError, match=message):
        call_command("ethnic_groups", load=_corrected(reference_dir, change), user=admin.username)
    assert not (reference_dir / "ethnic_groups.json").exists()
    assert not AuditEvent.objects.filter(action="registry.ethnic_groups_load").exists()
    assert ethnicity.code_of("Kinh") == "01"


def test_only_an_administrator_loads_the_list(world, reference_dir):
    with pytest.raises(CommandError, match="quản trị viên"):
        call_command(
            "ethnic_groups",
            load=_corrected(reference_dir, lambda d: None),
            user=world.users[Role.COMMUNE_OFFICER].username,
        )
    assert not (reference_dir / "ethnic_groups.json").exists()
