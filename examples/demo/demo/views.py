"""The demo API: one public view and two protected resources, one per auth class."""

from __future__ import annotations

from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from demo.jwt import authentication


class PingView(APIView):
    """No authentication at all: the benchmark's baseline for a DRF request."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


class MeView(APIView):
    """JWTAuthentication (the project default): the user is loaded from the database."""

    def get(self, request: Request) -> Response:
        user = request.user
        return Response({"id": user.pk, "username": user.get_username(), "auth": "db"})


class StatelessMeView(APIView):
    """JWTStatelessUserAuthentication: the user is the token's claims, no database query."""

    authentication_classes = (authentication.JWTStatelessUserAuthentication,)

    def get(self, request: Request) -> Response:
        return Response({"user_id": request.user.id, "auth": "stateless"})
