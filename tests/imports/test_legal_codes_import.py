"""Issue 7 §5 in the import: an unknown personal-ID prefix is imported with a warning (not rejected),
and the protected-spring / pour-flush codes are recognised."""

from __future__ import annotations

from django.test import Client

from hongheo.users.models import Role


def test_import_accepts_an_unknown_prefix_with_a_warning(world, imp):
    officer = world.users[Role.COMMUNE_OFFICER]
    rows = imp.household_rows("HH-NGOAI", world.commune_a.code, members=2)
    rows[1]["Số định danh cá nhân"] = "999" + rows[1]["Số định danh cá nhân"][3:]
    rows[0]["Nguồn nước sinh hoạt"] = "Nước khe/mó được bảo vệ"
    rows[0]["Nhà tiêu"] = "thấm dội nước"
    batch = imp.run(
        officer, "ngoai.csv", imp.to_csv(rows, [*imp.headings, "Nguồn nước sinh hoạt", "Nhà tiêu"])
    )
    assert batch.state == "done", batch.error
    assert batch.result["households_new"] == 1 and batch.result["rows_rejected"] == 0
    assert batch.result["id_prefix_warnings"] == 1
    assert any("Cần kiểm tra 1 số định danh" in w and "999" in w for w in batch.result["warnings"])
    from hongheo.registry.models import Household

    hh = Household.objects.get(code="HH-NGOAI")
    assert hh.members.filter(personal_id__startswith="999").count() == 1
    assert (hh.water_source, hh.toilet) == ("protected_spring", "pour_flush")
    client = Client()
    client.force_login(officer)
    page = client.get(f"/nhap-danh-sach/{batch.pk}/")
    assert page.status_code == 200 and "Cần kiểm tra 1 số định danh" in page.content.decode()
