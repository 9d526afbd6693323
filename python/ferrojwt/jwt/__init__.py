"""The PyJWT-shaped API: ``from ferrojwt import jwt`` where code had ``import jwt``.

Encoding, decoding and every check run in the native core (``ferrojwt._core``).
"""

from ferrojwt._core import ALGORITHMS, MAX_TOKEN_BYTES, Key

from . import exceptions
from .api import decode, decode_complete, encode, get_unverified_header
from .exceptions import *  # noqa: F403  (the whole exception tree, as PyJWT exposes it)
from .jwk import PyJWK, PyJWKSet
from .jwks_client import PyJWKClient

__all__ = [
    "ALGORITHMS",
    "MAX_TOKEN_BYTES",
    "Key",
    "PyJWK",
    "PyJWKClient",
    "PyJWKSet",
    "decode",
    "decode_complete",
    "encode",
    "get_unverified_header",
]
__all__ += exceptions.__all__
