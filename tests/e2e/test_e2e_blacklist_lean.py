"""The leaner blacklist from outside: the demo under gunicorn on PostgreSQL with rotation,
blacklist after rotation and JWT_OUTSTANDING_TOKEN_FINGERPRINT (ferrojwt only).

The outstanding-token table holds `sha256:<hex>` of each refresh token and never its text,
the rotated and blacklisted tokens are refused all the same; `manage.py flushexpiredtokens
--batch-size 2` prints its progress batch by batch and deletes the expired rows only (their
blacklist rows with them), after which the live tokens still work over HTTP.

Two gunicorn instances share the database: one with the demo's default lifetimes, one whose
refresh tokens live two seconds (really expired tokens to flush, not rows edited by hand).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import SECRET_KEY, missing
from e2e_http import bearer, request
from stack import DEMO_DIR, Gunicorn, MissingBinary, Postgres, manage, project_env

pytestmark = pytest.mark.e2e

USERNAME, PASSWORD = "lean", "lean-password-1"
SHORT_LIFETIME = 2  # seconds a refresh token of the short instance lives
BLACKLISTED = {"detail": "Token is blacklisted", "code": "token_not_valid"}
EXPIRED = {"detail": "Token is expired", "code": "token_not_valid"}
FINGERPRINT = re.compile(r"sha256:[0-9a-f]{64}")
OUTSTANDING = "token_blacklist_outstandingtoken"
BLACKLIST = "token_blacklist_blacklistedtoken"


@dataclass
class Lean:
    env: dict[str, str]
    postgres: Postgres
    database: str
    url: str  # the instance with the default lifetimes
    short_url: str  # the instance whose refresh tokens live SHORT_LIFETIME seconds

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1",
            port=self.postgres.port,
            user=self.postgres.user,
            password=self.postgres.password,
            dbname=self.database,
            autocommit=True,
        ) as conn:
            return conn.execute(query, params).fetchall()

    def outstanding(self) -> dict[str, str]:
        """jti -> the stored token column, every outstanding row."""
        return dict(self.sql(f"SELECT jti, token FROM {OUTSTANDING}"))

    def blacklisted(self) -> set[str]:
        rows = self.sql(
            f"SELECT o.jti FROM {BLACKLIST} b JOIN {OUTSTANDING} o ON o.id = b.token_id"
        )
        return {jti for (jti,) in rows}


@pytest.fixture(scope="module")
def lean() -> Iterator[Lean]:
    root = Path(tempfile.mkdtemp(prefix="ferrojwt-e2e-lean-"))
    root.chmod(0o755)
    stoppers = []
    try:
        try:
            postgres = Postgres(root / "postgres").start()
        except MissingBinary as exc:
            missing(exc)
            raise
        stoppers.append(postgres.stop)
        postgres.create_database("lean")
        env = project_env(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=SECRET_KEY,
            DATABASE_URL=postgres.url_for("lean"),
            DJANGO_PASSWORD_HASHER="md5",
            JWT_PACKAGE="ferrojwt",
            JWT_ROTATE_REFRESH_TOKENS="1",  # and BLACKLIST_AFTER_ROTATION
            JWT_OUTSTANDING_TOKEN_FINGERPRINT="1",
        )
        manage(env, "migrate", "--noinput")
        manage(env, "ensure_demo_user", "--username", USERNAME, "--password", PASSWORD)
        urls = []
        for name, extra in (
            ("long", {}),
            ("short", {"JWT_REFRESH_TOKEN_LIFETIME": str(SHORT_LIFETIME)}),
        ):
            server = Gunicorn({**env, **extra}, workers=2, log=root / f"{name}.log").start()
            stoppers.append(server.stop)
            urls.append(f"http://127.0.0.1:{server.port}")
        yield Lean(env, postgres, "lean", *urls)
    finally:
        for stop in reversed(stoppers):
            stop()
        shutil.rmtree(root, ignore_errors=True)


def payload(token: str) -> dict[str, Any]:
    segment = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))))


def jti(token: str) -> str:
    return str(payload(token)["jti"])


def fingerprint(token: str) -> str:
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()


def login(base_url: str) -> dict[str, str]:
    reply = request(
        base_url, "POST", "/api/token/", json_body={"username": USERNAME, "password": PASSWORD}
    )
    assert reply.status == 200, reply.body
    return dict(reply.json())


def post(base_url: str, path: str, token: str) -> tuple[int, Any]:
    reply = request(base_url, "POST", path, json_body={"refresh": token})
    return reply.status, reply.json()


def refresh(base_url: str, token: str) -> tuple[int, Any]:
    return post(base_url, "/api/token/refresh/", token)


def blacklist(base_url: str, token: str) -> tuple[int, Any]:
    return post(base_url, "/api/token/blacklist/", token)


def me(base_url: str, access: str) -> int:
    return request(base_url, "GET", "/api/me/", headers=bearer(access)).status


def flush(env: dict[str, str], *args: str) -> list[str]:
    """`manage.py flushexpiredtokens ARGS`: its printed lines."""
    cmd = [sys.executable, str(DEMO_DIR / "manage.py"), "flushexpiredtokens", *args]
    done = subprocess.run(cmd, env=env, cwd=DEMO_DIR, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_rows_hold_fingerprints_and_refused_tokens_stay_refused(lean: Lean) -> None:
    first = login(lean.url)
    status, rotated = refresh(lean.url, first["refresh"])
    assert status == 200 and set(rotated) == {"access", "refresh"}
    assert blacklist(lean.url, rotated["refresh"]) == (200, {})
    live = login(lean.url)

    rows = lean.outstanding()
    issued = (first["refresh"], rotated["refresh"], live["refresh"])
    for token in issued:
        assert rows[jti(token)] == fingerprint(token)
    assert all(FINGERPRINT.fullmatch(stored) for stored in rows.values()), rows
    texts = [*issued, first["access"], rotated["access"], live["access"]]
    dumped = " ".join(str(row) for row in lean.sql(f"SELECT * FROM {OUTSTANDING}"))
    assert not [text for text in texts if text in dumped]
    assert {jti(first["refresh"]), jti(rotated["refresh"])} <= lean.blacklisted()
    assert jti(live["refresh"]) not in lean.blacklisted()

    # Looked up by jti, refused with the reason: the rotated one and the blacklisted one.
    for token in (first["refresh"], rotated["refresh"]):
        assert refresh(lean.url, token) == (401, BLACKLISTED)
        assert blacklist(lean.url, token) == (401, BLACKLISTED)
    status, renewed = refresh(lean.url, live["refresh"])
    assert status == 200
    assert lean.outstanding()[jti(renewed["refresh"])] == fingerprint(renewed["refresh"])
    assert me(lean.url, renewed["access"]) == 200


def test_flushexpiredtokens_deletes_only_the_expired_rows_in_batches(lean: Lean) -> None:
    # Live tokens (default lifetime): one rotated, one blacklisted, one untouched.
    kept = login(lean.url)
    status, kept_rotated = refresh(lean.url, kept["refresh"])
    assert status == 200
    kept_blacklisted = login(lean.url)
    assert blacklist(lean.url, kept_blacklisted["refresh"]) == (200, {})

    # Five short-lived rows: four logins, one rotation (its old token blacklisted), one
    # blacklisted over HTTP.
    short = [login(lean.short_url) for _ in range(4)]
    status, short_rotated = refresh(lean.short_url, short[0]["refresh"])
    assert status == 200
    assert blacklist(lean.short_url, short[1]["refresh"]) == (200, {})
    expiring = [pair["refresh"] for pair in short] + [short_rotated["refresh"]]
    expiring_jtis = {jti(token) for token in expiring}
    before, blacklisted_before = lean.outstanding(), lean.blacklisted()
    assert expiring_jtis <= set(before)
    assert {jti(short[0]["refresh"]), jti(short[1]["refresh"])} <= blacklisted_before
    # Nothing else in the table expires before the flush: only these five may go.
    (others_soonest,) = lean.sql(
        f"SELECT min(expires_at) > now() + interval '1 hour' FROM {OUTSTANDING}"
        " WHERE NOT (jti = ANY(%s))",
        list(expiring_jtis),
    )[0]
    assert others_soonest is True

    wait = max(payload(token)["exp"] for token in expiring) + 1 - time.time()
    time.sleep(max(wait, 0))
    for token in expiring[2:]:
        assert refresh(lean.short_url, token) == (401, EXPIRED)

    assert flush(lean.env, "--batch-size", "2") == [
        "outstanding tokens: deleted 2 expired so far",
        "outstanding tokens: deleted 4 expired so far",
        "outstanding tokens: deleted 5 expired so far",
        "outstanding tokens: 5 expired deleted",
        "token families: 0 expired deleted",
    ]
    after = lean.outstanding()
    assert after == {key: value for key, value in before.items() if key not in expiring_jtis}
    assert lean.blacklisted() == blacklisted_before - expiring_jtis
    # Nothing left to flush: a second run deletes nothing.
    assert flush(lean.env, "--batch-size", "2") == [
        "outstanding tokens: 0 expired deleted",
        "token families: 0 expired deleted",
    ]

    # The live tokens work, the refused ones stay refused, the expired ones stay expired.
    for token in (kept["refresh"], kept_blacklisted["refresh"]):
        assert refresh(lean.url, token) == (401, BLACKLISTED)
    status, renewed = refresh(lean.url, kept_rotated["refresh"])
    assert status == 200
    assert me(lean.url, renewed["access"]) == 200
    assert me(lean.url, kept_rotated["access"]) == 200
    for token in expiring:
        assert refresh(lean.url, token) == (401, EXPIRED)
