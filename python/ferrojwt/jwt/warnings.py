"""The warnings of :mod:`ferrojwt.jwt`, with PyJWT's names and bases."""

from __future__ import annotations

import os
import sys
import warnings

__all__ = ["InsecureKeyLengthWarning", "RemovedInPyjwt3Warning"]

#: Frames in files under this directory are ferrojwt's own.
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class RemovedInPyjwt3Warning(DeprecationWarning):
    """An argument PyJWT 3 will drop (extra keyword arguments to ``decode``)."""


class InsecureKeyLengthWarning(UserWarning):
    """An HMAC secret shorter than its hash's output (RFC 7518 section 3.2).

    Raised as :class:`InvalidKeyError` instead when the option
    ``enforce_minimum_key_length`` is true. (RSA keys under 2048 bits are
    always refused, never warned about.)
    """


def warn_insecure_key_length(message: str) -> None:
    """Emit :class:`InsecureKeyLengthWarning` (the native core calls this),
    attributed to the first caller outside ferrojwt, as PyJWT's points at its caller."""
    level, frame = 2, sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        level, frame = level + 1, frame.f_back
    warnings.warn(message, InsecureKeyLengthWarning, stacklevel=level)
