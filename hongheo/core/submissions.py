"""One record per form submission, however often it is sent (idempotent form posts).

Every POST form of the web app carries a one-time key (``_submission``, a UUID the page's script adds
when the form is shown). The first request with a key claims it in :class:`SubmissionKey` — the primary
key makes two concurrent claims impossible — and is processed; a repeat of it (a double click, a
resent request after a lost response) is not processed again: it waits for the first to finish and is
sent where the first one went. A first request that failed (4xx/5xx) releases its key, so the person
can correct the form and send it again. Background requests of a page's script (``X-Requested-With``,
e.g. the live checks that post the form while the user types) are not submissions and are let through."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from .models import SubmissionKey

FIELD = "_submission"
EXEMPT_PREFIXES = ("/api/", "/odk/")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
WAIT_SECONDS = 10.0
REPEAT_MESSAGE = "Biểu mẫu này đã được gửi; hệ thống không ghi lại lần nữa."


def _key(request: HttpRequest) -> uuid.UUID | None:
    raw = request.POST.get(FIELD, "")
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


class SubmissionOnceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        key = getattr(request, "_submission_key", None)
        if key is not None:
            if response.status_code >= 400:
                SubmissionKey.objects.filter(key=key).delete()
            else:
                SubmissionKey.objects.filter(key=key).update(
                    status_code=response.status_code, location=str(response.get("Location", ""))[:500]
                )
        return response

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        # Only a page's form submission: not views that take raw bodies (csrf-exempt APIs: JSON, OpenRosa
        # multipart, federation pushes — they have their own idempotency keys), not the script's checks as
        # the user types (which post the same form), not other content types.
        if (
            request.method != "POST"
            or getattr(view_func, "csrf_exempt", False)
            or request.headers.get("X-Requested-With")
            or request.path.startswith(EXEMPT_PREFIXES)
            or request.content_type not in FORM_TYPES
        ):
            return None
        key = _key(request)
        if key is None:
            return None
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        try:
            with transaction.atomic():
                SubmissionKey.objects.create(key=key, user=user, path=request.path[:300])
        except IntegrityError:
            return self._repeat(request, key, user)
        request._submission_key = key  # type: ignore[attr-defined]
        return None

    def _repeat(self, request: HttpRequest, key: uuid.UUID, user: Any) -> HttpResponse | None:
        deadline = time.monotonic() + WAIT_SECONDS
        row = None
        while time.monotonic() < deadline:
            row = SubmissionKey.objects.filter(key=key).first()
            if row is None or row.status_code is not None:
                break
            time.sleep(0.1)
        if row is None:  # the first one failed and released the key: this one is processed
            return None
        if row.user_id != (user.pk if user else None) or row.path != request.path[:300]:
            return HttpResponse("Khóa gửi biểu mẫu không hợp lệ.", status=409)
        if hasattr(request, "_messages"):
            messages.info(request, REPEAT_MESSAGE)
        return HttpResponseRedirect(row.location or request.path, status=303)
