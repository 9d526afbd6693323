"""OpenSSH public keys (``authorized_keys`` lines) verify tokens, as they do in PyJWT."""

from __future__ import annotations

import base64
import struct

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from ferrojwt import jwt
from jwt_helpers import NOW, KeyPair

#: An algorithm per key family, and the OpenSSH type name its public key has.
CASES = [
    ("RS256", "RSA", "ssh-rsa"),
    ("PS384", "RSA", "ssh-rsa"),
    ("ES256", "P-256", "ecdsa-sha2-nistp256"),
    ("ES384", "P-384", "ecdsa-sha2-nistp384"),
    ("ES512", "P-521", "ecdsa-sha2-nistp521"),
    ("EdDSA", "Ed25519", "ssh-ed25519"),
]


def openssh(pair: KeyPair, comment: bytes = b"") -> bytes:
    line = pair.public.public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return line + b" " + comment if comment else line


def wire(*fields: bytes) -> bytes:
    return b"".join(struct.pack(">I", len(field)) + field for field in fields)


def line(name: str, blob: bytes) -> bytes:
    return name.encode() + b" " + base64.b64encode(blob)


@pytest.mark.parametrize(("algorithm", "family", "ssh_type"), CASES)
def test_openssh_public_key_verifies_tokens(
    keypairs: dict[str, KeyPair], algorithm: str, family: str, ssh_type: str
) -> None:
    pair = keypairs[family]
    public = openssh(pair, b"alice@example")
    assert public.startswith(ssh_type.encode() + b" ")
    token = jwt.encode({"sub": "alice"}, pair.private, algorithm=algorithm)
    for key in (public, public.decode(), jwt.Key.from_ssh(public)):
        assert jwt.decode(token, key, algorithms=[algorithm], now=NOW) == {"sub": "alice"}
    # The same key verifies what PyJWT signed, and PyJWT accepts it too.
    theirs = pyjwt.encode({"sub": "bob"}, pair.private, algorithm=algorithm)
    assert jwt.decode(theirs, public, algorithms=[algorithm]) == {"sub": "bob"}
    assert pyjwt.decode(token, public, algorithms=[algorithm]) == {"sub": "alice"}


@pytest.mark.parametrize(("algorithm", "family", "ssh_type"), CASES)
def test_openssh_key_is_the_same_key_as_its_pem(
    keypairs: dict[str, KeyPair], algorithm: str, family: str, ssh_type: str
) -> None:
    pair = keypairs[family]
    from_ssh = jwt.Key.from_ssh(openssh(pair))
    assert from_ssh == jwt.Key.from_pem(pair.public_pem)
    assert not from_ssh.is_private


def test_openssh_key_of_another_signer_fails_the_signature(
    keypairs: dict[str, KeyPair], other_keypairs: dict[str, KeyPair]
) -> None:
    token = jwt.encode({"sub": "alice"}, keypairs["Ed25519"].private, algorithm="EdDSA")
    with pytest.raises(jwt.InvalidSignatureError, match="Signature verification failed"):
        jwt.decode(token, openssh(other_keypairs["Ed25519"]), algorithms=["EdDSA"])


def test_openssh_key_of_the_wrong_family_is_refused(keypairs: dict[str, KeyPair]) -> None:
    token = jwt.encode({"sub": "alice"}, keypairs["P-256"].private, algorithm="ES256")
    with pytest.raises(
        jwt.InvalidKeyError, match="An RSA public key cannot be used with the ES256 algorithm"
    ):
        jwt.decode(token, openssh(keypairs["RSA"]), algorithms=["ES256"])
    with pytest.raises(
        jwt.InvalidKeyError, match="An EC P-384 public key cannot be used with the ES256 algorithm"
    ):
        jwt.decode(token, openssh(keypairs["P-384"]), algorithms=["ES256"])


def test_openssh_public_key_cannot_sign(keypairs: dict[str, KeyPair]) -> None:
    with pytest.raises(jwt.InvalidKeyError, match="A public key cannot sign"):
        jwt.encode({"sub": "alice"}, openssh(keypairs["Ed25519"]), algorithm="EdDSA")


def test_openssh_key_is_never_an_hmac_secret(keypairs: dict[str, KeyPair]) -> None:
    with pytest.raises(jwt.InvalidKeyError, match="cannot be used as an HMAC secret"):
        jwt.encode({"sub": "admin"}, openssh(keypairs["Ed25519"]), algorithm="HS256")


ED25519_RAW = bytes(range(32))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b"ssh-ed25519", 'expected "<type> <base64>"'),
        (b"ssh-dss AAAAB3NzaC1kc3M=", "unsupported key type"),
        (b"ssh-ed25519 not*base64", "not base64"),
        (line("ssh-ed25519", wire(b"ssh-rsa", ED25519_RAW)), "names another key type"),
        (line("ssh-ed25519", wire(b"ssh-ed25519", ED25519_RAW[:31])), "not 32 bytes"),
        (line("ssh-ed25519", wire(b"ssh-ed25519", ED25519_RAW)[:-1]), "truncated"),
        (line("ssh-ed25519", wire(b"ssh-ed25519", ED25519_RAW, b"x")), "trailing bytes"),
        (line("ssh-ed25519", b"\xff\xff\xff\xffssh-ed25519"), "truncated"),
        (line("ssh-rsa", wire(b"ssh-rsa", b"\x81", b"\x01")), "zero or negative"),
        (line("ssh-rsa", wire(b"ssh-rsa", b"\x01\x00\x01", b"\x00\xc1" * 64)), "2048 bits"),
        (
            line("ecdsa-sha2-nistp256", wire(b"ecdsa-sha2-nistp256", b"nistp384", b"\x04" * 65)),
            "curve does not match",
        ),
        (
            line("ecdsa-sha2-nistp256", wire(b"ecdsa-sha2-nistp256", b"nistp256", b"\x04" * 65)),
            "EC public key",
        ),
    ],
)
def test_malformed_openssh_key_is_refused_with_its_reason(text: bytes, reason: str) -> None:
    with pytest.raises(jwt.InvalidKeyError, match=reason):
        jwt.Key.from_ssh(text)
    token = jwt.encode({"a": 1}, jwt.Key.from_pem(_ED25519_PRIVATE), algorithm="EdDSA")
    with pytest.raises(jwt.InvalidKeyError, match=reason):
        jwt.decode(token, text, algorithms=["EdDSA"])


_ED25519_PRIVATE = (
    b"-----BEGIN PRIVATE KEY-----\n"
    b"MC4CAQAwBQYDK2VwBCIEIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f\n"
    b"-----END PRIVATE KEY-----\n"
)
