"""A leak check of the native core through its Python API: RSS must stay flat.

Run by ``make leak`` (and at the end of ``make bench``). A million calls in rounds of five:
``ferrojwt.jwt.encode``, ``decode`` of a valid token, ``decode`` of a tampered one (the
error path), and ``JWTStatelessUserAuthentication().authenticate`` on a request with a
valid token and on one with garbage (the error path). The resident set size is read from
/proc/self/statm after every 20,000 calls. The first tenth of the calls is a warm-up
(caches, the allocator's pools); from its end to the last sample RSS may grow by at most
``--bound-mib`` (default 4 MiB): a leak of 5 bytes or more per call fails it (checked by
hand: 64 bytes kept per five calls grew RSS by 9.9 MiB over 500,000 calls). Exits 1 beyond.

    python benches/leak.py [--calls N] [--bound-mib MIB]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Sequence
from datetime import timedelta

from bench_jwt import require_release_build

SECRET_KEY = "leak-check-secret-key-" + "s" * 40
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def configure_django() -> None:
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY=SECRET_KEY,
        USE_TZ=True,
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "ferrojwt"],
        DATABASES={},
        SIMPLE_JWT={"ACCESS_TOKEN_LIFETIME": timedelta(days=1)},
    )
    django.setup()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--bound-mib", type=float, default=4.0)
    args = parser.parse_args(argv)
    require_release_build()
    configure_django()

    from django.test import RequestFactory
    from ferrojwt import jwt
    from ferrojwt.authentication import JWTStatelessUserAuthentication
    from ferrojwt.exceptions import InvalidToken
    from ferrojwt.tokens import AccessToken
    from rest_framework.request import Request

    payload = {"sub": "1", "name": "leak check", "scopes": ["a", "b"], "exp": 4_000_000_000}
    token = jwt.encode(payload, SECRET_KEY, algorithm="HS256")
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    access = AccessToken()
    access["user_id"] = "1"
    factory = RequestFactory()
    good = Request(factory.get("/", HTTP_AUTHORIZATION=f"Bearer {access}"))
    garbage = Request(factory.get("/", HTTP_AUTHORIZATION="Bearer " + "x" * 200))
    auth = JWTStatelessUserAuthentication()

    def five_calls() -> None:
        jwt.encode(payload, SECRET_KEY, algorithm="HS256")
        jwt.decode(token, SECRET_KEY, algorithms=["HS256"])
        try:
            jwt.decode(tampered, SECRET_KEY, algorithms=["HS256"])
        except jwt.InvalidSignatureError:
            pass
        else:
            raise AssertionError("a tampered token was accepted")
        auth.authenticate(good)
        try:
            auth.authenticate(garbage)
        except InvalidToken:
            pass
        else:
            raise AssertionError("a garbage header was accepted")

    rounds = args.calls // 5
    per_sample = 20_000 // 5
    warm_up = rounds // 10
    samples: list[tuple[int, int]] = []
    started = time.perf_counter()
    for done in range(1, rounds + 1):
        five_calls()
        if done % per_sample == 0 or done == rounds:
            gc.collect()
            samples.append((done * 5, rss_bytes()))
    seconds = time.perf_counter() - started
    base = next(rss for calls, rss in samples if calls >= warm_up * 5)
    final = samples[-1][1]
    peak = max(rss for calls, rss in samples if calls >= warm_up * 5)
    mib = 1024 * 1024
    print(f"{args.calls:,} calls in {seconds:.1f} s; RSS after the warm-up {base / mib:.1f} MiB")
    print(
        f"RSS at the end {final / mib:.1f} MiB ({(final - base) / mib:+.2f} MiB), "
        f"peak {peak / mib:.1f} MiB ({(peak - base) / mib:+.2f} MiB); bound +{args.bound_mib} MiB"
    )
    print("samples (calls: MiB): " + ", ".join(f"{c:,}: {r / mib:.1f}" for c, r in samples[::10]))
    if peak - base > args.bound_mib * mib:
        print(f"FAIL: RSS grew by {(peak - base) / mib:.2f} MiB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
