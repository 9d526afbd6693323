"""Typed readers for the environment variables that configure the demo project.

Every setting that differs between a laptop and a server comes from the environment
(twelve-factor style); settings.py only calls these helpers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def flag(name: str, default: bool) -> bool:
    """A boolean variable: 1/true/yes/on or 0/false/no/off (case-insensitive)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1 or 0).")


def integer(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None


def csv(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def required(name: str, *, debug: bool, dev_default: str, why: str) -> str:
    """A secret: optional in debug mode (falls back to an insecure value), required otherwise."""
    value = os.environ.get(name, "")
    if value:
        return value
    if debug:
        return dev_default
    raise ImproperlyConfigured(
        f"{name} is not set. It is required when DJANGO_DEBUG=0 (production mode): {why}. "
        f"Set it in the environment, e.g. "
        f'{name}="$(python -c "import secrets; print(secrets.token_urlsafe(50))")", '
        f"or run with DJANGO_DEBUG=1 for local development only."
    )


def read_file(name: str, *, why: str) -> str:
    """The text of the file whose path the variable `name` holds (used for PEM keys)."""
    path = os.environ.get(name, "")
    if not path:
        raise ImproperlyConfigured(
            f"{name} is not set: {why}. Generate a key pair with "
            f"`python manage.py generate_jwt_keys --dir DIR` and set the variables it prints."
        )
    try:
        return Path(path).read_text()
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}={path!r} cannot be read: {exc.strerror}.") from None


def verifying_keys(name: str) -> list[dict[str, str]]:
    """``KID=ALGORITHM:FILE,...``: ferrojwt's VERIFYING_KEYS, each key read from its file."""
    entries = []
    for item in csv(name, ""):
        kid, _, rest = item.partition("=")
        algorithm, _, path = rest.partition(":")
        if not (kid and algorithm and path):
            raise ImproperlyConfigured(f"{name}: {item!r} is not KID=ALGORITHM:FILE.")
        try:
            key = Path(path).read_text()
        except OSError as exc:
            why = exc.strerror
            raise ImproperlyConfigured(f"{name}: {path!r} cannot be read: {why}.") from None
        entries.append({"kid": kid, "algorithm": algorithm, "key": key})
    return entries


def database(url: str | None, sqlite_path: Path) -> dict[str, Any]:
    """Django's DATABASES["default"] from a DATABASE_URL; SQLite when the URL is unset.

    Accepted: postgres://USER:PASSWORD@HOST:PORT/NAME?sslmode=...&conn_max_age=60
    and sqlite:///absolute/path.sqlite3 (three slashes plus the absolute path).
    """
    if not url:
        return _sqlite(sqlite_path)
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return _sqlite(Path(unquote(parts.path)) if parts.path else sqlite_path)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme {parts.scheme!r} is not supported (use postgres:// or sqlite:///)."
        )
    options = dict(parse_qsl(parts.query))
    conn_max_age = int(options.pop("conn_max_age", "60"))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": conn_max_age,
        "CONN_HEALTH_CHECKS": conn_max_age > 0,
        "OPTIONS": options,
    }


def _sqlite(path: Path) -> dict[str, Any]:
    import django

    options: dict[str, Any] = {
        # Several gunicorn workers write (outstanding and blacklisted tokens): wait for the
        # write lock instead of failing at once, and let readers go on while one writes.
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    if django.VERSION >= (5, 1):
        # Take the write lock when the transaction starts: no "database is locked"
        # failure half-way through a read-then-write transaction.
        options["transaction_mode"] = "IMMEDIATE"
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # One connection per worker, kept: no re-open and PRAGMAs on every request.
        "CONN_MAX_AGE": None,
        "OPTIONS": options,
    }
