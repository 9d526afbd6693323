"""Serve the demo: `python serve.py dev` (make serve) or `python serve.py prod` (make serve-prod).

dev:  SQLite (.run/demo.sqlite3), gunicorn on 127.0.0.1:8000 in the foreground (it also
      serves /static/).
prod: PostgreSQL (data in .run/postgres) + gunicorn + nginx on 127.0.0.1:8080, RS256 keys
      in .run/keys; Ctrl-C stops all three.
Both migrate, create the demo user (idempotent) and print curl lines that work as printed.
Both turn on JWT_COOKIES (unless it is set): the browser page is at /browser/.
"""

from __future__ import annotations

import argparse
import os
import signal
import stat
import sys
import tempfile
import time
from pathlib import Path

from stack import RUN_DIR, Gunicorn, Nginx, Postgres, manage, project_env, secret_file

USERNAME, PASSWORD = "demo", "demo-password"


def curl_lines(base_url: str, username: str = USERNAME, password: str = PASSWORD) -> str:
    """Shell lines that obtain a pair, call both resources, refresh and blacklist."""
    json_body = '{"username": "%s", "password": "%s"}' % (username, password)  # noqa: UP031
    post = f"curl -sS -X POST -H 'Content-Type: application/json' {base_url}/api/token"
    return "\n".join(
        [
            "field() { python3 -c \"import json,sys; print(json.load(sys.stdin)['$1'])\"; }",
            "# 1. obtain an access/refresh pair",
            f"PAIR=$({post}/ -d '{json_body}'); echo \"$PAIR\"",
            'ACCESS=$(echo "$PAIR" | field access); REFRESH=$(echo "$PAIR" | field refresh)',
            "# 2. the protected resources (user from the database / from the token alone)",
            f'curl -sS -H "Authorization: Bearer $ACCESS" {base_url}/api/me/; echo',
            f'curl -sS -H "Authorization: Bearer $ACCESS" {base_url}/api/me/stateless/; echo',
            "# 3. refresh: a new pair (rotation); the old refresh token is now blacklisted",
            f'PAIR=$({post}/refresh/ -d "{{\\"refresh\\": \\"$REFRESH\\"}}"); echo "$PAIR"',
            'REFRESH=$(echo "$PAIR" | field refresh)',
            "# 4. blacklist the refresh token (log out); answers {}",
            f'{post}/blacklist/ -d "{{\\"refresh\\": \\"$REFRESH\\"}}"; echo',
        ]
    )


def prepare(env: dict[str, str], *, collectstatic: bool) -> None:
    manage(env, "migrate", "--noinput")
    manage(env, "ensure_demo_user", "--username", USERNAME, "--password", PASSWORD)
    if collectstatic:
        manage(env, "collectstatic", "--noinput")


def banner(base_url: str, what: str) -> None:
    print(f"\nferrojwt demo: {what}\nCopy these lines into another shell:\n", flush=True)
    print(curl_lines(base_url) + "\n", flush=True)
    print(f"API docs (Swagger UI): {base_url}/api/docs/", flush=True)
    print(f"Browser page (tokens in HttpOnly cookies): {base_url}/browser/\n", flush=True)


def dev(port: int) -> None:
    env = project_env()
    env.setdefault("DJANGO_SQLITE_PATH", str(RUN_DIR / "demo.sqlite3"))
    if not env.get("DJANGO_SECRET_KEY"):
        env["DJANGO_SECRET_KEY"] = secret_file(RUN_DIR / "secret_key")
    env.setdefault("DJANGO_SERVE_STATIC", "1")  # no nginx in front: Swagger UI's files
    env.setdefault("JWT_COOKIES", "1")  # the browser page
    # The printed curl lines read the refresh token from the answers' bodies.
    env.setdefault("JWT_REFRESH_COOKIE_ONLY", "0")
    prepare(env, collectstatic=False)
    banner(f"http://127.0.0.1:{port}", f"gunicorn on http://127.0.0.1:{port} (SQLite)")
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    conf = str(Path(__file__).with_name("gunicorn.conf.py"))
    os.chdir(Path(__file__).parent)
    # gunicorn replaces this process: it is the foreground process Ctrl-C stops.
    os.execve(sys.executable, [sys.executable, "-m", "gunicorn", "-c", conf, "demo.wsgi"], env)


def shared_run_dir() -> Path:
    """Where files read by servers running as other users live (PostgreSQL's data, the
    static files nginx's workers serve): .run/ when every parent directory lets others
    in, else a directory under the system's temporary directory (a checkout in /root)."""
    parents = [RUN_DIR.parent, *RUN_DIR.parent.parents]
    if all(os.stat(p).st_mode & stat.S_IXOTH for p in parents):
        return RUN_DIR
    return Path(tempfile.gettempdir()) / f"ferrojwt-demo-{os.getuid()}"


def prod(port: int, pg_port: int) -> None:
    shared = shared_run_dir()
    postgres = Postgres(shared / "postgres", port=pg_port).start()
    gunicorn: Gunicorn | None = None
    nginx: Nginx | None = None
    try:
        keys = RUN_DIR / "keys"
        env = project_env(
            DATABASE_URL=postgres.url,
            DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY")
            or secret_file(RUN_DIR / "secret_key"),
            DJANGO_STATIC_ROOT=str(shared / "static"),
            JWT_ALGORITHM="RS256",
            JWT_PRIVATE_KEY_FILE=str(keys / "jwt_private.pem"),
            JWT_PUBLIC_KEY_FILE=str(keys / "jwt_public.pem"),
            JWT_COOKIES=os.environ.get("JWT_COOKIES", "1"),  # the browser page
            # The printed curl lines read the refresh token from the answers' bodies.
            JWT_REFRESH_COOKIE_ONLY=os.environ.get("JWT_REFRESH_COOKIE_ONLY", "0"),
        )
        manage({**env, "JWT_ALGORITHM": "HS256"}, "generate_jwt_keys", "--dir", str(keys))
        prepare(env, collectstatic=True)
        gunicorn = Gunicorn(env, workers=0).start()  # 0: gunicorn.conf.py's CPU-based count
        nginx = Nginx(shared / "nginx", f"127.0.0.1:{gunicorn.port}", shared / "static", port=port)
        nginx.start()
        banner(
            f"http://127.0.0.1:{port}",
            f"nginx on http://127.0.0.1:{port} -> gunicorn 127.0.0.1:{gunicorn.port} -> "
            f"PostgreSQL 127.0.0.1:{pg_port} (RS256; Ctrl-C stops all)",
        )
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        _wait(gunicorn, nginx)
    except KeyboardInterrupt:
        pass
    finally:
        for process in (nginx, gunicorn, postgres):
            if process is not None:
                process.stop()


def _wait(gunicorn: Gunicorn, nginx: Nginx) -> None:
    """Until Ctrl-C, SIGTERM, or one of the two servers exits."""
    assert gunicorn.proc and nginx.proc
    while gunicorn.proc.poll() is None and nginx.proc.poll() is None:
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["dev", "prod"])
    parser.add_argument("--port", type=int, help="default 8000 (dev), 8080 (prod)")
    parser.add_argument("--pg-port", type=int, default=55432)
    args = parser.parse_args()
    if args.mode == "dev":
        dev(args.port or 8000)
    else:
        prod(args.port or 8080, args.pg_port)


if __name__ == "__main__":
    main()
