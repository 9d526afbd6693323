"""The option dictionaries of :class:`PyJWS` and :class:`PyJWT`, as PyJWT types them."""

from __future__ import annotations

from typing import TypedDict

__all__ = ["Options", "SigOptions"]


class SigOptions(TypedDict, total=False):
    """Options of :class:`PyJWS` (the signature layer)."""

    verify_signature: bool
    #: Refuse (``InvalidKeyError``) rather than warn about a short HMAC secret.
    enforce_minimum_key_length: bool


class Options(TypedDict, total=False):
    """Options of ``decode``/``decode_complete`` and :class:`PyJWT`.

    Every ``verify_*`` defaults to ``verify_signature``; ``require`` lists
    claims that must be present (and not null).
    """

    verify_signature: bool
    require: list[str]
    strict_aud: bool
    verify_aud: bool
    verify_exp: bool
    verify_iat: bool
    verify_iss: bool
    verify_jti: bool
    verify_nbf: bool
    verify_sub: bool
    enforce_minimum_key_length: bool
