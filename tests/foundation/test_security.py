from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings

from hongheo.users.models import Role

ROOT = Path(__file__).resolve().parents[2]


def test_login_throttled_after_repeated_failures(world):
    client = Client()
    user = world.users[Role.SURVEYOR]
    for _ in range(5):
        r = client.post("/dang-nhap/", {"username": user.username, "password": "sai-mat-khau"})
        assert r.status_code == 401
    blocked = client.post("/dang-nhap/", {"username": user.username, "password": "mat-khau-thu-nghiem"})
    assert blocked.status_code == 429
    assert "quá nhiều lần" in blocked.content.decode()


def test_login_success_redirects_and_rejects_open_redirect(world):
    client = Client()
    user = world.users[Role.SURVEYOR]
    r = client.post(
        "/dang-nhap/?next=https://evil.example/",
        {"username": user.username, "password": "mat-khau-thu-nghiem"},
    )
    assert r.status_code == 302 and r["Location"] == "/"


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_argon2_is_the_password_hasher():
    assert make_password("mot-mat-khau-dai").startswith("argon2")


def test_security_headers(db):
    r = Client().get("/dang-nhap/")
    assert "default-src 'self'" in r["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in r["Content-Security-Policy"]
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["X-Request-ID"]


def _run(args, **env):
    # browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright's loop; a server never has it
    full_env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | env
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_bad_database_url_gives_a_clear_error():
    r = _run(
        ["manage.py", "check"], DATABASE_URL="nonsense://what", DJANGO_SETTINGS_MODULE="config.settings.local"
    )
    assert r.returncode != 0
    assert "DATABASE_URL" in r.stderr
    assert r.stderr.count('File "') < 3, r.stderr


def test_missing_secret_key_in_production_is_a_clear_error():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    r = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.production", "DEBUG": "0"},
    )
    assert r.returncode != 0 and "SECRET_KEY" in r.stderr


def test_deploy_check_passes_with_production_settings(tmp_path):
    r = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x" * 20 + "production-secret-key-with-enough-entropy-1234567890",
        ALLOWED_HOSTS="hongheo.example.gov.vn",
        DATABASE_URL=f"sqlite:///{tmp_path}/p.sqlite3",
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_missing_migrations_is_a_clear_error(tmp_path):
    r = _run(
        ["manage.py", "run_worker", "--once"],
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path}/empty.sqlite3",
        HONGHEO_VAR_DIR=str(tmp_path),
    )
    assert r.returncode != 0
    assert "migrate" in r.stderr and "Traceback" not in r.stderr


def test_second_demo_while_one_runs_is_refused(tmp_path):
    import fcntl

    (tmp_path / "demo.lock").touch()
    with open(tmp_path / "demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        r = _run(
            ["manage.py", "demo", "--no-serve"],
            DJANGO_SETTINGS_MODULE="config.settings.local",
            HONGHEO_VAR_DIR=str(tmp_path),
            DATABASE_URL=f"sqlite:///{tmp_path}/d.sqlite3",
        )
    assert r.returncode != 0
    assert "đang chạy" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "d.sqlite3").exists()


def test_throttle_behind_proxy_counts_the_client_not_the_proxy(world, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    client = Client()
    for _ in range(5):
        client.post(
            "/dang-nhap/",
            {"username": "someone", "password": "x"},
            HTTP_X_FORWARDED_FOR="203.0.113.9",
            REMOTE_ADDR="10.0.0.1",
        )
    user = world.users[Role.SURVEYOR]
    ok = client.post(
        "/dang-nhap/",
        {"username": user.username, "password": "mat-khau-thu-nghiem"},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        REMOTE_ADDR="10.0.0.1",
    )
    assert ok.status_code == 302
    blocked = Client().post(
        "/dang-nhap/",
        {"username": "someone", "password": "x"},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        REMOTE_ADDR="10.0.0.1",
    )
    assert blocked.status_code == 429
