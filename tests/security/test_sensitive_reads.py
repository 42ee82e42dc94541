"""Issue 8, item 6: pages and files that show sensitive fields leave an audit row; job results go
to the job's owner only."""

from __future__ import annotations

from django.test import Client

from hongheo.core.models import AuditEvent, Job
from hongheo.users.models import Role


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_edit_forms_are_audited_reads(world):
    officer = world.users[Role.COMMUNE_OFFICER]
    client = _client(officer)
    hh = world.hh_a1
    member = hh.members.get(relation_to_head="head")
    assert client.get(f"/ho/{hh.pk}/sua/").status_code == 200
    assert AuditEvent.objects.filter(
        action="registry.household_edit_view", actor=officer, household_code=hh.code, kind="read"
    ).exists()
    assert client.get(f"/ho/{hh.pk}/thanh-vien/{member.pk}/sua/").status_code == 200
    event = AuditEvent.objects.get(action="registry.member_edit_view", actor=officer)
    assert event.personal_id == member.personal_id and "ethnicity" in event.fields


def test_rejected_rows_download_is_an_audited_export(world, imp):
    officer = world.users[Role.COMMUNE_OFFICER]
    rows = imp.household_rows("R-1", world.commune_a.code)
    rows[0]["Ngày sinh"] = "sai"
    batch = imp.run(officer, "r.csv", imp.to_csv(rows))
    response = _client(officer).get(f"/nhap-danh-sach/{batch.pk}/dong-bi-tu-choi.xlsx")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="capture.import_rejected_download")
    assert event.kind == "export" and event.after == {"rows": 3}


def test_job_results_go_to_the_owner_only(world):
    from hongheo.core.jobs import run_pending_jobs

    officer = world.users[Role.COMMUNE_OFFICER]
    _client(officer).post("/ho/xuat-excel/", {"xa": "", "thon": "", "q": ""})
    run_pending_jobs()
    job = Job.objects.get(created_by=officer)
    admin = _client(world.users[Role.ADMINISTRATOR])
    assert admin.get(f"/tac-vu/{job.pk}/").status_code == 200  # may follow the job
    assert admin.get(f"/tac-vu/{job.pk}/trang-thai/").json()["result_url"] == ""
    assert admin.get(f"/tac-vu/{job.pk}/ket-qua/").status_code == 404  # never its file
    assert _client(officer).get(f"/tac-vu/{job.pk}/ket-qua/").status_code == 200
    assert AuditEvent.objects.filter(action="core.job_result_download", actor=officer).count() == 1


def test_support_plan_page_is_an_audited_read_of_the_causes(world):
    """Issue 8, item 6 on the support surface: the household's plan page shows its causes of poverty."""
    from django.test import Client

    from hongheo.core.models import AuditEvent
    from hongheo.users.models import Role

    client = Client()
    client.force_login(world.users[Role.COMMUNE_OFFICER])
    assert client.get(f"/ho-tro/ho/{world.hh_a1.pk}/").status_code == 200
    event = AuditEvent.objects.get(action="support.household_view")
    assert event.household_code == world.hh_a1.code and event.fields == ["poverty_causes"]
