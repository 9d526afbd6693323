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

__all__ = ["__version__", "install_as_simplejwt"]


def install_as_simplejwt() -> None:
    """Make ``import rest_framework_simplejwt[.x]`` give ``ferrojwt[.x]`` in this process.

    For packages that import simplejwt by name (dj-rest-auth): call it at the top of
    settings.py. See :mod:`ferrojwt.simplejwt_alias`.
    """
    from .simplejwt_alias import install

    install()
