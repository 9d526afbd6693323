"""``encode``, ``decode``, ``decode_complete`` and ``get_unverified_header``.

They are the native core's functions (``ferrojwt._core``), with PyJWT's
signatures: no Python runs on their common path. What stays here is what the
rare shapes of their arguments need, which the core calls once per such call:
the key a :class:`PyJWK` (or a JWK mapping, or a ``cryptography`` key object)
verifies with, and the algorithms a :class:`PyJWK` allows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from ferrojwt import _core
from ferrojwt._core import (
    AlgorithmUnset,
    decode,
    decode_complete,
    encode,
    get_unverified_header,
)

from .exceptions import InvalidAlgorithmError
from .jwk import PyJWK
from .keys import native_key

if TYPE_CHECKING:
    from ferrojwt._core import Key

__all__ = ["decode", "decode_complete", "encode", "get_unverified_header"]

#: ``encode``'s default algorithm: HS256, or the algorithm of a :class:`PyJWK` key.
ALGORITHM_UNSET: Final[AlgorithmUnset] = _core.ALGORITHM_UNSET

#: The type of :data:`ALGORITHM_UNSET` (the name the PyJWS and PyJWT classes annotate with).
_Unset = AlgorithmUnset


def verifying_key(
    jwt: str | bytes,
    key: Any,
    algorithms: Sequence[str] | None,
    options: Mapping[str, Any] | None,
) -> tuple[Key | str | bytes | None, Sequence[str] | None]:
    """The key and algorithms the core verifies with, for a key that is not a
    ``Key``, str or bytes (``decode`` calls this once for such a key)."""
    if isinstance(key, PyJWK):
        algorithms = algorithms_for_jwk(jwt, key, algorithms, options)
    return native_key(key), algorithms


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
    alg = get_unverified_header(jwt).get("alg")
    if not isinstance(alg, str) or alg not in algorithms:
        return algorithms  # the core refuses: "not specified" / "not allowed"
    if alg != jwk.algorithm_name:
        raise InvalidAlgorithmError(
            f"Token algorithm {alg!r} does not match the key's algorithm {jwk.algorithm_name!r}"
        )
    return [alg]
