from __future__ import annotations

from django.test import Client
from openpyxl import load_workbook

from hongheo.core.jobs import run_pending_jobs
from hongheo.core.models import AuditEvent, Job
from hongheo.users.models import Role


def test_export_runs_as_a_job_with_only_the_users_households(world):
    client = Client()
    user = world.users[Role.COMMUNE_OFFICER]
    client.force_login(user)
    response = client.post("/ho/xuat-excel/", {"xa": "", "thon": "", "q": ""})
    job = Job.objects.get(created_by=user, kind="registry.export_households")
    assert response["Location"] == f"/tac-vu/{job.pk}/"
    assert "data-job-status" in client.get(response["Location"]).content.decode()
    run_pending_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED, job.error
    assert job.result == {"households": 2}
    rows = list(load_workbook(job.result_file.path, read_only=True).active.iter_rows(values_only=True))
    codes = {r[1] for r in rows[4:]}
    assert codes == {"HH-A1", "HH-A2"}
    assert any(r[7] == "Nhà bán kiên cố" for r in rows[4:])
    assert AuditEvent.objects.filter(kind="export", action="registry.export_households", actor=user).exists()
    page = client.get(f"/tac-vu/{job.pk}/").content.decode()
    assert "Tải kết quả" in page
    download = client.get(f"/tac-vu/{job.pk}/ket-qua/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"
    other = Client()
    other.force_login(world.users[Role.SURVEYOR])
    assert other.get(f"/tac-vu/{job.pk}/ket-qua/").status_code == 404
