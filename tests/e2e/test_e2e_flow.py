"""The token flow over HTTP against each running deployment (see conftest.Stack)."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from conftest import PASSWORD, USERNAME, Stack
from e2e_http import bearer, request

pytestmark = pytest.mark.e2e

CLAIMS = {"token_type", "exp", "iat", "jti", "user_id"}


def claims(token: str) -> dict[str, Any]:
    """The payload, unverified: the tests look at what the server issued."""
    return jwt.decode(token, options={"verify_signature": False})


def test_obtain_pair_issues_access_and_refresh(stack: Stack) -> None:
    reply = request(
        stack.base_url,
        "POST",
        "/api/token/",
        json_body={"username": USERNAME, "password": PASSWORD},
    )
    assert reply.status == 200
    body = reply.json()
    assert set(body) == {"access", "refresh"}
    access, refresh = claims(body["access"]), claims(body["refresh"])
    assert set(access) == CLAIMS and set(refresh) == CLAIMS
    assert (access["token_type"], refresh["token_type"]) == ("access", "refresh")
    assert access["user_id"] == refresh["user_id"] == "1"
    assert access["jti"] != refresh["jti"]
    assert jwt.get_unverified_header(body["access"]) == {"alg": stack.algorithm, "typ": "JWT"}


@pytest.mark.parametrize(
    ("payload", "status", "expected"),
    [
        (
            {"username": USERNAME, "password": "wrong"},
            401,
            {"detail": "No active account found with the given credentials"},
        ),
        (
            {"username": "nobody", "password": PASSWORD},
            401,
            {"detail": "No active account found with the given credentials"},
        ),
        (
            {},
            400,
            {"username": ["This field is required."], "password": ["This field is required."]},
        ),
        ({"username": USERNAME}, 400, {"password": ["This field is required."]}),
        (
            {"username": "", "password": ""},
            400,
            {
                "username": ["This field may not be blank."],
                "password": ["This field may not be blank."],
            },
        ),
        ([1, 2], 400, {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    ],
    ids=["wrong-password", "unknown-user", "empty", "no-password", "blank", "not-an-object"],
)
def test_obtain_refuses_bad_credentials(
    stack: Stack, payload: Any, status: int, expected: dict[str, Any]
) -> None:
    reply = request(stack.base_url, "POST", "/api/token/", json_body=payload)
    assert (reply.status, reply.json()) == (status, expected)


def test_db_user_resource(stack: Stack, pair: dict[str, str]) -> None:
    reply = request(stack.base_url, "GET", "/api/me/", headers=bearer(pair["access"]))
    assert (reply.status, reply.json()) == (200, {"id": 1, "username": USERNAME, "auth": "db"})


def test_stateless_user_resource(stack: Stack, pair: dict[str, str]) -> None:
    reply = request(stack.base_url, "GET", "/api/me/stateless/", headers=bearer(pair["access"]))
    assert (reply.status, reply.json()) == (200, {"user_id": "1", "auth": "stateless"})


def test_public_view_needs_no_token(stack: Stack) -> None:
    reply = request(stack.base_url, "GET", "/api/ping/")
    assert (reply.status, reply.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize("path", ["/api/me/", "/api/me/stateless/"])
def test_resources_refuse_a_request_without_token(stack: Stack, path: str) -> None:
    reply = request(stack.base_url, "GET", path)
    assert reply.status == 401
    assert reply.json() == {"detail": "Authentication credentials were not provided."}
    assert reply.headers["www-authenticate"] == 'Bearer realm="api"'


def test_refresh_rotates_and_blacklists_the_old_token(stack: Stack, pair: dict[str, str]) -> None:
    first = request(
        stack.base_url, "POST", "/api/token/refresh/", json_body={"refresh": pair["refresh"]}
    )
    assert first.status == 200
    rotated = first.json()
    assert set(rotated) == {"access", "refresh"}
    assert rotated["refresh"] != pair["refresh"]
    assert claims(rotated["access"])["user_id"] == "1"
    # the new access token works, the old refresh token is now refused
    me = request(stack.base_url, "GET", "/api/me/", headers=bearer(rotated["access"]))
    assert me.status == 200
    again = request(
        stack.base_url, "POST", "/api/token/refresh/", json_body={"refresh": pair["refresh"]}
    )
    assert (again.status, again.json()) == (
        401,
        {"detail": "Token is blacklisted", "code": "token_not_valid"},
    )
    # and the rotated one is still good
    last = request(
        stack.base_url, "POST", "/api/token/refresh/", json_body={"refresh": rotated["refresh"]}
    )
    assert last.status == 200


def test_blacklist_logs_out(stack: Stack, pair: dict[str, str]) -> None:
    out = request(
        stack.base_url, "POST", "/api/token/blacklist/", json_body={"refresh": pair["refresh"]}
    )
    assert (out.status, out.json()) == (200, {})
    for path in ("/api/token/refresh/", "/api/token/blacklist/"):
        reply = request(stack.base_url, "POST", path, json_body={"refresh": pair["refresh"]})
        assert (reply.status, reply.json()) == (
            401,
            {"detail": "Token is blacklisted", "code": "token_not_valid"},
        )


def test_blacklist_refuses_an_access_token(stack: Stack, pair: dict[str, str]) -> None:
    reply = request(
        stack.base_url, "POST", "/api/token/blacklist/", json_body={"refresh": pair["access"]}
    )
    assert (reply.status, reply.json()) == (
        401,
        {"detail": "Token has wrong type", "code": "token_not_valid"},
    )


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_verify_accepts_both_token_types(stack: Stack, pair: dict[str, str], kind: str) -> None:
    reply = request(stack.base_url, "POST", "/api/token/verify/", json_body={"token": pair[kind]})
    assert (reply.status, reply.json()) == (200, {})


def test_verify_refuses_a_blacklisted_refresh_token(stack: Stack, pair: dict[str, str]) -> None:
    out = request(
        stack.base_url, "POST", "/api/token/blacklist/", json_body={"refresh": pair["refresh"]}
    )
    assert out.status == 200
    reply = request(
        stack.base_url, "POST", "/api/token/verify/", json_body={"token": pair["refresh"]}
    )
    assert (reply.status, reply.json()) == (
        400,
        {"non_field_errors": ["Token is blacklisted"]},
    )


@pytest.mark.parametrize(
    ("path", "payload", "expected"),
    [
        ("/api/token/verify/", {}, {"token": ["This field is required."]}),
        ("/api/token/refresh/", {}, {"refresh": ["This field is required."]}),
        ("/api/token/blacklist/", {}, {"refresh": ["This field is required."]}),
        ("/api/token/verify/", {"token": ""}, {"token": ["This field may not be blank."]}),
    ],
)
def test_token_endpoints_validate_their_input(
    stack: Stack, path: str, payload: dict[str, str], expected: dict[str, Any]
) -> None:
    reply = request(stack.base_url, "POST", path, json_body=payload)
    assert (reply.status, reply.json()) == (400, expected)
