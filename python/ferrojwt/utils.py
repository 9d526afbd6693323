"""Small time and formatting helpers shared by the Django layer (simplejwt's ``utils``)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from django.conf import settings
from django.utils.functional import lazy

from . import _core

__all__ = [
    "aware_utcnow",
    "datetime_from_epoch",
    "datetime_to_epoch",
    "epoch_seconds",
    "format_lazy",
    "get_md5_hash_password",
    "logger",
    "make_utc",
]

logger = logging.getLogger("ferrojwt")


def get_md5_hash_password(password: str) -> str:
    """The upper-case hex MD5 of a stored password hash (the ``REVOKE_TOKEN_CLAIM`` value).

    It fingerprints Django's *hashed* password so that changing it revokes tokens; it
    is not a password hash itself.
    """
    return hashlib.md5(password.encode()).hexdigest().upper()


def make_utc(dt: datetime) -> datetime:
    """Attach UTC to a naive datetime when ``USE_TZ`` is on; return it unchanged otherwise."""
    if _use_tz() and dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt


#: Django's own cache of settings already read (``LazySettings`` keeps each value in its
#: instance ``__dict__`` and drops it whenever that setting, or the whole settings object
#: under ``override_settings``, changes). Reading it directly skips ``LazyObject``'s
#: Python-level attribute hook; a setting not cached there is read the normal way.
_settings_cache: dict[str, Any] = vars(settings)
_UTC = timezone.utc
_MISSING: Any = object()


def _use_tz() -> bool:
    use_tz = _settings_cache.get("USE_TZ", _MISSING)
    return settings.USE_TZ if use_tz is _MISSING else use_tz


def aware_utcnow() -> datetime:
    """The current time in UTC: aware with ``USE_TZ``, naive (but UTC) without."""
    use_tz = _settings_cache.get("USE_TZ", _MISSING)
    if use_tz is _MISSING:
        use_tz = settings.USE_TZ
    # The OS clock, read natively; None while something moves time (freezegun, a mock of
    # time.time, time-machine), and then datetime's own now(), which they move too.
    now = _core.utc_now(use_tz)
    if now is None:
        now = datetime.now(_UTC)
        return now if use_tz else now.replace(tzinfo=None)
    return now


def datetime_to_epoch(dt: datetime) -> int:
    """Whole seconds since the epoch (sub-seconds dropped); a naive datetime is UTC."""
    # The rule of the tokens' exp and iat (``ferrojwt._core.claim_time``).
    return _core.claim_time(dt)


def datetime_from_epoch(ts: float) -> datetime:
    """The UTC datetime of ``ts``, naive when ``USE_TZ`` is off (like :func:`aware_utcnow`)."""
    dt = datetime.fromtimestamp(ts, tz=timezone.utc)
    return dt if _use_tz() else dt.replace(tzinfo=None)


def epoch_seconds(dt: datetime) -> float:
    """Seconds since the epoch as a float, keeping sub-second precision.

    A naive datetime is UTC here (as everywhere in this package), never local time,
    which is what :meth:`datetime.timestamp` would assume.
    """
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def _format(s: str, *args: Any, **kwargs: Any) -> str:
    return s.format(*args, **kwargs)


#: ``str.format`` delayed until the (translated) string is rendered.
format_lazy: Callable[..., str] = lazy(_format, str)
