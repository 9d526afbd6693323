"""simplejwt's token classes: ``Token``, ``AccessToken``, ``RefreshToken``, ``SlidingToken``,
``UntypedToken`` and ``BlacklistMixin``.

Decoding, signature and claim checks run in the native core; this module adds the
Django side (settings, users, the outstanding/blacklist tables). The current time is
read from this module's ``aware_utcnow`` when it is needed, so patching
``ferrojwt.tokens.aware_utcnow`` or freezing time with freezegun works.

Lifetimes and ``no_copy_claims`` follow ``api_settings`` at access time, so
``override_settings(SIMPLE_JWT=...)`` applies without reloading this module; a
subclass may still set them as plain class attributes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import _core
from .backends import TokenBackend
from .exceptions import (
    ExpiredTokenError,
    TokenBackendError,
    TokenBackendExpiredToken,
    TokenBlacklistedError,
    TokenError,
)
from .jwt.exceptions import DecodeError
from .models import TokenUser
from .revocation import password_fingerprint
from .settings import api_settings
from .state import get_token_backend
from .utils import (
    _EPOCH,
    _NAIVE_EPOCH,
    _UTC,
    aware_utcnow,
    datetime_from_epoch,
    datetime_to_epoch,
    epoch_seconds,
    format_lazy,
    logger,
)

if TYPE_CHECKING:
    from .token_blacklist.models import BlacklistedToken, OutstandingToken

__all__ = [
    "BLACKLIST_APP",
    "AccessToken",
    "BlacklistMixin",
    "RefreshToken",
    "SlidingToken",
    "Token",
    "UntypedToken",
    "aware_utcnow",
    "blacklist_installed",
]

T = TypeVar("T", bound="Token")
AuthUser = TypeVar("AuthUser", AbstractBaseUser, TokenUser)

#: The app whose presence turns on outstanding-token records and blacklist checks.
BLACKLIST_APP = "ferrojwt.token_blacklist"


_installed_memo: tuple[object, bool] | None = None


def blacklist_installed() -> bool:
    """Whether ``ferrojwt.token_blacklist`` is in ``INSTALLED_APPS`` (checked per call).

    The answer is remembered per app registry state: ``override_settings(INSTALLED_APPS=...)``
    gives the registry a new ``app_configs`` mapping, which is the memo's key.
    """
    global _installed_memo
    configs = apps.app_configs
    memo = _installed_memo
    if memo is not None and memo[0] is configs:
        return memo[1]
    installed = apps.is_installed(BLACKLIST_APP)
    if apps.ready:
        # The memo holds the mapping itself, so its identity cannot be reused.
        _installed_memo = (configs, installed)
    return installed


# -- random token ids ----------------------------------------------------------
#
# ``uuid4().hex`` without a UUID object or a system call per token: one
# ``os.urandom`` call fills a batch of ids (version and variant bits set), each
# handed out once. The batch records the process that made it and is used only
# in that process, so a fork of any kind (os.fork, or uWSGI's C-level fork) can
# never hand out an id its parent has.

_JTI_BATCH = 256
_SET_VERSION_4 = bytes((b & 0x0F) | 0x40 for b in range(256))
_SET_VARIANT_RFC4122 = bytes((b & 0x3F) | 0x80 for b in range(256))
_jti_batch: tuple[int, Iterator[str]] = (0, iter(()))


def _uuid4_hex() -> str:
    """``uuid4().hex``: a random version-4 UUID (from ``os.urandom``) as 32 hex digits."""
    global _jti_batch
    pid, ids = _jti_batch
    if pid == os.getpid():
        jti = next(ids, None)
        if jti is not None:
            return jti
    raw = bytearray(os.urandom(16 * _JTI_BATCH))
    raw[6::16] = raw[6::16].translate(_SET_VERSION_4)
    raw[8::16] = raw[8::16].translate(_SET_VARIANT_RFC4122)
    ids = iter(raw.hex(" ", 16).split(" "))
    _jti_batch = (os.getpid(), ids)
    return next(ids)


# -- time ------------------------------------------------------------------------

#: Epoch seconds well inside the range of ``datetime`` (years 2 to 9998): within
#: these bounds ``from_time + lifetime`` cannot overflow, so it need not be built.
_SAFE_MIN, _SAFE_MAX = -62_100_000_000, 253_370_000_000

_TimeParts = tuple[datetime | None, int, int, bool]
_NO_TIME_PARTS: _TimeParts = (None, 0, 0, False)


def _time_parts(when: datetime) -> _TimeParts:
    """``(when, whole seconds since the epoch, microseconds, linear)`` of ``when``.

    A naive ``when`` is UTC. ``linear`` says that adding a timedelta to ``when`` moves
    it by exactly that many seconds (naive or UTC; a zone with DST may not).
    """
    tz = when.tzinfo
    since = when - (_NAIVE_EPOCH if tz is None else _EPOCH)
    return when, since.days * 86400 + since.seconds, since.microseconds, tz is None or tz is _UTC


#: ``{lifetime: (whole seconds, microseconds)}`` of the lifetimes seen (a handful).
_lifetime_parts: dict[timedelta, tuple[int, int]] = {}


def _parts_of_lifetime(lifetime: timedelta) -> tuple[int, int]:
    parts = (lifetime.days * 86400 + lifetime.seconds, lifetime.microseconds)
    if len(_lifetime_parts) >= 64:
        _lifetime_parts.clear()
    _lifetime_parts[lifetime] = parts
    return parts


def _epoch_after(parts: _TimeParts, when: datetime, lifetime: timedelta) -> int:
    """``datetime_to_epoch(when + lifetime)``, given ``parts = _time_parts(when)``.

    Integer arithmetic where it is exact (a plain timedelta added to a naive or UTC
    time, far from the ends of the datetime range); the datetime sum otherwise, which
    raises as simplejwt does when it overflows.
    """
    if parts[3] and type(lifetime) is timedelta:
        span = _lifetime_parts.get(lifetime) or _parts_of_lifetime(lifetime)
        seconds = parts[1] + span[0] + (parts[2] + span[1] >= 1_000_000)
        if _SAFE_MIN < seconds < _SAFE_MAX:
            return seconds
    return datetime_to_epoch(when + lifetime)


class _Setting:
    """A class attribute that reads ``api_settings.<name>`` whenever it is accessed."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        return getattr(api_settings, self.name)


class _NoCopyClaims:
    """``RefreshToken.no_copy_claims``, built from the current claim-name settings."""

    def __init__(self) -> None:
        self._memo: tuple[object, tuple[str, ...]] = (None, ())

    def __get__(self, obj: object, owner: type | None = None) -> tuple[str, ...]:
        settings = api_settings
        version = getattr(settings, "_version", None)
        memo = self._memo
        if version is not None and memo[0] == version:
            return memo[1]
        # The configured and the standard "jti" are both kept out: a third-party
        # token may carry a namespaced id as well as the registered one.
        claims = (settings.TOKEN_TYPE_CLAIM, "exp", settings.JTI_CLAIM, "jti", "iat")
        self._memo = (version, claims)
        return claims


class _BlacklistOnly:
    """A method that exists only while the blacklist app is installed.

    Looking it up otherwise raises AttributeError, as simplejwt's conditionally
    defined methods do, so ``hasattr(token, "blacklist")`` and the
    ``except AttributeError`` idiom keep their meaning; the check runs at lookup
    time, not at import time.
    """

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.__doc__ = func.__doc__
        self.name = func.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if not blacklist_installed():
            raise AttributeError(f"{self.name!r} needs the {BLACKLIST_APP!r} app in INSTALLED_APPS")
        return self.func.__get__(obj, owner)


class Token:
    """Wraps a JWT: decodes and verifies an encoded one, or builds a new one.

    The constructor MUST raise :class:`TokenError` with a user-facing message for any
    token that is invalid, expired or otherwise unsafe to use.
    """

    token_type: str | None = None
    lifetime: timedelta | None = None
    _token_backend: TokenBackend | None = None

    #: The clock reading behind the last claim set from a datetime (see _time_parts).
    _time_memo: _TimeParts = _NO_TIME_PARTS

    def __init__(self, token: Any = None, verify: bool = True) -> None:
        lifetime = self.lifetime
        if self.token_type is None or lifetime is None:
            raise TokenError(_("Cannot create token with no type or lifetime"))

        self.token = token
        self.current_time = now = aware_utcnow()

        if token is not None:
            # As in simplejwt: the backend checks the signature and the time claims
            # against the real clock (PyJWT's), then verify() checks "exp" again
            # against current_time, the clock that tests patch.
            try:
                self.payload = self.get_token_backend().decode(token, verify=verify)
            except TokenBackendExpiredToken as e:
                raise ExpiredTokenError(_("Token is expired")) from e
            except TokenBackendError as e:
                raise TokenError(_("Token is invalid")) from e
            if verify:
                self.verify()
        else:
            payload = self.payload = {api_settings.TOKEN_TYPE_CLAIM: self.token_type}
            cls = type(self)
            if cls.set_exp is _SET_EXP and cls.set_iat is _SET_IAT:
                # Token's own set_exp() and set_iat(), inlined (same claims, same order);
                # a subclass that overrides either gets its methods called.
                parts = self._time_memo = _time_parts(now)
                payload["exp"] = _epoch_after(parts, now, lifetime)
                payload["iat"] = parts[1]
            else:
                self.set_exp(from_time=now, lifetime=lifetime)
                self.set_iat(at_time=now)
            if cls.set_jti is _SET_JTI:
                self.payload[api_settings.JTI_CLAIM] = _uuid4_hex()
            else:
                self.set_jti()

    # -- mapping access to the claims ----------------------------------------

    def __repr__(self) -> str:
        return repr(self.payload)

    def __getitem__(self, key: str) -> Any:
        return self.payload[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.payload[key] = value

    def __delitem__(self, key: str) -> None:
        del self.payload[key]

    def __contains__(self, key: str) -> bool:
        return key in self.payload

    def get(self, key: str, default: Any = None) -> Any:
        return self.payload.get(key, default)

    def __str__(self) -> str:
        """The signed, encoded token."""
        return self.get_token_backend().encode(self.payload)

    # -- checks (extension points) -------------------------------------------

    def verify(self) -> None:
        """Checks beyond decoding: expiry, id and type. Override to add your own."""
        # "exp" is optional in RFC 7519; authorization tokens must carry one.
        self.check_exp()
        settings = api_settings
        jti_claim = settings.JTI_CLAIM
        if jti_claim is not None and jti_claim not in self.payload:
            raise TokenError(_("Token has no id"))
        if settings.TOKEN_TYPE_CLAIM is not None:
            self.verify_token_type()

    def verify_token_type(self) -> None:
        """The type claim must be present and equal to this class's ``token_type``."""
        try:
            token_type = self.payload[api_settings.TOKEN_TYPE_CLAIM]
        except KeyError as e:
            raise TokenError(_("Token has no type")) from e
        if self.token_type != token_type:
            raise TokenError(_("Token has wrong type"))

    def check_exp(self, claim: str = "exp", current_time: datetime | None = None) -> None:
        """Raise :class:`TokenError` when the time in ``claim`` has passed.

        The comparison (with the backend's leeway) is the native core's, the
        same rule that decoding applies to ``exp``.
        """
        if current_time is None:
            current_time = self.current_time
        try:
            value = self.payload[claim]
        except KeyError as e:
            raise TokenError(format_lazy(_("Token has no '{}' claim"), claim)) from e
        backend = self.get_token_backend()
        leeway = (
            backend._leeway_total_seconds()
            if isinstance(backend, TokenBackend)
            else backend.get_leeway().total_seconds()
        )
        try:
            expired = _core.time_claim_expired(value, epoch_seconds(current_time), leeway)
        except DecodeError as e:
            # A non-numeric time claim: simplejwt fails with a TypeError (HTTP 500).
            raise TokenError(_("Token is invalid")) from e
        if expired:
            raise TokenError(format_lazy(_("Token '{}' claim has expired"), claim))

    # -- claim setters -------------------------------------------------------

    def set_jti(self) -> None:
        """A fresh random id in the configured ``JTI_CLAIM`` (RFC 7519 4.1.7)."""
        self.payload[api_settings.JTI_CLAIM] = _uuid4_hex()

    def set_exp(
        self,
        claim: str = "exp",
        from_time: datetime | None = None,
        lifetime: timedelta | None = None,
    ) -> None:
        """Set ``claim`` to ``from_time + lifetime`` (defaults: now, this class's lifetime)."""
        if from_time is None:
            from_time = self.current_time
        if lifetime is None:
            lifetime = self.lifetime
        parts = self._time_memo
        if parts[0] is not from_time:
            parts = self._time_memo = _time_parts(from_time)
        self.payload[claim] = _epoch_after(parts, from_time, lifetime)  # type: ignore[arg-type]

    def set_iat(self, claim: str = "iat", at_time: datetime | None = None) -> None:
        """Set the issued-at ``claim`` (default: now)."""
        if at_time is None:
            at_time = self.current_time
        parts = self._time_memo
        if parts[0] is not at_time:
            parts = self._time_memo = _time_parts(at_time)
        self.payload[claim] = parts[1]

    def outstand(self) -> Any:
        """Record this token as outstanding; plain tokens are not recorded."""
        return None

    @classmethod
    def for_user(cls: type[T], user: AuthUser) -> T:
        """A new token for ``user``, carrying its id (and password fingerprint if enabled)."""
        if not getattr(user, "is_active", True):
            logger.warning(
                "Issuing a token for user %s, who is inactive; check the user's status "
                "before calling for_user() if this is not intended.",
                getattr(user, "pk", None),
            )
        settings = api_settings
        user_id = str(getattr(user, settings.USER_ID_FIELD))
        token = cls()
        token[settings.USER_ID_CLAIM] = user_id
        if settings.CHECK_REVOKE_TOKEN:
            token[settings.REVOKE_TOKEN_CLAIM] = password_fingerprint(user.password)
        return token

    # -- backend -------------------------------------------------------------

    @property
    def token_backend(self) -> TokenBackend:
        backend = self._token_backend
        if backend is None:
            backend = self._token_backend = get_token_backend()
        return backend

    def get_token_backend(self) -> TokenBackend:
        return self.token_backend


#: Token's own claim setters, which __init__ inlines unless a subclass overrides them.
_SET_EXP = Token.set_exp
_SET_IAT = Token.set_iat
_SET_JTI = Token.set_jti


def _stored_text(encoded: str) -> str:
    """What ``OutstandingToken.token`` keeps of an encoded token: the token itself (as in
    simplejwt), or with ``OUTSTANDING_TOKEN_FINGERPRINT`` its SHA-256, so that a copy of the
    table holds no usable token."""
    if api_settings.OUTSTANDING_TOKEN_FINGERPRINT:
        return "sha256:" + hashlib.sha256(encoded.encode()).hexdigest()
    return encoded


class BlacklistMixin(Generic[T]):
    """Outstanding-token records and blacklist checks, active while the
    ``ferrojwt.token_blacklist`` app is installed (checked at call time)."""

    payload: dict[str, Any]
    current_time: datetime

    def verify(self, *args: Any, **kwargs: Any) -> None:
        if blacklist_installed():
            self.check_blacklist()
        super().verify(*args, **kwargs)  # type: ignore[misc]

    @_BlacklistOnly
    def check_blacklist(self) -> None:
        """Raise :class:`TokenError` when this token's id is blacklisted."""
        from .token_blacklist.models import BlacklistedToken

        jti = self.payload.get(api_settings.JTI_CLAIM)
        if jti is None:
            # No id to look up: verify() refuses the token with "Token has no id".
            return
        if BlacklistedToken.objects.filter(token__jti=jti).exists():
            raise TokenBlacklistedError(_("Token is blacklisted"), self.payload)

    @_BlacklistOnly
    def blacklist(self) -> tuple[BlacklistedToken, bool]:
        """Blacklist this token (recording it as outstanding first if needed)."""
        from .token_blacklist.models import BlacklistedToken

        outstanding, _created = self._outstanding_get_or_create()
        return BlacklistedToken.objects.get_or_create(token=outstanding)

    @_BlacklistOnly
    def consume(self) -> OutstandingToken:
        """Blacklist this token as one atomic database operation, or fail if it already is.

        The insert comes first and the blacklist's unique constraint decides: of N
        concurrent calls for one token exactly one inserts its row, the others raise
        :class:`TokenBlacklistedError` ("Token is blacklisted"). On PostgreSQL a loser
        waits for the winner's transaction and wins if that one rolls back, so called in
        the transaction that issues the successor token, a crash before the commit
        leaves this token unconsumed. Unlike :meth:`blacklist`, which ``get_or_create``s.
        """
        from django.db import IntegrityError, transaction

        from .token_blacklist.models import BlacklistedToken

        outstanding, _created = self._outstanding_get_or_create()
        try:
            with transaction.atomic():
                BlacklistedToken.objects.create(token=outstanding)
        except IntegrityError as e:
            raise TokenBlacklistedError(_("Token is blacklisted"), self.payload) from e
        return outstanding

    def outstand(self) -> tuple[OutstandingToken, bool] | None:
        """Record this token as outstanding unless it already is (no-op without the app)."""
        if not blacklist_installed():
            return None
        return self._outstanding_get_or_create()

    def _outstanding_get_or_create(self) -> tuple[OutstandingToken, bool]:
        from .token_blacklist.models import OutstandingToken

        return OutstandingToken.objects.get_or_create(
            jti=self.payload[api_settings.JTI_CLAIM],
            defaults={
                # The user model is the project's (AUTH_USER_MODEL), not only auth.User.
                "user": self._owner_or_none(),  # type: ignore[misc]
                "created_at": self.current_time,
                "token": _stored_text(str(self)),
                "expires_at": datetime_from_epoch(self.payload["exp"]),
            },
        )

    def _join_family(self, user: AuthUser) -> None:
        """A new token's family (``TOKEN_FAMILIES``): refresh tokens only, see RefreshToken."""

    def _owner_or_none(self) -> AbstractBaseUser | None:
        user_id = self.payload.get(api_settings.USER_ID_CLAIM)
        if user_id is None:
            return None
        user_model = get_user_model()
        try:
            return user_model.objects.get(**{api_settings.USER_ID_FIELD: user_id})
        except (user_model.DoesNotExist, ValueError, TypeError, ValidationError):
            return None

    @classmethod
    def for_user(cls, user: AuthUser) -> Any:
        """As :meth:`Token.for_user`, recording the new token as outstanding."""
        token = super().for_user(user)  # type: ignore[misc]
        if blacklist_installed():
            from .token_blacklist.models import OutstandingToken

            token._join_family(user)

            OutstandingToken.objects.create(
                # The user model is the project's (AUTH_USER_MODEL), not only auth.User.
                user=user,  # type: ignore[misc]
                jti=token[api_settings.JTI_CLAIM],
                token=_stored_text(str(token)),
                created_at=token.current_time,
                expires_at=datetime_from_epoch(token["exp"]),
            )
        return token


class SlidingToken(BlacklistMixin["SlidingToken"], Token):
    token_type = "sliding"
    lifetime = _Setting("SLIDING_TOKEN_LIFETIME")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.token is None:
            self.set_exp(
                api_settings.SLIDING_TOKEN_REFRESH_EXP_CLAIM,
                from_time=self.current_time,
                lifetime=api_settings.SLIDING_TOKEN_REFRESH_LIFETIME,
            )


class AccessToken(Token):
    token_type = "access"
    lifetime = _Setting("ACCESS_TOKEN_LIFETIME")


class RefreshToken(BlacklistMixin["RefreshToken"], Token):
    token_type = "refresh"
    lifetime = _Setting("REFRESH_TOKEN_LIFETIME")
    no_copy_claims: tuple[str, ...] = _NoCopyClaims()  # type: ignore[assignment]
    access_token_class: type[Token] = AccessToken

    def _join_family(self, user: AuthUser) -> None:
        """With ``TOKEN_FAMILIES`` (or reuse detection) on, a login starts a family: its id in
        ``TOKEN_FAMILY_CLAIM`` and a ``TokenFamily`` row (ferrojwt.rotation)."""
        from . import rotation

        if rotation.families_enabled():
            rotation.start_family(self, user)

    @property
    def access_token(self) -> AccessToken:
        """A new access token carrying this token's claims except ``no_copy_claims``.

        Its ``exp`` counts from this refresh token's creation time, so a pair
        issued together expires relative to the same instant.
        """
        access = self.access_token_class()
        parts = self._time_memo
        lifetime = access.lifetime  # set: the constructor refuses a token without one
        if (
            lifetime is not None
            and parts[0] is self.current_time
            and getattr(type(access), "set_exp", None) is _SET_EXP
        ):
            # Token.set_exp(from_time=self.current_time), inlined; the clock reading's
            # conversion to epoch seconds is this token's.
            access.payload["exp"] = _epoch_after(parts, parts[0], lifetime)
        else:
            access.set_exp(from_time=self.current_time)
        skip = self.no_copy_claims
        for claim, value in self.payload.items():
            if claim not in skip:
                access[claim] = value
        return access  # type: ignore[return-value]


class UntypedToken(Token):
    token_type = "untyped"
    lifetime = timedelta(seconds=0)

    def verify_token_type(self) -> None:
        """Untyped tokens accept any type claim (general validity checks only)."""
