"""What hostile sizes cost: the limits of ferrojwt measured, not assumed.

Run by ``make bench`` (release build only). One process, a minimal in-memory Django
configuration with ferrojwt. Each case is checked for its outcome first (refused with the
expected reason, or decoded), then timed:

* ``JWTAuthentication().authenticate(request)``: a normal token, a small garbage header and
  a 4 MB garbage header (one "Bearer" and 4 MB of base64url letters). Bound: the 4 MB header
  costs at most ``--header-bound-us`` more than the small garbage one.
* decoding a validly signed token of 10,000 tiny claims, and one whose single claim is a
  1 MB string (over ``MAX_TOKEN_BYTES``: refused before any parsing). Bound: each within
  ``--token-bound-ms``.
* ``ferrojwt.parsers.JSONParser`` (the token views' parser) on 5,000 ``[`` (bound:
  ``--token-bound-ms``), on a 1 MB body of empty arrays side by side and on 1 MB of
  structures 64 levels deep (its depth scan's worst case). Bound: at most
  ``--parser-bound-x`` times ``json.loads`` on the same body, which DRF's own parser pays.

Exits 1 when a bound is exceeded, after printing the table.

    python benches/bench_limits.py [--rounds N] [--sample-ms MS]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from bench_jwt import Case, markdown_table, measure, require_release_build

SECRET_KEY = "bench-limits-secret-key-" + "k" * 40
FOUR_MB = 4 * 1024 * 1024


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
            "ferrojwt",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        SIMPLE_JWT={"ACCESS_TOKEN_LIFETIME": timedelta(hours=1)},
    )
    django.setup()


def outcome(call: Callable[[], object]) -> str:
    """``ok`` or the refusal: exception class and message (first 70 characters)."""
    try:
        call()
    except Exception as exc:  # the reason is what is reported
        detail = getattr(exc, "detail", None) or exc
        return f"{type(exc).__name__}: {str(detail)[:70]}"
    return "ok"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sample-ms", type=float, default=50.0)
    parser.add_argument("--header-bound-us", type=float, default=5.0)
    parser.add_argument("--token-bound-ms", type=float, default=50.0)
    parser.add_argument("--parser-bound-x", type=float, default=1.5)
    args = parser.parse_args(argv)
    require_release_build()
    configure_django()

    from django.core.management import call_command
    from django.test import RequestFactory
    from ferrojwt import jwt
    from ferrojwt._core import MAX_TOKEN_BYTES
    from ferrojwt.authentication import JWTAuthentication
    from ferrojwt.parsers import JSONParser
    from ferrojwt.tokens import AccessToken
    from rest_framework.request import Request

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username="bench", password="unused")
    auth = JWTAuthentication()
    factory = RequestFactory()

    def request(header: str) -> Request:
        return Request(factory.get("/", HTTP_AUTHORIZATION=header))

    normal = request(f"Bearer {AccessToken.for_user(user)}")
    small_garbage = request("Bearer " + "A" * 300)
    huge_garbage = request("Bearer " + "A" * FOUR_MB)
    many = {f"c{i}": i for i in range(10_000)}
    many_members = jwt.encode(many, SECRET_KEY, algorithm="HS256")
    huge_claim = jwt.encode({"c": "x" * (1 << 20)}, SECRET_KEY, algorithm="HS256")
    body_deep = b"[" * 5000
    body_wide = b"[" + b",".join([b"[]"] * ((1 << 20) // 3)) + b"]"
    # The parser's worst case: the most levels it accepts, as many times as fit in 1 MB.
    level64 = b"[" * 63 + b"]" * 63  # 64 with the outer array
    body_forest = b"[" + b",".join([level64] * ((1 << 20) // 127)) + b"]"

    def parse(body: bytes) -> object:
        return JSONParser().parse(io.BytesIO(body), "application/json", {})

    ns: dict[str, Any] = {
        "auth": auth,
        "normal": normal,
        "small": small_garbage,
        "huge": huge_garbage,
        "jwt": jwt,
        "key": SECRET_KEY,
        "many": many_members,
        "big": huge_claim,
        "parse": parse,
        "deep": body_deep,
        "wide": body_wide,
        "forest": body_forest,
        "json_loads": json.loads,
    }

    def guarded(stmt: str) -> str:
        return f"try:\n    {stmt}\nexcept Exception:\n    pass"

    decode = 'jwt.decode({}, key, algorithms=["HS256"])'
    cases = [
        ("authenticate: normal token", guarded("auth.authenticate(normal)")),
        ("authenticate: 300 B garbage", guarded("auth.authenticate(small)")),
        ("authenticate: 4 MB garbage", guarded("auth.authenticate(huge)")),
        (f"decode: 10,000 claims ({len(many_members):,} B)", guarded(decode.format("many"))),
        (f"decode: 1 MB claim ({len(huge_claim):,} B)", guarded(decode.format("big"))),
        ("JSONParser: 5,000 `[`", guarded("parse(deep)")),
        (f"JSONParser: {len(body_wide):,} B of `[]`", guarded("parse(wide)")),
        (f"JSONParser: {len(body_forest):,} B of 64 levels", guarded("parse(forest)")),
        ("json.loads: the same `[]` body", "json_loads(wide)"),
        ("json.loads: the same 64 levels", "json_loads(forest)"),
    ]
    calls: list[Callable[[], object]] = [
        lambda: auth.authenticate(normal),
        lambda: auth.authenticate(small_garbage),
        lambda: auth.authenticate(huge_garbage),
        lambda: jwt.decode(many_members, SECRET_KEY, algorithms=["HS256"]),
        lambda: jwt.decode(huge_claim, SECRET_KEY, algorithms=["HS256"]),
        lambda: parse(body_deep),
        lambda: parse(body_wide),
        lambda: parse(body_forest),
        lambda: json.loads(body_wide),
        lambda: json.loads(body_forest),
    ]
    outcomes = [outcome(call) for call in calls]
    expected_ok = {0, 3, 6, 7, 8, 9}
    problems = [
        f"{cases[i][0]}: expected {'ok' if i in expected_ok else 'a refusal'}, got {outcomes[i]}"
        for i in range(len(cases))
        if (outcomes[i] == "ok") != (i in expected_ok)
    ]
    if "too large" not in outcomes[4]:
        problems.append(f"1 MB claim: not refused by size (MAX_TOKEN_BYTES): {outcomes[4]}")

    stats = measure(
        [Case(name, stmt, ns) for name, stmt in cases], args.rounds, args.sample_ms / 1000
    )
    medians = [stats[name].median for name, _ in cases]
    rows = [
        [f"`{name}`", outcome_text, f"{median * 1e6:,.1f}"]
        for (name, _), outcome_text, median in zip(cases, outcomes, medians, strict=True)
    ]
    print(f"MAX_TOKEN_BYTES = {MAX_TOKEN_BYTES:,}; median of {args.rounds} rounds\n")
    print(markdown_table(["case", "outcome", "µs per call"], rows, right=1))

    extra_us = (medians[2] - medians[1]) * 1e6
    print(
        f"\n4 MB garbage header: {extra_us:+,.1f} µs over the 300 B one "
        f"(bound {args.header_bound_us} µs)"
    )
    if extra_us > args.header_bound_us:
        problems.append(f"4 MB header costs {extra_us:,.1f} µs more (> {args.header_bound_us})")
    for i in (6, 7):
        slower = medians[i] / medians[i + 2]
        print(f"{cases[i][0]}: {slower:.2f} x json.loads (bound {args.parser_bound_x} x)")
        if slower > args.parser_bound_x:
            problems.append(f"{cases[i][0]}: {slower:.2f} x json.loads")
    for i in (3, 4, 5):
        if medians[i] * 1e3 > args.token_bound_ms:
            problems.append(
                f"{cases[i][0]}: {medians[i] * 1e3:,.1f} ms (> {args.token_bound_ms} ms)"
            )
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
