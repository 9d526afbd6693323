"""Fixtures of the Django suite: users, API clients, settings overrides, keys."""

from __future__ import annotations

import functools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient
from testproject.testing import PASSWORD, pem_pair


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    def make(username: str = "alice", *, password: str = PASSWORD, **fields: Any) -> Any:
        return get_user_model().objects.create_user(username=username, password=password, **fields)

    return make


@pytest.fixture
def user(make_user: Callable[..., Any]) -> Any:
    return make_user()


@pytest.fixture(scope="session")
def rsa_keys() -> tuple[str, str]:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return pem_pair(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="session")
def other_rsa_keys() -> tuple[str, str]:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return pem_pair(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="session")
def ec_keys() -> tuple[str, str]:
    from cryptography.hazmat.primitives.asymmetric import ec

    return pem_pair(ec.generate_private_key(ec.SECP256R1()))


@pytest.fixture(scope="session")
def ed25519_keys() -> tuple[str, str]:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return pem_pair(ed25519.Ed25519PrivateKey.generate())


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "shared.sqlite3"


@pytest.fixture(scope="session")
def postgres() -> Iterator[Callable[[str], str]]:
    """A throw-away PostgreSQL server; call with a name to create a database.

    Returns the ``host:port:database`` string for ``FERROJWT_TEST_PG``. Skipped when
    the PostgreSQL server programs are not installed.
    """
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL server programs (initdb, pg_ctl) are not installed")
    as_postgres: list[str] = []
    # Not under pytest's temporary directory: that one is private to this user.
    root = Path(tempfile.mkdtemp(prefix="ferrojwt-pg-"))
    if os.geteuid() == 0:  # the server refuses to run as root
        as_postgres = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
        root.chmod(0o700)
    data = root / "data"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    run = functools.partial(subprocess.run, check=True, capture_output=True, timeout=120)
    run([*as_postgres, initdb, "-D", str(data), "-A", "trust", "-U", "postgres"])
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    log = root / "server.log"
    run([*as_postgres, pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "start"])

    def create(name: str) -> str:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True
        ) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return f"127.0.0.1:{port}:{name}"

    try:
        yield create
    finally:
        run([*as_postgres, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(root, ignore_errors=True)
