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

from collections.abc import Callable
from datetime import datetime, timedelta
from os import urandom
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import _core
from .backends import TokenBackend
from .exceptions import ExpiredTokenError, TokenBackendError, TokenBackendExpiredToken, TokenError
from .jwt.exceptions import DecodeError
from .models import TokenUser
from .settings import api_settings
from .state import get_token_backend
from .utils import (
    aware_utcnow,
    datetime_from_epoch,
    datetime_to_epoch,
    epoch_seconds,
    format_lazy,
    get_md5_hash_password,
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


def blacklist_installed() -> bool:
    """Whether ``ferrojwt.token_blacklist`` is in ``INSTALLED_APPS`` (checked per call)."""
    return apps.is_installed(BLACKLIST_APP)


def _uuid4_hex() -> str:
    """``uuid4().hex`` (a random version-4 UUID as 32 hex digits), without the UUID object."""
    n = int.from_bytes(urandom(16), "big")
    n = (n & ~(0xF000 << 64) & ~(0xC000 << 48)) | (0x4000 << 64) | (0x8000 << 48)
    return f"{n:032x}"


class _Setting:
    """A class attribute that reads ``api_settings.<name>`` whenever it is accessed."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        return getattr(api_settings, self.name)


class _NoCopyClaims:
    """``RefreshToken.no_copy_claims``, built from the current claim-name settings."""

    def __get__(self, obj: object, owner: type | None = None) -> tuple[str, ...]:
        # The configured and the standard "jti" are both kept out: a third-party
        # token may carry a namespaced id as well as the registered one.
        return (api_settings.TOKEN_TYPE_CLAIM, "exp", api_settings.JTI_CLAIM, "jti", "iat")


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

    def __init__(self, token: Any = None, verify: bool = True) -> None:
        if self.token_type is None or self.lifetime is None:
            raise TokenError(_("Cannot create token with no type or lifetime"))

        self.token = token
        self.current_time = aware_utcnow()

        if token is not None:
            backend = self.get_token_backend()
            try:
                if type(backend).decode is TokenBackend.decode:
                    # One clock reading for decoding and for verify().
                    self._current_epoch = epoch_seconds(self.current_time)
                    self.payload: dict[str, Any] = backend.decode(
                        token, verify, now=self._current_epoch
                    )
                else:
                    self.payload = backend.decode(token, verify=verify)
            except TokenBackendExpiredToken as e:
                raise ExpiredTokenError(_("Token is expired")) from e
            except TokenBackendError as e:
                raise TokenError(_("Token is invalid")) from e
            if verify:
                self.verify()
        else:
            self.payload = {api_settings.TOKEN_TYPE_CLAIM: self.token_type}
            self.set_exp(from_time=self.current_time, lifetime=self.lifetime)
            self.set_iat(at_time=self.current_time)
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
        jti_claim = api_settings.JTI_CLAIM
        if jti_claim is not None and jti_claim not in self.payload:
            raise TokenError(_("Token has no id"))
        if api_settings.TOKEN_TYPE_CLAIM is not None:
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
            backend._leeway_seconds
            if isinstance(backend, TokenBackend)
            else backend.get_leeway().total_seconds()
        )
        try:
            expired = _core.time_claim_expired(value, self._epoch_of(current_time), leeway)
        except DecodeError as e:
            # A non-numeric time claim: simplejwt fails with a TypeError (HTTP 500).
            raise TokenError(_("Token is invalid")) from e
        if expired:
            raise TokenError(format_lazy(_("Token '{}' claim has expired"), claim))

    _current_epoch: float | None = None

    def _epoch_of(self, when: datetime) -> float:
        if when is self.current_time and self._current_epoch is not None:
            return self._current_epoch
        return epoch_seconds(when)

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
        assert lifetime is not None
        self.payload[claim] = datetime_to_epoch(from_time + lifetime)

    def set_iat(self, claim: str = "iat", at_time: datetime | None = None) -> None:
        """Set the issued-at ``claim`` (default: now)."""
        if at_time is None:
            at_time = self.current_time
        self.payload[claim] = datetime_to_epoch(at_time)

    def outstand(self) -> Any:
        """Record this token as outstanding; plain tokens are not recorded."""
        return None

    @classmethod
    def for_user(cls: type[T], user: AuthUser) -> T:
        """A new token for ``user``, carrying its id (and password fingerprint if enabled)."""
        if hasattr(user, "is_active") and not user.is_active:
            logger.warning(
                "Issuing a token for user %s, who is inactive; check the user's status "
                "before calling for_user() if this is not intended.",
                getattr(user, "pk", None),
            )
        user_id = str(getattr(user, api_settings.USER_ID_FIELD))
        token = cls()
        token[api_settings.USER_ID_CLAIM] = user_id
        if api_settings.CHECK_REVOKE_TOKEN:
            token[api_settings.REVOKE_TOKEN_CLAIM] = get_md5_hash_password(user.password)
        return token

    # -- backend -------------------------------------------------------------

    @property
    def token_backend(self) -> TokenBackend:
        if self._token_backend is None:
            self._token_backend = get_token_backend()
        return self._token_backend

    def get_token_backend(self) -> TokenBackend:
        return self.token_backend


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
            raise TokenError(_("Token is blacklisted"))

    @_BlacklistOnly
    def blacklist(self) -> tuple[BlacklistedToken, bool]:
        """Blacklist this token (recording it as outstanding first if needed)."""
        from .token_blacklist.models import BlacklistedToken

        outstanding, _created = self._outstanding_get_or_create()
        return BlacklistedToken.objects.get_or_create(token=outstanding)

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
                "user": self._owner_or_none(),
                "created_at": self.current_time,
                "token": str(self),
                "expires_at": datetime_from_epoch(self.payload["exp"]),
            },
        )

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

            OutstandingToken.objects.create(
                user=user,
                jti=token[api_settings.JTI_CLAIM],
                token=str(token),
                created_at=token.current_time,
                expires_at=datetime_from_epoch(token["exp"]),
            )
        return token


class SlidingToken(BlacklistMixin["SlidingToken"], Token):
    token_type = "sliding"
    lifetime = _Setting("SLIDING_TOKEN_LIFETIME")  # type: ignore[assignment]

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
    lifetime = _Setting("ACCESS_TOKEN_LIFETIME")  # type: ignore[assignment]


class RefreshToken(BlacklistMixin["RefreshToken"], Token):
    token_type = "refresh"
    lifetime = _Setting("REFRESH_TOKEN_LIFETIME")  # type: ignore[assignment]
    no_copy_claims: tuple[str, ...] = _NoCopyClaims()  # type: ignore[assignment]
    access_token_class: type[Token] = AccessToken

    @property
    def access_token(self) -> AccessToken:
        """A new access token carrying this token's claims except ``no_copy_claims``.

        Its ``exp`` counts from this refresh token's creation time, so a pair
        issued together expires relative to the same instant.
        """
        access = self.access_token_class()
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
