"""Hostile tokens and keys: each test is named after the attack or defect it guards against.

Every refusal is asserted by exception type AND a fragment of its message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from ferrojwt import _core, jwt
from jwt_helpers import HMAC_SECRET, NOW, KeyPair, b64url_encode, forge

HS256 = {"alg": "HS256", "typ": "JWT"}


def decode(token: str | bytes, key: Any = HMAC_SECRET, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("algorithms", ["HS256"])
    return jwt.decode(token, key, now=NOW, **kwargs)


# --- alg "none" -----------------------------------------------------------------------

NONE_SPELLINGS = ["none", "None", "NONE", "nOnE"]


@pytest.mark.parametrize("alg", NONE_SPELLINGS)
@pytest.mark.parametrize("signature", ["", "c2ln"])
def test_unsigned_alg_none_token_is_refused(alg: str, signature: str) -> None:
    header = b64url_encode(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = b64url_encode(b'{"sub":"admin"}')
    token = f"{header}.{payload}.{signature}"
    with pytest.raises(jwt.InvalidAlgorithmError, match="The specified alg value is not allowed"):
        decode(token)


@pytest.mark.parametrize("alg", NONE_SPELLINGS)
def test_alg_none_is_refused_even_when_listed_as_allowed(alg: str) -> None:
    header = b64url_encode(json.dumps({"alg": alg}).encode())
    token = f"{header}.{b64url_encode(b'{}')}."
    with pytest.raises((jwt.InvalidAlgorithmError, jwt.InvalidSignatureError)) as info:
        decode(token, key=None, algorithms=[alg])
    assert "not supported" in str(info.value) or "verification failed" in str(info.value)


def test_alg_none_without_signature_is_not_accepted_by_key_none() -> None:
    token = b64url_encode(b'{"alg":"none"}') + "." + b64url_encode(b"{}") + "."
    with pytest.raises(jwt.InvalidAlgorithmError, match="not allowed"):
        decode(token, key=None, algorithms=["HS256", "RS256"])


# --- algorithm confusion (CVE-2015-9235, CVE-2022-29217) --------------------------------


@pytest.mark.parametrize("family", ["RSA", "P-256", "Ed25519"])
def test_public_key_pem_used_as_hmac_secret_is_refused(
    keypairs: dict[str, KeyPair], family: str
) -> None:
    """The classic HS/RS confusion: the attacker MACs with the (public) PEM text."""
    public_pem = keypairs[family].public_pem
    token = forge(HS256, {"sub": "admin"}, secret=public_pem)
    for key in (public_pem, public_pem.decode()):
        with pytest.raises(jwt.InvalidKeyError, match="asymmetric key"):
            decode(token, key=key, algorithms=["HS256", "RS256", "ES256", "EdDSA"])


def test_ssh_public_key_used_as_hmac_secret_is_refused(keypairs: dict[str, KeyPair]) -> None:
    """CVE-2022-29217 used an OpenSSH-format public key as the HMAC secret."""
    from cryptography.hazmat.primitives import serialization

    ssh = keypairs["Ed25519"].public.public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    token = forge(HS256, {"sub": "admin"}, secret=ssh)
    with pytest.raises(jwt.InvalidKeyError, match="asymmetric key"):
        decode(token, key=ssh, algorithms=["HS256", "EdDSA"])


@pytest.mark.parametrize("family", ["RSA", "P-256"])
def test_signing_hmac_with_a_pem_key_is_refused(keypairs: dict[str, KeyPair], family: str) -> None:
    with pytest.raises(jwt.InvalidKeyError, match="asymmetric key"):
        jwt.encode({"a": 1}, keypairs[family].public_pem, "HS256")


@pytest.mark.parametrize(
    ("family", "algorithm"),
    [("RSA", "HS256"), ("RSA", "ES256"), ("P-256", "RS256"), ("Ed25519", "ES256")],
)
def test_parsed_key_of_another_family_is_refused(
    keypairs: dict[str, KeyPair], family: str, algorithm: str
) -> None:
    token = forge({"alg": algorithm}, {"a": 1})
    key = jwt.Key.from_pem(keypairs[family].public_pem)
    with pytest.raises(jwt.InvalidKeyError):
        decode(token, key=key, algorithms=[algorithm])


def test_hmac_key_object_for_an_rsa_token_is_refused(keypairs: dict[str, KeyPair]) -> None:
    token = jwt.encode({"a": 1}, keypairs["RSA"].private_pem, "RS256")
    with pytest.raises(jwt.InvalidKeyError):
        decode(token, key=jwt.Key.hmac(HMAC_SECRET), algorithms=["RS256"])


# --- algorithm allow-list and curves ----------------------------------------------------------


@pytest.mark.parametrize(
    ("token_alg", "allowed"),
    [
        ("HS256", ["HS384", "HS512"]),
        ("HS512", ["HS256"]),
        ("RS256", ["PS256"]),
        ("ES256", ["EdDSA"]),
    ],
)
def test_algorithm_outside_the_allowed_list_is_refused(
    pem_keys: dict[str, tuple[bytes, bytes]], token_alg: str, allowed: list[str]
) -> None:
    signing, verifying = pem_keys[token_alg]
    token = jwt.encode({"a": 1}, signing, token_alg)
    with pytest.raises(jwt.InvalidAlgorithmError, match="The specified alg value is not allowed"):
        decode(token, key=verifying, algorithms=allowed)


@pytest.mark.parametrize("alg", ["HS1024", "ES256K", "RSA-OAEP", ""])
def test_unknown_or_empty_alg_header_is_refused(alg: str) -> None:
    token = forge({"alg": alg}, {"a": 1})
    with pytest.raises(jwt.InvalidAlgorithmError):
        decode(token, algorithms=["HS256", alg])


def test_missing_alg_header_is_refused() -> None:
    token = forge({"typ": "JWT"}, {"a": 1})
    with pytest.raises(
        jwt.InvalidAlgorithmError, match=r"Algorithm not specified|alg value is not allowed"
    ):
        decode(token)


def test_es384_token_checked_with_a_p256_key_is_refused(keypairs: dict[str, KeyPair]) -> None:
    token = jwt.encode({"a": 1}, keypairs["P-384"].private_pem, "ES384")
    with pytest.raises(jwt.InvalidKeyError, match=r"(?i)curve|P-256 .*ES384"):
        decode(token, key=keypairs["P-256"].public_pem, algorithms=["ES384"])
    # PyJWT says "curve ... does not match"; the core names the curve and algorithm.


def test_es384_signing_with_a_p256_key_is_refused(keypairs: dict[str, KeyPair]) -> None:
    with pytest.raises(jwt.InvalidKeyError, match=r"(?i)curve|P-256 .*ES384"):
        jwt.encode({"a": 1}, keypairs["P-256"].private_pem, "ES384")


@pytest.mark.parametrize("algorithm", ["RS256", "ES256", "EdDSA"])
def test_token_checked_with_another_valid_key_is_refused(
    keypairs: dict[str, KeyPair], other_keypairs: dict[str, KeyPair], algorithm: str
) -> None:
    family = {"RS256": "RSA", "ES256": "P-256", "EdDSA": "Ed25519"}[algorithm]
    token = jwt.encode({"a": 1}, keypairs[family].private_pem, algorithm)
    with pytest.raises(jwt.InvalidSignatureError, match="Signature verification failed"):
        decode(token, key=other_keypairs[family].public_pem, algorithms=[algorithm])


# --- tampering -----------------------------------------------------------------------------


def test_tampered_payload_is_refused() -> None:
    header, _, signature = jwt.encode({"sub": "alice"}, HMAC_SECRET).split(".")
    forged = b64url_encode(b'{"sub":"admin"}')
    with pytest.raises(jwt.InvalidSignatureError, match="Signature verification failed"):
        decode(f"{header}.{forged}.{signature}")


def test_tampered_header_is_refused() -> None:
    _, payload, signature = jwt.encode({"sub": "alice"}, HMAC_SECRET, headers={"kid": "a"}).split(
        "."
    )
    forged = b64url_encode(b'{"alg":"HS256","kid":"b","typ":"JWT"}')
    with pytest.raises(jwt.InvalidSignatureError, match="Signature verification failed"):
        decode(f"{forged}.{payload}.{signature}")


@pytest.mark.parametrize("algorithm", ["HS256", "RS256", "ES256", "EdDSA"])
def test_stripped_signature_is_refused(
    pem_keys: dict[str, tuple[bytes, bytes]], algorithm: str
) -> None:
    signing, verifying = pem_keys[algorithm]
    header, payload, _ = jwt.encode({"sub": "alice"}, signing, algorithm).split(".")
    with pytest.raises(jwt.InvalidSignatureError, match="Signature verification failed"):
        decode(f"{header}.{payload}.", key=verifying, algorithms=[algorithm])


def test_truncated_signature_is_refused() -> None:
    token = jwt.encode({"sub": "alice"}, HMAC_SECRET)
    with pytest.raises(jwt.InvalidSignatureError, match="Signature verification failed"):
        decode(token[:-11])  # 32 base64url characters: well-formed, too short


# --- structure ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    ["", "abc", "abc.def", b"abc", "."],
    ids=["empty", "one-segment", "two-segments", "bytes-one-segment", "dot"],
)
def test_too_few_segments_are_refused(token: str | bytes) -> None:
    with pytest.raises(jwt.DecodeError, match="Not enough segments"):
        decode(token)


@pytest.mark.parametrize("extra", [".e30", ".e30.e30"], ids=["four", "five-jwe-shaped"])
def test_too_many_segments_are_refused(extra: str) -> None:
    token = jwt.encode({"a": 1}, HMAC_SECRET)
    header, payload, signature = token.split(".")
    with pytest.raises(jwt.DecodeError):
        decode(f"{header}.{payload}{extra}.{signature}")


@pytest.mark.parametrize("token", [123, None, ["a.b.c"]])
def test_token_of_the_wrong_type_is_refused(token: Any) -> None:
    with pytest.raises(jwt.DecodeError, match="Invalid token type"):
        decode(token)


@pytest.mark.parametrize(
    ("segment", "message"),
    [(0, "Invalid header padding"), (1, "Invalid payload padding"), (2, "Invalid crypto padding")],
)
@pytest.mark.parametrize("junk", ["!!!!", "a", "e30$", "e3 0"])
def test_bad_base64_is_refused(segment: int, message: str, junk: str) -> None:
    parts = jwt.encode({"a": 1}, HMAC_SECRET).split(".")
    parts[segment] = junk
    with pytest.raises(jwt.DecodeError, match=message):
        decode(".".join(parts))


def test_standard_base64_alphabet_is_refused() -> None:
    """'+' and '/' belong to base64, not base64url."""
    header = base64.b64encode(
        b'{"alg":"HS256","typ":"JWT","x":"\xff\xfe"}'.decode("latin-1").encode()
    )
    assert b"+" in header or b"/" in header
    token = f"{header.decode().rstrip('=')}.e30.c2ln"
    with pytest.raises(jwt.DecodeError, match="Invalid header padding"):
        decode(token)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (b"[]", "Invalid header string: must be a json object"),
        (b'"HS256"', "Invalid header string: must be a json object"),
        (b"null", "Invalid header string: must be a json object"),
        (b"{not json", "Invalid header string"),
        (b"\xff\xfe", "Invalid header string"),
    ],
)
def test_non_object_header_is_refused(header: bytes, message: str) -> None:
    with pytest.raises(jwt.DecodeError, match=message):
        decode(forge(header, {"a": 1}))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"[1]", "Invalid payload string: must be a json object"),
        (b"42", "Invalid payload string: must be a json object"),
        (b'"claims"', "Invalid payload string: must be a json object"),
        (b"{", "Invalid payload string"),
        (b"\xff", "Invalid payload string"),
        (b"", "Invalid payload string"),
    ],
)
def test_non_object_payload_is_refused(payload: bytes, message: str) -> None:
    with pytest.raises(jwt.DecodeError, match=message):
        decode(forge(HS256, payload))


def test_duplicate_member_in_header_is_refused() -> None:
    """{"alg":"HS256","alg":"none"}: parsers disagree on which one wins; refuse both."""
    token = forge(b'{"alg":"HS256","typ":"JWT","alg":"none"}', {"a": 1})
    with pytest.raises(jwt.DecodeError, match=r"(?i)duplicate"):
        decode(token)


@pytest.mark.parametrize(
    "payload",
    [b'{"sub":"alice","sub":"admin"}', b'{"a":{"x":1,"x":2}}', b'{"exp":1,"exp":9999999999}'],
)
def test_duplicate_member_in_payload_is_refused(payload: bytes) -> None:
    with pytest.raises(jwt.DecodeError, match=r"(?i)duplicate"):
        decode(forge(HS256, payload))


CRIT_CASES = [
    ({"alg": "HS256", "crit": ["exp"], "exp": 1}, "Unsupported critical extension: exp"),
    ({"alg": "HS256", "crit": ["http://x/y"]}, "Unsupported critical extension: http://x/y"),
    ({"alg": "HS256", "crit": []}, "Invalid 'crit' header: must be a non-empty list"),
    ({"alg": "HS256", "crit": "exp"}, "Invalid 'crit' header: must be a non-empty list"),
    ({"alg": "HS256", "crit": [1]}, "Invalid 'crit' header: values must be strings"),
    ({"alg": "HS256", "crit": ["b64"]}, "Critical extension 'b64' is missing from headers"),
    ({"alg": "HS256", "b64": False}, "The 'b64' header parameter requires 'b64' to be listed"),
]


@pytest.mark.parametrize(("header", "message"), CRIT_CASES)
def test_unknown_crit_header_is_refused_with_pyjwts_reason(
    header: dict[str, Any], message: str
) -> None:
    """Where PyJWT refuses a crit header too, the reason is its text, word for word."""
    # (An unencoded, b64: false, token has an empty payload segment.)
    token = forge(header, b"" if header.get("b64") is False else {"a": 1})
    with pytest.raises(jwt.InvalidTokenError) as ours:
        decode(token)
    with pytest.raises(pyjwt.InvalidTokenError) as theirs:
        pyjwt.decode(token, HMAC_SECRET, algorithms=["HS256"])
    assert str(ours.value) == str(theirs.value)
    assert str(ours.value).startswith(message)
    with pytest.raises(jwt.InvalidTokenError, match=re.escape(message)):
        decode(token, options={"verify_signature": False})


def test_crit_b64_that_pyjwt_accepts_is_refused() -> None:
    """ferrojwt implements no JWS extension: even PyJWT's b64 (RFC 7797) is refused."""
    token = forge({"alg": "HS256", "crit": ["b64"], "b64": True}, {"a": 1})
    assert pyjwt.decode(token, HMAC_SECRET, algorithms=["HS256"]) == {"a": 1}
    with pytest.raises(jwt.InvalidTokenError, match="Unsupported critical extension: b64"):
        decode(token)


def test_non_string_kid_is_refused() -> None:
    with pytest.raises(jwt.InvalidTokenError, match="Key ID header parameter must be a string"):
        decode(forge({"alg": "HS256", "kid": {"$ne": ""}}, {"a": 1}))


# --- resource exhaustion ---------------------------------------------------------------------


def test_multi_megabyte_token_is_refused_before_parsing() -> None:
    """A token over MAX_TOKEN_BYTES is refused without decoding or MACing it."""
    size = max(_core.MAX_TOKEN_BYTES, 4 * 1024 * 1024)
    token = forge(HS256, {"pad": "x" * size})
    assert len(token) > _core.MAX_TOKEN_BYTES
    with pytest.raises(jwt.DecodeError, match=r"(?i)too (long|large)"):
        decode(token)
    with pytest.raises(jwt.DecodeError, match=r"(?i)too (long|large)"):
        jwt.get_unverified_header(token)


def test_token_just_under_the_limit_still_decodes() -> None:
    token = forge(HS256, {"pad": ""})
    pad = _core.MAX_TOKEN_BYTES - len(token) - 16
    token = forge(HS256, {"pad": "x" * (pad * 3 // 4)})
    assert len(token) <= _core.MAX_TOKEN_BYTES
    assert decode(token)["pad"].startswith("x")


@pytest.mark.parametrize("depth", [200, 1_000, 5_000])
def test_deeply_nested_payload_is_refused(depth: int) -> None:
    payload = b'{"a":' + b"[" * depth + b"]" * depth + b"}"
    with pytest.raises(jwt.DecodeError, match="Invalid payload string"):
        decode(forge(HS256, payload))


@pytest.mark.parametrize(("arrays", "accepted"), [(1, True), (63, True), (64, False)])
def test_nesting_limit_is_64_levels(arrays: int, accepted: bool) -> None:
    """The payload object plus 63 arrays is the deepest accepted document."""
    payload = b'{"a":' + b"[" * arrays + b"]" * arrays + b"}"
    token = forge(HS256, payload)
    if accepted:
        assert decode(token) == json.loads(payload)
    else:
        with pytest.raises(jwt.DecodeError, match="Invalid payload string: nesting deeper than 64"):
            decode(token)


def test_lone_surrogate_escape_in_payload_is_refused() -> None:
    """\\ud800 alone is not a Unicode scalar value (RFC 8259 8.2); PyJWT would accept it."""
    with pytest.raises(jwt.DecodeError, match="Invalid payload string"):
        decode(forge(HS256, b'{"sub":"\\ud800"}'))


def test_deeply_nested_header_is_refused() -> None:
    header = b'{"alg":"HS256","x":' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    with pytest.raises(jwt.DecodeError, match="Invalid header string"):
        decode(forge(header, {"a": 1}))


# --- stricter than PyJWT: numeric strings are not NumericDates ----------------------------------


@pytest.mark.parametrize(
    ("claim", "error", "message"),
    [
        ("exp", jwt.DecodeError, r"Expiration Time claim \(exp\) must be an integer"),
        ("nbf", jwt.DecodeError, r"Not Before claim \(nbf\) must be an integer"),
        ("iat", jwt.InvalidIssuedAtError, r"Issued At claim \(iat\) must be an integer"),
    ],
)
@pytest.mark.parametrize("value", [str(NOW + 3600), str(NOW - 3600), " 1 ", "1e3"])
def test_numeric_string_time_claim_is_refused(
    claim: str, error: type[Exception], message: str, value: str
) -> None:
    """PyJWT's int() would accept "1700003600"; a NumericDate is a JSON number (RFC 7519 2)."""
    with pytest.raises(error, match=message):
        decode(forge(HS256, {claim: value}))


@pytest.mark.parametrize("value", [True, False])
def test_boolean_exp_is_not_a_numeric_date(value: bool) -> None:
    with pytest.raises(jwt.DecodeError, match=r"Expiration Time claim \(exp\) must be an integer"):
        decode(forge(HS256, {"exp": value}))


def test_empty_hmac_secret_is_refused() -> None:
    token = forge(HS256, {"a": 1}, secret=b"")
    with pytest.raises(jwt.InvalidKeyError, match=r"(?i)empty"):
        decode(token, key="")
    with pytest.raises(jwt.InvalidKeyError, match=r"(?i)empty"):
        jwt.encode({"a": 1}, b"", "HS256")


def test_public_jwk_text_is_not_an_hmac_secret_so_hs256_cannot_be_forged(
    keypairs: dict[str, Any],
) -> None:
    """A verifier allowing RS256 and HS256 with a JWK given as JSON text: an attacker
    who has the public JWK must not be able to MAC a token with it (PyJWT refuses too)."""
    public_jwk = jwt.Key.from_der(
        keypairs["RSA"].public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    ).to_jwk()
    jwk_text = json.dumps(public_jwk)
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
    payload = base64.urlsafe_b64encode(b'{"sub":"admin"}').rstrip(b"=")
    mac = hmac.new(jwk_text.encode(), header + b"." + payload, hashlib.sha256).digest()
    forged = b".".join([header, payload, base64.urlsafe_b64encode(mac).rstrip(b"=")])
    with pytest.raises(jwt.InvalidKeyError, match="looks like a JWK"):
        jwt.decode(forged, jwk_text, algorithms=["RS256", "HS256"])


def test_padded_segments_are_accepted_as_pyjwt_accepts_them() -> None:
    """Some issuers (AWS load balancers) pad their segments with '='; the signature
    covers the segments as sent, padding included."""
    key = b"k" * 32
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode()
    payload = base64.urlsafe_b64encode(b'{"sub":"alb"}').decode()
    assert payload.endswith("=")
    signing_input = f"{header}.{payload}".encode()
    signature = base64.urlsafe_b64encode(hmac.new(key, signing_input, hashlib.sha256).digest())
    token = f"{header}.{payload}.{signature.decode()}"
    assert signature.endswith(b"=")
    assert pyjwt.decode(token, key, algorithms=["HS256"]) == {"sub": "alb"}
    assert jwt.decode(token, key, algorithms=["HS256"]) == {"sub": "alb"}
    with pytest.raises(jwt.DecodeError, match="Invalid crypto padding"):
        jwt.decode(token + "==", key, algorithms=["HS256"])
