"""Robustness of ``ferrojwt.jwt`` against hostile tokens and hostile Python values.

The contract under test: every bad input raises an exception of the PyJWTError tree (or
TypeError / ValueError / NotImplementedError where PyJWT raises those for bad arguments),
never ``pyo3_runtime.PanicException``, never a crash, never a hang; messages never carry
key material. Three parts:

1. findings of a review of ``src/`` (each test names the defect it pins down);
2. encode-side robustness, byte for byte against PyJWT's ``jwt.encode``;
3. a seeded mutation test of tokens of every key family, with a differential check
   against PyJWT: a token PyJWT refuses must never verify with ferrojwt.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import math
import random
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import jwt as pyjwt
import pytest
from ferrojwt import _core, jwt
from jwt.algorithms import get_default_algorithms
from jwt_helpers import FAMILY, HMAC_SECRET, NOW, KeyPair, b64url_encode, forge

HS256 = {"alg": "HS256", "typ": "JWT"}
#: A NumericDate far in the future (2100-01-01) and one far in the past (2000-01-01):
#: claims that pass against the real clock PyJWT reads, whatever the day the tests run.
FAR_FUTURE = 4_102_444_800
FAR_PAST = 946_684_800


def decode(token: str | bytes, key: Any = HMAC_SECRET, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("algorithms", ["HS256"])
    return jwt.decode(token, key, now=NOW, **kwargs)


def pyjwt_encode(payload: Any, **kwargs: Any) -> str:
    return pyjwt.encode(payload, HMAC_SECRET, **kwargs)


def ferro_encode(payload: Any, **kwargs: Any) -> str:
    return jwt.encode(payload, HMAC_SECRET, **kwargs)


class Unencodable:
    """A value json has no rule for."""


# =====================================================================================
# 1. Findings of the review of src/ (each test fails until its defect is fixed)
# =====================================================================================

# --- src/claims.rs:70-75 numeric_date + src/py/members.rs:53-63: +-Infinity is a date ----


@pytest.mark.parametrize(
    ("payload", "error", "message"),
    [
        (b'{"exp":Infinity}', jwt.DecodeError, r"Expiration Time claim \(exp\) must be an integer"),
        (b'{"exp":1e999}', jwt.DecodeError, r"Expiration Time claim \(exp\) must be an integer"),
        (
            b'{"exp":-Infinity}',
            jwt.DecodeError,
            r"Expiration Time claim \(exp\) must be an integer",
        ),
        (b'{"iat":-Infinity}', jwt.InvalidIssuedAtError, r"Issued At claim \(iat\) must be an"),
        (b'{"iat":-1e999}', jwt.InvalidIssuedAtError, r"Issued At claim \(iat\) must be an"),
        (b'{"iat":Infinity}', jwt.InvalidIssuedAtError, r"Issued At claim \(iat\) must be an"),
        (b'{"nbf":-Infinity}', jwt.DecodeError, r"Not Before claim \(nbf\) must be an integer"),
        (b'{"nbf":Infinity}', jwt.DecodeError, r"Not Before claim \(nbf\) must be an integer"),
    ],
    ids=[
        "exp-inf",
        "exp-1e999",
        "exp-minus-inf",
        "iat-minus-inf",
        "iat-minus-1e999",
        "iat-inf",
        "nbf-minus-inf",
        "nbf-inf",
    ],
)
def test_non_finite_time_claim_is_refused_as_pyjwt_does(
    payload: bytes, error: type[Exception], message: str
) -> None:
    """PyJWT's ``int(payload["exp"])`` raises OverflowError on +-inf and refuses the token.

    ferrojwt takes +-inf for a NumericDate. It ACCEPTS exp=+inf (``Infinity`` or
    ``1e999``: a token that never expires), iat=-inf and nbf=-inf, all refused by PyJWT
    (the "never laxer than PyJWT" rule); it refuses exp=-inf, iat=+inf and nbf=+inf with
    another error than PyJWT's. Big *integers* must stay accepted (next test).
    """
    token = forge(HS256, payload)
    with pytest.raises(pyjwt.InvalidTokenError):
        pyjwt.decode(token, HMAC_SECRET, algorithms=["HS256"])
    with pytest.raises(error, match=message):
        decode(token)


@pytest.mark.parametrize(
    ("payload", "outcome"),
    [
        (b'{"exp":' + b"9" * 400 + b"}", None),
        (b'{"iat":-' + b"9" * 400 + b"}", None),
        (b'{"exp":-' + b"9" * 400 + b"}", jwt.ExpiredSignatureError),
        (b'{"nbf":' + b"9" * 400 + b"}", jwt.ImmatureSignatureError),
        (b'{"exp":1e308}', None),
    ],
    ids=["exp-big-int", "iat-minus-big-int", "exp-minus-big-int", "nbf-big-int", "exp-1e308"],
)
def test_huge_but_finite_time_claims_behave_as_in_pyjwt(
    payload: bytes, outcome: type[Exception] | None
) -> None:
    """int() of a 400-digit integer or of 1e308 is a valid NumericDate in PyJWT."""
    token = forge(HS256, payload)
    if outcome is None:
        assert decode(token) == pyjwt.decode(token, HMAC_SECRET, algorithms=["HS256"])
    else:
        with pytest.raises(outcome):
            decode(token)


@pytest.mark.parametrize("value", [math.inf, -math.inf])
def test_token_check_refuses_non_finite_float_exp(value: float) -> None:
    """The Django tokens' expiry check (the shared rule) must not take inf for a date:
    it answers 2, a time claim that is not a number ("Token is invalid")."""
    now = datetime.fromtimestamp(NOW, timezone.utc)
    assert _core.check_token({"exp": value}, exp="exp", now=now, leeway=0.0) == 2
    assert _core.check_token({"exp": NOW + 60}, exp="exp", now=now, leeway=0.0) == 0


# --- src/py/json_out.rs:121 (Writer::object) and src/py/api.rs:151 (Options::read):
# --- PyO3's dict iterator panics when the dict changes size during iteration ----------


def test_json_encoder_that_grows_the_payload_does_not_panic() -> None:
    """``default()`` adding a member to the dict being written.

    PyJWT's json snapshots the items and writes the dict as it was; ferrojwt iterates the
    live dict with PyO3's iterator, which panics: PanicException "dictionary changed size
    during iteration". Acceptable outcomes: PyJWT's bytes, or Python's RuntimeError.
    """
    payloads: list[dict[str, Any]] = []

    class Grow(json.JSONEncoder):
        def default(self, o: Any) -> Any:
            payloads[-1][f"added{len(payloads[-1])}"] = 1
            return 1

    payloads.append({"a": Unencodable(), "b": 2})
    expected = pyjwt_encode(payloads[-1], json_encoder=Grow)
    payloads.append({"a": Unencodable(), "b": 2})
    try:
        token = ferro_encode(payloads[-1], json_encoder=Grow)
    except RuntimeError as exc:
        assert "changed size during iteration" in str(exc)
        assert type(exc).__module__ == "builtins", f"not Python's RuntimeError: {exc!r}"
    else:
        assert token == expected


def test_json_encoder_that_grows_a_nested_dict_does_not_panic() -> None:
    inners: list[dict[str, Any]] = []

    class Grow(json.JSONEncoder):
        def default(self, o: Any) -> Any:
            inners[-1][f"z{len(inners[-1])}"] = 1
            return 1

    inners.append({"a": Unencodable(), "b": 2})
    expected = pyjwt_encode({"inner": inners[-1]}, json_encoder=Grow)
    inners.append({"a": Unencodable(), "b": 2})
    try:
        token = ferro_encode({"inner": inners[-1]}, json_encoder=Grow)
    except RuntimeError as exc:
        assert "changed size during iteration" in str(exc)
        assert type(exc).__module__ == "builtins", f"not Python's RuntimeError: {exc!r}"
    else:
        assert token == expected


_GROWING_OPTIONS = textwrap.dedent(
    """
    import json
    from ferrojwt import jwt

    token = jwt.encode({"sub": "x"}, b"k" * 32)
    options = {}

    class Growing:
        def __bool__(self):
            options["extra%d" % len(options)] = True
            return True

    options.update({"verify_exp": Growing(), "verify_nbf": True})
    try:
        result = {"decoded": jwt.decode(token, b"k" * 32, ["HS256"], options=options)}
    except BaseException as exc:
        result = {"raised": type(exc).__module__ + "." + type(exc).__name__, "message": str(exc)}
    print(json.dumps(result))
    """
)


def test_options_value_whose_truth_grows_the_options_does_not_panic() -> None:
    """An options value whose ``__bool__`` adds to the options dict being read.

    PyJWT merges the options into a new dict first and decodes; ferrojwt's one-pass
    reader panics. Run in a child process: the panic happens while the parse holds the
    interned-name table's mutex, which poisons it (interning stays off for the rest of
    the process). Acceptable outcomes: the claims, or Python's RuntimeError.
    """
    token = pyjwt_encode({"sub": "x"})
    options: dict[str, Any] = {}

    class Growing:
        def __bool__(self) -> bool:
            options[f"extra{len(options)}"] = True
            return True

    options.update({"verify_exp": Growing(), "verify_nbf": True})
    reference = pyjwt.decode(token, HMAC_SECRET, ["HS256"], options=options)  # type: ignore[arg-type]
    assert reference == {"sub": "x"}
    result = _run_child(_GROWING_OPTIONS)
    if "raised" in result:
        assert result == {
            "raised": "builtins.RuntimeError",
            "message": "dictionary changed size during iteration",
        }
    else:
        assert result == {"decoded": {"sub": "x"}}


def _run_child(code: str) -> Any:
    """Runs ``code`` in a fresh interpreter and returns the JSON it prints.

    The timeout is a safety net against a hang, not a speed assertion.
    """
    child = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert child.returncode == 0, child.stderr[-2000:]
    return json.loads(child.stdout)


# --- src/py/members.rs:47-51: a str with a lone surrogate is "not a string" ------------


@pytest.mark.parametrize(
    ("payload", "headers"),
    [
        ({"a": 1}, {"kid": "\ud800"}),
        ({"a": 1}, {"kid": "key-\udfff-1"}),
        ({"iss": "\ud800"}, None),
        ({"iss": "issuer-\udc00"}, None),
    ],
    ids=["kid-lone-high", "kid-lone-low", "iss-lone-high", "iss-lone-low"],
)
def test_lone_surrogate_kid_or_iss_encodes_as_pyjwt(
    payload: dict[str, Any], headers: dict[str, Any] | None
) -> None:
    """PyJWT writes lone surrogates escaped (``"\\ud800"``): kid and iss are still strings.

    ferrojwt's ``member_of`` turns a str that is not valid UTF-8 into ``Member::Other``,
    so encode refuses it: InvalidTokenError "Key ID header parameter must be a string"
    for kid, TypeError "Issuer (iss) must be a string." for iss.
    """
    assert ferro_encode(payload, headers=headers) == pyjwt_encode(payload, headers=headers)


# --- src/py/json_out.rs:13,37: nesting over 200 is taken to be circular ---------------


def _nested_list(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize("depth", [150, 199])
def test_deep_but_acyclic_payload_encodes_as_pyjwt(depth: int) -> None:
    payload = {"a": _nested_list(depth)}
    assert ferro_encode(payload) == pyjwt_encode(payload)


def test_acyclic_payload_deeper_than_200_encodes_as_pyjwt() -> None:
    """A 250-deep list is not circular, and PyJWT (json) encodes it.

    ferrojwt's writer stops at depth 200 with ValueError("Circular reference detected"),
    a message that is false for this value. (Low impact: ferrojwt's own decoder refuses
    anything deeper than 64 anyway; real cycles are covered by the tests below.)
    """
    payload = {"a": _nested_list(250)}
    assert ferro_encode(payload) == pyjwt_encode(payload)


# --- src/py/api.rs:39: algorithm=None signs with HS256 ---------------------------------


def test_algorithm_none_is_refused_like_the_string_none() -> None:
    """PyJWT reads ``algorithm=None`` as alg "none" and refuses to sign it with a key.

    ferrojwt (``algorithm.unwrap_or("HS256")``) silently signs with HS256 instead: the
    caller asked for no algorithm and gets a token of one nobody chose. It should refuse
    exactly as it refuses ``algorithm="none"``.
    """
    with pytest.raises(NotImplementedError, match="Algorithm not supported"):
        ferro_encode({"a": 1}, algorithm="none")
    with pytest.raises(NotImplementedError, match="Algorithm not supported"):
        ferro_encode({"a": 1}, algorithm=None)


# --- src/py/api.rs:43: a non-str alg header is a TypeError, PyJWT says not supported --


@pytest.mark.parametrize("alg", [5, 2.5])
def test_non_string_alg_header_on_encode_is_not_supported(alg: Any) -> None:
    """PyJWT looks the alg up in its table: NotImplementedError("Algorithm not supported").

    ferrojwt raises TypeError "'int' object is not an instance of 'str'" from extract().
    """
    with pytest.raises(NotImplementedError, match="Algorithm not supported"):
        pyjwt_encode({"a": 1}, headers={"alg": alg})
    with pytest.raises(NotImplementedError, match="Algorithm not supported"):
        ferro_encode({"a": 1}, headers={"alg": alg})


# --- src/py/key.rs:175-183: a str key that is not UTF-8 is reported as "not str" -------


def test_str_key_with_lone_surrogate_gets_a_truthful_message() -> None:
    """The error says "Expecting a ferrojwt Key, str or bytes as the key, not str".

    PyJWT raises UnicodeEncodeError (which quotes a character of the key). ferrojwt's
    InvalidKeyError is the better type, but its message must not contradict itself, and
    must not quote the key.
    """
    secret = "secret-\ud800-key"
    token = ferro_encode({"a": 1})
    with pytest.raises(jwt.InvalidKeyError) as caught:
        decode(token, key=secret)
    message = str(caught.value)
    assert "not str" not in message
    assert "secret-" not in message and "\ud800" not in message


# =====================================================================================
# 2. Encode-side robustness, against PyJWT's jwt.encode
# =====================================================================================


def _self_list() -> list[Any]:
    value: list[Any] = []
    value.append(value)
    return value


def _self_dict() -> dict[str, Any]:
    value: dict[str, Any] = {}
    value["self"] = value
    return value


def _mutual() -> dict[str, Any]:
    a: dict[str, Any] = {}
    b: list[Any] = [1, a]
    a["b"] = b
    return a


def _cycle_through_tuple() -> list[Any]:
    value: list[Any] = []
    value.append((1, value))
    return value


CYCLES: list[tuple[str, Callable[[], Any]]] = [
    ("list-contains-itself", _self_list),
    ("dict-contains-itself", _self_dict),
    ("dict-list-dict", _mutual),
    ("through-a-tuple", _cycle_through_tuple),
]


@pytest.mark.parametrize(("name", "make"), CYCLES, ids=[c[0] for c in CYCLES])
@pytest.mark.parametrize("where", ["payload-value", "header-value"])
def test_self_referencing_container_is_a_value_error(
    name: str, make: Callable[[], Any], where: str
) -> None:
    if where == "payload-value":
        kwargs: dict[str, Any] = {}
        payload: Any = {"v": make()}
    else:
        kwargs = {"headers": {"x": make()}}
        payload = {"a": 1}
    with pytest.raises(ValueError, match=r"^Circular reference detected$"):
        pyjwt_encode(payload, **kwargs)
    with pytest.raises(ValueError, match=r"^Circular reference detected$"):
        ferro_encode(payload, **kwargs)


def test_payload_that_contains_itself_is_a_value_error() -> None:
    payload = _self_dict()
    with pytest.raises(ValueError, match=r"^Circular reference detected$"):
        ferro_encode(payload)


@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        (Unencodable(), "Unencodable"),
        ({1, 2}, "set"),
        (b"bytes", "bytes"),
        (bytearray(b"x"), "bytearray"),
        (1 + 2j, "complex"),
        (object(), "object"),
        ([1, [2, {"deep": Unencodable()}]], "Unencodable"),
    ],
    ids=["class", "set", "bytes", "bytearray", "complex", "object", "nested"],
)
def test_unencodable_value_without_json_encoder_is_pythons_type_error(
    value: Any, type_name: str
) -> None:
    message = f"^Object of type {type_name} is not JSON serializable$"
    with pytest.raises(TypeError, match=message):
        pyjwt_encode({"v": value})
    with pytest.raises(TypeError, match=message):
        ferro_encode({"v": value})


class DefaultFails(Exception):
    """Raised by an encoder's default(): must reach the caller unchanged."""


class RaisingEncoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        raise DefaultFails(f"cannot encode {type(o).__name__}")


class SameObjectEncoder(json.JSONEncoder):
    """default() hands the object back: json finds the cycle."""

    def default(self, o: Any) -> Any:
        return o


class WrappingEncoder(json.JSONEncoder):
    """default() wraps the object in a list, forever."""

    def default(self, o: Any) -> Any:
        return [o]


class FreshObjectEncoder(json.JSONEncoder):
    """default() returns a new unencodable object each time: no cycle by identity."""

    def default(self, o: Any) -> Any:
        return Unencodable()


def test_json_encoder_default_exception_propagates() -> None:
    for encode in (pyjwt_encode, ferro_encode):
        with pytest.raises(DefaultFails, match=r"^cannot encode Unencodable$"):
            encode({"v": Unencodable()}, json_encoder=RaisingEncoder)


@pytest.mark.parametrize("encoder", [SameObjectEncoder, WrappingEncoder])
def test_json_encoder_default_returning_the_object_forever_is_circular(
    encoder: type[json.JSONEncoder],
) -> None:
    for encode in (pyjwt_encode, ferro_encode):
        with pytest.raises(ValueError, match=r"^Circular reference detected$"):
            encode({"v": Unencodable()}, json_encoder=encoder)


def test_json_encoder_default_returning_fresh_objects_forever_ends_with_an_error() -> None:
    """No cycle by identity: json ends in RecursionError; ferrojwt must end too."""
    with pytest.raises(RecursionError):
        pyjwt_encode({"v": Unencodable()}, json_encoder=FreshObjectEncoder)
    with pytest.raises((ValueError, RecursionError)):
        ferro_encode({"v": Unencodable()}, json_encoder=FreshObjectEncoder)


class NoNanEncoder(json.JSONEncoder):
    """Strict RFC 8259 JSON: NaN and Infinity are refused."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["allow_nan"] = False
        super().__init__(**kwargs)


class SortingEncoder(json.JSONEncoder):
    def __init__(self, **kwargs: Any) -> None:
        kwargs["sort_keys"] = True
        super().__init__(**kwargs)


class Utf8Encoder(json.JSONEncoder):
    def __init__(self, **kwargs: Any) -> None:
        kwargs["ensure_ascii"] = False
        super().__init__(**kwargs)


class RenamingEncoder(json.JSONEncoder):
    """Overrides encode() itself: json.dumps(cls=...) calls it for the whole document."""

    def encode(self, o: Any) -> str:
        return super().encode({"wrapped": o} if isinstance(o, dict) and "typ" not in o else o)


def _encode_outcome(encode: Callable[..., str], payload: Any, **kwargs: Any) -> Any:
    try:
        return encode(payload, **kwargs)
    except (ValueError, TypeError) as exc:
        return type(exc).__name__, str(exc)


CONFIGURED_ENCODERS: list[tuple[type[json.JSONEncoder], dict[str, Any]]] = [
    (NoNanEncoder, {"a": math.nan}),
    (NoNanEncoder, {"a": [1, -math.inf]}),
    (SortingEncoder, {"b": 1, "a": {"d": 1, "c": 2}}),
    (Utf8Encoder, {"name": "J\u00fcrgen \U0001f600"}),
    (RenamingEncoder, {"sub": "x"}),
]


@pytest.mark.parametrize(
    ("encoder", "payload"),
    CONFIGURED_ENCODERS,
    ids=["no-nan", "no-inf", "sort-keys", "ensure-ascii-off", "encode-overridden"],
)
def test_json_encoder_configuration_is_honoured_as_in_pyjwt(
    encoder: type[json.JSONEncoder], payload: dict[str, Any]
) -> None:
    """PyJWT is ``json.dumps(payload, separators=(",", ":"), cls=json_encoder)``.

    ferrojwt only ever calls the encoder's ``default()`` (src/py/json_out.rs:163-178)
    and writes everything else on its own fast path, so an encoder's allow_nan=False,
    sort_keys=True, ensure_ascii=False or its own encode() are silently ignored: NaN is
    written although the caller forbade it, and the bytes differ from PyJWT's.
    """
    expected = _encode_outcome(pyjwt_encode, payload, json_encoder=encoder)
    assert _encode_outcome(ferro_encode, payload, json_encoder=encoder) == expected


def test_json_encoder_default_in_headers_propagates() -> None:
    for encode in (pyjwt_encode, ferro_encode):
        with pytest.raises(DefaultFails):
            encode({}, headers={"x": Unencodable()}, json_encoder=RaisingEncoder)


@pytest.mark.parametrize(
    ("key", "type_name"),
    [
        ((1, 2), "tuple"),
        (frozenset(), "frozenset"),
        (b"k", "bytes"),
        (Unencodable(), "Unencodable"),
    ],
    ids=["tuple", "frozenset", "bytes", "object"],
)
def test_non_str_dict_key_is_pythons_type_error(key: Any, type_name: str) -> None:
    message = f"^keys must be str, int, float, bool or None, not {type_name}$"
    for payload in ({key: 1}, {"nested": {key: 1}}):
        with pytest.raises(TypeError, match=message):
            pyjwt_encode(payload)
        with pytest.raises(TypeError, match=message):
            ferro_encode(payload)


class Text(str):
    """A str subclass whose str() would lie: json writes the str content."""

    def __str__(self) -> str:
        return "lie"


class Count(int):
    def __repr__(self) -> str:
        return "lie"


class Ratio(float):
    def __repr__(self) -> str:
        return "lie"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 1 << 70


class Scale(float, enum.Enum):
    HALF = 0.5


class Flag(enum.IntFlag):
    READ = 4


ODD_VALUES: list[tuple[str, dict[Any, Any]]] = [
    ("str-subclass", {Text("key"): Text("value")}),
    ("int-subclass", {"v": Count(7), Count(8): 1}),
    ("float-subclass", {"v": Ratio(2.5), Ratio(3.5): 1}),
    ("int-enum", {"v": Level.LOW, "big": Level.HIGH, Level.LOW: "k"}),
    ("float-enum", {"v": Scale.HALF, Scale.HALF: 1}),
    ("int-flag", {"v": Flag.READ, Flag.READ: 1}),
    ("bool-keys", {True: 1, False: 0, None: "null"}),
    ("int-keys", {1: "a", -(10**30): "b", 0: "c"}),
    ("float-keys", {1.5: "a", -0.0: "b", 1e300: "c", 1e-7: "d"}),
    ("nan-inf-values", {"nan": math.nan, "inf": math.inf, "ninf": -math.inf}),
    ("nan-inf-keys", {math.nan: 1, math.inf: 2, -math.inf: 3}),
    ("big-ints", {"pos": 10**40, "neg": -(10**40), "edge": 2**63, "min": -(2**63)}),
    ("lone-surrogate-values", {"a": "\ud800", "b": "x\udfffy", "c": ["\udc00"]}),
    ("lone-surrogate-keys", {"\ud800": 1, "k\udbff": {"\udc00": 2}}),
    ("surrogate-pair-chars", {"emoji": "\U0001f600", "\U0001f680": "rocket"}),
    ("control-chars", {"c": "\x00\x1f\x7f\n\t\u2028\ufeff", "\x00": 1}),
    ("tuple-values", {"t": (1, (2, "x")), "e": ()}),
    ("empty", {}),
]


@pytest.mark.parametrize(("name", "payload"), ODD_VALUES, ids=[v[0] for v in ODD_VALUES])
def test_odd_payload_is_byte_identical_to_pyjwt(name: str, payload: dict[Any, Any]) -> None:
    assert ferro_encode(payload) == pyjwt_encode(payload)


@pytest.mark.parametrize(("name", "value"), ODD_VALUES, ids=[v[0] for v in ODD_VALUES])
def test_odd_header_values_are_byte_identical_to_pyjwt(name: str, value: dict[Any, Any]) -> None:
    """The same values under a header member, unsorted (json cannot sort mixed key types)."""
    headers = {"x": value}
    ours = ferro_encode({"a": 1}, headers=headers, sort_headers=False)
    assert ours == pyjwt_encode({"a": 1}, headers=headers, sort_headers=False)


# --- src/py/api.rs:93-113 (write_header): sort_headers sorts the top level only ---------

NESTED_HEADERS: list[tuple[str, dict[str, Any]]] = [
    ("embedded-jwk", {"jwk": {"kty": "RSA", "n": "sXch", "e": "AQAB"}}),
    ("dict-in-list", {"x5": [{"b": 1, "a": 2}]}),
    ("two-levels", {"ext": {"z": {"b": 1, "a": 2}, "m": 0}}),
]


@pytest.mark.parametrize(("name", "headers"), NESTED_HEADERS, ids=[h[0] for h in NESTED_HEADERS])
def test_sorted_headers_sort_nested_objects_as_pyjwt(name: str, headers: dict[str, Any]) -> None:
    """PyJWT is ``json.dumps(header, sort_keys=True)``: every nested dict is sorted too.

    ferrojwt sorts the header's own members and writes nested dicts in insertion order,
    so a header with an embedded JWK (RFC 7515 4.1.3) gets other bytes than PyJWT's.
    """
    assert ferro_encode({"a": 1}, headers=headers) == pyjwt_encode({"a": 1}, headers=headers)


@pytest.mark.parametrize("headers", [{"\ud800": 1}, {"b\udc00": 1, "a": 2}], ids=["one", "two"])
def test_sorted_header_names_with_lone_surrogates_encode_as_pyjwt(headers: dict[str, Any]) -> None:
    """Python sorts any str; ferrojwt's extract::<String>() refuses a lone surrogate:
    TypeError "Header names must be strings to be sorted" (src/py/api.rs:97-99)."""
    assert ferro_encode({"a": 1}, headers=headers) == pyjwt_encode({"a": 1}, headers=headers)


def test_int_past_the_digit_limit_is_pythons_value_error() -> None:
    payload = {"v": 10**5000}
    with pytest.raises(ValueError, match="Exceeds the limit"):
        pyjwt_encode(payload)
    with pytest.raises(ValueError, match="Exceeds the limit"):
        ferro_encode(payload)


# =====================================================================================
# 3. Crash and hang guard: the riskiest inputs, in a child process
# =====================================================================================

_CHILD = textwrap.dedent(
    """
    import base64, json
    from ferrojwt import jwt

    class Same(json.JSONEncoder):
        def default(self, o):
            return o

    class Thing:
        pass

    def outcome(call):
        try:
            call()
        except BaseException as exc:
            return type(exc).__module__ + "." + type(exc).__name__
        return "ok"

    loop = []
    loop.append(loop)
    key = b"k" * 32
    deep_header = base64.urlsafe_b64encode(b'{"a":' + b"[" * 100000).rstrip(b"=").decode()
    print(json.dumps({
        "self-list": outcome(lambda: jwt.encode({"v": loop}, key)),
        "same-default": outcome(lambda: jwt.encode({"v": Thing()}, key, json_encoder=Same)),
        "deep-header": outcome(lambda: jwt.decode(deep_header + ".e30.", key, ["HS256"])),
        "huge-segment-count": outcome(lambda: jwt.decode("." * 500_000, key, ["HS256"])),
    }))
    """
)


def test_riskiest_inputs_end_with_an_exception_in_a_child_process() -> None:
    """A segfault or a hang here would take pytest down; a child process reports it."""
    assert _run_child(_CHILD) == {
        "self-list": "builtins.ValueError",
        "same-default": "builtins.ValueError",
        "deep-header": "ferrojwt.jwt.exceptions.DecodeError",
        "huge-segment-count": "ferrojwt.jwt.exceptions.DecodeError",
    }


# =====================================================================================
# 4. Seeded mutation test, and its differential flavour against PyJWT
# =====================================================================================

MUTATION_ALGORITHMS = ["HS256", "RS256", "PS256", "ES256", "ES512", "EdDSA"]
#: Byte-level mutations per algorithm (crafted segments come on top).
MUTATIONS_PER_ALGORITHM = 450
B64URL = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
NOISE = B64URL + b".=+/ \t\n\x00\x7f\x80\xc3\xa9\xff"
MUTATION_KINDS = [
    "flip",
    "flip",
    "insert",
    "delete",
    "delete-run",
    "truncate",
    "overwrite",
    "duplicate-segment",
    "drop-segment",
    "swap-within",
    "swap-between",
    "random-segment",
    "crafted-segment",
    "crafted-segment",
    "double-mutation",
]


def _nest(depth: int, opener: bytes, closer: bytes, inner: bytes = b"1") -> bytes:
    return opener * depth + inner + closer * depth


#: Payload documents an attacker can send. The deepest accepted document is the
#: top-level object plus 63 nested containers.
CRAFTED_PAYLOADS: list[bytes] = [
    # huge and odd numbers
    b'{"n":' + b"9" * 400 + b"}",
    b'{"n":-' + b"9" * 400 + b"}",
    b'{"n":' + b"9" * 5000 + b"}",
    b'{"n":1e400,"m":-1e400,"s":1e-400,"z":-0.0,"i":-0}',
    b'{"n":NaN,"p":Infinity,"q":-Infinity}',
    b'{"n":' + b"1" * 300 + b"." + b"5" * 300 + b"e-300}",
    b'{"n":9223372036854775807,"m":-9223372036854775808,"o":9223372036854775808}',
    # time claims of every odd shape
    b'{"exp":Infinity}',
    b'{"exp":1e999}',
    b'{"exp":-Infinity}',
    b'{"exp":NaN}',
    b'{"iat":-Infinity}',
    b'{"iat":Infinity}',
    b'{"nbf":-Infinity}',
    b'{"nbf":Infinity}',
    b'{"exp":' + b"9" * 400 + b"}",
    b'{"iat":-' + b"9" * 400 + b"}",
    b'{"nbf":' + b"9" * 400 + b"}",
    b'{"exp":true}',
    b'{"exp":"4102444800"}',
    b'{"exp":null}',
    b'{"exp":[4102444800]}',
    b'{"exp":{}}',
    b'{"exp":4102444800.5,"iat":946684800.9,"nbf":946684800}',
    b'{"exp":1}',
    # nesting, just under and over the limit
    b'{"a":' + _nest(62, b"[", b"]") + b"}",
    b'{"a":' + _nest(63, b"[", b"]") + b"}",
    b'{"a":' + _nest(64, b"[", b"]") + b"}",
    b'{"a":' + _nest(65, b"[", b"]") + b"}",
    _nest(64, b'{"a":', b"}"),
    _nest(65, b'{"a":', b"}"),
    b'{"a":' + _nest(5_000, b"[", b"]") + b"}",
    b'{"a":' + _nest(100_000, b"[", b"]", b"") + b"}",
    b'{"a":' + b"[" * 100_000,
    # unicode escapes
    b'{"a":"\\ud83d\\ude00","b":"\\uD83D\\uDE00"}',
    b'{"a":"\\ud800"}',
    b'{"a":"\\udc00"}',
    b'{"a":"\\ud800\\u0041"}',
    b'{"a":"\\ud800\\ud800"}',
    b'{"a":"\\udbff\\udfff"}',
    b'{"a":"\\u0000\\u001f"}',
    b'{"a":"\\u12G4"}',
    b'{"a":"\\u12"}',
    b'{"a":"\\u',
    b'{"\\ud800":1}',
    b'{"a":"\\x41"}',
    # duplicate members
    b'{"a":1,"a":2}',
    b'{"a":1,"\\u0061":2}',
    b'{"x":{"a":1,"a":1}}',
    b'{"exp":1,"exp":4102444800}',
    b'{"exp":4102444800,"exp":1}',
    b'{"aud":"x","aud":"y"}',
    # not an object
    b"[]",
    b'"text"',
    b"1",
    b"null",
    b"true",
    b"",
    b" \n\t",
    b"{} {}",
    b"{}x",
    b"{",
    b"}",
    # not UTF-8, or unusual UTF-8
    b'{"a":"\xff"}',
    b'{"a":"\xc0\xaf"}',
    b'{"a":"\xed\xa0\x80"}',
    b'{"a":"\xe2\x82"}',
    b'{"\xff":1}',
    b'\xef\xbb\xbf{"a":1}',
    b"\xff\xfe{\x00}\x00",
    b'{"a":"\xf4\x90\x80\x80"}',
    # syntax
    b'{"a":01}',
    b'{"a":1.}',
    b'{"a":.5}',
    b'{"a":+1}',
    b'{"a":-}',
    b'{"a":-NaN}',
    b'{"a":infinity}',
    b"{'a':1}",
    b'{"a":1,}',
    b'{"a" 1}',
    b'{"a":tru}',
    b'{"a":"\x01"}',
    b'{"a":"\\',
    b'{"a":[1,]}',
    b'{"a":[1 2]}',
    b"{a:1}",
    # registered claims of the wrong type
    b'{"aud":[["x"]]}',
    b'{"aud":{}}',
    b'{"aud":"x"}',
    b'{"iss":1}',
    b'{"sub":1}',
    b'{"sub":null}',
    b'{"jti":[]}',
    b'{"jti":1.5}',
]

#: Header documents; ``%s`` is replaced by the token's own algorithm.
CRAFTED_HEADERS: list[bytes] = [
    b'{"alg":"%s"}',
    b'{"alg":"%s","typ":"JWT","kid":"k1"}',
    b'{"alg":"%s","kid":7}',
    b'{"alg":"%s","kid":null}',
    b'{"alg":"%s","kid":"\\ud800"}',
    b'{"alg":"%s","crit":[]}',
    b'{"alg":"%s","crit":["exp"]}',
    b'{"alg":"%s","alg":"none"}',
    b'{"alg":"none","alg":"%s"}',
    b'{"alg":"%s","x":' + _nest(70, b"[", b"]") + b"}",
    b'{"alg":"%s","x":' + _nest(50_000, b"[", b"]", b"") + b"}",
    b'{"alg":"%s","n":' + b"9" * 5000 + b"}",
    b'{"alg":"%s","x":"\xff"}',
    b'{"alg":"%s","x":NaN}',
    b'\xef\xbb\xbf{"alg":"%s"}',
    b'{"alg":"none"}',
    b'{"alg":"None"}',
    b'{"alg":""}',
    b'{"alg":null}',
    b'{"alg":["%s"]}',
    b'{"alg":{"name":"%s"}}',
    b'{"typ":"JWT"}',
    b"[]",
    b'"%s"',
    b"",
    b"{",
]


@dataclass(frozen=True)
class Signer:
    """Signs raw signing input with one algorithm, through PyJWT's algorithm objects."""

    algorithm: str
    #: A ``cryptography`` private key (None for HS256, which uses HMAC_SECRET).
    key: Any

    def sign(self, signing_input: bytes) -> bytes:
        if self.key is None:
            return hmac.new(HMAC_SECRET, signing_input, hashlib.sha256).digest()
        implementation = get_default_algorithms()[self.algorithm]
        return implementation.sign(signing_input, self.key)


@dataclass(frozen=True)
class Case:
    algorithm: str
    kind: str
    token: bytes
    #: The token a successful decode may come from: only the original itself.
    original: bytes
    #: The signature was recomputed after the change, so the token reaches the claims.
    resigned: bool


@dataclass(frozen=True)
class Setup:
    originals: dict[str, list[bytes]]
    payloads: dict[bytes, dict[str, Any]]
    verify_keys: dict[str, Any]
    pyjwt_keys: dict[str, Any]
    signers: dict[str, Signer]


def _base_payload(algorithm: str, index: int) -> dict[str, Any]:
    return {
        "sub": f"user-{algorithm}-{index}",
        "iat": FAR_PAST,
        "nbf": FAR_PAST,
        "exp": FAR_FUTURE,
        "scope": "read write",
        "extra": {"list": [1, 2.5, "\u00e9\U0001f600", None, True], "n": -(10**20)},
    }


@pytest.fixture(scope="module")
def setup(keypairs: dict[str, KeyPair]) -> Setup:
    originals: dict[str, list[bytes]] = {}
    payloads: dict[bytes, dict[str, Any]] = {}
    verify_keys: dict[str, Any] = {}
    pyjwt_keys: dict[str, Any] = {}
    signers: dict[str, Signer] = {}
    for algorithm in MUTATION_ALGORITHMS:
        if algorithm == "HS256":
            signing: Any = HMAC_SECRET
            verify_keys[algorithm] = HMAC_SECRET
            pyjwt_keys[algorithm] = HMAC_SECRET
            signers[algorithm] = Signer(algorithm, None)
        else:
            pair = keypairs[FAMILY[algorithm]]
            signing = pair.private_pem
            verify_keys[algorithm] = pair.public_pem
            pyjwt_keys[algorithm] = pair.public
            signers[algorithm] = Signer(algorithm, pair.private)
        originals[algorithm] = []
        for index in range(3):
            payload = _base_payload(algorithm, index)
            token = jwt.encode(payload, signing, algorithm, headers={"kid": f"k{index}"}).encode()
            originals[algorithm].append(token)
            payloads[token] = payload
    return Setup(originals, payloads, verify_keys, pyjwt_keys, signers)


def _mutate(
    rng: random.Random, token: bytes, donors: list[bytes], algorithm: str
) -> tuple[str, bytes]:
    """One byte-level mutation of ``token``; ``donors`` are other valid tokens."""
    data = bytearray(token)
    parts = token.split(b".")
    kind = rng.choice(MUTATION_KINDS)
    if not data:
        return "insert", bytes([rng.choice(NOISE)])
    at = rng.randrange(len(data))
    segment = rng.randrange(len(parts))
    if kind == "flip":
        data[at] ^= 1 << rng.randrange(8)
    elif kind == "insert":
        data[at:at] = bytes([rng.choice(NOISE)])
    elif kind == "delete":
        del data[at]
    elif kind == "delete-run":
        del data[at : at + rng.randint(2, 12)]
    elif kind == "truncate":
        del data[at:]
    elif kind == "overwrite":
        data[at] = rng.choice(NOISE)
    elif kind == "duplicate-segment":
        return kind, b".".join(parts[: segment + 1] + parts[segment:])
    elif kind == "drop-segment":
        return kind, b".".join(parts[:segment] + parts[segment + 1 :])
    elif kind == "swap-within":
        other = rng.randrange(len(parts))
        parts[segment], parts[other] = parts[other], parts[segment]
        return kind, b".".join(parts)
    elif kind == "swap-between":
        donor = rng.choice(donors).split(b".")
        parts[segment] = donor[segment % len(donor)]
        return kind, b".".join(parts)
    elif kind == "random-segment":
        parts[segment] = b64url_encode(rng.randbytes(rng.randrange(0, 96))).encode()
        return kind, b".".join(parts)
    elif kind == "crafted-segment":
        if segment == 0:
            document = rng.choice(CRAFTED_HEADERS).replace(b"%s", algorithm.encode())
        else:
            document = rng.choice(CRAFTED_PAYLOADS)
        parts[segment] = b64url_encode(document).encode()
        return kind, b".".join(parts)
    else:  # two mutations in a row
        _, first = _mutate(rng, token, donors, algorithm)
        return kind, _mutate(rng, first, donors, algorithm)[1]
    return kind, bytes(data)


def _resigned(algorithm: str, signer: Signer, header: bytes, payload: bytes) -> bytes:
    signing_input = f"{b64url_encode(header)}.{b64url_encode(payload)}".encode()
    return signing_input + b"." + b64url_encode(signer.sign(signing_input)).encode()


def _cases(setup: Setup, algorithm: str) -> Iterator[Case]:
    rng = random.Random(f"ferrojwt-robustness-{algorithm}")
    own = setup.originals[algorithm]
    donors = [t for tokens in setup.originals.values() for t in tokens]
    for _ in range(MUTATIONS_PER_ALGORITHM):
        original = rng.choice(own)
        kind, token = _mutate(rng, original, [d for d in donors if d != original], algorithm)
        yield Case(algorithm, kind, token, original, resigned=False)
    signer = setup.signers[algorithm]
    valid_header = json.dumps({"alg": algorithm, "typ": "JWT"}).encode()
    base_payload = json.dumps(_base_payload(algorithm, 0)).encode()
    for document in CRAFTED_PAYLOADS:
        token = _resigned(algorithm, signer, valid_header, document)
        yield Case(algorithm, "resigned-payload", token, b"", resigned=True)
    for template in CRAFTED_HEADERS:
        header = template.replace(b"%s", algorithm.encode())
        token = _resigned(algorithm, signer, header, base_payload)
        yield Case(algorithm, "resigned-header", token, b"", resigned=True)


def _secret_texts(setup: Setup) -> list[str]:
    """Fragments of key material no message may contain."""
    texts = [HMAC_SECRET.decode()]
    for algorithm, key in setup.verify_keys.items():
        if algorithm != "HS256":
            texts.extend(line for line in key.decode().splitlines()[1:3])
    return texts


def _ferro_outcome(setup: Setup, case: Case) -> dict[str, Any] | BaseException:
    try:
        return jwt.decode(case.token, setup.verify_keys[case.algorithm], [case.algorithm])
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # PanicException derives from BaseException
        return exc


@pytest.mark.parametrize("algorithm", MUTATION_ALGORITHMS)
def test_mutated_tokens_are_refused_with_invalid_token_error(setup: Setup, algorithm: str) -> None:
    """Every mutation ends in InvalidTokenError; success only for an unchanged token."""
    secrets = _secret_texts(setup)
    failures: list[str] = []
    kinds: set[str] = set()
    for case in _cases(setup, algorithm):
        kinds.add(case.kind)
        outcome = _ferro_outcome(setup, case)
        if isinstance(outcome, dict):
            if not case.resigned and (
                case.token != case.original or outcome != setup.payloads[case.original]
            ):
                failures.append(f"{case.kind}: accepted a changed token {case.token[:120]!r}")
        elif not isinstance(outcome, jwt.InvalidTokenError):
            failures.append(
                f"{case.kind}: {type(outcome).__module__}.{outcome!r} for {case.token[:120]!r}"
            )
        elif any(secret in str(outcome) for secret in secrets):
            failures.append(f"{case.kind}: key material in {outcome!r}")
    assert not failures, f"{len(failures)} failures, first ones:\n" + "\n".join(failures[:15])
    assert {
        "flip",
        "swap-between",
        "crafted-segment",
        "resigned-payload",
        "resigned-header",
    } <= kinds


@pytest.mark.parametrize("algorithm", MUTATION_ALGORITHMS)
def test_tokens_pyjwt_refuses_never_verify_with_ferrojwt(setup: Setup, algorithm: str) -> None:
    """Differential: ferrojwt may be stricter than PyJWT, never laxer.

    When both accept, they must agree on the claims (compared by repr, for NaN and -0.0).
    """
    failures: list[str] = []
    refused_by_pyjwt = 0
    for case in _cases(setup, algorithm):
        try:
            reference: Any = pyjwt.decode(
                case.token, setup.pyjwt_keys[algorithm], algorithms=[algorithm]
            )
        except pyjwt.InvalidTokenError as exc:
            reference = exc
        except Exception as exc:  # PyJWT's own odd errors count as refusals too
            reference = exc
        ours = _ferro_outcome(setup, case)
        if isinstance(reference, BaseException):
            refused_by_pyjwt += 1
            if not isinstance(ours, jwt.InvalidTokenError):
                failures.append(
                    f"{case.kind}: PyJWT {type(reference).__name__}({reference}), "
                    f"ferrojwt {ours!r:.160} for {case.token[:160]!r}"
                )
        elif isinstance(ours, dict) and repr(ours) != repr(reference):
            failures.append(f"{case.kind}: claims differ {ours!r:.80} != {reference!r:.80}")
    assert not failures, f"{len(failures)} laxer than PyJWT, first ones:\n" + "\n".join(
        failures[:15]
    )
    assert refused_by_pyjwt > MUTATIONS_PER_ALGORITHM // 2
