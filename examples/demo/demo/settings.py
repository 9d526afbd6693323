"""Settings of the demo project, read from the environment (see README, "The example").

Variables (all optional unless DJANGO_DEBUG=0 says otherwise):
  DJANGO_DEBUG              1 for local development; 0 (default) is production mode
  DJANGO_SECRET_KEY         required in production mode
  DJANGO_ALLOWED_HOSTS      comma-separated, default "127.0.0.1,localhost"
  DATABASE_URL              postgres://user:password@host:port/name; SQLite when unset
  DJANGO_SQLITE_PATH        the SQLite file, default db.sqlite3 beside manage.py
  DJANGO_STATIC_ROOT        where collectstatic writes, default staticfiles/ beside manage.py
  DJANGO_SERVE_STATIC       1: Django serves /static/ itself (make serve, no nginx in front)
  DJANGO_HTTPS              1 when served over TLS only: secure cookies, redirect, HSTS
  DJANGO_MAX_BODY_BYTES     largest request body accepted, default 1 MiB (as nginx's)
  DJANGO_PASSWORD_HASHER    "md5" makes MD5 the first hasher (benchmarks only, never in production)
  JWT_PACKAGE               ferrojwt (default) or simplejwt: which package serves the tokens
  JWT_ALGORITHM             HS256 (default) or RS256
  JWT_SIGNING_KEY           HS256 key, default DJANGO_SECRET_KEY
  JWT_PRIVATE_KEY_FILE      RS256 private key (PEM), see `manage.py generate_jwt_keys`
  JWT_PUBLIC_KEY_FILE       RS256 public key (PEM)
  JWT_SIGNING_KEY_ID        kid written in every token's header (ferrojwt); unset: none
  JWT_VERIFYING_KEYS        KID=ALGORITHM:FILE,...: retiring keys still accepted (ferrojwt)
  JWT_ACCESS_TOKEN_LIFETIME seconds, default 300
  JWT_REFRESH_TOKEN_LIFETIME seconds, default 86400
  JWT_ROTATE_REFRESH_TOKENS 1 (default): refresh returns a new refresh token, old one blacklisted
  JWT_COOKIES               1: tokens in HttpOnly cookies, the browser page at /browser/ (ferrojwt)
  JWT_REFRESH_COOKIE_ONLY   with JWT_COOKIES: 1 (default): the refresh token in its cookie only
  JWT_CHECK_REVOKE_TOKEN    1: a password change revokes the user's tokens; 0 (default)
  JWT_USER_CACHE_TTL        seconds a worker may reuse a user it loaded (ferrojwt); 0 (default): off
  JWT_USER_CACHE_CHECK_INTERVAL seconds between two reads of a cached user's version; default 0
  JWT_REUSE_DETECTION       1: replaying a rotated refresh token revokes its session (ferrojwt)
  JWT_ACCESS_TOKEN_REVOCATION 1: revocations refuse access tokens at once (ferrojwt); 0 (default)
  JWT_REVOKE_ON_PASSWORD_CHANGE 1: a password change logs the user out everywhere (ferrojwt)
  JWT_OUTSTANDING_TOKEN_FINGERPRINT 1: outstanding rows keep sha256 of a token, not its text
  DJANGO_REDIS_URL          redis://HOST:PORT/DB: Django's cache, shared by the workers; else locmem
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from demo import env

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.flag("DJANGO_DEBUG", default=False)
SECRET_KEY = env.required(
    "DJANGO_SECRET_KEY",
    debug=DEBUG,
    dev_default="django-insecure-demo-key-for-local-development-only",
    why="it signs sessions, password reset links and (by default) the JWTs",
)
ALLOWED_HOSTS = env.csv("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

# --- which JWT package serves the tokens -----------------------------------------------
# The same project runs on ferrojwt or on djangorestframework-simplejwt: the two packages
# have the same module layout, so only this prefix changes.
_JWT_MODULES = {"ferrojwt": "ferrojwt", "simplejwt": "rest_framework_simplejwt"}
JWT_PACKAGE = os.environ.get("JWT_PACKAGE", "ferrojwt")
if JWT_PACKAGE not in _JWT_MODULES:
    raise ImproperlyConfigured(f"JWT_PACKAGE={JWT_PACKAGE!r}: use one of {sorted(_JWT_MODULES)}.")
JWT_MODULE = _JWT_MODULES[JWT_PACKAGE]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    JWT_MODULE,
    f"{JWT_MODULE}.token_blacklist",
    # OpenAPI schema at /api/schema/, Swagger UI at /api/docs/ with its files from /static/.
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "demo",
]

MIDDLEWARE = [
    "demo.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "demo.urls"
WSGI_APPLICATION = "demo.wsgi.application"
# An API client that forgets the trailing slash gets a JSON 404, not a redirect that
# would drop its POST body.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.database(
        os.environ.get("DATABASE_URL"),
        Path(os.environ.get("DJANGO_SQLITE_PATH") or BASE_DIR / "db.sqlite3"),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's cache: ferrojwt's user cache keeps its per-user versions there, so with several
# workers (or machines) it must be one they share: Redis. locmem is per process.
_redis_url = os.environ.get("DJANGO_REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}
        if _redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
if os.environ.get("DJANGO_PASSWORD_HASHER", "").lower() == "md5":
    # Benchmarks only: a password check then costs microseconds, not ~0.3 s of PBKDF2,
    # so the obtain endpoint measures the JWT work.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
# nginx serves /static/ in production (make serve-prod); without it, Django can (make serve).
SERVE_STATIC = env.flag("DJANGO_SERVE_STATIC", default=False)

# Requests larger than this get a JSON 413 (nginx enforces the same limit in front).
MAX_REQUEST_BODY_BYTES = env.integer("DJANGO_MAX_BODY_BYTES", 1024 * 1024)

# Behind nginx: trust its X-Forwarded-Proto when it terminates TLS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# DJANGO_HTTPS=1 once the site is served over TLS only (the demo listens on plain loopback).
if env.flag("DJANGO_HTTPS", default=False):
    SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 3600

# --- REST framework and JWT -----------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": (f"{JWT_MODULE}.authentication.JWTAuthentication",),
    "DEFAULT_PERMISSION_CLASSES": ("rest_framework.permissions.IsAuthenticated",),
    # JSON in, JSON out: any other content type is a 415, and errors are never HTML.
    "DEFAULT_PARSER_CLASSES": ("rest_framework.parsers.JSONParser",),
    "DEFAULT_RENDERER_CLASSES": ("rest_framework.renderers.JSONRenderer",),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The database down is a JSON 503 in every API view (demo/errors.py), not a 500.
    "EXCEPTION_HANDLER": "demo.errors.api_exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ferrojwt demo API",
    "DESCRIPTION": "Obtain a token pair at /api/token/, then Authorize with the access token.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Separate request and response components: what the client sends, what it gets back.
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's JavaScript and CSS from drf-spectacular-sidecar's static files, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

JWT_ALGORITHM = os.environ.get("JWT_ALGORITHM", "HS256")
if JWT_ALGORITHM.startswith("HS"):
    _signing_key, _verifying_key = os.environ.get("JWT_SIGNING_KEY") or SECRET_KEY, ""
elif JWT_ALGORITHM.startswith(("RS", "PS", "ES")):
    _why = (
        f"JWT_ALGORITHM={JWT_ALGORITHM} signs with a private key and verifies with its public key"
    )
    _signing_key = env.read_file("JWT_PRIVATE_KEY_FILE", why=_why)
    _verifying_key = env.read_file("JWT_PUBLIC_KEY_FILE", why=_why)
else:
    raise ImproperlyConfigured(f"JWT_ALGORITHM={JWT_ALGORITHM!r} is not supported.")

_rotate = env.flag("JWT_ROTATE_REFRESH_TOKENS", default=True)
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env.integer("JWT_ACCESS_TOKEN_LIFETIME", 300)),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=env.integer("JWT_REFRESH_TOKEN_LIFETIME", 86400)),
    "ROTATE_REFRESH_TOKENS": _rotate,
    "BLACKLIST_AFTER_ROTATION": _rotate,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": JWT_ALGORITHM,
    "SIGNING_KEY": _signing_key,
    "VERIFYING_KEY": _verifying_key,
}
SIMPLE_JWT["CHECK_REVOKE_TOKEN"] = env.flag("JWT_CHECK_REVOKE_TOKEN", default=False)
# Key rotation (ferrojwt only): the signing key's kid, the retiring keys; the public keys are
# served at /.well-known/jwks.json. `manage.py generate_signing_key` prints each step.
_signing_key_id = os.environ.get("JWT_SIGNING_KEY_ID", "")
_verifying_keys = env.verifying_keys("JWT_VERIFYING_KEYS")
if (_signing_key_id or _verifying_keys) and JWT_PACKAGE != "ferrojwt":
    raise ImproperlyConfigured("JWT_SIGNING_KEY_ID and JWT_VERIFYING_KEYS need ferrojwt.")
if _signing_key_id:
    SIMPLE_JWT["SIGNING_KEY_ID"] = _signing_key_id
if _verifying_keys:
    SIMPLE_JWT["VERIFYING_KEYS"] = _verifying_keys
_user_cache_ttl = env.integer("JWT_USER_CACHE_TTL", 0)
if _user_cache_ttl and JWT_PACKAGE == "ferrojwt":
    # JWTAuthentication reuses a user for up to this long, or until a save or delete of it
    # bumps its version in CACHES["default"] (ferrojwt.user_cache).
    SIMPLE_JWT["USER_CACHE_TTL"] = timedelta(seconds=_user_cache_ttl)
    SIMPLE_JWT["USER_CACHE_CHECK_INTERVAL"] = timedelta(
        seconds=env.integer("JWT_USER_CACHE_CHECK_INTERVAL", 0)
    )

# --- refresh-token security (ferrojwt only): reuse detection, revocation -----------------
# The sessions and logout-all endpoints are routed either way (demo/urls.py); with several
# workers or machines, access-token revocation needs the shared cache of DJANGO_REDIS_URL.
_security = {
    "REFRESH_TOKEN_REUSE_DETECTION": env.flag("JWT_REUSE_DETECTION", default=False),
    "ACCESS_TOKEN_REVOCATION": env.flag("JWT_ACCESS_TOKEN_REVOCATION", default=False),
    "REVOKE_ON_PASSWORD_CHANGE": env.flag("JWT_REVOKE_ON_PASSWORD_CHANGE", default=False),
}
if any(_security.values()):
    if JWT_PACKAGE != "ferrojwt":
        raise ImproperlyConfigured(
            "JWT_REUSE_DETECTION, JWT_ACCESS_TOKEN_REVOCATION and JWT_REVOKE_ON_PASSWORD_CHANGE"
            " need JWT_PACKAGE=ferrojwt: simplejwt has none of them."
        )
    SIMPLE_JWT.update(_security)
# OutstandingToken.token keeps "sha256:<hex>" instead of the token (ferrojwt only).
if env.flag("JWT_OUTSTANDING_TOKEN_FINGERPRINT", default=False):
    if JWT_PACKAGE != "ferrojwt":
        raise ImproperlyConfigured("JWT_OUTSTANDING_TOKEN_FINGERPRINT=1 needs ferrojwt.")
    SIMPLE_JWT["OUTSTANDING_TOKEN_FINGERPRINT"] = True

# --- tokens in HttpOnly cookies for browsers (ferrojwt only): the page at /browser/ -----
JWT_COOKIES = env.flag("JWT_COOKIES", default=False)
if JWT_COOKIES:
    if JWT_PACKAGE != "ferrojwt":
        raise ImproperlyConfigured("JWT_COOKIES=1 needs JWT_PACKAGE=ferrojwt: simplejwt has none.")
    SIMPLE_JWT.update(
        {
            "AUTH_COOKIE": "access",
            "REFRESH_COOKIE": "refresh",
            # Sent to the refresh and logout endpoints only, never seen by page script.
            "REFRESH_COOKIE_PATH": "/api/token/",
            "REFRESH_COOKIE_ONLY": env.flag("JWT_REFRESH_COOKIE_ONLY", default=True),
            # Secure (the default) also works on http://127.0.0.1 and localhost.
        }
    )
    # The Authorization header still works; the cookie is tried when there is none.
    REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = (
        "ferrojwt.authentication.JWTCookieAuthentication",
    )

# --- logging: everything to stdout/stderr, gunicorn and the supervisor collect it -------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # 4xx are the client's business (and gunicorn's access log has them).
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
