"""Revoking sessions: one token family, or every session of a user.

A revoked family is marked (``revoked_at``, ``revoked_reason``) and its current refresh
token blacklisted, in one transaction; the first revocation of a family is the one that
counts (a conditional update), so a concurrent second one reports nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction

from .utils import aware_utcnow

if TYPE_CHECKING:
    from .token_blacklist.models import TokenFamily

__all__ = ["blacklist_jtis", "revoke_family"]


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
    return family
