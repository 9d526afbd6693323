"""Django system checks for settings that would otherwise do nothing, silently.

Registered by the ``ferrojwt`` and ``ferrojwt.token_blacklist`` apps (``ready()``), so
``manage.py check``, ``runserver``, ``migrate`` and Django's test runner report them.
"""

from __future__ import annotations

from typing import Any

from django.core import checks

from .settings import api_settings

__all__ = ["check_revoke_on_password_change"]

#: The check's id: a password change that revokes nothing.
W001 = "ferrojwt.W001"


@checks.register(checks.Tags.security)
def check_revoke_on_password_change(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """``REVOKE_ON_PASSWORD_CHANGE`` runs ``logout_all``, which blacklists refresh tokens
    (``ferrojwt.token_blacklist``) and writes access-token markers
    (``ACCESS_TOKEN_REVOCATION``): with neither, a password change revokes nothing."""
    from .tokens import blacklist_installed

    if not api_settings.REVOKE_ON_PASSWORD_CHANGE:
        return []
    if blacklist_installed() or api_settings.ACCESS_TOKEN_REVOCATION:
        return []
    return [
        checks.Warning(
            "REVOKE_ON_PASSWORD_CHANGE is on, but a password change revokes nothing: the "
            "refresh tokens are not recorded and access tokens are not checked.",
            hint=(
                "Add 'ferrojwt.token_blacklist' to INSTALLED_APPS (refresh tokens are then "
                "blacklisted) and set SIMPLE_JWT['ACCESS_TOKEN_REVOCATION'] = True (access "
                "tokens are then refused from the next request), or turn the setting off."
            ),
            id=W001,
        )
    ]
