"""ferrojwt: JSON Web Tokens with a Rust core.

``ferrojwt.jwt`` is the PyJWT-shaped low-level API; the Django pieces live in
their own modules and are imported only when used.
"""

from ferrojwt._core import __version__

__all__ = ["__version__"]
