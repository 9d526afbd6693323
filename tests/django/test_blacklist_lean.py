"""The blacklist, leaner: flushexpiredtokens in bounded batches with progress, the index it
selects by, and ``OUTSTANDING_TOKEN_FINGERPRINT`` (a digest stored instead of the token)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ferrojwt.token_blacklist.models import BlacklistedToken, OutstandingToken, TokenFamily
from ferrojwt.tokens import RefreshToken
from freezegun import freeze_time
from rest_framework.test import APIClient
from testproject.testing import PASSWORD, jwt_settings

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 1, 10, tzinfo=timezone.utc)


def flush(*args: str) -> list[str]:
    out = StringIO()
    with freeze_time(NOW):
        call_command("flushexpiredtokens", *args, stdout=out)
    return out.getvalue().splitlines()


def test_flush_deletes_in_bounded_batches_and_prints_its_progress(user: Any) -> None:
    with jwt_settings(TOKEN_FAMILIES=True), freeze_time(NOW - timedelta(days=3)):
        expired = [RefreshToken.for_user(user) for _ in range(25)]
        for token in expired[:7]:
            token.blacklist()
    with jwt_settings(TOKEN_FAMILIES=True), freeze_time(NOW):
        live = [RefreshToken.for_user(user) for _ in range(3)]
        live[0].blacklist()
    with CaptureQueriesContext(connection) as queries:
        lines = flush("--batch-size", "10")
    assert lines == [
        "outstanding tokens: deleted 10 expired so far",
        "outstanding tokens: deleted 20 expired so far",
        "outstanding tokens: deleted 25 expired so far",
        "outstanding tokens: 25 expired deleted",
        "token families: deleted 10 expired so far",
        "token families: deleted 20 expired so far",
        "token families: deleted 25 expired so far",
        "token families: 25 expired deleted",
    ]
    assert sorted(OutstandingToken.objects.values_list("jti", flat=True)) == sorted(
        t["jti"] for t in live
    )
    assert list(BlacklistedToken.objects.values_list("token__jti", flat=True)) == [live[0]["jti"]]
    assert sorted(TokenFamily.objects.values_list("pk", flat=True)) == sorted(
        t["fam"] for t in live
    )
    # No statement deleted more than one batch: each DELETE names at most 10 ids.
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) >= 6
    assert all(sql.split(" IN (")[1].count(",") < 10 for sql in deletes), deletes


def test_flush_with_nothing_expired_and_quietly(user: Any) -> None:
    with freeze_time(NOW):
        RefreshToken.for_user(user)
    assert flush() == ["outstanding tokens: 0 expired deleted", "token families: 0 expired deleted"]
    assert flush("-v", "0") == []
    assert OutstandingToken.objects.count() == 1
    with pytest.raises(ValueError, match="batch-size"):
        flush("--batch-size", "0")


def test_the_flush_selects_expired_rows_by_the_index(user: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM token_blacklist_outstandingtoken"
            " WHERE expires_at <= %s",
            [NOW.isoformat()],
        )
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "INDEX tb_outstanding_expires" in plan, plan


def login(client: APIClient) -> dict[str, str]:
    reply = client.post("/api/token/", {"username": "alice", "password": PASSWORD})
    assert reply.status_code == 200
    return dict(reply.json())


def test_by_default_the_token_text_is_stored_as_simplejwt_does(
    api_client: APIClient, user: Any
) -> None:
    refresh = login(api_client)["refresh"]
    assert OutstandingToken.objects.get().token == refresh


def test_the_fingerprint_setting_stores_a_digest_and_changes_nothing_else(
    api_client: APIClient, user: Any
) -> None:
    with jwt_settings(
        OUTSTANDING_TOKEN_FINGERPRINT=True,
        ROTATE_REFRESH_TOKENS=True,
        BLACKLIST_AFTER_ROTATION=True,
    ):
        first = login(api_client)["refresh"]
        reply = api_client.post("/api/token/refresh/", {"refresh": first})
        assert reply.status_code == 200
        second = reply.json()["refresh"]
        stored = dict(OutstandingToken.objects.values_list("jti", "token"))
        for token in (first, second):
            digest = "sha256:" + hashlib.sha256(token.encode()).hexdigest()
            assert stored[RefreshToken(token, verify=False)["jti"]] == digest
        assert all(token not in stored.values() for token in (first, second))
        again = api_client.post("/api/token/refresh/", {"refresh": first})
        assert again.json() == {"detail": "Token is blacklisted", "code": "token_not_valid"}
        assert api_client.post("/api/token/blacklist/", {"refresh": second}).status_code == 200
        assert api_client.post("/api/token/refresh/", {"refresh": second}).status_code == 401
