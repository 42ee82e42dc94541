"""Messages to the applicant's phone (SMS), pluggable. The product ships no SMS gateway: the default
backend only writes to the log that a message would have been sent (with the PIN masked). A province
with a gateway (its telecom's SMS API, Zalo ZNS…) sets ``PORTAL_NOTIFY_BACKEND`` to the dotted path
of a class with the method ``send(*, phone, text)`` (docs/operations.md)."""

from __future__ import annotations

import logging
import re
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class Notifier(Protocol):
    def send(self, *, phone: str, text: str) -> None: ...


class LogNotifier:
    """No gateway: log the message, the phone number and the PIN masked."""

    def send(self, *, phone: str, text: str) -> None:
        masked = re.sub(r"\b\d{6}\b", "******", text)
        logger.info("SMS (no gateway configured) to ***%s: %s", phone[-3:], masked)


class NullNotifier:
    def send(self, *, phone: str, text: str) -> None:
        return None


def notifier() -> Notifier:
    path = getattr(settings, "PORTAL_NOTIFY_BACKEND", "") or "hongheo.capture.portal.notify.NullNotifier"
    return import_string(path)()  # type: ignore[no-any-return]


def notify(*, phone: str, text: str) -> bool:
    """Send one message; a gateway's failure is logged, never raised (the application stands)."""
    if not phone:
        return False
    try:
        notifier().send(phone=phone, text=text)
    except Exception:
        logger.exception("the applicant's message was not sent")
        return False
    return True
