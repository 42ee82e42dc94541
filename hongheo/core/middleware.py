"""Request id and Content-Security-Policy headers."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from .context import new_request_id, reset_request_id, set_request_id

_SAFE_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")


class RequestIdMiddleware:
    """Gives every request an id (or keeps a sane X-Request-ID from the proxy) for the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            if request.path.startswith("/admin/") or request.path.startswith("/api/docs"):
                # Django admin and the OpenAPI viewer use inline scripts/styles.
                policy = policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace(
                    "script-src 'self'", "script-src 'self' 'unsafe-inline' cdn.jsdelivr.net"
                )
            response["Content-Security-Policy"] = policy
        response.setdefault("Permissions-Policy", "geolocation=(self), camera=(self)")
        return response


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """The language is the one the user chose (language cookie), else Vietnamese — never guessed
    from the browser's Accept-Language: officers' machines often say English."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RejectNulMiddleware:
    """A request whose path, query or form fields (or JSON body) hold a NUL character is refused
    with a 400 (issue 8, item 13): PostgreSQL cannot store or compare such text, so it would
    otherwise surface as a server error in whatever query used the value."""

    MESSAGE = "Yêu cầu chứa ký tự không hợp lệ (NUL)."

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            from django.http import HttpResponseBadRequest

            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        from django.core.exceptions import RequestDataTooBig

        if "\x00" in request.path:
            return True
        if any("\x00" in k or any("\x00" in v for v in vs) for k, vs in request.GET.lists()):
            return True
        if request.method not in ("POST", "PUT", "PATCH"):
            return False
        try:
            # read (and keep) the body first, so the view can still read it after the form is parsed;
            # a body above DATA_UPLOAD_MAX_MEMORY_SIZE (an uploaded file) is left to the view
            body = request.body
        except RequestDataTooBig:
            return False
        if request.content_type == "application/json":
            return b"\x00" in body or b"\\u0000" in body.lower()
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return any("\x00" in k or any("\x00" in str(v) for v in vs) for k, vs in request.POST.lists())
        return False
