"""``PyJWK`` and ``PyJWKSet``: algorithm inference, parsing, skipping unusable members."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ferrojwt import jwt
from jwt_helpers import HMAC_SECRET, KeyPair, b64url_encode, private_jwk


@pytest.fixture(scope="module")
def public_jwks(keypairs: dict[str, KeyPair]) -> dict[str, dict[str, Any]]:
    return {family: private_jwk(pair.public) for family, pair in keypairs.items()}


OCT_JWK = {"kty": "oct", "k": b64url_encode(HMAC_SECRET)}


@pytest.mark.parametrize(
    ("family", "expected"),
    [
        ("RSA", "RS256"),
        ("P-256", "ES256"),
        ("P-384", "ES384"),
        ("P-521", "ES512"),
        ("Ed25519", "EdDSA"),
    ],
)
def test_pyjwk_infers_the_algorithm_from_kty_and_crv(
    public_jwks: dict[str, dict[str, Any]], family: str, expected: str
) -> None:
    jwk = jwt.PyJWK(public_jwks[family])
    assert jwk.algorithm_name == expected
    assert jwk.key_type == public_jwks[family]["kty"]
    assert isinstance(jwk.key, jwt.Key)
    assert jwk.key.is_private is False


def test_pyjwk_oct_defaults_to_hs256() -> None:
    jwk = jwt.PyJWK(OCT_JWK)
    assert (jwk.algorithm_name, jwk.key_type, jwk.key.kty) == ("HS256", "oct", "oct")


def test_pyjwk_alg_member_wins_over_inference(public_jwks: dict[str, dict[str, Any]]) -> None:
    jwk = jwt.PyJWK({**public_jwks["RSA"], "alg": "PS384", "kid": "r1", "use": "sig"})
    assert jwk.algorithm_name == "PS384"
    assert jwk.key_id == "r1"
    assert jwk.public_key_use == "sig"


def test_pyjwk_algorithm_argument_wins_over_alg_member(
    public_jwks: dict[str, dict[str, Any]],
) -> None:
    jwk = jwt.PyJWK({**public_jwks["RSA"], "alg": "PS384"}, algorithm="RS512")
    assert jwk.algorithm_name == "RS512"


def test_pyjwk_members_absent_are_none(public_jwks: dict[str, dict[str, Any]]) -> None:
    jwk = jwt.PyJWK(public_jwks["P-256"])
    assert (jwk.key_id, jwk.public_key_use) == (None, None)


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        ({}, jwt.InvalidKeyError, "kty is not found"),
        ({"kty": ""}, jwt.InvalidKeyError, "kty is not found"),
        ({"kty": "XYZ"}, jwt.InvalidKeyError, "Unsupported kty: XYZ"),
        ({"kty": "EC", "crv": "P-999"}, jwt.InvalidKeyError, "Unsupported crv: P-999"),
        ({"kty": "OKP"}, jwt.InvalidKeyError, "crv is not found"),
        (
            {"kty": "OKP", "crv": "X25519", "x": "AA"},
            jwt.InvalidKeyError,
            "Unsupported crv: X25519",
        ),
        ({"kty": "oct", "k": "AA", "alg": "XS999"}, jwt.PyJWKError, "Unable to find an algorithm"),
    ],
)
def test_pyjwk_refuses_unusable_jwks(
    data: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        jwt.PyJWK(data)


def test_pyjwk_error_messages_never_contain_key_material() -> None:
    secret_k = b64url_encode(b"top-secret-material-0123456789abcdef")
    with pytest.raises(jwt.PyJWKError) as info:
        jwt.PyJWK({"kty": "oct", "k": secret_k, "alg": "XS999", "kid": "visible"})
    assert secret_k not in str(info.value)
    assert "visible" in str(info.value)


@pytest.mark.parametrize(
    ("family", "algorithm"),
    [("RSA", "ES256"), ("P-256", "RS256"), ("P-256", "ES384"), ("Ed25519", "HS256")],
)
def test_pyjwk_refuses_an_algorithm_of_another_family(
    public_jwks: dict[str, dict[str, Any]], family: str, algorithm: str
) -> None:
    with pytest.raises(jwt.InvalidKeyError):
        jwt.PyJWK(public_jwks[family], algorithm)


def test_pyjwk_refuses_broken_key_material(public_jwks: dict[str, dict[str, Any]]) -> None:
    broken = {**public_jwks["P-256"], "x": b64url_encode(b"\x00" * 32)}
    with pytest.raises(jwt.InvalidKeyError):
        jwt.PyJWK(broken)


def test_pyjwk_from_json_and_from_dict(public_jwks: dict[str, dict[str, Any]]) -> None:
    data = public_jwks["Ed25519"]
    from_json = jwt.PyJWK.from_json(json.dumps(data))
    from_dict = jwt.PyJWK.from_dict(data)
    assert from_json.key == from_dict.key == jwt.Key.from_jwk(data)
    assert from_json.algorithm_name == "EdDSA"


def test_pyjwk_private_jwk_signs_and_public_jwk_verifies(keypairs: dict[str, KeyPair]) -> None:
    pair = keypairs["P-521"]
    signer = jwt.PyJWK(private_jwk(pair.private))
    verifier = jwt.PyJWK(private_jwk(pair.public))
    assert signer.key.is_private
    token = jwt.encode({"a": 1}, signer, algorithm=signer.algorithm_name)
    assert jwt.decode(token, verifier) == {"a": 1}


# --- PyJWKSet ----------------------------------------------------------------------------


def test_pyjwkset_indexes_by_kid(public_jwks: dict[str, dict[str, Any]]) -> None:
    keys = [{**public_jwks["RSA"], "kid": "r"}, {**public_jwks["P-256"], "kid": "e"}]
    jwk_set = jwt.PyJWKSet.from_dict({"keys": keys})
    assert len(jwk_set) == 2
    assert [jwk.key_id for jwk in jwk_set] == ["r", "e"]
    assert jwk_set["e"].algorithm_name == "ES256"
    with pytest.raises(KeyError, match="keyset has no key for kid: nope"):
        jwk_set["nope"]


def test_pyjwkset_skips_unusable_members(public_jwks: dict[str, dict[str, Any]]) -> None:
    keys: list[Any] = [
        {"kty": "XYZ", "kid": "unknown"},
        "not an object",
        42,
        {"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA", "kid": "k1"},
        {**public_jwks["RSA"], "kid": "good"},
    ]
    jwk_set = jwt.PyJWKSet(keys)
    assert [jwk.key_id for jwk in jwk_set] == ["good"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"keys": []}, "did not contain any keys"),
        ({}, "did not contain any keys"),
        ({"keys": {"kty": "oct"}}, "Invalid JWK Set value"),
        ({"keys": [{"kty": "XYZ"}, "junk"]}, "did not contain any usable keys"),
    ],
)
def test_pyjwkset_refuses_empty_or_malformed_sets(document: dict[str, Any], message: str) -> None:
    with pytest.raises(jwt.PyJWKSetError, match=message):
        jwt.PyJWKSet.from_dict(document)


def test_pyjwkset_from_json(public_jwks: dict[str, dict[str, Any]]) -> None:
    text = json.dumps({"keys": [{**public_jwks["Ed25519"], "kid": "ed"}]})
    assert jwt.PyJWKSet.from_json(text)["ed"].algorithm_name == "EdDSA"
    with pytest.raises(jwt.PyJWKSetError, match="Invalid JWK Set value"):
        jwt.PyJWKSet.from_json("[1, 2]")


def test_pyjwk_signs_with_its_own_algorithm_when_none_is_given(
    keypairs: dict[str, KeyPair],
) -> None:
    signer = jwt.PyJWK(private_jwk(keypairs["P-384"].private))
    assert signer.algorithm_name == "ES384"
    for token in (jwt.encode({"a": 1}, signer), jwt.encode({"a": 1}, signer, algorithm=None)):
        assert jwt.get_unverified_header(token)["alg"] == "ES384"
        assert jwt.decode(token, signer) == {"a": 1}
    # An explicit algorithm is still the caller's choice (and must fit the key).
    with pytest.raises(jwt.InvalidKeyError, match="cannot be used with the HS256 algorithm"):
        jwt.encode({"a": 1}, signer, algorithm="HS256")


def test_pyjwk_verifies_only_its_own_algorithm() -> None:
    secret = jwt.PyJWK(
        {"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXh4eHg", "alg": "HS384"}
    )
    other = jwt.encode({"a": 1}, "secret-secret-secret-secret-xxxx", algorithm="HS256")
    with pytest.raises(
        jwt.InvalidAlgorithmError,
        match="Token algorithm 'HS256' does not match the key's algorithm 'HS384'",
    ):
        jwt.decode(other, secret, algorithms=["HS256", "HS384"])
    with pytest.raises(jwt.InvalidAlgorithmError, match="The specified alg value is not allowed"):
        jwt.decode(other, secret)
