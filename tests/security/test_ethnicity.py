"""Issue 8, item 15: ethnicity is one of the 54 official groups (data with provenance)."""

from __future__ import annotations

import pytest

from hongheo.core.errors import ValidationError
from hongheo.registry.ethnicity import canonical, code_of, ethnic_groups, labels
from hongheo.users.models import Role


def test_the_list_has_54_groups_with_provenance():
    data = ethnic_groups()
    assert len(labels()) == 54 == len(set(labels()))
    assert data["provenance"]["status"] in ("verified", "unverified") and data["provenance"]["source"]
    assert code_of("Kinh") == "01"
    assert canonical("H'Mông") == "Mông" and canonical("khmer") == "Khơ-me" and canonical("Ba Na") == "Ba-na"


def test_free_text_ethnicity_is_refused_by_the_services(world):
    from hongheo.registry import services as s

    officer = world.users[Role.COMMUNE_OFFICER]
    child = world.hh_a1.members.get(relation_to_head="child")
    with pytest.raises(ValidationError, match="54 dân tộc"):
        s.member_update(actor=officer, member=child, changes={"ethnicity": "Người Sao Hoả"})
    s.member_update(actor=officer, member=child, changes={"ethnicity": "hmong"})
    child.refresh_from_db()
    assert child.ethnicity == "Mông"


def test_import_rejects_unknown_ethnicity_and_normalises_spellings(world, imp):
    from hongheo.registry.models import Household, Member

    officer = world.users[Role.COMMUNE_OFFICER]
    good = imp.household_rows("E-1", world.commune_a.code, members=2)
    good[1]["Dân tộc"] = "H'Mông"
    bad = imp.household_rows("E-2", world.commune_a.code, members=1)
    bad[0]["Dân tộc"] = "Không rõ"
    batch = imp.run(officer, "e.csv", imp.to_csv(good + bad))
    assert batch.result["households_new"] == 1 and not Household.objects.filter(code="E-2").exists()
    assert set(Member.objects.filter(household__code="E-1").values_list("ethnicity", flat=True)) == {
        "Kinh",
        "Mông",
    }


def test_migration_keeps_and_reports_unknown_values(world, capsys):
    from django.apps import apps as django_apps
    from django.core.management import call_command

    from hongheo.registry.models import Member

    Member.objects.filter(household=world.hh_a1).update(ethnicity="Ê Đê")
    Member.objects.filter(household=world.hh_b).update(ethnicity="Dân tộc lạ")
    migration = __import__("hongheo.registry.migrations.0006_ethnicity_official_names", fromlist=["forwards"])
    migration.forwards(django_apps, None)
    assert set(Member.objects.filter(household=world.hh_a1).values_list("ethnicity", flat=True)) == {"Ê-đê"}
    assert set(Member.objects.filter(household=world.hh_b).values_list("ethnicity", flat=True)) == {
        "Dân tộc lạ"
    }
    assert "Dân tộc lạ" in capsys.readouterr().out
    call_command("ethnicity_report")
    assert "Dân tộc lạ\t2" in capsys.readouterr().out
