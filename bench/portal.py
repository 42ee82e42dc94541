"""bench.portal: citizen submissions through the public API against a real gunicorn process.

    python -m bench.portal [--database-url postgres://postgres@127.0.0.1:5432/hongheo_bench_portal]
                           [--rate 110] [--seconds 30] [--workers 2] [--threads 4] [--clients 48]
                           [--worker-during-load]

Targets: ≥ 100 submissions/s sustained with p99 ≤ 1 s on PostgreSQL (open loop: requests are sent
on a fixed schedule and latency is counted from the scheduled time, so a slow server cannot hide
its queue); self-assessment p95 ≤ 50 ms; first portal page (HTML + CSS + JS) ≤ 150 KB transferred.

A submission is accepted (validated, stored with its client key and one audit row, answered with
code + PIN) and registered later by the worker in batches (decision 0010). The bench therefore also
measures the worker: after the load (or during it, with ``--worker-during-load``) a real
``manage.py run_worker`` drains the backlog; the drain rate and that every accepted submission got
its application (or was joined to one) are reported. Baseline in the same run: the in-process cost
of one accept alone and of one accept followed by its registry work (the path before decision 0010).
Each submission answers its own bot question (a question serves once) and comes from its own
address (X-Forwarded-For, trusted), so the production rate limits apply. Only 127.0.0.1 is ever
contacted; the load is bounded by --rate × --seconds. The scratch database's public schema is
dropped and re-created. Prints one JSON line, with the machine load before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SECRET = "bench-portal-secret-key-not-for-production"  # noqa: S105 — a scratch database
ROOT = Path(__file__).resolve().parent.parent


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _env(url: str, tmp: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "HONGHEO_VAR_DIR": tmp,
        "STATIC_ROOT": f"{tmp}/static",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        # each simulated phone has its own address (as behind the province's reverse proxy), so the
        # production rate limits apply unchanged (20 per address, 3 per ID number, per hour)
        "TRUST_X_FORWARDED_FOR": "1",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "PORTAL_BOT_MIN_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }


class Person:
    serial = 100_000

    @classmethod
    def pid(cls, dob: dt.date, sex: str) -> str:
        cls.serial += 1
        digit = (dob.year // 100 - 19) * 2 + (1 if sex == "female" else 0)
        return f"046{digit}{dob.year % 100:02d}{cls.serial:06d}"


def make_payload(commune: str, village: str, token: str, answer: int, n: int) -> dict:
    dob = dt.date(1960 + n % 40, 1 + n % 12, 1 + n % 28)
    sex = "female" if n % 2 else "male"
    head = Person.pid(dob, sex)
    return {
        "client_key": str(uuid.uuid4()),
        "commune": commune,
        "village": village,
        "address": f"Số {n % 300}, xóm {n % 17}",
        "declarant": {
            "full_name": f"Người Khai {n}",
            "personal_id": head,
            "date_of_birth": dob.isoformat(),
            "sex": sex,
            "phone": "0905123456",
        },
        "members": [
            {
                "full_name": f"Người Khai {n}",
                "relation_to_head": "head",
                "date_of_birth": dob.isoformat(),
                "sex": sex,
                "personal_id": head,
                "health_insurance": n % 3 == 0,
                "employment": "self_employed",
                "education_level": "lower_secondary",
            },
            {
                "full_name": f"Con {n}",
                "relation_to_head": "child",
                "date_of_birth": "2014-05-05",
                "sex": "male",
                "personal_id": "",
                "in_school": n % 5 != 0,
                "health_insurance": True,
            },
        ],
        "living": {
            "housing_quality": ["durable", "semi_durable", "non_durable"][n % 3],
            "floor_area_m2": 10 + n % 60,
            "water_source": ["piped", "protected_well", "unprotected_well"][n % 3],
            "toilet": ["flush_septic", "improved_pit", "unimproved"][n % 3],
            "waste_handling": "collected",
            "internet": n % 2 == 0,
            "information_devices": n % 4,
        },
        "incomes": [
            {"source": "crops", "amount": 6_000_000 + 250_000 * (n % 97), "period": "year"},
            {"source": "wages", "amount": 900_000 + 10_000 * (n % 211), "period": "month"},
        ],
        "reason": "",
        "bot": {"token": token, "answer": str(answer), "website": ""},
    }


class Client:
    """One keep-alive HTTP/1.1 connection per thread, to 127.0.0.1 only."""

    local = threading.local()

    def __init__(self, port: int) -> None:
        self.port = port

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        for attempt in (1, 2):  # a kept-alive connection the server closed is opened again once
            conn = getattr(self.local, "conn", None)
            fresh = conn is None
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                conn.request(method, path, body=body, headers=headers or {})
                response = conn.getresponse()
                data = response.read()
                return response.status, data, response
            except (http.client.HTTPException, OSError):
                conn.close()
                self.local.conn = None
                if fresh or attempt == 2:
                    raise
        raise AssertionError("unreachable")


def _phone_address(n: int) -> str:
    """A made-up sender address per simulated phone (the server is told to trust the header)."""
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def _start_worker(env: dict[str, str], nice: int = 0) -> subprocess.Popen:
    """The real job worker (it registers accepted submissions), optionally at a lower priority than
    the web processes (decision 0010: accepting is the latency-critical part)."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        preexec_fn=(lambda: os.nice(nice)) if nice else None,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/hongheo_bench_portal")
    parser.add_argument("--rate", type=float, default=110.0, help="submissions per second to offer")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-during-load", action="store_true", help="run the job worker meanwhile")
    parser.add_argument("--worker-nice", type=int, default=10, help="niceness of the worker during the load")
    parser.add_argument("--clients", type=int, default=48, help="load generator threads")
    parser.add_argument("--assessments", type=int, default=300)
    parser.add_argument("--communes", type=int, default=40)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        print("bench.portal runs on PostgreSQL (--database-url postgres://…)", file=sys.stderr)
        return 2

    tmp = tempfile.mkdtemp(prefix="hongheo-bench-portal-")
    env = _env(args.database_url, tmp)
    os.environ.update(env)
    _ensure_database(args.database_url)
    import django

    django.setup()
    from django.core import signing
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from hongheo.capture.portal import services as portal
    from hongheo.geography.models import Area
    from hongheo.geography.services import map_load, village_create

    map_load(actor=None)
    communes = list(
        Area.objects.filter(parent__code="46", level=Area.Level.COMMUNE).order_by("code")[: args.communes]
    )
    places = [(c.code, village_create(actor=None, commune=c, name="Thôn Bench").code) for c in communes]
    load_before = os.getloadavg()

    def question() -> tuple[str, int]:
        challenge = portal.challenge_new()
        data = signing.loads(challenge["token"], salt="hongheo.portal.challenge")
        return challenge["token"], data["a"] + data["b"]

    # baseline, in process, no HTTP, one thread (median of 60 each): accept alone (the new path),
    # and accept followed at once by its registry work (what one submission cost before decision 0010)
    accept_ms, old_path_ms = [], []
    for n in range(120):
        c, v = places[n % len(places)]
        p = make_payload(c, v, *question(), 10_000_000 + n)
        t = time.perf_counter()
        portal.portal_submit(actor=None, payload=p, address=f"10.200.{n // 250}.{n % 250}")
        if n % 2:
            portal.portal_process_pending(limit=1)
            old_path_ms.append((time.perf_counter() - t) * 1000)
        else:
            accept_ms.append((time.perf_counter() - t) * 1000)
    portal.portal_process_pending()
    connection.close()

    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    client = Client(port)
    worker = None
    try:
        for _ in range(100):
            try:
                if client.request("GET", "/api/v1/public/challenge")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        # first page: HTML + CSS + JS as a phone receives them (gzip when offered)
        first_page = 0
        for path in ("/dang-ky/", "/static/web/portal.css", "/static/web/portal.js"):
            status, body, _ = client.request("GET", path, headers={"Accept-Encoding": "gzip"})
            assert status == 200, (path, status)
            first_page += len(body)
        status, html, _ = client.request("GET", "/dang-ky/")
        uncompressed = len(html) + sum(
            len(client.request("GET", p)[1]) for p in ("/static/web/portal.css", "/static/web/portal.js")
        )

        # self-assessment latency, sequential
        assess_ms = []
        for n in range(args.assessments):
            c, v = places[n % len(places)]
            body = json.dumps(make_payload(c, v, *question(), 20_000_000 + n)).encode()
            t = time.perf_counter()
            status, _, _ = client.request(
                "POST", "/api/v1/public/self-assessment", body, {"Content-Type": "application/json"}
            )
            assess_ms.append((time.perf_counter() - t) * 1000)
            assert status == 200, status

        # submissions: open loop at a fixed rate
        total = int(args.rate * args.seconds)
        bodies = [
            json.dumps(make_payload(*places[n % len(places)], *question(), n)).encode() for n in range(total)
        ]
        worker = _start_worker(env, args.worker_nice) if args.worker_during_load else None
        latencies: list[float] = []
        errors: dict[str, int] = {}
        lock = threading.Lock()
        start = time.perf_counter() + 0.5

        def fire(i: int) -> None:
            scheduled = start + i / args.rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            try:
                status, _, _ = client.request(
                    "POST",
                    "/api/v1/public/applications",
                    bodies[i],
                    {"Content-Type": "application/json", "X-Forwarded-For": _phone_address(i)},
                )
                key = "" if status == 200 else str(status)
            except Exception as exc:
                key = type(exc).__name__
            elapsed = (time.perf_counter() - scheduled) * 1000
            with lock:
                latencies.append(elapsed)
                if key:
                    errors[key] = errors.get(key, 0) + 1

        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            list(pool.map(fire, range(total)))
        wall = time.perf_counter() - start
        ok = len(latencies) - sum(errors.values())
        load_after_load = os.getloadavg()
        # replay check: the first body again must not add an application
        status, replay, _ = client.request(
            "POST", "/api/v1/public/applications", bodies[0], {"Content-Type": "application/json"}
        )
        # a question serves once: another submission with the first body's answered question
        reused = json.loads(bodies[0])
        reused["client_key"] = str(uuid.uuid4())
        reused_status, reused_body, _ = client.request(
            "POST",
            "/api/v1/public/applications",
            json.dumps(reused).encode(),
            {"Content-Type": "application/json"},
        )
    except BaseException:
        if worker is not None:
            worker.kill()
        raise
    finally:
        server.terminate()
        server.wait(timeout=20)

    from hongheo.capture.portal.models import PortalApplication

    # the worker registers what was accepted (it may have been running during the load)
    pending_at_end = portal.portal_pending_count()
    drain_start = time.perf_counter()
    worker = worker or _start_worker(env)
    while portal.portal_pending_count() > 0 and time.perf_counter() - drain_start < 900:
        time.sleep(0.5)
    drain_s = time.perf_counter() - drain_start
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=60)
    stored = PortalApplication.objects.count() - 120
    unregistered = PortalApplication.objects.filter(application__isnull=True).count()
    failed = PortalApplication.objects.exclude(process_error="").count()
    load = os.getloadavg()
    print(
        json.dumps(
            {
                "bench": "portal",
                "database": "postgresql",
                "gunicorn": {"workers": args.workers, "threads": args.threads, "class": "gthread"},
                "worker_during_load": args.worker_during_load,
                "worker_nice": args.worker_nice if args.worker_during_load else None,
                "offered_rate_per_s": args.rate,
                "submissions": total,
                "ok": ok,
                "errors": errors,
                "stored": stored,
                "sustained_per_s": round(ok / wall, 1),
                "submit_ms": {
                    "p50": round(_pct(latencies, 0.50), 1),
                    "p95": round(_pct(latencies, 0.95), 1),
                    "p99": round(_pct(latencies, 0.99), 1),
                    "max": round(max(latencies), 1),
                },
                "replay_status": status,
                "replay_is_replay": json.loads(replay).get("replay") if status == 200 else None,
                "reused_question_status": reused_status,
                "reused_question_code": json.loads(reused_body).get("code"),
                "registry_work": {
                    "pending_when_load_ended": pending_at_end,
                    "drain_seconds": round(drain_s, 1),
                    "drain_per_s": round(pending_at_end / drain_s, 1) if pending_at_end else None,
                    "without_application": unregistered,
                    "with_error": failed,
                },
                "self_assessment_ms": {
                    "p50": round(statistics.median(assess_ms), 1),
                    "p95": round(_pct(assess_ms, 0.95), 1),
                },
                "first_page_bytes_gzip": first_page,
                "first_page_bytes": uncompressed,
                "baseline_in_process_ms_p50": {
                    "accept_only": round(statistics.median(accept_ms), 1),
                    "accept_and_registry_work": round(statistics.median(old_path_ms), 1),
                },
                "targets": {
                    "per_s": 100,
                    "p99_ms": 1000,
                    "self_assessment_p95_ms": 50,
                    "first_page_bytes": 153600,
                },
                "loadavg_1_5_15_before": [round(x, 2) for x in load_before],
                "loadavg_1_5_15_when_load_ended": [round(x, 2) for x in load_after_load],
                "loadavg_1_5_15_after": [round(x, 2) for x in load],
                "cpus": os.cpu_count(),
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
