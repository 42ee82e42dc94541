"""Fault injection for the reliability bench: with ``HONGHEO_FAULT_KILL_RATE`` set (a fraction,
e.g. ``0.02``) the server process dies *after* a submission was committed and *before* the response
leaves, as a power cut or an OOM kill would. Off unless that variable is set; never set it in
production. Tests replace :data:`hook` instead."""

from __future__ import annotations

import os
import random
from collections.abc import Callable


def _kill() -> None:
    rate = float(os.environ.get("HONGHEO_FAULT_KILL_RATE") or 0)
    if rate > 0 and random.random() < rate:
        os._exit(17)


hook: Callable[[], None] = _kill


def after_commit() -> None:
    hook()
