"""Property tests (Hypothesis): round trips, byte-identical output with PyJWT, tampering,
and claim validation against PyJWT on generated claims."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any
from unittest import mock

import jwt as pyjwt
import pytest
from ferrojwt import jwt
from hypothesis import event, given, settings
from hypothesis import strategies as st
from jwt import api_jwt as pyjwt_api_jwt
from jwt_helpers import HMAC_SECRET, NOW, forge

Keys = dict[str, tuple[bytes, bytes]]

#: Claims whose value ``decode`` checks; a round-trip payload leaves them out.
REGISTERED = {"exp", "nbf", "iat", "aud", "iss", "sub", "jti"}

#: No example database: the suite leaves nothing behind in the checkout.
FAST = settings(max_examples=60, deadline=None, database=None)

# --- strategies -----------------------------------------------------------------------------

#: Any text Python's encoder writes and a UTF-8 token can carry (lone surrogates cannot).
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.integers(min_value=-(10**300), max_value=10**300)
    | st.floats(allow_nan=False)
    | text
)

json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=16,
)

payloads = st.dictionaries(text.filter(lambda key: key not in REGISTERED), json_values, max_size=6)

#: Extra header members PyJWT writes as they are (``b64``/``crit`` change the JWS itself).
headers = st.dictionaries(
    text.filter(lambda key: key not in {"alg", "typ", "b64", "crit", "kid"}),
    json_values,
    max_size=3,
) | st.builds(lambda kid: {"kid": kid}, text)


# --- round trip -----------------------------------------------------------------------------


@FAST
@given(payload=payloads)
def test_encode_decode_round_trip(payload: dict[str, Any]) -> None:
    token = jwt.encode(payload, HMAC_SECRET, algorithm="HS256")
    assert jwt.decode(token, HMAC_SECRET, algorithms=["HS256"]) == payload
    # The reference reads the same document from it.
    assert pyjwt.decode(token, HMAC_SECRET, algorithms=["HS256"]) == payload


@FAST
@given(payload=payloads)
def test_nan_and_infinities_round_trip_as_python_writes_them(payload: dict[str, Any]) -> None:
    payload = {**payload, "n": math.nan, "i": math.inf, "m": -math.inf}
    token = jwt.encode(payload, HMAC_SECRET, algorithm="HS256")
    decoded = jwt.decode(token, HMAC_SECRET, algorithms=["HS256"])
    assert math.isnan(decoded.pop("n"))
    assert decoded == {k: v for k, v in payload.items() if k != "n"}


# --- byte-identical output with PyJWT -----------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["HS256", "HS384", "HS512", "RS256", "EdDSA"])
@settings(max_examples=40, deadline=None, database=None)
@given(
    payload=st.dictionaries(text, json_values | st.floats(), max_size=6),
    header=headers,
)
def test_byte_identical_with_pyjwt(
    pem_keys: Keys, algorithm: str, payload: dict[str, Any], header: dict[str, Any]
) -> None:
    signing, _ = pem_keys[algorithm]
    ours = encoded(jwt.encode, payload, signing, algorithm, header)
    theirs = encoded(pyjwt.encode, payload, signing, algorithm, header)
    # The same token, or (an "iss" that is not a string) the same refusal.
    assert ours == theirs


def encoded(encode: Any, payload: Any, key: bytes, algorithm: str, header: Any) -> Any:
    try:
        return encode(payload, key, algorithm=algorithm, headers=header)
    except TypeError as error:
        return ("TypeError", str(error))


# --- every single-byte change is refused --------------------------------------------------------

#: Replacement bytes tried at each position: the base64url alphabet's neighbours and
#: everything that breaks it.
REPLACEMENTS = sorted(set(b"AQgw-_09azBb.=+/ \n\x00\x80\xff"))


def single_byte_changes(token: bytes) -> Iterator[bytes]:
    for at, original in enumerate(token):
        for byte in REPLACEMENTS:
            if byte != original:
                yield token[:at] + bytes([byte]) + token[at + 1 :]


@settings(max_examples=15, deadline=None, database=None)
@given(payload=payloads)
def test_every_single_byte_change_of_an_hmac_token_is_refused(payload: dict[str, Any]) -> None:
    token = jwt.encode(payload, HMAC_SECRET, algorithm="HS256").encode()
    assert jwt.decode(token, HMAC_SECRET, algorithms=["HS256"]) == payload
    for changed in single_byte_changes(token):
        with pytest.raises(jwt.InvalidTokenError) as caught:
            jwt.decode(changed, HMAC_SECRET, algorithms=["HS256"])
        assert type(caught.value) in TAMPER_ERRORS, (changed, caught.value)


TAMPER_ERRORS = {
    jwt.DecodeError,
    jwt.InvalidSignatureError,
    jwt.InvalidAlgorithmError,
    jwt.InvalidTokenError,
}


@pytest.mark.parametrize("algorithm", ["RS256", "PS256", "ES256", "EdDSA"])
def test_every_single_byte_change_of_a_signed_token_is_refused(
    pem_keys: Keys, algorithm: str
) -> None:
    signing, verifying = pem_keys[algorithm]
    token = jwt.encode({"sub": "1", "iat": NOW}, signing, algorithm=algorithm).encode()
    assert jwt.decode(token, verifying, algorithms=[algorithm], now=NOW)["sub"] == "1"
    for changed in single_byte_changes(token):
        with pytest.raises(jwt.InvalidTokenError) as caught:
            jwt.decode(changed, verifying, algorithms=[algorithm], now=NOW)
        assert type(caught.value) in TAMPER_ERRORS, (changed, caught.value)


# --- claim validation against PyJWT ----------------------------------------------------------


class _FrozenDatetime(datetime):
    """``datetime`` whose ``now`` is ``NOW``, for PyJWT's claim checks."""

    @classmethod
    def now(cls, tz: Any = None) -> _FrozenDatetime:
        return cls.fromtimestamp(NOW, tz=tz or timezone.utc)


@contextmanager
def pyjwt_at_now() -> Iterator[None]:
    with mock.patch.object(pyjwt_api_jwt, "datetime", _FrozenDatetime):
        yield


times = (
    st.integers(min_value=NOW - 120, max_value=NOW + 120)
    | st.floats(min_value=NOW - 120, max_value=NOW + 120)
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=False)
)
#: What ferrojwt refuses on purpose where PyJWT's int() accepts (README, Differences).
lenient_times = st.booleans() | st.integers(NOW - 120, NOW + 120).map(str)

names = st.sampled_from(["api", "web", "other", ""])
claim_values = (
    st.none() | st.integers(-2, 2) | names | st.lists(names | st.integers(0, 1), max_size=3)
)

claim_sets = st.fixed_dictionaries(
    {},
    optional={
        "exp": times,
        "nbf": times,
        "iat": times,
        "aud": claim_values,
        "iss": names | st.integers(0, 1) | st.lists(names, max_size=2),
        "sub": names | st.integers(0, 1),
        "jti": names | st.integers(0, 1),
    },
)

expectations = st.fixed_dictionaries(
    {
        "leeway": st.integers(0, 60) | st.floats(0, 60),
        "audience": st.none() | names | st.lists(names, min_size=1, max_size=2),
        "issuer": st.none() | names,
        "options": st.fixed_dictionaries(
            {},
            optional={
                "require": st.lists(st.sampled_from(sorted(REGISTERED)), max_size=2),
                "verify_exp": st.booleans(),
                "verify_aud": st.booleans(),
            },
        ),
    }
)


def outcome(decode: Any, token: str, expected: dict[str, Any]) -> tuple[str, Any]:
    try:
        return ("accepted", decode(token, HMAC_SECRET, algorithms=["HS256"], **expected))
    except Exception as error:
        return (type(error).__name__, str(error))


@settings(max_examples=400, deadline=None, database=None)
@given(claims=claim_sets, expected=expectations)
def test_claim_validation_agrees_with_pyjwt(
    claims: dict[str, Any], expected: dict[str, Any]
) -> None:
    token = forge({"alg": "HS256", "typ": "JWT"}, claims)
    ours = outcome(lambda *a, **k: jwt.decode(*a, now=NOW, **k), token, expected)
    with pyjwt_at_now():
        theirs = outcome(pyjwt.decode, token, expected)
    event(ours[0])
    if ours[0] == theirs[0] == "accepted":
        assert ours[1].keys() == claims.keys()
    assert ours == theirs


@settings(max_examples=100, deadline=None, database=None)
@given(claim=st.sampled_from(["exp", "nbf", "iat"]), value=lenient_times, expected=expectations)
def test_claim_validation_stricter_than_pyjwt_on_time_types(
    claim: str, value: Any, expected: dict[str, Any]
) -> None:
    # Only the time checks run, so the type of the time claim is the only reason.
    expected = {**expected, "audience": None, "issuer": None, "options": {}}
    token = forge({"alg": "HS256"}, {claim: value})
    error, message = outcome(lambda *a, **k: jwt.decode(*a, now=NOW, **k), token, expected)
    if claim == "iat":
        assert (error, message) == (
            "InvalidIssuedAtError",
            "Issued At claim (iat) must be an integer.",
        )
    else:
        long_name = {"exp": "Expiration Time", "nbf": "Not Before"}[claim]
        assert (error, message) == (
            "DecodeError",
            f"{long_name} claim ({claim}) must be an integer.",
        )
