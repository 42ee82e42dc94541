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
