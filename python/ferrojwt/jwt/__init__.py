"""The PyJWT-shaped API: ``from ferrojwt import jwt`` where code had ``import jwt``.

Encoding, decoding and every check run in the native core (``ferrojwt._core``).
"""

from ferrojwt._core import ALGORITHMS, MAX_TOKEN_BYTES, Decoder, Encoder, Key

# The submodules are attributes, as PyJWT's are (jwt.exceptions, jwt.api_jws, ...).
from . import api_jws, api_jwt, exceptions, jwk, jwks_client, types, warnings  # noqa: F401
from .api import decode, decode_complete, encode, get_unverified_header
from .api_jws import PyJWS
from .api_jwt import PyJWT
from .exceptions import *  # noqa: F403  (the whole exception tree, as PyJWT exposes it)
from .jwk import PyJWK, PyJWKSet
from .jwks_client import PyJWKClient
from .warnings import InsecureKeyLengthWarning, RemovedInPyjwt3Warning

__all__ = [
    "ALGORITHMS",
    "MAX_TOKEN_BYTES",
    "Decoder",
    "Encoder",
    "InsecureKeyLengthWarning",
    "Key",
    "PyJWK",
    "PyJWKClient",
    "PyJWKSet",
    "PyJWS",
    "PyJWT",
    "RemovedInPyjwt3Warning",
    "decode",
    "decode_complete",
    "encode",
    "get_unverified_header",
]
__all__ += exceptions.__all__
