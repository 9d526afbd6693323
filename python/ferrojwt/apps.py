"""The ``ferrojwt`` app: in ``INSTALLED_APPS`` for the translations and the user cache.

Listing ``"ferrojwt"`` connects the user cache's invalidation signals at start-up in every
process (see :mod:`ferrojwt.user_cache`), also in those that never authenticate a request.
"""

from __future__ import annotations

from django.apps import AppConfig


class FerroJWTConfig(AppConfig):
    name = "ferrojwt"
    verbose_name = "ferrojwt"

    def ready(self) -> None:
        from . import checks, revocation, user_cache  # noqa: F401 (checks: registers them)

        user_cache.connect_signals()
        revocation.connect_signals()  # REVOKE_ON_PASSWORD_CHANGE
