"""simplejwt's token classes: ``Token``, ``AccessToken``, ``RefreshToken``, ``SlidingToken``,
``UntypedToken`` and ``BlacklistMixin``, over the native core's claims, signing and checks.

The clock is this module's ``aware_utcnow`` (patch it, or freeze time with freezegun).
Lifetimes and ``no_copy_claims`` follow ``api_settings`` at access time, so
``override_settings(SIMPLE_JWT=...)`` applies; a subclass may set them as class attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
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
from .token_blacklist import records
from .utils import aware_utcnow, format_lazy, logger

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


#: simplejwt's message for each refusal code of ``_core.check_token`` (2, a time claim
#: that is not a number, is a TypeError and an HTTP 500 in simplejwt).
_REFUSALS = {
    1: _("Token has no '{}' claim"),
    2: _("Token is invalid"),
    3: _("Token '{}' claim has expired"),
    4: _("Token has no id"),
    5: _("Token has no type"),
    6: _("Token has wrong type"),
}


def _refusal(code: int, claim: str = "exp") -> TokenError:
    return TokenError(format_lazy(_REFUSALS[code], claim))


class _BlacklistOnly:
    """A method that exists only while the blacklist app is installed (checked at lookup):
    otherwise AttributeError, as for simplejwt's conditionally defined methods."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.__doc__ = func.__doc__

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
            native = verify and isinstance(backend, TokenBackend) and cls.verify is _VERIFY
            native = native and cls.check_exp is _CHECK_EXP
            native = native and cls.verify_token_type is _VERIFY_TOKEN_TYPE
            try:
                if native:
                    # Token's own verify() runs in the native decode call (its checks'
                    # rule, check_token); the code of a refusal is raised below.
                    typ = settings.TOKEN_TYPE_CLAIM
                    expected = None if typ is None else self.token_type
                    payload = backend.decode_token(token, now, settings.JTI_CLAIM, typ, expected)
                else:
                    self.payload = backend.decode(token, verify=verify)
            except TokenBackendExpiredToken as e:
                raise ExpiredTokenError(_("Token is expired")) from e
            except TokenBackendError as e:
                raise TokenError(_("Token is invalid")) from e
            if native:
                if isinstance(payload, int):
                    raise _refusal(payload)
                self.payload = payload
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
        claim = api_settings.TOKEN_TYPE_CLAIM
        if refused := _core.check_token(self.payload, type_claim=claim, token_type=self.token_type):
            raise _refusal(refused)

    def check_exp(self, claim: str = "exp", current_time: datetime | None = None) -> None:
        """Raise :class:`TokenError` when the time in ``claim`` has passed (with the
        backend's leeway) at ``current_time`` (default: this token's clock reading)."""
        backend = self.get_token_backend()
        own = isinstance(backend, TokenBackend)
        leeway = backend._leeway_total_seconds() if own else backend.get_leeway().total_seconds()
        now = self.current_time if current_time is None else current_time
        if refused := _core.check_token(self.payload, exp=claim, now=now, leeway=leeway):
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


class BlacklistMixin(Generic[T]):
    """Outstanding-token records and blacklist checks, active while the
    ``ferrojwt.token_blacklist`` app is installed (checked at call time; the rows are
    :mod:`ferrojwt.token_blacklist.records`')."""

    payload: dict[str, Any]
    current_time: datetime

    def verify(self, *args: Any, **kwargs: Any) -> None:
        if blacklist_installed():
            self.check_blacklist()
        super().verify(*args, **kwargs)  # type: ignore[misc]

    @_BlacklistOnly
    def check_blacklist(self) -> None:
        """Raise :class:`TokenError` when this token's id is blacklisted."""
        jti = self.payload.get(api_settings.JTI_CLAIM)
        # Without an id there is nothing to look up: verify() refuses it ("Token has no id").
        if jti is not None and records.is_blacklisted(jti):
            raise TokenBlacklistedError(_("Token is blacklisted"), self.payload)

    @_BlacklistOnly
    def blacklist(self) -> tuple[BlacklistedToken, bool]:
        """Blacklist this token (recording it as outstanding first if needed)."""
        return records.blacklist(self)

    @_BlacklistOnly
    def consume(self) -> OutstandingToken:
        """Blacklist this token in one atomic insert, or raise TokenBlacklistedError if it
        already is (see :func:`ferrojwt.token_blacklist.records.consume`)."""
        return records.consume(self)

    def outstand(self) -> tuple[OutstandingToken, bool] | None:
        """Record this token as outstanding unless it already is (no-op without the app)."""
        return records.outstand(self) if blacklist_installed() else None

    def _join_family(self, user: AuthUser) -> None:
        """A new token's family (``TOKEN_FAMILIES``): refresh tokens only, see RefreshToken."""

    def _owner_or_none(self) -> AbstractBaseUser | None:
        return records.owner_of(self.payload)

    @classmethod
    def for_user(cls, user: AuthUser) -> Any:
        """As :meth:`Token.for_user`, recording the new token as outstanding."""
        token = super().for_user(user)  # type: ignore[misc]
        if blacklist_installed():
            token._join_family(user)
            records.record_issued(token, user)
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
