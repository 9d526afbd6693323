"""The exception tree of :mod:`ferrojwt.jwt`.

It has the shape PyJWT users already catch: everything derives from
:class:`PyJWTError`, and every reason a token is refused derives from
:class:`InvalidTokenError`. The native core raises these very classes (it
imports this module), so there is one hierarchy, defined once, in Python.

Messages never contain key material.
"""

from __future__ import annotations

__all__ = [
    "DecodeError",
    "ExpiredSignatureError",
    "ImmatureSignatureError",
    "InvalidAlgorithmError",
    "InvalidAudienceError",
    "InvalidIssuedAtError",
    "InvalidIssuerError",
    "InvalidJTIError",
    "InvalidKeyError",
    "InvalidSignatureError",
    "InvalidSubjectError",
    "InvalidTokenError",
    "MissingCryptographyError",
    "MissingRequiredClaimError",
    "PyJWKClientConnectionError",
    "PyJWKClientError",
    "PyJWKError",
    "PyJWKSetError",
    "PyJWTError",
]


class PyJWTError(Exception):
    """Root of every error raised by ferrojwt.jwt."""


class InvalidTokenError(PyJWTError):
    """The token was refused."""


class DecodeError(InvalidTokenError):
    """The token is not a well-formed JWS/JWT (segments, base64, JSON, header)."""


class InvalidSignatureError(DecodeError):
    """The signature does not match the signing input and key."""


class ExpiredSignatureError(InvalidTokenError):
    """The ``exp`` claim is in the past (beyond the leeway)."""


class InvalidAudienceError(InvalidTokenError):
    """The ``aud`` claim does not name the expected audience."""


class InvalidIssuerError(InvalidTokenError):
    """The ``iss`` claim is not the expected issuer."""


class InvalidIssuedAtError(InvalidTokenError):
    """The ``iat`` claim is not a number."""


class ImmatureSignatureError(InvalidTokenError):
    """The ``nbf`` (or ``iat``) claim is in the future (beyond the leeway)."""


class InvalidKeyError(PyJWTError):
    """The key cannot be used: unparsable, or of the wrong family for the algorithm."""


class InvalidAlgorithmError(InvalidTokenError):
    """The algorithm is unknown, or not among the ones the caller allows."""


class InvalidSubjectError(InvalidTokenError):
    """The ``sub`` claim is not a string, or not the expected subject."""


class InvalidJTIError(InvalidTokenError):
    """The ``jti`` claim is not a string."""


class MissingRequiredClaimError(InvalidTokenError):
    """A claim the caller requires is absent."""

    def __init__(self, claim: str) -> None:
        super().__init__(claim)
        self.claim = claim

    def __str__(self) -> str:
        return f'Token is missing the "{self.claim}" claim'


class PyJWKError(PyJWTError):
    """A JWK could not be turned into a key."""


class MissingCryptographyError(PyJWKError):
    """A key object from ``cryptography`` was given but that package is absent."""


class PyJWKSetError(PyJWTError):
    """A JWK Set is malformed or holds no usable key."""


class PyJWKClientError(PyJWTError):
    """The JWKS client could not provide a signing key."""


class PyJWKClientConnectionError(PyJWKClientError):
    """The JWKS endpoint could not be reached."""
