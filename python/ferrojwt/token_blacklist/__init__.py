"""Outstanding and blacklisted tokens, stored in simplejwt's ``token_blacklist`` tables."""

import django

if django.VERSION < (3, 2):
    # Django before 3.2 finds an app's config class only through this name.
    default_app_config = "ferrojwt.token_blacklist.apps.TokenBlacklistConfig"
