"""Encode and decode a token with ferrojwt: HS256, then RS256 with a fresh key pair.

Run with ``make serve`` (or ``.venv/bin/python examples/roundtrip.py``). The RS256
part needs the optional ``cryptography`` package to generate the key pair.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import ferrojwt
from ferrojwt import jwt


def show(title: str, token: str, claims: dict[str, Any]) -> None:
    print(f"--- {title}")
    print(f"token:  {token}")
    print(f"header: {json.dumps(jwt.get_unverified_header(token))}")
    print(f"claims: {json.dumps(claims)}")


def hs256_roundtrip() -> None:
    secret = secrets.token_bytes(32)
    now = int(time.time())
    token = jwt.encode({"sub": "alice", "iat": now, "exp": now + 300}, secret, algorithm="HS256")
    show("HS256", token, jwt.decode(token, secret, algorithms=["HS256"]))


def rs256_roundtrip() -> None:
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
    except ImportError:
        print("--- RS256 skipped: install 'cryptography' to generate an RSA key pair")
        return
    private_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    private_key = jwt.Key.from_pem(private_pem)  # parsed once, reused for every call
    public_key = private_key.public_key()
    now = int(time.time())
    token = jwt.encode(
        {"sub": "bob", "iat": now, "exp": now + 300},
        private_key,
        algorithm="RS256",
        headers={"kid": "example-key"},
    )
    show("RS256", token, jwt.decode(token, public_key, algorithms=["RS256"]))
    print(f"public JWK: {json.dumps(public_key.to_jwk())}")


def main() -> None:
    print(f"ferrojwt {ferrojwt.__version__}")
    hs256_roundtrip()
    rs256_roundtrip()


if __name__ == "__main__":
    main()
