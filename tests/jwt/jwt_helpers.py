"""Token surgery for the ``ferrojwt.jwt`` tests: split, forge and re-sign compact JWS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization

#: HMAC secret long enough for HS512 (PyJWT warns below the digest size).
HMAC_SECRET = b"s" * 32 + b"e" * 32

HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")
RSA_ALGORITHMS = ("RS256", "RS384", "RS512")
PSS_ALGORITHMS = ("PS256", "PS384", "PS512")
EC_ALGORITHMS = ("ES256", "ES384", "ES512")
ALL_ALGORITHMS = HMAC_ALGORITHMS + RSA_ALGORITHMS + PSS_ALGORITHMS + EC_ALGORITHMS + ("EdDSA",)
#: Algorithms whose signatures are a function of key and input only.
DETERMINISTIC_ALGORITHMS = (*HMAC_ALGORITHMS, *RSA_ALGORITHMS, "EdDSA")

#: Which generated key pair serves which asymmetric algorithm.
FAMILY = {
    **dict.fromkeys(RSA_ALGORITHMS + PSS_ALGORITHMS, "RSA"),
    "ES256": "P-256",
    "ES384": "P-384",
    "ES512": "P-521",
    "EdDSA": "Ed25519",
}


#: A fixed "now" for claim checks: 2023-11-14T22:13:20Z.
NOW = 1_700_000_000

_HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def segments(token: str) -> tuple[bytes, bytes, bytes]:
    """The decoded header, payload and signature octets of a compact JWS."""
    header, payload, signature = token.split(".")
    return b64url_decode(header), b64url_decode(payload), b64url_decode(signature)


def as_json(value: Any) -> bytes:
    """Raw bytes pass through; anything else is compact JSON."""
    if isinstance(value, bytes):
        return value
    return json.dumps(value, separators=(",", ":")).encode()


def forge(
    header: Any,
    payload: Any,
    secret: bytes = HMAC_SECRET,
    algorithm: str = "HS256",
) -> str:
    """A compact JWS with exactly these header and payload octets, HMAC-signed.

    The signature is valid, so a refusal is about the content, not the MAC.
    """
    signing_input = f"{b64url_encode(as_json(header))}.{b64url_encode(as_json(payload))}"
    mac = hmac.new(secret, signing_input.encode(), _HASHES[algorithm]).digest()
    return f"{signing_input}.{b64url_encode(mac)}"


def private_jwk(key: Any) -> dict[str, Any]:
    """The JWK of a ``cryptography`` key (private or public), as PyJWT, the reference, writes it."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return RSAAlgorithm.to_jwk(key, as_dict=True)
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return ECAlgorithm.to_jwk(key, as_dict=True)
    return OKPAlgorithm.to_jwk(key, as_dict=True)


public_jwk = private_jwk


@dataclass(frozen=True)
class KeyPair:
    """One asymmetric key pair as ``cryptography`` objects and as PEM."""

    private: Any
    public: Any

    @property
    def private_pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def public_pem(self) -> bytes:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
