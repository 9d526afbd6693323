"""``ON_LOGIN_SUCCESS`` / ``ON_LOGIN_FAILED`` as on simplejwt's main branch (PR #904).

Upstream (after 5.5.1): the obtain serializers call ``ON_LOGIN_SUCCESS(user, request)``
only while ``UPDATE_LAST_LOGIN`` is on; ``default_on_login_success`` always updates
``last_login``; ``ON_LOGIN_FAILED(credentials, request)`` receives every validated field
of the serializer, cleansed in place by Django's ``_clean_credentials`` (names matching
api|token|key|secret|password|signature, case-insensitively, become 20 asterisks).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from unittest import mock

import pytest
from ferrojwt.serializers import (
    TokenObtainPairSerializer,
    TokenObtainSerializer,
    TokenObtainSlidingSerializer,
    default_on_login_failed,
    default_on_login_success,
)
from freezegun import freeze_time
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.test import APIClient
from testproject.testing import PASSWORD, jwt_settings

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
HIDDEN = "********************"
# AuthenticationFailed from a serializer: DRF's handler renders only "detail" (as upstream).
NO_ACCOUNT = {"detail": "No active account found with the given credentials"}

pytestmark = pytest.mark.django_db

OBTAIN = [TokenObtainPairSerializer, TokenObtainSlidingSerializer]


def patched_hooks(update_last_login: bool) -> tuple[mock.Mock, mock.Mock, Any]:
    success, failed = mock.Mock(return_value=None), mock.Mock(return_value=None)
    patcher = mock.patch.multiple(
        "ferrojwt.settings.api_settings",
        ON_LOGIN_SUCCESS=success,
        ON_LOGIN_FAILED=failed,
        UPDATE_LAST_LOGIN=update_last_login,
    )
    return success, failed, patcher


@pytest.mark.parametrize("cls", OBTAIN)
@pytest.mark.parametrize("update", [True, False])
def test_success_hook_runs_only_with_update_last_login(user: Any, cls: type, update: bool) -> None:
    success, failed, patcher = patched_hooks(update)
    request = object()
    with patcher:
        serializer = cls(data={"username": "alice", "password": PASSWORD})
        serializer.context["request"] = request
        assert serializer.is_valid(), serializer.errors
    assert success.call_args_list == ([mock.call(user, request)] if update else [])
    failed.assert_not_called()
    # The hook replaced the default: last_login stays untouched either way.
    user.refresh_from_db()
    assert user.last_login is None


@pytest.mark.parametrize("update", [True, False])
def test_default_success_hook_always_updates_last_login(user: Any, update: bool) -> None:
    with jwt_settings(UPDATE_LAST_LOGIN=update), freeze_time(NOW):
        assert default_on_login_success(user, None) is None
    user.refresh_from_db()
    assert user.last_login == NOW


def test_default_failed_hook_does_nothing(user: Any) -> None:
    credentials = {"username": "alice", "password": HIDDEN}
    assert default_on_login_failed(credentials, None) is None
    assert credentials == {"username": "alice", "password": HIDDEN}
    user.refresh_from_db()
    assert user.last_login is None


@pytest.mark.parametrize("cls", OBTAIN)
@pytest.mark.parametrize("update", [True, False])
def test_failed_hook_runs_on_bad_password_whatever_update_last_login(
    user: Any, cls: type, update: bool
) -> None:
    success, failed, patcher = patched_hooks(update)
    with patcher, pytest.raises(AuthenticationFailed) as info:
        cls(data={"username": "alice", "password": "wrong"}).is_valid()
    assert info.value.detail == NO_ACCOUNT["detail"]
    assert info.value.detail.code == "no_active_account"
    failed.assert_called_once_with({"username": "alice", "password": HIDDEN}, None)
    success.assert_not_called()


def test_failed_hook_runs_for_inactive_user_with_right_password(make_user: Any) -> None:
    make_user("bob", is_active=False)
    success, failed, patcher = patched_hooks(True)
    with patcher, pytest.raises(AuthenticationFailed):
        TokenObtainPairSerializer(data={"username": "bob", "password": PASSWORD}).is_valid()
    failed.assert_called_once_with({"username": "bob", "password": HIDDEN}, None)
    success.assert_not_called()


class WithExtraFields(TokenObtainPairSerializer):
    """A project's obtain serializer with extra inputs (all reach ``ON_LOGIN_FAILED``)."""

    otp_token = serializers.CharField()
    api_key = serializers.CharField()
    client_Secret = serializers.CharField()
    signature = serializers.CharField()
    device = serializers.CharField()
    keyboard_layout = serializers.CharField()


EXTRA = {
    "otp_token": "123456",
    "api_key": "k-1",
    "client_Secret": "s-1",
    "signature": "sig",
    "device": "phone",
    "keyboard_layout": "azerty",
}


@pytest.mark.parametrize(
    ("field", "reported"),
    [
        ("username", "alice"),
        ("password", HIDDEN),
        ("otp_token", HIDDEN),
        ("api_key", HIDDEN),
        ("client_Secret", HIDDEN),
        ("signature", HIDDEN),
        ("device", "phone"),
        # "key" anywhere in the name is cleansed, as Django's regex searches, not matches.
        ("keyboard_layout", HIDDEN),
    ],
)
def test_failed_hook_gets_every_field_cleansed_by_name(
    user: Any, field: str, reported: str
) -> None:
    _success, failed, patcher = patched_hooks(False)
    with patcher, pytest.raises(AuthenticationFailed):
        WithExtraFields(data={"username": "alice", "password": "wrong", **EXTRA}).is_valid()
    (credentials, request), _kwargs = failed.call_args
    assert set(credentials) == {"username", "password", *EXTRA}
    assert credentials[field] == reported
    assert request is None


def test_failed_hook_follows_username_field(make_user: Any) -> None:
    make_user("carol", email="carol@example.com")

    class ByEmail(TokenObtainPairSerializer):
        username_field = "email"

    _success, failed, patcher = patched_hooks(False)
    with patcher, pytest.raises(AuthenticationFailed):
        ByEmail(data={"email": "carol@example.com", "password": "wrong"}).is_valid()
    failed.assert_called_once_with({"email": "carol@example.com", "password": HIDDEN}, None)


def test_hooks_get_the_drf_request_through_the_view(user: Any) -> None:
    success, failed, patcher = patched_hooks(True)
    client = APIClient()
    with patcher:
        bad = client.post("/api/token/", {"username": "alice", "password": "x"}, format="json")
        good = client.post(
            "/api/token/", {"username": "alice", "password": PASSWORD}, format="json"
        )
    assert (bad.status_code, bad.json()) == (401, NO_ACCOUNT)
    assert good.status_code == 200
    (credentials, bad_request), _ = failed.call_args
    assert credentials == {"username": "alice", "password": HIDDEN}
    assert isinstance(bad_request, Request)
    assert bad_request.path == "/api/token/"
    (hook_user, good_request), _ = success.call_args
    assert hook_user == user
    assert isinstance(good_request, Request)
    assert good_request.path == "/api/token/"


def test_hook_error_propagates(user: Any) -> None:
    """simplejwt does not guard the hook call: its exception reaches the caller."""
    with mock.patch.multiple(
        "ferrojwt.settings.api_settings",
        ON_LOGIN_SUCCESS=mock.Mock(side_effect=RuntimeError("audit down")),
        UPDATE_LAST_LOGIN=True,
    ):
        serializer = TokenObtainPairSerializer(data={"username": "alice", "password": PASSWORD})
        with pytest.raises(RuntimeError, match="audit down"):
            serializer.is_valid()


def test_obtain_base_serializer_never_calls_success_hook(user: Any) -> None:
    """The base serializer only authenticates; issuing (and the hook) is the subclasses'."""
    success, failed, patcher = patched_hooks(True)
    with patcher:
        assert TokenObtainSerializer(data={"username": "alice", "password": PASSWORD}).is_valid()
    success.assert_not_called()
    failed.assert_not_called()
