"""Revoking sessions and tokens: one token family, every session of a user, and access
tokens that die on their next request.

A revoked family is marked (``revoked_at``, ``revoked_reason``) and its current refresh
token blacklisted, in one transaction; the first revocation of a family is the one that
counts (a conditional update), so a concurrent second one reports nothing.

:func:`logout_all` revokes every session of a user: each of the user's live refresh (and
sliding) tokens is blacklisted and each family revoked. With ``ACCESS_TOKEN_REVOCATION``,
it also writes a per-user "not before" marker to the cache ``REVOCATION_CACHE``, and a
family's revocation a per-family marker; every authentication class (the stateless one
included) and the refresh view then read them, one cache ``get_many`` per request and no
database query, and refuse a token issued before the user's marker or of a revoked family.
A marker lives as long as the longest token lifetime (plus the leeway), after which every
token it refuses has expired anyway. Tokens carry whole seconds in ``iat``: a token of the
revocation's own second is refused too, unless it belongs to a family (a family started
after the revocation is not revoked, its tokens pass). A cache that cannot be read fails
closed (401) unless ``REVOCATION_FAIL_OPEN``; one that cannot be written is logged (the
database part of the revocation stands).

``REVOKE_ON_PASSWORD_CHANGE`` runs :func:`logout_all` when a user's password is saved
(``set_password()`` then ``save()``, as Django's forms, admin and ``changepassword`` do).

:func:`password_fingerprint` is the ``REVOKE_TOKEN_CLAIM`` value of ``CHECK_REVOKE_TOKEN``:
simplejwt's unsalted MD5 of the password hash (``REVOKE_TOKEN_HASH = "md5"``, so tokens
interoperate), or an HMAC-SHA256 of it keyed with ``SECRET_KEY`` (``"hmac"``), which a
reader of the token cannot link to the password hash.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.crypto import salted_hmac

from .exceptions import AuthenticationFailed, InvalidToken, RevocationUnavailable, TokenError
from .models import TokenUser
from .settings import api_settings
from .utils import aware_utcnow, get_md5_hash_password, logger

if TYPE_CHECKING:
    from .token_blacklist.models import TokenFamily

__all__ = [
    "blacklist_jtis",
    "check_not_revoked",
    "logout_all",
    "password_fingerprint",
    "revoke_family",
]

T = TypeVar("T")

_USER_KEY = "ferrojwt:revoked:user:{}"
_FAMILY_KEY = "ferrojwt:revoked:family:{}"
_HMAC_SALT = "ferrojwt.revocation.password_fingerprint"
REVOKED = "Token has been revoked"
UNAVAILABLE = "Token revocation status is unavailable"


# -- the password fingerprint of CHECK_REVOKE_TOKEN ----------------------------------------


def password_fingerprint(password: str) -> str:
    """The ``REVOKE_TOKEN_CLAIM`` value for a stored password hash (``REVOKE_TOKEN_HASH``)."""
    kind = api_settings.REVOKE_TOKEN_HASH
    if kind == "md5":
        return get_md5_hash_password(password)
    if kind == "hmac":
        return salted_hmac(_HMAC_SALT, password, algorithm="sha256").hexdigest()
    raise ImproperlyConfigured(f"REVOKE_TOKEN_HASH={kind!r}: use 'md5' or 'hmac'.")


# -- the database side -----------------------------------------------------------------------


def blacklist_jtis(jtis: Iterable[str]) -> int:
    """Blacklist the outstanding tokens with these ids (those already blacklisted stay as
    they are); the number of rows looked at."""
    from .token_blacklist.models import BlacklistedToken, OutstandingToken

    wanted = [jti for jti in jtis if jti]
    if not wanted:
        return 0
    ids = OutstandingToken.objects.filter(jti__in=wanted).values_list("id", flat=True)
    rows = [BlacklistedToken(token_id=pk) for pk in ids]
    BlacklistedToken.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def revoke_family(family_id: str, reason: str) -> TokenFamily | None:
    """Revoke one family: the row, with its user, if this call revoked it; None if it was
    already revoked or does not exist."""
    from .token_blacklist.models import TokenFamily

    with transaction.atomic():
        updated = TokenFamily.objects.filter(pk=family_id, revoked_at__isnull=True).update(
            revoked_at=aware_utcnow(), revoked_reason=reason
        )
        if not updated:
            return None
        family = TokenFamily.objects.select_related("user").get(pk=family_id)
        blacklist_jtis([family.current_jti])
    _write_markers({_FAMILY_KEY.format(family_id): 1})
    return family


def _owner(user: Any, prefix: str) -> dict[str, Any]:
    """The filter selecting ``user``'s rows (a user instance, or the stateless TokenUser)."""
    if isinstance(user, TokenUser):
        return {f"{prefix}__{api_settings.USER_ID_FIELD}": user.pk}
    return {f"{prefix}_id": user.pk}


def logout_all(user: Any, reason: str = "logout_all", *, raise_if_incomplete: bool = False) -> int:
    """Revoke every session of ``user``; the number of sessions (families, or without
    families the live refresh and sliding tokens) revoked.

    Each live outstanding token of the user is blacklisted and each live family revoked
    (with the blacklist app); with ``ACCESS_TOKEN_REVOCATION``, the user's access tokens
    issued before now are refused from the next request on. When that cache write fails
    (logged), ``raise_if_incomplete`` raises :class:`RevocationUnavailable` (503) after the
    database part is done, so a caller can tell the user the access tokens live on.
    """
    from .tokens import blacklist_installed

    now = aware_utcnow()
    revoked, families = 0, []
    if blacklist_installed():
        from .token_blacklist.models import OutstandingToken, TokenFamily

        with transaction.atomic():
            live = OutstandingToken.objects.filter(
                **_owner(user, "user"), expires_at__gt=now, blacklistedtoken__isnull=True
            )
            tokens = blacklist_jtis(live.values_list("jti", flat=True))
            open_families = TokenFamily.objects.filter(
                **_owner(user, "user"), revoked_at__isnull=True
            )
            families = list(open_families.values_list("pk", flat=True))
            TokenFamily.objects.filter(pk__in=families).update(
                revoked_at=now, revoked_reason=reason
            )
        revoked = len(families) or tokens
    user_id = user.pk if isinstance(user, TokenUser) else getattr(user, api_settings.USER_ID_FIELD)
    markers: dict[str, Any] = {_USER_KEY.format(user_id): time.time()}
    markers.update((_FAMILY_KEY.format(pk), 1) for pk in families)
    if not _write_markers(markers) and raise_if_incomplete:
        raise RevocationUnavailable()
    return revoked


# -- the cache side --------------------------------------------------------------------------


def _marker_timeout() -> float:
    """Seconds a marker must live: until every token it can refuse has expired."""
    settings = api_settings
    leeway = settings.LEEWAY
    if isinstance(leeway, timedelta):
        leeway = leeway.total_seconds()
    longest: timedelta = max(
        settings.ACCESS_TOKEN_LIFETIME,
        settings.SLIDING_TOKEN_LIFETIME,
        settings.REFRESH_TOKEN_LIFETIME,
    )
    return float(longest.total_seconds() + float(leeway or 0) + 60)


def _write_markers(markers: dict[str, Any]) -> bool:
    """Write the markers; False when the cache could not be reached (logged)."""
    if not api_settings.ACCESS_TOKEN_REVOCATION:
        return True
    try:
        caches[api_settings.REVOCATION_CACHE].set_many(markers, timeout=_marker_timeout())
    except Exception:
        # The database part stands (refresh tokens are blacklisted); access tokens already
        # issued live out their lifetime. While the cache is down, checks fail closed.
        logger.exception("Could not write %d revocation marker(s) to the cache", len(markers))
        return False
    return True


def _refuse(in_refresh: bool, message: str, code: str) -> Exception:
    if in_refresh:
        return TokenError(message)
    if code == "token_not_valid":
        return InvalidToken(message)
    return AuthenticationFailed(message, code=code)


def check_not_revoked(token: T, *, in_refresh: bool = False) -> T:
    """``token``, unless ``ACCESS_TOKEN_REVOCATION`` refuses it: issued before its user's
    "not before" marker, or of a revoked family. One cache read. Raises
    :class:`InvalidToken` (or :class:`TokenError` for the refresh view, ``in_refresh``)."""
    settings = api_settings
    if not settings.ACCESS_TOKEN_REVOCATION:
        return token
    claims: Any = token
    user_id = claims.get(settings.USER_ID_CLAIM)
    family = claims.get(settings.TOKEN_FAMILY_CLAIM)
    keys = []
    if user_id is not None:
        keys.append(_USER_KEY.format(user_id))
    if isinstance(family, str) and family:
        keys.append(_FAMILY_KEY.format(family))
    else:
        family = None
    if not keys:
        return token
    try:
        found = caches[settings.REVOCATION_CACHE].get_many(keys)
    except Exception:
        if settings.REVOCATION_FAIL_OPEN:
            logger.exception("Revocation cache unreachable: token accepted (fail open)")
            return token
        logger.exception("Revocation cache unreachable: token refused (fail closed)")
        raise _refuse(in_refresh, UNAVAILABLE, "revocation_unavailable") from None
    if family is not None and _FAMILY_KEY.format(family) in found:
        raise _refuse(in_refresh, REVOKED, "token_not_valid")
    since = found.get(_USER_KEY.format(user_id)) if user_id is not None else None
    if since is not None:
        issued = claims.get("iat")
        cutoff = int(since)
        if (
            not isinstance(issued, (int, float))
            or issued < cutoff
            or (issued == cutoff and family is None)
        ):
            raise _refuse(in_refresh, REVOKED, "token_not_valid")
    return token


# -- REVOKE_ON_PASSWORD_CHANGE ---------------------------------------------------------------


def _password_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    # AbstractBaseUser.set_password() keeps the raw password in _password until save() has
    # written the new hash; post_save runs in between.
    if getattr(instance, "_password", None) is None or kwargs.get("raw"):
        return
    if not api_settings.REVOKE_ON_PASSWORD_CHANGE or instance.pk is None:
        return
    logout_all(instance, reason="password_change")


def connect_signals() -> None:
    """Connect ``REVOKE_ON_PASSWORD_CHANGE``'s receiver (at start-up, by the apps)."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_save

    post_save.connect(
        _password_saved, sender=get_user_model(), dispatch_uid="ferrojwt.revocation.password"
    )
