"""ferrojwt's simplejwt layer against djangorestframework-simplejwt, side by side.

Run by ``make bench`` (release build only). One process, a minimal in-memory
Django configuration with both ``rest_framework_simplejwt`` and ``ferrojwt``
installed (neither token_blacklist app: the blacklist is off here) and one
``SIMPLE_JWT`` setting that both read. For each operation the two libraries
run the same statement, named the same in both packages, in interleaved
rounds. Before anything is timed each library's tokens are checked against the
other's and a tampered token must be refused by both.

    python benches/bench_django.py [--rounds N] [--sample-ms MS]
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from types import ModuleType
from typing import Any

from bench_jwt import (
    Case,
    markdown_table,
    measure,
    micros,
    ratio,
    ratio_text,
    reproduce_line,
    require_release_build,
    tampered,
    verdict,
)

SECRET_KEY = "django-insecure-7c1f0b2a9d8e4f6a3b5c7d9e1f2a4b6c8d0e2f4a6b8c"

#: (label, statement, issue 8's target: simplejwt time / ferrojwt time)
OPERATIONS: tuple[tuple[str, str, float], ...] = (
    ("`AccessToken(token)` (verify)", "AccessToken(token)", 15.0),
    ("`str(AccessToken.for_user(user))`", "str(AccessToken.for_user(user))", 10.0),
    (
        "`RefreshToken.for_user(user)` + `str(refresh)` + `str(refresh.access_token)`",
        "refresh = RefreshToken.for_user(user); str(refresh); str(refresh.access_token)",
        10.0,
    ),
    (
        "`JWTStatelessUserAuthentication().authenticate(request)`",
        "JWTStatelessUserAuthentication().authenticate(request)",
        12.0,
    ),
)

PACKAGES = {"simplejwt": "rest_framework_simplejwt", "ferrojwt": "ferrojwt"}


def configure_django() -> None:
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY=SECRET_KEY,
        USE_TZ=True,
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "rest_framework",
            "rest_framework_simplejwt",
            "ferrojwt",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        # Long enough that no token made at start-up expires during the run.
        SIMPLE_JWT={
            "ACCESS_TOKEN_LIFETIME": timedelta(hours=1),
            "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
        },
    )
    django.setup()


@dataclass(frozen=True)
class Layer:
    """The simplejwt-named classes of one package."""

    name: str
    AccessToken: Any
    RefreshToken: Any
    JWTStatelessUserAuthentication: Any
    TokenError: type[Exception]
    InvalidToken: type[Exception]


def load_layer(name: str) -> Layer:
    package = PACKAGES[name]

    def module(suffix: str) -> ModuleType:
        return importlib.import_module(f"{package}.{suffix}")

    tokens, authentication, exceptions = (
        module("tokens"),
        module("authentication"),
        module("exceptions"),
    )
    return Layer(
        name,
        tokens.AccessToken,
        tokens.RefreshToken,
        authentication.JWTStatelessUserAuthentication,
        exceptions.TokenError,
        exceptions.InvalidToken,
    )


def bearer_request(token: str) -> Any:
    """A DRF request carrying ``Authorization: Bearer <token>``."""
    from django.test import RequestFactory
    from rest_framework.request import Request

    return Request(RequestFactory().get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {token}"))


def _raises(error: type[Exception], call: Callable[..., object], *args: object) -> bool:
    try:
        call(*args)
    except error:
        return True
    return False


def cross_check(layers: Sequence[Layer], user: Any) -> list[str]:
    """Each layer's tokens are read the same by both; tampered ones are refused by both."""
    problems: list[str] = []
    claim_names: dict[str, set[tuple[str, tuple[str, ...]]]] = {}
    for producer in layers:
        access = str(producer.AccessToken.for_user(user))
        refresh = producer.RefreshToken.for_user(user)
        made = {
            "access": (access, "AccessToken"),
            "refresh": (str(refresh), "RefreshToken"),
            "refresh.access_token": (str(refresh.access_token), "AccessToken"),
        }
        claim_names[producer.name] = {
            (what, tuple(getattr(producer, cls_name)(token).payload))
            for what, (token, cls_name) in made.items()
        }
        for consumer in layers:
            for what, (token, cls_name) in made.items():
                try:
                    payload = getattr(consumer, cls_name)(token).payload
                except Exception as exc:
                    problems.append(f"{consumer.name} refused {producer.name}'s {what}: {exc!r}")
                    continue
                expected = getattr(producer, cls_name)(token).payload
                if payload != expected or payload.get("user_id") != str(user.id):
                    problems.append(f"{consumer.name} read {producer.name}'s {what}: {payload}")
            result = consumer.JWTStatelessUserAuthentication().authenticate(bearer_request(access))
            if result is None or str(result[0].id) != str(user.id):
                problems.append(
                    f"{consumer.name} authenticated {producer.name}'s token as {result}"
                )
            forged = tampered(access)
            if not _raises(consumer.TokenError, consumer.AccessToken, forged):
                problems.append(f"{consumer.name} did not refuse a tampered {producer.name} token")
            authenticate = consumer.JWTStatelessUserAuthentication().authenticate
            if not _raises(consumer.InvalidToken, authenticate, bearer_request(forged)):
                problems.append(f"{consumer.name} authenticated a tampered {producer.name} token")
    if len({frozenset(names) for names in claim_names.values()}) != 1:
        problems.append(f"the layers issue different claims (names, in order): {claim_names}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200, help="interleaved rounds (200)")
    parser.add_argument("--sample-ms", type=float, default=5.0, help="ms per timed loop (5)")
    args = parser.parse_args(argv)
    require_release_build()
    configure_django()
    from django.contrib.auth.models import User

    layers = [load_layer("ferrojwt"), load_layer("simplejwt")]
    user = User(id=1, username="bench")  # never saved: nothing here touches the database
    problems = cross_check(layers, user)
    if problems:
        for problem in problems:
            print(f"PROBLEM: {problem}", file=sys.stderr)
        return 1

    simple = next(layer for layer in layers if layer.name == "simplejwt")
    token = str(simple.AccessToken.for_user(user))  # both verify the same token
    request = bearer_request(token)
    rows = []
    for label, stmt, target in OPERATIONS:
        cases = [
            Case(
                layer.name,
                stmt,
                {
                    "AccessToken": layer.AccessToken,
                    "RefreshToken": layer.RefreshToken,
                    "JWTStatelessUserAuthentication": layer.JWTStatelessUserAuthentication,
                    "token": token,
                    "user": user,
                    "request": request,
                },
            )
            for layer in layers
        ]
        stats = measure(cases, args.rounds, args.sample_ms / 1000)
        speedup = ratio(stats["simplejwt"], stats["ferrojwt"])
        rows.append(
            [
                label,
                micros(stats["ferrojwt"]),
                micros(stats["simplejwt"]),
                ratio_text(speedup),
                f">= {target:g}x",
                verdict(speedup, target),
            ]
        )
        print(f"  {stmt}: done", file=sys.stderr, flush=True)

    header = ["Operation", "ferrojwt µs", "simplejwt µs", "simplejwt / ferrojwt", "Target"]
    print("### ferrojwt vs djangorestframework-simplejwt 5.5.1: time per call\n")
    print(markdown_table([*header, "Result"], rows, right=1))
    passed = sum(row[-1] == "PASS" for row in rows)
    print(
        f"\nTime per call: the minimum over {args.rounds} interleaved rounds (the median in "
        f"parentheses); "
        f"ratios of the minimums. SIMPLE_JWT defaults (HS256, "
        f"SECRET_KEY) with 1 h access tokens, blacklist app off, "
        f"an unsaved `User(id=1)`. Targets met: {passed}/{len(rows)}.\n"
    )
    print(
        reproduce_line(
            "make bench",
            ["Django", "djangorestframework", "djangorestframework-simplejwt", "PyJWT"],
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
