"""The demo's settings from the environment: clear errors in production mode, DATABASE_URL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO_DIR
from demo.env import database
from django.core.exceptions import ImproperlyConfigured
from stack import project_env

pytestmark = pytest.mark.e2e


def check(**env: str) -> subprocess.CompletedProcess[str]:
    """`manage.py check` with the given environment on top of a clean production one."""
    base = project_env(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="s" * 50, JWT_PACKAGE="simplejwt")
    for name in ("DATABASE_URL", "JWT_ALGORITHM", "JWT_PRIVATE_KEY_FILE", "JWT_PUBLIC_KEY_FILE"):
        base.pop(name, None)
    base.update(env)
    base = {name: value for name, value in base.items() if value != "<unset>"}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=base,
        cwd=DEMO_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "error"),
    [
        (
            {"DJANGO_SECRET_KEY": "<unset>"},
            "ImproperlyConfigured: DJANGO_SECRET_KEY is not set. It is required when "
            "DJANGO_DEBUG=0 (production mode)",
        ),
        (
            {"DJANGO_SECRET_KEY": ""},
            "ImproperlyConfigured: DJANGO_SECRET_KEY is not set.",
        ),
        (
            {"JWT_ALGORITHM": "RS256"},
            "ImproperlyConfigured: JWT_PRIVATE_KEY_FILE is not set: JWT_ALGORITHM=RS256 signs "
            "with a private key and verifies with its public key.",
        ),
        (
            {"JWT_ALGORITHM": "RS256", "JWT_PRIVATE_KEY_FILE": "/nonexistent/key.pem"},
            "ImproperlyConfigured: JWT_PRIVATE_KEY_FILE='/nonexistent/key.pem' cannot be read: "
            "No such file or directory.",
        ),
        ({"JWT_ALGORITHM": "XS1"}, "ImproperlyConfigured: JWT_ALGORITHM='XS1' is not supported."),
        (
            {"JWT_PACKAGE": "pyjwt"},
            "ImproperlyConfigured: JWT_PACKAGE='pyjwt': use one of ['ferrojwt', 'simplejwt'].",
        ),
        ({"DJANGO_DEBUG": "maybe"}, "ImproperlyConfigured: DJANGO_DEBUG='maybe' is not a boolean"),
        (
            {"DATABASE_URL": "mysql://u:p@h/db"},
            "ImproperlyConfigured: DATABASE_URL scheme 'mysql' is not supported",
        ),
    ],
    ids=[
        "no-secret",
        "empty-secret",
        "rs256-no-key",
        "rs256-missing-file",
        "bad-alg",
        "bad-package",
        "bad-debug",
        "bad-db",
    ],
)
def test_misconfiguration_stops_with_a_clear_error(env: dict[str, str], error: str) -> None:
    done = check(**env)
    assert done.returncode == 1
    assert error in done.stderr, done.stderr


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"DJANGO_DEBUG": "1", "DJANGO_SECRET_KEY": "<unset>"},  # development: a fixed dev key
    ],
    ids=["production", "debug-without-secret"],
)
def test_good_configurations_pass_the_checks(env: dict[str, str]) -> None:
    done = check(**env)
    assert (done.returncode, done.stdout.strip()) == (
        0,
        "System check identified no issues (0 silenced).",
    ), done.stderr


def test_rs256_with_generated_keys(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    made = subprocess.run(
        [sys.executable, "manage.py", "generate_jwt_keys", "--dir", str(keys)],
        env=project_env(DJANGO_DEBUG="1", JWT_PACKAGE="simplejwt"),
        cwd=DEMO_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines() == [
        "JWT_ALGORITHM=RS256",
        f"JWT_PRIVATE_KEY_FILE={keys / 'jwt_private.pem'}",
        f"JWT_PUBLIC_KEY_FILE={keys / 'jwt_public.pem'}",
    ]
    assert (keys / "jwt_private.pem").stat().st_mode & 0o777 == 0o600
    assert (keys / "jwt_private.pem").read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert (keys / "jwt_public.pem").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    done = check(**dict(line.split("=", 1) for line in made.stdout.splitlines()))
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgres://demo:p%40ss@127.0.0.1:5433/demo",
            {
                "NAME": "demo",
                "USER": "demo",
                "PASSWORD": "p@ss",
                "HOST": "127.0.0.1",
                "PORT": "5433",
                "CONN_MAX_AGE": 60,
                "OPTIONS": {},
            },
        ),
        (
            "postgresql://u@db.internal/app?sslmode=require&conn_max_age=0",
            {
                "NAME": "app",
                "USER": "u",
                "PASSWORD": "",
                "HOST": "db.internal",
                "PORT": "",
                "CONN_MAX_AGE": 0,
                "OPTIONS": {"sslmode": "require"},
            },
        ),
    ],
)
def test_postgres_urls(url: str, expected: dict[str, Any]) -> None:
    parsed = database(url, Path("/unused.sqlite3"))
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    assert {key: parsed[key] for key in expected} == expected


@pytest.mark.parametrize(
    ("url", "name"),
    [(None, "/default.sqlite3"), ("", "/default.sqlite3"), ("sqlite:///tmp/x.db", "/tmp/x.db")],
)
def test_sqlite_urls(url: str | None, name: str) -> None:
    parsed = database(url, Path("/default.sqlite3"))
    assert (parsed["ENGINE"], parsed["NAME"]) == ("django.db.backends.sqlite3", name)


def test_unsupported_url() -> None:
    with pytest.raises(ImproperlyConfigured, match="scheme 'redis' is not supported"):
        database("redis://localhost/0", Path("/x"))
