"""The shared :class:`~ferrojwt.backends.TokenBackend`, built once per configuration.

``get_token_backend()`` returns the backend for the current ``api_settings``; it is
rebuilt only when one of the settings it depends on changes (``override_settings``,
or a test patching ``api_settings`` directly), never per request and never at
import time. ``from ferrojwt.state import token_backend`` still works (simplejwt's
spelling): the module attribute is resolved on access.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from .settings import api_settings

if TYPE_CHECKING:
    from .backends import TokenBackend

__all__ = ["get_token_backend", "token_backend"]

_lock = threading.Lock()
#: (settings version, settings key, backend) of the last backend handed out.
_cached: tuple[int | None, tuple[Any, ...], TokenBackend] | None = None


#: This module's attributes, where an assigned ``token_backend`` would be.
_namespace = globals()


def _settings_key() -> tuple[Any, ...]:
    s = api_settings
    return (
        s.ALGORITHM,
        s.SIGNING_KEY,
        s.VERIFYING_KEY,
        s.AUDIENCE,
        s.ISSUER,
        s.JWK_URL,
        s.LEEWAY,
        s.JSON_ENCODER,
        # ferrojwt's key rotation (after simplejwt's arguments, in TokenBackend's order).
        s.SIGNING_KEY_ID,
        s.VERIFYING_KEYS,
    )


def get_token_backend() -> TokenBackend:
    """The backend for the current settings (cached while they stay the same).

    A backend assigned to (or patched over) ``ferrojwt.state.token_backend`` wins,
    as simplejwt reads that module attribute for every token.
    """
    global _cached
    assigned = _namespace.get("token_backend")
    if assigned is not None:
        return assigned  # type: ignore[no-any-return]
    # Read the version before the values: a change made after this point gives
    # the settings a new version, so the pair stored below can only be too old.
    # (A stand-in settings object without a version is compared value by value.)
    version = getattr(api_settings, "_version", None)
    cached = _cached
    if cached is not None and cached[0] is version and version is not None:
        return cached[2]
    key = _settings_key()
    if cached is not None and cached[1] == key:
        _cached = (version, key, cached[2])
        return cached[2]
    from .backends import TokenBackend

    with _lock:
        cached = _cached
        if cached is not None and cached[1] == key:
            backend = cached[2]
        else:
            backend = TokenBackend(*key)
        _cached = (version, key, backend)
        return backend


def __getattr__(name: str) -> Any:
    if name == "token_backend":
        return get_token_backend()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    token_backend: TokenBackend
