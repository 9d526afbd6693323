"""The opt-in per-process user cache of ``JWTAuthentication`` (``USER_CACHE_TTL``).

With ``SIMPLE_JWT["USER_CACHE_TTL"] = None`` (the default) nothing here runs and every
request loads its user from the database, as simplejwt does. With a ``timedelta``, each
process keeps the rows of the users it authenticated and skips the query while the row is
known to be current. What that promises, and how:

What is cached
    The values of the row's concrete fields (``from_db`` input), per process, keyed by
    (user model label, ``USER_ID_FIELD``, the token's claim). Related objects, prefetches
    and annotations of a custom manager are not cached: they load on access, as on a
    fresh instance. At most :attr:`UserCache.max_entries` rows; the oldest go first.

A copy per request
    Every request gets a new instance built with ``Model.from_db`` (so ``post_init``
    receivers run as for a query), never an object another request or thread has
    seen; values of mutable types (a JSONField's dict) are deep-copied each time.
    Anything a request sets on its user stays on that request's instance.

The checks run on every request
    ``CHECK_USER_IS_ACTIVE`` and ``CHECK_REVOKE_TOKEN`` are applied by ``get_user`` to
    the instance built from the cached values, exactly as to one just loaded.

Invalidation: a version per user in Django's cache framework
    ``post_save`` and ``post_delete`` of the user model (a deactivation, a deletion, and
    a password change, which is ``set_password()`` then ``save()``) write a fresh random
    version under ``ferrojwt:user:<label>:<pk>`` in the cache ``USER_CACHE_ALIAS``: at
    once and, inside a transaction, again after the commit (a process that read the row
    before the commit then holds a version that is already stale). A cached
    row carries the version read *before* its query; it is used only while the shared
    version is still that one. A version that is missing (evicted, expired, a restarted
    Redis) matches nothing: the row is read again and a new version added.

How often the shared version is read: on every request, by default
    One cache read (a Redis ``GET`` across machines, a dict lookup with locmem) in place
    of the query. This is the exact choice: the first request a process serves after
    the writer's bump refuses the user. ``USER_CACHE_CHECK_INTERVAL`` (default
    ``timedelta(0)``) trades that for speed: a copy whose version was confirmed less
    than that long ago is used without asking, so a signalled change is refused within
    the interval instead of at once. Worth it with Django's ``RedisCache``, whose every
    operation builds a new client object (about as much CPU as a small query on SQLite;
    a PostgreSQL query over TCP costs more); with locmem the read is nearly free.

The bounds
    A signalled change is refused on the next request (or within
    ``USER_CACHE_CHECK_INTERVAL``). The TTL bounds everything the signals cannot see:
    ``QuerySet.update()``, raw SQL, another program writing the table, a bump lost
    because the cache was down, or a per-process cache backend (locmem: each process
    has its own, so a change made in one worker reaches the others only through the
    TTL; use Redis or Memcached when several processes serve requests). A cached row is
    never used after TTL from the moment before its query.

A cache that cannot be reached
    An error from the cache backend (Redis down, an unknown alias) makes this request
    load its user from the database and store nothing: the behaviour with the cache
    off. It is logged (at most once a minute per process). A bump that fails is logged
    and drops this process's own copies of that user; other processes are then bound
    by the TTL.

Where the signals are connected
    To the user model's classes only (see :func:`connect_signals`), on import of this
    module (by ``ferrojwt.authentication``) and, when ``"ferrojwt"`` is in
    ``INSTALLED_APPS``, at start-up (``ferrojwt.apps``), so that a process that only
    changes users (the admin, a shell, a task worker) bumps versions too. A process that
    never imports ferrojwt does not: put ``"ferrojwt"`` in ``INSTALLED_APPS`` (a warning
    is logged once when the cache runs without it).
"""

from __future__ import annotations

import copy
import math
import secrets
import threading
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import BaseCache, caches
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from .settings import api_settings
from .utils import logger

__all__ = [
    "UserCache",
    "configured_interval",
    "configured_ttl",
    "connect_signals",
    "invalidate_user",
    "user_cache",
    "version_key",
]

#: Types whose values cannot be changed in place: shared between copies as they are.
_IMMUTABLE = frozenset(
    {str, int, float, bool, bytes, type(None), datetime, date, time_of_day, timedelta}
    | {Decimal, UUID}
)
#: Claim types that are cached (JSON gives int or str for an id); others go to the DB.
_KEY_TYPES = (int, str)
_WARN_EVERY = 60.0
#: The clock of the TTL (a module attribute, so that tests can move it).
_clock = time.monotonic


def version_key(label: str, pk: Any) -> str:
    """The cache-framework key of the shared version of the user ``label``/``pk``."""
    return f"ferrojwt:user:{label}:{pk}"


_ttl_cache: tuple[Any, float | None] = (None, None)


def configured_ttl() -> float | None:
    """``USER_CACHE_TTL`` in seconds, or None when the cache is off."""
    global _ttl_cache
    setting = api_settings.USER_CACHE_TTL
    cached = _ttl_cache
    if cached[0] is setting:
        return cached[1]
    if setting is None:
        seconds = None
    elif isinstance(setting, timedelta) and setting.total_seconds() > 0:
        seconds = setting.total_seconds()
    else:
        raise ImproperlyConfigured(
            f"SIMPLE_JWT['USER_CACHE_TTL'] must be None or a positive timedelta, not {setting!r}"
        )
    _ttl_cache = (setting, seconds)
    return seconds


_interval_cache: tuple[Any, float] = (None, 0.0)


def configured_interval() -> float:
    """``USER_CACHE_CHECK_INTERVAL`` in seconds (0: the version is read on every request)."""
    global _interval_cache
    setting = api_settings.USER_CACHE_CHECK_INTERVAL
    cached = _interval_cache
    if cached[0] is setting:
        return cached[1]
    if not isinstance(setting, timedelta) or setting.total_seconds() < 0:
        raise ImproperlyConfigured(
            f"SIMPLE_JWT['USER_CACHE_CHECK_INTERVAL'] must be a timedelta of 0 or more, "
            f"not {setting!r}"
        )
    _interval_cache = (setting, setting.total_seconds())
    return _interval_cache[1]


class _Entry:
    """One cached row: what to build a copy from, and what makes it current."""

    __slots__ = (
        "checked",
        "cls",
        "db",
        "expires",
        "fields",
        "mutable",
        "values",
        "version",
        "vkey",
    )

    def __init__(self, user: Any, vkey: str, version: str, expires: float, ttl: float) -> None:
        loaded = vars(user)
        names = [f.attname for f in type(user)._meta.concrete_fields if f.attname in loaded]
        values = [loaded[name] for name in names]
        self.mutable = tuple(i for i, v in enumerate(values) if type(v) not in _IMMUTABLE)
        for i in self.mutable:
            values[i] = copy.deepcopy(values[i])
        self.cls: type[Model] = type(user)
        self.db: str | None = user._state.db
        self.fields: tuple[str, ...] = tuple(names)
        self.values: tuple[Any, ...] = tuple(values)
        self.vkey = vkey
        self.version = version
        self.expires = expires
        #: When the shared version was last seen to be ``version`` (before the query).
        self.checked = expires - ttl

    def build(self) -> Any:
        """A new instance of the cached row, shared with nothing."""
        values: Sequence[Any] = self.values
        if self.mutable:
            values = list(values)
            for i in self.mutable:
                values[i] = copy.deepcopy(values[i])
        return self.cls.from_db(self.db, self.fields, values)


class UserCache:
    """The per-process cache (one instance, :data:`user_cache`). Thread-safe."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._entries: dict[tuple[str, str, Any], _Entry] = {}
        self._lock = threading.Lock()
        self._warned_at = -math.inf
        self._checked_installed = False

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget this process's copies (the shared versions are left alone)."""
        with self._lock:
            self._entries.clear()

    def get_user(
        self, model: type[Model], field: str, value: Any, *, ttl: float, alias: str
    ) -> Any:
        """The user whose ``field`` is ``value``: a copy of the cached row while it is
        current, else from ``model.objects``. Raises ``model.DoesNotExist`` as a query does.
        """
        lookup = {field: value}
        if type(value) not in _KEY_TYPES:
            return model.objects.get(**lookup)  # type: ignore[attr-defined]
        key = (model._meta.label_lower, field, value)
        now = _clock()
        entry = self._entries.get(key)
        if (
            entry is not None
            and now < entry.expires
            and now - entry.checked < configured_interval()
        ):
            return entry.build()  # confirmed less than USER_CACHE_CHECK_INTERVAL ago
        try:
            cache = caches[alias]
        except Exception as error:  # an alias missing from CACHES
            self._unreachable(alias, error)
            return model.objects.get(**lookup)  # type: ignore[attr-defined]
        if entry is not None and now < entry.expires:
            try:
                shared = cache.get(entry.vkey)
            except Exception as error:
                self._unreachable(alias, error)
                return model.objects.get(**lookup)  # type: ignore[attr-defined]
            if shared == entry.version:
                entry.checked = now
                return entry.build()
        return self._load(model, lookup, key, cache, alias, ttl, now)

    def _load(
        self,
        model: type[Model],
        lookup: dict[str, Any],
        key: tuple[str, str, Any],
        cache: BaseCache,
        alias: str,
        ttl: float,
        now: float,
    ) -> Any:
        # The version is read before the row, so that a change committed in between
        # leaves this copy with a version that is already stale.
        meta = model._meta
        label = meta.label_lower
        manager = model.objects  # type: ignore[attr-defined]
        ((field, value),) = lookup.items()
        if field in ("pk", meta.pk.name, meta.pk.attname):
            vkey = version_key(label, value)
            version = self._current_version(cache, alias, vkey, ttl)
            user = manager.get(**lookup)
            if version_key(label, user.pk) != vkey:
                version = None  # the claim spells the pk differently: not cached
        else:
            # The pk (hence the version's key) is known only after a first query.
            found = manager.get(**lookup)
            vkey = version_key(label, found.pk)
            version = self._current_version(cache, alias, vkey, ttl)
            if version is None:
                return found
            user = manager.get(pk=found.pk, **lookup)
        if version is not None:
            self._store(key, _Entry(user, vkey, version, now + ttl, ttl), now)
            self._check_installed()
        return user

    def _current_version(self, cache: BaseCache, alias: str, vkey: str, ttl: float) -> str | None:
        """The shared version of ``vkey``, added if missing; None if the cache failed."""
        try:
            version = cache.get(vkey)
            if version is None:
                fresh = secrets.token_hex(8)
                version = (
                    fresh if cache.add(vkey, fresh, _version_timeout(ttl)) else cache.get(vkey)
                )
        except Exception as error:
            self._unreachable(alias, error)
            return None
        return version if isinstance(version, str) else None

    def _store(self, key: tuple[str, str, Any], entry: _Entry, now: float) -> None:
        with self._lock:
            entries = self._entries
            entries.pop(key, None)  # re-inserted at the end: entries stay in load order
            entries[key] = entry
            # Oldest first, which is also expiry order: drop the expired and the excess.
            while entries:
                oldest = next(iter(entries))
                if len(entries) <= self.max_entries and entries[oldest].expires > now:
                    break
                del entries[oldest]

    def invalidate(self, user: Model, *, using: str | None = None) -> None:
        """Make every process load ``user`` again on its next request (signals call this).

        Inside a transaction on ``using``, the version is bumped again after the commit.
        """
        ttl = configured_ttl()
        if ttl is None or user.pk is None:
            return
        # The row is cached under the user model's label; a multi-table parent or child
        # of it shares the pk, and a subclass's own user_model may be any of them.
        meta = user._meta
        concrete = meta.concrete_model or type(user)
        labels = {get_user_model()._meta.label_lower, concrete._meta.label_lower}
        labels.update(parent._meta.label_lower for parent in meta.get_parent_list())
        vkeys = sorted(version_key(label, user.pk) for label in labels)
        self._bump(vkeys, ttl)
        if transaction.get_connection(using).in_atomic_block:
            transaction.on_commit(lambda: self._bump(vkeys, ttl), using=using)

    def _bump(self, vkeys: list[str], ttl: float) -> None:
        alias = api_settings.USER_CACHE_ALIAS
        try:
            caches[alias].set_many(
                {vkey: secrets.token_hex(8) for vkey in vkeys}, _version_timeout(ttl)
            )
        except Exception as error:
            logger.warning(
                "ferrojwt user cache: could not invalidate %s in cache %r (%s); other "
                "processes may serve it for up to USER_CACHE_TTL",
                ", ".join(vkeys),
                alias,
                error,
            )
            with self._lock:
                for key in [k for k, e in self._entries.items() if e.vkey in vkeys]:
                    del self._entries[key]

    def _unreachable(self, alias: str, error: Exception) -> None:
        now = _clock()
        if now - self._warned_at >= _WARN_EVERY:
            self._warned_at = now
            logger.warning(
                "ferrojwt user cache: cache %r failed (%s: %s); users are loaded from the "
                "database until it answers",
                alias,
                type(error).__name__,
                error,
            )

    def _check_installed(self) -> None:
        if not self._checked_installed:
            self._checked_installed = True
            connect_signals()  # if this module was imported before the models were loaded
            if not apps.is_installed("ferrojwt"):
                logger.warning(
                    "ferrojwt user cache: 'ferrojwt' is not in INSTALLED_APPS, so a process "
                    "that changes users without importing ferrojwt.authentication does not "
                    "invalidate them; add it to INSTALLED_APPS"
                )


def _version_timeout(ttl: float) -> float:
    # A version must outlive the copies made under it (or they are reloaded early);
    # beyond that its lifetime does not matter: a missing version matches nothing.
    return max(2 * ttl, 60.0)


#: The process's cache.
user_cache = UserCache()


def invalidate_user(user: Model) -> None:
    """Invalidate ``user`` everywhere: for changes the signals do not see (``update()``)."""
    user_cache.invalidate(user, using=user._state.db)


def _on_user_changed(sender: Any, instance: Model, using: str, **kwargs: Any) -> None:
    if api_settings.USER_CACHE_TTL is not None:
        user_cache.invalidate(instance, using=using)


def connect_signals() -> None:
    """Connect the invalidation receivers to the user model (idempotent).

    Per model class, never to every sender: a ``post_delete`` receiver for all models
    would turn off Django's fast (single-query) deletes everywhere. The classes are the
    user model, its proxies and subclasses (whose saves name them as sender) and its
    multi-table parents (which hold some of its columns). Does nothing before the models
    are loaded, or while ``USER_CACHE_TTL`` is None: the receivers would turn off the fast
    deletes of user querysets for a cache that is not there. The app's ``ready()`` and the
    cache's first use call it again.
    """
    if not apps.models_ready or configured_ttl() is None:
        return
    user_model = get_user_model()
    for model in apps.get_models():
        if issubclass(model, user_model) or issubclass(user_model, model):
            post_save.connect(_on_user_changed, sender=model, dispatch_uid=_UID)
            post_delete.connect(_on_user_changed, sender=model, dispatch_uid=_UID)


_UID = "ferrojwt.user_cache"
connect_signals()
