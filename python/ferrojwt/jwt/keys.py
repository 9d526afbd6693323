"""Turning the keys users pass into what the native core takes.

* a :class:`Key` passes straight through; ``str``/``bytes`` too (the core
  parses and caches them itself, per algorithm);
* a :class:`PyJWK` gives its parsed ``.key``;
* a mapping is a JWK (``Key.from_jwk``);
* a ``cryptography`` RSA, EC or Ed25519 key object, private or public, is
  serialized once to DER (PKCS#8 / SPKI) and parsed by ``Key.from_der``.
  The result is cached per object. ``cryptography`` is imported only when
  such an object is seen.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

from ferrojwt._core import Key

from .exceptions import InvalidKeyError
from .jwk import PyJWK

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import (
        EllipticCurvePrivateKey,
        EllipticCurvePublicKey,
    )
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

    CryptographyPrivateKey: TypeAlias = RSAPrivateKey | EllipticCurvePrivateKey | Ed25519PrivateKey
    CryptographyPublicKey: TypeAlias = RSAPublicKey | EllipticCurvePublicKey | Ed25519PublicKey
    #: What ``encode`` signs with.
    SigningKey: TypeAlias = Key | str | bytes | PyJWK | Mapping[str, Any] | CryptographyPrivateKey
    #: What ``decode`` verifies with.
    VerifyingKey: TypeAlias = SigningKey | CryptographyPublicKey

__all__ = ["native_key"]

#: How many ``cryptography`` objects that refuse weak references stay cached.
_STRONG_CACHE_SIZE = 32

_lock = threading.Lock()
_weak_cache: weakref.WeakKeyDictionary[Any, Key] = weakref.WeakKeyDictionary()
# Keyed by id(); each entry keeps its object alive so the id cannot be reused.
_strong_cache: OrderedDict[int, tuple[Any, Key]] = OrderedDict()


def native_key(key: Any) -> Key | str | bytes | None:
    """What the native core is given for ``key``. None stays None (unsigned or unverified)."""
    if key is None or isinstance(key, (Key, str, bytes)):
        return key
    if isinstance(key, PyJWK):
        return key.key
    if isinstance(key, Mapping):
        return Key.from_jwk(key)
    if isinstance(key, (bytearray, memoryview)):
        return bytes(key)
    if type(key).__module__.startswith("cryptography."):
        return _cryptography_key(key)
    raise TypeError(
        "Expected a key as str, bytes, Key, PyJWK, a JWK mapping or a cryptography key "
        f"object, got {type(key).__name__}"
    )


def _cryptography_key(obj: Any) -> Key:
    cached = _cache_get(obj)
    if cached is not None:
        return cached
    key = Key.from_der(_der(obj))
    _cache_put(obj, key)
    return key


def _der(obj: Any) -> bytes:
    """PKCS#8 DER of a private key object, SPKI DER of a public one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    private = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)
    public = (rsa.RSAPublicKey, ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey)
    if isinstance(obj, private):
        return obj.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    if isinstance(obj, public):
        return obj.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    raise InvalidKeyError(f"Unsupported cryptography key type: {type(obj).__name__}")


def _cache_get(obj: Any) -> Key | None:
    with _lock:
        try:
            return _weak_cache.get(obj)
        except TypeError:  # neither weakly referenceable nor hashable
            pass
        entry = _strong_cache.get(id(obj))
        if entry is None or entry[0] is not obj:
            return None
        _strong_cache.move_to_end(id(obj))
        return entry[1]


def _cache_put(obj: Any, key: Key) -> None:
    with _lock:
        try:
            _weak_cache[obj] = key
            return
        except TypeError:
            pass
        _strong_cache[id(obj)] = (obj, key)
        while len(_strong_cache) > _STRONG_CACHE_SIZE:
            _strong_cache.popitem(last=False)
