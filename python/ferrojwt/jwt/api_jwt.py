"""``PyJWT``: the claims layer as a class, PyJWT's ``jwt.PyJWT``.

An instance holds default decode options; each call's ``options`` update
them the way PyJWT merges them. The work is the module functions' (and so
the native core's).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ferrojwt import _core

from . import api
from .api import ALGORITHM_UNSET, _Unset

if TYPE_CHECKING:
    from ferrojwt._core import Decoded

    from .keys import SigningKey, VerifyingKey
    from .types import Options

__all__ = ["PyJWT"]

_CLAIM_CHECKS = (
    "verify_exp",
    "verify_nbf",
    "verify_iat",
    "verify_aud",
    "verify_iss",
    "verify_sub",
    "verify_jti",
)


class PyJWT:
    """Encode and decode JWTs with this instance's default ``options``."""

    def __init__(self, options: Options | Mapping[str, Any] | None = None) -> None:
        self.options: dict[str, Any] = {
            "verify_signature": True,
            **dict.fromkeys(_CLAIM_CHECKS, True),
            "require": [],
            "strict_aud": False,
            "enforce_minimum_key_length": False,
        }
        if options is not None:
            self.options = self._merge_options(options)

    def _merge_options(self, options: Mapping[str, Any] | None) -> dict[str, Any]:
        """This instance's options updated with ``options``; without signature
        verification the claim checks default to off, as in PyJWT."""
        if options is None:
            return self.options
        given = dict(options)
        if not given.get("verify_signature", True):
            for check in _CLAIM_CHECKS:
                given.setdefault(check, False)
        return {**self.options, **given}

    def encode(
        self,
        payload: dict[str, Any],
        key: SigningKey,
        algorithm: str | _Unset | None = ALGORITHM_UNSET,
        headers: dict[str, Any] | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
        sort_headers: bool = True,
    ) -> str:
        """As :func:`ferrojwt.jwt.encode`, with this instance's key-length option."""
        return _core.sign_claims(
            payload,
            key,
            algorithm,
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
        options: Options | Mapping[str, Any] | None = None,
        verify: bool | None = None,
        detached_payload: bytes | None = None,
        audience: str | Iterable[str] | None = None,
        issuer: str | Iterable[str] | None = None,
        subject: str | None = None,
        leeway: float | timedelta = 0,
        *,
        now: float | datetime | None = None,
        **kwargs: Any,
    ) -> Decoded:
        """As :func:`ferrojwt.jwt.decode_complete`, with this instance's options."""
        if kwargs or verify is not None or detached_payload is not None:
            _core.legacy_arguments(
                "decode_complete", jwt, options, verify, detached_payload, kwargs, 2
            )
        merged = self._merge_options(options)
        # As in PyJWT, whether the signature is checked is the call's choice
        # (default: checked); the instance's options give the claim checks.
        merged["verify_signature"] = (
            True if options is None else options.get("verify_signature", True)
        )
        return api.decode_complete(
            jwt, key, algorithms, merged, None, None, audience, issuer, subject, leeway, now=now
        )

    def decode(
        self,
        jwt: str | bytes,
        key: VerifyingKey | None = "",
        algorithms: Sequence[str] | None = None,
        options: Options | Mapping[str, Any] | None = None,
        verify: bool | None = None,
        detached_payload: bytes | None = None,
        audience: str | Iterable[str] | None = None,
        subject: str | None = None,
        issuer: str | Iterable[str] | None = None,
        leeway: float | timedelta = 0,
        *,
        now: float | datetime | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """As :func:`ferrojwt.jwt.decode`, with this instance's options."""
        if kwargs or verify is not None:
            # Here, so that the warnings point at this method's caller.
            _core.legacy_arguments("decode", jwt, options, verify, None, kwargs, 2)
        payload: dict[str, Any] = self.decode_complete(
            jwt,
            key,
            algorithms,
            options,
            None,
            detached_payload,
            audience,
            issuer,
            subject,
            leeway,
            now=now,
        )["payload"]
        return payload
