from __future__ import annotations

import pytest
from django.test import Client

from hongheo.core.errors import Conflict
from hongheo.core.jobs import job_enqueue, job_handler, job_retry, run_pending_jobs
from hongheo.core.models import Job
from hongheo.users.models import Role

CALLS = {"flaky": 0}


@job_handler("test.count")
def _count(job, progress):
    progress.total(4)
    for i in range(1, 5):
        progress.advance(i, f"bước {i}", force=True)
    progress.log("xong")
    return {"n": 4}


@job_handler("test.flaky")
def _flaky(job, progress):
    CALLS["flaky"] += 1
    if CALLS["flaky"] == 1:
        raise ValueError("Tệp thiếu cột 'so_dinh_danh'")
    return {"ok": True}


def test_job_runs_with_progress_and_result(world):
    user = world.users[Role.COMMUNE_OFFICER]
    job = job_enqueue(actor=user, kind="test.count", title="Đếm")
    assert job.state == Job.State.QUEUED
    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert job.percent == 100 and job.result == {"n": 4} and "xong" in job.log


def test_failed_job_says_why_and_can_be_retried(world):
    CALLS["flaky"] = 0
    user = world.users[Role.COMMUNE_OFFICER]
    job = job_enqueue(actor=user, kind="test.flaky", title="Nhập danh sách")
    run_pending_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert "so_dinh_danh" in job.error
    client = Client()
    client.force_login(user)
    status = client.get(f"/tac-vu/{job.pk}/trang-thai/").json()
    assert status["state"] == "failed" and "so_dinh_danh" in status["error"] and status["finished"]
    page = client.get(f"/tac-vu/{job.pk}/").content.decode()
    assert "Lý do thất bại" in page and "Chạy lại" in page
    response = client.post(f"/tac-vu/{job.pk}/chay-lai/")
    assert response.status_code == 302
    retried = Job.objects.get(retry_of=job)
    run_pending_jobs()
    retried.refresh_from_db()
    assert retried.state == Job.State.SUCCEEDED
    with pytest.raises(Conflict):
        job_retry(actor=user, job=retried)


def test_running_job_shows_progress_bar(world):
    user = world.users[Role.COMMUNE_OFFICER]
    job = job_enqueue(actor=user, kind="test.count", title="Đếm")
    Job.objects.filter(pk=job.pk).update(state="running", progress_done=3, progress_total=4)
    client = Client()
    client.force_login(user)
    html = client.get("/tac-vu/").content.decode()
    assert '<progress max="100" value="75"' in html
    assert client.get(f"/tac-vu/{job.pk}/trang-thai/").json()["percent"] == 75


def test_other_users_job_is_not_found(world):
    job = job_enqueue(actor=world.users[Role.COMMUNE_OFFICER], kind="test.count", title="Đếm")
    client = Client()
    client.force_login(world.users[Role.SURVEYOR])
    assert client.get(f"/tac-vu/{job.pk}/").status_code == 404
    assert client.get("/tac-vu/not-a-uuid/").status_code == 404
