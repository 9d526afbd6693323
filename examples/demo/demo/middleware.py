"""Refuse request bodies over settings.MAX_REQUEST_BODY_BYTES with a JSON 413.

nginx enforces the same limit (client_max_body_size) when it is in front; this keeps the
answer identical when gunicorn is reached directly. DRF reads the body from the stream,
which Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not cover.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limit: int = settings.MAX_REQUEST_BODY_BYTES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
        except ValueError:
            length = -1
        if length < 0:
            return JsonResponse(
                {"detail": "Invalid Content-Length header.", "code": "bad_request"}, status=400
            )
        if length > self.limit:
            return JsonResponse(
                {"detail": "Request body too large.", "code": "request_too_large"}, status=413
            )
        return self.get_response(request)
