"""The GIL is released around asymmetric signing and verification, not around HMAC.

Checked by behaviour, not by timing: with the switch interval raised to an hour,
another Python thread can only run while the main thread is inside native code
that has let go of the GIL. So a counter that thread increments moves during a
loop of RS256/ES256/EdDSA calls, and stays still during a loop of HS256 calls.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from ferrojwt import _core

PAYLOAD = {"sub": "gil", "exp": 4102444800}


def _private_key(algorithm: str) -> _core.Key:
    generated: object
    if algorithm.startswith(("RS", "PS")):
        generated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif algorithm == "ES256":
        generated = ec.generate_private_key(ec.SECP256R1())
    else:
        generated = ed25519.Ed25519PrivateKey.generate()
    der = generated.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return _core.Key.from_der(der)


@pytest.fixture
def long_switch_interval() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(3600)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def progress_of_other_thread_during(work: Callable[[], object], rounds: int) -> int:
    """How many steps another thread makes while the main thread runs ``work``.

    Stops early once the other thread has moved: a call that releases the GIL
    only needs one window in which the OS schedules that thread, which a busy
    machine may take many calls to give. Without a release it never moves.
    """
    counter = [0]
    started = threading.Event()
    stop = threading.Event()

    def spin() -> None:
        started.set()
        while not stop.is_set():
            counter[0] += 1
            time.sleep(0)  # hands the GIL back at once

    other = threading.Thread(target=spin)
    other.start()
    started.wait()
    before = counter[0]
    for _ in range(rounds):
        work()
        if counter[0] != before:
            break
    during = counter[0] - before
    stop.set()
    other.join()
    return during


@pytest.mark.parametrize("algorithm", ["RS256", "PS256", "ES256", "EdDSA"])
def test_asymmetric_signing_and_verification_release_the_gil(
    algorithm: str, long_switch_interval: None
) -> None:
    key = _private_key(algorithm)
    token = _core.encode(PAYLOAD, key, algorithm)
    public = key.public_key()

    signing = progress_of_other_thread_during(
        lambda: _core.encode(PAYLOAD, key, algorithm), rounds=3000
    )
    verifying = progress_of_other_thread_during(
        lambda: _core.decode(token, public, [algorithm], now=0.0),
        rounds=3000,
    )
    assert signing > 0, f"{algorithm} signing held the GIL throughout"
    assert verifying > 0, f"{algorithm} verification held the GIL throughout"


def test_hmac_keeps_the_gil(long_switch_interval: None) -> None:
    key = _core.Key.hmac(b"k" * 32)
    token = _core.encode(PAYLOAD, key, "HS256")
    progress = progress_of_other_thread_during(
        lambda: (
            _core.encode(PAYLOAD, key, "HS256"),
            _core.decode(token, key, ["HS256"], now=0.0),
        ),
        rounds=2000,
    )
    assert progress == 0, "HS256 released the GIL, which costs more than it saves"
