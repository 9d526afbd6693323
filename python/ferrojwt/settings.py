"""``api_settings``: the ``SIMPLE_JWT`` setting with simplejwt's defaults.

Unlike simplejwt, the object is read lazily and reloaded in place on Django's
``setting_changed`` signal, so ``override_settings(SIMPLE_JWT=...)`` (or
``SECRET_KEY=...``) takes effect everywhere, including in modules that did
``from ferrojwt.settings import api_settings`` at import time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.test.signals import setting_changed
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from rest_framework.settings import APISettings as _DRFAPISettings

from .utils import format_lazy

__all__ = [
    "DEFAULTS",
    "IMPORT_STRINGS",
    "REMOVED_SETTINGS",
    "SETTINGS_DOC",
    "APISettings",
    "api_settings",
    "reload_api_settings",
]

SETTINGS_DOC = "https://django-rest-framework-simplejwt.readthedocs.io/en/latest/settings.html"


def _secret_key() -> str:
    return settings.SECRET_KEY


#: The default of ``SIGNING_KEY``: Django's ``SECRET_KEY``, read when it is used.
_SECRET_KEY_DEFAULT: Any = lazy(_secret_key, str)()

DEFAULTS: dict[str, Any] = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "ROTATE_REFRESH_TOKENS": False,
    "BLACKLIST_AFTER_ROTATION": False,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": _SECRET_KEY_DEFAULT,
    "VERIFYING_KEY": "",
    "AUDIENCE": None,
    "ISSUER": None,
    "JSON_ENCODER": None,
    "JWK_URL": None,
    # Key rotation (ferrojwt.key_rotation): the signing key's kid, and the other keys accepted.
    "SIGNING_KEY_ID": None,
    "VERIFYING_KEYS": [],
    "LEEWAY": 0,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "AUTH_HEADER_NAME": "HTTP_AUTHORIZATION",
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "USER_AUTHENTICATION_RULE": "ferrojwt.authentication.default_user_authentication_rule",
    "ON_LOGIN_SUCCESS": "ferrojwt.serializers.default_on_login_success",
    "ON_LOGIN_FAILED": "ferrojwt.serializers.default_on_login_failed",
    "AUTH_TOKEN_CLASSES": ("ferrojwt.tokens.AccessToken",),
    "TOKEN_TYPE_CLAIM": "token_type",
    "JTI_CLAIM": "jti",
    "TOKEN_USER_CLASS": "ferrojwt.models.TokenUser",
    "SLIDING_TOKEN_REFRESH_EXP_CLAIM": "refresh_exp",
    "SLIDING_TOKEN_LIFETIME": timedelta(minutes=5),
    "SLIDING_TOKEN_REFRESH_LIFETIME": timedelta(days=1),
    "TOKEN_OBTAIN_SERIALIZER": "ferrojwt.serializers.TokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "ferrojwt.serializers.TokenRefreshSerializer",
    "TOKEN_VERIFY_SERIALIZER": "ferrojwt.serializers.TokenVerifySerializer",
    "TOKEN_BLACKLIST_SERIALIZER": "ferrojwt.serializers.TokenBlacklistSerializer",
    "SLIDING_TOKEN_OBTAIN_SERIALIZER": "ferrojwt.serializers.TokenObtainSlidingSerializer",
    "SLIDING_TOKEN_REFRESH_SERIALIZER": "ferrojwt.serializers.TokenRefreshSlidingSerializer",
    "CHECK_REVOKE_TOKEN": False,
    "REVOKE_TOKEN_CLAIM": "hash_password",
    "CHECK_USER_IS_ACTIVE": True,
    # JWTAuthentication's per-process user cache (ferrojwt.user_cache); off by default.
    "USER_CACHE_TTL": None,
    "USER_CACHE_ALIAS": "default",
    "USER_CACHE_CHECK_INTERVAL": timedelta(0),
    # Tokens in HttpOnly cookies for browser clients (ferrojwt.cookies); off by default.
    "AUTH_COOKIE": None,
    "REFRESH_COOKIE": None,
    "REFRESH_COOKIE_ONLY": False,
    "AUTH_COOKIE_SECURE": True,
    "AUTH_COOKIE_HTTPONLY": True,
    "AUTH_COOKIE_SAMESITE": "Lax",
    "AUTH_COOKIE_DOMAIN": None,
    "AUTH_COOKIE_PATH": "/",
    "REFRESH_COOKIE_PATH": "/",
    # Refresh-token security (ferrojwt.rotation, ferrojwt.sessions, ferrojwt.revocation);
    # every one off by default, so the behaviour is simplejwt's.
    "TOKEN_FAMILIES": False,
    "TOKEN_FAMILY_CLAIM": "fam",
    "REFRESH_TOKEN_REUSE_DETECTION": False,
    "REFRESH_TOKEN_REUSE_GRACE": timedelta(0),
    "ACCESS_TOKEN_REVOCATION": False,
    "REVOCATION_CACHE": "default",
    "REVOCATION_FAIL_OPEN": False,
    "REVOKE_ON_PASSWORD_CHANGE": False,
    "REVOKE_TOKEN_HASH": "md5",
    "OUTSTANDING_TOKEN_FINGERPRINT": False,
}

#: Settings given as dotted paths and imported on first use.
IMPORT_STRINGS: tuple[str, ...] = (
    "AUTH_TOKEN_CLASSES",
    "JSON_ENCODER",
    "ON_LOGIN_FAILED",
    "ON_LOGIN_SUCCESS",
    "TOKEN_USER_CLASS",
    "USER_AUTHENTICATION_RULE",
)

#: Settings of old simplejwt versions; using one is an error, not a silent no-op.
REMOVED_SETTINGS: tuple[str, ...] = (
    "AUTH_HEADER_TYPE",
    "AUTH_TOKEN_CLASS",
    "SECRET_KEY",
    "TOKEN_BACKEND_CLASS",
)


def _check_user_settings(user_settings: dict[str, Any]) -> dict[str, Any]:
    for name in REMOVED_SETTINGS:
        if name in user_settings:
            raise RuntimeError(
                format_lazy(
                    _(
                        "The '{}' setting has been removed. Please refer to '{}' for "
                        "available settings."
                    ),
                    name,
                    SETTINGS_DOC,
                )
            )
    return user_settings


class APISettings(_DRFAPISettings):
    """DRF's settings object, reading ``settings.SIMPLE_JWT`` lazily.

    Passing ``user_settings`` pins them (as DRF does); without it the values come
    from ``settings.SIMPLE_JWT`` on first access after each :meth:`reload`.

    ``_version`` changes (to a new ``object()``, equal to no other, even across a
    reload of this module) whenever an attribute is set
    or deleted: on :meth:`reload`, when a setting is first read and cached, and when
    a test patches a setting directly. Values derived from the settings can be
    cached against it: while it stays the same, no setting has changed.
    """

    _version: object

    def __init__(
        self,
        user_settings: dict[str, Any] | None = None,
        defaults: dict[str, Any] | None = None,
        import_strings: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__(
            None,
            DEFAULTS if defaults is None else defaults,  # type: ignore[arg-type]
            import_strings,
        )
        if import_strings is None:
            self.import_strings = IMPORT_STRINGS
        self._pinned: dict[str, Any] | None = (
            None if user_settings is None else _check_user_settings(user_settings)
        )

    # The instance __dict__ is never touched directly (object.__setattr__ and
    # __delattr__ instead): a dict once read through __dict__ stays a plain dict, and
    # CPython 3.12 then reads every setting without its specialised path (about 38 ns
    # a read instead of 11).

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        object.__setattr__(self, "_version", object())

    def __delattr__(self, name: str) -> None:
        super().__delattr__(name)
        # A cached setting deleted by hand (simplejwt's ``override_api_settings`` test
        # helper does this) is read again from ``user_settings`` on its next use.
        self._cached_attrs.discard(name)
        object.__setattr__(self, "_version", object())

    def reload(self) -> None:
        # DRF's reload() deletes every attribute it once cached, and fails on one that
        # was already deleted by hand; drop whatever is still there instead.
        for name in (*self._cached_attrs, "_user_settings"):
            try:
                object.__delattr__(self, name)
            except AttributeError:
                pass
        self._cached_attrs.clear()
        object.__setattr__(self, "_version", object())

    @property
    def user_settings(self) -> dict[str, Any]:
        if not hasattr(self, "_user_settings"):
            if self._pinned is not None:
                self._user_settings = self._pinned
            else:
                found = getattr(settings, "SIMPLE_JWT", None) or {}
                self._user_settings = _check_user_settings(found)
        return self._user_settings

    def __getattr__(self, attr: str) -> Any:
        value = super().__getattr__(attr)
        if isinstance(value, Promise) and value is _SECRET_KEY_DEFAULT:
            # Resolve the lazy default now; it is dropped again on reload.
            value = settings.SECRET_KEY
            setattr(self, attr, value)
        return value


api_settings = APISettings(None, DEFAULTS, IMPORT_STRINGS)

#: Django settings whose change invalidates ``api_settings`` (and the token backend).
_WATCHED = frozenset({"SIMPLE_JWT", "SECRET_KEY", "INSTALLED_APPS", "USE_TZ"})


def reload_api_settings(*args: Any, setting: str = "", **kwargs: Any) -> None:
    """``setting_changed`` receiver: re-read ``SIMPLE_JWT`` on its next use."""
    if setting in _WATCHED:
        api_settings.reload()


setting_changed.connect(reload_api_settings)
