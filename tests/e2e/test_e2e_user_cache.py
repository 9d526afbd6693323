"""ferrojwt's user cache across processes: two gunicorn instances, one SQLite file, one Redis.

Each instance runs one worker with ``USER_CACHE_TTL`` on and Django's ``RedisCache`` as its
cache. A user authenticates on both (each worker then holds its own copy of the row); a
third process (``manage.py shell``, as an admin or a task would) deactivates, deletes or
re-passwords it, and the next request on *each* worker is refused with the exact reason.
A change no signal reports (``QuerySet.update()``) is served from the copies until the TTL
and refused from then on, which also shows that the workers do serve from their cache; with
Redis stopped, every request is answered from the database.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import SECRET_KEY, missing
from e2e_http import bearer, request
from stack import Gunicorn, MissingBinary, Redis, manage, project_env

pytestmark = pytest.mark.e2e

TTL = 8  # seconds: long enough for the shell that makes a change to start
PASSWORD = "cache-password-1"
INACTIVE = {"detail": "User is inactive", "code": "user_inactive"}
NOT_FOUND = {"detail": "User not found", "code": "user_not_found"}
PASSWORD_CHANGED = {"detail": "The user's password has been changed.", "code": "password_changed"}


@dataclass
class CacheStack:
    env: dict[str, str]
    redis: Redis
    a: str  # base URL of the first instance
    b: str  # and of the second


@pytest.fixture(scope="module")
def cached() -> Iterator[CacheStack]:
    root = Path(tempfile.mkdtemp(prefix="ferrojwt-e2e-cache-"))
    stoppers = []
    try:
        try:
            redis = Redis(root / "redis").start()
        except MissingBinary as exc:
            missing(exc)
        stoppers.append(redis.stop)
        env = project_env(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=SECRET_KEY,
            DJANGO_SQLITE_PATH=str(root / "shared.sqlite3"),
            DJANGO_PASSWORD_HASHER="md5",
            DJANGO_REDIS_URL=redis.url,
            JWT_PACKAGE="ferrojwt",
            JWT_USER_CACHE_TTL=str(TTL),
            JWT_CHECK_REVOKE_TOKEN="1",
        )
        manage(env, "migrate", "--noinput")
        urls = []
        for name in ("a", "b"):
            server = Gunicorn(env, workers=1, log=root / f"gunicorn-{name}.log").start()
            stoppers.append(server.stop)
            urls.append(f"http://127.0.0.1:{server.port}")
        yield CacheStack(env, redis, *urls)
    finally:
        for stop in reversed(stoppers):
            stop()
        shutil.rmtree(root, ignore_errors=True)


def shell(stack: CacheStack, code: str) -> None:
    """Run ``code`` in a new ``manage.py shell`` process (``User`` is the user model)."""
    prelude = "from django.contrib.auth import get_user_model; User = get_user_model(); "
    manage(stack.env, "shell", "-c", prelude + code)


def new_user(stack: CacheStack, name: str) -> str:
    """Create ``name`` and return an access token obtained from instance a."""
    shell(stack, f"User.objects.create_user({name!r}, password={PASSWORD!r})")
    reply = request(
        stack.a, "POST", "/api/token/", json_body={"username": name, "password": PASSWORD}
    )
    assert reply.status == 200, reply.body
    return str(reply.json()["access"])


def me(base_url: str, token: str) -> tuple[int, Any]:
    reply = request(base_url, "GET", "/api/me/", headers=bearer(token))
    return reply.status, reply.json()


def warm(stack: CacheStack, name: str, token: str) -> float:
    """Authenticate on both instances (each caches the row); the time of the last answer."""
    for base_url in (stack.a, stack.b):
        status, body = me(base_url, token)
        assert status == 200 and body["username"] == name and body["auth"] == "db", body
    return time.monotonic()


@pytest.mark.parametrize(
    ("name", "change", "refusal"),
    [
        ("deactivated", "u.is_active = False; u.save()", INACTIVE),
        ("deleted", "u.delete()", NOT_FOUND),
        ("repassworded", "u.set_password('another-password-2'); u.save()", PASSWORD_CHANGED),
    ],
    ids=["deactivate", "delete", "password-change"],
)
def test_a_change_is_refused_on_every_worker_at_once(
    cached: CacheStack, name: str, change: str, refusal: dict[str, str]
) -> None:
    token = new_user(cached, name)
    warm(cached, name, token)
    shell(cached, f"u = User.objects.get(username={name!r}); {change}")
    # The next request on each worker, well within the TTL: no waiting for expiry.
    assert me(cached.a, token) == (401, refusal)
    assert me(cached.b, token) == (401, refusal)


def test_a_change_no_signal_sees_is_bounded_by_the_ttl(cached: CacheStack) -> None:
    name = "user-update"
    token = new_user(cached, name)
    warmed = warm(cached, name, token)
    shell(cached, f"User.objects.filter(username={name!r}).update(is_active=False)")
    if time.monotonic() - warmed > TTL - 1:
        pytest.fail(f"the shell took more than {TTL - 1} s: the machine is too slow for TTL")
    # Both workers still serve their copy: they do not query the row...
    assert me(cached.a, token)[0] == 200
    assert me(cached.b, token)[0] == 200
    # ...until the TTL from before their query has passed.
    time.sleep(max(0.0, warmed + TTL + 0.1 - time.monotonic()))
    assert me(cached.a, token) == (401, INACTIVE)
    assert me(cached.b, token) == (401, INACTIVE)


def test_with_redis_down_users_come_from_the_database(cached: CacheStack) -> None:
    name = "user-redis-down"
    token = new_user(cached, name)
    warm(cached, name, token)
    cached.redis.stop()
    try:
        # No cache to check the copies against: each request loads its user.
        assert me(cached.a, token)[0] == 200
        assert me(cached.b, token)[0] == 200
        # A change while Redis is down (its invalidation fails) is refused all the same.
        shell(cached, f"u = User.objects.get(username={name!r}); u.is_active = False; u.save()")
        assert me(cached.a, token) == (401, INACTIVE)
        assert me(cached.b, token) == (401, INACTIVE)
    finally:
        cached.redis.start()  # empty: every version is gone, so every copy is stale
    shell(cached, f"User.objects.filter(username={name!r}).update(is_active=True)")
    assert me(cached.a, token)[0] == 200
    assert me(cached.b, token)[0] == 200
