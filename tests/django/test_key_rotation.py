"""Key rotation: SIGNING_KEY_ID and VERIFYING_KEYS, through TokenBackend, the settings and the
views. A token's kid selects its key (with that entry's algorithm); an unknown kid is refused
without trying a key; a token without kid is the current key's; the defaults change nothing.
"""

from __future__ import annotations

from typing import Any

import jwt as pyjwt
import pytest
from django.core.exceptions import ImproperlyConfigured
from ferrojwt.backends import TokenBackend
from ferrojwt.exceptions import TokenBackendError
from ferrojwt.key_rotation import UNKNOWN_KID
from ferrojwt.state import get_token_backend
from ferrojwt.tokens import AccessToken, RefreshToken
from rest_framework.test import APIClient
from testproject.testing import jwt_settings

SECRET = "the-current-hmac-secret-" + "s" * 20
OLD_SECRET = "the-retired-hmac-secret-" + "o" * 20


def header(token: str) -> dict[str, Any]:
    return pyjwt.get_unverified_header(token)


def refusal(
    backend: TokenBackend, token: str, message: str = "Token is invalid"
) -> BaseException | None:
    """Why ``backend`` refused ``token`` (the core's error behind TokenBackendError)."""
    with pytest.raises(TokenBackendError) as info:
        backend.decode(token)
    assert str(info.value) == message
    return info.value.__cause__


ALG = "Invalid algorithm specified"


@pytest.fixture
def rotated(rsa_keys: tuple[str, str], ec_keys: tuple[str, str]) -> dict[str, Any]:
    """Signing moved from RS256 (kid "rsa-1") to ES256 (kid "ec-2"); "rsa-1" still verifies."""
    old = TokenBackend("RS256", rsa_keys[0], rsa_keys[1], signing_key_id="rsa-1")
    new = TokenBackend(
        "ES256",
        ec_keys[0],
        ec_keys[1],
        signing_key_id="ec-2",
        verifying_keys=[{"kid": "rsa-1", "algorithm": "RS256", "key": rsa_keys[1]}],
    )
    dropped = TokenBackend("ES256", ec_keys[0], ec_keys[1], signing_key_id="ec-2")
    return {"old": old, "new": new, "dropped": dropped, "rsa": rsa_keys, "ec": ec_keys}


# --- signing ----------------------------------------------------------------------------


def test_by_default_tokens_carry_no_kid_and_a_kid_is_not_looked_at() -> None:
    backend = TokenBackend("HS256", SECRET)
    token = backend.encode({"a": 1})
    assert header(token) == {"alg": "HS256", "typ": "JWT"}
    # simplejwt's behaviour: a kid in someone's token changes nothing without rotation.
    with_kid = pyjwt.encode({"a": 2}, SECRET, "HS256", headers={"kid": "whatever"})
    assert backend.decode(with_kid) == {"a": 2}


def test_signing_key_id_is_the_kid_of_every_new_token(rotated: dict[str, Any]) -> None:
    assert header(rotated["old"].encode({})) == {"alg": "RS256", "kid": "rsa-1", "typ": "JWT"}
    assert header(rotated["new"].encode({}))["kid"] == "ec-2"


def test_signing_key_id_set_later_applies_to_the_next_token() -> None:
    backend = TokenBackend("HS256", SECRET)
    backend.encode({})  # the encoder is prepared without kid
    backend.signing_key_id = "hs-7"
    assert header(backend.encode({}))["kid"] == "hs-7"


# --- verifying --------------------------------------------------------------------------


def test_old_tokens_verify_during_the_window_and_new_ones_carry_the_new_kid(
    rotated: dict[str, Any],
) -> None:
    old_token = rotated["old"].encode({"who": "before"})
    new_token = rotated["new"].encode({"who": "after"})
    assert rotated["new"].decode(old_token) == {"who": "before"}
    assert rotated["new"].decode(new_token) == {"who": "after"}
    assert header(new_token)["kid"] == "ec-2"


def test_once_dropped_the_old_keys_tokens_are_refused_as_an_unknown_kid(
    rotated: dict[str, Any],
) -> None:
    old_token = rotated["old"].encode({})
    cause = refusal(rotated["dropped"], old_token)
    assert type(cause).__name__ == "InvalidTokenError"
    assert str(cause) == UNKNOWN_KID
    assert rotated["dropped"].decode(rotated["new"].encode({"ok": 1})) == {"ok": 1}


def test_an_unknown_kid_is_refused_even_when_the_current_key_signed_it(
    rotated: dict[str, Any],
) -> None:
    # No key is tried: a kid that names no key is refused before any signature check.
    forged_kid = pyjwt.encode({}, rotated["ec"][0], "ES256", headers={"kid": "nobody"})
    assert str(refusal(rotated["new"], forged_kid)) == UNKNOWN_KID


def test_the_algorithm_is_the_entrys_never_the_tokens(rotated: dict[str, Any]) -> None:
    public_pem = rotated["rsa"][1]
    # The classic confusion: HS256 "signed" with the RSA public key, naming its kid.
    forged = forge({"alg": "HS256", "kid": "rsa-1", "typ": "JWT"}, {"a": 1}, public_pem)
    cause = refusal(rotated["new"], forged, ALG)
    assert type(cause).__name__ == "InvalidAlgorithmError"
    assert str(cause) == "The specified alg value is not allowed"
    # PS256 with the same RSA key is another algorithm than the entry's RS256.
    ps = pyjwt.encode({}, rotated["rsa"][0], "PS256", headers={"kid": "rsa-1"})
    assert type(refusal(rotated["new"], ps, ALG)).__name__ == "InvalidAlgorithmError"


def forge(head: dict[str, Any], payload: dict[str, Any], secret: str) -> str:
    import base64
    import hashlib
    import hmac
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = f"{b64(json.dumps(head).encode())}.{b64(json.dumps(payload).encode())}"
    mac = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def test_a_token_without_kid_is_verified_with_the_current_key_only(
    rotated: dict[str, Any],
) -> None:
    old_no_kid = TokenBackend("RS256", rotated["rsa"][0], rotated["rsa"][1]).encode({})
    # The current key is ES256: an RS256 token without kid is not the retiring key's.
    cause = refusal(rotated["new"], old_no_kid, ALG)
    assert type(cause).__name__ == "InvalidAlgorithmError"
    current_no_kid = pyjwt.encode({"c": 1}, rotated["ec"][0], "ES256")
    assert rotated["new"].decode(current_no_kid) == {"c": 1}


def test_hmac_secrets_rotate_too() -> None:
    old = TokenBackend("HS256", OLD_SECRET, signing_key_id="hs-1")
    new = TokenBackend(
        "HS256",
        SECRET,
        signing_key_id="hs-2",
        verifying_keys=[{"kid": "hs-1", "algorithm": "HS256", "key": OLD_SECRET}],
    )
    assert new.decode(old.encode({"o": 1})) == {"o": 1}
    # The old secret verifies only tokens naming its kid: not one naming the current kid.
    wrong = pyjwt.encode({}, OLD_SECRET, "HS256", headers={"kid": "hs-2"})
    assert type(refusal(new, wrong)).__name__ == "InvalidSignatureError"


def test_a_subclass_with_its_own_verifying_key_still_selects_by_kid(
    rotated: dict[str, Any],
) -> None:
    calls: list[str] = []
    ec_public = rotated["ec"][1]

    class Custom(TokenBackend):
        def get_verifying_key(self, token: Any) -> Any:
            calls.append(token)
            return ec_public

    backend = Custom(
        "ES256",
        rotated["ec"][0],
        "",
        signing_key_id="ec-2",
        verifying_keys=[{"kid": "rsa-1", "algorithm": "RS256", "key": rotated["rsa"][1]}],
    )
    old_token = rotated["old"].encode({"old": True})
    assert backend.decode(old_token) == {"old": True}
    assert backend.decode(backend.encode({"new": True})) == {"new": True}
    assert len(calls) == 2
    assert str(refusal(backend, pyjwt.encode({}, SECRET, "HS256", headers={"kid": "x"}))) == (
        UNKNOWN_KID
    )


def test_the_simplejwt_signature_still_works_positionally(rsa_keys: tuple[str, str]) -> None:
    backend = TokenBackend("RS256", rsa_keys[0], rsa_keys[1], None, "iss-1", None, 5, None)
    assert backend.issuer == "iss-1"
    assert backend.signing_key_id is None
    assert backend.verifying_keys == ()
    assert backend.decode(backend.encode({"x": 1})) == {"x": 1, "iss": "iss-1"}


# --- VERIFYING_KEYS checked when the backend is built -----------------------------------

ENTRY = {"kid": "k1", "algorithm": "HS256", "key": OLD_SECRET}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ("k1", "VERIFYING_KEYS must be a list of {'kid': ..., 'algorithm': ..., 'key': ...} "),
        ([["k1", OLD_SECRET]], "VERIFYING_KEYS[0] must be a mapping"),
        ([{"kid": "k1", "key": OLD_SECRET}], "VERIFYING_KEYS[0] (kid 'k1') lacks 'algorithm'"),
        ([{"algorithm": "HS256", "key": OLD_SECRET}], "VERIFYING_KEYS[0] lacks 'kid'"),
        ([{"kid": "k1", "algorithm": "HS256"}], "VERIFYING_KEYS[0] (kid 'k1') lacks 'key'"),
        (
            [{**ENTRY, "alg": "HS256"}],
            "VERIFYING_KEYS[0] (kid 'k1') has unknown 'alg'",
        ),
        ([{**ENTRY, "kid": ""}], "VERIFYING_KEYS[0]: 'kid' must be a non-empty str."),
        ([ENTRY, {**ENTRY, "key": SECRET}], "VERIFYING_KEYS[1] (kid 'k1'): the kid 'k1' is used"),
        ([{**ENTRY, "kid": "current"}], "the kid 'current' is used twice (it is SIGNING_KEY_ID's)"),
        ([{**ENTRY, "algorithm": "none"}], "VERIFYING_KEYS[0] (kid 'k1'): 'algorithm' must be one"),
        ([{**ENTRY, "key": ""}], "VERIFYING_KEYS[0] (kid 'k1'): its 'key' is not a HS256 key"),
    ],
)
def test_a_bad_entry_is_refused_at_build_naming_it(entries: Any, message: str) -> None:
    with pytest.raises(ImproperlyConfigured) as info:
        TokenBackend("HS256", SECRET, signing_key_id="current", verifying_keys=entries)
    assert message in str(info.value)
    assert OLD_SECRET not in str(info.value) and SECRET not in str(info.value)


def test_a_key_of_another_family_is_refused_without_showing_it(
    rsa_keys: tuple[str, str],
) -> None:
    entry = {"kid": "r", "algorithm": "ES256", "key": rsa_keys[0]}
    with pytest.raises(ImproperlyConfigured) as info:
        TokenBackend("HS256", SECRET, verifying_keys=[entry])
    assert str(info.value) == (
        "VERIFYING_KEYS[0] (kid 'r'): its 'key' is not a ES256 key: "
        "An RSA private key cannot be used with the ES256 algorithm"
    )
    assert "PRIVATE KEY" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_a_public_key_is_refused_as_an_hmac_secret(rsa_keys: tuple[str, str]) -> None:
    entry = {"kid": "r", "algorithm": "HS256", "key": rsa_keys[1]}
    with pytest.raises(ImproperlyConfigured, match="cannot be used as an HMAC secret"):
        TokenBackend("HS256", SECRET, verifying_keys=[entry])


def test_the_entrys_repr_never_shows_its_key() -> None:
    (entry,) = TokenBackend("HS256", SECRET, verifying_keys=[ENTRY]).verifying_keys
    assert repr(entry) == "VerifyingKey(kid='k1', algorithm='HS256')"


def test_a_jwk_mapping_is_a_key(ec_keys: tuple[str, str]) -> None:
    signer = TokenBackend("ES256", ec_keys[0], ec_keys[1], signing_key_id="ec")
    jwk = signer.public_jwks()["keys"][0]
    backend = TokenBackend(
        "HS256", SECRET, verifying_keys=[{"kid": "ec", "algorithm": "ES256", "key": jwk}]
    )
    assert backend.decode(signer.encode({"j": 1})) == {"j": 1}


def test_bad_signing_key_ids_and_jwk_url_with_verifying_keys_are_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="SIGNING_KEY_ID must be None or a non-empty"):
        TokenBackend("HS256", SECRET, signing_key_id="")
    backend = TokenBackend("HS256", SECRET, verifying_keys=[ENTRY])
    with pytest.raises(ImproperlyConfigured, match="'k1' is also a VERIFYING_KEYS kid"):
        backend.signing_key_id = "k1"
    with pytest.raises(ImproperlyConfigured, match="cannot be combined with JWK_URL"):
        TokenBackend(
            "RS256", None, "", jwk_url="https://example.invalid/jwks", verifying_keys=[ENTRY]
        )


# --- the settings and the views ---------------------------------------------------------


def test_the_settings_build_the_rotating_backend(rsa_keys: tuple[str, str]) -> None:
    entries = [{"kid": "hs-old", "algorithm": "HS256", "key": OLD_SECRET}]
    assert get_token_backend().signing_key_id is None  # the defaults
    with jwt_settings(SIGNING_KEY=SECRET, SIGNING_KEY_ID="hs-new", VERIFYING_KEYS=entries):
        backend = get_token_backend()
        assert backend.signing_key_id == "hs-new"
        assert [e.kid for e in backend.verifying_keys] == ["hs-old"]
        assert header(str(AccessToken()))["kid"] == "hs-new"
    with jwt_settings(VERIFYING_KEYS=[{"kid": "x"}]):
        with pytest.raises(ImproperlyConfigured, match="lacks 'algorithm', 'key'"):
            get_token_backend()


@pytest.mark.django_db
def test_through_the_views_an_unknown_kid_is_a_401(user: Any, api_client: APIClient) -> None:
    old_settings = {"SIGNING_KEY": OLD_SECRET, "SIGNING_KEY_ID": "hs-1"}
    with jwt_settings(**old_settings):
        old_refresh = RefreshToken.for_user(user)
        old_access = str(old_refresh.access_token)
    window = {
        "SIGNING_KEY": SECRET,
        "SIGNING_KEY_ID": "hs-2",
        "VERIFYING_KEYS": [{"kid": "hs-1", "algorithm": "HS256", "key": OLD_SECRET}],
    }
    with jwt_settings(**window):
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {old_access}")
        assert api_client.get("/api/whoami/").status_code == 200
        answer = api_client.post("/api/token/refresh/", {"refresh": str(old_refresh)})
        assert answer.status_code == 200
        assert header(answer.json()["access"])["kid"] == "hs-2"
    with jwt_settings(SIGNING_KEY=SECRET, SIGNING_KEY_ID="hs-2"):
        reply = api_client.get("/api/whoami/")
        assert reply.status_code == 401
        assert reply.json()["code"] == "token_not_valid"
        assert reply.json()["messages"][0]["message"] == "Token is invalid"
        refused = api_client.post("/api/token/refresh/", {"refresh": str(old_refresh)})
        assert refused.status_code == 401
        assert refused.json() == {"detail": "Token is invalid", "code": "token_not_valid"}
