"""Logout everywhere and access tokens that die at once (ferrojwt.revocation).

``logout_all`` / ``LogoutAllView`` revoke every session of a user; with
``ACCESS_TOKEN_REVOCATION`` the user's access tokens issued before are refused on the next
request by every authentication class, from one cache read and no query.
``REVOKE_ON_PASSWORD_CHANGE`` does the same when a password is saved. A cache that cannot
be reached fails closed unless ``REVOCATION_FAIL_OPEN``. ``REVOKE_TOKEN_HASH = "hmac"``
replaces simplejwt's MD5 password fingerprint with a keyed HMAC.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import path
from ferrojwt.revocation import logout_all, password_fingerprint
from ferrojwt.tokens import AccessToken, RefreshToken
from ferrojwt.utils import get_md5_hash_password
from ferrojwt.views import LogoutAllView
from freezegun import freeze_time
from rest_framework.test import APIClient
from testproject.testing import PASSWORD, jwt_settings
from testproject.urls import urlpatterns as project_urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

urlpatterns = [*project_urls, path("api/logout/all/", LogoutAllView.as_view())]

REVOKED = {"detail": "Token has been revoked", "code": "token_not_valid"}
UNAVAILABLE = {"detail": "Token revocation status is unavailable", "code": "revocation_unavailable"}
BLACKLISTED = {"detail": "Token is blacklisted", "code": "token_not_valid"}
PASSWORD_CHANGED = {"detail": "The user's password has been changed.", "code": "password_changed"}
ROTATE = {"ROTATE_REFRESH_TOKENS": True, "BLACKLIST_AFTER_ROTATION": True}
REVOCATION = {**ROTATE, "ACCESS_TOKEN_REVOCATION": True}
# A Redis nobody listens on: every cache call fails to connect.
BROKEN_CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "down": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.5},
    },
}
VIEWS = ("/api/whoami/", "/api/whoami/explicit/", "/api/whoami/stateless/")


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    caches["default"].clear()
    yield
    caches["default"].clear()


def login(username: str = "alice", password: str = PASSWORD) -> dict[str, str]:
    reply = APIClient().post("/api/token/", {"username": username, "password": password})
    assert reply.status_code == 200, reply.json()
    return dict(reply.json())


def get(path: str, access: str) -> tuple[int, Any]:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    reply = client.get(path)
    return reply.status_code, reply.json()


def refresh(token: str) -> tuple[int, Any]:
    reply = APIClient().post("/api/token/refresh/", {"refresh": token})
    return reply.status_code, reply.json()


def test_off_by_default_logout_all_blacklists_and_access_tokens_live_on(user: Any) -> None:
    with jwt_settings(**ROTATE):
        pair = login()
        assert logout_all(user) == 1
        assert refresh(pair["refresh"]) == (401, BLACKLISTED)
        for view in VIEWS:
            assert get(view, pair["access"])[0] == 200  # simplejwt's behaviour: no check
    assert caches["default"].get(f"ferrojwt:revoked:user:{user.pk}") is None


def test_logout_all_view_kills_access_tokens_on_every_authentication_class(
    user: Any, make_user: Any
) -> None:
    other = make_user("bob")
    with jwt_settings(**REVOCATION):
        with freeze_time("2030-01-01 10:00:00"):
            first, second, bobs = login(), login(), login("bob")
        with freeze_time("2030-01-01 10:01:00"):
            for view in VIEWS:
                assert get(view, first["access"])[0] == 200
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {first['access']}")
            assert client.post("/api/logout/all/").status_code == 204
            for pair in (first, second):
                for view in VIEWS:
                    assert get(view, pair["access"]) == (401, REVOKED), view
                assert refresh(pair["refresh"]) == (401, BLACKLISTED)
            assert get("/api/whoami/", bobs["access"])[0] == 200  # another user: untouched
            assert refresh(bobs["refresh"])[0] == 200
        with freeze_time("2030-01-01 10:01:01"):
            again = login()  # a login after the revocation works
            assert get("/api/whoami/", again["access"])[0] == 200
            assert refresh(again["refresh"])[0] == 200
    assert other.pk != user.pk


def test_the_check_is_one_cache_read_and_no_query(
    user: Any, django_assert_num_queries: Any
) -> None:
    with jwt_settings(**REVOCATION):
        access = login()["access"]
        reads = mock.patch.object(
            type(caches["default"]), "get_many", autospec=True, side_effect=lambda self, keys: {}
        )
        with reads as get_many, django_assert_num_queries(0):
            assert get("/api/whoami/stateless/", access)[0] == 200
        assert get_many.call_count == 1
        assert get_many.call_args.args[1] == [f"ferrojwt:revoked:user:{user.pk}"]


def test_a_token_of_the_revocations_second_is_refused_without_a_family(user: Any) -> None:
    """iat is whole seconds: without a family to tell them apart, tokens issued in the
    second of the revocation are refused, before it or after it."""
    with jwt_settings(**REVOCATION):
        with freeze_time("2030-01-01 10:00:00.200"):
            before = login()
        with freeze_time("2030-01-01 10:00:00.500"):
            logout_all(user)
        with freeze_time("2030-01-01 10:00:00.800"):
            after = login()
            assert get("/api/whoami/", before["access"]) == (401, REVOKED)
            assert get("/api/whoami/", after["access"]) == (401, REVOKED)


def test_with_families_a_login_right_after_the_revocation_works(user: Any) -> None:
    with jwt_settings(**REVOCATION, TOKEN_FAMILIES=True):
        with freeze_time("2030-01-01 10:00:00.200"):
            before = login()
        with freeze_time("2030-01-01 10:00:00.500"):
            assert logout_all(user) == 1  # one session
        with freeze_time("2030-01-01 10:00:00.800"):
            after = login()
            assert get("/api/whoami/", before["access"]) == (401, REVOKED)  # its family's
            assert get("/api/whoami/", after["access"])[0] == 200
            assert refresh(before["refresh"]) == (401, BLACKLISTED)
            assert refresh(after["refresh"])[0] == 200


def test_reuse_revocation_kills_the_familys_access_tokens(user: Any) -> None:
    with jwt_settings(**REVOCATION, REFRESH_TOKEN_REUSE_DETECTION=True):
        pair = login()
        other = login()  # another session of the same user
        status, rotated = refresh(pair["refresh"])
        assert status == 200
        assert get("/api/whoami/", rotated["access"])[0] == 200
        assert refresh(pair["refresh"]) == (401, BLACKLISTED)  # the replay
        for access in (pair["access"], rotated["access"]):
            for view in VIEWS:
                assert get(view, access) == (401, REVOKED)
        assert refresh(rotated["refresh"]) == (401, BLACKLISTED)
        assert get("/api/whoami/", other["access"])[0] == 200


def test_a_password_change_revokes_everything_with_the_setting(user: Any) -> None:
    with jwt_settings(**REVOCATION, REVOKE_ON_PASSWORD_CHANGE=True):
        with freeze_time("2030-01-01 10:00:00"):
            pair = login()
        with freeze_time("2030-01-01 10:00:30"):
            user.set_password("a new password 123")
            user.save()
            for view in VIEWS:
                assert get(view, pair["access"]) == (401, REVOKED)
            assert refresh(pair["refresh"]) == (401, BLACKLISTED)
        with freeze_time("2030-01-01 10:00:31"):
            fresh = login(password="a new password 123")
            assert get("/api/whoami/", fresh["access"])[0] == 200


def test_a_password_change_revokes_nothing_without_the_setting(user: Any) -> None:
    with jwt_settings(**REVOCATION):
        pair = login()
        user.set_password("a new password 123")
        user.save()
        assert get("/api/whoami/", pair["access"])[0] == 200
        assert refresh(pair["refresh"])[0] == 200
        # nor does a save that does not change the password
    with jwt_settings(**REVOCATION, REVOKE_ON_PASSWORD_CHANGE=True):
        pair = login(password="a new password 123")
        user.first_name = "Alice"
        user.save()
        assert get("/api/whoami/", pair["access"])[0] == 200


@override_settings(CACHES=BROKEN_CACHES)
def test_an_unreachable_cache_fails_closed(user: Any) -> None:
    with jwt_settings(**REVOCATION, REVOCATION_CACHE="down"):
        pair = login()
        for view in VIEWS:
            assert get(view, pair["access"]) == (401, UNAVAILABLE)
        assert refresh(pair["refresh"]) == (
            401,
            {"detail": "Token revocation status is unavailable", "code": "token_not_valid"},
        )


@override_settings(CACHES=BROKEN_CACHES)
def test_an_unreachable_cache_fails_open_when_told_to(user: Any) -> None:
    with jwt_settings(**REVOCATION, REVOCATION_CACHE="down", REVOCATION_FAIL_OPEN=True):
        pair = login()
        assert get("/api/whoami/", pair["access"])[0] == 200
        assert refresh(pair["refresh"])[0] == 200
        # A revocation while the cache is down still blacklists the refresh tokens.
        logout_all(user)
        assert refresh(login()["refresh"])[0] == 200  # a new login is a new token
        assert refresh(pair["refresh"])[0] == 401


def test_the_marker_lives_as_long_as_the_longest_token(user: Any) -> None:
    with jwt_settings(**REVOCATION, REFRESH_TOKEN_LIFETIME=timedelta(hours=2)):
        with mock.patch.object(type(caches["default"]), "set_many", autospec=True) as set_many:
            logout_all(user)
    assert set_many.call_args.kwargs["timeout"] == 2 * 3600 + 60


# -- REVOKE_TOKEN_HASH -----------------------------------------------------------------------


def test_the_default_fingerprint_is_simplejwts_md5(user: Any) -> None:
    with jwt_settings(CHECK_REVOKE_TOKEN=True):
        token = AccessToken.for_user(user)
    assert token["hash_password"] == hashlib.md5(user.password.encode()).hexdigest().upper()
    assert token["hash_password"] == get_md5_hash_password(user.password)


def test_the_hmac_fingerprint_is_keyed_and_checked(user: Any) -> None:
    with jwt_settings(CHECK_REVOKE_TOKEN=True, REVOKE_TOKEN_HASH="hmac"):
        pair = login()
        claim = RefreshToken(pair["refresh"])["hash_password"]
        key = hashlib.sha256(
            ("ferrojwt.revocation.password_fingerprint" + settings.SECRET_KEY).encode()
        ).digest()
        assert claim == hmac.new(key, user.password.encode(), hashlib.sha256).hexdigest()
        assert claim != get_md5_hash_password(user.password)
        assert AccessToken(pair["access"])["hash_password"] == claim
        assert get("/api/whoami/", pair["access"])[0] == 200
        assert refresh(pair["refresh"])[0] == 200
        user.set_password("a new password 123")
        user.save()
        assert get("/api/whoami/", pair["access"]) == (401, PASSWORD_CHANGED)
        with override_settings(SECRET_KEY="another-secret-key-" + "k" * 40):
            assert password_fingerprint(user.password) != claim


def test_an_unknown_fingerprint_kind_is_a_configuration_error() -> None:
    with jwt_settings(REVOKE_TOKEN_HASH="sha1"), pytest.raises(ImproperlyConfigured, match="hmac"):
        password_fingerprint("x")


def test_a_revoked_sliding_token_is_not_renewed(user: Any) -> None:
    # Renewing a revoked sliding token would mint one with a fresh iat that passes the
    # user's marker: the sliding refresh view checks revocation as the pair one does.
    # Without the blacklist's checks (as when the app is not installed), revocation is the
    # only thing refusing the token.
    sliding = {**REVOCATION, "AUTH_TOKEN_CLASSES": ("ferrojwt.tokens.SlidingToken",)}
    with jwt_settings(**sliding), mock.patch("ferrojwt.tokens.blacklist_installed", lambda: False):
        with freeze_time("2030-01-01 10:00:00"):
            reply = APIClient().post(
                "/api/token/sliding/", {"username": "alice", "password": PASSWORD}
            )
            token = reply.json()["token"]
            assert get("/api/whoami/", token)[0] == 200
        with freeze_time("2030-01-01 10:00:05"):
            logout_all(user)
        with freeze_time("2030-01-01 10:00:10"):
            assert get("/api/whoami/", token) == (401, REVOKED)
            renewed = APIClient().post("/api/token/sliding/refresh/", {"token": token})
            assert (renewed.status_code, renewed.json()) == (401, REVOKED)


def test_the_verify_view_does_not_report_a_revoked_token_valid(user: Any) -> None:
    with jwt_settings(**REVOCATION):
        with freeze_time("2030-01-01 10:00:00"):
            pair = login()
            verified = APIClient().post("/api/token/verify/", {"token": pair["access"]})
            assert (verified.status_code, verified.json()) == (200, {})
        with freeze_time("2030-01-01 10:00:05"):
            logout_all(user)
        with freeze_time("2030-01-01 10:00:10"):
            for token in (pair["access"], pair["refresh"]):
                verified = APIClient().post("/api/token/verify/", {"token": token})
                assert (verified.status_code, verified.json()) == (401, REVOKED)


@override_settings(CACHES=BROKEN_CACHES)
def test_logout_all_says_so_when_access_tokens_cannot_be_revoked(user: Any) -> None:
    # The cache is down: the refresh tokens are blacklisted (the database part), but the
    # access tokens cannot be refused, and the answer must not claim they are.
    with jwt_settings(**REVOCATION, REVOCATION_CACHE="down", REVOCATION_FAIL_OPEN=True):
        pair = login()
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
        reply = client.post("/api/logout/all/")
        assert reply.status_code == 503
        assert reply.json() == {
            "detail": "The sessions were revoked, but access tokens already issued stay valid "
            "until they expire: the revocation cache could not be reached.",
            "code": "revocation_unavailable",
        }
        assert refresh(pair["refresh"]) == (401, BLACKLISTED)
        # From code, without asking, it stays a count (the failure is logged).
        assert logout_all(user) == 0
