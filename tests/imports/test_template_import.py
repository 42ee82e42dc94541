"""The product's own template: one row per member, and one row per household."""

from __future__ import annotations

from hongheo.capture.imports.models import ImportBatch
from hongheo.core.models import AuditEvent
from hongheo.registry.models import Household, HouseholdEvent, Member
from hongheo.reviews.models import OfficialStatus
from hongheo.reviews.status import was_ever_poor


def test_member_layout_csv_is_imported(world, officer, imp):
    code = world.commune_a.code
    rows = imp.household_rows("IMP-1", code, cls="Hộ nghèo") + imp.household_rows(
        "IMP-2", code, "Thôn Mới", members=2
    )
    batch = imp.run(officer, "ds.csv", imp.to_csv(rows), create_villages=True)  # "tạo thôn mới" ticked
    assert batch.state == ImportBatch.State.DONE, batch.error
    assert batch.result["households_new"] == 2, (batch.result, _reasons(batch))
    assert batch.result["members_new"] == 5
    assert batch.result["rows_rejected"] == 0
    h1 = Household.objects.get(code="IMP-1")
    assert h1.size == 3 and h1.head_name == "Nguyễn Văn Hùng" and h1.village == world.village_a1
    assert h1.housing_quality == "semi_durable" and h1.income_per_capita == 1_200_000
    assert h1.poverty_causes == ["lack_land", "lack_capital"]
    head = Member.objects.get(household=h1, relation_to_head="head")
    assert head.search_name == "nguyen van hung"
    status = OfficialStatus.objects.get(household=h1, valid_to__isnull=True)
    assert status.classification == "poor" and was_ever_poor(h1) and "15/QĐ-UBND" in status.source
    h2 = Household.objects.get(code="IMP-2")
    assert h2.village.name == "Thôn Mới" and batch.result["villages_created"]
    assert HouseholdEvent.objects.filter(household=h2, kind="created").exists()
    assert AuditEvent.objects.filter(action="capture.import_households", object_id=str(batch.pk)).count() == 1
    assert AuditEvent.objects.filter(action="capture.import_summary").count() == 1
    assert AuditEvent.objects.filter(action="reviews.status_baseline_set").count() == 1


def _reasons(batch):
    from openpyxl import load_workbook

    if not batch.rejected_file:
        return []
    rows = list(
        load_workbook(batch.rejected_file.path, read_only=True).worksheets[0].iter_rows(values_only=True)
    )
    return [(r[0], r[-2]) for r in rows[1:]]
