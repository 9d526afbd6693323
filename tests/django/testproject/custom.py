"""A customised serializer named by an import string in the view tests."""

from typing import Any
from uuid import UUID

from ferrojwt.serializers import TokenObtainPairSerializer
from ferrojwt.tokens import Token
from rest_framework import serializers


class NameInTokenSerializer(TokenObtainPairSerializer):
    @classmethod
    def get_token(cls, user: Any) -> Token:
        token = super().get_token(user)
        token["name"] = user.get_username()
        return token


class MarkerSerializer(serializers.Serializer):
    """Answers which serializer served the request."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        return {"served_by": "marker"}


def staff_only(user: Any) -> bool:
    """A ``USER_AUTHENTICATION_RULE``: only active staff may log in."""
    return user is not None and user.is_active and user.is_staff


class UUIDClaimSerializer(TokenObtainPairSerializer):
    @classmethod
    def get_token(cls, user: Any) -> Token:
        token = super().get_token(user)
        token["device"] = UUID(int=7)
        return token
