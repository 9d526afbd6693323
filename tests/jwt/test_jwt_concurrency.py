"""``ferrojwt.jwt`` from many threads at once gives exactly the sequential results.

The native core keeps process-wide state: a cache of parsed keys (keyed by the key's
bytes, HMAC secrets apart from PEM texts, emptied past 128 entries), a table of interned
member names (bounded, taken with try_lock), and lazily built RSA verifiers inside each
key. Asymmetric signing and verifying release the GIL. These tests run a fixed, mixed
workload (HS256, RS256 and ES256, many keys, valid and invalid tokens) once sequentially,
then on 8 threads started together, and require identical outcomes: same claims, same
headers, same exception type and message. Nothing here measures time.
"""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from ferrojwt import _core, jwt
from jwt_helpers import NOW, KeyPair

THREADS = 8
JOBS_PER_THREAD = 200
#: More HMAC secrets than the key cache holds (128 a side), so it is emptied mid-run.
HMAC_SECRETS = 150
RSA_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")

Outcome = tuple[Any, ...]


def outcome(call: Callable[[], Any]) -> Outcome:
    """What a call gave: its value, or its PyJWTError's type and message.

    Any other exception (a PanicException included) is not caught: it fails the test.
    """
    try:
        value = call()
    except jwt.PyJWTError as exc:
        return ("error", type(exc).__name__, str(exc))
    return ("ok", value)


@dataclass(frozen=True)
class Job:
    """One decode: a token, the key and algorithms to check it with, the expected kind."""

    token: str
    key: Any
    algorithms: Sequence[str]
    #: "ok" or the name of the exception the sequential run must give.
    expect: str
    payload: dict[str, Any] = field(default_factory=dict)

    def run(self) -> Outcome:
        def call() -> Any:
            decoded = jwt.decode_complete(self.token, self.key, self.algorithms, now=NOW)
            return decoded["header"], decoded["payload"]

        return outcome(call)


@dataclass(frozen=True)
class Keys:
    secrets: list[str | bytes]
    rsa: KeyPair
    rsa_other: KeyPair
    ec: KeyPair
    ec_other: KeyPair


def _secret(index: int) -> str | bytes:
    """The same secret is given as str or bytes: one cache entry either way."""
    text = f"concurrency-secret-{index:03d}-" * 2
    return text if index % 2 else text.encode()


@pytest.fixture(scope="module")
def keys(keypairs: dict[str, KeyPair], other_keypairs: dict[str, KeyPair]) -> Keys:
    return Keys(
        secrets=[_secret(i) for i in range(HMAC_SECRETS)],
        rsa=keypairs["RSA"],
        rsa_other=other_keypairs["RSA"],
        ec=keypairs["P-256"],
        ec_other=other_keypairs["P-256"],
    )


def _key_form(pem: bytes, index: int) -> Any:
    """PEM as bytes, as str, or parsed once into a Key shared by every thread."""
    form = index % 3
    if form == 0:
        return pem
    if form == 1:
        return pem.decode()
    return _core.Key.from_pem(pem)


def _payload(index: int) -> dict[str, Any]:
    """Claims with names unique to the job (short ones get interned, long ones not)."""
    return {
        "sub": f"user-{index}",
        "iat": NOW - 60,
        "exp": NOW + 3600,
        f"c{index}": index,
        f"claim_{index % 97}": [index, f"v{index}", {"k": index % 5}],
        f"a_long_member_name_past_the_interning_limit_{index}": "x" * (index % 40),
        "scope": "read write" if index % 2 else "read",
    }


def _build_jobs(keys: Keys, count: int) -> list[Job]:
    """A fixed mix: three algorithms, many keys, eight variants of right and wrong."""
    rsa_keys = [keys.rsa.private_pem, keys.rsa_other.private_pem]
    jobs: list[Job] = []
    for index in range(count):
        algorithm = ("HS256", "RS256", "ES256")[index % 3]
        variant = (index // 3) % 8
        payload = _payload(index)
        if variant == 3:
            payload["exp"] = NOW - 1
        if algorithm == "HS256":
            signing: Any = keys.secrets[index % HMAC_SECRETS]
            verifying: Any = signing
            wrong: Any = keys.secrets[(index + 1) % HMAC_SECRETS]
            other_family: Any = keys.rsa.public_pem
        elif algorithm == "RS256":
            signing = rsa_keys[index % 2]
            pair = keys.rsa if index % 2 == 0 else keys.rsa_other
            verifying = _key_form(pair.public_pem, index)
            wrong = (keys.rsa_other if index % 2 == 0 else keys.rsa).public_pem
            other_family = keys.secrets[index % HMAC_SECRETS]
        else:
            pair = keys.ec if index % 2 == 0 else keys.ec_other
            signing = pair.private_pem
            verifying = _key_form(pair.public_pem, index)
            wrong = (keys.ec_other if index % 2 == 0 else keys.ec).public_pem
            other_family = keys.rsa.public_pem
        token = jwt.encode(payload, signing, algorithm, headers={"kid": f"kid-{index}"})
        algorithms: list[str] = [algorithm]
        expect = "ok"
        key = verifying
        if variant == 1:
            key, expect = wrong, "InvalidSignatureError"
        elif variant == 2:
            head, _, signature = token.split(".")
            tampered = jwt.encode({**payload, "sub": "admin"}, "x" * 32).split(".")[1]
            token, expect = f"{head}.{tampered}.{signature}", "InvalidSignatureError"
        elif variant == 3:
            expect = "ExpiredSignatureError"
        elif variant == 4:
            algorithms, expect = ["HS512", "ES384"], "InvalidAlgorithmError"
        elif variant == 5:
            key, expect = other_family, "InvalidKeyError"
        elif variant == 6:
            token, expect = token.replace(".", "..", 1), "DecodeError"
        jobs.append(Job(token, key, algorithms, expect, payload))
    return jobs


@pytest.fixture(scope="module")
def jobs(keys: Keys) -> list[Job]:
    return _build_jobs(keys, THREADS * JOBS_PER_THREAD)


def _run_concurrently(tasks: Sequence[Callable[[], Outcome]], seed: int) -> list[Outcome]:
    """Runs ``tasks`` on THREADS threads released together; results in task order."""
    order = list(range(len(tasks)))
    random.Random(seed).shuffle(order)
    chunks = [order[i::THREADS] for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    results: list[Outcome | None] = [None] * len(tasks)

    def worker(chunk: list[int]) -> None:
        barrier.wait(timeout=120)  # a safety net against a deadlock, not a timing check
        for index in chunk:
            results[index] = tasks[index]()

    # Switch threads as often as CPython allows, so calls interleave as much as they can.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            for future in [pool.submit(worker, chunk) for chunk in chunks]:
                future.result()
    finally:
        sys.setswitchinterval(interval)
    assert all(result is not None for result in results)
    return results  # type: ignore[return-value]


def test_sequential_baseline_gives_the_intended_outcomes(jobs: list[Job]) -> None:
    """The workload itself is what it claims: each job ends as its variant says."""
    for job in jobs:
        result = job.run()
        if job.expect == "ok":
            assert result[0] == "ok", result
            header, payload = result[1]
            assert payload == job.payload
            assert header["kid"] == job.payload["sub"].replace("user", "kid")
        else:
            assert result[:2] == ("error", job.expect), (job.expect, result)
    assert {job.expect for job in jobs} == {
        "ok",
        "InvalidSignatureError",
        "ExpiredSignatureError",
        "InvalidAlgorithmError",
        "InvalidKeyError",
        "DecodeError",
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_concurrent_decode_matches_sequential(jobs: list[Job], seed: int) -> None:
    sequential = [job.run() for job in jobs]
    concurrent = _run_concurrently([job.run for job in jobs], seed)
    mismatches = [
        (index, jobs[index].expect, sequential[index], concurrent[index])
        for index in range(len(jobs))
        if sequential[index] != concurrent[index]
    ]
    assert not mismatches, f"{len(mismatches)} differ, first: {mismatches[:3]}"


def test_concurrent_get_unverified_header_matches_sequential(jobs: list[Job]) -> None:
    tasks = [
        (lambda token=job.token: outcome(lambda: jwt.get_unverified_header(token))) for job in jobs
    ]
    sequential = [task() for task in tasks]
    assert sequential == _run_concurrently(tasks, seed=7)


def test_concurrent_encode_matches_sequential(keys: Keys) -> None:
    """HS256 and RS256 signatures are deterministic: the bytes must be equal. ES256
    signatures are randomised: those tokens must decode to the same header and claims."""
    specs: list[tuple[str, Any, Any, dict[str, Any]]] = []
    for index in range(THREADS * 40):
        algorithm = ("HS256", "RS256", "ES256")[index % 3]
        payload = {**_payload(index), "n": index}
        if algorithm == "HS256":
            signing: Any = keys.secrets[(index * 7) % HMAC_SECRETS]
            verifying: Any = signing
        elif algorithm == "RS256":
            pair = keys.rsa if index % 2 else keys.rsa_other
            signing, verifying = _key_form(pair.private_pem, index), pair.public_pem
        else:
            pair = keys.ec if index % 2 else keys.ec_other
            signing, verifying = _key_form(pair.private_pem, index), pair.public_pem
        specs.append((algorithm, signing, verifying, payload))

    def encoder(algorithm: str, signing: Any, payload: dict[str, Any]) -> Callable[[], Outcome]:
        return lambda: outcome(
            lambda: jwt.encode(payload, signing, algorithm, headers={"kid": payload["sub"]})
        )

    tasks = [encoder(algorithm, signing, payload) for algorithm, signing, _, payload in specs]
    sequential = [task() for task in tasks]
    concurrent = _run_concurrently(tasks, seed=11)
    for (algorithm, _, verifying, payload), before, now in zip(
        specs, sequential, concurrent, strict=True
    ):
        assert before[0] == now[0] == "ok", (before, now)
        if algorithm != "ES256":
            assert now == before
        decoded = jwt.decode_complete(now[1], verifying, [algorithm], now=NOW)
        assert decoded["payload"] == payload
        assert decoded["header"] == {"alg": algorithm, "kid": payload["sub"], "typ": "JWT"}


def _decoder(token: str, key: Any, allowed: list[str]) -> Callable[[], Outcome]:
    return lambda: outcome(lambda: jwt.decode(token, key, allowed, now=NOW))


def test_fresh_rsa_key_shared_by_threads_builds_each_verifier_once_correctly(keys: Keys) -> None:
    """A new Key has no RSA verifier yet: 8 threads ask for all six at once, ten times."""
    tokens = {
        algorithm: jwt.encode({"alg_used": algorithm}, keys.rsa.private_pem, algorithm)
        for algorithm in RSA_ALGORITHMS
    }
    wrong = jwt.encode({"alg_used": "RS256"}, keys.rsa_other.private_pem, "RS256")
    for round_number in range(10):
        shared = _core.Key.from_pem(keys.rsa.public_pem)
        tasks: list[Callable[[], Outcome]] = []
        for index in range(THREADS * 12):
            algorithm = RSA_ALGORITHMS[index % len(RSA_ALGORITHMS)]
            token = wrong if index % 11 == 0 else tokens[algorithm]
            allowed = ["RS256"] if token is wrong else [algorithm]
            tasks.append(_decoder(token, shared, allowed))
        results = _run_concurrently(tasks, seed=round_number)
        for index, result in enumerate(results):
            if index % 11 == 0:
                assert result == ("error", "InvalidSignatureError", "Signature verification failed")
            else:
                assert result == ("ok", {"alg_used": RSA_ALGORITHMS[index % len(RSA_ALGORITHMS)]})
