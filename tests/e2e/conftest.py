"""Real processes for the end-to-end tests: gunicorn on SQLite, and PostgreSQL + gunicorn +
nginx, each on random free ports of 127.0.0.1, started once per session and stopped after.

Every stack runs once per JWT package (ferrojwt and simplejwt): the same assertions pass on
both, which is the drop-in promise seen from the outside.

A missing system program (postgres, nginx, curl) fails the tests under CI=true (where
`make test` installs them first) and skips them elsewhere, with the command to run.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

DEMO_DIR = Path(__file__).resolve().parents[2] / "examples" / "demo"
sys.path.insert(0, str(DEMO_DIR))

from stack import (  # noqa: E402
    Gunicorn,
    MissingBinary,
    Nginx,
    Postgres,
    find_binary,
    manage,
    project_env,
)

PACKAGES = ("ferrojwt", "simplejwt")
USERNAME, PASSWORD = "demo", "demo-password"
SECRET_KEY = "e2e-secret-key-" + "x" * 50


@dataclass(frozen=True)
class Stack:
    """One running deployment of the demo, as the tests see it from outside."""

    name: str
    base_url: str
    package: str
    algorithm: str  # HS256 or RS256
    signing_key: str  # the HS256 secret or the RS256 private key (PEM): to forge tokens
    front: str  # "gunicorn" (reached directly) or "nginx"


def missing(exc: MissingBinary) -> None:
    """Fail under CI (the test command installs the programs), skip on a developer machine."""
    message = f"{exc} (needed by the end-to-end tests)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


class Stacks:
    """Starts each stack the first time a test asks for it; stops them all at the end."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.started: dict[str, Stack] = {}
        self.stoppers: list[Callable[[], None]] = []
        self.postgres: Postgres | None = None
        self.keys: Path | None = None

    def _env(self, package: str, **extra: str) -> dict[str, str]:
        return project_env(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=SECRET_KEY,
            JWT_PACKAGE=package,
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            **extra,
        )

    def _prepare(self, env: dict[str, str], *, collectstatic: bool = False) -> None:
        manage(env, "migrate", "--noinput")
        manage(env, "ensure_demo_user", "--username", USERNAME, "--password", PASSWORD)
        if collectstatic:
            manage(env, "collectstatic", "--noinput", "-v0")

    def _gunicorn(self, name: str, env: dict[str, str], workers: int) -> Gunicorn:
        server = Gunicorn(env, workers=workers, log=self.root / f"{name}.gunicorn.log").start()
        self.stoppers.append(server.stop)
        return server

    def get(self, kind: str, package: str) -> Stack:
        name = f"{kind}-{package}"
        if name not in self.started:
            self.started[name] = getattr(self, f"_start_{kind}")(name, package)
        return self.started[name]

    def _start_sqlite(self, name: str, package: str) -> Stack:
        env = self._env(package, DJANGO_SQLITE_PATH=str(self.root / f"{package}.sqlite3"))
        self._prepare(env)
        server = self._gunicorn(name, env, workers=3)
        url = f"http://127.0.0.1:{server.port}"
        return Stack(name, url, package, "HS256", SECRET_KEY, "gunicorn")

    def _start_short(self, name: str, package: str) -> Stack:
        """Like sqlite (same database) but access tokens live one second."""
        self.get("sqlite", package)
        env = self._env(
            package,
            DJANGO_SQLITE_PATH=str(self.root / f"{package}.sqlite3"),
            JWT_ACCESS_TOKEN_LIFETIME="1",
        )
        server = self._gunicorn(name, env, workers=1)
        url = f"http://127.0.0.1:{server.port}"
        return Stack(name, url, package, "HS256", SECRET_KEY, "gunicorn")

    def _start_nginx(self, name: str, package: str) -> Stack:
        """PostgreSQL + gunicorn + nginx, RS256 with a key pair made by the demo's command."""
        find_binary("nginx", "/usr/sbin")  # fail fast, before starting the rest
        if self.postgres is None:
            self.postgres = Postgres(self.root / "postgres").start()
            self.stoppers.append(self.postgres.stop)
        if self.keys is None:
            self.keys = self.root / "keys"
            manage(self._env(package), "generate_jwt_keys", "--dir", str(self.keys))
        database = f"demo_{package}"
        self.postgres.create_database(database)
        static_root = self.root / f"static-{package}"
        env = self._env(
            package,
            DATABASE_URL=self.postgres.url_for(database),
            DJANGO_STATIC_ROOT=str(static_root),
            JWT_ALGORITHM="RS256",
            JWT_PRIVATE_KEY_FILE=str(self.keys / "jwt_private.pem"),
            JWT_PUBLIC_KEY_FILE=str(self.keys / "jwt_public.pem"),
        )
        self._prepare(env, collectstatic=True)
        server = self._gunicorn(name, env, workers=2)
        nginx = Nginx(
            self.root / f"nginx-{package}",
            f"127.0.0.1:{server.port}",
            static_root,
            log=self.root / f"{name}.nginx.log",
        ).start()
        self.stoppers.append(nginx.stop)
        private_key = (self.keys / "jwt_private.pem").read_text()
        return Stack(name, f"http://127.0.0.1:{nginx.port}", package, "RS256", private_key, "nginx")

    def _start_browser(self, name: str, package: str) -> Stack:
        """nginx -> gunicorn (SQLite) with JWT_COOKIES=1 and two-second access tokens: the
        browser page at /browser/ (test_e2e_browser.py). ferrojwt only."""
        find_binary("nginx", "/usr/sbin")
        static_root = self.root / f"static-{name}"
        env = self._env(
            package,
            DJANGO_SQLITE_PATH=str(self.root / f"{name}.sqlite3"),
            DJANGO_STATIC_ROOT=str(static_root),
            JWT_COOKIES="1",
            JWT_ACCESS_TOKEN_LIFETIME="2",
        )
        self._prepare(env, collectstatic=True)
        server = self._gunicorn(name, env, workers=2)
        nginx = Nginx(
            self.root / f"nginx-{name}",
            f"127.0.0.1:{server.port}",
            static_root,
            log=self.root / f"{name}.nginx.log",
        ).start()
        self.stoppers.append(nginx.stop)
        return Stack(name, f"http://127.0.0.1:{nginx.port}", package, "HS256", SECRET_KEY, "nginx")

    def stop(self) -> None:
        for stop in reversed(self.stoppers):
            stop()


@pytest.fixture(scope="session")
def stacks() -> Iterator[Stacks]:
    # Under /tmp, not the checkout: when we are root, PostgreSQL and nginx's workers run as
    # other users, who may not be allowed into the checkout's parents (e.g. under /root).
    root = Path(tempfile.mkdtemp(prefix="ferrojwt-e2e-"))
    root.chmod(0o755)
    stacks = Stacks(root)
    try:
        yield stacks
    finally:
        stacks.stop()
        shutil.rmtree(root, ignore_errors=True)


def _get(stacks: Stacks, kind: str, package: str) -> Stack:
    try:
        return stacks.get(kind, package)
    except MissingBinary as exc:
        missing(exc)
        raise


@pytest.fixture(params=[(k, p) for k in ("sqlite", "nginx") for p in PACKAGES], ids="-".join)
def stack(request: pytest.FixtureRequest, stacks: Stacks) -> Stack:
    """Each deployment: gunicorn (3 workers) on SQLite, and nginx -> gunicorn -> PostgreSQL."""
    kind, package = request.param
    return _get(stacks, kind, package)


@pytest.fixture(params=PACKAGES)
def sqlite_stack(request: pytest.FixtureRequest, stacks: Stacks) -> Stack:
    return _get(stacks, "sqlite", request.param)


@pytest.fixture(params=PACKAGES)
def nginx_stack(request: pytest.FixtureRequest, stacks: Stacks) -> Stack:
    return _get(stacks, "nginx", request.param)


@pytest.fixture(params=PACKAGES)
def short_lived_stack(request: pytest.FixtureRequest, stacks: Stacks) -> Stack:
    return _get(stacks, "short", request.param)


@pytest.fixture(scope="session")
def browser_stack(stacks: Stacks) -> Stack:
    """The browser page's deployment: nginx -> gunicorn, tokens in HttpOnly cookies."""
    return _get(stacks, "browser", "ferrojwt")


@pytest.fixture
def pair(stack: Stack) -> dict[str, Any]:
    """A fresh access/refresh pair for the demo user from `stack`."""
    from e2e_http import request

    reply = request(
        stack.base_url,
        "POST",
        "/api/token/",
        json_body={"username": USERNAME, "password": PASSWORD},
    )
    assert reply.status == 200, reply.body
    return reply.json()
