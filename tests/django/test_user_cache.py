"""The opt-in user cache of JWTAuthentication (``USER_CACHE_TTL``, ferrojwt.user_cache).

In one process, on the test project's locmem cache: what is cached, that each request gets
its own copy, that a save or delete of the user (deactivation, deletion, password change)
refuses it on the next request, that the TTL bounds what the signals cannot see, and that a
cache that fails sends every request to the database. Across processes (two gunicorn
workers on one Redis): tests/e2e/test_e2e_user_cache.py.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test import override_settings
from ferrojwt import user_cache as user_cache_module
from ferrojwt.authentication import JWTAuthentication, JWTStatelessUserAuthentication
from ferrojwt.exceptions import AuthenticationFailed
from ferrojwt.tokens import AccessToken
from ferrojwt.user_cache import (
    configured_interval,
    configured_ttl,
    connect_signals,
    invalidate_user,
    user_cache,
    version_key,
)
from rest_framework.test import APIClient
from testproject.testing import jwt_settings

TTL = timedelta(seconds=30)
WHOAMI = "/api/whoami/"


class FlakyCache(LocMemCache):
    """A locmem cache that raises, as a Redis that went away does, while ``down`` is set."""

    down = False

    def _fail(self) -> None:
        if FlakyCache.down:
            raise ConnectionError("cache down (test)")

    def get(self, *args: Any, **kwargs: Any) -> Any:
        self._fail()
        return super().get(*args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> bool:
        self._fail()
        return super().add(*args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> list[str]:
        self._fail()
        return super().set_many(*args, **kwargs)


FLAKY_CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "flaky": {"BACKEND": f"{__name__}.FlakyCache", "LOCATION": "flaky"},
}


class Clock:
    """Stands in for the cache's monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    user_cache.clear()
    user_cache._warned_at = -math.inf  # each test sees its own first warning
    caches["default"].clear()
    FlakyCache.down = False
    yield
    user_cache.clear()
    FlakyCache.down = False


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(user_cache_module, "_clock", clock)
    return clock


def client_for(user: Any, **claims: Any) -> APIClient:
    token = AccessToken.for_user(user)
    for name, value in claims.items():
        token[name] = value
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def whoami(client: APIClient) -> tuple[int, Any]:
    response = client.get(WHOAMI)
    return response.status_code, response.json()


def authenticate(user: Any) -> Any:
    """The user JWTAuthentication returns for a token of ``user``."""
    return JWTAuthentication().get_user(AccessToken.for_user(user))


INACTIVE = (401, {"detail": "User is inactive", "code": "user_inactive"})
NOT_FOUND = (401, {"detail": "User not found", "code": "user_not_found"})
PASSWORD_CHANGED = (
    401,
    {"detail": "The user's password has been changed.", "code": "password_changed"},
)
ME = {"user_class": "User", "token_type": "access"}


# --- off by default: simplejwt's behaviour ------------------------------------------


def test_off_by_default_every_request_queries(user: Any, django_assert_num_queries: Any) -> None:
    assert configured_ttl() is None
    client = client_for(user)
    for _ in range(2):
        with django_assert_num_queries(1):
            assert whoami(client)[0] == 200
    assert len(user_cache) == 0
    # and a save writes nothing to the cache framework
    user.save()
    assert caches["default"].get(version_key("auth.user", user.pk)) is None


@pytest.mark.parametrize("bad", [timedelta(0), timedelta(seconds=-1), 30, "30"])
def test_ttl_must_be_a_positive_timedelta(bad: Any) -> None:
    with jwt_settings(USER_CACHE_TTL=bad), pytest.raises(ImproperlyConfigured) as raised:
        configured_ttl()
    assert "USER_CACHE_TTL" in str(raised.value) and repr(bad) in str(raised.value)


@pytest.mark.parametrize("bad", [timedelta(seconds=-1), 1, None])
def test_check_interval_must_be_a_timedelta(bad: Any) -> None:
    assert configured_interval() == 0.0  # the default: every request
    with jwt_settings(USER_CACHE_CHECK_INTERVAL=bad), pytest.raises(ImproperlyConfigured) as raised:
        configured_interval()
    assert "USER_CACHE_CHECK_INTERVAL" in str(raised.value) and repr(bad) in str(raised.value)


# --- on: what is cached, copies -------------------------------------------------------


def test_second_request_needs_no_query(user: Any, django_assert_num_queries: Any) -> None:
    client = client_for(user)
    with jwt_settings(USER_CACHE_TTL=TTL):
        with django_assert_num_queries(1):
            assert whoami(client) == (200, {"user": str(user.pk), **ME})
        with django_assert_num_queries(0):
            assert whoami(client) == (200, {"user": str(user.pk), **ME})
    assert len(user_cache) == 1


def test_each_request_gets_its_own_copy(user: Any) -> None:
    with jwt_settings(USER_CACHE_TTL=TTL):
        first = authenticate(user)
        first.first_name = "set by request one"
        first.marker = "request one"
        second = authenticate(user)
        third = authenticate(user)
    assert first is not second and second is not third
    assert second.first_name == "" and not hasattr(second, "marker")
    # nor the related objects request one loaded or set (Django keeps them in _state)
    first._state.fields_cache["set by request one"] = object()
    assert first._state is not second._state and second._state.fields_cache == {}
    assert authenticate(user)._state.fields_cache == {}
    # a copy looks like a row loaded from the database
    assert second._state.adding is False and second._state.db == "default"
    assert second.pk == user.pk and second.password == user.password
    assert second == user  # same model, same pk


def test_mutable_values_are_copied_for_each_request(user: Any) -> None:
    # auth.User has no JSONField: put a list where a JSON value would be.
    user.first_name = ["a"]
    entry = user_cache_module._Entry(user, "k", "v", expires=1e18, ttl=1.0)
    user.first_name.append("changed after caching")
    one, two = entry.build(), entry.build()
    one.first_name.append("changed by a request")
    assert two.first_name == ["a"] and entry.build().first_name == ["a"]


def test_non_pk_user_id_field(make_user: Any, django_assert_num_queries: Any) -> None:
    user = make_user("carol")
    with jwt_settings(USER_CACHE_TTL=TTL, USER_ID_FIELD="username"):
        client = client_for(user)
        with django_assert_num_queries(2):  # the pk (key of the version), then the row
            assert whoami(client)[0] == 200
        with django_assert_num_queries(0):
            assert whoami(client)[0] == 200
        user.username = "carol2"
        user.save()
        assert whoami(client) == NOT_FOUND  # the token names the old username


def test_oldest_entries_go_first(make_user: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(user_cache, "max_entries", 2)
    users = [make_user(f"u{i}") for i in range(3)]
    with jwt_settings(USER_CACHE_TTL=TTL):
        for user in users:
            authenticate(user)
    assert sorted(str(key[2]) for key in user_cache._entries) == [str(u.pk) for u in users[1:]]


def test_only_jwtauthentication_get_user_uses_it(user: Any) -> None:
    class OwnGetUser(JWTAuthentication):
        def get_user(self, validated_token: Any) -> Any:
            return "own"

    with jwt_settings(USER_CACHE_TTL=TTL):
        assert OwnGetUser().authenticate_header  # still a JWTAuthentication
        assert OwnGetUser().get_user(AccessToken.for_user(user)) == "own"
        JWTStatelessUserAuthentication().get_user(AccessToken.for_user(user))
    assert len(user_cache) == 0


# --- invalidation by the signals -------------------------------------------------------


def test_deactivation_is_refused_on_the_next_request(user: Any) -> None:
    client = client_for(user)
    with jwt_settings(USER_CACHE_TTL=TTL):
        assert whoami(client)[0] == 200
        user.is_active = False
        user.save()
        assert whoami(client) == INACTIVE
        user.is_active = True
        user.save(update_fields=["is_active"])
        assert whoami(client)[0] == 200


def test_deletion_is_refused_on_the_next_request(user: Any) -> None:
    client = client_for(user)
    with jwt_settings(USER_CACHE_TTL=TTL):
        assert whoami(client)[0] == 200
        user.delete()
        assert whoami(client) == NOT_FOUND


def test_queryset_delete_is_refused_on_the_next_request(user: Any) -> None:
    client = client_for(user)
    with jwt_settings(USER_CACHE_TTL=TTL):
        assert whoami(client)[0] == 200
        get_user_model().objects.filter(pk=user.pk).delete()  # sends post_delete too
        assert whoami(client) == NOT_FOUND


def test_password_change_is_refused_on_the_next_request(user: Any) -> None:
    with jwt_settings(USER_CACHE_TTL=TTL, CHECK_REVOKE_TOKEN=True):
        client = client_for(user)
        assert whoami(client)[0] == 200
        user.set_password("a new password 123")
        user.save()
        assert whoami(client) == PASSWORD_CHANGED


def test_a_change_inside_a_transaction_bumps_again_after_the_commit(
    user: Any, django_capture_on_commit_callbacks: Any, django_assert_num_queries: Any
) -> None:
    User = get_user_model()
    key = version_key("auth.user", user.pk)
    cache = caches["default"]
    with jwt_settings(USER_CACHE_TTL=TTL):
        authenticate(user)
        before = cache.get(key)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with transaction.atomic():
                user.is_active = False
                user.save()
                during = cache.get(key)
                # A process reading the row before the commit caches it under `during`...
                user_cache.get_user(User, "id", user.pk, ttl=30.0, alias="default")
                assert user_cache._entries[("auth.user", "id", user.pk)].version == during
        after = cache.get(key)
    # ...so the commit bumps once more: that copy is stale on its next use.
    assert len(callbacks) == 1
    assert len({before, during, after}) == 3 and None not in {before, during, after}
    with django_assert_num_queries(1):
        user_cache.get_user(User, "id", user.pk, ttl=30.0, alias="default")


def test_a_change_right_after_the_query_is_not_cached_as_current(user: Any) -> None:
    """Another process deactivates the user between this one's query and its storing the row:
    the row is cached under the version read *before* the query, so it is stale at once."""
    client = client_for(user)
    User = get_user_model()
    done: list[str] = []

    def writer_after_the_select(execute: Any, sql: str, *args: Any) -> Any:
        result = execute(sql, *args)
        if not done and sql.lstrip().upper().startswith("SELECT") and "auth_user" in sql:
            done.append(sql)
            User.objects.filter(pk=user.pk).update(is_active=False)
            invalidate_user(user)
        return result

    with jwt_settings(USER_CACHE_TTL=TTL):
        with connection.execute_wrapper(writer_after_the_select):
            assert whoami(client)[0] == 200  # the row as it was when read
        assert done
        assert whoami(client) == INACTIVE


def test_invalidate_user_for_changes_the_signals_miss(user: Any, clock: Clock) -> None:
    client = client_for(user)
    with jwt_settings(USER_CACHE_TTL=TTL):
        assert whoami(client)[0] == 200
        get_user_model().objects.filter(pk=user.pk).update(is_active=False)  # no signal
        assert whoami(client)[0] == 200  # the documented window: until the TTL...
        invalidate_user(user)  # ...or an explicit invalidation
        assert whoami(client) == INACTIVE


def test_the_ttl_bounds_what_no_signal_reports(user: Any, clock: Clock) -> None:
    client = client_for(user)
    with jwt_settings(USER_CACHE_TTL=TTL):
        assert whoami(client)[0] == 200
        get_user_model().objects.filter(pk=user.pk).update(is_active=False)
        clock.now += TTL.total_seconds() - 0.001
        assert whoami(client)[0] == 200
        clock.now += 0.001
        assert whoami(client) == INACTIVE


def test_a_check_interval_bounds_a_signalled_change(
    user: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    real_get = LocMemCache.get

    def counting_get(self: LocMemCache, key: str, *args: Any, **kwargs: Any) -> Any:
        reads.append(key)
        return real_get(self, key, *args, **kwargs)

    monkeypatch.setattr(LocMemCache, "get", counting_get)
    client = client_for(user)
    with jwt_settings(USER_CACHE_TTL=TTL, USER_CACHE_CHECK_INTERVAL=timedelta(seconds=2)):
        assert whoami(client)[0] == 200
        loaded = len(reads)
        clock.now += 1.9
        assert whoami(client)[0] == 200
        assert len(reads) == loaded  # within the interval: the version is not read
        user.is_active = False
        user.save()
        assert whoami(client)[0] == 200  # the interval is the window of a signalled change
        clock.now += 0.1
        assert whoami(client) == INACTIVE


def test_an_evicted_version_matches_nothing(user: Any, django_assert_num_queries: Any) -> None:
    client = client_for(user)
    with jwt_settings(USER_CACHE_TTL=TTL):
        whoami(client)
        caches["default"].clear()  # a restarted Redis, an eviction
        get_user_model().objects.filter(pk=user.pk).update(is_active=False)
        with django_assert_num_queries(1):
            assert whoami(client) == INACTIVE


def test_checks_run_on_every_cached_request(user: Any) -> None:
    with jwt_settings(USER_CACHE_TTL=TTL, CHECK_REVOKE_TOKEN=True):
        token = AccessToken.for_user(user)
        JWTAuthentication().get_user(token)  # cached
        token["hash_password"] = "not the user's"
        with pytest.raises(AuthenticationFailed) as raised:
            JWTAuthentication().get_user(token)
    assert raised.value.detail == PASSWORD_CHANGED[1]


def test_the_receivers_listen_to_the_user_model_only() -> None:
    from django.contrib.sessions.models import Session
    from django.db.models.deletion import Collector
    from django.db.models.signals import post_delete, post_save

    User = get_user_model()
    with jwt_settings(USER_CACHE_TTL=timedelta(minutes=5)):
        connect_signals()
    assert post_save.has_listeners(User) and post_delete.has_listeners(User)
    # A receiver for every sender would turn off Django's fast deletes for all models.
    assert not post_delete.has_listeners(Session)
    assert Collector(using="default").can_fast_delete(Session.objects.all())


# --- a cache that fails ----------------------------------------------------------------


@override_settings(CACHES=FLAKY_CACHES)
def test_a_cache_that_fails_sends_requests_to_the_database(
    user: Any, django_assert_num_queries: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = client_for(user)
    with jwt_settings(USER_CACHE_TTL=TTL, USER_CACHE_ALIAS="flaky"):
        assert whoami(client)[0] == 200
        with django_assert_num_queries(0):
            assert whoami(client)[0] == 200  # cached while the cache answers
        FlakyCache.down = True
        with caplog.at_level(logging.WARNING, logger="ferrojwt"):
            with django_assert_num_queries(1):
                assert whoami(client)[0] == 200  # from the database, as with the cache off
            # a deactivation while the cache is down: its bump fails, yet no stale copy
            user.is_active = False
            user.save()
            assert whoami(client) == INACTIVE
        FlakyCache.down = False
        assert whoami(client) == INACTIVE  # the cache is back: the copy was dropped
    messages = [r.getMessage() for r in caplog.records]
    assert any("cache 'flaky' failed (ConnectionError" in m for m in messages), messages
    assert any("could not invalidate" in m for m in messages), messages


def test_an_unknown_alias_is_a_cache_that_fails(
    user: Any, django_assert_num_queries: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = client_for(user)
    with jwt_settings(USER_CACHE_TTL=TTL, USER_CACHE_ALIAS="no-such-cache"):
        for _ in range(2):
            with django_assert_num_queries(1):
                assert whoami(client)[0] == 200
    assert len(user_cache) == 0
    assert "cache 'no-such-cache' failed" in caplog.text


def test_with_the_cache_off_user_deletes_stay_fast() -> None:
    # A fresh process with the default settings (USER_CACHE_TTL None) and ferrojwt loaded:
    # no receiver on the user model, so Django still deletes user querysets in one query.
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import django; django.setup()\n"
        "import ferrojwt.authentication, ferrojwt.user_cache\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.db.models.signals import post_delete\n"
        "print(post_delete.has_listeners(get_user_model()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).parent,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "testproject.settings"},
    )
    assert (done.returncode, done.stdout.strip()) == (0, "False"), done.stderr
