"""``encode``, ``decode``, ``decode_complete`` and ``get_unverified_header``.

These shape arguments and call the native core, which does all the byte work
and every check (signature, algorithms, claims) in PyJWT's order.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ferrojwt import _core
from ferrojwt._core import Key

from .exceptions import InvalidAlgorithmError
from .jwk import PyJWK
from .keys import native_key

if TYPE_CHECKING:
    from ferrojwt._core import Decoded, DecodeOptions

    from .keys import SigningKey, VerifyingKey

__all__ = ["decode", "decode_complete", "encode", "get_unverified_header"]


def encode(
    payload: dict[str, Any],
    key: SigningKey,
    algorithm: str | None = "HS256",
    headers: dict[str, Any] | None = None,
    json_encoder: type[json.JSONEncoder] | None = None,
    sort_headers: bool = True,
) -> str:
    """Sign ``payload`` as a compact JWS; the same bytes as PyJWT's ``jwt.encode``.

    With a :class:`PyJWK` and ``algorithm=None`` the key's algorithm is used.
    ``datetime`` values of ``exp``, ``iat`` and ``nbf`` become NumericDates.
    """
    native: Key | str | bytes | None
    if type(key) is Key:
        native = key
    else:
        if algorithm is None and isinstance(key, PyJWK):
            algorithm = key.algorithm_name
        native = native_key(key)
        if native is None:
            raise TypeError("Expected a key to sign with, got None")
    return _core.encode(payload, native, algorithm, headers, json_encoder, sort_headers)


def decode_complete(
    jwt: str | bytes,
    key: VerifyingKey | None = "",
    algorithms: Sequence[str] | None = None,
    options: DecodeOptions | Mapping[str, Any] | None = None,
    audience: str | Iterable[str] | None = None,
    issuer: str | Iterable[str] | None = None,
    subject: str | None = None,
    leeway: float | timedelta = 0,
    *,
    now: float | datetime | None = None,
) -> Decoded:
    """Verify ``jwt`` and return ``{"header": ..., "payload": ..., "signature": ...}``.

    ``algorithms`` is required when the signature is verified. ``now`` (seconds
    since the epoch, or an aware datetime) defaults to the clock at call time.
    """
    if isinstance(key, PyJWK):
        algorithms = _algorithms_for_jwk(key, algorithms, options)
    return _core.decode_complete(
        jwt,
        native_key(key),
        algorithms,
        _options(options),
        audience,
        issuer,
        subject,
        _seconds(leeway, "leeway"),
        time.time() if now is None else _timestamp(now),
    )


def decode(
    jwt: str | bytes,
    key: VerifyingKey | None = "",
    algorithms: Sequence[str] | None = None,
    options: DecodeOptions | Mapping[str, Any] | None = None,
    audience: str | Iterable[str] | None = None,
    issuer: str | Iterable[str] | None = None,
    subject: str | None = None,
    leeway: float | timedelta = 0,
    *,
    now: float | datetime | None = None,
) -> dict[str, Any]:
    """Verify ``jwt`` and return its claims (see :func:`decode_complete`)."""
    # The common case (a Key or str/bytes key, a float or int leeway, a dict or
    # no options) costs one type test each before the native call.
    if type(key) is not Key:
        if isinstance(key, PyJWK):
            algorithms = _algorithms_for_jwk(key, algorithms, options)
        key = native_key(key)
    return _core.decode(
        jwt,
        key,
        algorithms,
        options if options is None or type(options) is dict else _options(options),  # type: ignore[arg-type]
        audience,
        issuer,
        subject,
        leeway if type(leeway) in _NUMBERS else _seconds(leeway, "leeway"),  # type: ignore[arg-type]
        _time() if now is None else _timestamp(now),
    )


_NUMBERS = (int, float)
_time = time.time


def get_unverified_header(jwt: str | bytes) -> dict[str, Any]:
    """The header of ``jwt``, unverified: never choose the algorithm from it."""
    return _core.get_unverified_header(jwt)


def _algorithms_for_jwk(
    jwk: PyJWK, algorithms: Sequence[str] | None, options: Mapping[str, Any] | None
) -> Sequence[str] | None:
    """A PyJWK verifies with its own algorithm only, as in PyJWT."""
    if algorithms is None:
        return [jwk.algorithm_name]
    verifying = options is None or options.get("verify_signature", True)
    if verifying and algorithms and jwk.algorithm_name not in algorithms:
        raise InvalidAlgorithmError(
            f"The key's algorithm {jwk.algorithm_name!r} is not among the allowed algorithms"
        )
    return [jwk.algorithm_name] if verifying and algorithms else algorithms


def _options(options: Mapping[str, Any] | None) -> DecodeOptions | None:
    """The core reads a dict; any other mapping is copied into one."""
    if options is None or isinstance(options, dict):
        return options  # type: ignore[return-value]
    return dict(options)  # type: ignore[return-value]


def _seconds(value: float | timedelta, name: str) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (int, float)):
        return float(value)
    raise TypeError(f"{name} must be a number of seconds or a timedelta")


def _timestamp(now: float | datetime) -> float:
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise ValueError("now must be an aware datetime (or seconds since the epoch)")
        return now.timestamp()
    if isinstance(now, (int, float)):
        return float(now)
    raise TypeError("now must be seconds since the epoch or an aware datetime")
