"""Settings shared by every environment. Values come from the environment, with safe defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("HONGHEO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])


def database_from_env(default_url: str) -> dict[str, Any]:
    """Parse DATABASE_URL; a malformed value is a clear configuration error, not a traceback wall."""
    url = os.environ.get("DATABASE_URL", default_url)
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    except Exception as exc:  # dj_database_url raises several types
        raise ImproperlyConfigured(f"DATABASE_URL không hợp lệ / invalid DATABASE_URL: {exc}") from exc
    if config.get("ENGINE") == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # WAL lets the web server and the job worker read and write side by side.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            f"PRAGMA busy_timeout={int(os.environ.get('SQLITE_BUSY_TIMEOUT_MS', '10000'))};",
            "transaction_mode": "IMMEDIATE",
        }
    elif config.get("ENGINE") == "django.db.backends.postgresql":
        config.setdefault("OPTIONS", {})
    return config


DATABASES = {"default": database_from_env(f"sqlite:///{VAR_DIR / 'hongheo.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "hongheo.core",
    "hongheo.geography",
    "hongheo.users",
    "hongheo.registry",
    "hongheo.standards",
    "hongheo.standards.survey",
    "hongheo.reviews",
    "hongheo.capture",
    "hongheo.fieldwork",
    "hongheo.linkage",
    "hongheo.reports",
    "hongheo.support",
    "hongheo.oversight",
    "hongheo.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hongheo.core.middleware.RequestIdMiddleware",
    "hongheo.core.middleware.RejectNulMiddleware",
    "hongheo.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hongheo.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "hongheo.core.submissions.SubmissionOnceMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Each web surface (hongheo/web/<surface>/) keeps its own templates folder; template names stay
# "web/…" so a page moves between surfaces without renaming (decision 0006).
WEB_SURFACE_TEMPLATES = sorted((BASE_DIR / "hongheo" / "web").glob("*/templates"))

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": WEB_SURFACE_TEMPLATES,
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "hongheo.web.context.navigation",
            ],
        },
    }
]

AUTH_USER_MODEL = "users.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling: after this many failures for one username (or one address) within the window,
# further attempts are refused until the window passes.
LOGIN_THROTTLE_FAILURES = int(os.environ.get("LOGIN_THROTTLE_FAILURES", "5"))
LOGIN_THROTTLE_WINDOW_SECONDS = int(os.environ.get("LOGIN_THROTTLE_WINDOW_SECONDS", "900"))
# Set behind a reverse proxy that appends the client address to X-Forwarded-For (docs/operations.md).
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

# Citizen portal (/dang-ky/): submissions per sender address and per declarant ID within the
# window, wrong code/PIN tries per address, and the bot check's minimum/maximum answer time.
PORTAL_RATE_WINDOW_SECONDS = int(os.environ.get("PORTAL_RATE_WINDOW_SECONDS", "3600"))
PORTAL_SUBMITS_PER_ADDRESS = int(os.environ.get("PORTAL_SUBMITS_PER_ADDRESS", "20"))
PORTAL_SUBMITS_PER_PERSONAL_ID = int(os.environ.get("PORTAL_SUBMITS_PER_PERSONAL_ID", "3"))
PORTAL_LOOKUP_FAILURES_PER_ADDRESS = int(os.environ.get("PORTAL_LOOKUP_FAILURES_PER_ADDRESS", "10"))
PORTAL_BOT_MIN_SECONDS = float(os.environ.get("PORTAL_BOT_MIN_SECONDS", "3"))
PORTAL_BOT_MAX_SECONDS = int(os.environ.get("PORTAL_BOT_MAX_SECONDS", "86400"))
PORTAL_CACHE_SECONDS = float(os.environ.get("PORTAL_CACHE_SECONDS", "60"))
PORTAL_PROCESS_BATCH = int(os.environ.get("PORTAL_PROCESS_BATCH", "100"))
PORTAL_PROCESS_MAX_ATTEMPTS = int(os.environ.get("PORTAL_PROCESS_MAX_ATTEMPTS", "5"))
STANDARDS_CACHE_SECONDS = float(os.environ.get("STANDARDS_CACHE_SECONDS", "60"))
PORTAL_NOTIFY_BACKEND = os.environ.get("PORTAL_NOTIFY_BACKEND", "hongheo.capture.portal.notify.LogNotifier")

# Vietnamese first.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "hongheo" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
FORMAT_MODULE_PATH = ["hongheo.core.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Secure defaults; local.py relaxes what needs relaxing for http://127.0.0.1.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

# Oversight (targets, dashboards, federation; docs/decisions/0009-oversight.md).
OVERSIGHT_SMALL_CELL = int(os.environ.get("OVERSIGHT_SMALL_CELL", "5"))  # counts 1…N-1 suppressed when shared
OVERSIGHT_ROLLUP_MAX_AGE_SECONDS = int(os.environ.get("OVERSIGHT_ROLLUP_MAX_AGE_SECONDS", "600"))
OVERSIGHT_PUSH_DUE_DAY = int(os.environ.get("OVERSIGHT_PUSH_DUE_DAY", "5"))  # monthly figures due by this day
OVERSIGHT_CENTRE_URL = os.environ.get("OVERSIGHT_CENTRE_URL", "")  # a province instance pushes here
OVERSIGHT_PRIVATE_KEY_FILE = os.environ.get("OVERSIGHT_PRIVATE_KEY_FILE", "")  # its Ed25519 key (PEM)
OVERSIGHT_PROVINCE_CODE = os.environ.get("OVERSIGHT_PROVINCE_CODE", "")
OVERSIGHT_ANALYTICS_DIR = os.environ.get(
    "OVERSIGHT_ANALYTICS_DIR", ""
)  # centre: Parquet copy (default media)


def _xstatic_dirs() -> list[tuple[str, str]]:
    """Leaflet and its marker-cluster plugin, served from the Python packages that ship them."""
    dirs = []
    for prefix, module in (("leaflet", "leaflet"), ("leaflet-markercluster", "leaflet_markercluster")):
        try:
            pkg = __import__(f"xstatic.pkg.{module}", fromlist=["BASE_DIR"])
        except ImportError:  # pragma: no cover - the map page says the package is missing
            continue
        dirs.append((prefix, pkg.BASE_DIR))
    return dirs


STATICFILES_DIRS = _xstatic_dirs()

# Background jobs: the Job table is the queue (docs/decisions/0002-job-queue.md).
JOB_POLL_SECONDS = float(os.environ.get("JOB_POLL_SECONDS", "1.0"))
# A running job's worker renews its lease (heartbeat) every JOB_HEARTBEAT_SECONDS; a job whose
# heartbeat is older than JOB_LEASE_SECONDS is marked interrupted by the next worker poll.
JOB_LEASE_SECONDS = float(os.environ.get("JOB_LEASE_SECONDS", "45"))
JOB_HEARTBEAT_SECONDS = float(os.environ.get("JOB_HEARTBEAT_SECONDS", "10"))
# Modules whose import registers job kinds (the worker imports them all).
JOB_MODULES = ["hongheo.jobs", *env_list("HONGHEO_JOB_MODULES", [])]
# Field app batches: accepted into the inbox and recorded by the job worker (decision 0010), or
# recorded inside the request itself when set (tests; a set-up without a worker).
FIELDWORK_INBOX_INLINE = os.environ.get("FIELDWORK_INBOX_INLINE", "0") == "1"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if not SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment (see docs/operations.md).")

# Uploaded spreadsheets (docs/security.md): every .xlsx member is checked before parsing; the import
# job parses Excel files in a child process under this memory ceiling.
HONGHEO_XLSX_MAX_MEMBER_MB = int(os.environ.get("HONGHEO_XLSX_MAX_MEMBER_MB", "200"))
HONGHEO_XLSX_MAX_TOTAL_MB = int(os.environ.get("HONGHEO_XLSX_MAX_TOTAL_MB", "600"))
HONGHEO_XLSX_MAX_RATIO = int(os.environ.get("HONGHEO_XLSX_MAX_RATIO", "100"))
HONGHEO_PARSE_MEMORY_MB = int(os.environ.get("HONGHEO_PARSE_MEMORY_MB", "2048"))
# Reference lists an administrator corrected for this instance (e.g. ethnic_groups.json, loaded with
# `manage.py ethnic_groups --load`); they take precedence over the lists shipped with the product.
HONGHEO_REFERENCE_DIR = Path(os.environ.get("HONGHEO_REFERENCE_DIR", VAR_DIR / "reference"))
# Lockout per (account, address): after LOGIN_THROTTLE_FAILURES failures the pair waits
# LOGIN_BACKOFF_BASE_SECONDS, doubling with each further failure up to LOGIN_BACKOFF_MAX_SECONDS.
LOGIN_BACKOFF_BASE_SECONDS = int(os.environ.get("LOGIN_BACKOFF_BASE_SECONDS", "60"))
LOGIN_BACKOFF_MAX_SECONDS = int(os.environ.get("LOGIN_BACKOFF_MAX_SECONDS", "3600"))
# Look-ups of an ID number against the whole registry (member form check, saving a member), per user.
PERSONAL_ID_CHECKS_PER_MINUTE = int(os.environ.get("PERSONAL_ID_CHECKS_PER_MINUTE", "20"))
