"""ferrojwt's signals.

``refresh_token_reused(sender, user, family, request)``: a refresh token that had already
been rotated (or blacklisted) was presented again with ``REFRESH_TOKEN_REUSE_DETECTION``
on, and its whole family was revoked. ``sender`` is the refresh token class, ``user`` the
family's user, ``family`` the :class:`~ferrojwt.token_blacklist.models.TokenFamily` row,
``request`` the Django request (or None). Sent once per family, after the revocation is
committed. Connect a receiver to alert the user or the security team.
"""

from __future__ import annotations

from django.dispatch import Signal

__all__ = ["refresh_token_reused"]

refresh_token_reused = Signal()
