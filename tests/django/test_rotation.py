"""Atomic rotation: with ``ROTATE_REFRESH_TOKENS`` and ``BLACKLIST_AFTER_ROTATION``, consuming
a refresh token is one insert into the blacklist, decided by its unique constraint, in the
transaction that records the successor.

* sequentially: the second refresh of a token is refused, and issues nothing;
* a loser (the token consumed between its checks and its consume) is refused, issues nothing;
* a failure between consuming and issuing leaves the token unconsumed;
* concurrently, N threads on N connections: exactly one success, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from ferrojwt.exceptions import TokenBlacklistedError
from ferrojwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from ferrojwt.tokens import RefreshToken
from rest_framework.test import APIClient
from testproject.testing import HERE, PASSWORD, jwt_settings

BLACKLISTED = {"detail": "Token is blacklisted", "code": "token_not_valid"}
ROTATE = {"ROTATE_REFRESH_TOKENS": True, "BLACKLIST_AFTER_ROTATION": True}


def login(client: APIClient, username: str = "alice") -> dict[str, str]:
    reply = client.post("/api/token/", {"username": username, "password": PASSWORD})
    assert reply.status_code == 200, reply.json()
    return dict(reply.json())


def refresh(client: APIClient, token: str) -> tuple[int, Any]:
    reply = client.post("/api/token/refresh/", {"refresh": token}, format="json")
    return reply.status_code, reply.json()


@pytest.mark.django_db
def test_second_refresh_of_a_token_is_refused_and_issues_nothing(
    api_client: APIClient, user: Any
) -> None:
    with jwt_settings(**ROTATE):
        pair = login(api_client)
        status, first = refresh(api_client, pair["refresh"])
        assert status == 200 and set(first) == {"access", "refresh"}
        rows = OutstandingToken.objects.count()
        assert refresh(api_client, pair["refresh"]) == (401, BLACKLISTED)
        assert OutstandingToken.objects.count() == rows  # no successor recorded
        assert (
            BlacklistedToken.objects.filter(
                token__jti=RefreshToken(first["refresh"])["jti"]
            ).count()
            == 0
        )


@pytest.mark.django_db
def test_a_loser_of_the_race_is_refused_and_issues_nothing(
    api_client: APIClient, user: Any
) -> None:
    """The token is consumed by another request after this one's blacklist check: the
    insert of its blacklist row fails on the unique constraint, and no pair is issued."""
    with jwt_settings(**ROTATE):
        token = login(api_client)["refresh"]
        rows = OutstandingToken.objects.count()
        with mock.patch.object(RefreshToken, "check_blacklist", lambda self: None):
            RefreshToken(token).consume()  # the winner, done between check and consume
            assert refresh(api_client, token) == (401, BLACKLISTED)
        assert OutstandingToken.objects.count() == rows
        assert BlacklistedToken.objects.count() == 1


@pytest.mark.django_db
def test_consume_refuses_a_consumed_token_with_its_claims(user: Any) -> None:
    token = RefreshToken.for_user(user)
    token.consume()
    with pytest.raises(TokenBlacklistedError) as caught:
        token.consume()
    assert caught.value.args[0] == "Token is blacklisted"
    assert caught.value.payload["jti"] == token["jti"]


@pytest.mark.django_db(transaction=True)
def test_a_failure_between_consuming_and_issuing_leaves_the_token_unconsumed(
    user: Any,
) -> None:
    client = APIClient(raise_request_exception=False)
    with jwt_settings(**ROTATE):
        token = login(client)["refresh"]
        with mock.patch.object(RefreshToken, "outstand", side_effect=RuntimeError("crash")):
            assert client.post("/api/token/refresh/", {"refresh": token}).status_code == 500
        assert BlacklistedToken.objects.count() == 0  # rolled back with the failed issue
        status, body = refresh(client, token)
        assert status == 200, body
        assert refresh(client, token) == (401, BLACKLISTED)


@pytest.mark.django_db
def test_without_blacklist_after_rotation_nothing_is_consumed(
    api_client: APIClient, user: Any
) -> None:
    """simplejwt's behaviour, unchanged: rotation alone leaves the old token usable."""
    with jwt_settings(ROTATE_REFRESH_TOKENS=True):
        token = login(api_client)["refresh"]
        assert refresh(api_client, token)[0] == 200
        assert refresh(api_client, token)[0] == 200
        assert BlacklistedToken.objects.count() == 0


# -- concurrent refreshes on real connections (testproject.race in a subprocess) ---------


def race(env: dict[str, str], threads: int, rounds: int) -> list[list[list[Any]]]:
    full = dict(os.environ, **env)
    full["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    full.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "testproject.race",
            "testproject.settings",
            str(threads),
            str(rounds),
        ],
        capture_output=True,
        text=True,
        cwd=HERE,
        env=full,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0 and "@@RACE@@" in done.stdout, done.stderr[-3000:]
    return list(json.loads(done.stdout.rsplit("@@RACE@@", 1)[1]))


def test_concurrent_refreshes_on_sqlite_have_one_winner(tmp_path: Path) -> None:
    """SQLite serializes writers: a loser is refused (401) or, when its lock upgrade
    collides with the winner's, told the database is busy (503). Never a second pair."""
    rounds = race({"FERROJWT_TEST_DB": str(tmp_path / "race.sqlite3")}, threads=8, rounds=5)
    for answers in rounds:
        statuses = sorted(status for status, _body in answers)
        assert statuses.count(200) == 1, statuses
        for status, body in answers:
            if status == 401:
                assert body == BLACKLISTED
            elif status == 503:
                assert body["code"] == "database_unavailable"
            else:
                assert status == 200 and set(body) == {"access", "refresh"}


@pytest.mark.e2e
def test_concurrent_refreshes_on_postgresql_have_one_winner(
    postgres: Callable[[str], str],
) -> None:
    """PostgreSQL: every loser waits on the winner's unique-index entry, then is refused."""
    rounds = race({"FERROJWT_TEST_PG": postgres("race")}, threads=16, rounds=10)
    for answers in rounds:
        assert len(answers) == 16
        winners = [body for status, body in answers if status == 200]
        assert len(winners) == 1, [status for status, _body in answers]
        assert set(winners[0]) == {"access", "refresh"}
        assert [body for status, body in answers if status != 200] == [BLACKLISTED] * 15
