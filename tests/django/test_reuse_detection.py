"""Token families and refresh-token reuse detection (ferrojwt.rotation).

Off by default: tokens carry no family claim and no family row is written. With
``TOKEN_FAMILIES``, a login starts a family (client recorded) that its refresh tokens and
their access tokens name. With ``REFRESH_TOKEN_REUSE_DETECTION``, replaying a rotated token
revokes its family: the family's newest refresh token is refused from then on; a replay within
``REFRESH_TOKEN_REUSE_GRACE`` is refused without revoking anything.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from ferrojwt.signals import refresh_token_reused
from ferrojwt.token_blacklist.models import BlacklistedToken, TokenFamily
from ferrojwt.tokens import AccessToken, RefreshToken
from freezegun import freeze_time
from rest_framework.test import APIClient
from testproject.testing import PASSWORD, jwt_settings

pytestmark = pytest.mark.django_db

BLACKLISTED = {"detail": "Token is blacklisted", "code": "token_not_valid"}
FAMILY_REVOKED = {"detail": "Token family has been revoked", "code": "token_not_valid"}
ROTATE = {"ROTATE_REFRESH_TOKENS": True, "BLACKLIST_AFTER_ROTATION": True}
DETECT = {**ROTATE, "REFRESH_TOKEN_REUSE_DETECTION": True}
BROWSER = {"HTTP_USER_AGENT": "Firefox/140 (test)", "REMOTE_ADDR": "203.0.113.7"}


def login(client: APIClient, **meta: str) -> dict[str, str]:
    reply = client.post("/api/token/", {"username": "alice", "password": PASSWORD}, **meta)
    assert reply.status_code == 200, reply.json()
    return dict(reply.json())


def refresh(client: APIClient, token: str) -> tuple[int, Any]:
    reply = client.post("/api/token/refresh/", {"refresh": token}, format="json")
    return reply.status_code, reply.json()


@pytest.fixture
def received() -> Any:
    events: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        events.append({"sender": sender, **kwargs})

    refresh_token_reused.connect(receiver)
    yield events
    refresh_token_reused.disconnect(receiver)


def test_off_by_default_tokens_carry_no_family(api_client: APIClient, user: Any) -> None:
    with jwt_settings(**ROTATE):
        pair = login(api_client)
        status, rotated = refresh(api_client, pair["refresh"])
    assert status == 200
    for token in (pair["refresh"], rotated["refresh"]):
        assert "fam" not in RefreshToken(token, verify=False).payload
    assert "fam" not in AccessToken(pair["access"]).payload
    assert TokenFamily.objects.count() == 0
    # and a replay is a plain 401, nothing else happens
    with jwt_settings(**ROTATE):
        assert refresh(api_client, pair["refresh"]) == (401, BLACKLISTED)
        assert refresh(api_client, rotated["refresh"])[0] == 200


def test_a_login_starts_a_family_that_its_tokens_name(api_client: APIClient, user: Any) -> None:
    with jwt_settings(**ROTATE, TOKEN_FAMILIES=True):
        pair = login(api_client, **BROWSER)
        fam = RefreshToken(pair["refresh"])["fam"]
        assert AccessToken(pair["access"])["fam"] == fam
        family = TokenFamily.objects.get()
        assert family.pk == fam and family.user == user
        assert (family.user_agent, family.ip_address) == ("Firefox/140 (test)", "203.0.113.7")
        assert family.current_jti == RefreshToken(pair["refresh"])["jti"]
        assert family.last_refreshed_at is None
        status, rotated = refresh(api_client, pair["refresh"])
        assert status == 200
        new = RefreshToken(rotated["refresh"])
        assert new["fam"] == fam and AccessToken(rotated["access"])["fam"] == fam
        family.refresh_from_db()
        assert family.current_jti == new["jti"]
        assert family.last_refreshed_at is not None
        assert family.expires_at.timestamp() == new["exp"]
        # A second login is a second family.
        other = login(api_client)
        assert RefreshToken(other["refresh"])["fam"] != fam
        assert TokenFamily.objects.count() == 2


def test_replay_of_a_rotated_token_revokes_the_family(
    api_client: APIClient, user: Any, received: list[dict[str, Any]], caplog: Any
) -> None:
    with jwt_settings(**DETECT):
        first = login(api_client)["refresh"]
        status, body = refresh(api_client, first)
        assert status == 200
        second = body["refresh"]
        caplog.set_level(logging.WARNING, logger="ferrojwt")
        assert refresh(api_client, first) == (401, BLACKLISTED)  # the replay
        family = TokenFamily.objects.get()
        assert family.revoked_at is not None and family.revoked_reason == "reuse"
        # The family's newest token, never used, is refused from now on.
        assert refresh(api_client, second) == (401, BLACKLISTED)
        assert BlacklistedToken.objects.filter(token__jti=RefreshToken(second, verify=False)["jti"])
        # Another login (another family) is untouched.
        assert refresh(api_client, login(api_client)["refresh"])[0] == 200
    [event] = received  # once, though the family's tokens were refused twice
    assert event["sender"] is RefreshToken
    assert event["user"] == user and event["family"].pk == family.pk
    assert event["request"] is not None
    [record] = [r for r in caplog.records if "reuse" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        f"Refresh token reuse detected: user {user.pk}, family {family.pk} revoked"
    )
    assert first not in caplog.text and second not in caplog.text


def test_a_replay_within_the_grace_window_is_refused_without_revoking(
    api_client: APIClient, user: Any, received: list[dict[str, Any]]
) -> None:
    with jwt_settings(**DETECT, REFRESH_TOKEN_REUSE_GRACE=timedelta(seconds=30)):
        first = login(api_client)["refresh"]
        second = refresh(api_client, first)[1]["refresh"]
        assert refresh(api_client, first) == (401, BLACKLISTED)  # the retry
        assert TokenFamily.objects.get().revoked_at is None
        status, body = refresh(api_client, second)
        assert status == 200
        third = body["refresh"]
        with freeze_time(timedelta(seconds=31)):
            assert refresh(api_client, second) == (401, BLACKLISTED)  # past the window
        assert TokenFamily.objects.get().revoked_reason == "reuse"
        assert refresh(api_client, third) == (401, BLACKLISTED)
    assert len(received) == 1


def test_losing_the_race_with_reuse_detection_revokes_the_family(
    api_client: APIClient, user: Any
) -> None:
    """Two presentations of one token at once are a replay: the loser revokes the family."""
    with jwt_settings(**DETECT):
        token = login(api_client)["refresh"]
        with mock.patch.object(RefreshToken, "check_blacklist", lambda self: None):
            RefreshToken(token).consume()  # the concurrent winner
            assert refresh(api_client, token) == (401, BLACKLISTED)
        assert TokenFamily.objects.get().revoked_reason == "reuse"


def test_a_revoked_family_refuses_a_token_not_yet_blacklisted(
    api_client: APIClient, user: Any
) -> None:
    with jwt_settings(**DETECT):
        token = login(api_client)["refresh"]
        TokenFamily.objects.update(revoked_at="2030-01-01T00:00:00Z", current_jti="")
        assert refresh(api_client, token) == (401, FAMILY_REVOKED)


def test_a_token_from_before_families_starts_one(api_client: APIClient, user: Any) -> None:
    with jwt_settings(**ROTATE):
        old = login(api_client)["refresh"]
    with jwt_settings(**DETECT):
        status, body = refresh(api_client, old)
        assert status == 200
        fam = RefreshToken(body["refresh"])["fam"]
        family = TokenFamily.objects.get(pk=fam)
        assert family.user == user and family.current_jti == RefreshToken(body["refresh"])["jti"]
        assert AccessToken(body["access"])["fam"] == fam
        # Its predecessor names no family: replayed, it is refused but revokes nothing (a
        # token issued before the setting was on cannot be linked to a family).
        assert refresh(api_client, old) == (401, BLACKLISTED)
        family.refresh_from_db()
        assert family.revoked_at is None
        # The family's own tokens are linked from then on.
        newer = refresh(api_client, body["refresh"])[1]["refresh"]
        assert refresh(api_client, body["refresh"]) == (401, BLACKLISTED)
        family.refresh_from_db()
        assert family.revoked_reason == "reuse"
        assert refresh(api_client, newer) == (401, BLACKLISTED)


def test_reuse_detection_needs_rotation_with_blacklist(api_client: APIClient, user: Any) -> None:
    client = APIClient(raise_request_exception=True)
    with jwt_settings(REFRESH_TOKEN_REUSE_DETECTION=True, ROTATE_REFRESH_TOKENS=True):
        token = login(client)["refresh"]
        with pytest.raises(ImproperlyConfigured, match="BLACKLIST_AFTER_ROTATION"):
            client.post("/api/token/refresh/", {"refresh": token})
