"""Poll tasks of the worker (work besides jobs, e.g. registering accepted portal submissions): one
task's error does not stop the others or the worker; a transient database error goes to the worker
loop, which waits and goes on."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from hongheo.core import jobs


@pytest.fixture
def tasks(monkeypatch):
    registry: dict = {}
    monkeypatch.setattr(jobs, "_POLL_TASKS", registry)
    return registry


def test_a_failing_task_is_logged_and_the_others_run(tasks, caplog):
    jobs.poll_task("a.broken")(lambda: 1 / 0)
    jobs.poll_task("b.works")(lambda: 3)
    with caplog.at_level("ERROR", logger="hongheo.core.jobs"):
        assert jobs.run_poll_tasks() == 3
    assert "a.broken" in caplog.text


def test_a_transient_database_error_reaches_the_worker_loop_which_goes_on(tasks, monkeypatch):
    # the loop's own database work is left out: only the poll task and the loop's reaction count
    monkeypatch.setattr(jobs, "run_pending_jobs", lambda limit=None: 0)
    monkeypatch.setattr(jobs, "close_old_connections", lambda: None)
    monkeypatch.setattr(jobs.connection, "close", lambda: None)
    calls = {"n": 0}

    def flaky() -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("database is locked")
        return 0

    jobs.poll_task("flaky")(flaky)
    with pytest.raises(OperationalError):
        jobs.run_poll_tasks()
    calls["n"] = 0  # the loop meets the error on its first round
    pauses: list[float] = []
    rounds = iter([False, False, True])
    jobs.worker_loop(should_stop=lambda: next(rounds), poll_seconds=0.01, sleep=pauses.append)
    assert calls["n"] == 2 and pauses == [0.1, 0.01]  # waited after the error, then an idle poll
