"""``ferrojwt.jwt`` against PyJWT, the reference: interop, identical bytes, same errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jwt as pyjwt
import pytest
from ferrojwt import jwt
from jwt_helpers import (
    ALL_ALGORITHMS,
    DETERMINISTIC_ALGORITHMS,
    HMAC_SECRET,
    NOW,
    forge,
)

Keys = dict[str, tuple[bytes, bytes]]

# --- interop: every algorithm, both directions -----------------------------------------

CLAIMS = {"sub": "user-1", "iat": NOW, "exp": NOW + 300, "aud": ["api"], "scope": "read write"}


@pytest.mark.parametrize("algorithm", ALL_ALGORITHMS)
def test_ferrojwt_token_verifies_with_pyjwt(pem_keys: Keys, algorithm: str) -> None:
    signing, verifying = pem_keys[algorithm]
    token = jwt.encode(CLAIMS, signing, algorithm, headers={"kid": "k1"})
    decoded = pyjwt.decode_complete(
        token, verifying, algorithms=[algorithm], audience="api", options={"verify_exp": False}
    )
    assert decoded["payload"] == CLAIMS
    assert decoded["header"] == {"alg": algorithm, "kid": "k1", "typ": "JWT"}


@pytest.mark.parametrize("algorithm", ALL_ALGORITHMS)
def test_pyjwt_token_verifies_with_ferrojwt(pem_keys: Keys, algorithm: str) -> None:
    signing, verifying = pem_keys[algorithm]
    token = pyjwt.encode(CLAIMS, signing, algorithm, headers={"kid": "k1"})
    decoded = jwt.decode_complete(token, verifying, algorithms=[algorithm], audience="api", now=NOW)
    assert decoded["payload"] == CLAIMS
    assert decoded["header"] == {"alg": algorithm, "kid": "k1", "typ": "JWT"}
    assert (
        decoded["signature"]
        == pyjwt.decode_complete(
            token, verifying, algorithms=[algorithm], options={"verify_signature": False}
        )["signature"]
    )


@pytest.mark.parametrize("algorithm", ALL_ALGORITHMS)
def test_pyjwt_token_refused_by_ferrojwt_when_tampered(pem_keys: Keys, algorithm: str) -> None:
    signing, verifying = pem_keys[algorithm]
    header, payload, signature = pyjwt.encode(CLAIMS, signing, algorithm).split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    with pytest.raises(jwt.InvalidSignatureError, match="Signature verification failed"):
        jwt.decode(f"{header}.{payload}.{flipped}", verifying, algorithms=[algorithm], now=NOW)


# --- byte-identical encoding ----------------------------------------------------------------------

PAYLOADS: list[tuple[str, dict[Any, Any]]] = [
    ("empty", {}),
    ("claims", {"sub": "1234567890", "name": "John Doe", "iat": 1516239022}),
    ("latin", {"name": "Ренé Müller", "city": "Zürich"}),
    ("cjk", {"name": "山田太郎", "note": "日本語"}),
    ("emoji", {"mood": "😀🎉", "flag": "🇫🇷", "zwj": "👩‍💻"}),
    ("escapes", {"q": 'say "hi"', "b": "back\\slash", "s": "a/b", "nl": "l1\nl2\r\t"}),
    ("controls", {"c": "\x00\x01\x08\x0b\x0c\x1f", "bell": "\x07"}),
    ("del", {"d": "\x7f", "c1": "\x80\x9f", "nbsp": "\xa0"}),
    ("lone-surrogate-free-bmp", {"u": "\u2028\u2029\ufeff\uffff"}),
    ("big-ints", {"big": 2**64 + 1, "bigger": 2**200, "neg": -(2**70), "max64": 2**63 - 1}),
    ("negative-ints", {"n": -1, "m": -(2**31), "zero": 0}),
    ("floats", {"a": 0.1, "b": 1e16, "c": 1e-7, "d": 1.5e300, "e": -0.0, "f": 2.5, "g": 1.0}),
    ("float-extremes", {"tiny": 5e-324, "max": 1.7976931348623157e308, "third": 1 / 3}),
    ("float-exponents", {"a": 1e22, "b": 123456789012345680.0, "c": 1e-5, "d": 0.0001}),
    ("nested", {"a": {"b": {"c": [1, [2, [3, {"d": None}]]]}}, "l": [[], {}, [{}]]}),
    ("bools-none", {"t": True, "f": False, "n": None, "l": [True, None, False]}),
    ("int-keys", {1: "one", -2: "minus two", 2**70: "big"}),
    ("float-keys", {1.5: "x", 0.1: "y", -0.0: "z", 1e16: "w"}),
    ("bool-none-keys", {True: "t", False: "f", None: "n"}),
    ("tuples", {"t": (1, 2, (3, "4")), "e": ()}),
    ("key-order", {"z": 1, "a": 2, "m": 3, "A": 4, "é": 5, "1": 6}),
    ("long-string", {"s": "x" * 10_000}),
    ("non-finite", {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}),
    # Exactly halfway between two shortest texts (779539845543410.25): CPython breaks the
    # tie to the even digit ("...410.2"); Rust's shortest formatting wrote "...410.3".
    ("float-ties", {"v": 779539845543410.2, "n": [-779539845543410.2], 779539845543410.2: 1}),
    ("lone-surrogate", {"s": "a\ud800b", "t": "\udfff"}),
]


@pytest.mark.parametrize("algorithm", DETERMINISTIC_ALGORITHMS)
@pytest.mark.parametrize(("name", "payload"), PAYLOADS, ids=[name for name, _ in PAYLOADS])
def test_encode_is_byte_identical_to_pyjwt(
    pem_keys: Keys, algorithm: str, name: str, payload: dict[Any, Any]
) -> None:
    signing, _ = pem_keys[algorithm]
    assert jwt.encode(payload, signing, algorithm) == pyjwt.encode(payload, signing, algorithm)


HEADER_CASES: list[tuple[dict[str, Any] | None, bool]] = [
    (None, True),
    ({"kid": "key-1"}, True),
    ({"kid": "ключ", "x5t": "é"}, True),
    ({"typ": "at+jwt", "cty": "JWT"}, True),
    ({"typ": None}, True),
    ({"typ": ""}, True),
    ({"zz": 1, "kid": "k", "aa": [1, 2]}, False),
    ({"zz": 1, "kid": "k", "aa": {"n": None}}, True),
    ({"alg": "HS512"}, True),
]


@pytest.mark.parametrize(("headers", "sort_headers"), HEADER_CASES)
def test_encode_headers_are_byte_identical_to_pyjwt(
    headers: dict[str, Any] | None, sort_headers: bool
) -> None:
    arguments: dict[str, Any] = {"headers": headers, "sort_headers": sort_headers}
    ours = jwt.encode({"a": 1}, HMAC_SECRET, "HS256", **arguments)
    theirs = pyjwt.encode({"a": 1}, HMAC_SECRET, "HS256", **arguments)
    assert ours == theirs


@pytest.mark.parametrize("algorithm", ["HS256", "RS256", "EdDSA"])
def test_encode_with_cryptography_key_objects_is_byte_identical(
    keypairs: Any, algorithm: str
) -> None:
    key: Any = (
        HMAC_SECRET
        if algorithm == "HS256"
        else keypairs["RSA" if algorithm == "RS256" else "Ed25519"].private
    )
    payload = {"sub": "x", "n": 1}
    assert jwt.encode(payload, key, algorithm) == pyjwt.encode(payload, key, algorithm)


# --- same exception class for the same bad input -----------------------------------------------


def _error_name(call: Callable[[], Any]) -> str:
    try:
        call()
    except Exception as error:  # the class is what is compared
        return type(error).__name__
    return "no error"


VALID = pyjwt.encode({"sub": "x"}, HMAC_SECRET, "HS256")
H, P, S = VALID.split(".")

#: (name, token, decode keyword arguments); key is HMAC_SECRET unless given.
BAD_DECODES: list[tuple[str, Any, dict[str, Any]]] = [
    ("no-algorithms", VALID, {"algorithms": None}),
    ("alg-not-allowed", VALID, {"algorithms": ["HS512"]}),
    ("wrong-secret", VALID, {"key": b"k" * 64}),
    ("tampered-payload", f"{H}.eyJzdWIiOiJ5In0.{S}", {}),
    ("stripped-signature", f"{H}.{P}.", {}),
    ("one-segment", "abc", {}),
    ("two-segments", "abc.def", {}),
    ("bad-header-b64", f"!!.{P}.{S}", {}),
    ("bad-payload-b64", f"{H}.!!.{S}", {}),
    ("bad-signature-b64", f"{H}.{P}.!!", {}),
    ("header-not-json", forge(b"{x", {"a": 1}), {}),
    ("header-array", forge(b"[]", {"a": 1}), {}),
    ("payload-array", forge({"alg": "HS256"}, b"[1]"), {}),
    ("payload-not-json", forge({"alg": "HS256"}, b"{x"), {}),
    ("alg-none", forge({"alg": "none"}, {"a": 1}), {}),
    ("alg-missing", forge({"typ": "JWT"}, {"a": 1}), {}),
    ("kid-not-str", forge({"alg": "HS256", "kid": 1}, {"a": 1}), {}),
    ("crit-unknown", forge({"alg": "HS256", "crit": ["x"], "x": 1}, {"a": 1}), {}),
    ("expired", forge({"alg": "HS256"}, {"exp": 1}), {}),
    ("exp-not-number", forge({"alg": "HS256"}, {"exp": "tomorrow"}), {}),
    ("nbf-future", forge({"alg": "HS256"}, {"nbf": 2**40}), {}),
    ("nbf-not-number", forge({"alg": "HS256"}, {"nbf": [1]}), {}),
    ("iat-future", forge({"alg": "HS256"}, {"iat": 2**40}), {}),
    ("iat-not-number", forge({"alg": "HS256"}, {"iat": "x"}), {}),
    ("aud-unexpected", forge({"alg": "HS256"}, {"aud": "a"}), {}),
    ("aud-mismatch", forge({"alg": "HS256"}, {"aud": "a"}), {"audience": "b"}),
    ("aud-missing", forge({"alg": "HS256"}, {}), {"audience": "b"}),
    ("aud-bad-format", forge({"alg": "HS256"}, {"aud": 1}), {"audience": "b"}),
    ("aud-strict", forge({"alg": "HS256"}, {"aud": ["b"]}), {"audience": "b", "strict": True}),
    ("iss-mismatch", forge({"alg": "HS256"}, {"iss": "a"}), {"issuer": "b"}),
    ("iss-missing", forge({"alg": "HS256"}, {}), {"issuer": "b"}),
    ("iss-not-str", forge({"alg": "HS256"}, {"iss": 1}), {"issuer": "b"}),
    ("sub-not-str", forge({"alg": "HS256"}, {"sub": 1}), {}),
    ("sub-mismatch", forge({"alg": "HS256"}, {"sub": "a"}), {"subject": "b"}),
    ("jti-not-str", forge({"alg": "HS256"}, {"jti": 1}), {}),
    ("require-missing", forge({"alg": "HS256"}, {}), {"require": ["exp"]}),
    (
        "pem-as-hmac-secret",
        VALID,
        {"key": b"-----BEGIN PUBLIC KEY-----\nMFk=\n-----END PUBLIC KEY-----"},
    ),
    ("token-not-str", 42, {}),
]


def _decode_call(module: Any, token: Any, arguments: dict[str, Any]) -> Callable[[], Any]:
    arguments = dict(arguments)
    key = arguments.pop("key", HMAC_SECRET)
    options: dict[str, Any] = {}
    if arguments.pop("strict", False):
        options["strict_aud"] = True
    if "require" in arguments:
        options["require"] = arguments.pop("require")
    arguments.setdefault("algorithms", ["HS256"])
    return lambda: module.decode(token, key, options=options or None, **arguments)


@pytest.mark.parametrize(
    ("name", "token", "arguments"), BAD_DECODES, ids=[name for name, _, _ in BAD_DECODES]
)
def test_decode_raises_the_same_exception_class_as_pyjwt(
    name: str, token: Any, arguments: dict[str, Any]
) -> None:
    theirs = _error_name(_decode_call(pyjwt, token, arguments))
    ours = _error_name(_decode_call(jwt, token, arguments))
    assert theirs != "no error", "the case must be an error for the reference"
    assert ours == theirs


BAD_ENCODES: list[tuple[str, Any, Any, Any]] = [
    ("payload-list", [1], HMAC_SECRET, "HS256"),
    ("payload-str", "x", HMAC_SECRET, "HS256"),
    ("iss-not-str", {"iss": 1}, HMAC_SECRET, "HS256"),
    ("unserializable", {"v": object()}, HMAC_SECRET, "HS256"),
    ("unknown-alg", {}, HMAC_SECRET, "XS256"),
    (
        "pem-as-hmac-secret",
        {},
        b"-----BEGIN PUBLIC KEY-----\nMFk=\n-----END PUBLIC KEY-----",
        "HS256",
    ),
    ("garbage-rsa-key", {}, b"not a key", "RS256"),
    ("int-key", {}, 42, "HS256"),
    ("none-key", {}, None, "HS256"),
    ("none-key-rsa", {}, None, "RS256"),
]


@pytest.mark.parametrize(
    ("name", "payload", "key", "algorithm"), BAD_ENCODES, ids=[case[0] for case in BAD_ENCODES]
)
def test_encode_raises_the_same_exception_class_as_pyjwt(
    name: str, payload: Any, key: Any, algorithm: str
) -> None:
    theirs = _error_name(lambda: pyjwt.encode(payload, key, algorithm))
    ours = _error_name(lambda: jwt.encode(payload, key, algorithm))
    assert theirs != "no error"
    assert ours == theirs


# --- the same claim decisions at the boundaries ---------------------------------------------


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": NOW},
        {"exp": NOW + 1},
        {"exp": NOW + 0.5},
        {"exp": NOW - 0.5},
        {"nbf": NOW},
        {"nbf": NOW + 0.5},
        {"nbf": NOW + 1},
        {"iat": NOW + 0.5},
        {"iat": NOW + 1},
        {"exp": 2**63},
        {"exp": -(2**63)},
        {"exp": 1e300},
    ],
    ids=str,
)
@pytest.mark.parametrize("leeway", [0, 0.5, 1])
def test_time_claim_decisions_match_pyjwt(claims: dict[str, Any], leeway: float) -> None:
    import freezegun

    token = forge({"alg": "HS256"}, claims)
    with freezegun.freeze_time(_utc(NOW)):
        theirs = _error_name(lambda: pyjwt.decode(token, HMAC_SECRET, ["HS256"], leeway=leeway))
        ours = _error_name(lambda: jwt.decode(token, HMAC_SECRET, ["HS256"], leeway=leeway))
    assert ours == theirs


def _utc(timestamp: float) -> Any:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(timestamp, tz=timezone.utc)
