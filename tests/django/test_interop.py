"""simplejwt and ferrojwt side by side: same HTTP behaviour, and tokens valid in both.

In one process the real simplejwt serves the same URLs (testproject.reference_urls)
with its blacklist app absent; blacklist interplay across a shared database (a
rolling deploy) runs in subprocess workers, one per package.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import rest_framework_simplejwt.authentication as ref_authentication
import rest_framework_simplejwt.tokens as ref_tokens
from django.test import override_settings
from ferrojwt.authentication import JWTAuthentication, JWTStatelessUserAuthentication
from ferrojwt.tokens import AccessToken, RefreshToken, SlidingToken
from freezegun import freeze_time
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory
from testproject.testing import FERRO_SETTINGS, PASSWORD, SIMPLEJWT_SETTINGS, run_worker

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
PAST = datetime(2020, 1, 1, tzinfo=timezone.utc)
SIDES = {"ferrojwt": "testproject.urls", "simplejwt": "testproject.reference_urls"}
TOKEN_FIELDS = ("access", "refresh", "token")


def claims_of(token: str) -> dict[str, Any]:
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def shape(body: Any) -> Any:
    """A response body with each token replaced by its claim names and type."""
    if isinstance(body, dict):
        return {
            key: (
                ("<token>", sorted(claims_of(value)), claims_of(value).get("token_type"))
                if key in TOKEN_FIELDS and isinstance(value, str) and value.count(".") == 2
                else shape(value)
            )
            for key, value in body.items()
        }
    if isinstance(body, list):
        return [shape(item) for item in body]
    return body


def call(side: str, method: str, path: str, data: Any = None, token: str | None = None) -> Any:
    client = APIClient()
    if token is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    with override_settings(ROOT_URLCONF=SIDES[side]):
        if method == "post":
            response = client.post(path, data, format="json")
        else:
            response = client.get(path)
    return response.status_code, response.json()


@pytest.fixture
def people(make_user: Callable[..., Any]) -> dict[str, Any]:
    return {"alice": make_user("alice"), "bob": make_user("bob", is_active=False)}


def scenarios(people: dict[str, Any]) -> list[tuple[str, str, str, Any, str | None]]:
    alice = people["alice"]
    with freeze_time(PAST):
        old_access = str(AccessToken.for_user(alice))
        old_refresh = str(ref_tokens.RefreshToken.for_user(alice))
    access = str(AccessToken.for_user(alice))
    refresh = str(ref_tokens.RefreshToken.for_user(alice))
    sliding = str(SlidingToken.for_user(alice))
    good = {"username": "alice", "password": PASSWORD}
    return [
        ("obtain", "post", "/api/token/", good, None),
        ("obtain wrong password", "post", "/api/token/", {**good, "password": "x"}, None),
        ("obtain inactive", "post", "/api/token/", {"username": "bob", "password": PASSWORD}, None),
        ("obtain missing", "post", "/api/token/", {}, None),
        ("obtain sliding", "post", "/api/token/sliding/", good, None),
        ("refresh", "post", "/api/token/refresh/", {"refresh": refresh}, None),
        ("refresh garbage", "post", "/api/token/refresh/", {"refresh": "a.b.c"}, None),
        ("refresh with access", "post", "/api/token/refresh/", {"refresh": access}, None),
        ("refresh expired", "post", "/api/token/refresh/", {"refresh": old_refresh}, None),
        ("refresh missing", "post", "/api/token/refresh/", {}, None),
        ("verify access", "post", "/api/token/verify/", {"token": access}, None),
        ("verify refresh", "post", "/api/token/verify/", {"token": refresh}, None),
        ("verify expired", "post", "/api/token/verify/", {"token": old_access}, None),
        ("verify garbage", "post", "/api/token/verify/", {"token": "garbage"}, None),
        ("sliding refresh", "post", "/api/token/sliding/refresh/", {"token": sliding}, None),
        ("sliding refresh wrong", "post", "/api/token/sliding/refresh/", {"token": access}, None),
        ("get not allowed", "get", "/api/token/", None, None),
        ("whoami", "get", "/api/whoami/explicit/", None, access),
        ("whoami refresh", "get", "/api/whoami/explicit/", None, refresh),
        ("whoami expired", "get", "/api/whoami/explicit/", None, old_access),
        ("whoami none", "get", "/api/whoami/explicit/", None, None),
        ("stateless", "get", "/api/whoami/stateless/", None, access),
        ("stateless sliding", "get", "/api/whoami/stateless/", None, sliding),
    ]


def test_same_status_and_body_as_simplejwt(people: dict[str, Any]) -> None:
    for label, method, path, data, token in scenarios(people):
        ours = call("ferrojwt", method, path, data, token)
        theirs = call("simplejwt", method, path, data, token)
        assert (ours[0], shape(ours[1])) == (theirs[0], shape(theirs[1])), label


def test_same_claims_as_simplejwt(people: dict[str, Any]) -> None:
    good = {"username": "alice", "password": PASSWORD}
    with freeze_time(NOW):
        _, ours = call("ferrojwt", "post", "/api/token/", good)
        _, theirs = call("simplejwt", "post", "/api/token/", good)
    for field in ("access", "refresh"):
        a, b = claims_of(ours[field]), claims_of(theirs[field])
        assert a.keys() == b.keys()
        assert {k: v for k, v in a.items() if k != "jti"} == {
            k: v for k, v in b.items() if k != "jti"
        }
        assert ours[field].split(".")[0] == theirs[field].split(".")[0]  # same header bytes


@pytest.mark.parametrize(
    ("issuer", "consumer"), [("simplejwt", "ferrojwt"), ("ferrojwt", "simplejwt")]
)
def test_tokens_issued_by_one_are_accepted_by_the_other(
    people: dict[str, Any], issuer: str, consumer: str
) -> None:
    good = {"username": "alice", "password": PASSWORD}
    status, pair = call(issuer, "post", "/api/token/", good)
    assert status == 200
    assert call(consumer, "post", "/api/token/refresh/", {"refresh": pair["refresh"]})[0] == 200
    assert call(consumer, "post", "/api/token/verify/", {"token": pair["access"]}) == (200, {})
    status, body = call(consumer, "get", "/api/whoami/explicit/", token=pair["access"])
    assert (status, body["user"]) == (200, str(people["alice"].pk))
    status, sliding = call(issuer, "post", "/api/token/sliding/", good)
    assert status == 200
    status, body = call(consumer, "post", "/api/token/sliding/refresh/", sliding)
    assert status == 200


def test_authentication_classes_accept_each_others_tokens(people: dict[str, Any]) -> None:
    alice = people["alice"]
    factory = APIRequestFactory()

    def request(token: Any) -> Request:
        return Request(factory.get("/", HTTP_AUTHORIZATION=f"Bearer {token}"))

    theirs = ref_tokens.AccessToken.for_user(alice)
    user, validated = JWTAuthentication().authenticate(request(theirs))
    assert (user, validated.payload) == (alice, theirs.payload)
    user, _ = JWTStatelessUserAuthentication().authenticate(request(theirs))
    assert user.id == str(alice.pk)

    ours = AccessToken.for_user(alice)
    user, validated = ref_authentication.JWTAuthentication().authenticate(request(ours))
    assert (user, validated.payload) == (alice, ours.payload)
    user, _ = ref_authentication.JWTStatelessUserAuthentication().authenticate(request(ours))
    assert user.id == str(alice.pk)

    # the refresh token classes agree too
    assert RefreshToken(str(ref_tokens.RefreshToken.for_user(alice)))["user_id"] == str(alice.pk)
    assert ref_tokens.RefreshToken(str(RefreshToken.for_user(alice)))["user_id"] == str(alice.pk)


@freeze_time(NOW)
def test_hmac_tokens_are_byte_identical_for_the_same_claims(people: dict[str, Any]) -> None:
    ours, theirs = AccessToken(), ref_tokens.AccessToken()
    theirs.payload = dict(ours.payload)
    assert str(ours) == str(theirs)


def test_stricter_refresh_for_a_deleted_user_is_401_not_500(people: dict[str, Any]) -> None:
    """simplejwt 5.5.1 lets User.DoesNotExist escape (HTTP 500); ferrojwt answers 401."""
    refresh = str(RefreshToken.for_user(people["alice"]))
    people["alice"].delete()
    assert call("ferrojwt", "post", "/api/token/refresh/", {"refresh": refresh}) == (
        401,
        {"detail": "No active account found for the given token."},
    )
    with pytest.raises(Exception) as info:
        call("simplejwt", "post", "/api/token/refresh/", {"refresh": refresh})
    assert type(info.value).__name__ == "DoesNotExist"


# -- a rolling deploy: both packages on one database -----------------------------------------------


@pytest.fixture
def shared_db(db_file: Path) -> Path:
    [migrate, _user] = run_worker(
        SIMPLEJWT_SETTINGS,
        db_file,
        [
            {"op": "call", "args": ["migrate"]},
            {"op": "create_user", "username": "alice", "password": PASSWORD},
        ],
    )
    assert migrate["code"] == 0
    return db_file


LOGIN = {"op": "post", "path": "/api/token/", "data": {"username": "alice", "password": PASSWORD}}
BLACKLISTED = {"detail": "Token is blacklisted", "code": "token_not_valid"}
ROTATE = {"FERROJWT_TEST_ROTATE": "1"}


def refresh_op(token: str) -> dict[str, Any]:
    return {"op": "post", "path": "/api/token/refresh/", "data": {"refresh": token}}


@pytest.mark.parametrize(
    ("old", "new"),
    [(SIMPLEJWT_SETTINGS, FERRO_SETTINGS), (FERRO_SETTINGS, SIMPLEJWT_SETTINGS)],
    ids=["simplejwt-then-ferrojwt", "ferrojwt-then-simplejwt"],
)
def test_rotation_on_one_blacklists_for_the_other(shared_db: Path, old: str, new: str) -> None:
    [login] = run_worker(old, shared_db, [LOGIN], ROTATE)
    original = login["json"]["refresh"]
    [rotated] = run_worker(new, shared_db, [refresh_op(original)], ROTATE)
    assert rotated["status"] == 200
    assert set(rotated["json"]) == {"access", "refresh"}
    # a client retrying the old refresh token on a worker of the other kind is refused
    [retry, use_new] = run_worker(
        old, shared_db, [refresh_op(original), refresh_op(rotated["json"]["refresh"])], ROTATE
    )
    assert retry == {"status": 401, "json": BLACKLISTED}
    assert use_new["status"] == 200


@pytest.mark.parametrize(
    ("issuer", "consumer"),
    [(SIMPLEJWT_SETTINGS, FERRO_SETTINGS), (FERRO_SETTINGS, SIMPLEJWT_SETTINGS)],
    ids=["blacklisted-by-simplejwt", "blacklisted-by-ferrojwt"],
)
def test_logout_on_one_is_honoured_by_the_other(
    shared_db: Path, issuer: str, consumer: str
) -> None:
    [login] = run_worker(issuer, shared_db, [LOGIN])
    pair = login["json"]
    [logout] = run_worker(
        issuer,
        shared_db,
        [{"op": "post", "path": "/api/token/blacklist/", "data": {"refresh": pair["refresh"]}}],
    )
    assert logout == {"status": 200, "json": {}}
    refused, again, access = run_worker(
        consumer,
        shared_db,
        [
            refresh_op(pair["refresh"]),
            {"op": "post", "path": "/api/token/blacklist/", "data": {"refresh": pair["refresh"]}},
            {"op": "get", "path": "/api/whoami/", "token": pair["access"]},
        ],
    )
    assert refused == {"status": 401, "json": BLACKLISTED}
    assert again == {"status": 401, "json": BLACKLISTED}
    # access tokens are stateless in both: valid until they expire
    assert access["status"] == 200
    [rows] = run_worker(
        consumer,
        shared_db,
        [{"op": "sql", "query": "SELECT COUNT(*) FROM token_blacklist_blacklistedtoken"}],
    )
    assert rows == [[1]]
