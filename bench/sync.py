"""bench.sync: field sync under load, on PostgreSQL behind gunicorn, all traffic to 127.0.0.1.

Phases (each printed in the one JSON line):
  baseline  the same closed loop against a server that records every item inside the request
            (``FIELDWORK_INBOX_INLINE=1``, the path ODK and the web form use), for comparison in
            the same run.
  saturate  closed loop, ``--concurrency`` devices each sending batches of ``--batch`` Phiếu B
            (with members, no photos) for ``--seconds`` to the production set-up: the request
            accepts into the inbox, ``--job-workers`` job workers record through the review
            services meanwhile. Sustained accepted submissions/s, request p50/p95/p99, and how long
            the workers took until every accepted item was recorded (recorded/s end to end).
  window    ``--devices`` simulated devices (default 1,200) arriving uniformly over ``--window``
            seconds (default 600): each downloads the questionnaire and syncs its batch; all must
            finish, and be recorded, inside the window.
  faults    (``--faults N``) N submissions, through the API (a share with photos) and through
            OpenRosa (with a photo), with the gunicorn worker killed after commit at random, the job
            worker killed (SIGKILL) and restarted at random, answers dropped, duplicate and
            concurrent retries; afterwards exactly one submission row and one recorded fact record
            per submission, none lost, every photo present with its sha256.

Target: ≥ 100 submissions/s sustained, p99 ≤ 1 s (ODK Central publishes ≈ 41 submissions/s on a
2 GB server). Needs a scratch PostgreSQL database (its schema is dropped and recreated):

    python -m bench.sync --database-url postgres://postgres@127.0.0.1:5432/bench_sync \\
        [--households 12000] [--devices 1200] [--window 600] [--seconds 60] [--faults 10000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Target:
    def __init__(self, port: int) -> None:
        self.port = port

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None,
        token: str,
        timeout: float = 30,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            if headers is None:
                headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


def setup(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench.sync needs PostgreSQL: --database-url postgres://…")
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    from hongheo.fieldwork.models import DeviceToken
    from hongheo.registry.demo import population_load
    from hongheo.registry.models import Household, Member
    from hongheo.reviews import services as rs
    from hongheo.reviews.models import RoundEntry
    from hongheo.users.models import AreaAssignment, User

    population_load(actor=None, province_code=46, households=args.households, communes=args.communes, seed=11)
    communes = sorted(
        {h.commune for h in Household.objects.select_related("commune")[: args.households]}, key=str
    )
    officer_pw = "bench-officer-2026"
    from hongheo.users.services import user_create

    for commune in communes:
        officer = user_create(
            actor=None,
            username=f"cb-{commune.code}",
            password=officer_pw,
            role="commune_officer",
            areas=[commune],
        )
        rnd = rs.round_open(actor=officer, commune=commune, kind="yearly", year=2026)
        listed = set(rnd.entries.values_list("household_id", flat=True))
        RoundEntry.objects.bulk_create(
            [
                RoundEntry(round=rnd, household_id=pk, origin="poor")
                for pk in Household.objects.filter(commune=commune, is_active=True).values_list(
                    "pk", flat=True
                )
                if pk not in listed
            ],
            batch_size=2000,
        )
        rs.round_advance(actor=officer, review_round=rnd, action="start_survey")
    # devices: one surveyor each, covering a commune (bulk: no password hashing in the setup)
    users = User.objects.bulk_create(
        [User(username=f"rsv{i:04d}", role="surveyor", password="!") for i in range(args.devices)]
    )
    AreaAssignment.objects.bulk_create(
        [AreaAssignment(user=u, area=communes[i % len(communes)]) for i, u in enumerate(users)]
    )
    tokens = DeviceToken.objects.bulk_create(
        [DeviceToken(key=uuid.uuid4().hex + uuid.uuid4().hex[:16], user=u, kind="app") for u in users]
    )
    by_commune: dict[int, list[int]] = {}
    for pk, commune_id in Household.objects.filter(is_active=True).values_list("pk", "commune_id"):
        by_commune.setdefault(commune_id, []).append(pk)
    members: dict[int, list[dict[str, Any]]] = {}
    for m in Member.objects.filter(is_active=True).values(
        "pk", "household_id", "full_name", "date_of_birth", "sex", "relation_to_head"
    ):
        members.setdefault(m["household_id"], []).append(m)
    odk = DeviceToken.objects.bulk_create(
        [DeviceToken(key=uuid.uuid4().hex + uuid.uuid4().hex[:16], user=u, kind="odk") for u in users]
    )
    devices = []
    for i, token in enumerate(tokens):
        commune = communes[i % len(communes)]
        pool = by_commune[commune.pk]
        devices.append(
            {
                "token": token.key,
                "odk": odk[i].key,
                "commune": commune.code,
                "households": pool,
                "offset": (i // len(communes)) * args.batch,
            }
        )
    return {"devices": devices, "members": members, "communes": len(communes)}


def answers(household_members: list[dict[str, Any]], rng: random.Random) -> dict[str, Any]:
    rows = []
    for m in household_members:
        adult = m["date_of_birth"].year < 2008
        rows.append(
            {
                "member_id": m["pk"],
                "full_name": m["full_name"],
                "date_of_birth": m["date_of_birth"].isoformat(),
                "sex": m["sex"],
                "relation_to_head": m["relation_to_head"],
                "presence": "present",
                "health_insurance": rng.random() < 0.9,
                "in_school": not adult,
                "education_level": "lower_secondary",
                "has_qualification": adult and rng.random() < 0.3,
                "employment": "self_employed" if adult else "not_in_labour_force",
                "disability": rng.random() < 0.05,
                "disability_allowance": False,
                "undernourished": False,
            }
        )
    return {
        "housing_quality": rng.choice(["durable", "semi_durable", "non_durable"]),
        "floor_area_m2": round(rng.uniform(12, 120), 1),
        "water_source": rng.choice(["piped", "protected_well", "rainwater"]),
        "toilet": rng.choice(["flush_septic", "improved_pit", "unimproved"]),
        "waste_handling": "collected",
        "internet": rng.random() < 0.7,
        "information_devices": rng.randint(0, 4),
        "member": rows,
        "income_wages": rng.randint(0, 8_000_000),
        "income_farming": rng.randint(0, 3_000_000),
        "income_business": 0,
        "income_other": rng.randint(0, 500_000),
    }


def batch_for(
    world: dict[str, Any], device: dict[str, Any], n: int, rng: random.Random, k: int
) -> list[dict]:
    pool = device["households"]
    items = []
    for j in range(n):
        hh = pool[(device["offset"] + k * n + j) % len(pool)]
        items.append(
            {
                "id": str(uuid.uuid4()),
                "form_id": "hn_phieu_b",
                "form_version": "2025.1",
                "household_id": hh,
                "answers": answers(world["members"].get(hh, []), rng),
                "started_at": "2026-10-05T08:00:00+07:00",
                "ended_at": "2026-10-05T08:20:00+07:00",
            }
        )
    return items


def start_server(port: int, env: dict[str, str], workers: int) -> subprocess.Popen[bytes]:
    cmd = [
        os.path.join(os.path.dirname(sys.executable), "gunicorn"),
        "config.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        "--preload",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start_job_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def inbox_left() -> int:
    from hongheo.fieldwork.models import Submission

    return Submission.objects.filter(state="received").count()


def wait_drained(deadline_s: float) -> float | None:
    """Seconds until the inbox is empty (None if not within ``deadline_s``)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < deadline_s:
        if inbox_left() == 0:
            return time.perf_counter() - t0
        time.sleep(0.5)
    return None


def _recorded(ids: list[str]) -> dict[str, int]:
    from django.db.models import Count

    from hongheo.fieldwork.models import Submission

    return dict(Submission.objects.filter(pk__in=ids).values_list("state").annotate(n=Count("pk")).order_by())


def warm_up(target: Target, world: dict[str, Any], args: argparse.Namespace) -> None:
    """A few requests per gunicorn worker first (lazy imports, connections), not measured."""
    rng = random.Random(1)

    def one(i: int) -> None:
        device = world["devices"][i % len(world["devices"])]
        body = json.dumps({"items": batch_for(world, device, 1, rng, 77_000 + i)}).encode()
        target.request("GET", "/api/v1/field/questionnaire", None, device["token"], timeout=120)
        target.request("POST", "/api/v1/field/sync", body, device["token"], timeout=120)

    with ThreadPoolExecutor(args.workers * 2) as pool:
        list(pool.map(one, range(args.workers * 4)))


def saturate(
    target: Target, world: dict[str, Any], args: argparse.Namespace, seconds: float
) -> dict[str, Any]:
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}
    ids: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def device_loop(d: int) -> None:
        rng = random.Random(d + int(seconds * 1000))
        device = world["devices"][d % len(world["devices"])]
        k = int(seconds * 100)
        while time.perf_counter() < stop_at:
            items = batch_for(world, device, args.batch, rng, k)
            k += 1
            body = json.dumps({"items": items}).encode()
            t0 = time.perf_counter()
            try:
                status, content = target.request("POST", "/api/v1/field/sync", body, device["token"])
                ok = status == 200 and all(r["status"] == "accepted" for r in json.loads(content)["results"])
            except (OSError, http.client.HTTPException, ValueError):
                ok = False
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                counts["ok" if ok else "errors"] += len(items) if ok else 1
                if ok:
                    ids.extend(i["id"] for i in items)

    started = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        list(pool.map(device_loop, range(args.concurrency)))
    elapsed = time.perf_counter() - started
    return {
        "submissions": counts["ok"],
        "errors": counts["errors"],
        "seconds": round(elapsed, 1),
        "submissions_per_s": round(counts["ok"] / elapsed, 1),
        "request_batch": args.batch,
        "request_p50_s": round(_pct(latencies, 50), 3),
        "request_p95_s": round(_pct(latencies, 95), 3),
        "request_p99_s": round(_pct(latencies, 99), 3),
        "_ids": ids,
        "_elapsed": elapsed,
    }


def window(target: Target, world: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    devices = world["devices"][: args.devices]
    latencies: list[float] = []
    failures = []
    ids: list[str] = []
    lock = threading.Lock()
    t_start = time.perf_counter()
    spacing = args.window * 0.9 / max(1, len(devices))

    def one(i: int) -> None:
        rng = random.Random(10_000 + i)
        time.sleep(max(0.0, t_start + i * spacing - time.perf_counter()))
        device = devices[i]
        items = batch_for(world, device, args.window_batch, rng, 1000)
        t0 = time.perf_counter()
        try:
            status, _ = target.request(
                "GET", "/api/v1/field/questionnaire", None, device["token"], timeout=120
            )
            body = json.dumps({"items": items}).encode()
            status2, content = target.request(
                "POST", "/api/v1/field/sync", body, device["token"], timeout=120
            )
            ok = status == 200 and status2 == 200
            ok = ok and all(r["status"] == "accepted" for r in json.loads(content)["results"])
        except (OSError, http.client.HTTPException, ValueError):
            ok = False
        dt = time.perf_counter() - t0
        with lock:
            latencies.append(dt)
            if not ok:
                failures.append(i)
            else:
                ids.extend(x["id"] for x in items)

    with ThreadPoolExecutor(64) as pool:
        list(pool.map(one, range(len(devices))))
    elapsed = time.perf_counter() - t_start
    drained = wait_drained(max(5.0, args.window * 2 - elapsed))
    recorded_at = elapsed + drained if drained is not None else None
    states = _recorded(ids)
    return {
        "devices": len(devices),
        "window_s": args.window,
        "finished_in_s": round(elapsed, 1),
        "within_window": elapsed <= args.window,
        "failed_devices": len(failures),
        "device_sync_p50_s": round(_pct(latencies, 50), 3),
        "device_sync_p99_s": round(_pct(latencies, 99), 3),
        "submissions": len(ids),
        "all_recorded_in_s": round(recorded_at, 1) if recorded_at is not None else None,
        "recorded_within_window": recorded_at is not None and recorded_at <= args.window,
        "states": states,
    }


def _jpeg(seed: int) -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (96, 64), (seed * 37 % 255, seed * 11 % 255, 160))
    draw = ImageDraw.Draw(image)
    for i in range(8):
        x = (seed * 13 + i * 17) % 96
        draw.rectangle([x, i * 7, x + 11, i * 7 + 5], fill=((seed + i) * 53 % 255, 20 * i, 200))
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=85)
    return buf.getvalue()


BOUNDARY = "bench-sync-7d1f0a2e"


def _multipart_photo(submission_id: str, content: bytes) -> tuple[bytes, str]:
    body = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="submission_id"\r\n\r\n{submission_id}\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="question"\r\n\r\nphoto_house\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={BOUNDARY}"


def _odk_xml(item: dict[str, Any], photo: str) -> bytes:
    from xml.sax.saxutils import escape

    a = item["answers"]
    members = "".join(
        "<member>"
        + "".join(f"<{k}>{escape(str(int(v) if isinstance(v, bool) else v))}</{k}>" for k, v in m.items())
        + "<present>1</present></member>"
        for m in a["member"]
    )
    plain = "".join(
        f"<{k}>{int(v) if isinstance(v, bool) else v}</{k}>" for k, v in a.items() if k != "member"
    )
    return (
        f'<?xml version="1.0" ?><data id="hn_phieu_b" version="{item["form_version"]}" '
        'xmlns:orx="http://openrosa.org/xforms">'
        "<start>2026-10-05T08:00:00.000+07:00</start><end>2026-10-05T08:25:00.000+07:00</end>"
        f"<household>{item['household_id']}</household><base_version></base_version>"
        f"{plain}{members}<photo_house>{photo}</photo_house><remarks/>"
        f"<meta><instanceID>uuid:{item['id']}</instanceID></meta></data>"
    ).encode()


def _odk_multipart(xml: bytes, name: str, content: bytes) -> tuple[bytes, str]:
    body = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="xml_submission_file"; '
            'filename="hn_phieu_b.xml"\r\nContent-Type: text/xml\r\n\r\n'
        ).encode()
        + xml
        + f'\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={BOUNDARY}"


class WorkerKiller(threading.Thread):
    """Kills the job worker with SIGKILL at random moments and starts a new one (a power cut of
    the worker machine, an OOM kill)."""

    def __init__(self, env: dict[str, str], every_s: float) -> None:
        super().__init__(daemon=True)
        self.env = env
        self.every_s = every_s
        self.proc = start_job_worker(env)
        self.kills = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        rng = random.Random(7)
        while not self.stopping.wait(rng.uniform(0.3, 2) * self.every_s):
            self.proc.kill()
            self.proc.wait()
            self.kills += 1
            self.proc = start_job_worker(self.env)

    def stop(self) -> None:
        self.stopping.set()
        self.join()
        stop(self.proc)


def faults(
    target: Target, world: dict[str, Any], args: argparse.Namespace, killer: WorkerKiller
) -> dict[str, Any]:
    """N submissions: batches through the API (every third one with a photo uploaded after it) and
    single OpenRosa submissions with a photo (every ``--odk-every``-th job); the gunicorn worker
    dies after commits (HONGHEO_FAULT_KILL_RATE), the job worker is killed and restarted, answers
    are dropped, retries duplicated and concurrent. Then the inbox is drained and everything is
    counted."""
    rng = random.Random(99)
    jobs: list[dict[str, Any]] = []
    photos: dict[str, bytes] = {}
    total = k = 0
    while total < args.faults:
        device = world["devices"][k % len(world["devices"])]
        if k % args.odk_every == 0:
            (item,) = batch_for(world, device, 1, rng, 9000 + k)
            content = _jpeg(k)
            name = f"{k}.jpg"
            import uuid as _uuid

            pid = str(_uuid.uuid5(_uuid.UUID(item["id"]), name))
            photos[pid] = content
            jobs.append({"kind": "odk", "device": device, "items": [item], "name": name, "photo": content})
            total += 1
        else:
            items = batch_for(world, device, args.batch, rng, 5000 + k)
            shots = {}
            for n, item in enumerate(items):
                if n % 3 == 0:
                    pid = str(uuid.uuid4())
                    item["photos"] = [pid]
                    shots[pid] = (item["id"], _jpeg(100_000 + k * 50 + n))
                    photos[pid] = shots[pid][1]
            jobs.append({"kind": "api", "device": device, "items": items, "shots": shots})
            total += len(items)
        k += 1
    all_ids = [i["id"] for j in jobs for i in j["items"]]
    stats = {"attempts": 0, "lost_answers": 0, "connection_errors": 0, "duplicates_sent": 0, "refused": 0}
    lock = threading.Lock()

    def call(*a: Any, **kw: Any) -> tuple[int, bytes] | None:
        try:
            out = target.request(*a, timeout=60, **kw)
        except (OSError, http.client.HTTPException):
            with lock:
                stats["connection_errors"] += 1
            return None
        with lock:
            stats["attempts"] += 1
        if rng.random() < 0.1:
            with lock:
                stats["lost_answers"] += 1
            return None
        return out

    def send(job: dict[str, Any]) -> bool:
        device = job["device"]
        if job["kind"] == "odk":
            item = job["items"][0]
            body, ctype = _odk_multipart(_odk_xml(item, job["name"]), job["name"], job["photo"])
            out = call(
                "POST",
                f"/odk/v1/key/{device['odk']}/projects/{device['commune']}/submission",
                body,
                "",
                headers={"X-OpenRosa-Version": "1.0", "Content-Type": ctype},
            )
            if out is not None and out[0] not in (201, 500, 502, 503):
                with lock:
                    stats["refused"] += 1
            return out is not None and out[0] == 201
        out = call(
            "POST", "/api/v1/field/sync", json.dumps({"items": job["items"]}).encode(), device["token"]
        )
        if out is None or out[0] != 200:
            return False
        results = json.loads(out[1])["results"]
        if not all(r["status"] in ("accepted", "duplicate") for r in results):
            with lock:
                stats["refused"] += 1
            return False
        for pid, (sid, content) in job["shots"].items():
            body, ctype = _multipart_photo(sid, content)
            out = call(
                "POST",
                f"/api/v1/field/photos/{pid}",
                body,
                "",
                headers={"Authorization": f"Bearer {device['token']}", "Content-Type": ctype},
            )
            if out is None or out[0] not in (200, 201):
                return False
        return True

    pending = list(jobs)
    rounds = 0
    t0 = time.perf_counter()
    while pending and rounds < 30:
        rounds += 1
        rng.shuffle(pending)
        work = list(pending)
        extra = [j for j in work if rng.random() < 0.15]  # concurrent duplicate retries
        stats["duplicates_sent"] += len(extra)
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(send, work + extra))
        ok_ids = {id(j) for j, r in zip(work + extra, results, strict=True) if r}
        pending = [j for j in work if id(j) not in ok_ids]
    sent_s = time.perf_counter() - t0
    killer.stop()  # the last kill may have left a running job behind: a clean worker drains the rest
    final = start_job_worker({**killer.env, "JOB_LEASE_SECONDS": "5"})
    try:
        drained = wait_drained(600)
    finally:
        stop(final)
    import hashlib

    import django.db

    django.db.connections.close_all()
    from django.db.models import Count

    from hongheo.fieldwork.models import Photo, Submission
    from hongheo.registry.models import FactRecord

    rows = Submission.objects.filter(pk__in=all_ids)
    stored = {str(i) for i in rows.values_list("id", flat=True)}
    records = dict(
        FactRecord.objects.filter(source_ref__in=all_ids)
        .values_list("source_ref")
        .annotate(n=Count("pk"))
        .order_by()
    )
    stored_photos = {
        str(p): sha for p, sha in Photo.objects.filter(pk__in=list(photos)).values_list("id", "sha256")
    }
    photos_ok = all(stored_photos.get(pid) == hashlib.sha256(c).hexdigest() for pid, c in photos.items())
    return {
        "submissions": len(all_ids),
        "api": sum(len(j["items"]) for j in jobs if j["kind"] == "api"),
        "odk": sum(1 for j in jobs if j["kind"] == "odk"),
        "photos": len(photos),
        "stored_exactly_once": len(stored) == len(all_ids) and rows.count() == len(all_ids),
        "missing": len(set(all_ids) - stored),
        "recorded_once": sum(1 for i in all_ids if records.get(i) == 1),
        "recorded_twice_or_more": sum(1 for n in records.values() if n > 1),
        "states": _recorded(all_ids),
        "photos_present_intact": photos_ok and len(stored_photos) == len(photos),
        "photos_missing": len(set(photos) - set(stored_photos)),
        "unconfirmed_jobs": len(pending),
        "rounds": rounds,
        "send_s": round(sent_s, 1),
        "drained_after_s": round(drained, 1) if drained is not None else None,
        "job_worker_kills": killer.kills,
        **stats,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--households", type=int, default=12_000)
    parser.add_argument("--communes", type=int, default=4)
    parser.add_argument("--devices", type=int, default=1200)
    parser.add_argument("--window", type=float, default=600)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--baseline-seconds", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--window-batch", type=int, default=5, help="Phiếu B per device in the window")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--job-workers", type=int, default=1)
    parser.add_argument("--faults", type=int, default=0)
    parser.add_argument("--odk-every", type=int, default=4, help="every N-th fault job goes through ODK")
    parser.add_argument("--kill-worker-every", type=float, default=20, help="seconds, about")
    parser.add_argument("--skip-window", action="store_true")
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="hongheo-bench-sync-")
    env = dict(
        os.environ,
        HONGHEO_VAR_DIR=tmp,
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="0",
        LOG_LEVEL="WARNING",
        FIELDWORK_INBOX_INLINE="0",
        JOB_POLL_SECONDS="0.5",
        JOB_LEASE_SECONDS="10",
        JOB_HEARTBEAT_SECONDS="3",
    )
    os.environ.update(env)
    t0 = time.perf_counter()
    world = setup(args)
    setup_s = time.perf_counter() - t0
    out: dict[str, Any] = {
        "bench": "sync",
        "households": args.households,
        "communes": world["communes"],
        "gunicorn_workers": args.workers,
        "job_workers": args.job_workers,
        "setup_s": round(setup_s, 1),
        "load_before": os.getloadavg(),
    }

    def partial() -> None:
        print(json.dumps({"partial": out}, default=str), file=sys.stderr, flush=True)

    port = _free_port()
    target = Target(port)
    if not args.skip_baseline:
        server = start_server(port, {**env, "FIELDWORK_INBOX_INLINE": "1"}, args.workers)
        try:
            warm_up(target, world, args)
            base = saturate(target, world, args, args.baseline_seconds)
        finally:
            stop(server)
        base.pop("_ids")
        base.pop("_elapsed")
        out["baseline_inline"] = base
        partial()
    server = start_server(port, env, args.workers)
    workers = [start_job_worker(env) for _ in range(args.job_workers)]
    try:
        warm_up(target, world, args)
        wait_drained(120)
        sat = saturate(target, world, args, args.seconds)
        drained = wait_drained(900)
        ids, elapsed = sat.pop("_ids"), sat.pop("_elapsed")
        sat["all_recorded_after_s"] = round(elapsed + drained, 1) if drained is not None else None
        sat["recorded_per_s_end_to_end"] = round(len(ids) / (elapsed + drained), 1) if drained else None
        sat["states"] = _recorded(ids)
        out["saturate"] = sat
        out["load_after_saturate"] = os.getloadavg()
        partial()
        if not args.skip_window:
            out["window"] = window(target, world, args)
            out["load_after_window"] = os.getloadavg()
            partial()
    finally:
        stop(server)
        for w in workers:
            stop(w)
    if args.faults:
        server = start_server(port, {**env, "HONGHEO_FAULT_KILL_RATE": "0.02"}, args.workers)
        killer = WorkerKiller(env, args.kill_worker_every)
        killer.start()
        try:
            out["faults"] = faults(target, world, args, killer)
        finally:
            if not killer.stopping.is_set():
                killer.stop()
            stop(server)
    out["load_after"] = os.getloadavg()
    out["reference"] = {"odk_central_published_submissions_per_s": 41}
    out["target"] = {"submissions_per_s": 100, "p99_s": 1.0, "devices_in_window": 1200}
    print(json.dumps(out, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
