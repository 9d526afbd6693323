"""The same project on the real simplejwt (reference for migration and interop tests)."""

from .settings import *  # noqa: F403

JWT_PACKAGE = "rest_framework_simplejwt"

INSTALLED_APPS = [
    *INSTALLED_APPS[:-1],  # noqa: F405
    "rest_framework_simplejwt.token_blacklist",
]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": (
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ),
}
