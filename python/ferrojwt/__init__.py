"""ferrojwt: JSON Web Tokens with a Rust core.

``ferrojwt.jwt`` is the PyJWT-shaped low-level API; the Django pieces live in
their own modules and are imported only when used.

``__version__`` is the installed distribution's version, or None when the package
runs from a source tree that was never installed (as simplejwt's is).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__: str | None = version("ferrojwt")
except PackageNotFoundError:
    __version__ = None

__all__ = ["__version__"]
