"""DRF authentication classes: ``JWTAuthentication`` and ``JWTStatelessUserAuthentication``.

Header names and types are read from ``api_settings`` per request, so
``override_settings`` applies; the module attributes ``AUTH_HEADER_TYPES`` and
``AUTH_HEADER_TYPE_BYTES`` of simplejwt remain available and current.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework import HTTP_HEADER_ENCODING, authentication
from rest_framework.request import Request

from . import _core
from ._core import MAX_TOKEN_BYTES
from .contrib import load_integrations
from .cookies import enforce_csrf
from .exceptions import AuthenticationFailed, InvalidToken, TokenError
from .models import TokenUser
from .revocation import check_not_revoked, password_fingerprint
from .settings import api_settings
from .tokens import Token
from .user_cache import configured_ttl, user_cache

__all__ = [
    "JWTAuthentication",
    "JWTCookieAuthentication",
    "JWTStatelessUserAuthentication",
    "JWTTokenUserAuthentication",
    "default_user_authentication_rule",
    "get_auth_header_types",
]

AuthUser = TypeVar("AuthUser", AbstractBaseUser, TokenUser)


def get_auth_header_types() -> tuple[str, ...]:
    """``AUTH_HEADER_TYPES`` as a tuple (a single string setting is accepted)."""
    types = api_settings.AUTH_HEADER_TYPES
    if isinstance(types, (list, tuple)):
        return tuple(types)
    return (types,)


_header_cache: tuple[Any, frozenset[bytes]] = (None, frozenset())

# A header longer than this holds no token the core accepts (see _oversized_header); one
# token over the limit stands for it (zero pages from calloc: no memory used).
_LONGEST_HEADER = MAX_TOKEN_BYTES + 1024
_OVERSIZED_TOKEN = bytes(MAX_TOKEN_BYTES + 1)


def _header_type_bytes() -> frozenset[bytes]:
    global _header_cache
    setting = api_settings.AUTH_HEADER_TYPES
    cached = _header_cache
    if cached[0] is not setting:
        encoded = frozenset(t.encode(HTTP_HEADER_ENCODING) for t in get_auth_header_types())
        cached = _header_cache = (setting, encoded)
    return cached[1]


# simplejwt's module constants, kept current: ``AUTH_HEADER_TYPES`` and
# ``AUTH_HEADER_TYPE_BYTES`` are computed from the settings when read.
def __getattr__(name: str) -> Any:
    if name == "AUTH_HEADER_TYPES":
        return get_auth_header_types()
    if name == "AUTH_HEADER_TYPE_BYTES":
        return set(_header_type_bytes())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class JWTAuthentication(authentication.BaseAuthentication):
    """Authenticates a request by a JWT in a header, returning the user from the database."""

    www_authenticate_realm = "api"
    media_type = "application/json"

    @cached_property
    def user_model(self) -> Any:
        # Looked up when first needed: DRF builds one instance per request, and the
        # stateless subclass never needs it.
        return get_user_model()

    def authenticate(self, request: Request) -> tuple[Any, Token] | None:
        header = self.get_header(request)
        if header is None:
            return None
        raw_token = self.get_raw_token(header)
        if raw_token is None:
            return None
        validated_token = self.get_validated_token(raw_token)
        return self.get_user(validated_token), validated_token

    def authenticate_header(self, request: Request) -> str:
        return f'{get_auth_header_types()[0]} realm="{self.www_authenticate_realm}"'

    def get_header(self, request: Request) -> bytes | None:
        """The raw header carrying the token (``AUTH_HEADER_NAME``), as bytes."""
        # A DRF Request proxies META through a slow __getattr__: read its Django
        # request directly; anything else (a Django request, a test double) as is.
        django_request = request._request if isinstance(request, Request) else request
        header = django_request.META.get(api_settings.AUTH_HEADER_NAME)
        if header is not None and len(header) > _LONGEST_HEADER:
            self._oversized_header(header)
            return None
        if isinstance(header, str):
            # The Django test client passes str headers.
            header = header.encode(HTTP_HEADER_ENCODING)
        return header

    def _oversized_header(self, header: str | bytes) -> None:
        """A header longer than any "<type> <token>" the core accepts (MAX_TOKEN_BYTES, plus
        1 KiB for the type and spaces): encoding and splitting its megabytes would cost
        milliseconds. Only its start is read: another scheme's is left alone (None);
        ours is refused as any token over MAX_TOKEN_BYTES is, with the same answer."""
        start = header[:64]
        if isinstance(start, str):
            start = start.encode(HTTP_HEADER_ENCODING, "replace")
        try:
            theirs = _core.header_token(start, _header_type_bytes()) is None
        except ValueError:  # ours, though not two words
            theirs = False
        if theirs:
            return None
        self.get_validated_token(_OVERSIZED_TOKEN)
        raise InvalidToken()  # not reached: the core refuses a token over its limit

    def get_raw_token(self, header: bytes) -> bytes | None:
        """The token in a ``<type> <token>`` header, or None if it is not one of ours."""
        # Split natively; None for another scheme: left to the other authentication classes.
        try:
            return _core.header_token(header, _header_type_bytes())
        except ValueError:
            raise AuthenticationFailed(
                _("Authorization header must contain two space-delimited values"),
                code="bad_authorization_header",
            ) from None

    def get_validated_token(self, raw_token: bytes) -> Token:
        """The first ``AUTH_TOKEN_CLASSES`` class that accepts ``raw_token``."""
        messages = []
        for token_class in api_settings.AUTH_TOKEN_CLASSES:
            try:
                # ACCESS_TOKEN_REVOCATION: one cache read (ferrojwt.revocation).
                token: Token = token_class(raw_token)
                return check_not_revoked(token)
            except TokenError as e:
                messages.append(
                    {
                        "token_class": token_class.__name__,
                        "token_type": token_class.token_type,
                        "message": e.args[0],
                    }
                )
        raise InvalidToken(
            {"detail": _("Given token not valid for any token type"), "messages": messages}
        )

    def get_user(self, validated_token: Token) -> Any:
        """The user named by the token's ``USER_ID_CLAIM``, active and not revoked."""
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as e:
            raise InvalidToken(_("Token contained no recognizable user identification")) from e

        model = self.user_model
        ttl = configured_ttl()
        try:
            if ttl is None:
                user = model.objects.get(**{api_settings.USER_ID_FIELD: user_id})
            else:
                # USER_CACHE_TTL: a copy of a recently loaded row, still current.
                user = user_cache.get_user(
                    model,
                    api_settings.USER_ID_FIELD,
                    user_id,
                    ttl=ttl,
                    alias=api_settings.USER_CACHE_ALIAS,
                )
        except model.DoesNotExist as e:
            raise AuthenticationFailed(_("User not found"), code="user_not_found") from e

        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")

        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != password_fingerprint(user.password):
            raise AuthenticationFailed(
                _("The user's password has been changed."), code="password_changed"
            )
        return user


class JWTStatelessUserAuthentication(JWTAuthentication):
    """Authenticates by JWT without a database query: the user is a ``TOKEN_USER_CLASS``."""

    def get_user(self, validated_token: Token) -> Any:
        if api_settings.USER_ID_CLAIM not in validated_token:
            raise InvalidToken(_("Token contained no recognizable user identification"))
        return api_settings.TOKEN_USER_CLASS(validated_token)


JWTTokenUserAuthentication = JWTStatelessUserAuthentication


class JWTCookieAuthentication(JWTAuthentication):
    """The ``Authorization`` header first, then the ``AUTH_COOKIE`` cookie (browsers).

    A request authenticated by its cookie must pass Django's CSRF check on unsafe methods,
    as with DRF's ``SessionAuthentication``: the browser attaches the cookie to requests a
    hostile page makes too. One authenticated by its header is not checked: no browser
    adds that header on its own. With ``AUTH_COOKIE`` None, this is ``JWTAuthentication``.
    """

    def authenticate(self, request: Request) -> tuple[Any, Token] | None:
        found = super().authenticate(request)
        if found is not None:
            return found
        raw_token = self.get_cookie_token(request)
        if raw_token is None:
            return None
        # Before the token is looked at: a forged request learns nothing and costs no query.
        enforce_csrf(request)
        validated_token = self.get_validated_token(raw_token)
        return self.get_user(validated_token), validated_token

    def get_cookie_token(self, request: Request) -> bytes | None:
        """The token in the ``AUTH_COOKIE`` cookie, or None (no such cookie, or it is off)."""
        name = api_settings.AUTH_COOKIE
        value = request.COOKIES.get(name) if name else None
        return value.encode() if value else None


def default_user_authentication_rule(user: AuthUser | None) -> bool:
    """Whether ``user`` may get tokens: it exists and, if ``CHECK_USER_IS_ACTIVE``, is active."""
    return user is not None and (not api_settings.CHECK_USER_IS_ACTIVE or user.is_active)


# Register the OpenAPI extensions for the classes above (see ferrojwt.contrib).
load_integrations()
