"""Refresh and sliding-refresh user checks as on simplejwt's main branch (PR #928).

Upstream (after 5.5.1), ``TokenRefreshSerializer`` and ``TokenRefreshSlidingSerializer``
both look up the token's user: a deleted or inactive user gives 401
``no_active_account``; with ``CHECK_REVOKE_TOKEN`` a token whose password-hash claim no
longer matches is blacklisted (when the blacklist app is installed) and refused with
401 ``password_changed``. The sliding serializer runs these checks before its
``refresh_exp`` check.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from ferrojwt.exceptions import TokenError
from ferrojwt.serializers import TokenRefreshSerializer, TokenRefreshSlidingSerializer
from ferrojwt.token_blacklist.models import BlacklistedToken
from ferrojwt.tokens import RefreshToken, SlidingToken
from freezegun import freeze_time
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient
from testproject.testing import jwt_settings

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
# AuthenticationFailed from a serializer: DRF's handler renders only "detail" (as upstream).
NO_ACCOUNT = {"detail": "No active account found for the given token."}
PASSWORD_CHANGED = {"detail": "The user's password has been changed."}
BLACKLISTED = {"detail": "Token is blacklisted", "code": "token_not_valid"}
WITHOUT_APP = [app for app in settings.INSTALLED_APPS if app != "ferrojwt.token_blacklist"]

pytestmark = pytest.mark.django_db

# (serializer, token class, input field, sliding refresh URL)
KINDS = [
    (TokenRefreshSerializer, RefreshToken, "refresh", "/api/token/refresh/"),
    (TokenRefreshSlidingSerializer, SlidingToken, "token", "/api/token/sliding/refresh/"),
]


def post(path: str, data: dict[str, Any]) -> tuple[int, Any]:
    response = APIClient().post(path, data, format="json")
    return response.status_code, response.json()


def test_sliding_serializer_messages_match_refresh_serializer() -> None:
    expected = {
        "no_active_account": "No active account found for the given token.",
        "password_changed": "The user's password has been changed.",
    }
    for cls in (TokenRefreshSerializer, TokenRefreshSlidingSerializer):
        messages = cls().error_messages
        assert {key: str(messages[key]) for key in expected} == expected


@pytest.mark.parametrize(("cls", "token_cls", "field", "url"), KINDS)
@pytest.mark.parametrize("change", ["delete", "deactivate"])
def test_refused_for_deleted_or_inactive_user(
    user: Any, cls: type, token_cls: type, field: str, url: str, change: str
) -> None:
    token = str(token_cls.for_user(user))
    if change == "delete":
        user.delete()
    else:
        user.is_active = False
        user.save()
    with pytest.raises(AuthenticationFailed) as info:
        cls(data={field: token}).is_valid()
    assert info.value.detail == NO_ACCOUNT["detail"]
    assert info.value.detail.code == "no_active_account"
    assert post(url, {field: token}) == (401, NO_ACCOUNT)


@pytest.mark.parametrize(("cls", "token_cls", "field", "url"), KINDS)
def test_inactive_user_allowed_when_not_checked(
    make_user: Any, cls: type, token_cls: type, field: str, url: str
) -> None:
    token = str(token_cls.for_user(make_user("bob", is_active=False)))
    with jwt_settings(CHECK_USER_IS_ACTIVE=False):
        assert cls(data={field: token}).is_valid()
        status, _body = post(url, {field: token})
    assert status == 200


@pytest.mark.parametrize(("cls", "token_cls", "field", "url"), KINDS)
def test_token_without_user_claim_is_not_looked_up(
    cls: type, token_cls: type, field: str, url: str
) -> None:
    token = token_cls()
    if token_cls is SlidingToken:
        token.set_exp("refresh_exp", lifetime=timedelta(days=1))
    assert cls(data={field: str(token)}).is_valid()


@pytest.mark.parametrize(("cls", "token_cls", "field", "url"), KINDS)
def test_password_change_blacklists_and_refuses(
    user: Any, cls: type, token_cls: type, field: str, url: str
) -> None:
    with jwt_settings(CHECK_REVOKE_TOKEN=True):
        token = token_cls.for_user(user)
        assert cls(data={field: str(token)}).is_valid()
        assert not BlacklistedToken.objects.exists()
        user.set_password("changed")
        user.save()
        with pytest.raises(AuthenticationFailed) as info:
            cls(data={field: str(token)}).is_valid()
        assert info.value.detail == PASSWORD_CHANGED["detail"]
        assert info.value.detail.code == "password_changed"
        assert list(BlacklistedToken.objects.values_list("token__jti", flat=True)) == [token["jti"]]
        # Once blacklisted, the token is refused before the user is even looked up.
        with pytest.raises(TokenError) as replay:
            cls(data={field: str(token)}).is_valid()
        assert str(replay.value.args[0]) == BLACKLISTED["detail"]
        assert post(url, {field: str(token)}) == (401, BLACKLISTED)


@pytest.mark.parametrize(("cls", "token_cls", "field", "url"), KINDS)
def test_password_change_over_http(
    user: Any, cls: type, token_cls: type, field: str, url: str
) -> None:
    with jwt_settings(CHECK_REVOKE_TOKEN=True):
        token = str(token_cls.for_user(user))
        user.set_password("changed")
        user.save()
        assert post(url, {field: token}) == (401, PASSWORD_CHANGED)
        assert post(url, {field: token}) == (401, BLACKLISTED)


@pytest.mark.parametrize(("cls", "token_cls", "field", "url"), KINDS)
def test_password_change_without_blacklist_app_refuses_every_time(
    user: Any, cls: type, token_cls: type, field: str, url: str
) -> None:
    with jwt_settings(CHECK_REVOKE_TOKEN=True):
        token = str(token_cls.for_user(user))
        user.set_password("changed")
        user.save()
        with override_settings(INSTALLED_APPS=WITHOUT_APP):
            for _attempt in range(2):
                with pytest.raises(AuthenticationFailed) as info:
                    cls(data={field: token}).is_valid()
                assert info.value.detail.code == "password_changed"
    assert not BlacklistedToken.objects.exists()


@pytest.mark.parametrize(("cls", "token_cls", "field", "url"), KINDS)
def test_unchanged_password_passes_revoke_check(
    user: Any, cls: type, token_cls: type, field: str, url: str
) -> None:
    with jwt_settings(CHECK_REVOKE_TOKEN=True):
        token = str(token_cls.for_user(user))
        status, body = post(url, {field: token})
    assert status == 200, body
    assert not BlacklistedToken.objects.exists()


def test_sliding_user_check_comes_before_refresh_exp(user: Any) -> None:
    with freeze_time(NOW):
        token = SlidingToken.for_user(user)
        token.set_exp("refresh_exp", lifetime=timedelta(seconds=60))
    user.delete()
    with freeze_time(NOW + timedelta(seconds=120)), pytest.raises(AuthenticationFailed) as info:
        TokenRefreshSlidingSerializer(data={"token": str(token)}).is_valid()
    assert info.value.detail.code == "no_active_account"


def test_sliding_refresh_exp_still_checked_for_live_user(user: Any) -> None:
    with freeze_time(NOW):
        token = SlidingToken.for_user(user)
        token.set_exp("refresh_exp", lifetime=timedelta(seconds=60))
    with freeze_time(NOW + timedelta(seconds=120)), pytest.raises(TokenError) as info:
        TokenRefreshSlidingSerializer(data={"token": str(token)}).is_valid()
    assert str(info.value.args[0]) == "Token 'refresh_exp' claim has expired"
