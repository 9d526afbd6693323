"""Start and stop the demo's processes: PostgreSQL, Redis, gunicorn and nginx, on 127.0.0.1.

Used by serve.py (`make serve`, `make serve-prod`), the end-to-end tests and the
end-to-end benchmark, so all three run the stack the same way.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

DEMO_DIR = Path(__file__).resolve().parent
PROJECT_DIR = DEMO_DIR.parent.parent
RUN_DIR = PROJECT_DIR / ".run"


class MissingBinary(RuntimeError):
    """A system program (postgres, redis-server, nginx, wrk) is not installed."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes] | None, timeout: float = 30) -> None:
    """Return once 127.0.0.1:port accepts connections; fail if `proc` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def find_binary(name: str, *extra_dirs: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for directory in extra_dirs:
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise MissingBinary(f"{name} is not installed: run `make system-deps` (apt-get install)")


def postgres_bin_dir() -> Path:
    """The directory of pg_ctl/initdb/postgres: PATH first, then Debian's versioned dirs."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return Path(find_binary("pg_ctl", *(str(v) for v in reversed(versions)))).resolve().parent


def project_env(**overrides: str) -> dict[str, str]:
    """The environment for manage.py and gunicorn: this Python's env plus `overrides`."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "demo.settings"  # not a test-suite value from os.environ
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(DEMO_DIR), env.get("PYTHONPATH")]))
    env.update(overrides)
    return env


def manage(env: Mapping[str, str], *args: str) -> None:
    """Run `manage.py ARGS` with this Python; raise with its output when it fails."""
    cmd = [sys.executable, str(DEMO_DIR / "manage.py"), *args]
    done = subprocess.run(cmd, env=dict(env), cwd=DEMO_DIR, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def secret_file(path: Path) -> str:
    """A random secret kept in `path` (mode 0600): created once, then read back."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def _stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 25) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Gunicorn:
    """gunicorn serving demo.wsgi with gunicorn.conf.py on 127.0.0.1:port."""

    env: Mapping[str, str]
    port: int = field(default_factory=free_port)
    workers: int = 2
    log: Path | None = None
    prefix: tuple[str, ...] = ()  # e.g. ("taskset", "-c", "0")
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Gunicorn:
        env = {
            **self.env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(self.workers),
        }
        cmd = [*self.prefix, sys.executable, "-m", "gunicorn"]
        cmd += ["-c", str(DEMO_DIR / "gunicorn.conf.py"), "demo.wsgi"]
        out = open(self.log, "ab") if self.log else None
        # A session of its own: a Ctrl-C in the terminal reaches only the supervisor
        # (serve.py, pytest), which then stops the servers in order.
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=DEMO_DIR, stdout=out, stderr=out, start_new_session=True
        )
        if out:
            out.close()
        wait_for_port(self.port, self.proc)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 30) -> None:
        """Until a worker answers (the master listens before the workers have booted)."""
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/api/ping/"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                if time.monotonic() > deadline or (self.proc and self.proc.poll() is not None):
                    raise
                time.sleep(0.1)

    def worker_pids(self) -> list[int]:
        assert self.proc is not None
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        return [int(pid) for pid in children.split()]

    def stop(self) -> None:
        if self.proc:
            _stop(self.proc)


@dataclass
class Nginx:
    """nginx on 127.0.0.1:port in front of `upstream`, serving `static_root` at /static/."""

    prefix: Path
    upstream: str
    static_root: Path
    port: int = field(default_factory=free_port)
    max_body: str = "1m"
    log: Path | None = None
    proc: subprocess.Popen[bytes] | None = None

    def render(self) -> Path:
        """Write prefix/nginx.conf from nginx.conf.template."""
        nginx = find_binary("nginx", "/usr/sbin")
        self.prefix.mkdir(parents=True, exist_ok=True)
        mime_types = Path(nginx).resolve().parent.parent / "etc/nginx/mime.types"
        if not mime_types.exists():
            mime_types = Path("/etc/nginx/mime.types")
        # nginx started by root drops its workers to an unprivileged user.
        user_line = "user www-data;" if os.geteuid() == 0 else ""
        text = Template((DEMO_DIR / "nginx.conf.template").read_text()).safe_substitute(
            user_line=user_line,
            prefix=str(self.prefix),
            mime_types=str(mime_types),
            upstream=self.upstream,
            listen=f"127.0.0.1:{self.port}",
            static_root=str(self.static_root),
            max_body=self.max_body,
        )
        if "${" in text:
            raise ValueError(f"unfilled field in nginx.conf: {text[text.index('${') :][:40]}")
        conf = self.prefix / "nginx.conf"
        conf.write_text(text)
        return conf

    def start(self) -> Nginx:
        nginx = find_binary("nginx", "/usr/sbin")
        conf = self.render()
        cmd = [nginx, "-p", str(self.prefix), "-c", str(conf), "-g", "daemon off;"]
        out = open(self.log, "ab") if self.log else None
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=out, start_new_session=True)
        if out:
            out.close()
        wait_for_port(self.port, self.proc)
        return self

    def stop(self) -> None:
        if self.proc:
            _stop(self.proc, signal.SIGQUIT)  # graceful: finish the requests in flight


@dataclass
class Postgres:
    """A PostgreSQL cluster in `root` (initdb once), listening on 127.0.0.1:port only.

    PostgreSQL refuses to run as root: when we are root, every server command runs as the
    `postgres` user (created by Debian's package), which then owns the data directory.
    """

    root: Path
    port: int = field(default_factory=free_port)
    database: str = "demo"
    user: str = "demo"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def password(self) -> str:
        return secret_file(self.root / "password")

    @property
    def url(self) -> str:
        return self.url_for(self.database)

    def _run(self, *cmd: str) -> None:
        as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise MissingBinary(
                    "running as root needs the `postgres` user: run `make system-deps`"
                ) from None
            as_user = ["runuser", "-u", "postgres", "--"]
        done = subprocess.run(
            [*as_user, *cmd], capture_output=True, text=True, start_new_session=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def start(self) -> Postgres:
        bin_dir = postgres_bin_dir()
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        if (
            os.geteuid() == 0
            and subprocess.run(
                ["runuser", "-u", "postgres", "--", "test", "-x", str(self.root)]
            ).returncode
        ):
            raise RuntimeError(
                f"the postgres user cannot enter {self.root}: a parent directory is private "
                f"(e.g. under /root). Use a checkout in a directory others can traverse."
            )
        password = self.password  # before chown: root writes it, postgres reads it
        if not (self.data / "PG_VERSION").exists():
            pwfile = self.root / "pwfile"
            pwfile.write_text(password + "\n")
            self._own(pwfile)
            self.data.mkdir(mode=0o700, exist_ok=True)
            self._own(self.data)
            try:
                self._run(
                    str(bin_dir / "initdb"),
                    f"--pgdata={self.data}",
                    f"--username={self.user}",
                    f"--pwfile={pwfile}",
                    "--auth=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C",
                )
            finally:
                pwfile.unlink()
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories=''"
        log = self.root / "postgres.log"
        if not log.exists():
            log.touch()
            self._own(log)
        self._run(
            str(bin_dir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(log),
            "-o",
            options,
            "-w",
            "start",
        )
        self.create_database(self.database)
        return self

    def url_for(self, database: str) -> str:
        return f"postgres://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        """CREATE DATABASE name, unless it exists."""
        import psycopg

        if not name.isidentifier():
            raise ValueError(f"not a plain database name: {name!r}")

        with psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=self.user,
            password=self.password,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(
                str(postgres_bin_dir() / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"
            )


@dataclass
class Redis:
    """redis-server on 127.0.0.1:port, in memory only (no dump file); start() again after stop().

    The demo's Django cache when DJANGO_REDIS_URL is set: the user cache's shared versions.
    """

    root: Path
    port: int = field(default_factory=free_port)
    prefix: tuple[str, ...] = ()  # e.g. ("taskset", "-c", "1")
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        binary = find_binary("redis-server", "/usr/bin")
        self.root.mkdir(parents=True, exist_ok=True)
        cmd = [*self.prefix, binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        cmd += ["--save", "", "--appendonly", "no", "--dir", str(self.root)]
        with open(self.root / "redis.log", "ab") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=out, start_new_session=True)
        wait_for_port(self.port, self.proc)
        return self

    def stop(self) -> None:
        if self.proc:
            _stop(self.proc)
