"""The field app's batches through the inbox (FIELDWORK_INBOX_INLINE off, as in production): the
request only stores the items durably and answers "accepted"/"received"; the job worker records
them through the review services exactly once; /field/status tells the phone the final state."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from hongheo.core.jobs import run_pending_jobs
from hongheo.core.models import AuditEvent, Job
from hongheo.fieldwork import services as fs
from hongheo.fieldwork.models import FieldConflict, Submission
from hongheo.registry.models import FactRecord
from hongheo.reviews.models import RoundEntry

from .conftest import answers_for
from .test_api import _item, _sync, phone  # noqa: F401

pytestmark = pytest.mark.django_db


def _status(phone, ids):  # noqa: F811
    r = phone.post("/api/v1/field/status", data=json.dumps({"ids": ids}), content_type="application/json")
    assert r.status_code == 200, r.content
    return r.json()["results"]


@override_settings(FIELDWORK_INBOX_INLINE=False)
def test_accepted_into_the_inbox_then_recorded_once_by_the_worker(field, phone):  # noqa: F811
    a1, a2 = _item(field.hh_a1), _item(field.hh_a2)
    bad = _item(field.hh_a1, answers={**answers_for(field.hh_a1), "floor_area_m2": -3})
    results = _sync(phone, [a1, bad, a2]).json()["results"]
    assert [r["status"] for r in results] == ["accepted", "error", "accepted"]
    assert results[0]["state"] == "received" and results[1]["code"] == "invalid_answers"
    # durable, not yet recorded: no facts, the entry still listed, one audit row per item, one job
    assert Submission.objects.filter(state="received").count() == 2
    assert not FactRecord.objects.filter(household__in=[field.hh_a1, field.hh_a2]).exists()
    assert AuditEvent.objects.filter(action="fieldwork.submission_accept").count() == 2
    assert Job.objects.filter(kind=fs.INBOX_KIND, state="queued").count() == 1
    # a retry while waiting is a duplicate, and queues no second job
    again = _sync(phone, [a1]).json()["results"]
    assert again[0]["status"] == "duplicate" and again[0]["state"] == "received"
    assert Job.objects.filter(kind=fs.INBOX_KIND).count() == 1
    assert [r["state"] for r in _status(phone, [a1["id"], a2["id"]])] == ["received", "received"]

    assert run_pending_jobs() == 1
    job = Job.objects.get(kind=fs.INBOX_KIND)
    assert job.state == "succeeded" and job.result["accepted"] == 2
    states = _status(phone, [a1["id"], a2["id"], "nope"])
    assert [r["state"] for r in states[:2]] == ["accepted", "accepted"]
    assert states[0]["proposed_class"] and states[2]["code"] == "not_found"
    assert RoundEntry.objects.get(round=field.round, household=field.hh_a1).state == "surveyed"
    assert FactRecord.objects.filter(household=field.hh_a1, source="field").count() == 1
    # processing again records nothing twice
    assert fs.inbox_process() == {"accepted": 0, "conflict": 0, "failed": 0}
    assert FactRecord.objects.filter(household__in=[field.hh_a1, field.hh_a2]).count() == 2


@override_settings(FIELDWORK_INBOX_INLINE=False)
def test_an_item_that_can_no_longer_be_recorded_fails_with_its_reason(field, phone):  # noqa: F811
    a1 = _item(field.hh_a1)
    assert _sync(phone, [a1]).json()["results"][0]["status"] == "accepted"
    # the household's line left the survey step before the worker came to it
    RoundEntry.objects.filter(round=field.round, household=field.hh_a1).update(state="screened_out")
    assert fs.inbox_process() == {"accepted": 0, "conflict": 0, "failed": 1}
    (result,) = _status(phone, [a1["id"]])
    assert result["status"] == "error" and result["state"] == "failed" and "Phiếu A" in result["message"]
    assert not FactRecord.objects.filter(household=field.hh_a1).exists()


@override_settings(FIELDWORK_INBOX_INLINE=False)
def test_conflicts_are_still_found_in_received_order(field, phone, new_id):  # noqa: F811
    version = fs.household_version(field.hh_a1)
    first = _item(field.hh_a1, base_version=version)
    second = _item(field.hh_a1, base_version=version)
    assert [r["status"] for r in _sync(phone, [first, second]).json()["results"]] == ["accepted"] * 2
    assert fs.inbox_process() == {"accepted": 1, "conflict": 1, "failed": 0}
    states = {r["id"]: r["status"] for r in _status(phone, [first["id"], second["id"]])}
    assert states == {first["id"]: "accepted", second["id"]: "conflict"}
    assert FieldConflict.objects.get(submission_id=second["id"]).kind == "changed"


@override_settings(FIELDWORK_INBOX_INLINE=False)
def test_the_accept_path_refuses_what_it_can_see_and_writes_nothing_for_it(field, phone):  # noqa: F811
    items = [
        _item(field.hh_a1, id="not-a-uuid"),
        _item(field.hh_a1, form_version="1999.9"),
        _item(field.hh_a1, household_id="x"),
        _item(field.hh_b),  # another commune: outside the surveyor's area
    ]
    results = _sync(phone, items).json()["results"]
    assert [r["code"] for r in results] == ["bad_id", "unknown_form", "not_found", "not_found"]
    assert all(r["status"] == "error" for r in results)
    assert not Submission.objects.exists() and not Job.objects.exists()


def test_an_interrupted_inbox_run_is_queued_again(field):
    from hongheo.fieldwork.jobs import _interrupted

    job = Job.objects.create(kind=fs.INBOX_KIND, title="x", state="failed")
    _interrupted(job)
    assert Job.objects.filter(kind=fs.INBOX_KIND, state="queued").count() == 1
    _interrupted(job)
    assert Job.objects.filter(kind=fs.INBOX_KIND, state="queued").count() == 1


class _Killed(Exception):
    pass


@override_settings(FIELDWORK_INBOX_INLINE=False)
def test_killed_after_the_accept_commit_then_retried_is_recorded_once(field, phone, monkeypatch):  # noqa: F811
    from hongheo.fieldwork import faults

    items = [_item(field.hh_a1), _item(field.hh_a2)]
    calls = {"n": 0}

    def die_once() -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise _Killed()  # the process dies after the commit: the phone never hears back

    monkeypatch.setattr(faults, "hook", die_once)
    phone.raise_request_exception = True
    with pytest.raises(_Killed):
        _sync(phone, items)
    assert Submission.objects.filter(state="received").count() == 2  # durable before the answer
    again = _sync(phone, items).json()["results"]  # the phone retries the whole batch
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    assert fs.inbox_process() == {"accepted": 2, "conflict": 0, "failed": 0}
    assert fs.inbox_process() == {"accepted": 0, "conflict": 0, "failed": 0}
    assert Submission.objects.count() == 2
    for item in items:
        assert FactRecord.objects.filter(source_ref=item["id"]).count() == 1
