"""``ferrojwt.jwt.encode``: header shaping, payload JSON, time claims, key inputs."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from ferrojwt import jwt
from jwt_helpers import HMAC_SECRET, NOW, KeyPair, b64url_encode, private_jwk, segments


def header_of(token: str) -> bytes:
    return segments(token)[0]


def claims_of(token: str) -> Any:
    return json.loads(segments(token)[1])


# --- header -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (None, b'{"alg":"HS256","typ":"JWT"}'),
        ({}, b'{"alg":"HS256","typ":"JWT"}'),
        ({"kid": "key-1"}, b'{"alg":"HS256","kid":"key-1","typ":"JWT"}'),
        ({"typ": "at+jwt"}, b'{"alg":"HS256","typ":"at+jwt"}'),
        ({"typ": None}, b'{"alg":"HS256"}'),
        ({"typ": ""}, b'{"alg":"HS256"}'),
        ({"cty": "JWT", "x5t": "abc"}, b'{"alg":"HS256","cty":"JWT","typ":"JWT","x5t":"abc"}'),
        ({"alg": "HS384"}, b'{"alg":"HS384","typ":"JWT"}'),
    ],
    ids=[
        "none",
        "empty",
        "kid",
        "typ-override",
        "typ-None",
        "typ-empty",
        "extra",
        "alg-in-headers",
    ],
)
def test_encode_header_members(headers: dict[str, Any] | None, expected: bytes) -> None:
    token = jwt.encode({"a": 1}, HMAC_SECRET, "HS256", headers=headers)
    assert header_of(token) == expected


def test_encode_alg_in_headers_is_the_signing_algorithm() -> None:
    token = jwt.encode({"a": 1}, HMAC_SECRET, "HS256", headers={"alg": "HS384"})
    assert jwt.decode(token, HMAC_SECRET, algorithms=["HS384"]) == {"a": 1}
    with pytest.raises(jwt.InvalidAlgorithmError, match="alg value is not allowed"):
        jwt.decode(token, HMAC_SECRET, algorithms=["HS256"])


@pytest.mark.parametrize(
    ("sort_headers", "expected"),
    [
        (True, b'{"alg":"HS256","kid":"k","typ":"JWT","zzz":1}'),
        (False, b'{"typ":"JWT","alg":"HS256","zzz":1,"kid":"k"}'),
    ],
)
def test_encode_sort_headers(sort_headers: bool, expected: bytes) -> None:
    token = jwt.encode(
        {"a": 1}, HMAC_SECRET, "HS256", headers={"zzz": 1, "kid": "k"}, sort_headers=sort_headers
    )
    assert header_of(token) == expected


def test_encode_payload_keeps_member_order_and_compact_separators() -> None:
    token = jwt.encode({"z": 1, "a": [1, 2], "m": {"y": None, "b": True}}, HMAC_SECRET)
    assert segments(token)[1] == b'{"z":1,"a":[1,2],"m":{"y":null,"b":true}}'


def test_encode_returns_str_of_three_segments() -> None:
    token = jwt.encode({"sub": "42"}, HMAC_SECRET)
    assert isinstance(token, str)
    assert token.count(".") == 2
    assert jwt.decode(token, HMAC_SECRET, algorithms=["HS256"]) == {"sub": "42"}


# --- payload type -------------------------------------------------------------------


@pytest.mark.parametrize("payload", [[1, 2], "claims", b"{}", 42, None])
def test_encode_refuses_a_payload_that_is_not_a_mapping(payload: Any) -> None:
    with pytest.raises(TypeError, match="Expecting a dict object"):
        jwt.encode(payload, HMAC_SECRET)


@pytest.mark.parametrize("issuer", [42, ["a"], None])
def test_encode_refuses_a_non_string_issuer(issuer: Any) -> None:
    with pytest.raises(TypeError, match=r"Issuer \(iss\) must be a string"):
        jwt.encode({"iss": issuer}, HMAC_SECRET)


# --- time claims as datetime ------------------------------------------------------

UTC = timezone.utc
PLUS_TWO = timezone(timedelta(hours=2))
MINUS_FIVE_THIRTY = timezone(-timedelta(hours=5, minutes=30))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2030, 1, 1, tzinfo=UTC), 1893456000),
        (datetime(2030, 1, 1), 1893456000),  # naive is read as UTC
        (datetime(2030, 1, 1, 2, 0, tzinfo=PLUS_TWO), 1893456000),
        (datetime(2029, 12, 31, 18, 30, tzinfo=MINUS_FIVE_THIRTY), 1893456000),
        (datetime(2030, 1, 1, 0, 0, 0, 999999, tzinfo=UTC), 1893456000),  # truncated
        (datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC), -1),
    ],
    ids=["aware-utc", "naive", "plus-two", "minus-five-thirty", "microseconds", "pre-epoch"],
)
@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
def test_encode_datetime_time_claims_become_numeric_dates(
    claim: str, value: datetime, expected: int
) -> None:
    token = jwt.encode({claim: value}, HMAC_SECRET)
    raw = segments(token)[1]
    assert raw == f'{{"{claim}":{expected}}}'.encode()


def test_encode_datetime_claims_still_work_after_freezegun_was_active() -> None:
    """The datetime type must not be cached from a frozen clock (FakeDatetime).

    Runs in a fresh interpreter so that the first datetime the core ever sees
    is freezegun's, whatever ran before in this process.
    """
    code = (
        "from datetime import datetime, timezone\n"
        "import freezegun\n"
        "from ferrojwt import jwt\n"
        "with freezegun.freeze_time('2030-01-01T00:00:00Z'):\n"
        "    frozen = jwt.encode({'exp': datetime.now(tz=timezone.utc)}, 'k' * 32)\n"
        "real = jwt.encode({'exp': datetime(2030, 1, 1, tzinfo=timezone.utc)}, 'k' * 32)\n"
        "assert frozen == real, (frozen, real)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr[-500:]


def test_encode_datetime_in_other_claims_needs_a_json_encoder() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        jwt.encode({"auth_time": datetime(2030, 1, 1, tzinfo=UTC)}, HMAC_SECRET)


# --- json_encoder -------------------------------------------------------------------


class ExtendedEncoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, uuid.UUID):
            return str(o)
        if isinstance(o, Decimal):
            return str(o)
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


USER_ID = uuid.UUID("12345678-1234-5678-1234-567812345678")


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (USER_ID, "12345678-1234-5678-1234-567812345678"),
        (Decimal("12.50"), "12.50"),
        (datetime(2030, 1, 1, tzinfo=UTC), "2030-01-01T00:00:00+00:00"),
    ],
    ids=["uuid", "decimal", "datetime"],
)
def test_encode_json_encoder_handles_custom_types(value: Any, encoded: str) -> None:
    token = jwt.encode({"v": value, "n": 1}, HMAC_SECRET, json_encoder=ExtendedEncoder)
    assert claims_of(token) == {"v": encoded, "n": 1}


@pytest.mark.parametrize("value", [USER_ID, Decimal("1.5"), {1, 2}, object()])
def test_encode_without_json_encoder_refuses_custom_types(value: Any) -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        jwt.encode({"v": value}, HMAC_SECRET)


def test_encode_json_encoder_applies_to_headers() -> None:
    token = jwt.encode(
        {}, HMAC_SECRET, headers={"kid": "k", "x": USER_ID}, json_encoder=ExtendedEncoder
    )
    assert json.loads(header_of(token))["x"] == str(USER_ID)


# --- keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("algorithm", "family"),
    [
        ("RS256", "RSA"),
        ("PS256", "RSA"),
        ("ES256", "P-256"),
        ("ES512", "P-521"),
        ("EdDSA", "Ed25519"),
    ],
)
def test_encode_accepts_every_key_form(
    keypairs: dict[str, KeyPair], algorithm: str, family: str
) -> None:
    """PEM str, PEM bytes, Key, cryptography object, JWK dict and PyJWK sign alike."""
    pair = keypairs[family]
    jwk_dict = private_jwk(pair.private)
    forms: list[Any] = [
        pair.private_pem,
        pair.private_pem.decode(),
        jwt.Key.from_pem(pair.private_pem),
        pair.private,
        jwk_dict,
        jwt.PyJWK(jwk_dict, algorithm),
    ]
    for form in forms:
        token = jwt.encode({"sub": "x"}, form, algorithm)
        assert jwt.decode(token, pair.public_pem, algorithms=[algorithm]) == {"sub": "x"}
        assert jwt.decode(token, pair.public, algorithms=[algorithm]) == {"sub": "x"}


def test_encode_with_pyjwk_and_no_algorithm_uses_the_key_algorithm(
    keypairs: dict[str, KeyPair],
) -> None:
    jwk = jwt.PyJWK(private_jwk(keypairs["P-384"].private))
    token = jwt.encode({"a": 1}, jwk, algorithm=None)
    assert json.loads(header_of(token))["alg"] == "ES384"
    assert jwt.decode(token, keypairs["P-384"].public_pem, algorithms=["ES384"]) == {"a": 1}


def test_encode_hmac_secret_as_str_or_bytes_or_key_is_the_same_token() -> None:
    secret = HMAC_SECRET.decode()
    tokens = {
        jwt.encode({"a": 1}, secret),
        jwt.encode({"a": 1}, HMAC_SECRET),
        jwt.encode({"a": 1}, jwt.Key.hmac(HMAC_SECRET)),
        jwt.encode({"a": 1}, {"kty": "oct", "k": b64url_encode(HMAC_SECRET)}),
    }
    assert len(tokens) == 1


def test_encode_with_a_public_key_is_refused(keypairs: dict[str, KeyPair]) -> None:
    with pytest.raises(jwt.InvalidKeyError):
        jwt.encode({"a": 1}, keypairs["RSA"].public_pem, "RS256")


@pytest.mark.parametrize("key", [123, 1.5, ["secret"], object()])
def test_encode_refuses_a_key_of_the_wrong_type(key: Any) -> None:
    with pytest.raises(TypeError):
        jwt.encode({"a": 1}, key, "HS256")


def test_encode_unknown_algorithm() -> None:
    with pytest.raises(NotImplementedError, match="Algorithm not supported"):
        jwt.encode({"a": 1}, HMAC_SECRET, "HS1024")


def test_encode_then_decode_with_now() -> None:
    token = jwt.encode({"exp": NOW + 10}, HMAC_SECRET)
    assert jwt.decode(token, HMAC_SECRET, algorithms=["HS256"], now=NOW) == {"exp": NOW + 10}
