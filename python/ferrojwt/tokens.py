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
from collections.abc import Callable
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
from .models import TokenUser
from .revocation import password_fingerprint
from .settings import api_settings
from .state import get_token_backend
from .utils import aware_utcnow, datetime_from_epoch, format_lazy, logger

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
    """Whether ``ferrojwt.token_blacklist`` is in ``INSTALLED_APPS``, checked per call (so
    ``override_settings`` applies) by its label, which Django keeps unique."""
    apps.check_apps_ready()
    config = apps.app_configs.get("token_blacklist")
    return config is not None and config.name == BLACKLIST_APP


class _Setting:
    """A class attribute that reads ``api_settings.<name>`` whenever it is accessed."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        return getattr(api_settings, self.name)


class _NoCopyClaims:
    """``RefreshToken.no_copy_claims``, from the claim-name settings at access time."""

    def __get__(self, obj: object, owner: type | None = None) -> tuple[str, ...]:
        # The configured and the standard "jti" are both kept out: a third-party
        # token may carry a namespaced id as well as the registered one.
        return (api_settings.TOKEN_TYPE_CLAIM, "exp", api_settings.JTI_CLAIM, "jti", "iat")


def _refusal(code: int, claim: str = "exp") -> TokenError:
    """simplejwt's TokenError for a failed ``_core.check_token`` code."""
    if code == 1:
        return TokenError(format_lazy(_("Token has no '{}' claim"), claim))
    if code == 3:
        return TokenError(format_lazy(_("Token '{}' claim has expired"), claim))
    if code == 4:
        return TokenError(_("Token has no id"))
    if code == 5:
        return TokenError(_("Token has no type"))
    if code == 6:
        return TokenError(_("Token has wrong type"))
    # 2, a time claim that is not a number: simplejwt fails with a TypeError (HTTP 500).
    return TokenError(_("Token is invalid"))


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
    payload: dict[str, Any]
    _token_backend: TokenBackend | None = None

    def __init__(self, token: Any = None, verify: bool = True) -> None:
        lifetime = self.lifetime
        if self.token_type is None or lifetime is None:
            raise TokenError(_("Cannot create token with no type or lifetime"))

        self.token = token
        self.current_time = now = aware_utcnow()
        cls = type(self)
        settings = api_settings

        if token is not None:
            # As in simplejwt: the backend checks the signature and the time claims
            # against the real clock (PyJWT's), then verify() checks "exp" again
            # against current_time, the clock that tests patch.
            backend = self.get_token_backend()
            native = (
                verify
                and cls.verify is _VERIFY
                and cls.check_exp is _CHECK_EXP
                and cls.verify_token_type is _VERIFY_TOKEN_TYPE
                and isinstance(backend, TokenBackend)
            )
            try:
                if native:
                    # Token's own verify() (and the checks it calls) runs in the native
                    # decode call: the same check_token rule, its code raised below.
                    type_claim = settings.TOKEN_TYPE_CLAIM
                    self.payload, refused = backend.decode_token(
                        token,
                        now,
                        settings.JTI_CLAIM,
                        type_claim,
                        None if type_claim is None else self.token_type,
                    )
                else:
                    self.payload = backend.decode(token, verify=verify)
            except TokenBackendExpiredToken as e:
                raise ExpiredTokenError(_("Token is expired")) from e
            except TokenBackendError as e:
                raise TokenError(_("Token is invalid")) from e
            if native:
                if refused:
                    raise _refusal(refused)
            elif verify:
                self.verify()
        elif cls.set_exp is _SET_EXP and cls.set_iat is _SET_IAT and cls.set_jti is _SET_JTI:
            # Token's own set_exp(), set_iat() and set_jti(): their claims in one native call.
            self.payload = _core.new_claims(
                settings.TOKEN_TYPE_CLAIM, self.token_type, now, lifetime, settings.JTI_CLAIM
            )
        else:
            self.payload = {settings.TOKEN_TYPE_CLAIM: self.token_type}
            self.set_exp(from_time=now, lifetime=lifetime)
            self.set_iat(at_time=now)
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

    # -- checks (extension points; the rules are the native core's check_token) --

    def verify(self) -> None:
        """Checks beyond decoding: expiry, id and type. Override to add your own."""
        # "exp" is optional in RFC 7519; authorization tokens must carry one.
        self.check_exp()
        jti_claim = api_settings.JTI_CLAIM
        if jti_claim is not None and (refused := _core.check_token(self.payload, jti=jti_claim)):
            raise _refusal(refused)
        if api_settings.TOKEN_TYPE_CLAIM is not None:
            self.verify_token_type()

    def verify_token_type(self) -> None:
        """The type claim must be present and equal to this class's ``token_type``."""
        refused = _core.check_token(
            self.payload, type_claim=api_settings.TOKEN_TYPE_CLAIM, token_type=self.token_type
        )
        if refused:
            raise _refusal(refused)

    def check_exp(self, claim: str = "exp", current_time: datetime | None = None) -> None:
        """Raise :class:`TokenError` when the time in ``claim`` has passed (with the
        backend's leeway) at ``current_time`` (default: this token's clock reading)."""
        backend = self.get_token_backend()
        leeway = (
            backend._leeway_total_seconds()
            if isinstance(backend, TokenBackend)
            else backend.get_leeway().total_seconds()
        )
        now = self.current_time if current_time is None else current_time
        refused = _core.check_token(self.payload, exp=claim, now=now, leeway=leeway)
        if refused:
            raise _refusal(refused, claim)

    # -- claim setters -------------------------------------------------------

    def set_jti(self) -> None:
        """A fresh random id in the configured ``JTI_CLAIM`` (RFC 7519 4.1.7)."""
        self.payload[api_settings.JTI_CLAIM] = _core.uuid4_hex()

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
        self.payload[claim] = _core.claim_time(from_time, lifetime)

    def set_iat(self, claim: str = "iat", at_time: datetime | None = None) -> None:
        """Set the issued-at ``claim`` (default: now)."""
        if at_time is None:
            at_time = self.current_time
        self.payload[claim] = _core.claim_time(at_time)

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


#: Token's own methods: while a token's class has these, __init__ takes the native paths.
_SET_EXP, _SET_IAT, _SET_JTI = Token.set_exp, Token.set_iat, Token.set_jti
_VERIFY, _CHECK_EXP, _VERIFY_TOKEN_TYPE = Token.verify, Token.check_exp, Token.verify_token_type


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
        access.set_exp(from_time=self.current_time)
        no_copy = self.no_copy_claims
        for claim, value in self.payload.items():
            if claim not in no_copy:
                access[claim] = value
        return access  # type: ignore[return-value]


class UntypedToken(Token):
    token_type = "untyped"
    lifetime = timedelta(seconds=0)

    def verify_token_type(self) -> None:
        """Untyped tokens accept any type claim (general validity checks only)."""
