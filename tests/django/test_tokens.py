"""ferrojwt.tokens: building, verifying and extending tokens (without the blacklist app's DB)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any
from unittest import mock

import pytest
import rest_framework_simplejwt.tokens as reference
from ferrojwt import tokens
from ferrojwt.backends import TokenBackend
from ferrojwt.exceptions import ExpiredTokenError, TokenError
from ferrojwt.state import get_token_backend
from ferrojwt.tokens import AccessToken, RefreshToken, SlidingToken, Token, UntypedToken
from ferrojwt.utils import get_md5_hash_password
from freezegun import freeze_time
from testproject.testing import jwt_settings

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
EPOCH = int(NOW.timestamp())


def encode(claims: dict[str, Any]) -> str:
    return get_token_backend().encode(claims)


def claims(**overrides: Any) -> dict[str, Any]:
    base = {"token_type": "access", "exp": EPOCH + 300, "iat": EPOCH, "jti": "a" * 32}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def test_token_without_type_or_lifetime() -> None:
    with pytest.raises(TokenError) as info:
        Token()
    assert info.value.args[0] == "Cannot create token with no type or lifetime"

    class NoLifetime(Token):
        token_type = "x"

    with pytest.raises(TokenError, match="Cannot create token with no type or lifetime"):
        NoLifetime()


@freeze_time(NOW)
def test_new_access_token_claims() -> None:
    token = AccessToken()
    assert set(token.payload) == {"token_type", "exp", "iat", "jti"}
    assert token["token_type"] == "access"
    assert token["iat"] == EPOCH
    assert token["exp"] == EPOCH + 300
    assert len(token["jti"]) == 32
    int(token["jti"], 16)
    assert token.current_time == NOW
    assert token.token is None
    assert AccessToken()["jti"] != token["jti"]


@freeze_time(NOW)
def test_claim_names_follow_settings() -> None:
    with jwt_settings(TOKEN_TYPE_CLAIM="typ", JTI_CLAIM="id"):
        token = AccessToken()
        assert set(token.payload) == {"typ", "exp", "iat", "id"}
        assert AccessToken(str(token))["typ"] == "access"


@freeze_time(NOW)
def test_same_claims_as_simplejwt_for_a_user(user: Any) -> None:
    ours = RefreshToken.for_user(user)
    theirs = reference.RefreshToken.for_user(user)
    assert ours.payload.keys() == theirs.payload.keys()
    for name in ("token_type", "exp", "iat", "user_id"):
        assert ours[name] == theirs[name]
    ours_access, theirs_access = ours.access_token, theirs.access_token
    assert ours_access.payload.keys() == theirs_access.payload.keys()
    for name in ("token_type", "exp", "iat", "user_id"):
        assert ours_access[name] == theirs_access[name]


def test_mapping_protocol() -> None:
    token = AccessToken()
    token["custom"] = 1
    assert token["custom"] == 1
    assert "custom" in token
    assert token.get("custom") == 1
    assert token.get("missing") is None
    assert token.get("missing", 5) == 5
    del token["custom"]
    assert "custom" not in token
    assert repr(token) == repr(token.payload)
    with pytest.raises(KeyError):
        token["missing"]


@freeze_time(NOW)
def test_str_round_trip() -> None:
    token = AccessToken()
    token["custom"] = {"nested": [1, 2]}
    decoded = AccessToken(str(token))
    assert decoded.payload == token.payload
    assert decoded.token == str(token)
    assert AccessToken(str(token).encode()).payload == token.payload


# -- verification errors -----


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (claims(exp=None), "Token has no 'exp' claim"),
        (claims(jti=None), "Token has no id"),
        (claims(token_type=None), "Token has no type"),
        (claims(token_type="refresh"), "Token has wrong type"),
        (claims(exp="soon"), "Token is invalid"),
        (claims(exp=EPOCH - 1), "Token is expired"),
    ],
)
def test_verification_errors(payload: dict[str, Any], message: str) -> None:
    with pytest.raises(TokenError) as info:
        AccessToken(encode(payload))
    assert str(info.value.args[0]) == message


@freeze_time(NOW)
def test_expired_token_raises_expired_token_error() -> None:
    with pytest.raises(ExpiredTokenError, match="Token is expired"):
        AccessToken(encode(claims(exp=EPOCH)))


@freeze_time(NOW)
def test_bad_signature_and_garbage_are_invalid() -> None:
    other = TokenBackend("HS256", "a-different-secret-of-a-reasonable-length-000")
    for raw in (other.encode(claims()), "not.a.token", "x"):
        with pytest.raises(TokenError) as info:
            AccessToken(raw)
        assert type(info.value) is TokenError
        assert info.value.args[0] == "Token is invalid"


@freeze_time(NOW)
def test_checks_can_be_switched_off_by_settings() -> None:
    with jwt_settings(JTI_CLAIM=None, TOKEN_TYPE_CLAIM=None):
        token = AccessToken(encode(claims(jti=None, token_type=None)))
        assert "jti" not in token


@freeze_time(NOW)
def test_verify_false_skips_every_check() -> None:
    raw = encode(claims(exp=EPOCH - 100, jti=None, token_type="refresh"))
    token = AccessToken(raw, verify=False)
    assert token["token_type"] == "refresh"


@freeze_time(NOW)
def test_untyped_token_accepts_any_type() -> None:
    for token_type in ("access", "refresh", "sliding", "whatever"):
        assert UntypedToken(encode(claims(token_type=token_type)))["token_type"] == token_type
    with pytest.raises(TokenError, match="Token has no id"):
        UntypedToken(encode(claims(jti=None)))


# -- time -----


def test_expiry_boundary_with_freezegun() -> None:
    with freeze_time(NOW):
        raw = str(AccessToken())
    with freeze_time(NOW + timedelta(seconds=299)):
        assert AccessToken(raw)["exp"] == EPOCH + 300
    with freeze_time(NOW + timedelta(seconds=300)):
        with pytest.raises(ExpiredTokenError):
            AccessToken(raw)


@pytest.mark.parametrize("package", [tokens, reference], ids=["ferrojwt", "simplejwt"])
def test_patched_aware_utcnow_drives_claims_and_check_exp_not_decoding(package: Any) -> None:
    # The pattern of many projects' suites: aware_utcnow patched to another moment
    # while a token issued at the real time is verified. Decoding checks the real
    # clock (PyJWT's, for simplejwt); the claims written and check_exp follow the
    # patched one. Both packages must answer alike.
    issued = package.AccessToken()
    raw = str(issued)
    past = issued.current_time - timedelta(hours=1)
    with mock.patch.object(package, "aware_utcnow", return_value=past):
        made = package.AccessToken()
        assert made["iat"] == int(past.timestamp())
        assert made["exp"] == int(past.timestamp()) + 300
        # issued "now" by the real clock, verified an hour "earlier": not yet expired
        assert package.AccessToken(raw)["jti"] == issued["jti"]
    future = issued.current_time + timedelta(minutes=10)
    with mock.patch.object(package, "aware_utcnow", return_value=future):
        with pytest.raises(package.TokenError) as info:
            package.AccessToken(raw)
        assert str(info.value.args[0]) == "Token 'exp' claim has expired"
    # the other way round, freezegun moves both clocks
    with freeze_time(future):
        with pytest.raises(package.TokenError) as info:
            package.AccessToken(raw)
        assert str(info.value.args[0]) == "Token is expired"


def test_leeway_applies_to_check_exp() -> None:
    with freeze_time(NOW):
        token = AccessToken()
        token.set_exp("custom_exp", lifetime=timedelta(seconds=10))
    with jwt_settings(LEEWAY=5), freeze_time(NOW + timedelta(seconds=14)):
        token.current_time = tokens.aware_utcnow()
        token.check_exp("custom_exp")
    with jwt_settings(LEEWAY=5), freeze_time(NOW + timedelta(seconds=15)):
        with pytest.raises(TokenError) as info:
            token.check_exp("custom_exp", current_time=tokens.aware_utcnow())
    assert str(info.value.args[0]) == "Token 'custom_exp' claim has expired"


def test_check_exp_missing_and_non_numeric_claims() -> None:
    token = AccessToken()
    with pytest.raises(TokenError) as info:
        token.check_exp("refresh_exp")
    assert str(info.value.args[0]) == "Token has no 'refresh_exp' claim"
    token["refresh_exp"] = "tomorrow"
    with pytest.raises(TokenError) as info:
        token.check_exp("refresh_exp")
    assert info.value.args[0] == "Token is invalid"


def test_stricter_non_numeric_time_claim_is_a_token_error_not_a_crash() -> None:
    """simplejwt raises TypeError (HTTP 500) on a non-numeric custom time claim."""
    token = reference.AccessToken()
    token["refresh_exp"] = "tomorrow"
    with pytest.raises(TypeError):
        token.check_exp("refresh_exp")
    ours = AccessToken()
    ours["refresh_exp"] = "tomorrow"
    with pytest.raises(TokenError, match="Token is invalid"):
        ours.check_exp("refresh_exp")


@freeze_time(NOW)
def test_setters() -> None:
    token = AccessToken()
    token.set_exp(from_time=NOW + timedelta(hours=1))
    assert token["exp"] == EPOCH + 3600 + 300
    token.set_exp("other", lifetime=timedelta(seconds=7))
    assert token["other"] == EPOCH + 7
    token.set_iat(at_time=NOW + timedelta(seconds=3))
    assert token["iat"] == EPOCH + 3
    token.set_iat("seen")
    assert token["seen"] == EPOCH
    old = token["jti"]
    token.set_jti()
    assert token["jti"] != old
    assert token.outstand() is None


# -- for_user ---------------------------------------------------------------------------


def test_for_user(user: Any) -> None:
    token = AccessToken.for_user(user)
    assert token["user_id"] == str(user.pk)
    assert "hash_password" not in token


def test_for_user_with_custom_id_field_and_claim(user: Any) -> None:
    with jwt_settings(USER_ID_FIELD="username", USER_ID_CLAIM="sub"):
        token = AccessToken.for_user(user)
    assert token["sub"] == "alice"
    assert "user_id" not in token


def test_for_user_with_revoke_claim(user: Any) -> None:
    with jwt_settings(CHECK_REVOKE_TOKEN=True, REVOKE_TOKEN_CLAIM="pwd"):
        token = AccessToken.for_user(user)
    assert token["pwd"] == get_md5_hash_password(user.password)


def test_for_inactive_user_logs_a_warning(make_user: Any, caplog: pytest.LogCaptureFixture) -> None:
    inactive = make_user("bob", is_active=False)
    with caplog.at_level(logging.WARNING, logger="ferrojwt"):
        token = AccessToken.for_user(inactive)
    assert token["user_id"] == str(inactive.pk)
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "inactive" in caplog.records[0].getMessage()


# -- refresh / sliding -----


@freeze_time(NOW)
def test_access_token_from_refresh_token() -> None:
    refresh = RefreshToken()
    refresh["user_id"] = "7"
    refresh["custom"] = "kept"
    with freeze_time(NOW + timedelta(seconds=30)):
        access = refresh.access_token
    assert isinstance(access, AccessToken)
    assert access["token_type"] == "access"
    assert access["user_id"] == "7"
    assert access["custom"] == "kept"
    assert access["jti"] != refresh["jti"]
    # exp counts from the refresh token's creation, iat from the access token's
    assert access["exp"] == EPOCH + 300
    assert access["iat"] == EPOCH + 30
    assert refresh["exp"] == EPOCH + 86400


def test_access_token_class_and_no_copy_claims_are_overridable() -> None:
    class MyAccess(AccessToken):
        lifetime = timedelta(seconds=1)

    class MyRefresh(RefreshToken):
        access_token_class = MyAccess
        no_copy_claims = (*RefreshToken.no_copy_claims, "secret")

    refresh = MyRefresh()
    refresh["secret"] = "x"
    refresh["public"] = "y"
    access = refresh.access_token
    assert type(access) is MyAccess
    assert "secret" not in access
    assert access["public"] == "y"


@pytest.mark.django_db
def test_new_sliding_token_has_refresh_exp() -> None:
    with freeze_time(NOW):
        token = SlidingToken()
    assert token["token_type"] == "sliding"
    assert token["exp"] == EPOCH + 300
    assert token["refresh_exp"] == EPOCH + 86400
    with (
        jwt_settings(
            SLIDING_TOKEN_REFRESH_EXP_CLAIM="rexp",
            SLIDING_TOKEN_REFRESH_LIFETIME=timedelta(hours=1),
            SLIDING_TOKEN_LIFETIME=timedelta(minutes=1),
        ),
        freeze_time(NOW),
    ):
        token = SlidingToken()
        assert (token["exp"], token["rexp"]) == (EPOCH + 60, EPOCH + 3600)
        assert SlidingToken(str(token))["rexp"] == EPOCH + 3600


@pytest.mark.django_db
def test_decoded_sliding_token_keeps_its_claims() -> None:
    with freeze_time(NOW):
        raw = str(SlidingToken())
    with freeze_time(NOW + timedelta(seconds=60)):
        token = SlidingToken(raw)
    assert token["refresh_exp"] == EPOCH + 86400


# -- extension points -----


@freeze_time(NOW)
def test_verify_can_be_extended() -> None:
    class Audited(AccessToken):
        def verify(self) -> None:
            super().verify()
            if self.get("role") != "admin":
                raise TokenError("admins only")

    token = AccessToken()
    token["role"] = "user"
    with pytest.raises(TokenError, match="admins only"):
        Audited(str(token))
    token["role"] = "admin"
    assert Audited(str(token))["role"] == "admin"


@freeze_time(NOW)
def test_verify_token_type_and_check_exp_can_be_overridden() -> None:
    class AnyType(AccessToken):
        def verify_token_type(self) -> None:
            pass

    class NoExpiry(AccessToken):
        def check_exp(self, claim: str = "exp", current_time: Any = None) -> None:
            pass

    assert AnyType(encode(claims(token_type="refresh")))["token_type"] == "refresh"
    assert NoExpiry(encode(claims(exp=None)))["jti"] == "a" * 32


@freeze_time(NOW)
def test_custom_token_backend(rsa_keys: tuple[str, str]) -> None:
    backend = TokenBackend("RS256", rsa_keys[0], rsa_keys[1])

    class Signed(AccessToken):
        _token_backend = backend

    raw = str(Signed())
    assert raw.count(".") == 2
    assert Signed(raw).get_token_backend() is backend
    with pytest.raises(TokenError, match=r"^(Token is invalid|Invalid algorithm specified)$"):
        AccessToken(raw)


def test_token_backend_property_is_the_shared_backend() -> None:
    token = AccessToken()
    assert token.token_backend is get_token_backend()
    assert token.get_token_backend() is token.token_backend


def test_stricter_oversized_token_is_refused_before_parsing() -> None:
    """The native core refuses tokens over MAX_TOKEN_BYTES; simplejwt (PyJWT) parses them."""
    from ferrojwt import _core

    token = AccessToken()
    token["padding"] = "x" * _core.MAX_TOKEN_BYTES
    raw = str(token)
    assert len(raw) > _core.MAX_TOKEN_BYTES
    assert reference.AccessToken(raw)["jti"] == token["jti"]
    with pytest.raises(TokenError) as info:
        AccessToken(raw)
    assert info.value.args[0] == "Token is invalid"


@freeze_time(NOW)
def test_token_issued_in_the_future_is_invalid() -> None:
    with pytest.raises(TokenError) as info:
        AccessToken(encode(claims(iat=EPOCH + 60)))
    assert info.value.args[0] == "Token is invalid"
    with pytest.raises(Exception, match="Token is invalid"):
        reference.AccessToken(encode(claims(iat=EPOCH + 60)))
