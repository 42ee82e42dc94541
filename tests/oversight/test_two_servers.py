"""Two real server processes on this machine: a province instance and a central instance, each
with its own SQLite file and settings, talking over 127.0.0.1. The province pushes on demand (its
web page) and on a schedule (the command); a push signed with an unregistered key is refused with
the reason on both sides."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROVINCE_SETUP = """
import datetime as dt
from hongheo.geography.models import Area
from hongheo.users.services import user_create
from tests.reports.conftest import add_household, set_status
hue = Area.objects.get(code="46")
communes = list(Area.objects.filter(parent=hue, kind="xa").order_by("code")[:2])
user_create(actor=None, username="tinh", password="mat-khau-thu-nghiem", role="province_officer", areas=[hue])
for i in range(12):
    h = add_household(communes[i % 2], None, code=f"P-{i:03d}", latitude=16.4, longitude=107.5)
    if i < 3:
        set_status(h, "poor", dt.date(2024, 6, 1), ever_poor=True)
"""
CENTRE_REPORT = """
import json
from hongheo.oversight.models import ReceivedPush
from hongheo.oversight import selectors
now, base, provinces = selectors.national_figures()
print(json.dumps({"statuses": sorted(ReceivedPush.objects.values_list("status", flat=True)),
  "reasons": [p.reason for p in ReceivedPush.objects.filter(status="rejected")],
  "poor": sum(r["poor"] for r in now["rows"]), "provinces": sorted(provinces)}))
"""
PROVINCE_REPORT = """
import json
from hongheo.oversight.models import OutgoingPush
print(json.dumps([[p.status, p.reason] for p in OutgoingPush.objects.order_by("id")]))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"sqlite:///{db}",
        SECRET_KEY="two-servers-test-key",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise AssertionError(f"server on port {port} did not start")


@pytest.mark.slow
def test_a_province_server_pushes_to_a_centre_server(tmp_path):
    centre_db, province_db = tmp_path / "centre.sqlite3", tmp_path / "province.sqlite3"
    centre_env = env_for(centre_db, HONGHEO_VAR_DIR=str(tmp_path / "centre"))
    manage(centre_env, "migrate", "--noinput")
    manage(centre_env, "load_map")
    shutil.copy(centre_db, province_db)
    key, bad_key = tmp_path / "tinh.pem", tmp_path / "khac.pem"
    cport, pport = free_port(), free_port()
    url = f"http://127.0.0.1:{cport}/trung-uong/nhan/"
    province_env = env_for(
        province_db,
        HONGHEO_VAR_DIR=str(tmp_path / "province"),
        OVERSIGHT_CENTRE_URL=url,
        OVERSIGHT_PRIVATE_KEY_FILE=str(key),
        OVERSIGHT_PROVINCE_CODE="46",
    )
    manage(province_env, "shell", "-c", PROVINCE_SETUP)
    public = manage(province_env, "federation_keygen", "--out", str(key)).stdout.strip()
    manage(province_env, "federation_keygen", "--out", str(bad_key))
    manage(centre_env, "federation_register", "--province", "46", "--public-key", public)
    centre = serve(centre_env, cport)
    province = serve(province_env, pport)
    try:
        # on demand: the province officer presses "Gửi ngay" on the province server
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        base = f"http://127.0.0.1:{pport}"

        def form_post(path: str, fields: dict[str, str]) -> str:
            page = opener.open(base + path, timeout=30).read().decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
            request = urllib.request.Request(base + path, data=data, headers={"Referer": base + path})  # noqa: S310
            return opener.open(request, timeout=60).read().decode()

        form_post("/dang-nhap/", {"username": "tinh", "password": "mat-khau-thu-nghiem"})
        page = form_post("/trung-uong/gui/?dia_ban=46", {"dia_ban": "46"})
        assert "Trung ương đã nhận" in page
        # on a schedule: the command, a third process, against the same centre
        assert "accepted" in manage(province_env, "federation_push", "--user", "tinh").stdout
        # a key the centre does not know: refused, and the province is told why
        refused = manage(
            {**province_env, "OVERSIGHT_PRIVATE_KEY_FILE": str(bad_key)},
            "federation_push",
            "--user",
            "tinh",
            check=False,
        )
        assert refused.returncode != 0 and "Chữ ký" in refused.stderr
    finally:
        for proc in (province, centre):
            proc.terminate()
            proc.wait(timeout=20)
    at_centre = json.loads(manage(centre_env, "shell", "-c", CENTRE_REPORT).stdout.strip().splitlines()[-1])
    assert at_centre["statuses"] == ["accepted", "accepted", "rejected"]
    assert "Chữ ký" in at_centre["reasons"][0]
    assert at_centre["poor"] == 3 and at_centre["provinces"] == ["46"]
    at_province = json.loads(
        manage(province_env, "shell", "-c", PROVINCE_REPORT).stdout.strip().splitlines()[-1]
    )
    assert [s for s, _ in at_province] == ["accepted", "accepted", "rejected"]
    assert "Chữ ký" in at_province[2][1]
