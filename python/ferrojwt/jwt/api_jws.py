"""``PyJWS``: the signature layer as a class, PyJWT's ``jwt.api_jws.PyJWS``.

A payload here is bytes, signed and returned as they are; the claims layer
(JSON payloads, ``exp`` and the rest) is :class:`ferrojwt.jwt.PyJWT`. The
native core does the work; this class keeps an instance's options and the
algorithms it allows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ferrojwt import _core

from .api import ALGORITHM_UNSET, _Unset, algorithms_for_jwk
from .exceptions import InvalidAlgorithmError
from .jwk import PyJWK
from .keys import native_key

if TYPE_CHECKING:
    from ferrojwt._core import JwsDecoded

    from .keys import SigningKey, VerifyingKey
    from .types import SigOptions

__all__ = ["PyJWS"]


class PyJWS:
    """Sign and verify arbitrary payloads (bytes).

    ``algorithms`` limits what this instance signs and verifies with (all of
    :data:`ferrojwt.jwt.ALGORITHMS` by default); ``options`` are its defaults
    (``verify_signature``, ``enforce_minimum_key_length``), which a call's
    ``options`` update.
    """

    header_typ = "JWT"

    def __init__(
        self,
        algorithms: Iterable[str] | None = None,
        options: SigOptions | Mapping[str, Any] | None = None,
    ) -> None:
        self._valid_algs: set[str] = (
            set(algorithms) if algorithms is not None else set(_core.ALGORITHMS)
        )
        defaults: dict[str, Any] = {"verify_signature": True, "enforce_minimum_key_length": False}
        self.options: dict[str, Any] = defaults if options is None else {**defaults, **options}

    def get_algorithms(self) -> list[str]:
        """The algorithm names this instance allows."""
        return list(self._valid_algs)

    def unregister_algorithm(self, alg_id: str) -> None:
        """Stop allowing ``alg_id``; KeyError when it is not allowed."""
        if alg_id not in self._valid_algs or alg_id not in _core.ALGORITHMS:
            raise KeyError(
                "The specified algorithm could not be removed because it is not registered."
            )
        self._valid_algs.remove(alg_id)

    def _implemented(self) -> set[str]:
        return self._valid_algs.intersection(_core.ALGORITHMS)

    def encode(
        self,
        payload: bytes,
        key: SigningKey,
        algorithm: str | _Unset | None = ALGORITHM_UNSET,
        headers: dict[str, Any] | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
        is_payload_detached: bool = False,
        sort_headers: bool = True,
    ) -> str:
        """Sign ``payload`` (bytes) as a compact JWS.

        ``is_payload_detached`` (RFC 7797) is refused: ferrojwt implements no
        JWS extension.
        """
        alg = _core.signing_algorithm(algorithm, key)
        if headers and headers.get("alg"):
            alg = headers["alg"]
        if alg not in self._implemented():
            raise NotImplementedError("Algorithm not supported")
        if is_payload_detached:
            headers = {**(headers or {}), "b64": False}  # the core refuses it, with its reason
        native = native_key(key)
        if native is None:
            raise TypeError("Expected a key to sign with, got None")
        return _core.jws_encode(
            payload,
            native,
            alg,
            headers,
            json_encoder,
            sort_headers,
            bool(self.options.get("enforce_minimum_key_length", False)),
        )

    def decode_complete(
        self,
        jwt: str | bytes,
        key: VerifyingKey | None = "",
        algorithms: Sequence[str] | None = None,
        options: SigOptions | Mapping[str, Any] | None = None,
        detached_payload: bytes | None = None,
        **kwargs: Any,
    ) -> JwsDecoded:
        """Verify ``jwt``; return ``{"header": dict, "payload": bytes, "signature": bytes}``."""
        merged = self.options if options is None else {**self.options, **options}
        if kwargs or detached_payload is not None:
            _core.legacy_arguments(
                "decode_complete", jwt, merged, None, detached_payload, kwargs, 2
            )
        verify = bool(merged["verify_signature"])
        if isinstance(key, PyJWK):
            algorithms = algorithms_for_jwk(jwt, key, algorithms, merged)
        if verify and algorithms and not self._valid_algs.issuperset(_core.ALGORITHMS):
            alg = _core.get_unverified_header(jwt).get("alg")
            if isinstance(alg, str) and alg in algorithms and alg not in self._valid_algs:
                raise InvalidAlgorithmError("Algorithm not supported")
        return _core.jws_decode_complete(
            jwt,
            native_key(key),
            algorithms,
            verify,
            bool(merged.get("enforce_minimum_key_length", False)),
        )

    def decode(
        self,
        jwt: str | bytes,
        key: VerifyingKey | None = "",
        algorithms: Sequence[str] | None = None,
        options: SigOptions | Mapping[str, Any] | None = None,
        detached_payload: bytes | None = None,
        **kwargs: Any,
    ) -> bytes:
        """Verify ``jwt`` and return its payload bytes."""
        if kwargs:
            _core.legacy_arguments("decode", jwt, None, None, None, kwargs, 2)
        payload: bytes = self.decode_complete(jwt, key, algorithms, options, detached_payload)[
            "payload"
        ]
        return payload

    def get_unverified_header(self, jwt: str | bytes) -> dict[str, Any]:
        """The header of ``jwt``, unverified: never choose the algorithm from it."""
        return _core.get_unverified_header(jwt)
