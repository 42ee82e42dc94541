"""Fault injection, small size (the bench runs it at ≥ 10,000 submissions): submissions through the
API and through OpenRosa with random connection drops (before or after the server committed),
duplicate sends, out-of-order and — on PostgreSQL — truly concurrent retries, and the server
"killed" between commit and response. Afterwards: exactly one record per submission, none lost,
every photo present and intact."""

from __future__ import annotations

import hashlib
import json
import random
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client

from hongheo.fieldwork import faults
from hongheo.fieldwork.models import FieldConflict, Photo, Submission

from .conftest import answers_for, jpeg
from .test_openrosa import COLLECT, multipart, submission_xml

pytestmark = pytest.mark.django_db(transaction=True)
API_ITEMS = 24
ODK_ITEMS = 8


class Killed(Exception):
    """The server process died after the commit: the client never gets an answer."""


@pytest.fixture
def chaos(field, monkeypatch):
    rng = random.Random(20261130)
    state = {"kills": 0}

    def maybe_kill() -> None:
        if rng.random() < 0.2:
            state["kills"] += 1
            raise Killed()

    monkeypatch.setattr(faults, "hook", maybe_kill)
    return rng, state


def _phone(token: str) -> Client:
    client = Client(raise_request_exception=True)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def _send(fn, rng) -> bool:
    """One attempt under faults; True when the client saw a success answer."""
    if rng.random() < 0.1:
        return False  # the connection dropped before the request reached the server
    try:
        response = fn()
    except Killed:
        return False
    if rng.random() < 0.15:
        return False  # the answer was lost on the way back
    return response.status_code in (200, 201)


def test_exactly_once_under_faults(chaos, field):
    rng, state = chaos
    from hongheo.fieldwork import services as fs

    token = fs.device_token_create(actor=field.surveyor, user=field.surveyor, kind="app").key
    odk_token = fs.device_token_create(actor=field.surveyor, user=field.surveyor, kind="odk").key
    base = f"/odk/v1/key/{odk_token}/projects/{field.commune_a.code}"
    households = [field.hh_a1, field.hh_a2]
    photos: dict[str, bytes] = {}
    work = []
    for i in range(API_ITEMS):
        hh = households[i % 2]
        item = {
            "id": str(uuid.uuid4()),
            "form_id": "hn_phieu_b",
            "form_version": "2025.1",
            "household_id": hh.pk,
            "answers": answers_for(hh, income=1_000_000 + i * 2),
        }
        if i % 2 == 0:
            pid = str(uuid.uuid4())
            item["photos"] = [pid]
            photos[pid] = jpeg(i + 1)
        work.append(("api", item))
    for i in range(ODK_ITEMS):
        instance = uuid.uuid4()
        hh = households[i % 2]
        xml = submission_xml(field, hh, instance, income=2_000_000 + i * 2, photos=(f"p{i}.jpg",))
        photos[str(fs.odk_photo_id(instance, f"p{i}.jpg"))] = jpeg(100 + i)
        work.append(("odk", (str(instance), xml, {f"p{i}.jpg": jpeg(100 + i)})))

    def attempt(kind, payload, client) -> bool:
        if kind == "api":
            ok = _send(
                lambda: client.post(
                    "/api/v1/field/sync",
                    data=json.dumps({"items": [payload]}),
                    content_type="application/json",
                ),
                rng,
            )
            if not ok:
                return False
            for pid in payload.get("photos", []):
                ok = _send(
                    lambda pid=pid: client.post(
                        f"/api/v1/field/photos/{pid}",
                        data={"submission_id": payload["id"], "file": _file(photos[pid])},
                    ),
                    rng,
                )
                if not ok:
                    return False
            return True
        _, xml, files = payload
        return _send(
            lambda: client.generic("POST", f"{base}/submission", *multipart(xml, files), **COLLECT), rng
        )

    pending = list(work)
    client = _phone(token)
    rounds = 0
    while pending and rounds < 40:
        rounds += 1
        rng.shuffle(pending)  # retries arrive out of order
        still = []
        for kind, payload in pending:
            ok = attempt(kind, payload, client)
            if rng.random() < 0.2:
                ok = attempt(kind, payload, client) or ok  # the phone sent it twice
            if not ok:
                still.append((kind, payload))
        pending = still
    assert not pending, f"{len(pending)} submissions never confirmed"

    if connection.vendor == "postgresql":  # truly concurrent retries of one submission
        _concurrent_retries(token, field)

    expected_ids = {p["id"] for k, p in work if k == "api"} | {p[0] for k, p in work if k == "odk"}
    assert set(str(i) for i in Submission.objects.values_list("id", flat=True)) >= expected_ids
    assert Submission.objects.count() == len(expected_ids) + (1 if connection.vendor == "postgresql" else 0)
    stored = {str(p.id): p.sha256 for p in Photo.objects.all()}
    assert set(stored) == set(photos)
    assert all(stored[pid] == hashlib.sha256(content).hexdigest() for pid, content in photos.items())
    assert not FieldConflict.objects.exists()
    assert state["kills"] > 0  # the faults really happened


def _file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("p.jpg", content, content_type="image/jpeg")


def _concurrent_retries(token: str, field) -> None:
    faults.hook = lambda: None
    item = {
        "id": str(uuid.uuid4()),
        "form_id": "hn_phieu_b",
        "form_version": "2025.1",
        "household_id": field.hh_a1.pk,
        "answers": answers_for(field.hh_a1, income=3_333_332),
    }
    body = json.dumps({"items": [item]})
    results: list[str] = []
    barrier = threading.Barrier(4)

    def go() -> None:
        try:
            barrier.wait()
            response = _phone(token).post("/api/v1/field/sync", data=body, content_type="application/json")
            results.append(response.json()["results"][0]["status"])
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results).count("accepted") == 1 and results.count("duplicate") == 3, results
