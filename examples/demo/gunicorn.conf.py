"""gunicorn settings for the demo: `gunicorn -c gunicorn.conf.py demo.wsgi`.

Each value can be overridden from the environment (GUNICORN_*), which is how the
Makefile, the end-to-end tests and the benchmark run the same file.
"""

import os

# Loopback only: nginx (or the developer's curl) is the only client.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: Django and the JWT work are CPU-bound, one request per process at a time.
# (2 x cores) + 1 keeps every core busy while some workers wait on the database. The cores
# are the ones this process may run on (taskset, cgroups), not the machine's.
workers = int(os.environ.get("GUNICORN_WORKERS", "0")) or 2 * len(os.sched_getaffinity(0)) + 1
worker_class = "sync"

# A worker silent for 30 s is killed and replaced; SIGTERM gives requests in flight 20 s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# nginx keeps its own connections to the clients; sync workers close theirs after a reply.
keepalive = 2

# Logs to stdout/stderr ("-"): the terminal, systemd or the container runtime collects them.
# GUNICORN_ACCESSLOG=off turns the access log off (the benchmark does, to measure the app).
accesslog = None if os.environ.get("GUNICORN_ACCESSLOG") == "off" else "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
capture_output = True

# preload_app = False, deliberately. Preloading imports Django in the master and forks
# the workers from it, which saves a little start-up time and memory, but: (1) code is then
# reloaded only by restarting the master (`kill -HUP` re-forks the same imported code),
# (2) anything opened at import time (a database connection, a file) would be shared by
# every worker after fork, and (3) CPython's reference counting writes to the shared pages,
# so copy-on-write keeps little of the memory saving. Each worker imports the app itself.
preload_app = False

# No runtime control socket (gunicorn >= 24): several instances (tests, benchmark) share
# one $HOME, and the demo is managed with signals.
control_socket_disable = True

# nginx on loopback sets X-Forwarded-For / X-Forwarded-Proto; trust only it.
forwarded_allow_ips = "127.0.0.1"
proxy_allow_ips = "127.0.0.1"

# Request line and header limits (gunicorn's defaults, stated): bigger is refused with 400.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# gunicorn answers a request it cannot parse (a control character in a header, a header over
# limit_request_field_size) itself, with an HTML page. The API's errors are JSON, its own
# included: the same status and reason, a {"detail", "code"} body. (nginx in front refuses
# oversized headers first and answers JSON too; control characters it passes on.)
import json as _json  # noqa: E402

from gunicorn import util as _util  # noqa: E402


def _write_json_error(sock, status_int, reason, mesg):  # gunicorn.util.write_error's signature
    code = "_".join(reason.lower().split()) or "bad_request"
    body = _json.dumps({"detail": f"{reason}: {mesg}" if mesg else reason, "code": code})
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body.encode())}\r\n\r\n"
    )
    _util.write_nonblock(sock, (head + body).encode("latin-1", "replace"))


_util.write_error = _write_json_error
