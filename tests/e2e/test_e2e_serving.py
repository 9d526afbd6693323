"""The deployment around the app: nginx's static files and errors, the printed curl lines."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import DEMO_DIR, Stack, Stacks, missing
from e2e_http import request
from stack import MissingBinary, Nginx, free_port

pytestmark = pytest.mark.e2e


def test_nginx_serves_static_files_itself(nginx_stack: Stack) -> None:
    """collectstatic wrote the admin's CSS; nginx answers /static/ without gunicorn."""
    reply = request(nginx_stack.base_url, "GET", "/static/admin/css/base.css")
    assert reply.status == 200
    assert reply.content_type == "text/css"
    assert reply.headers["server"] == "nginx"
    assert b"DJANGO Admin styles" in reply.body
    missing_file = request(nginx_stack.base_url, "GET", "/static/nope.css")
    assert missing_file.status == 404


def test_nginx_passes_the_client_address_to_django(nginx_stack: Stack) -> None:
    """The admin login page is Django's, through nginx (the proxy headers are accepted)."""
    reply = request(nginx_stack.base_url, "GET", "/admin/login/")
    assert reply.status == 200
    assert reply.content_type == "text/html; charset=utf-8"
    assert b'name="username"' in reply.body


def test_nginx_answers_json_when_gunicorn_is_down(stacks: Stacks) -> None:
    """An upstream that does not answer: nginx's 502, with a JSON body."""
    try:
        nginx = Nginx(
            stacks.root / "nginx-down",
            f"127.0.0.1:{free_port()}",  # nothing listens there
            stacks.root,
            log=stacks.root / "nginx-down.log",
        ).start()
    except MissingBinary as exc:
        missing(exc)
        raise
    try:
        reply = request(f"http://127.0.0.1:{nginx.port}", "GET", "/api/ping/")
    finally:
        nginx.stop()
    assert (reply.status, reply.json()) == (
        502,
        {"detail": "The application server did not answer.", "code": "upstream_error"},
    )


def test_printed_curl_lines_work_as_printed(sqlite_stack: Stack) -> None:
    """What `make serve` prints, run by bash against a running server."""
    from serve import curl_lines

    if shutil.which("curl") is None:
        missing(MissingBinary("curl is not installed: run `make system-deps`"))
    script = "set -euo pipefail\n" + curl_lines(sqlite_stack.base_url)
    done = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=60, cwd=Path(DEMO_DIR)
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 5, done.stdout
    first_pair, me, stateless, second_pair, logout = lines
    assert set(json.loads(first_pair)) == {"access", "refresh"}
    assert json.loads(me) == {"id": 1, "username": "demo", "auth": "db"}
    assert json.loads(stateless) == {"user_id": "1", "auth": "stateless"}
    assert set(json.loads(second_pair)) == {"access", "refresh"}
    assert json.loads(second_pair)["refresh"] != json.loads(first_pair)["refresh"]
    assert json.loads(logout) == {}
