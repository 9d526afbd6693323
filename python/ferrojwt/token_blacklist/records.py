"""The rows behind ``BlacklistMixin`` tokens (:mod:`ferrojwt.tokens`): outstanding tokens and
their blacklist entries. Called only while this app is installed; the models are imported
when first needed."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from ..exceptions import TokenBlacklistedError
from ..settings import api_settings
from ..utils import datetime_from_epoch

if TYPE_CHECKING:
    from ..tokens import Token
    from .models import BlacklistedToken, OutstandingToken

__all__ = ["blacklist", "consume", "is_blacklisted", "outstand", "owner_of", "record_issued"]


def stored_text(encoded: str) -> str:
    """What ``OutstandingToken.token`` keeps of an encoded token: the token itself (as in
    simplejwt), or with ``OUTSTANDING_TOKEN_FINGERPRINT`` its SHA-256, so that a copy of the
    table holds no usable token."""
    if api_settings.OUTSTANDING_TOKEN_FINGERPRINT:
        return "sha256:" + hashlib.sha256(encoded.encode()).hexdigest()
    return encoded


def owner_of(payload: dict[str, Any]) -> AbstractBaseUser | None:
    """The user a token's ``USER_ID_CLAIM`` names, or None (absent, unknown or malformed)."""
    user_id = payload.get(api_settings.USER_ID_CLAIM)
    if user_id is None:
        return None
    user_model = get_user_model()
    try:
        return user_model.objects.get(**{api_settings.USER_ID_FIELD: user_id})
    except (user_model.DoesNotExist, ValueError, TypeError, ValidationError):
        return None


def record_issued(token: Token, user: Any) -> None:
    """The outstanding row of a token just issued to ``user`` (``for_user``)."""
    from .models import OutstandingToken

    OutstandingToken.objects.create(
        # The user model is the project's (AUTH_USER_MODEL), not only auth.User.
        user=user,
        jti=token[api_settings.JTI_CLAIM],
        token=stored_text(str(token)),
        created_at=token.current_time,
        expires_at=datetime_from_epoch(token["exp"]),
    )


def outstand(token: Any) -> tuple[OutstandingToken, bool]:
    """The token's outstanding row, created unless it exists."""
    from .models import OutstandingToken

    return OutstandingToken.objects.get_or_create(
        jti=token.payload[api_settings.JTI_CLAIM],
        defaults={
            # The user model is the project's (AUTH_USER_MODEL), not only auth.User.
            "user": owner_of(token.payload),  # type: ignore[misc]
            "created_at": token.current_time,
            "token": stored_text(str(token)),
            "expires_at": datetime_from_epoch(token.payload["exp"]),
        },
    )


def is_blacklisted(jti: Any) -> bool:
    from .models import BlacklistedToken

    return bool(BlacklistedToken.objects.filter(token__jti=jti).exists())


def blacklist(token: Any) -> tuple[BlacklistedToken, bool]:
    """The token's blacklist row (its outstanding row first if needed), as ``get_or_create``."""
    from .models import BlacklistedToken

    outstanding, _created = outstand(token)
    return BlacklistedToken.objects.get_or_create(token=outstanding)


def consume(token: Any) -> OutstandingToken:
    """Blacklist the token as one atomic database operation, or fail if it already is.

    The insert comes first and the blacklist's unique constraint decides: of N concurrent
    calls for one token exactly one inserts its row, the others raise
    :class:`TokenBlacklistedError` ("Token is blacklisted"). On PostgreSQL a loser waits for
    the winner's transaction and wins if that one rolls back, so called in the transaction
    that issues the successor token, a crash before the commit leaves this token
    unconsumed. Unlike :func:`blacklist`, which ``get_or_create``s.
    """
    from .models import BlacklistedToken

    outstanding, _created = outstand(token)
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError as e:
        raise TokenBlacklistedError(_("Token is blacklisted"), token.payload) from e
    return outstanding
