"""ferrojwt's user cache across processes: pairs of gunicorn workers, one SQLite file, one Redis.

Each pair is two gunicorn instances of one worker each (so that each worker is sure to get
its requests), with ``USER_CACHE_TTL`` on and Django's ``RedisCache`` as their cache; the
three pairs share the database and the Redis:

- ``exact``: a TTL of 5 minutes and the version read on every request
  (``USER_CACHE_CHECK_INTERVAL`` 0). No copy expires during a test, so a refusal can only
  come from the version the change bumped.
- ``interval``: the same TTL, the version read at most every ``INTERVAL`` seconds.
- ``short``: a TTL of ``SHORT_TTL`` seconds, for what no signal reports.

A user authenticates on both workers of a pair; ``QuerySet.update()`` then renames it (no
signal) and both still answer with the old name, which shows that each serves its own copy
and makes no query. A third process (``manage.py shell``, as an admin or a task would)
then deactivates, deletes or re-passwords it: the refusal, with its exact reason, comes on
the next request on each worker of ``exact``, and within ``INTERVAL`` on each of
``interval``. On ``short``, a change no signal reports is served until the TTL and refused
from then on; with Redis stopped, every request is answered from the database.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import SECRET_KEY, missing
from e2e_http import bearer, request
from stack import Gunicorn, MissingBinary, Redis, manage, project_env

pytestmark = pytest.mark.e2e

LONG_TTL = 300  # seconds: longer than any test, so no copy expires during one
SHORT_TTL = 8  # long enough for the shell that makes a change to start
INTERVAL = 2  # USER_CACHE_CHECK_INTERVAL of the "interval" pair
# What a request takes on a loaded machine, on top of the bound (the polling included).
SLACK = 1.0
PASSWORD = "cache-password-1"
INACTIVE = {"detail": "User is inactive", "code": "user_inactive"}
NOT_FOUND = {"detail": "User not found", "code": "user_not_found"}
PASSWORD_CHANGED = {"detail": "The user's password has been changed.", "code": "password_changed"}


@dataclass
class Shared:
    """What the pairs share: the database (a migrated SQLite file) and the Redis."""

    root: Path
    redis: Redis
    env: dict[str, str]
    stoppers: list[Callable[[], None]]


@dataclass
class Pair:
    env: dict[str, str]
    redis: Redis
    a: str  # base URL of the first worker
    b: str  # and of the second


@pytest.fixture(scope="module")
def shared() -> Iterator[Shared]:
    root = Path(tempfile.mkdtemp(prefix="ferrojwt-e2e-cache-"))
    stoppers: list[Callable[[], None]] = []
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
            JWT_CHECK_REVOKE_TOKEN="1",
        )
        manage(env, "migrate", "--noinput")
        yield Shared(root, redis, env, stoppers)
    finally:
        for stop in reversed(stoppers):
            stop()
        shutil.rmtree(root, ignore_errors=True)


def start_pair(shared: Shared, name: str, ttl: int, interval: int) -> Pair:
    env = {
        **shared.env,
        "JWT_USER_CACHE_TTL": str(ttl),
        "JWT_USER_CACHE_CHECK_INTERVAL": str(interval),
    }
    urls = []
    for worker in ("a", "b"):
        log = shared.root / f"gunicorn-{name}-{worker}.log"
        server = Gunicorn(env, workers=1, log=log).start()
        shared.stoppers.append(server.stop)
        urls.append(f"http://127.0.0.1:{server.port}")
    return Pair(env, shared.redis, *urls)


@pytest.fixture(scope="module")
def exact(shared: Shared) -> Pair:
    return start_pair(shared, "exact", LONG_TTL, 0)


@pytest.fixture(scope="module")
def interval(shared: Shared) -> Pair:
    return start_pair(shared, "interval", LONG_TTL, INTERVAL)


@pytest.fixture(scope="module")
def short(shared: Shared) -> Pair:
    return start_pair(shared, "short", SHORT_TTL, 0)


def shell(pair: Pair, code: str) -> None:
    """Run ``code`` in a new ``manage.py shell`` process (``User`` is the user model)."""
    prelude = "from django.contrib.auth import get_user_model; User = get_user_model(); "
    manage(pair.env, "shell", "-c", prelude + code)


def new_users(pair: Pair, *names: str) -> list[str]:
    """Create ``names`` (one shell) and return an access token of each, obtained from a."""
    shell(pair, "; ".join(f"User.objects.create_user({n!r}, password={PASSWORD!r})" for n in names))
    tokens = []
    for name in names:
        reply = request(
            pair.a, "POST", "/api/token/", json_body={"username": name, "password": PASSWORD}
        )
        assert reply.status == 200, reply.body
        tokens.append(str(reply.json()["access"]))
    return tokens


def me(base_url: str, token: str) -> tuple[int, Any]:
    reply = request(base_url, "GET", "/api/me/", headers=bearer(token))
    return reply.status, reply.json()


def warm(pair: Pair, name: str, token: str) -> float:
    """Authenticate on both workers (each caches the row); the time of the last answer."""
    for base_url in (pair.a, pair.b):
        status, body = me(base_url, token)
        assert status == 200 and body["username"] == name and body["auth"] == "db", body
    return time.monotonic()


def rename_unseen(pair: Pair, name: str, token: str) -> str:
    """Rename ``name`` with ``update()``, which no signal reports, and return the new name.

    Both workers still answer with the old name: each serves its own cached copy and makes
    no query, so a refusal that follows comes from the cache's invalidation.
    """
    renamed = f"{name}-renamed"
    shell(pair, f"User.objects.filter(username={name!r}).update(username={renamed!r})")
    for base_url in (pair.a, pair.b):
        status, body = me(base_url, token)
        assert status == 200 and body["username"] == name, body
    return renamed


def first_refusal(base_url: str, token: str, deadline: float) -> tuple[float, tuple[int, Any]]:
    """Poll ``/api/me/`` until it refuses (or ``deadline``): when, and the reply."""
    while True:
        reply = me(base_url, token)
        now = time.monotonic()
        if reply[0] != 200 or now > deadline:
            return now, reply
        time.sleep(0.05)


CHANGES = [
    ("deactivated", "u.is_active = False; u.save()", INACTIVE),
    ("deleted", "u.delete()", NOT_FOUND),
    ("repassworded", "u.set_password('another-password-2'); u.save()", PASSWORD_CHANGED),
]
CHANGE_IDS = ["deactivate", "delete", "password-change"]


@pytest.mark.parametrize(("name", "change", "refusal"), CHANGES, ids=CHANGE_IDS)
def test_a_change_is_refused_on_every_worker_at_once(
    exact: Pair, name: str, change: str, refusal: dict[str, str]
) -> None:
    (token,) = new_users(exact, name)
    warm(exact, name, token)
    renamed = rename_unseen(exact, name, token)
    shell(exact, f"u = User.objects.get(username={renamed!r}); {change}")
    # The next request on each worker is refused, with the reason. No copy has expired
    # (TTL 5 minutes): only the version the change bumped in Redis can refuse it.
    assert me(exact.a, token) == (401, refusal)
    assert me(exact.b, token) == (401, refusal)


@pytest.mark.parametrize(("name", "change", "refusal"), CHANGES, ids=CHANGE_IDS)
def test_a_change_is_refused_on_every_worker_within_the_check_interval(
    interval: Pair, name: str, change: str, refusal: dict[str, str]
) -> None:
    name = f"{name}-interval"
    (token,) = new_users(interval, name)
    warm(interval, name, token)
    renamed = rename_unseen(interval, name, token)
    shell(interval, f"u = User.objects.get(username={renamed!r}); {change}")
    changed = time.monotonic()  # the change was committed (and the version bumped) before
    for base_url in (interval.a, interval.b):
        refused_at, reply = first_refusal(base_url, token, changed + INTERVAL + SLACK)
        assert reply == (401, refusal)
        assert refused_at - changed <= INTERVAL + SLACK
        # and refused from then on
        assert me(base_url, token) == (401, refusal)


def test_each_user_gets_its_own_row(exact: Pair) -> None:
    names = ("own-row-1", "own-row-2", "own-row-3")
    tokens = new_users(exact, *names)
    ids = set()
    for _ in range(3):  # cached from the second round on
        for name, token in zip(names, tokens, strict=True):
            for base_url in (exact.a, exact.b):
                status, body = me(base_url, token)
                assert status == 200 and body["username"] == name, body
                ids.add((name, body["id"]))
    assert len(ids) == len(names)  # one id per user, the same on every request


def test_a_change_no_signal_sees_is_bounded_by_the_ttl(short: Pair) -> None:
    name = "user-update"
    (token,) = new_users(short, name)
    warmed = warm(short, name, token)
    shell(short, f"User.objects.filter(username={name!r}).update(is_active=False)")
    if time.monotonic() - warmed > SHORT_TTL - 1:
        pytest.fail(f"the shell took more than {SHORT_TTL - 1} s: the machine is too slow")
    # Both workers still serve their copy: they do not query the row...
    assert me(short.a, token)[0] == 200
    assert me(short.b, token)[0] == 200
    # ...until the TTL from before their query has passed.
    time.sleep(max(0.0, warmed + SHORT_TTL + 0.1 - time.monotonic()))
    assert me(short.a, token) == (401, INACTIVE)
    assert me(short.b, token) == (401, INACTIVE)


def test_with_redis_down_users_come_from_the_database(short: Pair) -> None:
    name = "user-redis-down"
    (token,) = new_users(short, name)
    warm(short, name, token)
    short.redis.stop()
    try:
        # No cache to check the copies against: each request loads its user.
        assert me(short.a, token)[0] == 200
        assert me(short.b, token)[0] == 200
        # A change while Redis is down (its invalidation fails) is refused all the same.
        shell(short, f"u = User.objects.get(username={name!r}); u.is_active = False; u.save()")
        assert me(short.a, token) == (401, INACTIVE)
        assert me(short.b, token) == (401, INACTIVE)
    finally:
        short.redis.start()  # empty: every version is gone, so every copy is stale
    shell(short, f"User.objects.filter(username={name!r}).update(is_active=True)")
    assert me(short.a, token)[0] == 200
    assert me(short.b, token)[0] == 200
