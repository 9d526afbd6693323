"""``OutstandingToken`` and ``BlacklistedToken``: simplejwt's tables, columns and constraints;
``TokenFamily``: ferrojwt's own table (migration 0014), which simplejwt never touches."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["BlacklistedToken", "OutstandingToken", "TokenFamily"]

_APP = "ferrojwt.token_blacklist"


def _app_installed() -> bool:
    # Importing this module without the app installed must not fail (Django refuses
    # concrete models outside INSTALLED_APPS), so the models are abstract then. The
    # registry knows the app whatever name INSTALLED_APPS gave it (its own, an AppConfig
    # path, or "rest_framework_simplejwt.token_blacklist" under install_as_simplejwt()).
    if apps.apps_ready:
        return apps.get_containing_app_config(__name__) is not None
    return any(entry == _APP or entry.startswith(_APP + ".") for entry in settings.INSTALLED_APPS)


class OutstandingToken(models.Model):
    """A token issued (or seen) by the server, with its owner and expiry."""

    id = models.BigAutoField(primary_key=True, serialize=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    jti = models.CharField(unique=True, max_length=255)
    token = models.TextField()
    created_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("Outstanding Token")
        verbose_name_plural = _("Outstanding Tokens")
        abstract = not _app_installed()
        ordering = ("user",)
        # ferrojwt's migration 0015: flushexpiredtokens and logout-all select by expiry.
        indexes = [models.Index(fields=["expires_at"], name="tb_outstanding_expires")]

    def __str__(self) -> str:
        return _("Token for %(user)s (%(jti)s)") % {"user": self.user, "jti": self.jti}


class BlacklistedToken(models.Model):
    """An outstanding token that may no longer be used."""

    id = models.BigAutoField(primary_key=True, serialize=False)
    token = models.OneToOneField(OutstandingToken, on_delete=models.CASCADE)
    blacklisted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Blacklisted Token")
        verbose_name_plural = _("Blacklisted Tokens")
        abstract = not _app_installed()

    def __str__(self) -> str:
        return _("Blacklisted token for %(user)s") % {"user": self.token.user}


class TokenFamily(models.Model):
    """The refresh tokens descended from one login (``TOKEN_FAMILIES``): a session.

    Its id is the ``TOKEN_FAMILY_CLAIM`` of every token of the family; ``current_jti`` is
    the id of its one live refresh token. A revoked family's tokens are refused. Not one
    of simplejwt's tables: a database shared with simplejwt keeps working without it.
    The verbose names are not translated yet (the catalogues have no msgid for them).
    """

    id = models.CharField(primary_key=True, max_length=64, serialize=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    user_agent = models.CharField(max_length=256, blank=True, default="")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    current_jti = models.CharField(max_length=255, blank=True, default="")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        verbose_name = "Token family (session)"
        verbose_name_plural = "Token families (sessions)"
        abstract = not _app_installed()
        ordering = ("-created_at",)
        indexes = [
            # A user's sessions (the sessions view, logout-all), and the flush by expiry.
            models.Index(fields=["user", "expires_at"], name="tb_family_user_expires"),
            models.Index(fields=["expires_at"], name="tb_family_expires"),
        ]

    def __str__(self) -> str:
        return f"Session {self.id} of {self.user}"
