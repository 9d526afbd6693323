"""Bad input over HTTP: every refusal is a 4xx with an exact JSON body, never a 500 or HTML."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
import pytest
from conftest import USERNAME, Stack
from e2e_http import bearer, request

pytestmark = pytest.mark.e2e

NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
TWO_VALUES = {
    "detail": "Authorization header must contain two space-delimited values",
    "code": "bad_authorization_header",
}


def not_valid(message: str) -> dict[str, Any]:
    """The body JWTAuthentication answers when the token fails `message`."""
    return {
        "detail": "Given token not valid for any token type",
        "code": "token_not_valid",
        "messages": [{"token_class": "AccessToken", "token_type": "access", "message": message}],
    }


def forge(stack: Stack, key: str | None = None, algorithm: str | None = None, **claims: Any) -> str:
    """An access token for the demo user signed with `key` (default: the server's own key).
    A claim given as None is left out."""
    now = int(time.time())
    payload = {
        "token_type": "access",
        "exp": now + 300,
        "iat": now,
        "jti": uuid.uuid4().hex,
        "user_id": "1",
        **claims,
    }
    payload = {name: value for name, value in payload.items() if value is not None}
    return jwt.encode(payload, key or stack.signing_key, algorithm=algorithm or stack.algorithm)


def tamper(token: str) -> str:
    """The same token with one byte of its signature changed."""
    head, payload, signature = token.split(".")
    flipped = "A" if signature[10] != "A" else "B"
    return f"{head}.{payload}.{signature[:10]}{flipped}{signature[11:]}"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Bearer", TWO_VALUES),
        ("Bearer a b", TWO_VALUES),
        ("Bearer  ", TWO_VALUES),  # trailing spaces are stripped: only the type is left
        ("Basic ZGVtbzpkZW1v", NOT_PROVIDED),  # another scheme: not ours, so anonymous
        ("bearer x.y.z", NOT_PROVIDED),  # the type is case-sensitive
        ("", NOT_PROVIDED),
        ("Bearer not-a-jwt", not_valid("Token is invalid")),
        ("Bearer a.b.c", not_valid("Token is invalid")),
        ("Bearer ....", not_valid("Token is invalid")),
        ("Bearer \xe9\xe8.\xff.\xe0", not_valid("Token is invalid")),
        ("Bearer " + "A" * 6000, not_valid("Token is invalid")),
    ],
    ids=[
        "type-only",
        "three-parts",
        "type-and-spaces",
        "basic",
        "lowercase-type",
        "empty",
        "not-a-jwt",
        "bad-base64",
        "dots",
        "latin1-bytes",
        "long",
    ],
)
@pytest.mark.parametrize("path", ["/api/me/", "/api/me/stateless/"])
def test_garbage_authorization_headers(
    stack: Stack, path: str, header: str, expected: dict[str, Any]
) -> None:
    reply = request(stack.base_url, "GET", path, headers={"Authorization": header})
    assert (reply.status, reply.json()) == (401, expected)


@pytest.mark.parametrize("path", ["/api/me/", "/api/me/stateless/"])
def test_refresh_token_is_not_an_access_token(
    stack: Stack, pair: dict[str, str], path: str
) -> None:
    reply = request(stack.base_url, "GET", path, headers=bearer(pair["refresh"]))
    assert (reply.status, reply.json()) == (401, not_valid("Token has wrong type"))


def _bad_tokens(stack: Stack, pair: dict[str, str]) -> dict[str, tuple[str, str]]:
    """name -> (token, simplejwt's message for it)."""
    return {
        "tampered-signature": (tamper(pair["access"]), "Token is invalid"),
        "other-key": (forge(stack, key="another-key-" * 4, algorithm="HS256"), "Token is invalid"),
        "alg-none": (jwt.encode(CLAIMS_NONE, None, algorithm="none"), "Token is invalid"),
        "expired": (forge(stack, exp=int(time.time()) - 60), "Token is expired"),
        "no-jti": (forge(stack, jti=None), "Token has no id"),
        "no-type": (forge(stack, token_type=None), "Token has no type"),
    }


CLAIMS_NONE = {"token_type": "access", "exp": 4102444800, "jti": "x" * 32, "user_id": "1"}
BAD_TOKEN_NAMES = ["tampered-signature", "other-key", "alg-none", "expired", "no-jti", "no-type"]


@pytest.mark.parametrize("name", BAD_TOKEN_NAMES)
@pytest.mark.parametrize("path", ["/api/me/", "/api/me/stateless/"])
def test_bad_tokens_are_refused(stack: Stack, pair: dict[str, str], path: str, name: str) -> None:
    token, message = _bad_tokens(stack, pair)[name]
    reply = request(stack.base_url, "GET", path, headers=bearer(token))
    assert (reply.status, reply.json()) == (401, not_valid(message))


@pytest.mark.parametrize("name", [n for n in BAD_TOKEN_NAMES if n != "no-type"])
def test_verify_refuses_bad_tokens(stack: Stack, pair: dict[str, str], name: str) -> None:
    token, message = _bad_tokens(stack, pair)[name]
    reply = request(stack.base_url, "POST", "/api/token/verify/", json_body={"token": token})
    assert (reply.status, reply.json()) == (401, {"detail": message, "code": "token_not_valid"})


def test_verify_takes_a_token_of_any_type(stack: Stack) -> None:
    """verify checks signature, expiry and blacklist, not the type (simplejwt's UntypedToken)."""
    token = forge(stack, token_type=None)
    reply = request(stack.base_url, "POST", "/api/token/verify/", json_body={"token": token})
    assert (reply.status, reply.json()) == (200, {})


def test_forged_token_with_the_right_key_is_accepted(stack: Stack) -> None:
    """The control for the table above: the forging helper itself makes valid tokens."""
    reply = request(stack.base_url, "GET", "/api/me/", headers=bearer(forge(stack)))
    assert (reply.status, reply.json()) == (200, {"id": 1, "username": USERNAME, "auth": "db"})


def test_server_issued_token_expires(short_lived_stack: Stack) -> None:
    """Access tokens that live 1 s (JWT_ACCESS_TOKEN_LIFETIME=1): refused once expired."""
    stack = short_lived_stack
    obtain = request(
        stack.base_url,
        "POST",
        "/api/token/",
        json_body={"username": USERNAME, "password": "demo-password"},
    )
    access = obtain.json()["access"]
    expires = claims_exp(access)
    while time.time() < expires + 1.5:  # exp has whole seconds: wait until it is past
        time.sleep(0.25)
    verify = request(stack.base_url, "POST", "/api/token/verify/", json_body={"token": access})
    assert (verify.status, verify.json()) == (
        401,
        {"detail": "Token is expired", "code": "token_not_valid"},
    )
    for path in ("/api/me/", "/api/me/stateless/"):
        reply = request(stack.base_url, "GET", path, headers=bearer(access))
        assert (reply.status, reply.json()) == (401, not_valid("Token is expired"))


def claims_exp(token: str) -> int:
    return int(jwt.decode(token, options={"verify_signature": False})["exp"])


@pytest.mark.parametrize(
    ("content_type", "body", "status", "expected"),
    [
        (
            "application/x-www-form-urlencoded",
            b"username=demo&password=demo-password",
            415,
            {"detail": 'Unsupported media type "application/x-www-form-urlencoded" in request.'},
        ),
        (
            "text/plain",
            b"hello",
            415,
            {"detail": 'Unsupported media type "text/plain" in request.'},
        ),
        (
            "application/json",
            b"{not json",
            400,
            {
                "detail": "JSON parse error - Expecting property name enclosed in double quotes:"
                " line 1 column 2 (char 1)"
            },
        ),
        (
            "application/json",
            b"\xff\xfe",
            400,
            {
                "detail": "JSON parse error - 'utf-8' codec can't decode byte 0xff in position 0:"
                " invalid start byte"
            },
        ),
    ],
    ids=["form", "text", "malformed-json", "not-utf8"],
)
def test_wrong_content_type_and_malformed_bodies(
    stack: Stack, content_type: str, body: bytes, status: int, expected: dict[str, Any]
) -> None:
    reply = request(
        stack.base_url, "POST", "/api/token/", body=body, headers={"Content-Type": content_type}
    )
    assert (reply.status, reply.json()) == (status, expected)


def test_oversized_body_is_refused_with_json(stack: Stack) -> None:
    """2 MiB declared: nginx (client_max_body_size 1m) or, reached directly, the app's
    BodySizeLimitMiddleware refuses it from the header, with the same JSON 413."""
    reply = request(
        stack.base_url,
        "POST",
        "/api/token/",
        headers={"Content-Type": "application/json"},
        declared_length=2 * 1024 * 1024,
    )
    assert (reply.status, reply.json()) == (
        413,
        {"detail": "Request body too large.", "code": "request_too_large"},
    )


@pytest.mark.parametrize(
    ("method", "path", "status", "expected"),
    [
        ("GET", "/nowhere", 404, {"detail": "Not found.", "code": "not_found"}),
        ("POST", "/api/token", 404, {"detail": "Not found.", "code": "not_found"}),
        ("GET", "/api/token/", 405, {"detail": 'Method "GET" not allowed.'}),
        ("DELETE", "/api/ping/", 405, {"detail": 'Method "DELETE" not allowed.'}),
    ],
)
def test_unknown_paths_and_methods(
    stack: Stack, method: str, path: str, status: int, expected: dict[str, Any]
) -> None:
    reply = request(stack.base_url, method, path)
    assert (reply.status, reply.json()) == (status, expected)


def test_unknown_host_is_a_json_400(stack: Stack) -> None:
    """ALLOWED_HOSTS: Django's SuspiciousOperation goes through handler400."""
    reply = request(stack.base_url, "GET", "/api/ping/", headers={"Host": "evil.example"})
    assert (reply.status, reply.json()) == (400, {"detail": "Bad request.", "code": "bad_request"})


def test_control_character_in_a_header_is_refused_before_django(stack: Stack) -> None:
    """A control character in a header value is malformed HTTP (RFC 9110 5.5): gunicorn's
    parser answers 400 before any Python of ours runs (through nginx, which passes it on),
    with the JSON body of the demo's gunicorn.conf.py instead of gunicorn's HTML page. No
    traceback, no 500."""
    reply = request(stack.base_url, "GET", "/api/me/", headers={"Authorization": "Bearer a\x01b"})
    assert (reply.status, reply.json()) == (
        400,
        {"detail": "Bad Request: Invalid HTTP Header: 'AUTHORIZATION'", "code": "bad_request"},
    )
