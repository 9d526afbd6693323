"""``PyJWK`` and ``PyJWKSet``: JSON Web Keys (RFC 7517) bound to an algorithm.

The key material is parsed once by the native core into a :class:`Key`; these
classes only pick the algorithm the way PyJWT does and keep the JWK members.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ferrojwt._core import ALGORITHMS, Key, coerce_key

from .exceptions import InvalidKeyError, PyJWKError, PyJWKSetError, PyJWTError

__all__ = ["PyJWK", "PyJWKSet"]

_EC_ALGORITHMS = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512", "secp256k1": "ES256K"}


def _default_algorithm(jwk: Mapping[str, Any], kty: str) -> str:
    """The algorithm PyJWT infers for a JWK without ``alg``."""
    crv = jwk.get("crv")
    if kty == "EC":
        if not crv:
            return "ES256"
        if crv in _EC_ALGORITHMS:
            return _EC_ALGORITHMS[crv]
        raise InvalidKeyError(f"Unsupported crv: {crv}")
    if kty == "RSA":
        return "RS256"
    if kty == "oct":
        return "HS256"
    if kty == "OKP":
        if not crv:
            raise InvalidKeyError(f"crv is not found: {_describe(jwk)}")
        if crv == "Ed25519":
            return "EdDSA"
        raise InvalidKeyError(f"Unsupported crv: {crv}")
    raise InvalidKeyError(f"Unsupported kty: {kty}")


def _describe(jwk: Mapping[str, Any]) -> str:
    """The JWK for an error message: its public members only, never key material."""
    shown = ("kty", "kid", "alg", "use", "crv")
    return str({name: jwk[name] for name in shown if name in jwk})


class PyJWK:
    """One JSON Web Key, parsed by the native core and bound to one algorithm.

    ``algorithm`` defaults to the JWK's ``alg`` member, else to what its
    ``kty`` (and ``crv``) imply: RS256, ES256/384/512, HS256 or EdDSA.
    """

    key: Key
    algorithm_name: str

    def __init__(self, jwk_data: Mapping[str, Any], algorithm: str | None = None) -> None:
        if not isinstance(jwk_data, Mapping):
            raise InvalidKeyError("A JWK must be a JSON object")
        self._jwk_data: dict[str, Any] = dict(jwk_data)
        kty = self._jwk_data.get("kty")
        if not kty:
            raise InvalidKeyError(f"kty is not found: {_describe(self._jwk_data)}")
        if not algorithm:
            algorithm = self._jwk_data.get("alg") or _default_algorithm(self._jwk_data, kty)
        if algorithm not in ALGORITHMS:
            raise PyJWKError(f"Unable to find an algorithm for key: {_describe(self._jwk_data)}")
        self.algorithm_name = algorithm
        try:
            key = Key.from_jwk(self._jwk_data)
        except (TypeError, ValueError) as error:
            raise InvalidKeyError(f"Unable to construct key from JWK: {error}") from error
        # The family check (an RSA JWK cannot serve ES256, ...) is the core's.
        self.key = coerce_key(key, algorithm)

    @staticmethod
    def from_dict(obj: Mapping[str, Any], algorithm: str | None = None) -> PyJWK:
        return PyJWK(obj, algorithm)

    @staticmethod
    def from_json(data: str | bytes, algorithm: str | None = None) -> PyJWK:
        return PyJWK.from_dict(json.loads(data), algorithm)

    @property
    def key_type(self) -> str | None:
        """The ``kty`` member."""
        return self._jwk_data.get("kty")

    @property
    def key_id(self) -> str | None:
        """The ``kid`` member."""
        return self._jwk_data.get("kid")

    @property
    def public_key_use(self) -> str | None:
        """The ``use`` member (``"sig"``, ``"enc"`` or None)."""
        return self._jwk_data.get("use")

    def __repr__(self) -> str:
        return f"PyJWK(kty={self.key_type!r}, kid={self.key_id!r}, alg={self.algorithm_name!r})"


class PyJWKSet:
    """A JWK Set: the usable keys of a ``{"keys": [...]}`` document.

    Members that are not JWK objects, or that cannot be used, are skipped;
    a set left with no key is an error.
    """

    keys: list[PyJWK]

    def __init__(self, keys: list[Any]) -> None:
        self.keys = []
        if not keys:
            raise PyJWKSetError("The JWK Set did not contain any keys")
        if not isinstance(keys, list):
            raise PyJWKSetError("Invalid JWK Set value")
        for jwk in keys:
            if not isinstance(jwk, Mapping):
                continue
            try:
                self.keys.append(PyJWK(jwk))
            except PyJWTError:
                continue
        if not self.keys:
            raise PyJWKSetError("The JWK Set did not contain any usable keys")

    @staticmethod
    def from_dict(obj: Mapping[str, Any]) -> PyJWKSet:
        return PyJWKSet(obj.get("keys", []))

    @staticmethod
    def from_json(data: str | bytes) -> PyJWKSet:
        obj = json.loads(data)
        if not isinstance(obj, dict):
            raise PyJWKSetError("Invalid JWK Set value")
        return PyJWKSet.from_dict(obj)

    def __getitem__(self, kid: str) -> PyJWK:
        for jwk in self.keys:
            if jwk.key_id == kid:
                return jwk
        raise KeyError(f"keyset has no key for kid: {kid}")

    def __iter__(self) -> Iterator[PyJWK]:
        return iter(self.keys)

    def __len__(self) -> int:
        return len(self.keys)
