"""Refresh-token security across machines: two gunicorn instances (separate processes, two
workers each) on one PostgreSQL and one Redis, the scale-out shape (ferrojwt only).

The demo runs with JWT_REUSE_DETECTION, JWT_ACCESS_TOKEN_REVOCATION and
JWT_REVOKE_ON_PASSWORD_CHANGE, its Django cache in Redis (DJANGO_REDIS_URL). Whatever
instance revokes, the other refuses on the next request: a replay of a rotated token revokes
its family (the newest refresh token and the family's access tokens get 401), logout-all and
a password change kill every access token, a session deleted on one is dead on the other.
With Redis stopped, access tokens are refused (fail closed).
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
from stack import Gunicorn, MissingBinary, Postgres, Redis, manage, project_env

pytestmark = pytest.mark.e2e

PASSWORD = "security-password-1"
REVOKED = {"detail": "Token has been revoked", "code": "token_not_valid"}
BLACKLISTED = {"detail": "Token is blacklisted", "code": "token_not_valid"}
UNAVAILABLE = {"detail": "Token revocation status is unavailable", "code": "revocation_unavailable"}
PROTECTED = ("/api/me/", "/api/me/stateless/")


@dataclass
class TwoInstances:
    env: dict[str, str]
    redis: Redis
    a: str  # base URL of the first gunicorn instance
    b: str  # and of the second

    @property
    def both(self) -> tuple[str, str]:
        return (self.a, self.b)


@pytest.fixture(scope="module")
def two() -> Iterator[TwoInstances]:
    root = Path(tempfile.mkdtemp(prefix="ferrojwt-e2e-security-"))
    root.chmod(0o755)
    stoppers = []
    try:
        try:
            postgres = Postgres(root / "postgres").start()
            stoppers.append(postgres.stop)
            redis = Redis(root / "redis").start()
            stoppers.append(redis.stop)
        except MissingBinary as exc:
            missing(exc)
            raise
        postgres.create_database("security")
        env = project_env(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=SECRET_KEY,
            DATABASE_URL=postgres.url_for("security"),
            DJANGO_REDIS_URL=redis.url,
            DJANGO_PASSWORD_HASHER="md5",
            JWT_PACKAGE="ferrojwt",
            JWT_REUSE_DETECTION="1",
            JWT_ACCESS_TOKEN_REVOCATION="1",
            JWT_REVOKE_ON_PASSWORD_CHANGE="1",
        )
        manage(env, "migrate", "--noinput")
        urls = []
        for name in ("a", "b"):
            server = Gunicorn(env, workers=2, log=root / f"gunicorn-{name}.log").start()
            stoppers.append(server.stop)
            urls.append(f"http://127.0.0.1:{server.port}")
        yield TwoInstances(env, redis, *urls)
    finally:
        for stop in reversed(stoppers):
            stop()
        shutil.rmtree(root, ignore_errors=True)


def new_user(two: TwoInstances, name: str) -> str:
    manage(two.env, "ensure_demo_user", "--username", name, "--password", PASSWORD)
    return name


def login(base_url: str, username: str, agent: str = "e2e/1") -> dict[str, str]:
    reply = request(
        base_url,
        "POST",
        "/api/token/",
        json_body={"username": username, "password": PASSWORD},
        headers={"User-Agent": agent},
    )
    assert reply.status == 200, reply.body
    return dict(reply.json())


def refresh(base_url: str, token: str) -> tuple[int, Any]:
    reply = request(base_url, "POST", "/api/token/refresh/", json_body={"refresh": token})
    return reply.status, reply.json()


def get(base_url: str, path: str, access: str) -> tuple[int, Any]:
    reply = request(base_url, "GET", path, headers=bearer(access))
    return reply.status, reply.json()


def test_a_replay_on_one_instance_revokes_the_family_on_both(two: TwoInstances) -> None:
    user = new_user(two, "replayed")
    stolen = login(two.a, user)["refresh"]
    status, rotated = refresh(two.a, stolen)  # the legitimate client rotates on A
    assert status == 200
    other_session = login(two.b, user)
    for base in two.both:
        for path in PROTECTED:
            assert get(base, path, rotated["access"])[0] == 200
    assert refresh(two.b, stolen) == (401, BLACKLISTED)  # the thief replays on B
    for base in two.both:
        # The family's newest refresh token and its access token are dead everywhere.
        assert refresh(base, rotated["refresh"]) == (401, BLACKLISTED)
        for path in PROTECTED:
            assert get(base, path, rotated["access"]) == (401, REVOKED), (base, path)
            assert get(base, path, other_session["access"])[0] == 200  # another session
    assert refresh(two.a, other_session["refresh"])[0] == 200


def test_logout_all_on_one_instance_kills_every_token_on_both(two: TwoInstances) -> None:
    user = new_user(two, "everywhere")
    pairs = [login(two.a, user), login(two.b, user), login(two.a, user)]
    bystander = login(two.a, new_user(two, "bystander"))
    reply = request(two.b, "POST", "/api/logout/all/", headers=bearer(pairs[0]["access"]))
    assert reply.status == 204, reply.body
    for base in two.both:
        for pair in pairs:
            for path in PROTECTED:
                assert get(base, path, pair["access"]) == (401, REVOKED), (base, path)
            assert refresh(base, pair["refresh"]) == (401, BLACKLISTED)
        assert get(base, "/api/me/", bystander["access"])[0] == 200
    # Logging in again at once works (a new session, not revoked).
    again = login(two.a, user)
    for base in two.both:
        assert get(base, "/api/me/", again["access"])[0] == 200
    assert refresh(two.b, again["refresh"])[0] == 200


def test_sessions_seen_and_revoked_from_the_other_instance(two: TwoInstances) -> None:
    user = new_user(two, "sessions")
    laptop = login(two.a, user, agent="Laptop/1")
    phone = login(two.b, user, agent="Phone/2")
    status, sessions = get(two.b, "/api/sessions/", phone["access"])
    assert status == 200
    assert [(s["user_agent"], s["current"]) for s in sessions] == [
        ("Phone/2", True),
        ("Laptop/1", False),
    ]
    assert {s["ip_address"] for s in sessions} == {"127.0.0.1"}
    laptop_id = sessions[1]["id"]
    reply = request(two.b, "DELETE", f"/api/sessions/{laptop_id}/", headers=bearer(phone["access"]))
    assert reply.status == 204
    assert refresh(two.a, laptop["refresh"]) == (401, BLACKLISTED)
    for base in two.both:
        assert get(base, "/api/me/", laptop["access"]) == (401, REVOKED)
        assert get(base, "/api/me/", phone["access"])[0] == 200
    # Another user cannot see or delete these sessions.
    intruder = login(two.a, new_user(two, "intruder"))
    listed = get(two.a, "/api/sessions/", intruder["access"])[1]
    assert [s["id"] for s in listed] != [s["id"] for s in sessions]
    assert len(listed) == 1 and listed[0]["current"] is True
    phone_id = sessions[0]["id"]
    denied = request(
        two.a, "DELETE", f"/api/sessions/{phone_id}/", headers=bearer(intruder["access"])
    )
    assert (denied.status, denied.json()) == (404, {"detail": "Not found."})
    assert get(two.b, "/api/me/", phone["access"])[0] == 200


def test_a_password_change_in_another_process_kills_tokens_on_both(two: TwoInstances) -> None:
    user = new_user(two, "repassworded")
    pair = login(two.a, user)
    for base in two.both:
        assert get(base, "/api/me/", pair["access"])[0] == 200
    manage(
        two.env,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"u = get_user_model().objects.get(username={user!r}); "
        "u.set_password('another-password-2'); u.save()",
    )
    for base in two.both:
        for path in PROTECTED:
            assert get(base, path, pair["access"]) == (401, REVOKED)
        assert refresh(base, pair["refresh"]) == (401, BLACKLISTED)


def test_with_redis_down_access_tokens_are_refused(two: TwoInstances) -> None:
    """Last in the module: Redis comes back empty."""
    user = new_user(two, "cache-down")
    pair = login(two.a, user)
    two.redis.stop()
    try:
        for base in two.both:
            for path in PROTECTED:
                assert get(base, path, pair["access"]) == (401, UNAVAILABLE)
    finally:
        two.redis.start()
    deadline = time.monotonic() + 10
    while get(two.a, "/api/me/", pair["access"])[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    for base in two.both:
        assert get(base, "/api/me/", pair["access"])[0] == 200
