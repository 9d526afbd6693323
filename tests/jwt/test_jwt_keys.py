"""Key inputs -> native keys: pass-through, JWK dicts, cached ``cryptography`` conversion."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from ferrojwt import jwt
from ferrojwt.jwt import keys
from jwt_helpers import HMAC_SECRET, KeyPair, private_jwk


@pytest.mark.parametrize("value", [HMAC_SECRET, HMAC_SECRET.decode(), None])
def test_str_bytes_and_none_pass_through_untouched(value: Any) -> None:
    assert keys.native_key(value) is value


def test_key_objects_pass_through() -> None:
    key = jwt.Key.hmac(HMAC_SECRET)
    assert keys.native_key(key) is key


def test_pyjwk_gives_its_parsed_key(keypairs: dict[str, KeyPair]) -> None:
    jwk = jwt.PyJWK(private_jwk(keypairs["P-256"].public))
    assert keys.native_key(jwk) is jwk.key


def test_jwk_mapping_is_parsed(keypairs: dict[str, KeyPair]) -> None:
    data = private_jwk(keypairs["Ed25519"].public)
    assert keys.native_key(data) == jwt.Key.from_jwk(data)


@pytest.mark.parametrize("buffer", [bytearray, memoryview])
def test_byte_buffers_become_bytes(buffer: type) -> None:
    assert keys.native_key(buffer(HMAC_SECRET)) == HMAC_SECRET


@pytest.mark.parametrize("family", ["RSA", "P-256", "P-384", "P-521", "Ed25519"])
@pytest.mark.parametrize("half", ["private", "public"])
def test_cryptography_objects_become_the_same_key_as_their_pem(
    keypairs: dict[str, KeyPair], family: str, half: str
) -> None:
    pair = keypairs[family]
    obj = getattr(pair, half)
    pem = pair.private_pem if half == "private" else pair.public_pem
    native = keys.native_key(obj)
    assert isinstance(native, jwt.Key)
    assert native == jwt.Key.from_pem(pem)
    assert native.is_private is (half == "private")


def test_cryptography_conversion_is_cached_per_object(
    keypairs: dict[str, KeyPair], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    calls: list[Any] = []
    real_der = keys._der

    def counting_der(obj: Any) -> bytes:
        calls.append(obj)
        return real_der(obj)

    monkeypatch.setattr(keys, "_der", counting_der)
    fresh = ec.generate_private_key(ec.SECP256R1())  # not seen by any other test
    first = keys.native_key(fresh)
    second = keys.native_key(fresh)
    assert first is second
    assert calls == [fresh]


def test_cryptography_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    monkeypatch.setattr(keys, "_strong_cache", type(keys._strong_cache)())
    objects = [ed25519.Ed25519PrivateKey.generate() for _ in range(keys._STRONG_CACHE_SIZE + 5)]
    for obj in objects:
        keys.native_key(obj)
    assert len(keys._strong_cache) == keys._STRONG_CACHE_SIZE
    cached = {id(entry[0]) for entry in keys._strong_cache.values()}
    assert id(objects[0]) not in cached
    assert id(objects[-1]) in cached


def test_unsupported_cryptography_key_type_is_refused() -> None:
    from cryptography.hazmat.primitives.asymmetric import ed448

    with pytest.raises(jwt.InvalidKeyError, match="Unsupported cryptography key type"):
        key: Any = ed448.Ed448PrivateKey.generate()
        jwt.encode({"a": 1}, key, "EdDSA")


@pytest.mark.parametrize("value", [42, 4.2, ["k"], object()])
def test_other_types_are_refused(value: Any) -> None:
    with pytest.raises(TypeError, match="Expected a key"):
        keys.native_key(value)


def test_importing_the_api_imports_neither_cryptography_nor_django() -> None:
    code = (
        "import sys, ferrojwt, ferrojwt.jwt\n"
        "token = ferrojwt.jwt.encode({'a': 1}, 'k' * 32)\n"
        "assert ferrojwt.jwt.decode(token, 'k' * 32, algorithms=['HS256']) == {'a': 1}\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('cryptography', 'django'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
