"""The token_blacklist app: outstanding records, blacklisting, the app-less mode, admin, command."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from ferrojwt.exceptions import TokenError
from ferrojwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from ferrojwt.tokens import AccessToken, RefreshToken, SlidingToken, blacklist_installed
from freezegun import freeze_time
from rest_framework.test import APIClient
from testproject.testing import PASSWORD, jwt_settings

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
EPOCH = int(NOW.timestamp())

pytestmark = pytest.mark.django_db

WITHOUT_APP = [app for app in settings.INSTALLED_APPS if app != "ferrojwt.token_blacklist"]


def without_blacklist_app() -> Any:
    return override_settings(INSTALLED_APPS=WITHOUT_APP)


@pytest.mark.parametrize("cls", [RefreshToken, SlidingToken])
def test_for_user_records_an_outstanding_token(user: Any, cls: type) -> None:
    with freeze_time(NOW):
        token = cls.for_user(user)
    row = OutstandingToken.objects.get()
    assert row.user == user
    assert row.jti == token["jti"]
    assert row.token == str(token)
    assert row.created_at == NOW
    assert row.expires_at == datetime.fromtimestamp(token["exp"], tz=timezone.utc)


def test_access_tokens_are_not_recorded(user: Any) -> None:
    AccessToken.for_user(user)
    assert not OutstandingToken.objects.exists()


def test_blacklist_and_check(user: Any) -> None:
    token = RefreshToken.for_user(user)
    blacklisted, created = token.blacklist()
    assert created is True
    assert isinstance(blacklisted, BlacklistedToken)
    assert blacklisted.token.jti == token["jti"]
    again, created = token.blacklist()
    assert (again.pk, created) == (blacklisted.pk, False)
    with pytest.raises(TokenError) as info:
        RefreshToken(str(token))
    assert info.value.args[0] == "Token is blacklisted"
    with pytest.raises(TokenError, match="Token is blacklisted"):
        token.check_blacklist()
    # verify=False skips the check (as in simplejwt)
    assert RefreshToken(str(token), verify=False)["jti"] == token["jti"]


def test_blacklisting_an_unrecorded_token_records_it(user: Any) -> None:
    with freeze_time(NOW):
        token = RefreshToken()
        token["user_id"] = str(user.pk)
        token.blacklist()
    row = OutstandingToken.objects.get()
    assert (row.user, row.jti, row.created_at) == (user, token["jti"], NOW)
    assert row.token == str(token)


@pytest.mark.parametrize("user_id", [None, "999999", "not-a-number"])
def test_unknown_owner_is_recorded_as_null(user_id: str | None) -> None:
    token = RefreshToken()
    if user_id is not None:
        token["user_id"] = user_id
    token.blacklist()
    assert OutstandingToken.objects.get().user is None


def test_outstand_is_idempotent(user: Any) -> None:
    token = RefreshToken.for_user(user)
    row, created = token.outstand()
    assert (row.jti, created) == (token["jti"], False)
    fresh = RefreshToken()
    row, created = fresh.outstand()
    assert (row.jti, created) == (fresh["jti"], True)
    assert OutstandingToken.objects.count() == 2


def test_blacklisted_sliding_token(user: Any) -> None:
    token = SlidingToken.for_user(user)
    token.blacklist()
    with pytest.raises(TokenError, match="Token is blacklisted"):
        SlidingToken(str(token))


def test_stricter_refresh_token_without_jti_is_refused_not_crashing() -> None:
    """simplejwt raises KeyError (HTTP 500) checking the blacklist of a token without jti."""
    token = RefreshToken()
    del token["jti"]
    with pytest.raises(TokenError) as info:
        RefreshToken(str(token))
    assert info.value.args[0] == "Token has no id"


def test_deleting_a_user_keeps_their_records(user: Any) -> None:
    RefreshToken.for_user(user).blacklist()
    user.delete()
    row = OutstandingToken.objects.get()
    assert row.user is None
    assert BlacklistedToken.objects.get().token == row


def test_deleting_an_outstanding_token_removes_its_blacklist_entry(user: Any) -> None:
    RefreshToken.for_user(user).blacklist()
    OutstandingToken.objects.all().delete()
    assert not BlacklistedToken.objects.exists()


def test_model_strings(user: Any) -> None:
    token = RefreshToken.for_user(user)
    token.blacklist()
    assert str(OutstandingToken.objects.get()) == f"Token for alice ({token['jti']})"
    assert str(BlacklistedToken.objects.get()) == "Blacklisted token for alice"
    assert OutstandingToken._meta.verbose_name == "Outstanding Token"
    assert BlacklistedToken._meta.verbose_name_plural == "Blacklisted Tokens"
    assert OutstandingToken._meta.app_label == BlacklistedToken._meta.app_label == "token_blacklist"
    assert OutstandingToken._meta.db_table == "token_blacklist_outstandingtoken"
    assert BlacklistedToken._meta.db_table == "token_blacklist_blacklistedtoken"


def test_flushexpiredtokens(user: Any) -> None:
    with freeze_time(NOW - timedelta(days=2)):
        expired = RefreshToken.for_user(user)
        expired.blacklist()
    with freeze_time(NOW):
        live = RefreshToken.for_user(user)
        call_command("flushexpiredtokens")
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == [live["jti"]]
    assert not BlacklistedToken.objects.exists()


# -- without the app: simplejwt's behaviour, decided at call time ---------------------------------


def test_app_detection_follows_installed_apps() -> None:
    assert blacklist_installed()
    with without_blacklist_app():
        assert not blacklist_installed()
    assert blacklist_installed()


def test_without_the_app_nothing_is_recorded_or_checked(user: Any) -> None:
    recorded = RefreshToken.for_user(user)
    recorded.blacklist()
    with without_blacklist_app():
        token = RefreshToken.for_user(user)
        assert token.outstand() is None
        assert not hasattr(token, "blacklist")
        assert not hasattr(token, "check_blacklist")
        with pytest.raises(
            AttributeError, match=re.escape("'blacklist' needs the 'ferrojwt.token_blacklist'")
        ):
            token.blacklist()
        # a token blacklisted while the app was installed is not checked any more
        assert RefreshToken(str(recorded))["jti"] == recorded["jti"]
    assert OutstandingToken.objects.count() == 1
    assert hasattr(token, "blacklist")


def test_without_the_app_the_views_behave_like_simplejwt(user: Any) -> None:
    client = APIClient()
    with without_blacklist_app():
        pair = client.post(
            "/api/token/", {"username": "alice", "password": PASSWORD}, format="json"
        ).json()
        response = client.post("/api/token/blacklist/", {"refresh": pair["refresh"]}, format="json")
        assert (response.status_code, response.json()) == (200, {})
        with jwt_settings(ROTATE_REFRESH_TOKENS=True, BLACKLIST_AFTER_ROTATION=True):
            response = client.post(
                "/api/token/refresh/", {"refresh": pair["refresh"]}, format="json"
            )
            assert response.status_code == 200
            assert set(response.json()) == {"access", "refresh"}
            response = client.post("/api/token/verify/", {"token": pair["refresh"]}, format="json")
            assert (response.status_code, response.json()) == (200, {})
    assert not OutstandingToken.objects.exists()


def test_overriding_blacklist_methods_in_a_subclass(user: Any) -> None:
    calls = []

    class Audited(RefreshToken):
        def blacklist(self) -> Any:
            calls.append(self["jti"])
            return super().blacklist()

    token = Audited.for_user(user)
    token.blacklist()
    assert calls == [token["jti"]]
    assert BlacklistedToken.objects.filter(token__jti=token["jti"]).exists()


# -- admin -----


@pytest.fixture
def admin_client_logged_in(make_user: Any) -> Any:
    from django.test import Client

    admin = make_user("root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client


def test_admin_pages(admin_client_logged_in: Any, user: Any) -> None:
    token = RefreshToken.for_user(user)
    token.blacklist()
    client = admin_client_logged_in
    for path in (
        "/admin/token_blacklist/outstandingtoken/",
        "/admin/token_blacklist/blacklistedtoken/",
        f"/admin/token_blacklist/outstandingtoken/{OutstandingToken.objects.get().pk}/change/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert token["jti"] in response.content.decode()
    assert client.get("/admin/token_blacklist/outstandingtoken/add/").status_code == 403
    row = OutstandingToken.objects.get()
    response = client.post(f"/admin/token_blacklist/outstandingtoken/{row.pk}/change/", {})
    assert response.status_code == 403
    response = client.get(f"/admin/token_blacklist/outstandingtoken/{row.pk}/delete/")
    assert response.status_code == 403
    response = client.get("/admin/token_blacklist/outstandingtoken/?q=" + token["jti"])
    assert response.status_code == 200


def test_stricter_malformed_user_id_is_recorded_without_owner_not_crashing() -> None:
    """simplejwt's blacklist() lets the ValueError of ``User.objects.get(id="x")`` escape."""
    token = RefreshToken()
    token["user_id"] = "not-a-number"
    _, created = token.blacklist()
    assert created is True
    row = OutstandingToken.objects.get()
    assert (row.jti, row.user) == (token["jti"], None)


def test_old_django_finds_the_app_config_by_its_default_name() -> None:
    import importlib
    from unittest import mock

    import ferrojwt.token_blacklist as app

    with mock.patch("django.VERSION", (3, 1)):
        importlib.reload(app)
        assert app.default_app_config == "ferrojwt.token_blacklist.apps.TokenBlacklistConfig"
    del app.default_app_config  # reload() keeps names the module no longer defines
    importlib.reload(app)
    assert not hasattr(app, "default_app_config")
