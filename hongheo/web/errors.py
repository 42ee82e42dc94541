"""Domain errors → HTTP responses for the web pages, in one place."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from hongheo.core.errors import DomainError, NotFound


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A plain page: never ``str(exception)`` (with DEBUG=0 it holds the URL configuration and paths)."""
    return render(
        request,
        "web/error.html",
        {"title": _("Không tìm thấy"), "message": _("Không tìm thấy trang này.")},
        status=404,
    )


def domain_errors(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return render(
                request, "web/error.html", {"title": _("Không tìm thấy"), "message": exc.message}, status=404
            )
        except DomainError as exc:
            return render(
                request,
                "web/error.html",
                {"title": _("Không thực hiện được"), "message": exc.message},
                status=exc.http_status,
            )

    return wrapper
