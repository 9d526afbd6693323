"""Tokens in HttpOnly cookies, for browser clients: setting, reading, deleting, and CSRF.

All of it is off by default (``AUTH_COOKIE`` and ``REFRESH_COOKIE`` are None): the token
views then answer exactly as simplejwt's do. With a cookie name set:

- the obtain and refresh views set the tokens they issue as cookies (:func:`token_response`),
  and refuse a browser request from another origin (:func:`enforce_origin`);
- the refresh, verify, blacklist and logout views read the token from its cookie when the
  body has none (:func:`request_data`);
- ``JWTCookieAuthentication`` authenticates a request by the access cookie.

A browser sends cookies on its own, on requests a hostile page makes too, so every request
that a cookie can authenticate passes Django's CSRF check (:func:`enforce_csrf`): a view
that reads a token cookie checks whenever that cookie is on the request, before the body
is even parsed; the authentication class checks when the cookie is what authenticated.
SameSite keeps the cookies off requests from other *sites*, but a site is the registrable
domain, so a sibling subdomain or another port of the same host is not stopped by it, and
not every browser applies it; the CSRF token and Django's Origin check are.

The views that *set* the cookies need no cookie to be called, so a hostile page could post
its own account's credentials (or refresh token) and have the answer log the browser in as
that account ("login CSRF"). Those views run the Origin part of Django's check: a request
naming another origin is refused, one naming none (an API client) passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, cast

from django.http import HttpRequest, QueryDict
from django.middleware.csrf import REASON_BAD_ORIGIN, CsrfViewMiddleware
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from .settings import api_settings

__all__ = [
    "delete_token_cookies",
    "enforce_csrf",
    "enforce_origin",
    "request_data",
    "set_token_cookies",
    "sets_cookies",
    "token_response",
]

# The body field of each token, and the settings naming its cookie, lifetime and path.
_COOKIES = (
    ("access", "AUTH_COOKIE", "ACCESS_TOKEN_LIFETIME", "AUTH_COOKIE_PATH"),
    ("refresh", "REFRESH_COOKIE", "REFRESH_TOKEN_LIFETIME", "REFRESH_COOKIE_PATH"),
)


class _CsrfCheck(CsrfViewMiddleware):
    """Django's CSRF middleware, answering the reason of a refusal instead of a 403 page."""

    def _reject(self, request: HttpRequest, reason: str) -> Any:
        return reason


def _no_response(request: HttpRequest) -> Any:
    raise AssertionError("the CSRF check never calls the view")  # pragma: no cover


def enforce_csrf(request: Request) -> None:
    """Django's CSRF check on ``request``, as its middleware would make it on a view.

    Safe methods (GET, HEAD, OPTIONS, TRACE) pass. An unsafe one needs the CSRF token (the
    ``X-CSRFToken`` header or the ``csrfmiddlewaretoken`` field) matching the CSRF cookie,
    and an ``Origin`` (or, over HTTPS, a ``Referer``) of this host or of
    ``CSRF_TRUSTED_ORIGINS``. A refusal is a 403 naming Django's reason.
    """
    # The DRF request, not its Django request, as DRF's SessionAuthentication passes it:
    # reading a form token from ``request.POST`` then sees the body DRF already parsed.
    django_request = cast(HttpRequest, request)
    check = _CsrfCheck(_no_response)
    check.process_request(django_request)  # reads the CSRF cookie into META
    reason = check.process_view(django_request, None, (), {})  # type: ignore[arg-type]
    if reason:
        raise PermissionDenied(f"CSRF Failed: {reason}")


def sets_cookies() -> bool:
    """Whether the views issuing tokens also set them as cookies (a cookie setting is on)."""
    return bool(api_settings.AUTH_COOKIE or api_settings.REFRESH_COOKIE)


def enforce_origin(request: Request) -> None:
    """The Origin part of Django's CSRF check, for the views that set the token cookies.

    A request with an ``Origin`` header (browsers send one with every POST, ``fetch`` and
    forms alike) must name this host, with its scheme, or one of ``CSRF_TRUSTED_ORIGINS``;
    otherwise a 403 ``CSRF Failed: Origin checking failed - <origin> does not match any
    trusted origins.`` A request without one, as API clients send, passes: it cannot be a
    page's, and these views need no cookie, nor a CSRF token, to be called.
    """
    django_request = cast(HttpRequest, request)
    origin = django_request.META.get("HTTP_ORIGIN")
    if origin is None:
        return
    # The middleware's own Origin test (Django 4.0+; private, as the ``_reject`` above), the
    # first step of its check: CSRF_TRUSTED_ORIGINS and their wildcards apply as there.
    verified = _CsrfCheck(_no_response)._origin_verified  # type: ignore[attr-defined]
    if not verified(django_request):
        raise PermissionDenied(f"CSRF Failed: {REASON_BAD_ORIGIN % origin}")


def _cookie_token(request: Request, setting: str) -> str | None:
    name = getattr(api_settings, setting) if setting else None
    if not name:
        return None
    value = request.COOKIES.get(name)
    return value or None


def request_data(request: Request, field: str, setting: str) -> Any:
    """The data a token view validates: the body, with ``field`` from the cookie named by
    the setting ``setting`` when the body has no such field.

    Whenever that cookie is on the request, the CSRF check runs first (a 403 before the
    body is parsed); without the cookie, or with the setting None, the body as it is.
    """
    cookie = _cookie_token(request, setting)
    if cookie is None:
        return request.data
    enforce_csrf(request)
    data = request.data
    if isinstance(data, QueryDict):
        if field not in data:
            data = data.copy()
            data[field] = cookie
        return data
    if isinstance(data, Mapping) and field not in data:
        return {**data, field: cookie}
    return data


def _cookie_options(path_setting: str) -> dict[str, Any]:
    return {
        "path": getattr(api_settings, path_setting),
        "domain": api_settings.AUTH_COOKIE_DOMAIN,
        "secure": api_settings.AUTH_COOKIE_SECURE,
        "httponly": api_settings.AUTH_COOKIE_HTTPONLY,
        "samesite": api_settings.AUTH_COOKIE_SAMESITE,
    }


def set_token_cookies(response: Response, data: Mapping[str, Any]) -> None:
    """Set the cookie of each token in ``data`` (``access``, ``refresh``) whose cookie is on.

    Each cookie lives as long as its token (``ACCESS_TOKEN_LIFETIME``,
    ``REFRESH_TOKEN_LIFETIME``): the browser drops it when the token would be refused.
    """
    for field, name_setting, lifetime_setting, path_setting in _COOKIES:
        name = getattr(api_settings, name_setting)
        token = data.get(field)
        if not name or not isinstance(token, str):
            continue
        lifetime = getattr(api_settings, lifetime_setting)
        seconds = int(lifetime.total_seconds()) if isinstance(lifetime, timedelta) else None
        response.set_cookie(name, token, max_age=seconds, **_cookie_options(path_setting))


def delete_token_cookies(response: Response) -> None:
    """Expire the access and refresh cookies (those that are on) in the browser.

    With the attributes they were set with: a browser keeps a ``Secure`` cookie that an
    answer without ``Secure`` tries to overwrite, and one of another path or domain is
    another cookie.
    """
    for _field, name_setting, _lifetime, path_setting in _COOKIES:
        name = getattr(api_settings, name_setting)
        if name:
            response.set_cookie(
                name,
                "",
                max_age=0,
                expires="Thu, 01 Jan 1970 00:00:00 GMT",
                **_cookie_options(path_setting),
            )


def token_response(data: Mapping[str, Any]) -> Response:
    """The 200 answer of a view issuing tokens: ``data``, with the tokens' cookies set.

    With ``REFRESH_COOKIE_ONLY`` (and ``REFRESH_COOKIE`` on) the refresh token is left out
    of the body: page script never sees it.
    """
    body: Any = data
    if api_settings.REFRESH_COOKIE and api_settings.REFRESH_COOKIE_ONLY and "refresh" in data:
        body = {key: value for key, value in data.items() if key != "refresh"}
    response = Response(body, status=status.HTTP_200_OK)
    set_token_cookies(response, data)
    return response
