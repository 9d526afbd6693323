"""Key rotation: the ``SIGNING_KEY_ID`` and ``VERIFYING_KEYS`` settings, checked, and the
public keys as JWKs.

``VERIFYING_KEYS`` entries are ``{"kid": ..., "algorithm": ..., "key": ...}``: a key id, the
one algorithm that key verifies (never the token's choice), and the key (PEM or SSH text,
an HMAC secret, a JWK mapping, or a :class:`ferrojwt.jwt.Key`). They are checked and parsed
once, when the token backend is built; an error names the entry by its position and kid,
never by its key.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from . import _core
from ._core import Key
from .jwt.exceptions import PyJWTError

__all__ = [
    "UNKNOWN_KID",
    "VerifyingKey",
    "checked_key_id",
    "checked_verifying_keys",
    "public_jwk",
]

#: The native Decoder's refusal of a token whose ``kid`` names none of its keys.
UNKNOWN_KID = "The token's key id (kid) is not one of the verifying keys"

_MEMBERS = frozenset({"kid", "algorithm", "key"})


@dataclass(frozen=True)
class VerifyingKey:
    """One ``VERIFYING_KEYS`` entry, its key parsed."""

    kid: str
    algorithm: str
    key: Key

    def __repr__(self) -> str:
        # The key may be a secret: never in a repr (tracebacks, debug pages, logs).
        return f"VerifyingKey(kid={self.kid!r}, algorithm={self.algorithm!r})"


def checked_key_id(value: Any, setting: str = "SIGNING_KEY_ID") -> str | None:
    """``value`` if it is None or a non-empty str, else ImproperlyConfigured."""
    if value is None or (isinstance(value, str) and value != ""):
        return value
    raise ImproperlyConfigured(f"{setting} must be None or a non-empty str, not {value!r}.")


def _parse_key(key: Any, algorithm: str) -> Key:
    if isinstance(key, Mapping):
        key = _core.Key.from_jwk(dict(key))
    return _core.coerce_key(key, algorithm)


def checked_verifying_keys(
    entries: Any, signing_key_id: str | None, algorithms: Collection[str]
) -> tuple[VerifyingKey, ...]:
    """The ``VERIFYING_KEYS`` entries, checked and their keys parsed.

    Refused (ImproperlyConfigured): a value that is not a list of mappings, an entry
    without exactly the members ``kid``, ``algorithm`` and ``key``, an empty or repeated
    kid (or the one of ``SIGNING_KEY_ID``), an algorithm not in ``algorithms``, and a key
    that is not one for its algorithm.
    """
    if isinstance(entries, (str, bytes, Mapping)) or not isinstance(entries, Sequence):
        raise ImproperlyConfigured(
            "VERIFYING_KEYS must be a list of {'kid': ..., 'algorithm': ..., 'key': ...} "
            f"entries, not a {type(entries).__name__}."
        )
    checked: list[VerifyingKey] = []
    seen = {signing_key_id} if signing_key_id is not None else set()
    for index, entry in enumerate(entries):
        where = f"VERIFYING_KEYS[{index}]"
        if not isinstance(entry, Mapping):
            raise ImproperlyConfigured(
                f"{where} must be a mapping with 'kid', 'algorithm' and 'key', "
                f"not a {type(entry).__name__}."
            )
        kid = entry.get("kid")
        if isinstance(kid, str) and kid:
            where = f"{where} (kid {kid!r})"
        missing = sorted(_MEMBERS - set(entry))
        unknown = sorted(str(name) for name in set(entry) - _MEMBERS)
        if missing or unknown:
            problems = [f"lacks {', '.join(map(repr, missing))}"] if missing else []
            if unknown:
                problems.append(f"has unknown {', '.join(map(repr, unknown))}")
            raise ImproperlyConfigured(
                f"{where} {' and '.join(problems)}: each entry has exactly 'kid', "
                "'algorithm' and 'key'."
            )
        if not isinstance(kid, str) or not kid:
            raise ImproperlyConfigured(f"{where}: 'kid' must be a non-empty str.")
        if kid in seen:
            also = " (it is SIGNING_KEY_ID's)" if kid == signing_key_id else ""
            raise ImproperlyConfigured(f"{where}: the kid {kid!r} is used twice{also}.")
        seen.add(kid)
        algorithm = entry["algorithm"]
        if not isinstance(algorithm, str) or algorithm not in algorithms:
            raise ImproperlyConfigured(
                f"{where}: 'algorithm' must be one of {', '.join(sorted(algorithms))}, "
                f"not {algorithm!r}."
            )
        try:
            key = _parse_key(entry["key"], algorithm)
        except PyJWTError as error:
            # The core's messages say what is wrong with a key, never what it holds.
            raise ImproperlyConfigured(
                f"{where}: its 'key' is not a {algorithm} key: {error}"
            ) from None
        checked.append(VerifyingKey(kid, algorithm, key))
    return tuple(checked)


def public_jwk(key: Key, algorithm: str, kid: str | None) -> dict[str, Any] | None:
    """The public JWK (RFC 7517) of an asymmetric key, with ``kid``, ``alg`` and
    ``use: "sig"``; None for an HMAC secret, which is never published."""
    if key.kty == "oct":
        return None
    jwk = dict(key.public_key().to_jwk())
    if kid is not None:
        jwk["kid"] = kid
    jwk["alg"] = algorithm
    jwk["use"] = "sig"
    return jwk
