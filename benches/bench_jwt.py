"""Per-call encode and decode time of ferrojwt, PyJWT and pyjwt-rs, side by side.

Run by ``make bench`` (release build only). For each algorithm the three
libraries are timed in interleaved rounds in this one process, each in its
fastest ordinary use: ferrojwt with a pre-built ``ferrojwt._core.Key``, PyJWT
with pre-loaded ``cryptography`` key objects, pyjwt-rs with PEM bytes (which
it turns into a cached native key handle). Every library signs and verifies
the same claims, a typical simplejwt access token. Before anything is timed,
each library's token is verified by the others and a tampered token must be
refused by all, so no broken or short-circuited path is measured.

The timing helpers here are shared with ``bench_django.py``.

    python benches/bench_jwt.py [--rounds N] [--sample-ms MS] [--algorithms HS256,RS256]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time
import timeit
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

# --- shared by both benchmarks ----------------------------------------------


def require_release_build() -> None:
    """Exit (status 2) unless ``ferrojwt._core`` is a release build."""
    from ferrojwt import _core

    if _core.build_profile != "release":
        sys.exit(
            f"refusing to benchmark a {_core.build_profile!r} build of ferrojwt._core: "
            "run `make develop` (maturin develop --release) first"
        )


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or the platform's guess), with the core count."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores"


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def reproduce_line(command: str, packages: Sequence[str]) -> str:
    """One line saying how and where the numbers were measured."""
    from ferrojwt import _core

    versions = ", ".join(f"{name} {package_version(name)}" for name in packages)
    return (
        f"Reproduce: `{command}` on {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"CPU {cpu_model()} (1-min load average {os.getloadavg()[0]:.1f} at the end); "
        f"ferrojwt {_core.__version__} ({_core.build_profile} build); "
        f"{versions}."
    )


@dataclass(frozen=True)
class Stats:
    """Per-call seconds of one case, one sample per round."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def minimum(self) -> float:
        return min(self.samples)


@dataclass(frozen=True)
class Case:
    """One timed statement: ``stmt`` run in ``namespace``, named after its library."""

    name: str
    stmt: str
    namespace: Mapping[str, Any] = field(default_factory=dict)


def _calibrate(timer: timeit.Timer, sample_seconds: float) -> int:
    """How many loops of ``timer`` take about ``sample_seconds``."""
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= sample_seconds / 4:
            return max(1, round(number * sample_seconds / elapsed))
        number *= 2 if elapsed > sample_seconds / 40 else 10


def measure(cases: Sequence[Case], rounds: int, sample_seconds: float) -> dict[str, Stats]:
    """Time the cases side by side: ``rounds`` rounds, each running every case once.

    Each case gets a loop count worth about ``sample_seconds``; the order of the
    cases rotates from round to round so none always runs first. Garbage
    collection is off while a loop runs (as in :mod:`timeit`).
    """
    timers = [timeit.Timer(case.stmt, globals=dict(case.namespace)) for case in cases]
    numbers = [_calibrate(timer, sample_seconds) for timer in timers]
    samples: list[list[float]] = [[] for _ in cases]
    for round_index in range(rounds):
        for offset in range(len(cases)):
            i = (round_index + offset) % len(cases)
            samples[i].append(timers[i].timeit(numbers[i]) / numbers[i])
    return {case.name: Stats(tuple(times)) for case, times in zip(cases, samples, strict=True)}


def micros(stats: Stats | None) -> str:
    """``min (median)`` in microseconds, or ``n/a``."""
    if stats is None:
        return "n/a"
    return f"{_fmt(stats.minimum * 1e6)} ({_fmt(stats.median * 1e6)})"


def _fmt(us: float) -> str:
    return f"{us:.2f}" if us < 100 else f"{us:.0f}"


def ratio(slow: Stats | None, fast: Stats | None) -> float | None:
    """How many times faster ``fast`` is: the ratio of the two minimums.

    The machine is shared; a slower round is interference, not the library
    (timeit's advice). Measured here at a load average near 5 on 2 cores, the
    ratio of minimums stayed within about 10% from run to run, while ratios of
    medians or of same-round pairs swung by a factor of five.
    """
    if slow is None or fast is None:
        return None
    return slow.minimum / fast.minimum


def ratio_text(value: float | None) -> str:
    """The ratio rounded down, so a MISS never reads as the target itself."""
    if value is None:
        return "n/a"
    digits = 1 if value >= 10 else 2
    return f"{math.floor(value * 10**digits) / 10**digits:.{digits}f}x"


def verdict(value: float | None, target: float | None) -> str:
    if target is None:
        return ""
    if value is None:
        return "MISS"
    return "PASS" if value >= target else "MISS"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: int) -> str:
    """A markdown table whose columns from index ``right`` on are right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(width) if i >= right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = [
        "-" * (width - 1) + ":" if i >= right else "-" * width for i, width in enumerate(widths)
    ]
    return "\n".join([line(header), "| " + " | ".join(rule) + " |", *map(line, rows)])


# --- the JWT benchmark --------------------------------------------------------

ALGORITHMS = ("HS256", "RS256", "PS256", "ES256", "EdDSA")

#: Issue 2's speed targets: PyJWT time / ferrojwt time, per (algorithm, operation).
TARGETS: dict[tuple[str, str], float] = {
    ("HS256", "encode"): 16.0,
    ("HS256", "decode"): 20.0,
    ("RS256", "encode"): 1.05,
    ("RS256", "decode"): 2.5,
    ("ES256", "encode"): 1.8,
    ("ES256", "decode"): 1.7,
    ("EdDSA", "encode"): 3.5,
    ("EdDSA", "decode"): 3.0,
}

#: Algorithms whose signatures are deterministic: ferrojwt's token must equal PyJWT's.
DETERMINISTIC = ("HS256", "RS256", "EdDSA")

HMAC_SECRET = "django-insecure-7c1f0b2a9d8e4f6a3b5c7d9e1f2a4b6c8d0e2f4a6b8c"


@dataclass(frozen=True)
class KeyMaterial:
    """The keys of one algorithm in every form the libraries take."""

    signing_pem: bytes | None  # None for HMAC
    verifying_pem: bytes | None
    signing_object: Any  # cryptography private key, or the HMAC secret
    verifying_object: Any


def key_material(algorithm: str) -> KeyMaterial:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if algorithm.startswith("HS"):
        return KeyMaterial(None, None, HMAC_SECRET, HMAC_SECRET)
    private: Any
    if algorithm[:2] in ("RS", "PS"):
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif algorithm == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
    elif algorithm == "EdDSA":
        private = ed25519.Ed25519PrivateKey.generate()
    else:
        raise ValueError(f"no key recipe for {algorithm}")
    public = private.public_key()
    return KeyMaterial(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        private,
        public,
    )


@dataclass(frozen=True)
class Library:
    """A PyJWT-shaped module and how it takes its keys in its fastest ordinary use."""

    name: str
    module: Any
    signing_key: Callable[[KeyMaterial], Any]
    verifying_key: Callable[[KeyMaterial], Any]


def _ferrojwt_key(pem: bytes | None, secret: Any) -> Any:
    from ferrojwt._core import Key

    return Key.hmac(secret) if pem is None else Key.from_pem(pem)


def libraries() -> list[Library]:
    import jwt as pyjwt
    import jwt_rs
    from ferrojwt import jwt as ferro

    return [
        Library(
            "ferrojwt",
            ferro,
            lambda k: _ferrojwt_key(k.signing_pem, k.signing_object),
            lambda k: _ferrojwt_key(k.verifying_pem, k.verifying_object),
        ),
        Library("PyJWT", pyjwt, lambda k: k.signing_object, lambda k: k.verifying_object),
        Library(
            "pyjwt-rs",
            jwt_rs,
            lambda k: k.signing_pem or k.signing_object,
            lambda k: k.verifying_pem or k.verifying_object,
        ),
    ]


def access_token_claims() -> dict[str, Any]:
    """The claims of a typical simplejwt access token, in simplejwt's order."""
    now = int(time.time())
    return {
        "token_type": "access",
        "exp": now + 3600,
        "iat": now,
        "jti": uuid.uuid4().hex,
        "user_id": "1",
    }


def tampered(token: str) -> str:
    """``token`` with one bit of its signature's first byte flipped."""
    head, _, signature = token.rpartition(".")
    flipped = "B" if signature[0] == "A" else "A"
    return f"{head}.{flipped}{signature[1:]}"


@dataclass(frozen=True)
class Problem:
    """Something a check found, blamed on one library."""

    library: str
    text: str
    blocking: bool = True  # False: reported, but the numbers are still meaningful


#: Who is blamed when two libraries disagree: the one later in this list.
TRUST = ("PyJWT", "ferrojwt", "pyjwt-rs")


def _blame(*names: str) -> str:
    return max(names, key=TRUST.index)


def cross_check(
    algorithm: str, libs: Sequence[Library], keys: KeyMaterial, claims: Mapping[str, Any]
) -> tuple[list[Problem], dict[str, str]]:
    """Verify every library's token with every library; a tampered token must fail in all.

    Returns the problems found, and each library's token.
    """
    problems: list[Problem] = []
    tokens: dict[str, str] = {}
    for producer in libs:
        try:
            tokens[producer.name] = producer.module.encode(
                dict(claims), producer.signing_key(keys), algorithm=algorithm
            )
        except Exception as exc:
            problems.append(Problem(producer.name, f"{algorithm} encode raised {exc!r}"))
    for made_by, token in tokens.items():
        for consumer in libs:
            key = consumer.verifying_key(keys)
            try:
                decoded = consumer.module.decode(token, key, algorithms=[algorithm])
            except Exception as exc:
                text = f"{algorithm}: {consumer.name} refused {made_by}'s token: {exc!r}"
                problems.append(Problem(_blame(made_by, consumer.name), text))
                continue
            if decoded != claims:
                text = f"{algorithm}: {consumer.name} read {made_by}'s claims as {decoded!r}"
                problems.append(Problem(_blame(made_by, consumer.name), text))
            try:
                consumer.module.decode(tampered(token), key, algorithms=[algorithm])
            except Exception:
                pass
            else:
                text = f"{algorithm}: {consumer.name} accepted a tampered token"
                problems.append(Problem(consumer.name, text))
    if algorithm in DETERMINISTIC and tokens.get("ferrojwt") != tokens.get("PyJWT"):
        text = f"{algorithm}: ferrojwt's token is not byte-identical to PyJWT's"
        problems.append(Problem("ferrojwt", text, blocking=False))
    return problems, tokens


def bench_algorithm(
    algorithm: str, libs: Sequence[Library], rounds: int, sample_seconds: float
) -> tuple[list[list[str]], list[Problem]]:
    """The table rows (encode, decode) for one algorithm, and the problems found."""
    keys = key_material(algorithm)
    claims = access_token_claims()
    problems, tokens = cross_check(algorithm, libs, keys, claims)
    broken = {problem.library for problem in problems if problem.blocking}
    if broken & {"ferrojwt", "PyJWT"}:
        return [], problems
    usable = [lib for lib in libs if lib.name not in broken]
    token = tokens["PyJWT"]  # every library decodes the same token
    rows = []
    for operation in ("encode", "decode"):
        cases = []
        for lib in usable:
            if operation == "encode":
                namespace = {
                    "encode": lib.module.encode,
                    "claims": claims,
                    "key": lib.signing_key(keys),
                    "alg": algorithm,
                }
                cases.append(Case(lib.name, "encode(claims, key, algorithm=alg)", namespace))
            else:
                namespace = {
                    "decode": lib.module.decode,
                    "token": token,
                    "key": lib.verifying_key(keys),
                    "algs": [algorithm],
                }
                cases.append(Case(lib.name, "decode(token, key, algorithms=algs)", namespace))
        stats = measure(cases, rounds, sample_seconds)
        ferro, pyjwt, rs = (stats.get(name) for name in ("ferrojwt", "PyJWT", "pyjwt-rs"))
        target = TARGETS.get((algorithm, operation))
        speedup = ratio(pyjwt, ferro)
        rows.append(
            [
                algorithm,
                operation,
                micros(ferro),
                micros(pyjwt),
                micros(rs),
                ratio_text(speedup),
                "" if target is None else f">= {target:g}x",
                verdict(speedup, target),
                ratio_text(ratio(rs, ferro)),
            ]
        )
        print(f"  {algorithm} {operation}: done", file=sys.stderr, flush=True)
    return rows, problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200, help="interleaved rounds (200)")
    parser.add_argument("--sample-ms", type=float, default=5.0, help="ms per timed loop (5)")
    parser.add_argument("--algorithms", default=",".join(ALGORITHMS), help="comma-separated")
    args = parser.parse_args(argv)
    require_release_build()

    libs = libraries()
    rows: list[list[str]] = []
    problems: list[Problem] = []
    for algorithm in args.algorithms.split(","):
        alg_rows, alg_problems = bench_algorithm(
            algorithm, libs, args.rounds, args.sample_ms / 1000
        )
        rows += alg_rows
        problems += alg_problems

    header = [
        "Algorithm",
        "Operation",
        "ferrojwt µs",
        "PyJWT µs",
        "pyjwt-rs µs",
        "PyJWT / ferrojwt",
        "Target",
        "Result",
        "pyjwt-rs / ferrojwt",
    ]
    print("### ferrojwt.jwt vs PyJWT vs pyjwt-rs: time per call\n")
    print(markdown_table(header, rows, right=2))
    passed = sum(row[7] == "PASS" for row in rows)
    judged = sum(row[7] in ("PASS", "MISS") for row in rows)
    print(
        f"\nTime per call: the minimum over {args.rounds} interleaved rounds (the median in "
        f"parentheses); "
        f"ratios of the minimums. Claims: a simplejwt access token "
        f"(token_type, exp, iat, jti, user_id). Keys: RSA 2048, P-256, Ed25519; "
        f"PyJWT with `cryptography` key objects, "
        f"ferrojwt with a `Key`, pyjwt-rs with PEM bytes. Targets met: {passed}/{judged}.\n"
    )
    print(reproduce_line("make bench", ["PyJWT", "pyjwt-rs", "cryptography"]))
    for problem in problems:
        kind = "PROBLEM" if problem.blocking else "NOTE"
        print(f"{kind} ({problem.library}): {problem.text}", file=sys.stderr)
    blocking = [p for p in problems if p.blocking and p.library != "pyjwt-rs"]
    return 1 if blocking else 0


if __name__ == "__main__":
    sys.exit(main())
