"""``encode``, ``decode``, ``decode_complete`` and ``get_unverified_header``.

These shape arguments and call the native core, which does all the byte work
and every check (signature, algorithms, claims) in PyJWT's order.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from ferrojwt import _core
from ferrojwt._core import Key

from .exceptions import DecodeError, InvalidAlgorithmError
from .jwk import PyJWK
from .keys import native_key
from .warnings import RemovedInPyjwt3Warning

if TYPE_CHECKING:
    from ferrojwt._core import Decoded, DecodeOptions

    from .keys import SigningKey, VerifyingKey

__all__ = ["decode", "decode_complete", "encode", "get_unverified_header"]


class _Unset:
    """The type of :data:`ALGORITHM_UNSET`."""

    def __repr__(self) -> str:
        return "<algorithm not given>"


#: ``encode``'s default algorithm: HS256, or the algorithm of a :class:`PyJWK` key.
ALGORITHM_UNSET: Final = _Unset()


def encode(
    payload: dict[str, Any],
    key: SigningKey,
    algorithm: str | _Unset | None = ALGORITHM_UNSET,
    headers: dict[str, Any] | None = None,
    json_encoder: type[json.JSONEncoder] | None = None,
    sort_headers: bool = True,
) -> str:
    """Sign ``payload`` as a compact JWS; the same bytes as PyJWT's ``jwt.encode``.

    ``algorithm`` defaults to HS256, or to the algorithm of a :class:`PyJWK`
    key (also when None). ``datetime`` values of ``exp``, ``iat`` and ``nbf``
    become NumericDates. A ``headers["alg"]`` wins over ``algorithm``.
    """
    # The common case (a named algorithm, a Key or str/bytes key) goes straight
    # to the core: there is nothing to resolve.
    if type(algorithm) is str and type(key) in _NATIVE_KEYS:
        return _core.encode(payload, key, algorithm, headers, json_encoder, sort_headers)  # type: ignore[arg-type]
    return sign_claims(payload, key, algorithm, headers, json_encoder, sort_headers, False)


_NATIVE_KEYS = (Key, str, bytes)


def sign_claims(
    payload: dict[str, Any],
    key: SigningKey,
    algorithm: str | _Unset | None,
    headers: dict[str, Any] | None,
    json_encoder: type[json.JSONEncoder] | None,
    sort_headers: bool,
    enforce_minimum_key_length: bool,
) -> str:
    """``encode`` with PyJWT's ``enforce_minimum_key_length`` option."""
    native: Key | str | bytes | None
    if type(key) is Key:
        native = key
    else:
        native = native_key(key)
        if native is None:
            raise TypeError("Expected a key to sign with, got None")
    return _core.encode(
        payload,
        native,
        resolve_algorithm(algorithm, key),
        headers,
        json_encoder,
        sort_headers,
        enforce_minimum_key_length,
    )


def resolve_algorithm(algorithm: str | _Unset | None, key: object) -> str | None:
    """PyJWT's choice of signing algorithm: a :class:`PyJWK` brings its own
    when none is given; otherwise HS256 when unset. None stays None (PyJWT's
    ``none``, which ferrojwt refuses)."""
    if isinstance(algorithm, str):
        return algorithm
    if isinstance(key, PyJWK):
        return key.algorithm_name
    return "HS256" if algorithm is ALGORITHM_UNSET else None


def decode_complete(
    jwt: str | bytes,
    key: VerifyingKey | None = "",
    algorithms: Sequence[str] | None = None,
    options: DecodeOptions | Mapping[str, Any] | None = None,
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
    """Verify ``jwt`` and return ``{"header": ..., "payload": ..., "signature": ...}``.

    ``algorithms`` is required when the signature is verified. ``now`` (seconds
    since the epoch, or an aware datetime) defaults to the clock at call time.
    ``verify`` (PyJWT 1's switch) does nothing and warns when it contradicts
    ``options["verify_signature"]``, as in PyJWT; other keyword arguments warn
    with :class:`RemovedInPyjwt3Warning` and are ignored.
    """
    if kwargs or verify is not None or detached_payload is not None:
        legacy_arguments("decode_complete", jwt, options, verify, detached_payload, kwargs)
    if isinstance(key, PyJWK):
        algorithms = algorithms_for_jwk(jwt, key, algorithms, options)
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
    """Verify ``jwt`` and return its claims (see :func:`decode_complete`).

    The positional order is PyJWT's (``subject`` before ``issuer`` here, after
    it in ``decode_complete``).
    """
    if kwargs or verify is not None or detached_payload is not None:
        legacy_arguments("decode", jwt, options, verify, detached_payload, kwargs)
    # The common case (a Key or str/bytes key, a float or int leeway, a dict or
    # no options) costs one type test each before the native call.
    if type(key) is not Key:
        if isinstance(key, PyJWK):
            algorithms = algorithms_for_jwk(jwt, key, algorithms, options)
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


def legacy_arguments(
    function: str,
    jwt: str | bytes,
    options: Mapping[str, Any] | None,
    verify: bool | None,
    detached_payload: bytes | None,
    kwargs: Mapping[str, Any],
) -> None:
    """PyJWT's answers to arguments it keeps only for compatibility.

    Unknown keyword arguments warn (RemovedInPyjwt3Warning); ``verify``
    warns (DeprecationWarning) when it contradicts ``verify_signature``;
    ``detached_payload`` is refused, as PyJWT refuses it for a token whose
    header has no ``"b64": false`` (and ferrojwt accepts no such token).
    """
    if kwargs:
        warnings.warn(
            f"passing additional kwargs to {function}() is deprecated and will be removed in "
            f"pyjwt version 3. Unsupported kwargs: {tuple(kwargs)}",
            RemovedInPyjwt3Warning,
            stacklevel=3,
        )
    verify_signature = True if options is None else options.get("verify_signature", True)
    if verify is not None and verify != verify_signature:
        warnings.warn(
            "The `verify` argument to `decode` does nothing in PyJWT 2.0 and newer. The "
            "equivalent is setting `verify_signature` to False in the `options` dictionary. "
            "This invocation has a mismatch between the kwarg and the option entry.",
            DeprecationWarning,
            stacklevel=3,
        )
    if detached_payload is not None:
        # A malformed token or header fails as itself first, as in PyJWT.
        _core.jws_decode_complete(jwt, None, None, False, False)
        raise DecodeError(
            'It is only valid to pass "detached_payload" when the protected header has "b64" '
            "set to false."
        )


def get_unverified_header(jwt: str | bytes) -> dict[str, Any]:
    """The header of ``jwt``, unverified: never choose the algorithm from it."""
    return _core.get_unverified_header(jwt)


def algorithms_for_jwk(
    jwt: str | bytes,
    jwk: PyJWK,
    algorithms: Sequence[str] | None,
    options: Mapping[str, Any] | None,
) -> Sequence[str] | None:
    """A PyJWK verifies with its own algorithm only, as in PyJWT: with
    ``algorithms`` None it allows that one; a token whose (allowed) ``alg`` is
    another is refused, naming both."""
    if options is not None and not options.get("verify_signature", True):
        return algorithms
    if algorithms is None:
        algorithms = [jwk.algorithm_name]
    alg = _core.get_unverified_header(jwt).get("alg")
    if not isinstance(alg, str) or alg not in algorithms:
        return algorithms  # the core refuses: "not specified" / "not allowed"
    if alg != jwk.algorithm_name:
        raise InvalidAlgorithmError(
            f"Token algorithm {alg!r} does not match the key's algorithm {jwk.algorithm_name!r}"
        )
    return [alg]


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
