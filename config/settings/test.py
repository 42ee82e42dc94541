"""Settings for the test suite. DATABASE_URL picks SQLite (default) or PostgreSQL."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
if "HONGHEO_VAR_DIR" not in os.environ:
    # a fresh folder per test run, removed when the run ends
    _var_dir = tempfile.mkdtemp(prefix="hongheo-test-")
    os.environ["HONGHEO_VAR_DIR"] = _var_dir
    atexit.register(shutil.rmtree, _var_dir, ignore_errors=True)

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; production uses Argon2
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LOGIN_THROTTLE_FAILURES = 5
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# In-process tests run jobs inside the test's transaction: no heartbeat thread there (a worker
# started as a subprocess by a test sets JOB_HEARTBEAT_SECONDS itself).
JOB_HEARTBEAT_SECONDS = float(os.environ.get("JOB_HEARTBEAT_SECONDS", "0"))
# Field app batches are recorded in the request (tests/fieldwork/test_inbox.py turns it off).
FIELDWORK_INBOX_INLINE = os.environ.get("FIELDWORK_INBOX_INLINE", "1") == "1"
PORTAL_BOT_MIN_SECONDS = 0.0  # tests answer at once; tests/portal checks the minimum with override_settings
# Per-process caches of places and published standards: off in tests (each test has its own data);
# tests/portal checks them with override_settings.
PORTAL_CACHE_SECONDS = 0.0
STANDARDS_CACHE_SECONDS = 0.0
