"""Published test vectors: RFC 7515 appendix A.1-A.3 and RFC 8037 appendix A.4.

The tokens and keys are typed in from the RFC text. Each vector is also checked
with PyJWT, so a transcription error shows up as a failure of the reference too.
"""

from __future__ import annotations

import jwt as pyjwt
import pytest
from ferrojwt import jwt

#: RFC 7515 A.1-A.3 sign this exact payload (CRLF and spaces included):
#: {"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}
RFC7515_PAYLOAD_SEGMENT = (
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
)
RFC7515_CLAIMS = {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}
#: The vectors expired in 2011: check them at a time they were valid.
RFC7515_NOW = 1300819370

# RFC 7515 A.1: HMAC SHA-256, header {"typ":"JWT",\r\n "alg":"HS256"}.
A1_JWK = {
    "kty": "oct",
    "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
}
A1_TOKEN = (
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
    + RFC7515_PAYLOAD_SEGMENT
    + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)

# RFC 7515 A.2: RSASSA-PKCS1-v1_5 SHA-256, header {"alg":"RS256"}.
A2_PUBLIC_JWK = {
    "kty": "RSA",
    "n": (
        "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddx"
        "HmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMs"
        "D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSH"
        "SXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdV"
        "MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8"
        "NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"
    ),
    "e": "AQAB",
}
A2_SIGNATURE = (
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF"
    "5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK"
    "5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqt"
    "FZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrB"
    "p0igcN_IoypGlUPQGe77Rw"
)
A2_TOKEN = "eyJhbGciOiJSUzI1NiJ9." + RFC7515_PAYLOAD_SEGMENT + "." + A2_SIGNATURE

# RFC 7515 A.3: ECDSA P-256 SHA-256, header {"alg":"ES256"}.
A3_PUBLIC_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
}
A3_TOKEN = (
    "eyJhbGciOiJFUzI1NiJ9."
    + RFC7515_PAYLOAD_SEGMENT
    + ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"
)

VECTORS = [
    ("A.1-HS256", "HS256", A1_JWK, A1_TOKEN),
    ("A.2-RS256", "RS256", A2_PUBLIC_JWK, A2_TOKEN),
    ("A.3-ES256", "ES256", A3_PUBLIC_JWK, A3_TOKEN),
]

# RFC 8037 A.1/A.2 key and A.4 signature: Ed25519 over the text "Example of Ed25519 signing".
A4_PRIVATE_JWK = {
    "kty": "OKP",
    "crv": "Ed25519",
    "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
}
A4_PUBLIC_JWK = {"kty": "OKP", "crv": "Ed25519", "x": A4_PRIVATE_JWK["x"]}
A4_SIGNING_INPUT = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
A4_SIGNATURE = (
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)
A4_TOKEN = f"{A4_SIGNING_INPUT}.{A4_SIGNATURE}"


def _flip_last_signature_char(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


@pytest.mark.parametrize(
    ("name", "algorithm", "jwk", "token"), VECTORS, ids=[v[0] for v in VECTORS]
)
def test_rfc7515_vector_transcribed_correctly(
    name: str, algorithm: str, jwk: dict[str, str], token: str
) -> None:
    """Guard on the typed-in data: the reference implementation accepts it too."""
    key = pyjwt.PyJWK(jwk, algorithm)
    assert pyjwt.decode(token, key, [algorithm], options={"verify_exp": False}) == RFC7515_CLAIMS


@pytest.mark.parametrize(
    ("name", "algorithm", "jwk", "token"), VECTORS, ids=[v[0] for v in VECTORS]
)
def test_rfc7515_vector_verifies(
    name: str, algorithm: str, jwk: dict[str, str], token: str
) -> None:
    for key in (jwk, jwt.Key.from_jwk(jwk), jwt.PyJWK(jwk, algorithm)):
        decoded = jwt.decode_complete(token, key, algorithms=[algorithm], now=RFC7515_NOW)
        assert decoded["payload"] == RFC7515_CLAIMS
        assert decoded["header"]["alg"] == algorithm


@pytest.mark.parametrize(
    ("name", "algorithm", "jwk", "token"), VECTORS, ids=[v[0] for v in VECTORS]
)
def test_rfc7515_vector_is_expired_today(
    name: str, algorithm: str, jwk: dict[str, str], token: str
) -> None:
    with pytest.raises(jwt.ExpiredSignatureError, match="Signature has expired"):
        jwt.decode(token, jwk, algorithms=[algorithm])


@pytest.mark.parametrize(
    ("name", "algorithm", "jwk", "token"), VECTORS, ids=[v[0] for v in VECTORS]
)
def test_rfc7515_vector_with_a_flipped_signature_is_refused(
    name: str, algorithm: str, jwk: dict[str, str], token: str
) -> None:
    with pytest.raises(jwt.InvalidSignatureError, match="Signature verification failed"):
        jwt.decode(_flip_last_signature_char(token), jwk, algorithms=[algorithm], now=RFC7515_NOW)


def test_rfc7515_a1_header_keeps_its_crlf_and_member_order() -> None:
    assert jwt.get_unverified_header(A1_TOKEN) == {"typ": "JWT", "alg": "HS256"}
    assert list(jwt.get_unverified_header(A1_TOKEN)) == ["typ", "alg"]


def test_rfc8037_a4_signature_verifies() -> None:
    """The A.4 payload is text, not JSON: the signature must pass, then the payload is refused.

    So a DecodeError about the payload (not InvalidSignatureError) proves the
    Ed25519 verification of the RFC's signature succeeded.
    """
    assert pyjwt.PyJWS().decode(A4_TOKEN, pyjwt.PyJWK(A4_PUBLIC_JWK), ["EdDSA"]) == (
        b"Example of Ed25519 signing"
    )
    for key in (A4_PUBLIC_JWK, jwt.Key.from_jwk(A4_PUBLIC_JWK), jwt.PyJWK(A4_PUBLIC_JWK)):
        with pytest.raises(jwt.DecodeError, match="Invalid payload string") as info:
            jwt.decode(A4_TOKEN, key, algorithms=["EdDSA"])
        assert not isinstance(info.value, jwt.InvalidSignatureError)


def test_rfc8037_a4_flipped_signature_is_refused() -> None:
    with pytest.raises(jwt.InvalidSignatureError, match="Signature verification failed"):
        jwt.decode(_flip_last_signature_char(A4_TOKEN), A4_PUBLIC_JWK, algorithms=["EdDSA"])


def test_rfc8037_private_jwk_has_the_published_public_key() -> None:
    private = jwt.Key.from_jwk(A4_PRIVATE_JWK)
    assert private.kty == "OKP"
    assert private.curve == "Ed25519"
    assert private.is_private
    assert private.public_key().to_jwk() == A4_PUBLIC_JWK
    assert private.public_key() == jwt.Key.from_jwk(A4_PUBLIC_JWK)


def test_rfc8037_private_key_signs_like_the_reference() -> None:
    """Ed25519 is deterministic: the RFC key signs a JWT exactly as PyJWT does."""
    claims = {"sub": "rfc8037"}
    ours = jwt.encode(claims, A4_PRIVATE_JWK, "EdDSA")
    theirs = pyjwt.encode(claims, pyjwt.PyJWK(A4_PRIVATE_JWK), "EdDSA")
    assert ours == theirs
    assert jwt.decode(ours, A4_PUBLIC_JWK, algorithms=["EdDSA"]) == claims


@pytest.mark.parametrize(
    ("jwk", "kty", "curve", "private"),
    [
        (A1_JWK, "oct", None, True),
        (A2_PUBLIC_JWK, "RSA", None, False),
        (A3_PUBLIC_JWK, "EC", "P-256", False),
        (A4_PUBLIC_JWK, "OKP", "Ed25519", False),
    ],
)
def test_rfc_jwks_parse_to_the_expected_key_kind(
    jwk: dict[str, str], kty: str, curve: str | None, private: bool
) -> None:
    key = jwt.Key.from_jwk(jwk)
    assert key.kty == kty
    assert key.curve == curve
    if kty != "oct":
        assert key.is_private is private
        assert key.to_jwk() == jwk
