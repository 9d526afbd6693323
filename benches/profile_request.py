"""Whole requests through Django's WSGI handler, in one process: ferrojwt vs simplejwt.

Where ``make bench-e2e`` measures a gunicorn worker from outside, this runs the request
path itself (Django's ``WSGIHandler``, the demo's middleware, DRF, the JWT package) in a
loop, so that a few microseconds saved on ferrojwt's path can be seen and profiled. One
process, one minimal project with both ``ferrojwt`` and ``rest_framework_simplejwt``
installed (neither blacklist app: they share a label), SQLite in a temporary file with a
kept connection (as the demo's), one ``SIMPLE_JWT`` setting both read. Each endpoint is
served by one package's views and authentication classes; the packages alternate round by
round and each figure is the minimum over the rounds of the mean time per request (the
median is printed beside it).

The ferrojwt "user cache" rows run ``/me/`` with ``USER_CACHE_TTL`` on (versions in
locmem, read on every request or at most once a second), through ``override_settings``
entered around their rounds only; simplejwt has no such cache (its DB-user row stands in).

    python benches/profile_request.py [--rounds 15] [--requests 300]
    python benches/profile_request.py --profile "GET, DB-user auth" [--package simplejwt]

With ``--profile``, cProfile runs over ``--requests`` x 10 requests of that endpoint and
prints the functions with the most own time, then the share of the request spent in the
JWT package's own Python code.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

PACKAGES = {"ferrojwt": "ferrojwt", "simplejwt": "rest_framework_simplejwt"}
USERNAME, PASSWORD = "bench", "bench-password-1"
SECRET_KEY = "profile-secret-key-" + "p" * 40


def configure(db_path: Path) -> None:
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS=["testserver"],
        USE_TZ=True,
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sessions",
            "django.contrib.messages",
            "rest_framework",
            "rest_framework_simplejwt",
            "ferrojwt",
        ],
        # The demo's middleware (examples/demo/demo/settings.py), less its body-size check.
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(db_path),
                "CONN_MAX_AGE": None,
            }
        },
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": (),
            "DEFAULT_PERMISSION_CLASSES": ("rest_framework.permissions.IsAuthenticated",),
            "DEFAULT_PARSER_CLASSES": ("rest_framework.parsers.JSONParser",),
            "DEFAULT_RENDERER_CLASSES": ("rest_framework.renderers.JSONRenderer",),
        },
        SIMPLE_JWT={
            "ACCESS_TOKEN_LIFETIME": timedelta(hours=2),
            "ROTATE_REFRESH_TOKENS": False,
        },
    )
    django.setup()


urlpatterns: list[Any] = []


def build_urls() -> None:
    """``/<package>/...``: the demo's endpoints, each on one package's classes."""
    import importlib

    from django.urls import path
    from rest_framework.permissions import AllowAny
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class PingView(APIView):
        authentication_classes = ()
        permission_classes = (AllowAny,)

        def get(self, request: Request) -> Response:
            return Response({"status": "ok"})

    urlpatterns.append(path("ping/", PingView.as_view()))
    for name, package in PACKAGES.items():
        auth = importlib.import_module(f"{package}.authentication")
        views = importlib.import_module(f"{package}.views")

        class MeView(APIView):
            authentication_classes = (auth.JWTAuthentication,)

            def get(self, request: Request) -> Response:
                user = request.user
                return Response({"id": user.pk, "username": user.get_username(), "auth": "db"})

        class StatelessMeView(APIView):
            authentication_classes = (auth.JWTStatelessUserAuthentication,)

            def get(self, request: Request) -> Response:
                return Response({"user_id": request.user.id, "auth": "stateless"})

        urlpatterns.extend(
            [
                path(f"{name}/me/", MeView.as_view()),
                path(f"{name}/me/stateless/", StatelessMeView.as_view()),
                path(f"{name}/token/", views.TokenObtainPairView.as_view()),
                path(f"{name}/token/refresh/", views.TokenRefreshView.as_view()),
                path(f"{name}/token/verify/", views.TokenVerifyView.as_view()),
            ]
        )


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # under /<package>/ (the baseline: absolute)
    auth: bool = False
    body: str | None = None  # a str.format template over {access}, {refresh}
    # ferrojwt only: USER_CACHE_TTL on, the version read on every request (0) or at most
    # once per this many seconds (USER_CACHE_CHECK_INTERVAL)
    user_cache: float | None = None
    shared: bool = False  # the same view for both packages (the baseline)


ENDPOINTS = [
    Endpoint("no auth (DRF baseline)", "GET", "/ping/", shared=True),
    Endpoint("GET, stateless auth", "GET", "me/stateless/", auth=True),
    Endpoint("GET, DB-user auth", "GET", "me/", auth=True),
    Endpoint("GET, DB-user, user cache (locmem)", "GET", "me/", auth=True, user_cache=0),
    Endpoint("GET, DB-user, user cache (locmem, 1 s)", "GET", "me/", auth=True, user_cache=1),
    Endpoint("verify", "POST", "token/verify/", body='{{"token": "{access}"}}'),
    Endpoint("refresh", "POST", "token/refresh/", body='{{"refresh": "{refresh}"}}'),
    Endpoint(
        "obtain (MD5 hasher)",
        "POST",
        "token/",
        body=json.dumps({"username": USERNAME, "password": PASSWORD})
        .replace("{", "{{")
        .replace("}", "}}"),
    ),
]


class Client:
    """One endpoint of one package as a WSGI environ, replayed through the handler."""

    def __init__(self, handler: Any, package: str, endpoint: Endpoint, tokens: dict[str, str]):
        self.handler = handler
        self.path = endpoint.path if endpoint.shared else f"/{package}/{endpoint.path}"
        self.body = b"" if endpoint.body is None else endpoint.body.format(**tokens).encode()
        environ = {
            "REQUEST_METHOD": endpoint.method,
            "PATH_INFO": self.path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "testserver",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if endpoint.auth:
            environ["HTTP_AUTHORIZATION"] = f"Bearer {tokens['access']}"
        if self.body:
            environ["CONTENT_TYPE"] = "application/json"
            environ["CONTENT_LENGTH"] = str(len(self.body))
        self.environ = environ
        self.user_cache = endpoint.user_cache

    def settings(self) -> AbstractContextManager[Any]:
        if self.user_cache is None:
            return nullcontext()
        from django.conf import settings
        from django.test import override_settings

        return override_settings(
            SIMPLE_JWT={
                **settings.SIMPLE_JWT,
                "USER_CACHE_TTL": timedelta(minutes=5),
                "USER_CACHE_CHECK_INTERVAL": timedelta(seconds=self.user_cache),
            }
        )

    def call(self) -> tuple[str, bytes]:
        status = []

        def start_response(s: str, headers: Any, exc_info: Any = None) -> Callable[..., None]:
            status.append(s)
            return lambda data: None

        environ = dict(self.environ)
        environ["wsgi.input"] = io.BytesIO(self.body)
        response = self.handler(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            response.close()  # request_finished, as a WSGI server does
        return status[0], body

    def loop(self, n: int) -> float:
        """Mean seconds per request over ``n`` requests."""
        call = self.call
        start = time.perf_counter()
        for _ in range(n):
            call()
        return (time.perf_counter() - start) / n


def setup() -> tuple[Any, dict[str, dict[str, str]]]:
    from django.contrib.auth import get_user_model
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command

    call_command("migrate", verbosity=0, run_syncdb=True)
    get_user_model().objects.create_user(USERNAME, password=PASSWORD)
    build_urls()
    handler = WSGIHandler()
    tokens = {}
    for package in PACKAGES:
        obtain = Client(handler, package, ENDPOINTS[-1], {})
        status, body = obtain.call()
        if not status.startswith("200"):
            raise RuntimeError(f"{package}: obtain answered {status}: {body!r}")
        tokens[package] = json.loads(body)
    return handler, tokens


def clients(handler: Any, tokens: dict[str, dict[str, str]]) -> Iterator[tuple[str, Client]]:
    for endpoint in ENDPOINTS:
        for package in PACKAGES:
            yield package, Client(handler, package, endpoint, tokens[package])


def check(package: str, endpoint: Endpoint, client: Client) -> None:
    with client.settings():
        status, body = client.call()
    if not status.startswith("200"):
        raise RuntimeError(f"{package} {endpoint.name}: {status}: {body!r}")


def compare(handler: Any, tokens: dict[str, dict[str, str]], rounds: int, n: int) -> None:
    cases = [(e, p, Client(handler, p, e, tokens[p])) for e in ENDPOINTS for p in PACKAGES]
    cases = [(e, p, c) for e, p, c in cases if e.user_cache is None or p == "ferrojwt"]
    for endpoint, package, client in cases:
        check(package, endpoint, client)
    times: dict[tuple[str, str], list[float]] = {(e.name, p): [] for e, p, _ in cases}
    for round_ in range(rounds):
        order = cases if round_ % 2 == 0 else cases[::-1]
        for endpoint, package, client in order:
            with client.settings():
                client.loop(max(1, n // 10))  # warm: caches, the settings read again
                times[(endpoint.name, package)].append(client.loop(n))
    print(
        f"\nWhole requests through Django's WSGIHandler, one process, {rounds} interleaved "
        f"rounds of {n} requests: minimum (median) us per request\n"
    )
    print("| endpoint | ferrojwt us | simplejwt us | simplejwt / ferrojwt | minus baseline |")
    print("|---|--:|--:|--:|--:|")
    base = min(times[(ENDPOINTS[0].name, "ferrojwt")] + times[(ENDPOINTS[0].name, "simplejwt")])
    for endpoint in ENDPOINTS:
        cells = []
        best = {}
        for package in PACKAGES:
            found = times.get((endpoint.name, package))
            if not found:
                cells.append("")
                continue
            best[package] = min(found)
            cells.append(f"{min(found) * 1e6:.1f} ({statistics.median(found) * 1e6:.1f})")
        if endpoint.user_cache is not None:
            # simplejwt has no user cache: compared with its DB-user row.
            reference = min(times[("GET, DB-user auth", "simplejwt")])
            cells[1] = f"({reference * 1e6:.1f}: its DB-user row)"
            best["simplejwt"] = reference
        ratio = best["simplejwt"] / best["ferrojwt"]
        extra = " / ".join(f"{(best[p] - base) * 1e6:+.1f}" for p in PACKAGES)
        print(f"| {endpoint.name} | {cells[0]} | {cells[1]} | x{ratio:.2f} | {extra} |")
    print(
        "\n'minus baseline': each package's time less the no-auth DRF request's, "
        "the cost of the JWT work plus its view."
    )


def profile(
    handler: Any, tokens: dict[str, dict[str, str]], name: str, package: str, n: int, top: int
) -> None:
    (endpoint,) = [e for e in ENDPOINTS if e.name == name]
    client = Client(handler, package, endpoint, tokens[package])
    check(package, endpoint, client)
    with client.settings():
        client.loop(n)
        profiler = cProfile.Profile()
        profiler.enable()
        client.loop(n)
        profiler.disable()
    print(f"\n{package} {name}: cProfile over {n} requests, by own time\n")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    print(out.getvalue().split("\n", 6)[-1])
    # (file, line, function) -> (primitive calls, calls, own time, cumulative time, callers)
    rows: dict[tuple[str, int, str], tuple[int, int, float, float, Any]]
    rows = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    marker = f"/{PACKAGES[package]}/"
    own = {key: row for key, row in rows.items() if marker in key[0]}
    print(f"{package}'s own functions: calls, own us, cumulative us, per request")
    for (file, line, func), (_, calls, tt, ct, _) in sorted(own.items(), key=lambda kv: -kv[1][3]):
        where = f"{file.split(marker, 1)[1]}:{line}({func})"
        print(f"  {calls / n:5.1f}  {tt / n * 1e6:6.2f}  {ct / n * 1e6:7.2f}  {where}")
    total = sum(row[2] for row in rows.values())
    print(
        f"{package}'s own Python code: {sum(row[2] for row in own.values()) / total:.1%} of "
        f"the profiled time, {sum(row[1] for row in own.values()) / n:.0f} of the "
        f"{sum(row[1] for row in rows.values()) / n:.0f} function calls per request"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=300, help="requests per round")
    parser.add_argument("--profile", metavar="ENDPOINT", help="cProfile this endpoint")
    parser.add_argument("--package", default="ferrojwt", choices=sorted(PACKAGES))
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ferrojwt-profile-") as tmp:
        configure(Path(tmp) / "db.sqlite3")
        handler, tokens = setup()
        if args.profile:
            profile(handler, tokens, args.profile, args.package, args.requests * 10, args.top)
        else:
            compare(handler, tokens, args.rounds, args.requests)


if __name__ == "__main__":
    main()
