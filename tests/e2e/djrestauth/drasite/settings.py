"""dj-rest-auth's JWT mode as its documentation sets it up, with httpOnly off so that the
refresh token is in the response bodies too (logout then reads it from the body).

JWT_PACKAGE=ferrojwt calls ferrojwt.install_as_simplejwt() first; JWT_PACKAGE=simplejwt
is the control: the same project on simplejwt itself. Everything else is identical.
"""

from __future__ import annotations

import os

JWT_PACKAGE = os.environ["JWT_PACKAGE"]
if JWT_PACKAGE == "ferrojwt":
    import ferrojwt

    ferrojwt.install_as_simplejwt()
elif JWT_PACKAGE != "simplejwt":
    raise ValueError(f"JWT_PACKAGE must be ferrojwt or simplejwt, not {JWT_PACKAGE!r}")

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
USE_TZ = True
ROOT_URLCONF = "drasite.urls"
WSGI_APPLICATION = "drasite.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["DJANGO_SQLITE_PATH"]}
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests

# Server errors' tracebacks on stderr (the gunicorn log), for the tests to quote.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR"}},
}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "dj_rest_auth",
    # The name dj-rest-auth looks for before it blacklists on logout.
    "rest_framework_simplejwt.token_blacklist",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]  # DRF authenticates, no sessions

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ("dj_rest_auth.jwt_auth.JWTCookieAuthentication",),
}
REST_AUTH = {
    "USE_JWT": True,
    "TOKEN_MODEL": None,
    "SESSION_LOGIN": False,
    "JWT_AUTH_COOKIE": "app-access",
    "JWT_AUTH_REFRESH_COOKIE": "app-refresh",
    "JWT_AUTH_HTTPONLY": False,
}
SIMPLE_JWT = {
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
}
