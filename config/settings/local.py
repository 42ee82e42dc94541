"""Settings for `make demo` on a laptop: SQLite, plain http on 127.0.0.1."""

import os

# DEBUG off, as in production: unknown addresses show the product's own 404 page (DEBUG=1 to debug)
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "demo-only-secret-key-do-not-use-in-production")

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool

DEBUG = env_bool("DEBUG", False)
# static files straight from the apps (no collectstatic step for the demo), picked up when they change
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
VAR_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
