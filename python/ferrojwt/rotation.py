"""Token families and refresh-token reuse detection.

With ``TOKEN_FAMILIES`` (or ``REFRESH_TOKEN_REUSE_DETECTION``, which implies it) and the
blacklist app installed, every login starts a family: a ``TokenFamily`` row whose id every
refresh token descended from that login carries in ``TOKEN_FAMILY_CLAIM`` (and so do their
access tokens, which copy the claim). The row is the session of :mod:`ferrojwt.sessions`:
when and from what it was created, when it was last refreshed, its one live refresh token.

With ``REFRESH_TOKEN_REUSE_DETECTION``, presenting a refresh token that is already
blacklisted (rotated, or logged out) revokes its whole family: its current refresh token is
blacklisted and the family marked revoked (and, with ``ACCESS_TOKEN_REVOCATION``, its access
tokens are refused too: :mod:`ferrojwt.revocation`). A replay within
``REFRESH_TOKEN_REUSE_GRACE`` of the token's consumption (a client retrying a refresh whose
answer it lost) is refused without revoking anything. A revocation is logged at WARNING
(user id and family, never a token) and sent as :data:`ferrojwt.signals.refresh_token_reused`.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

from .exceptions import TokenError
from .settings import api_settings
from .utils import aware_utcnow, datetime_from_epoch, logger

if TYPE_CHECKING:
    from .token_blacklist.models import TokenFamily
    from .tokens import Token

__all__ = [
    "advance_family",
    "client",
    "describe_client",
    "families_enabled",
    "lock_family",
    "new_family_id",
    "refused_blacklisted",
    "start_family",
]

#: The user agent and IP address of the request issuing tokens (see :func:`client`).
_client: ContextVar[tuple[str, str | None]] = ContextVar("ferrojwt_client", default=("", None))

_USER_AGENT_LENGTH = 256


def families_enabled() -> bool:
    """Whether refresh tokens carry families (``TOKEN_FAMILIES`` or reuse detection on, and
    the blacklist app, which holds the families' table, installed)."""
    settings = api_settings
    if not (settings.TOKEN_FAMILIES or settings.REFRESH_TOKEN_REUSE_DETECTION):
        return False
    from .tokens import blacklist_installed

    return blacklist_installed()


def check_reuse_settings() -> None:
    """Reuse detection needs rotated tokens to be blacklisted: refuse it otherwise."""
    settings = api_settings
    if settings.REFRESH_TOKEN_REUSE_DETECTION and not (
        settings.ROTATE_REFRESH_TOKENS and settings.BLACKLIST_AFTER_ROTATION
    ):
        raise ImproperlyConfigured(
            "REFRESH_TOKEN_REUSE_DETECTION needs ROTATE_REFRESH_TOKENS and "
            "BLACKLIST_AFTER_ROTATION (and the ferrojwt.token_blacklist app)."
        )


def new_family_id() -> str:
    """A random family id: 32 hex digits."""
    return secrets.token_hex(16)


def describe_client(request: Any) -> tuple[str, str | None]:
    """``(user agent, IP address)`` of a Django or DRF request, the address as Django sees
    it (``REMOTE_ADDR``: behind a proxy, set it from the proxy's header in a middleware)."""
    if request is None:
        return "", None
    meta = getattr(request, "META", None)
    if not isinstance(meta, dict):
        return "", None
    agent = str(meta.get("HTTP_USER_AGENT", ""))[:_USER_AGENT_LENGTH]
    address = meta.get("REMOTE_ADDR")
    try:
        ip = str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        ip = None
    return agent, ip


@contextmanager
def client(request: Any) -> Iterator[None]:
    """Within the block, families started by ``RefreshToken.for_user`` record ``request``'s
    user agent and IP address (the obtain serializer wraps ``get_token`` in it)."""
    reset = _client.set(describe_client(request))
    try:
        yield
    finally:
        _client.reset(reset)


def _create_family(
    family_id: str, user_pk: Any, token: Token, described: tuple[str, str | None]
) -> TokenFamily:
    from .token_blacklist.models import TokenFamily

    agent, ip = described
    return TokenFamily.objects.create(
        id=family_id,
        user_id=user_pk,
        created_at=token.current_time,
        expires_at=datetime_from_epoch(token["exp"]),
        current_jti=str(token.get(api_settings.JTI_CLAIM, "")),
        user_agent=agent,
        ip_address=ip,
    )


def start_family(token: Token, user: Any) -> None:
    """Give the new refresh ``token`` of ``user`` a family of its own (claim and row)."""
    family_id = new_family_id()
    token[api_settings.TOKEN_FAMILY_CLAIM] = family_id
    _create_family(family_id, user.pk, token, _client.get())


def lock_family(refresh: Token, request: Any) -> TokenFamily | None:
    """The family of ``refresh``, locked for the rest of the transaction; refuses a token
    whose family is revoked. A token without one (issued before families were turned on,
    or by simplejwt) starts one here; None when its user cannot be found."""
    from .token_blacklist.models import TokenFamily

    claim = api_settings.TOKEN_FAMILY_CLAIM
    family_id = refresh.get(claim)
    family = None
    if isinstance(family_id, str) and family_id:
        family = TokenFamily.objects.select_for_update().filter(pk=family_id).first()
    else:
        family_id = new_family_id()
    if family is None:
        owner = refresh._owner_or_none()  # type: ignore[attr-defined]
        if owner is None:
            return None
        refresh[claim] = family_id
        family = _create_family(family_id, owner.pk, refresh, describe_client(request))
    if family.revoked_at is not None:
        raise TokenError("Token family has been revoked")
    return family


def advance_family(family: TokenFamily, refresh: Token) -> None:
    """Record ``refresh`` (just rotated, or just used) as the family's current token."""
    family.current_jti = str(refresh[api_settings.JTI_CLAIM])
    family.last_refreshed_at = aware_utcnow()
    family.expires_at = datetime_from_epoch(refresh["exp"])
    family.save(update_fields=["current_jti", "last_refreshed_at", "expires_at"])


def refused_blacklisted(token_class: type[Token], payload: dict[str, Any], request: Any) -> None:
    """A blacklisted refresh token was presented: with reuse detection on, revoke its family
    (unless this is a retry within the grace window). The caller then refuses the token."""
    settings = api_settings
    if not settings.REFRESH_TOKEN_REUSE_DETECTION or not families_enabled():
        return
    if payload.get(settings.TOKEN_TYPE_CLAIM) != token_class.token_type:
        return
    family_id = payload.get(settings.TOKEN_FAMILY_CLAIM)
    if not isinstance(family_id, str) or not family_id:
        return
    grace = settings.REFRESH_TOKEN_REUSE_GRACE
    if grace:
        from .token_blacklist.models import BlacklistedToken

        consumed = (
            BlacklistedToken.objects.filter(token__jti=payload.get(settings.JTI_CLAIM))
            .values_list("blacklisted_at", flat=True)
            .first()
        )
        if consumed is not None and aware_utcnow() - consumed <= grace:
            return
    from .revocation import revoke_family

    family = revoke_family(family_id, reason="reuse")
    if family is None:
        return  # already revoked (or unknown): reported once, when it was revoked
    logger.warning(
        "Refresh token reuse detected: user %s, family %s revoked", family.user_id, family_id
    )
    from .signals import refresh_token_reused

    refresh_token_reused.send(sender=token_class, user=family.user, family=family, request=request)
