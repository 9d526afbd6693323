"""ferrojwt.serializers used directly: validation results, hooks and extension points."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from ferrojwt.exceptions import TokenError
from ferrojwt.serializers import (
    PasswordField,
    TokenBlacklistSerializer,
    TokenObtainPairSerializer,
    TokenObtainSerializer,
    TokenObtainSlidingSerializer,
    TokenRefreshSerializer,
    TokenRefreshSlidingSerializer,
    TokenVerifySerializer,
    default_on_login_failed,
    default_on_login_success,
)
from ferrojwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from ferrojwt.tokens import AccessToken, RefreshToken, SlidingToken, Token
from freezegun import freeze_time
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from testproject.testing import PASSWORD, jwt_settings

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
EPOCH = int(NOW.timestamp())

pytestmark = pytest.mark.django_db


def credentials(username: str = "alice", password: str = PASSWORD) -> dict[str, str]:
    return {"username": username, "password": password}


def test_password_field_is_write_only_password_input() -> None:
    field = PasswordField()
    assert field.write_only is True
    assert field.style == {"input_type": "password"}


def test_obtain_serializer_fields_follow_username_field() -> None:
    serializer = TokenObtainPairSerializer()
    assert set(serializer.fields) == {"username", "password"}
    assert TokenObtainSerializer.username_field == get_user_model().USERNAME_FIELD

    class ByEmail(TokenObtainPairSerializer):
        username_field = "email"

    assert set(ByEmail().fields) == {"email", "password"}


@freeze_time(NOW)
def test_obtain_pair(user: Any) -> None:
    serializer = TokenObtainPairSerializer(data=credentials())
    assert serializer.is_valid(), serializer.errors
    data = serializer.validated_data
    assert set(data) == {"refresh", "access"}
    refresh, access = RefreshToken(data["refresh"]), AccessToken(data["access"])
    assert refresh["user_id"] == access["user_id"] == str(user.pk)
    assert (refresh["exp"], access["exp"]) == (EPOCH + 86400, EPOCH + 300)
    assert serializer.user == user


@freeze_time(NOW)
def test_obtain_sliding(user: Any) -> None:
    serializer = TokenObtainSlidingSerializer(data=credentials())
    assert serializer.is_valid(), serializer.errors
    token = SlidingToken(serializer.validated_data["token"])
    assert (token["user_id"], token["refresh_exp"]) == (str(user.pk), EPOCH + 86400)


@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "wrong"), ("nobody", PASSWORD), ("bob", PASSWORD)],
)
def test_obtain_refused(make_user: Any, username: str, password: str) -> None:
    make_user("alice")
    make_user("bob", is_active=False)
    serializer = TokenObtainPairSerializer(data=credentials(username, password))
    with pytest.raises(AuthenticationFailed) as info:
        serializer.is_valid()
    assert info.value.detail == "No active account found with the given credentials"
    assert info.value.detail.code == "no_active_account"


def test_get_token_adds_custom_claims(user: Any) -> None:
    class WithName(TokenObtainPairSerializer):
        @classmethod
        def get_token(cls, user: Any) -> Token:
            token = super().get_token(user)
            token["name"] = user.username
            return token

    serializer = WithName(data=credentials())
    assert serializer.is_valid()
    assert RefreshToken(serializer.validated_data["refresh"])["name"] == "alice"
    assert AccessToken(serializer.validated_data["access"])["name"] == "alice"


def test_token_class_must_be_set(user: Any) -> None:
    with pytest.raises(AssertionError, match="token_class is not set"):
        TokenObtainSerializer.get_token(user)


@pytest.mark.parametrize("update", [True, False])
def test_update_last_login(user: Any, update: bool) -> None:
    assert user.last_login is None
    with jwt_settings(UPDATE_LAST_LOGIN=update), freeze_time(NOW):
        for cls in (TokenObtainPairSerializer, TokenObtainSlidingSerializer):
            assert cls(data=credentials()).is_valid()
    user.refresh_from_db()
    assert user.last_login == (NOW if update else None)


def test_login_hooks(user: Any) -> None:
    success, failed = mock.Mock(), mock.Mock()
    request = mock.Mock()
    with mock.patch.multiple(
        "ferrojwt.settings.api_settings",
        ON_LOGIN_SUCCESS=success,
        ON_LOGIN_FAILED=failed,
        UPDATE_LAST_LOGIN=True,
    ):
        assert TokenObtainPairSerializer(
            data=credentials(), context={"request": request}
        ).is_valid()
        success.assert_called_once_with(user, request)
        failed.assert_not_called()
        with pytest.raises(AuthenticationFailed):
            TokenObtainPairSerializer(data=credentials(password="bad")).is_valid()
    success.assert_called_once()
    failed.assert_called_once_with({"username": "alice", "password": "********************"}, None)


def test_login_hook_settings_are_import_strings(user: Any) -> None:
    with jwt_settings(ON_LOGIN_SUCCESS="testproject.hooks.record_success", UPDATE_LAST_LOGIN=True):
        from testproject import hooks

        hooks.calls.clear()
        assert TokenObtainPairSerializer(data=credentials()).is_valid()
        assert hooks.calls == [("success", user.pk)]


def test_default_hooks(user: Any) -> None:
    with jwt_settings(UPDATE_LAST_LOGIN=True):
        default_on_login_success(user, None)
    user.refresh_from_db()
    assert user.last_login is not None
    assert default_on_login_failed({"username": "x"}, None) is None


# -- refresh -----


def test_refresh(user: Any) -> None:
    refresh = RefreshToken.for_user(user)
    serializer = TokenRefreshSerializer(data={"refresh": str(refresh)})
    assert serializer.is_valid(), serializer.errors
    assert set(serializer.validated_data) == {"access"}
    access = AccessToken(serializer.validated_data["access"])
    assert access["user_id"] == str(user.pk)


def test_refresh_rotation_without_blacklisting(user: Any) -> None:
    refresh = RefreshToken.for_user(user)
    with jwt_settings(ROTATE_REFRESH_TOKENS=True):
        serializer = TokenRefreshSerializer(data={"refresh": str(refresh)})
        assert serializer.is_valid()
    rotated = RefreshToken(serializer.validated_data["refresh"])
    assert rotated["jti"] != refresh["jti"]
    assert OutstandingToken.objects.filter(jti=rotated["jti"]).exists()
    assert not BlacklistedToken.objects.exists()
    # the old one still works
    assert TokenRefreshSerializer(data={"refresh": str(refresh)}).is_valid()


def test_refresh_rotation_with_blacklisting(user: Any) -> None:
    refresh = RefreshToken.for_user(user)
    with jwt_settings(ROTATE_REFRESH_TOKENS=True, BLACKLIST_AFTER_ROTATION=True):
        assert TokenRefreshSerializer(data={"refresh": str(refresh)}).is_valid()
        assert BlacklistedToken.objects.filter(token__jti=refresh["jti"]).exists()
        with pytest.raises(TokenError) as info:
            TokenRefreshSerializer(data={"refresh": str(refresh)}).is_valid()
    assert info.value.args[0] == "Token is blacklisted"


def test_refresh_rotation_keeps_custom_claims(user: Any) -> None:
    refresh = RefreshToken.for_user(user)
    refresh["scope"] = "read"
    with jwt_settings(ROTATE_REFRESH_TOKENS=True):
        serializer = TokenRefreshSerializer(data={"refresh": str(refresh)})
        assert serializer.is_valid()
    assert RefreshToken(serializer.validated_data["refresh"])["scope"] == "read"
    assert AccessToken(serializer.validated_data["access"])["scope"] == "read"


@pytest.mark.parametrize("change", ["delete", "deactivate"])
def test_refresh_refused_for_deleted_or_inactive_user(user: Any, change: str) -> None:
    refresh = RefreshToken.for_user(user)
    if change == "delete":
        user.delete()
    else:
        user.is_active = False
        user.save()
    with pytest.raises(AuthenticationFailed) as info:
        TokenRefreshSerializer(data={"refresh": str(refresh)}).is_valid()
    assert info.value.detail == "No active account found for the given token."
    assert info.value.detail.code == "no_active_account"


def test_refresh_for_inactive_user_allowed_when_not_checked(make_user: Any) -> None:
    refresh = RefreshToken.for_user(make_user("bob", is_active=False))
    with jwt_settings(CHECK_USER_IS_ACTIVE=False):
        assert TokenRefreshSerializer(data={"refresh": str(refresh)}).is_valid()


def test_refresh_without_user_claim_is_not_looked_up() -> None:
    refresh = RefreshToken()
    assert TokenRefreshSerializer(data={"refresh": str(refresh)}).is_valid()


def test_refresh_revoked_by_password_change(user: Any) -> None:
    with jwt_settings(CHECK_REVOKE_TOKEN=True):
        refresh = RefreshToken.for_user(user)
        assert TokenRefreshSerializer(data={"refresh": str(refresh)}).is_valid()
        user.set_password("changed")
        user.save()
        with pytest.raises(AuthenticationFailed) as info:
            TokenRefreshSerializer(data={"refresh": str(refresh)}).is_valid()
    assert info.value.detail == "The user's password has been changed."
    assert info.value.detail.code == "password_changed"


def test_refresh_with_wrong_token_type(user: Any) -> None:
    with pytest.raises(TokenError, match="Token has wrong type"):
        TokenRefreshSerializer(data={"refresh": str(AccessToken.for_user(user))}).is_valid()


def test_refresh_missing_field() -> None:
    serializer = TokenRefreshSerializer(data={})
    assert not serializer.is_valid()
    assert serializer.errors == {"refresh": ["This field is required."]}


# -- sliding refresh -----


def test_refresh_sliding(user: Any) -> None:
    with freeze_time(NOW):
        token = SlidingToken.for_user(user)
    with freeze_time(NOW + timedelta(seconds=200)):
        serializer = TokenRefreshSlidingSerializer(data={"token": str(token)})
        assert serializer.is_valid()
        new = SlidingToken(serializer.validated_data["token"])
    assert new["jti"] == token["jti"]
    assert new["iat"] == EPOCH + 200
    assert new["exp"] == EPOCH + 500
    assert new["refresh_exp"] == token["refresh_exp"]


def test_refresh_sliding_after_refresh_exp(user: Any) -> None:
    with freeze_time(NOW):
        token = SlidingToken.for_user(user)
        token.set_exp("refresh_exp", lifetime=timedelta(seconds=60))
    with freeze_time(NOW + timedelta(seconds=60)), pytest.raises(TokenError) as info:
        TokenRefreshSlidingSerializer(data={"token": str(token)}).is_valid()
    assert str(info.value.args[0]) == "Token 'refresh_exp' claim has expired"


# -- verify / blacklist -----


def test_verify_any_valid_token(user: Any) -> None:
    for token in (
        AccessToken.for_user(user),
        RefreshToken.for_user(user),
        SlidingToken.for_user(user),
    ):
        serializer = TokenVerifySerializer(data={"token": str(token)})
        assert serializer.is_valid()
        assert serializer.validated_data == {}


@pytest.mark.parametrize("blacklist_after_rotation", [True, False])
def test_verify_blacklisted_token(user: Any, blacklist_after_rotation: bool) -> None:
    refresh = RefreshToken.for_user(user)
    refresh.blacklist()
    with jwt_settings(BLACKLIST_AFTER_ROTATION=blacklist_after_rotation):
        serializer = TokenVerifySerializer(data={"token": str(refresh)})
        if blacklist_after_rotation:
            with pytest.raises(ValidationError) as info:
                serializer.is_valid(raise_exception=True)
            assert info.value.detail == {"non_field_errors": ["Token is blacklisted"]}
        else:
            assert serializer.is_valid()


def test_blacklist_serializer(user: Any) -> None:
    refresh = RefreshToken.for_user(user)
    serializer = TokenBlacklistSerializer(data={"refresh": str(refresh)})
    assert serializer.is_valid()
    assert serializer.validated_data == {}
    assert BlacklistedToken.objects.get().token.jti == refresh["jti"]
    with pytest.raises(TokenError, match="Token is blacklisted"):
        TokenBlacklistSerializer(data={"refresh": str(refresh)}).is_valid()
