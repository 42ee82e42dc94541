"""bench.sync: field sync under load, on PostgreSQL behind gunicorn, all traffic to 127.0.0.1.

Phases (each printed in the one JSON line):
  saturate  closed loop, ``--concurrency`` devices each sending batches of ``--batch`` Phiếu B
            (with members, no photos) for ``--seconds``: sustained submissions/s, request p50/p95/p99.
  window    ``--devices`` simulated devices (default 1,200) arriving uniformly over ``--window``
            seconds (default 600): each downloads the questionnaire and syncs its batch; all must
            finish inside the window.
  faults    (``--faults N``) N submissions with the server killed after commit at random
            (gunicorn restarts the worker), answers dropped, duplicate and concurrent retries;
            afterwards the database must hold exactly one record per submission.

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
        self, method: str, path: str, body: bytes | None, token: str, timeout: float = 30
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
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
    devices = []
    for i, token in enumerate(tokens):
        commune = communes[i % len(communes)]
        pool = by_commune[commune.pk]
        devices.append({"token": token.key, "households": pool, "offset": (i // len(communes)) * args.batch})
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
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def saturate(target: Target, world: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()
    stop = time.perf_counter() + args.seconds

    def device_loop(d: int) -> None:
        rng = random.Random(d)
        device = world["devices"][d % len(world["devices"])]
        k = 0
        while time.perf_counter() < stop:
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
    }


def window(target: Target, world: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    devices = world["devices"][: args.devices]
    latencies: list[float] = []
    failures = []
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

    with ThreadPoolExecutor(64) as pool:
        list(pool.map(one, range(len(devices))))
    elapsed = time.perf_counter() - t_start
    return {
        "devices": len(devices),
        "window_s": args.window,
        "finished_in_s": round(elapsed, 1),
        "within_window": elapsed <= args.window,
        "failed_devices": len(failures),
        "device_sync_p50_s": round(_pct(latencies, 50), 3),
        "device_sync_p99_s": round(_pct(latencies, 99), 3),
        "submissions": len(devices) * args.window_batch,
    }


def faults(target: Target, world: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """N submissions in batches; the server dies after commits (HONGHEO_FAULT_KILL_RATE), answers
    are dropped, retries are duplicated and concurrent; then count the records."""
    rng = random.Random(99)
    pending: list[tuple[dict[str, Any], list[dict]]] = []
    k = 0
    while sum(len(b) for _, b in pending) < args.faults:
        device = world["devices"][k % len(world["devices"])]
        pending.append((device, batch_for(world, device, args.batch, rng, 5000 + k)))
        k += 1
    all_ids = [i["id"] for _, b in pending for i in b]
    stats = {"attempts": 0, "lost_answers": 0, "server_errors": 0, "duplicates_sent": 0}
    lock = threading.Lock()

    def send(job: tuple[dict[str, Any], list[dict]]) -> bool:
        device, items = job
        body = json.dumps({"items": items}).encode()
        try:
            status, content = target.request("POST", "/api/v1/field/sync", body, device["token"], timeout=60)
        except (OSError, http.client.HTTPException):
            with lock:
                stats["server_errors"] += 1
            return False
        with lock:
            stats["attempts"] += 1
        if status != 200:
            return False
        if rng.random() < 0.1:
            with lock:
                stats["lost_answers"] += 1
            return False
        results = json.loads(content)["results"]
        return all(r["status"] in ("accepted", "duplicate") for r in results)

    rounds = 0
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
    import django.db

    django.db.connections.close_all()
    from hongheo.fieldwork.models import Submission

    stored = set(str(i) for i in Submission.objects.filter(pk__in=all_ids).values_list("id", flat=True))
    return {
        "submissions": len(all_ids),
        "stored_exactly_once": len(stored) == len(all_ids)
        and Submission.objects.filter(pk__in=all_ids).count() == len(all_ids),
        "missing": len(set(all_ids) - stored),
        "unconfirmed_batches": len(pending),
        "rounds": rounds,
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
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--window-batch", type=int, default=5, help="Phiếu B per device in the window")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--faults", type=int, default=0)
    parser.add_argument("--skip-window", action="store_true")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="hongheo-bench-sync-")
    env = dict(
        os.environ,
        HONGHEO_VAR_DIR=tmp,
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="0",
        LOG_LEVEL="WARNING",
    )
    os.environ.update(env)
    t0 = time.perf_counter()
    world = setup(args)
    setup_s = time.perf_counter() - t0
    out: dict[str, Any] = {
        "bench": "sync",
        "households": args.households,
        "communes": world["communes"],
        "workers": args.workers,
        "setup_s": round(setup_s, 1),
        "load_before": os.getloadavg(),
    }
    port = _free_port()
    server = start_server(port, env, args.workers)
    target = Target(port)
    try:
        out["saturate"] = saturate(target, world, args)
        print(json.dumps({"partial": out}, default=str), file=sys.stderr, flush=True)
        if not args.skip_window:
            out["window"] = window(target, world, args)
            print(json.dumps({"partial": out}, default=str), file=sys.stderr, flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if args.faults:
        server = start_server(port, {**env, "HONGHEO_FAULT_KILL_RATE": "0.02"}, args.workers)
        try:
            out["faults"] = faults(target, world, args)
        finally:
            server.terminate()
            server.wait(timeout=30)
    out["load_after"] = os.getloadavg()
    out["baseline"] = {"odk_central_published_submissions_per_s": 41}
    out["target"] = {"submissions_per_s": 100, "p99_s": 1.0}
    print(json.dumps(out, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
