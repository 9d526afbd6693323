"""ferrojwt against every Rust-backed peer: ryjwt, oxyjwt, webtoken, and joserfc, PyJWT, pyjwt-rs.

Run by ``make bench`` in ``.bench312/``, a CPython 3.12 virtualenv (ryjwt needs 3.12) with
a release wheel of ferrojwt and the peers pinned in ``benches/requirements-py312.txt``.

ferrojwt is measured in three uses: (a) the prepared API, an ``Encoder``/``Decoder``
holding key, algorithm and checks, (b) the module-level ``ferrojwt.jwt.encode``/``decode``
with a ``Key``, (c) the same with the secret or PEM as ``str``. Each peer is measured in
its fastest documented use (see ``peer_uses``). Every use signs and verifies the same
claims, a simplejwt access token.

Before anything is timed, each use's token is verified by every other use (same key
material), and a token with a flipped signature bit must be refused by each, so no broken
or short-circuited path is measured. Then all the uses of one algorithm and operation are
timed in interleaved rounds in this one process (``bench_jwt.measure``).

    python benches/bench_peers.py [--rounds N] [--sample-ms MS] [--algorithms HS256,RS256]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench_jwt import (
    HMAC_SECRET,
    Case,
    KeyMaterial,
    Stats,
    access_token_claims,
    key_material,
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

ALGORITHMS = ("HS256", "RS256", "PS256", "ES256", "EdDSA")
OPERATIONS = ("encode", "decode")

#: The speed issue's targets, as "how many times faster" (the peer's time / ferrojwt's).
#: Prepared API vs the best peer use:
PREPARED_TARGETS: dict[tuple[str, str], float] = {
    **{("HS256", op): 1.2 for op in OPERATIONS},
    **{(alg, op): 1.0 for alg in ("RS256", "PS256", "ES256", "EdDSA") for op in OPERATIONS},
}
#: Module-level ferrojwt.jwt.encode/decode (with a Key) vs oxyjwt's module functions:
MODULE_TARGETS: dict[tuple[str, str], float] = {
    **{("HS256", op): 1.5 for op in OPERATIONS},
    **{(alg, op): 1.0 for alg in ("RS256", "ES256", "EdDSA") for op in OPERATIONS},
}

#: The packages named on the Reproduce line.
PACKAGES = ("ryjwt", "oxyjwt", "webtoken", "joserfc", "PyJWT", "pyjwt-rs", "cryptography")

Namespace = dict[str, Any]


@dataclass(frozen=True)
class Use:
    """One way of calling one library.

    ``encode``/``decode`` are expressions over the namespace ``setup`` builds for an
    algorithm (None: this use has no such operation); ``encode`` reads ``claims``,
    ``decode`` reads ``token`` and must return the claims. ``setup`` returns None when
    the library has no such algorithm. ``kind`` is "prepared", "module", "module-str" or
    "module-options" (decode with an options dict) for ferrojwt's uses, "oxyjwt-module"
    for oxyjwt's PyJWT-shaped functions (the module-level target's reference) and "peer"
    for any other.
    """

    library: str
    label: str
    kind: str
    setup: Callable[[str, KeyMaterial], Namespace | None]
    encode: str | None
    decode: str | None

    @property
    def is_peer(self) -> bool:
        return self.library != "ferrojwt"

    def run(self, operation: str, namespace: Namespace) -> Any:
        expression = self.encode if operation == "encode" else self.decode
        assert expression is not None
        return eval(expression, namespace)


def _pem_text(pem: bytes | None) -> str:
    return HMAC_SECRET if pem is None else pem.decode("ascii")


# --- ferrojwt ------------------------------------------------------------------


def _ferro_keys(keys: KeyMaterial) -> tuple[Any, Any]:
    from ferrojwt.jwt import Key

    if keys.signing_pem is None or keys.verifying_pem is None:
        return Key.hmac(HMAC_SECRET), Key.hmac(HMAC_SECRET)
    return Key.from_pem(keys.signing_pem), Key.from_pem(keys.verifying_pem)


def prepared_use() -> Use:
    """ferrojwt's prepared API: an ``Encoder`` and a ``Decoder`` holding key and algorithm."""
    from ferrojwt import jwt

    def prepared(alg: str, keys: KeyMaterial) -> Namespace:
        signing, verifying = _ferro_keys(keys)
        return {
            "encoder": jwt.Encoder(signing, alg),
            "decoder": jwt.Decoder(verifying, [alg]),
        }

    return Use(
        "ferrojwt",
        "ferrojwt Encoder(key, alg).encode / Decoder(key, [alg]).decode",
        "prepared",
        prepared,
        "encoder.encode(claims)",
        "decoder.decode(token)",
    )


def ferrojwt_uses() -> list[Use]:
    from ferrojwt import jwt

    def with_key(alg: str, keys: KeyMaterial) -> Namespace:
        signing, verifying = _ferro_keys(keys)
        namespace = {"signing": signing, "verifying": verifying}
        return {"encode": jwt.encode, "decode": jwt.decode, "alg": alg, "algs": [alg], **namespace}

    def with_text(alg: str, keys: KeyMaterial) -> Namespace:
        namespace = {"signing": _pem_text(keys.signing_pem)}
        namespace["verifying"] = _pem_text(keys.verifying_pem)
        return {"encode": jwt.encode, "decode": jwt.decode, "alg": alg, "algs": [alg], **namespace}

    def with_options(alg: str, keys: KeyMaterial) -> Namespace:
        # TokenBackend's options dict, as most callers pass one.
        options = {"verify_aud": False, "verify_signature": True}
        return {**with_key(alg, keys), "options": options}

    module_encode = "encode(claims, signing, algorithm=alg)"
    module_decode = "decode(token, verifying, algorithms=algs)"
    return [
        prepared_use(),
        Use(
            "ferrojwt",
            "ferrojwt.jwt.encode/decode, Key",
            "module",
            with_key,
            module_encode,
            module_decode,
        ),
        Use(
            "ferrojwt",
            "ferrojwt.jwt.encode/decode, str secret/PEM",
            "module-str",
            with_text,
            module_encode,
            module_decode,
        ),
        Use(
            "ferrojwt",
            "ferrojwt.jwt.decode, Key, options dict",
            "module-options",
            with_options,
            None,
            "decode(token, verifying, algorithms=algs, options=options)",
        ),
    ]


# --- the peers -------------------------------------------------------------------


def _ryjwt(alg: str, keys: KeyMaterial) -> Namespace:
    import ryjwt

    if keys.signing_pem is None:
        key = ryjwt.SecretKey(HMAC_SECRET, algorithms=[alg])
        return {"signer": key, "verifier": key}
    return {
        "signer": ryjwt.PrivateKey(keys.signing_pem, algorithms=[alg]),
        "verifier": ryjwt.PublicKey(keys.verifying_pem, algorithms=[alg]),
    }


_OXYJWT_LOADERS = {
    "RS": "from_rsa_pem",
    "PS": "from_rsa_pem",
    "ES": "from_ec_pem",
    "Ed": "from_ed_pem",
}


def _oxyjwt_objects(alg: str, keys: KeyMaterial) -> Namespace:
    import orjson
    import oxyjwt

    if keys.signing_pem is None:
        signing = oxyjwt.EncodingKey.from_secret(HMAC_SECRET)
        verifying = oxyjwt.DecodingKey.from_secret(HMAC_SECRET)
    else:
        loader = _OXYJWT_LOADERS[alg[:2]]
        signing = getattr(oxyjwt.EncodingKey, loader)(keys.signing_pem)
        verifying = getattr(oxyjwt.DecodingKey, loader)(keys.verifying_pem)
    return {
        "encode": oxyjwt.encode,
        "encode_json": oxyjwt.encode_json,
        "dumps": orjson.dumps,
        "decode": oxyjwt.decode,
        "signing": signing,
        "verifying": verifying,
        "alg": alg,
        "algs": [alg],
    }


def _oxyjwt_secret(alg: str, keys: KeyMaterial) -> Namespace | None:
    import oxyjwt

    if keys.signing_pem is not None:
        return None  # oxyjwt takes asymmetric keys only as EncodingKey/DecodingKey
    namespace = {"signing": HMAC_SECRET, "verifying": HMAC_SECRET, "alg": alg, "algs": [alg]}
    return {"encode": oxyjwt.encode, "decode": oxyjwt.decode, **namespace}


def _module_namespace(module: Any, alg: str, signing: Any, verifying: Any) -> Namespace:
    namespace = {"signing": signing, "verifying": verifying, "alg": alg, "algs": [alg]}
    return {"encode": module.encode, "decode": module.decode, **namespace}


def _webtoken(alg: str, keys: KeyMaterial) -> Namespace:
    import webtoken

    signing = keys.signing_pem or HMAC_SECRET
    return _module_namespace(webtoken, alg, signing, keys.verifying_pem or HMAC_SECRET)


def _pyjwt(alg: str, keys: KeyMaterial) -> Namespace:
    import jwt

    return _module_namespace(jwt, alg, keys.signing_object, keys.verifying_object)


def _pyjwt_rs(alg: str, keys: KeyMaterial) -> Namespace:
    import jwt_rs

    signing = keys.signing_pem or HMAC_SECRET
    return _module_namespace(jwt_rs, alg, signing, keys.verifying_pem or HMAC_SECRET)


_JOSERFC_KEY_TYPES = {"HS": "oct", "RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}


def _joserfc(alg: str, keys: KeyMaterial) -> Namespace:
    from joserfc import jwk, jwt

    key_type = _JOSERFC_KEY_TYPES[alg[:2]]
    signing = jwk.import_key(keys.signing_pem or HMAC_SECRET, key_type)
    verifying = jwk.import_key(keys.verifying_pem or HMAC_SECRET, key_type)
    return {
        "encode": jwt.encode,
        "decode": jwt.decode,
        "registry": jwt.JWTClaimsRegistry(),  # exp, nbf, iat checked, as the others do
        "header": {"alg": alg},
        "signing": signing,
        "verifying": verifying,
        "algs": [alg],
    }


def peer_uses() -> list[Use]:
    """Each peer's fastest documented use (several where its documentation offers several).

    - ryjwt: its key objects with the algorithm bound, ``key.encode(claims)`` and
      ``key.decode(token)``: its only API (no module functions).
    - oxyjwt: its PyJWT-shaped ``oxyjwt.encode``/``decode`` with the keys parsed once into
      ``EncodingKey``/``DecodingKey`` ("parse keys once"), and with an HMAC secret as str;
      and ``encode_json``, its "pre-serialized high-throughput encoding", fed by
      ``orjson.dumps`` (its own dependency) so that it does the same work as the others.
    - webtoken: its documented PyJWT-style ``encode``/``decode``, secret or PEM bytes (it
      keeps parsed keys; a ``PyJWK`` from ``load_key_from_pem`` was no faster).
    - joserfc: keys imported once (``jwk.import_key``), ``jwt.encode(header, claims, key)``,
      ``jwt.decode`` and then ``JWTClaimsRegistry().validate`` (its decode checks no claim).
    - PyJWT: ``cryptography`` key objects (a PEM would be parsed on every call).
    - pyjwt-rs: PEM bytes, which it turns into a cached native key handle.
    """
    rs_encode = "encode(claims, signing, algorithm=alg)"
    rs_decode = "decode(token, verifying, algorithms=algs)"
    joserfc_decode = (
        "(registry.validate((t := decode(token, verifying, algorithms=algs)).claims), t.claims)[1]"
    )
    return [
        Use(
            "ryjwt",
            "ryjwt key.encode / key.decode",
            "peer",
            _ryjwt,
            "signer.encode(claims)",
            "verifier.decode(token)",
        ),
        Use(
            "oxyjwt",
            "oxyjwt.encode/decode, EncodingKey/DecodingKey",
            "oxyjwt-module",
            _oxyjwt_objects,
            rs_encode,
            rs_decode,
        ),
        Use(
            "oxyjwt",
            "oxyjwt.encode/decode, str secret",
            "oxyjwt-module",
            _oxyjwt_secret,
            rs_encode,
            rs_decode,
        ),
        Use(
            "oxyjwt",
            "oxyjwt.encode_json(orjson.dumps(claims)), EncodingKey",
            "peer",
            _oxyjwt_objects,
            "encode_json(dumps(claims), signing, algorithm=alg)",
            None,
        ),
        Use(
            "webtoken",
            "webtoken.encode/decode, secret/PEM bytes",
            "peer",
            _webtoken,
            rs_encode,
            rs_decode,
        ),
        Use(
            "joserfc",
            "joserfc jwt.encode / jwt.decode + claims registry",
            "peer",
            _joserfc,
            "encode(header, claims, signing, algorithms=algs)",
            joserfc_decode,
        ),
        Use("PyJWT", "PyJWT, cryptography key objects", "peer", _pyjwt, rs_encode, rs_decode),
        Use("pyjwt-rs", "pyjwt-rs (jwt_rs), PEM bytes", "peer", _pyjwt_rs, rs_encode, rs_decode),
    ]


# --- checks ------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    label: str
    text: str
    blocking: bool = True  # False: reported; the use is still timed


#: Who is blamed when two uses disagree: the library later in this list.
TRUST = ("PyJWT", "ferrojwt", "ryjwt", "oxyjwt", "pyjwt-rs", "joserfc", "webtoken")


def _refusal(use: Use, namespace: Namespace, token: str, reason: str, what: str) -> Problem | None:
    """None when ``use`` refuses ``token`` with ``reason`` in its error's name or text."""
    try:
        use.run("decode", {**namespace, "token": token})
    except Exception as exc:
        if reason in f"{type(exc).__name__} {exc}".lower():
            return None
        return Problem(use.label, f"{use.label} refused {what}, saying {exc!r}", blocking=False)
    return Problem(use.label, f"{use.label} accepted {what}")


def expired_token(algorithm: str, keys: KeyMaterial, claims: Mapping[str, Any]) -> str:
    """``claims`` an hour past their ``exp``, signed by PyJWT."""
    import jwt

    stale = {**claims, "exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}
    return jwt.encode(stale, keys.signing_object, algorithm=algorithm)


def cross_check(
    algorithm: str, uses: Mapping[Use, Namespace], claims: Mapping[str, Any], expired: str
) -> tuple[list[Problem], dict[Use, str]]:
    """Every use's token decoded by every use; a tampered token (one flipped bit of each
    use's signature) and an ``expired`` one refused by each, for those reasons.

    Returns the problems and each use's token.
    """
    problems: list[Problem] = []
    tokens: dict[Use, str] = {}
    for use, namespace in uses.items():
        if use.encode is None:
            continue
        try:
            tokens[use] = use.run("encode", {**namespace, "claims": dict(claims)})
        except Exception as exc:
            problems.append(Problem(use.label, f"{algorithm} encode raised {exc!r}"))
    for maker, token in tokens.items():
        for use, namespace in uses.items():
            if use.decode is None:
                continue
            blamed = max(maker, use, key=lambda u: TRUST.index(u.library)).label
            try:
                decoded = use.run("decode", {**namespace, "token": token})
            except Exception as exc:
                text = f"{algorithm}: {use.label} refused {maker.label}'s token: {exc!r}"
                problems.append(Problem(blamed, text))
                continue
            if decoded != claims:
                text = f"{algorithm}: {use.label} read {maker.label}'s claims as {decoded!r}"
                problems.append(Problem(blamed, text))
            what = f"a tampered {algorithm} token of {maker.label}"
            problem = _refusal(use, namespace, tampered(token), "signature", what)
            problems += [problem] if problem else []
    for use, namespace in uses.items():
        if use.decode is not None:
            problem = _refusal(use, namespace, expired, "expired", f"an expired {algorithm} token")
            problems += [problem] if problem else []
    return problems, tokens


# --- timing and the tables ------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    algorithm: str
    operation: str
    stats: dict[Use, Stats]

    def of_kind(self, kind: str) -> Stats | None:
        found = [stats for use, stats in self.stats.items() if use.kind == kind]
        return min(found, key=lambda s: s.minimum) if found else None

    def best_peer(
        self, kinds: Sequence[str] = ("peer", "oxyjwt-module")
    ) -> tuple[Use, Stats] | None:
        found = [(use, s) for use, s in self.stats.items() if use.is_peer and use.kind in kinds]
        return min(found, key=lambda pair: pair[1].minimum) if found else None


def bench_algorithm(
    algorithm: str, uses: Sequence[Use], rounds: int, sample_seconds: float
) -> tuple[list[Result], list[Problem]]:
    keys = key_material(algorithm)
    claims = access_token_claims()
    namespaces: dict[Use, Namespace] = {}
    for use in uses:
        namespace = use.setup(algorithm, keys)
        if namespace is not None:
            namespaces[use] = namespace
    expired = expired_token(algorithm, keys, claims)
    problems, tokens = cross_check(algorithm, namespaces, claims, expired)
    broken = {problem.label for problem in problems if problem.blocking}
    token = tokens[next(use for use in namespaces if use.library == "PyJWT")]
    results = []
    for operation in OPERATIONS:
        cases: list[Case] = []
        timed: dict[str, Use] = {}
        for use, namespace in namespaces.items():
            expression = use.encode if operation == "encode" else use.decode
            if expression is None or use.label in broken:
                continue
            bound = {**namespace, "claims": claims, "token": token}
            cases.append(Case(use.label, expression, bound))
            timed[use.label] = use
        stats = measure(cases, rounds, sample_seconds)
        results.append(
            Result(algorithm, operation, {timed[label]: s for label, s in stats.items()})
        )
        print(f"  {algorithm} {operation}: done", file=sys.stderr, flush=True)
    return results, problems


def _target_cells(ours: Stats | None, theirs: Stats | None, target: float | None) -> list[str]:
    speedup = ratio(theirs, ours)
    return [
        ratio_text(speedup),
        "" if target is None else f">= {target:g}x",
        verdict(speedup, target),
    ]


def targets_table(results: Sequence[Result]) -> tuple[str, int, int]:
    """The done-when table, with how many targets passed out of how many judged."""
    header = [
        "Algorithm",
        "Op",
        "(a) prepared µs",
        "(b) module, Key µs",
        "(c) module, str µs",
        "best peer µs",
        "best peer",
        "(a) vs best peer",
        "target",
        "result",
        "oxyjwt module µs",
        "(b) vs oxyjwt",
        "target",
        "result",
        "(c) vs oxyjwt",
        "(d) module, options µs",
        "(d) vs oxyjwt",
    ]
    rows = []
    for result in results:
        key = (result.algorithm, result.operation)
        kinds = ("prepared", "module", "module-str", "module-options")
        prepared, module, text, with_options = (result.of_kind(k) for k in kinds)
        best = result.best_peer()
        best_stats = best[1] if best else None
        oxy = result.of_kind("oxyjwt-module")
        rows.append(
            [
                result.algorithm,
                result.operation,
                micros(prepared),
                micros(module),
                micros(text),
                micros(best_stats),
                best[0].library if best else "n/a",
                *_target_cells(prepared, best_stats, PREPARED_TARGETS.get(key)),
                micros(oxy),
                *_target_cells(module, oxy, MODULE_TARGETS.get(key)),
                ratio_text(ratio(oxy, text)),
                micros(with_options),
                ratio_text(ratio(oxy, with_options)) if with_options else "",
            ]
        )
    verdicts = [row[i] for row in rows for i in (9, 13)]
    passed = verdicts.count("PASS")
    judged = passed + verdicts.count("MISS")
    return markdown_table(header, rows, right=2), passed, judged


def prepared_verdicts(results: Sequence[Result]) -> list[str]:
    """One line per prepared-API target of the speed issue, from this run's minimums.

    HS256: the prepared API against ryjwt (the target names it); the asymmetric ones
    against every peer, so against the fastest use of any of them.
    """
    lines = []
    for result in results:
        target = PREPARED_TARGETS.get((result.algorithm, result.operation))
        ours = result.of_kind("prepared")
        if target is None or ours is None:
            continue
        if result.algorithm == "HS256":
            found = [(u, s) for u, s in result.stats.items() if u.library == "ryjwt"]
            peer = min(found, key=lambda pair: pair[1].minimum) if found else None
            against = "ryjwt"
        else:
            peer = result.best_peer()
            against = f"the fastest peer ({peer[0].library})" if peer else "the fastest peer"
        theirs = peer[1] if peer else None
        speedup = ratio(theirs, ours)
        lines.append(
            f"prepared {result.algorithm} {result.operation}: {micros(ours)} µs vs {against} "
            f"{micros(theirs)} µs: {ratio_text(speedup)} (target >= {target:g}x) "
            f"{verdict(speedup, target)}"
        )
    return lines


def uses_table(results: Sequence[Result], uses: Sequence[Use]) -> str:
    """Every use's time, one row per algorithm and use, against ferrojwt's prepared API."""
    header = ["Algorithm", "Use", "encode µs", "decode µs", "encode / (a)", "decode / (a)"]
    by_alg: dict[str, dict[str, Result]] = {}
    for result in results:
        by_alg.setdefault(result.algorithm, {})[result.operation] = result
    rows = []
    for algorithm, ops in by_alg.items():
        for use in uses:
            cells = [ops[op].stats.get(use) if op in ops else None for op in OPERATIONS]
            if all(cell is None for cell in cells):
                continue
            prepared = [ops[op].of_kind("prepared") if op in ops else None for op in OPERATIONS]
            rows.append(
                [
                    algorithm,
                    use.label,
                    *(micros(cell) for cell in cells),
                    *(
                        "" if cell is None else ratio_text(ratio(cell, ours))
                        for cell, ours in zip(cells, prepared, strict=True)
                    ),
                ]
            )
    return markdown_table(header, rows, right=2)


def worker(algorithms: Sequence[str], rounds: int, sample_seconds: float) -> None:
    """Check and time ``algorithms`` in this process; print the samples and problems as JSON."""
    from joserfc.errors import SecurityWarning

    # joserfc warns on every EdDSA token that RFC 9864 deprecates the name; the other
    # libraries know no other name for Ed25519, so the warning is silenced, not avoided.
    warnings.simplefilter("ignore", SecurityWarning)
    uses = [*ferrojwt_uses(), *peer_uses()]
    report: dict[str, list[Any]] = {"results": [], "problems": []}
    for algorithm in algorithms:
        results, problems = bench_algorithm(algorithm, uses, rounds, sample_seconds)
        for result in results:
            samples = {use.label: list(stats.samples) for use, stats in result.stats.items()}
            report["results"].append([result.algorithm, result.operation, samples])
        report["problems"] += [[p.label, p.text, p.blocking] for p in problems]
    json.dump(report, sys.stdout)


def run_workers(
    uses: Sequence[Use], processes: int, argv: Sequence[str]
) -> tuple[list[Result], list[Problem]]:
    """``processes`` workers one after the other, their samples pooled per use.

    On this shared machine one use is now and then slow for a whole process (its median
    too, by up to 3x, while the uses timed beside it are not), and another use in the
    next; a fresh process each time, and the minimum over all, keeps that out.
    """
    by_label = {use.label: use for use in uses}
    pooled: dict[tuple[str, str], dict[str, list[float]]] = {}
    problems: dict[tuple[str, str], Problem] = {}
    for index in range(processes):
        print(f"worker {index + 1}/{processes}", file=sys.stderr, flush=True)
        command = [sys.executable, os.path.abspath(__file__), "--worker", *argv]
        out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
        report = json.loads(out)
        for algorithm, operation, samples in report["results"]:
            for label, times in samples.items():
                pooled.setdefault((algorithm, operation), {}).setdefault(label, []).extend(times)
        for label, text, blocking in report["problems"]:
            problems.setdefault((label, text), Problem(label, text, blocking))
    results = [
        Result(alg, op, {by_label[label]: Stats(tuple(times)) for label, times in cases.items()})
        for (alg, op), cases in pooled.items()
    ]
    return results, list(problems.values())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=80, help="rounds per process (80)")
    parser.add_argument("--processes", type=int, default=3, help="fresh processes (3)")
    parser.add_argument("--sample-ms", type=float, default=5.0, help="ms per timed loop (5)")
    parser.add_argument("--algorithms", default=",".join(ALGORITHMS), help="comma-separated")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    require_release_build()
    if args.worker:
        worker(args.algorithms.split(","), args.rounds, args.sample_ms / 1000)
        return 0
    load_at_start = os.getloadavg()[0]
    uses = [*ferrojwt_uses(), *peer_uses()]
    passed_on = ["--rounds", str(args.rounds), "--sample-ms", str(args.sample_ms)]
    passed_on += ["--algorithms", args.algorithms]
    results, problems = run_workers(uses, args.processes, passed_on)

    table, passed, judged = targets_table(results)
    print("### ferrojwt vs the Rust-backed peers: time per call (CPython 3.12)\n")
    print(table)
    print(
        f"\nTargets met: {passed}/{judged}. (a) {uses[0].label}; (b) ferrojwt.jwt.encode/decode "
        "with a Key; (c) the same with the secret or PEM as str. Best peer: the fastest use of "
        "any peer below; oxyjwt module: the faster of oxyjwt.encode/decode with its key objects "
        "or a str secret. Ratios: the peer's time / ferrojwt's, of the minimums.\n"
    )
    print("#### The prepared API's targets\n")
    for line in prepared_verdicts(results):
        print(f"- {line}")
    print()
    print("#### Every use\n")
    print(uses_table(results, uses))
    print(
        f"\nTime per call: the minimum over {args.processes} fresh processes x {args.rounds} "
        "interleaved rounds (the median in parentheses). Claims: a simplejwt access token "
        "(token_type, exp, iat, jti, user_id). Keys: RSA 2048, P-256, Ed25519. Every use's "
        "token was verified by every other use, and a tampered and an expired token "
        "refused by each, before timing.\n"
    )
    from ferrojwt import __file__ as ferrojwt_path

    print(f"ferrojwt imported from {os.path.dirname(ferrojwt_path)}")
    print(f"1-min load average at the start: {load_at_start:.1f}")
    print(reproduce_line("make bench (benches/bench_peers.py)", PACKAGES))
    for problem in problems:
        kind = "PROBLEM" if problem.blocking else "NOTE"
        print(f"{kind} ({problem.label}): {problem.text}", file=sys.stderr)
    ours = [p for p in problems if p.blocking and p.label.startswith("ferrojwt")]
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main())
