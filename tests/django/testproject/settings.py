"""Settings of the test project, using ferrojwt (the module under test).

``FERROJWT_TEST_DB`` names an SQLite file to use instead of the in-memory test
database (the subprocess workers of the migration and interop tests set it).
"""

import os

JWT_PACKAGE = "ferrojwt"

SECRET_KEY = "ferrojwt-test-secret-key-long-enough-for-hs512-0123456789abcdef0123456789"
DEBUG = False
USE_TZ = os.environ.get("FERROJWT_TEST_USE_TZ", "1") == "1"
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en-us"
ALLOWED_HOSTS = ["testserver", "localhost"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
    f"{JWT_PACKAGE}.token_blacklist",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

ROOT_URLCONF = "testproject.urls"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("FERROJWT_TEST_DB", ":memory:"),
    }
}

if os.environ.get("FERROJWT_TEST_PG"):
    # "host:port:database" of a throw-away PostgreSQL server (tests/django/test_migrations.py)
    _host, _port, _name = os.environ["FERROJWT_TEST_PG"].split(":")
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": _host,
        "PORT": _port,
        "NAME": _name,
        "USER": "postgres",
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": (f"{JWT_PACKAGE}.authentication.JWTAuthentication",),
}

SIMPLE_JWT: dict[str, object] = {}
if os.environ.get("FERROJWT_TEST_ROTATE") == "1":
    SIMPLE_JWT = {"ROTATE_REFRESH_TOKENS": True, "BLACKLIST_AFTER_ROTATION": True}
