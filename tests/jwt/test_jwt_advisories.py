"""One regression test per class of published JWT-library advisory.

Each test is named after the advisory class it covers, builds the attacker's token or key
the way the published attacks do, and asserts the refusal: its exception class and message.
"""

from __future__ import annotations

import json
import logging
import socket
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from ferrojwt import jwt
from jwt_helpers import (
    HMAC_SECRET,
    NOW,
    KeyPair,
    as_json,
    b64url_decode,
    b64url_encode,
    forge,
    private_jwk,
)

NOT_ALLOWED = "The specified alg value is not allowed"
NOT_SUPPORTED = "Algorithm not supported"
BAD_SIGNATURE = "Signature verification failed"
PEM_AS_SECRET = (
    "The key is an asymmetric key (PEM or SSH text) and cannot be used as an HMAC secret"
)
DER_AS_SECRET = "The key is a DER-encoded asymmetric key and cannot be an HMAC secret"
JWK_AS_SECRET = "The key looks like a JWK and cannot be used directly as an HMAC secret"
EMPTY_SECRET = "HMAC key must not be empty."

#: The group orders of the NIST curves (SEC 2 / FIPS 186-4), by algorithm, and the byte
#: length of one half of a JWS signature (RFC 7518 section 3.4).
CURVE_ORDER = {
    "ES256": (0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551, 32),
    "ES384": (
        int(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
            "C7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
            16,
        ),
        48,
    ),
    "ES512": (
        int(
            "01" + "F" * 65 + "A51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
            16,
        ),
        66,
    ),
}
CURVE_FAMILY = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}


def unsigned(header: dict[str, Any], payload: dict[str, Any]) -> str:
    """A token with an empty signature segment, as an ``alg: none`` attack sends it."""
    return f"{b64url_encode(as_json(header))}.{b64url_encode(as_json(payload))}."


def with_signature(token: str, signature: bytes) -> str:
    header, payload, _ = token.split(".")
    return f"{header}.{payload}.{b64url_encode(signature)}"


# --- alg: none (CVE-2015-9235 and its many relatives) -----------------------------------


@pytest.mark.parametrize("name", ["none", "None", "NONE", "nOnE"])
@pytest.mark.parametrize("signature", ["", "c2ln"])
def test_alg_none(name: str, signature: str) -> None:
    token = unsigned({"alg": name, "typ": "JWT"}, {"sub": "admin"}) + signature
    # Even listed by the caller, none is never an algorithm ferrojwt verifies with.
    with pytest.raises(jwt.InvalidAlgorithmError) as listed:
        jwt.decode(token, HMAC_SECRET, algorithms=["HS256", name])
    assert str(listed.value) == NOT_SUPPORTED
    with pytest.raises(jwt.InvalidAlgorithmError) as unlisted:
        jwt.decode(token, HMAC_SECRET, algorithms=["HS256"])
    assert str(unlisted.value) == NOT_ALLOWED


def test_alg_none_is_never_written() -> None:
    with pytest.raises(NotImplementedError) as caught:
        jwt.encode({"sub": "admin"}, HMAC_SECRET, algorithm="none")
    assert str(caught.value) == NOT_SUPPORTED


# --- HS/RS key confusion (CVE-2016-10555, CVE-2022-29217) ----------------------------------


def test_hs_rs_key_confusion_public_key_as_hmac_secret(keypairs: dict[str, KeyPair]) -> None:
    public = keypairs["RSA"].public
    pem = keypairs["RSA"].public_pem
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    ssh = public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    jwk_text = json.dumps(private_jwk(public)).encode()
    forms: list[tuple[Any, str]] = [
        (pem, PEM_AS_SECRET),
        (pem.decode(), PEM_AS_SECRET),
        (b"\n  " + pem, PEM_AS_SECRET),
        (ssh, PEM_AS_SECRET),
        (der, DER_AS_SECRET),
        (jwk_text, JWK_AS_SECRET),
    ]
    for secret, message in forms:
        # The attacker signs HS256 with the public key's bytes as the secret...
        raw = secret.encode() if isinstance(secret, str) else secret
        token = forge({"alg": "HS256", "typ": "JWT"}, {"sub": "admin"}, secret=raw)
        # ...and a verifier that lists both families refuses to use it as one.
        with pytest.raises(jwt.InvalidKeyError) as caught:
            jwt.decode(token, secret, algorithms=["RS256", "HS256"], now=NOW)
        assert str(caught.value) == message
        # A verifier that lists only RS256 never reaches the key.
        with pytest.raises(jwt.InvalidAlgorithmError) as refused:
            jwt.decode(token, secret, algorithms=["RS256"], now=NOW)
        assert str(refused.value) == NOT_ALLOWED
        # Nor can the confused key sign.
        with pytest.raises(jwt.InvalidKeyError) as signing:
            jwt.encode({"sub": "admin"}, secret, algorithm="HS256")
        assert str(signing.value) == message


def test_hs_rs_key_confusion_key_object_for_the_other_family(
    keypairs: dict[str, KeyPair],
) -> None:
    public = keypairs["RSA"].public
    token = forge({"alg": "HS256"}, {"sub": "admin"}, secret=keypairs["RSA"].public_pem)
    with pytest.raises(jwt.InvalidKeyError) as caught:
        jwt.decode(token, public, algorithms=["HS256"], now=NOW)
    assert str(caught.value) == "An RSA public key cannot be used with the HS256 algorithm"


# --- ECDSA psychic signatures (CVE-2022-21449) and out-of-range r, s ---------------------


@pytest.mark.parametrize("algorithm", sorted(CURVE_ORDER))
def test_ecdsa_psychic_signatures(keypairs: dict[str, KeyPair], algorithm: str) -> None:
    order, size = CURVE_ORDER[algorithm]
    pair = keypairs[CURVE_FAMILY[algorithm]]
    token = jwt.encode({"sub": "admin"}, pair.private, algorithm=algorithm)
    signature = b64url_decode(token.split(".")[2])
    r = int.from_bytes(signature[:size], "big")
    s = int.from_bytes(signature[size:], "big")
    assert jwt.decode(token, pair.public, algorithms=[algorithm]) == {"sub": "admin"}
    top = 2 ** (8 * size) - 1
    forged = {
        "r = s = 0": (0, 0),
        "r = 0": (0, s),
        "s = 0": (r, 0),
        "r = s = n": (order, order),
        "r = n": (order, s),
        "s = n": (r, order),
        "r + n": (r + order, s) if r + order <= top else (top, s),
        "s + n": (r, s + order) if s + order <= top else (r, top),
        "all ones": (top, top),
    }
    for case, (bad_r, bad_s) in forged.items():
        bad = bad_r.to_bytes(size, "big") + bad_s.to_bytes(size, "big")
        with pytest.raises(jwt.InvalidSignatureError) as caught:
            jwt.decode(with_signature(token, bad), pair.public, algorithms=[algorithm])
        assert str(caught.value) == BAD_SIGNATURE, case
    # A DER-encoded signature (r = s = 0 as ASN.1) is not the JWS encoding either.
    der_zeros = bytes([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00])
    with pytest.raises(jwt.InvalidSignatureError) as der:
        jwt.decode(with_signature(token, der_zeros), pair.public, algorithms=[algorithm])
    assert str(der.value) == BAD_SIGNATURE


# --- kid path traversal and injection ------------------------------------------------------

HOSTILE_KIDS = [
    "../../../../../../dev/null",
    "/dev/null",
    "..\\..\\windows\\win.ini",
    "' OR '1'='1' --",
    "x'; DROP TABLE keys; --",
    "$(touch /tmp/pwned)",
    "|id",
    "k1\r\nX-Injected: 1",
    "\u0000",
    "a" * 10_000,
]


@pytest.mark.parametrize("kid", HOSTILE_KIDS)
def test_kid_path_traversal_and_injection(kid: str) -> None:
    # The /dev/null attack: the kid names an empty file, the token is signed with its
    # content. ferrojwt never reads a kid: the caller's key decides.
    for secret in (b"", b"\n", b"\x00"):
        token = forge({"alg": "HS256", "kid": kid}, {"sub": "admin"}, secret=secret)
        with pytest.raises(jwt.InvalidSignatureError) as caught:
            jwt.decode(token, HMAC_SECRET, algorithms=["HS256"], now=NOW)
        assert str(caught.value) == BAD_SIGNATURE
    # An empty key cannot be made to match it either.
    empty = forge({"alg": "HS256", "kid": kid}, {"sub": "admin"}, secret=b"")
    with pytest.raises(jwt.InvalidKeyError) as refused:
        jwt.decode(empty, b"", algorithms=["HS256"], now=NOW)
    assert str(refused.value) == EMPTY_SECRET
    # Signed with the real key, the kid is data: handed back verbatim, never interpreted.
    genuine = forge({"alg": "HS256", "kid": kid}, {"sub": "admin"})
    assert jwt.get_unverified_header(genuine)["kid"] == kid
    assert jwt.decode(genuine, HMAC_SECRET, algorithms=["HS256"], now=NOW) == {"sub": "admin"}


@pytest.mark.parametrize("kid", HOSTILE_KIDS[:6])
def test_kid_path_traversal_and_injection_in_a_jwk_set(
    keypairs: dict[str, KeyPair], kid: str
) -> None:
    published = {**private_jwk(keypairs["P-256"].public), "kid": "k1", "alg": "ES256"}
    keyset = jwt.PyJWKSet.from_dict({"keys": [published]})
    with pytest.raises(KeyError) as caught:
        keyset[kid]
    assert caught.value.args == (f"keyset has no key for kid: {kid}",)


@pytest.mark.parametrize("kid", [7, 1.5, True, None, ["k1"], {"path": "/dev/null"}])
def test_kid_type_confusion(kid: Any) -> None:
    token = forge({"alg": "HS256", "kid": kid}, {"sub": "admin"})
    with pytest.raises(jwt.InvalidTokenError) as caught:
        jwt.decode(token, HMAC_SECRET, algorithms=["HS256"], now=NOW)
    assert type(caught.value) is jwt.InvalidTokenError
    assert str(caught.value) == "Key ID header parameter must be a string"


# --- jku / x5u / embedded keys (CVE-2018-0114 and the jku SSRF family) ----------------------


@pytest.fixture
def listener() -> Any:
    """A TCP socket on 127.0.0.1 that records whether anything connected to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def connections(server: socket.socket) -> int:
    count = 0
    while True:
        try:
            conn, _ = server.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


def test_jku_x5u_headers_never_fetched(
    keypairs: dict[str, KeyPair], other_keypairs: dict[str, KeyPair], listener: socket.socket
) -> None:
    port = listener.getsockname()[1]
    attacker = other_keypairs["RSA"]
    attacker_jwk = private_jwk(attacker.public)
    headers = {
        "jku": f"http://127.0.0.1:{port}/jwks.json",
        "x5u": f"http://127.0.0.1:{port}/cert.pem",
        "jwk": attacker_jwk,
        "x5c": ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"],
    }
    # The attacker signs with their own key and points every header at it.
    forged = jwt.encode({"sub": "admin"}, attacker.private, algorithm="RS256", headers=headers)
    with pytest.raises(jwt.InvalidSignatureError) as caught:
        jwt.decode(forged, keypairs["RSA"].public, algorithms=["RS256"], now=NOW)
    assert str(caught.value) == BAD_SIGNATURE
    # The same headers on a genuine token change nothing: the caller's key verifies it.
    genuine = jwt.encode({"sub": "1"}, keypairs["RSA"].private, algorithm="RS256", headers=headers)
    assert jwt.decode(genuine, keypairs["RSA"].public, algorithms=["RS256"]) == {"sub": "1"}
    assert jwt.get_unverified_header(genuine)["jku"] == headers["jku"]
    assert connections(listener) == 0


# --- empty HMAC key ---------------------------------------------------------------------------


@pytest.mark.parametrize("secret", [b"", "", bytearray()])
@pytest.mark.parametrize("algorithm", ["HS256", "HS384", "HS512"])
def test_empty_hmac_key(secret: Any, algorithm: str) -> None:
    with pytest.raises(jwt.InvalidKeyError) as signing:
        jwt.encode({"sub": "admin"}, secret, algorithm=algorithm)
    assert str(signing.value) == EMPTY_SECRET
    token = forge({"alg": algorithm}, {"sub": "admin"}, secret=b"", algorithm=algorithm)
    with pytest.raises(jwt.InvalidKeyError) as verifying:
        jwt.decode(token, secret, algorithms=[algorithm], now=NOW)
    assert str(verifying.value) == EMPTY_SECRET
    with pytest.raises(jwt.InvalidKeyError) as from_jwk:
        jwt.PyJWK({"kty": "oct", "k": ""}, algorithm=algorithm)
    assert "must not be empty" in str(from_jwk.value)


# --- claim type confusion -------------------------------------------------------------------

TYPE_CONFUSION: list[tuple[dict[str, Any], type[Exception], str]] = [
    (
        {"exp": str(NOW + 3600)},
        jwt.DecodeError,
        "Expiration Time claim (exp) must be an integer.",
    ),
    ({"exp": True}, jwt.DecodeError, "Expiration Time claim (exp) must be an integer."),
    ({"exp": None}, jwt.DecodeError, "Expiration Time claim (exp) must be an integer."),
    ({"exp": [NOW + 3600]}, jwt.DecodeError, "Expiration Time claim (exp) must be an integer."),
    ({"nbf": "0"}, jwt.DecodeError, "Not Before claim (nbf) must be an integer."),
    ({"nbf": False}, jwt.DecodeError, "Not Before claim (nbf) must be an integer."),
    ({"iat": "0"}, jwt.InvalidIssuedAtError, "Issued At claim (iat) must be an integer."),
    ({"iat": {"t": 0}}, jwt.InvalidIssuedAtError, "Issued At claim (iat) must be an integer."),
    ({"aud": {"api": True}}, jwt.InvalidAudienceError, "Invalid claim format in token"),
    ({"aud": ["api", 1]}, jwt.InvalidAudienceError, "Invalid claim format in token"),
    ({"aud": 1}, jwt.InvalidAudienceError, "Invalid claim format in token"),
    ({"aud": [["api"]]}, jwt.InvalidAudienceError, "Invalid claim format in token"),
    ({"iss": ["issuer"]}, jwt.InvalidIssuerError, "Payload Issuer (iss) must be a string"),
    ({"iss": 1}, jwt.InvalidIssuerError, "Payload Issuer (iss) must be a string"),
    ({"sub": 42}, jwt.InvalidSubjectError, "Subject must be a string"),
    ({"sub": ["admin"]}, jwt.InvalidSubjectError, "Subject must be a string"),
    ({"jti": 7}, jwt.InvalidJTIError, "JWT ID must be a string"),
    ({"jti": {"id": 7}}, jwt.InvalidJTIError, "JWT ID must be a string"),
]


@pytest.mark.parametrize(("claims", "error", "message"), TYPE_CONFUSION)
def test_claim_type_confusion(claims: dict[str, Any], error: type[Exception], message: str) -> None:
    payload = {"aud": "api", "iss": "issuer", **claims}
    token = forge({"alg": "HS256"}, payload)
    with pytest.raises(error) as caught:
        jwt.decode(
            token, HMAC_SECRET, algorithms=["HS256"], audience="api", issuer="issuer", now=NOW
        )
    assert type(caught.value) is error
    assert str(caught.value) == message


# --- a JWK Set with a key of the wrong type -------------------------------------------------


def test_jwks_with_a_key_of_the_wrong_type(keypairs: dict[str, KeyPair]) -> None:
    rsa_jwk = {**private_jwk(keypairs["RSA"].public), "kid": "k1"}
    ec_jwk = {**private_jwk(keypairs["P-256"].public), "kid": "k2"}
    # An RSA key published as ES256, an EC key published as RS256: refused when read.
    for jwk, algorithm, message in [
        (rsa_jwk, "ES256", "An RSA public key cannot be used with the ES256 algorithm"),
        (ec_jwk, "RS256", "An EC P-256 public key cannot be used with the RS256 algorithm"),
        (ec_jwk, "ES384", "An EC P-256 public key cannot be used with the ES384 algorithm"),
        (rsa_jwk, "HS256", "An RSA public key cannot be used with the HS256 algorithm"),
    ]:
        with pytest.raises(jwt.InvalidKeyError) as caught:
            jwt.PyJWK({**jwk, "alg": algorithm})
        assert str(caught.value) == message
    # In a set, such a key is skipped; a set with nothing usable is an error.
    keyset = jwt.PyJWKSet.from_dict({"keys": [{**rsa_jwk, "alg": "ES256"}, ec_jwk]})
    assert [key.key_id for key in keyset] == ["k2"]
    with pytest.raises(jwt.PyJWKSetError) as empty:
        jwt.PyJWKSet.from_dict({"keys": [{**rsa_jwk, "alg": "ES256"}]})
    assert str(empty.value) == "The JWK Set did not contain any usable keys"
    # A usable key of one family never verifies a token of another.
    token = jwt.encode({"sub": "admin"}, keypairs["RSA"].private, algorithm="RS256")
    with pytest.raises(jwt.InvalidAlgorithmError) as mismatch:
        jwt.decode(token, keyset["k2"], algorithms=["RS256"], now=NOW)
    assert (
        str(mismatch.value) == "Token algorithm 'RS256' does not match the key's algorithm 'ES256'"
    )
    with pytest.raises(jwt.InvalidKeyError) as family:
        jwt.decode(token, keyset["k2"].key, algorithms=["RS256"], now=NOW)
    assert str(family.value) == "An EC P-256 public key cannot be used with the RS256 algorithm"
    # An oct JWK whose secret is a public key's PEM is the key confusion again.
    confused = {"kty": "oct", "k": b64url_encode(keypairs["RSA"].public_pem)}
    with pytest.raises(jwt.InvalidKeyError) as oct_key:
        jwt.PyJWK(confused, algorithm="HS256")
    assert str(oct_key.value) == PEM_AS_SECRET


# --- no key material or token text in error messages or logs --------------------------------


def test_no_key_material_or_token_text_in_errors_or_logs(
    keypairs: dict[str, KeyPair], caplog: pytest.LogCaptureFixture
) -> None:
    rsa = keypairs["RSA"]
    private_pem = rsa.private_pem
    secret = b"correct horse battery staple, never print me"
    token = jwt.encode({"sub": "admin", "exp": NOW - 10}, secret, algorithm="HS256")
    header, payload, signature = token.split(".")
    truncated_pem = private_pem[: len(private_pem) // 2]
    private = private_jwk(rsa.private)
    broken_jwk = {**private, "d": private["d"][:-8] + "AAAAAAAA"}
    attempts = [
        lambda: jwt.decode(token, secret + b"!", algorithms=["HS256"], now=NOW),
        lambda: jwt.decode(token, secret, algorithms=["HS256"], now=NOW),
        lambda: jwt.decode(token, secret, algorithms=["HS512"], now=NOW),
        lambda: jwt.decode(token[:-3], secret, algorithms=["HS256"], now=NOW),
        lambda: jwt.decode(token + "." + signature, secret, algorithms=["HS256"], now=NOW),
        lambda: jwt.decode(token, rsa.public_pem, algorithms=["HS256"], now=NOW),
        lambda: jwt.decode(token, truncated_pem, algorithms=["RS256"], now=NOW),
        lambda: jwt.encode({"sub": "1"}, truncated_pem, algorithm="RS256"),
        lambda: jwt.encode({"sub": "1"}, private_pem, algorithm="ES256"),
        lambda: jwt.PyJWK(broken_jwk, algorithm="RS256"),
        lambda: jwt.PyJWK({**private, "kty": "oct"}, algorithm="HS256"),
    ]
    secrets = [
        secret.decode(),
        secret.hex(),
        b64url_encode(secret),
        private["d"],
        private["p"],
        broken_jwk["d"],
        *[line for line in private_pem.decode().splitlines() if "-----" not in line],
    ]
    token_texts = [token, header, payload, signature, token[:-3]]
    caplog.set_level(logging.DEBUG)
    raised = 0
    for attempt in attempts:
        try:
            attempt()
        except Exception as error:  # each attempt must fail; which class is asserted elsewhere
            raised += 1
            shown = f"{error} {error!r} {error.args!r} {error.__cause__!r}"
            for text in secrets + token_texts:
                assert text not in shown, f"{text[:12]}... in {type(error).__name__}"
    assert raised == len(attempts)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for text in secrets + token_texts:
        assert text not in logged
