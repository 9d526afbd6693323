"""Keys shared by the ``ferrojwt.jwt`` tests, generated once per session."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt_helpers import FAMILY, HMAC_ALGORITHMS, HMAC_SECRET, KeyPair


def _pair(private: Any) -> KeyPair:
    return KeyPair(private=private, public=private.public_key())


def _fresh_keypairs() -> dict[str, KeyPair]:
    return {
        "RSA": _pair(rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "P-256": _pair(ec.generate_private_key(ec.SECP256R1())),
        "P-384": _pair(ec.generate_private_key(ec.SECP384R1())),
        "P-521": _pair(ec.generate_private_key(ec.SECP521R1())),
        "Ed25519": _pair(ed25519.Ed25519PrivateKey.generate()),
    }


@pytest.fixture(scope="session")
def keypairs() -> dict[str, KeyPair]:
    """RSA-2048, P-256, P-384, P-521 and Ed25519 key pairs."""
    return _fresh_keypairs()


@pytest.fixture(scope="session")
def other_keypairs() -> dict[str, KeyPair]:
    """A second, unrelated pair per family: a valid key that is not the signer's."""
    return _fresh_keypairs()


@pytest.fixture(scope="session")
def pem_keys(keypairs: dict[str, KeyPair]) -> dict[str, tuple[bytes, bytes]]:
    """``algorithm -> (signing key, verifying key)`` as PyJWT takes them (secret or PEM)."""
    keys: dict[str, tuple[bytes, bytes]] = dict.fromkeys(
        HMAC_ALGORITHMS, (HMAC_SECRET, HMAC_SECRET)
    )
    for algorithm, family in FAMILY.items():
        pair = keypairs[family]
        keys[algorithm] = (pair.private_pem, pair.public_pem)
    return keys
