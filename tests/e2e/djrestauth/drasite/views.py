"""Two views of the project's own, next to dj-rest-auth's."""

from __future__ import annotations

import sys

from django.http import HttpRequest, JsonResponse
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response


def ping(request: HttpRequest) -> JsonResponse:
    """For the e2e launcher: a worker is up."""
    return JsonResponse({"ok": True})


@api_view(["GET"])
@permission_classes([IsAuthenticated])
def jwt_modules(request: Request) -> Response:
    """Which package did the work of this (authenticated) request: the test's proof that the
    ferrojwt site runs ferrojwt and the control runs simplejwt."""
    authenticator = type(request.successful_authenticator)
    return Response(
        {
            "rest_framework_simplejwt": sys.modules["rest_framework_simplejwt"].__name__,
            "authentication_bases": [
                f"{c.__module__}.{c.__qualname__}" for c in authenticator.__mro__[:2]
            ],
            "token_class": f"{type(request.auth).__module__}.{type(request.auth).__qualname__}",
        }
    )
