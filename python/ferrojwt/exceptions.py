"""The exceptions of simplejwt, with the same names, messages, codes and status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

__all__ = [
    "AuthenticationFailed",
    "DatabaseUnavailable",
    "DetailDictMixin",
    "ExpiredTokenError",
    "InvalidToken",
    "RevocationUnavailable",
    "TokenBackendError",
    "TokenBackendExpiredToken",
    "TokenBlacklistedError",
    "TokenError",
]


class TokenError(Exception):
    """A token could not be built or used; ``args[0]`` is the user-facing message."""


class ExpiredTokenError(TokenError):
    """The token's ``exp`` has passed."""


class TokenBlacklistedError(TokenError):
    """The token is blacklisted (simplejwt's "Token is blacklisted"); ``payload`` holds its
    verified claims, so the refresh view can tell a replay of a rotated token."""

    def __init__(self, message: Any, payload: dict[str, Any]) -> None:
        super().__init__(message)
        self.payload = payload


class TokenBackendError(Exception):
    """The backend refused to decode or encode a token."""


class TokenBackendExpiredToken(TokenBackendError):
    """The backend refused a token because it has expired."""


class DetailDictMixin:
    """Makes a DRF exception's detail a ``{"detail": ..., "code": ...}`` dictionary."""

    default_detail: Any
    default_code: str

    def __init__(
        self, detail: dict[str, Any] | str | _StrPromise | None = None, code: str | None = None
    ) -> None:
        body: dict[str, Any] = {"detail": self.default_detail, "code": self.default_code}
        if isinstance(detail, dict):
            body.update(detail)
        elif detail is not None:
            body["detail"] = detail
        if code is not None:
            body["code"] = code
        super().__init__(body)  # type: ignore[call-arg]


class AuthenticationFailed(DetailDictMixin, exceptions.AuthenticationFailed):
    """401 with a detail dictionary."""


class InvalidToken(AuthenticationFailed):
    """401 ``token_not_valid``."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = _("Token is invalid or expired")
    default_code = "token_not_valid"


class DatabaseUnavailable(DetailDictMixin, exceptions.APIException):
    """503 ``database_unavailable``: a token view could not reach its database.

    Not in simplejwt (whose token views answer 500 then). The message is not translated
    yet: the catalogues have no msgid for it.
    """

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is temporarily unavailable, try again later."
    default_code = "database_unavailable"


class RevocationUnavailable(DetailDictMixin, exceptions.APIException):
    """503 ``revocation_unavailable``: a logout-all blacklisted the refresh tokens but could
    not write the cache marker that refuses the access tokens (``ACCESS_TOKEN_REVOCATION``).

    Not in simplejwt. The message is not translated yet (no msgid in the catalogues).
    """

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = (
        "The sessions were revoked, but access tokens already issued stay valid until they "
        "expire: the revocation cache could not be reached."
    )
    default_code = "revocation_unavailable"
