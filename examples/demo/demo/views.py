"""The demo API: one public view and two protected resources, one per auth class."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from demo.jwt import authentication


class PingView(APIView):
    """No authentication at all: the benchmark's baseline for a DRF request."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        responses=inline_serializer("Ping", {"status": serializers.CharField()}),
    )
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


class MeView(APIView):
    """JWTAuthentication (the project default): the user is loaded from the database."""

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "id": serializers.IntegerField(),
                "username": serializers.CharField(),
                "auth": serializers.CharField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        user = request.user
        return Response({"id": user.pk, "username": user.get_username(), "auth": "db"})


class StatelessMeView(APIView):
    """JWTStatelessUserAuthentication: the user is the token's claims, no database query."""

    authentication_classes = (authentication.JWTStatelessUserAuthentication,)

    @extend_schema(
        responses=inline_serializer(
            "StatelessMe",
            {"user_id": serializers.CharField(), "auth": serializers.CharField()},
        ),
    )
    def get(self, request: Request) -> Response:
        return Response({"user_id": request.user.id, "auth": "stateless"})
