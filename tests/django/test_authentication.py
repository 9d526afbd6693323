"""ferrojwt.authentication, including a side-by-side table against simplejwt's classes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import hypothesis
import pytest
import rest_framework_simplejwt.authentication as reference
from ferrojwt.authentication import (
    JWTAuthentication,
    JWTStatelessUserAuthentication,
    JWTTokenUserAuthentication,
    default_user_authentication_rule,
)
from ferrojwt.exceptions import AuthenticationFailed, InvalidToken
from ferrojwt.models import TokenUser
from ferrojwt.state import get_token_backend
from ferrojwt.tokens import AccessToken, RefreshToken, SlidingToken
from freezegun import freeze_time
from hypothesis import strategies as st
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.views import exception_handler
from testproject.testing import jwt_settings

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
factory = APIRequestFactory()


def request_with(header: str | None, name: str = "HTTP_AUTHORIZATION") -> Request:
    extra = {} if header is None else {name: header}
    return Request(factory.get("/", **extra))


def outcome(auth: Any, request: Request) -> Any:
    """What an authentication class did: None, (user pk, claims) or (status, JSON body)."""
    try:
        result = auth.authenticate(request)
    except Exception as e:
        response = exception_handler(e, {})
        assert response is not None, f"not an API exception: {e!r}"
        return ("error", response.status_code, response.data)
    if result is None:
        return None
    user, token = result
    return ("ok", str(user.pk), token.payload)


@pytest.fixture
def users(make_user: Any) -> dict[str, Any]:
    return {"active": make_user("alice"), "inactive": make_user("bob", is_active=False)}


@freeze_time(NOW)
def header_table(users: dict[str, Any]) -> list[tuple[str, str | None]]:
    active = users["active"]
    expired = AccessToken.for_user(active)
    expired.set_exp(from_time=NOW - timedelta(hours=1))
    anonymous = AccessToken()
    ghost = AccessToken()
    ghost["user_id"] = "999999"
    return [
        ("no header", None),
        ("empty", ""),
        ("other scheme", "Basic dXNlcjpwYXNz"),
        ("type only", "Bearer"),
        ("three parts", "Bearer a b"),
        ("garbage", "Bearer garbage"),
        ("valid", f"Bearer {AccessToken.for_user(active)}"),
        ("refresh token", f"Bearer {RefreshToken.for_user(active)}"),
        ("sliding token", f"Bearer {SlidingToken.for_user(active)}"),
        ("expired", f"Bearer {expired}"),
        ("no user claim", f"Bearer {anonymous}"),
        ("unknown user", f"Bearer {ghost}"),
        ("inactive user", f"Bearer {AccessToken.for_user(users['inactive'])}"),
        ("lower-case type", f"bearer {AccessToken.for_user(active)}"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("stateless", [False, True])
def test_same_outcome_as_simplejwt_for_every_header(users: dict[str, Any], stateless: bool) -> None:
    ours = JWTStatelessUserAuthentication() if stateless else JWTAuthentication()
    theirs = (
        reference.JWTStatelessUserAuthentication() if stateless else reference.JWTAuthentication()
    )
    with freeze_time(NOW + timedelta(seconds=1)):
        table = header_table(users)
        for label, header in table:
            request = request_with(header)
            assert outcome(ours, request) == outcome(theirs, request), label


@pytest.mark.django_db
def test_exact_error_bodies(users: dict[str, Any]) -> None:
    auth = JWTAuthentication()
    with freeze_time(NOW + timedelta(seconds=1)):
        results = {label: outcome(auth, request_with(h)) for label, h in header_table(users)}
    assert results["no header"] is None
    assert results["empty"] is None
    assert results["other scheme"] is None
    assert results["lower-case type"] is None
    assert results["type only"] == (
        "error",
        401,
        {
            "detail": "Authorization header must contain two space-delimited values",
            "code": "bad_authorization_header",
        },
    )
    assert results["three parts"] == results["type only"]

    def invalid(message: str) -> tuple[str, int, dict[str, Any]]:
        return (
            "error",
            401,
            {
                "detail": "Given token not valid for any token type",
                "code": "token_not_valid",
                "messages": [
                    {"token_class": "AccessToken", "token_type": "access", "message": message}
                ],
            },
        )

    assert results["garbage"] == invalid("Token is invalid")
    assert results["refresh token"] == invalid("Token has wrong type")
    assert results["sliding token"] == invalid("Token has wrong type")
    assert results["expired"] == invalid("Token is expired")
    assert results["no user claim"] == (
        "error",
        401,
        {
            "detail": "Token contained no recognizable user identification",
            "code": "token_not_valid",
        },
    )
    assert results["unknown user"] == (
        "error",
        401,
        {"detail": "User not found", "code": "user_not_found"},
    )
    assert results["inactive user"] == (
        "error",
        401,
        {"detail": "User is inactive", "code": "user_inactive"},
    )
    kind, pk, claims = results["valid"]
    assert (kind, pk, claims["user_id"]) == ("ok", str(users["active"].pk), str(users["active"].pk))


def test_authenticate_header() -> None:
    assert JWTAuthentication().authenticate_header(request_with(None)) == 'Bearer realm="api"'
    with jwt_settings(AUTH_HEADER_TYPES=("JWT", "Bearer")):
        assert JWTAuthentication().authenticate_header(request_with(None)) == 'JWT realm="api"'

    class Realm(JWTAuthentication):
        www_authenticate_realm = "internal"

    assert Realm().authenticate_header(request_with(None)) == 'Bearer realm="internal"'


def test_get_header_encodes_str_and_reads_the_configured_name() -> None:
    auth = JWTAuthentication()
    assert auth.get_header(request_with("Bearer x")) == b"Bearer x"
    assert auth.get_header(request_with(None)) is None
    with jwt_settings(AUTH_HEADER_NAME="HTTP_X_ACCESS_TOKEN"):
        assert auth.get_header(request_with("Bearer y", "HTTP_X_ACCESS_TOKEN")) == b"Bearer y"
        assert auth.get_header(request_with("Bearer y")) is None


@pytest.mark.parametrize(
    ("header", "types", "expected"),
    [
        (b"Bearer abc", ("Bearer",), b"abc"),
        (b"JWT abc", ("Bearer", "JWT"), b"abc"),
        (b"JWT abc", "JWT", b"abc"),
        (b"JWT abc", ("Bearer",), None),
        (b"", ("Bearer",), None),
        (b"   ", ("Bearer",), None),
        (b"Bearer   abc  ", ("Bearer",), b"abc"),
        # Split as bytes.split() splits: on ASCII whitespace only.
        (b"\tBearer\r\n\x0b\x0cabc\t", ("Bearer",), b"abc"),
        (b"Bearer\x1cabc", ("Bearer",), None),
        (b"Bearer\xa0abc", ("Bearer",), None),
        (b"bearer abc", ("Bearer",), None),
        # A str header is never of the (bytes) types.
        ("Bearer abc", ("Bearer",), None),
    ],
)
def test_get_raw_token(header: bytes, types: Any, expected: bytes | None) -> None:
    with jwt_settings(AUTH_HEADER_TYPES=types):
        assert JWTAuthentication().get_raw_token(header) == expected


#: Bytes a header is made of here: whitespace of each kind, control bytes that are not
#: whitespace, token bytes and bytes above 0x7f, so that every branch of the split is hit.
_HEADER_BYTES = b" \t\n\x0b\x0c\r\x00\x01\x1c\x1fBJab.-_=\x7f\x80\xa0\xff"


@hypothesis.settings(max_examples=3000, deadline=None)
@hypothesis.given(
    words=st.lists(
        st.binary(max_size=40).map(
            lambda b: bytes(_HEADER_BYTES[x % len(_HEADER_BYTES)] for x in b)
        ),
        max_size=4,
    ),
    seps=st.lists(
        st.sampled_from([b" ", b"\t", b"  ", b"\r\n", b"\x0b", b""]), min_size=5, max_size=5
    ),
    scheme=st.sampled_from([b"Bearer", b"JWT", b"bearer", b"Bearer\x01"]),
)
def test_header_token_splits_as_bytes_split(
    words: list[bytes], seps: list[bytes], scheme: bytes
) -> None:
    # The native split against its definition: header.split(), the first word one of the
    # types, exactly two words.
    from ferrojwt import _core

    header = (
        seps[0] + scheme + b"".join(sep + word for sep, word in zip(seps[1:], words, strict=False))
    )
    types = frozenset({b"Bearer", b"JWT"})
    parts = header.split()
    expected: Any
    if not parts or parts[0] not in types:
        expected = None
    elif len(parts) != 2:
        expected = ValueError
    else:
        expected = parts[1]
    try:
        found: Any = _core.header_token(header, types)
    except ValueError:
        found = ValueError
    assert found == expected, header


@pytest.mark.parametrize("header", [b"Bearer", b"Bearer a b", b"Bearer a b c"])
def test_get_raw_token_refuses_malformed_headers(header: bytes) -> None:
    with pytest.raises(AuthenticationFailed) as info:
        JWTAuthentication().get_raw_token(header)
    assert info.value.detail == {
        "detail": "Authorization header must contain two space-delimited values",
        "code": "bad_authorization_header",
    }
    assert info.value.status_code == 401


@pytest.mark.django_db
def test_get_validated_token_tries_each_class_in_order(user: Any) -> None:
    sliding = SlidingToken.for_user(user)
    with jwt_settings(
        AUTH_TOKEN_CLASSES=("ferrojwt.tokens.AccessToken", "ferrojwt.tokens.SlidingToken")
    ):
        validated = JWTAuthentication().get_validated_token(str(sliding).encode())
        assert type(validated) is SlidingToken
        with pytest.raises(InvalidToken) as info:
            JWTAuthentication().get_validated_token(str(RefreshToken.for_user(user)).encode())
    assert info.value.detail["messages"] == [
        {"token_class": "AccessToken", "token_type": "access", "message": "Token has wrong type"},
        {"token_class": "SlidingToken", "token_type": "sliding", "message": "Token has wrong type"},
    ]


@pytest.mark.django_db
def test_user_id_field_and_claim(user: Any) -> None:
    with jwt_settings(USER_ID_FIELD="username", USER_ID_CLAIM="sub"):
        token = AccessToken.for_user(user)
        assert JWTAuthentication().get_user(token) == user
        assert JWTStatelessUserAuthentication().get_user(token).id == "alice"


@pytest.mark.django_db
def test_inactive_user_allowed_when_not_checked(make_user: Any) -> None:
    inactive = make_user("bob", is_active=False)
    token = AccessToken.for_user(inactive)
    with jwt_settings(CHECK_USER_IS_ACTIVE=False):
        assert JWTAuthentication().get_user(token) == inactive


@pytest.mark.django_db
def test_revoke_token_on_password_change(user: Any) -> None:
    with jwt_settings(CHECK_REVOKE_TOKEN=True):
        token = AccessToken.for_user(user)
        assert JWTAuthentication().get_user(token) == user
        user.set_password("a new password")
        user.save()
        with pytest.raises(AuthenticationFailed) as info:
            JWTAuthentication().get_user(token)
        assert info.value.detail == {
            "detail": "The user's password has been changed.",
            "code": "password_changed",
        }
        # a token issued without the claim is refused too
        bare = AccessToken()
        bare["user_id"] = str(user.pk)
        with pytest.raises(AuthenticationFailed, match="password has been changed"):
            JWTAuthentication().get_user(bare)


def test_stateless_user_and_alias() -> None:
    assert JWTTokenUserAuthentication is JWTStatelessUserAuthentication
    token = AccessToken()
    token["user_id"] = "42"
    user = JWTStatelessUserAuthentication().get_user(token)
    assert isinstance(user, TokenUser)
    assert user.id == "42"
    del token["user_id"]
    with pytest.raises(InvalidToken) as info:
        JWTStatelessUserAuthentication().get_user(token)
    assert info.value.detail == {
        "detail": "Token contained no recognizable user identification",
        "code": "token_not_valid",
    }


def test_stateless_token_user_class_setting() -> None:
    token = AccessToken()
    token["user_id"] = "42"
    with jwt_settings(TOKEN_USER_CLASS="testproject.users.ClaimsUser"):
        user = JWTStatelessUserAuthentication().get_user(token)
    assert type(user).__name__ == "ClaimsUser"
    assert user.token is token


def test_stateless_authentication_needs_no_database() -> None:
    token = AccessToken()
    token["user_id"] = "42"
    result = JWTStatelessUserAuthentication().authenticate(request_with(f"Bearer {token}"))
    assert result is not None
    user, validated = result
    assert (user.id, validated["jti"]) == ("42", token["jti"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("exists", "active", "check", "expected"),
    [
        (False, True, True, False),
        (True, True, True, True),
        (True, False, True, False),
        (True, False, False, True),
    ],
)
def test_default_user_authentication_rule(
    make_user: Any, exists: bool, active: bool, check: bool, expected: bool
) -> None:
    user = make_user(is_active=active) if exists else None
    with jwt_settings(CHECK_USER_IS_ACTIVE=check):
        assert default_user_authentication_rule(user) is expected
    if check:
        # (simplejwt's rule does not see override_settings: its modules keep the
        # api_settings object they imported, which is replaced on reload)
        assert reference.default_user_authentication_rule(user) is expected


def test_custom_get_user_is_used() -> None:
    class Fixed(JWTAuthentication):
        def get_user(self, validated_token: Any) -> Any:
            return TokenUser(validated_token)

    token = AccessToken()
    token["user_id"] = "5"
    user, _ = Fixed().authenticate(request_with(f"Bearer {token}"))
    assert user.id == "5"


def test_backend_settings_apply_per_request() -> None:
    token = str(AccessToken())
    with jwt_settings(SIGNING_KEY="a-different-signing-key-of-a-decent-length-0000"):
        assert get_token_backend().signing_key.startswith("a-different")
        with pytest.raises(InvalidToken):
            JWTStatelessUserAuthentication().get_validated_token(token.encode())
