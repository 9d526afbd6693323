from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TokenBlacklistConfig(AppConfig):
    """The blacklist app, under simplejwt's label so its tables and migrations carry over."""

    name = "ferrojwt.token_blacklist"
    label = "token_blacklist"
    verbose_name = _("Token Blacklist")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # REVOKE_ON_PASSWORD_CHANGE's receiver, in every process (ferrojwt.revocation).
        from ferrojwt import checks, revocation  # noqa: F401 (checks: registers them)

        revocation.connect_signals()
