"""The token endpoints of simplejwt, with their function-view aliases."""

from __future__ import annotations

import logging
from typing import Any, cast

from django.db import InterfaceError, OperationalError
from django.utils.module_loading import import_string
from rest_framework import generics, status
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from . import cookies
from .authentication import get_auth_header_types
from .exceptions import DatabaseUnavailable, InvalidToken, TokenError
from .jwks import JWKSView
from .parsers import swap_json_parser
from .sessions import LogoutAllView, SessionDetailView, SessionListView
from .settings import api_settings

logger = logging.getLogger(__name__)

__all__ = [
    "JWKSView",
    "LogoutAllView",
    "LogoutView",
    "SessionDetailView",
    "SessionListView",
    "TokenBlacklistView",
    "TokenObtainPairView",
    "TokenObtainSlidingView",
    "TokenRefreshSlidingView",
    "TokenRefreshView",
    "TokenVerifyView",
    "TokenViewBase",
    "logout",
    "token_blacklist",
    "token_obtain_pair",
    "token_obtain_sliding",
    "token_refresh",
    "token_refresh_sliding",
    "token_verify",
]


class TokenViewBase(generics.GenericAPIView[Any]):
    """POST-only endpoint running one serializer; a ``TokenError`` becomes a 401.

    The serializer is, in order: ``serializer_class`` if set, the dotted path in
    ``_serializer_class`` if set, else the ``SIMPLE_JWT`` setting named by
    ``_serializer_setting`` (read per request, so ``override_settings`` applies).
    """

    permission_classes = ()
    authentication_classes = ()

    serializer_class: type[BaseSerializer[Any]] | None = None
    _serializer_class = ""
    _serializer_setting = ""

    www_authenticate_realm = "api"

    #: The body field this view reads from a cookie when the body lacks it, and the setting
    #: naming that cookie (ferrojwt.cookies); empty: the view reads no cookie.
    _cookie_field = ""
    _cookie_setting = ""
    #: Whether the tokens of the answer are also set as cookies (``AUTH_COOKIE``,
    #: ``REFRESH_COOKIE``, when on); the view then refuses a browser request from another
    #: origin (``cookies.enforce_origin``: login CSRF).
    _sets_cookies = False

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.serializer_class:
            return self.serializer_class
        path = self._serializer_class
        if not path and self._serializer_setting:
            path = getattr(api_settings, self._serializer_setting)
        try:
            return cast(type[BaseSerializer[Any]], import_string(path))
        except ImportError as e:
            raise ImportError(f"Could not import serializer '{path}'") from e

    def get_authenticate_header(self, request: Request) -> str:
        return f'{get_auth_header_types()[0]} realm="{self.www_authenticate_realm}"'

    def get_parsers(self) -> list[BaseParser]:
        """The view's parser classes, DRF's JSONParser swapped for ferrojwt's depth-limited
        one (ferrojwt.parsers): a deeply nested body is a 400, not a RecursionError's 500."""
        return [parser() for parser in swap_json_parser(self.parser_classes)]

    def handle_exception(self, exc: Exception) -> Response:
        """A database that cannot be reached (down, restarting, connection lost) is a 503
        with a JSON body, not a 500: the token was neither issued nor accepted. Nothing
        else changes: a refused token is still a 401."""
        if isinstance(exc, (OperationalError, InterfaceError)):
            logger.error("token view %s: database unavailable: %s", type(self).__name__, exc)
            exc = DatabaseUnavailable()
        return super().handle_exception(exc)

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sets_cookies = self._sets_cookies and cookies.sets_cookies()
        if sets_cookies:
            cookies.enforce_origin(request)
        data = cookies.request_data(request, self._cookie_field, self._cookie_setting)
        serializer = self.get_serializer(data=data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as e:
            raise InvalidToken(e.args[0]) from e
        if sets_cookies:
            return cookies.token_response(serializer.validated_data)
        return Response(serializer.validated_data, status=status.HTTP_200_OK)


class TokenObtainPairView(TokenViewBase):
    """Credentials in, an access and refresh token pair out."""

    _serializer_setting = "TOKEN_OBTAIN_SERIALIZER"
    _sets_cookies = True


token_obtain_pair = TokenObtainPairView.as_view()


class TokenRefreshView(TokenViewBase):
    """A refresh token in, a new access token (and maybe a rotated refresh token) out."""

    _serializer_setting = "TOKEN_REFRESH_SERIALIZER"
    _cookie_field, _cookie_setting = "refresh", "REFRESH_COOKIE"
    _sets_cookies = True


token_refresh = TokenRefreshView.as_view()


class TokenObtainSlidingView(TokenViewBase):
    """Credentials in, a sliding token out."""

    _serializer_setting = "SLIDING_TOKEN_OBTAIN_SERIALIZER"


token_obtain_sliding = TokenObtainSlidingView.as_view()


class TokenRefreshSlidingView(TokenViewBase):
    """A sliding token in, the same token with a new expiry out (within its refresh period)."""

    _serializer_setting = "SLIDING_TOKEN_REFRESH_SERIALIZER"


token_refresh_sliding = TokenRefreshSlidingView.as_view()


class TokenVerifyView(TokenViewBase):
    """Answers whether a token is valid, whatever it is for."""

    _serializer_setting = "TOKEN_VERIFY_SERIALIZER"
    _cookie_field, _cookie_setting = "token", "AUTH_COOKIE"


token_verify = TokenVerifyView.as_view()


class TokenBlacklistView(TokenViewBase):
    """Blacklists a refresh token (needs the ``ferrojwt.token_blacklist`` app)."""

    _serializer_setting = "TOKEN_BLACKLIST_SERIALIZER"
    _cookie_field, _cookie_setting = "refresh", "REFRESH_COOKIE"


token_blacklist = TokenBlacklistView.as_view()


class LogoutView(TokenBlacklistView):
    """Blacklists the refresh token (from the body, or the ``REFRESH_COOKIE`` cookie) and
    deletes the access and refresh cookies.

    With a cookie setting on, every request passes the CSRF check first, cookie or not: a
    cross-site form arrives without the cookies (SameSite), and its answer would still
    delete them. The cookies are deleted whatever the answer (an expired or already
    blacklisted token included: the browser is logged out either way), except a 403: a
    request refused by the CSRF check may be another site's, and must not log anyone out.
    """

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if cookies.sets_cookies():
            cookies.enforce_csrf(request)
        return super().post(request, *args, **kwargs)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code != status.HTTP_403_FORBIDDEN:
            cookies.delete_token_cookies(response)
        return response


logout = LogoutView.as_view()
