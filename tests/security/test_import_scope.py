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


def test_unknown_village_is_a_row_error_unless_create_is_ticked(world, imp):
    officer = world.users[Role.COMMUNE_OFFICER]
    rows = imp.household_rows("V-1", world.commune_a.code, "Thôn Gõ Sai")
    batch = imp.run(officer, "v.csv", imp.to_csv(rows))
    assert batch.result["households_new"] == 0 and batch.result["rows_rejected"] == 3
    assert not Household.objects.filter(code="V-1").exists()
    from hongheo.geography.models import Area

    assert not Area.objects.filter(name="Thôn Gõ Sai").exists()
    ticked = imp.run(officer, "v2.csv", imp.to_csv(rows), create_villages=True)
    assert ticked.result["households_new"] == 1
    assert Area.objects.filter(name="Thôn Gõ Sai", parent=world.commune_a).exists()


def test_csv_with_extra_columns_gets_a_vietnamese_message(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.users[Role.COMMUNE_OFFICER])
    data = "Mã hộ,Họ và tên\nH-1,Nguyễn Văn A,thừa,thừa nữa\n".encode()
    response = client.post("/nhap-danh-sach/", {"tep": SimpleUploadedFile("x.csv", data)})
    body = response.content.decode()
    assert response.status_code == 422
    assert "nhiều hơn 2 cột ở dòng tiêu đề" in body and "new_columns" not in body
