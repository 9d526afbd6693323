"""JSON bodies for the errors Django answers itself (outside DRF's exception handler).

Wired in urls.py as handler400/403/404/500: an unknown path, a SuspiciousOperation or an
unhandled exception gets the same {"detail": ...} shape as DRF's own errors, never HTML.
api_exception_handler (settings.REST_FRAMEWORK) makes a database that cannot be reached a
503 in the demo's own API views, as ferrojwt's token views answer it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)


def _error(status: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> JsonResponse:
    return _error(400, "Bad request.", "bad_request")


def permission_denied(request: HttpRequest, exception: Exception) -> JsonResponse:
    return _error(403, "You do not have permission to perform this action.", "permission_denied")


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    return _error(404, "Not found.", "not_found")


def server_error(request: HttpRequest) -> JsonResponse:
    return _error(500, "A server error occurred.", "server_error")


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: the database down (or the connection lost) is a JSON 503."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("database unavailable: %s", exc)
        return Response(
            {"detail": "The service is temporarily unavailable.", "code": "database_unavailable"},
            status=503,
        )
    return exception_handler(exc, context)
