"""Issue 8, items 10 and 15 (imports): "the same file again" is scoped to the uploader's area."""

from __future__ import annotations

from hongheo.capture.imports.models import ImportBatch
from hongheo.registry.models import Household
from hongheo.users.models import Role


def test_same_file_from_another_commune_is_still_imported(world, imp):
    from hongheo.users.services import user_create

    officer_a = world.users[Role.COMMUNE_OFFICER]
    officer_b = user_create(
        actor=None, username="xa-b-imp", password=None, role=Role.COMMUNE_OFFICER, areas=[world.commune_b]
    )
    rows = imp.household_rows("S-A", world.commune_a.code) + imp.household_rows(
        "S-B", world.commune_b.code, village=""
    )
    data = imp.to_csv(rows)
    first = imp.run(officer_a, "chung.csv", data)
    assert first.state == ImportBatch.State.DONE and Household.objects.filter(code="S-A").exists()
    second = imp.run(officer_b, "chung.csv", data)
    assert second.state == ImportBatch.State.DONE and second.duplicate_of is None
    assert Household.objects.filter(code="S-B").exists()
    # the same officer again: recognised, nothing changes
    again = imp.run(officer_a, "chung.csv", data)
    assert again.state == ImportBatch.State.DUPLICATE and again.duplicate_of == first
