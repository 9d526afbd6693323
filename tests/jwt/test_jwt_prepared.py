"""ferrojwt.jwt.Encoder and Decoder: the arguments of encode/decode bound once.

The rule under test: a prepared object behaves exactly as the module function called
with the same arguments, same tokens, same claims, same exception class and message.
"""

from __future__ import annotations

import json
import warnings
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from ferrojwt import jwt
from freezegun import freeze_time
from jwt_helpers import ALL_ALGORITHMS, DETERMINISTIC_ALGORITHMS, HMAC_SECRET, NOW, forge

CLAIMS = {"sub": "alice", "iat": NOW, "exp": NOW + 300, "aud": ["api", "admin"], "iss": "me"}


def outcome(call: Any) -> tuple[str, Any]:
    """("ok", result) or (exception class name, message) of ``call()``."""
    try:
        return "ok", call()
    except Exception as e:  # the comparison is the point: any exception counts
        return type(e).__name__, str(e)


@pytest.mark.parametrize("algorithm", DETERMINISTIC_ALGORITHMS)
@pytest.mark.parametrize(
    "headers", [None, {"kid": "2026-1"}, {"typ": None, "cty": "x"}], ids=["plain", "kid", "cty"]
)
def test_encoder_makes_the_module_functions_token(
    pem_keys: dict[str, tuple[bytes, bytes]], algorithm: str, headers: dict[str, Any] | None
) -> None:
    signing, _ = pem_keys[algorithm]
    expected = jwt.encode(CLAIMS, signing, algorithm=algorithm, headers=headers)
    encoder = jwt.Encoder(signing, algorithm, headers=headers)
    assert encoder.algorithm == algorithm
    assert encoder.encode(CLAIMS) == expected
    assert encoder.encode(CLAIMS) == expected  # reusable


def test_encoder_header_options_and_json_encoder() -> None:
    class Decimals(json.JSONEncoder):
        def default(self, o: Any) -> Any:
            return str(o) if isinstance(o, Decimal) else super().default(o)

    claims = {"amount": Decimal("1.50"), "exp": datetime.fromtimestamp(NOW, timezone.utc)}
    headers = {"kid": "k", "x5t": "abc"}
    for sort in (True, False):
        expected = jwt.encode(
            claims, HMAC_SECRET, "HS256", headers, json_encoder=Decimals, sort_headers=sort
        )
        encoder = jwt.Encoder(HMAC_SECRET, "HS256", headers, Decimals, sort_headers=sort)
        assert encoder.encode(claims) == expected


def test_encoder_copies_its_headers() -> None:
    headers = {"kid": "first"}
    encoder = jwt.Encoder(HMAC_SECRET, "HS256", headers=headers)
    headers["kid"] = "second"
    assert jwt.get_unverified_header(encoder.encode({}))["kid"] == "first"


def test_encoder_with_a_pyjwk_signs_with_its_algorithm(keypairs: Any) -> None:
    from jwt_helpers import private_jwk

    key = jwt.PyJWK({**private_jwk(keypairs["P-256"].private), "alg": "ES256"})
    token = jwt.Encoder(key).encode({"sub": "x"})
    assert jwt.get_unverified_header(token)["alg"] == "ES256"
    assert jwt.decode(token, key, algorithms=["ES256"]) == {"sub": "x"}


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"algorithm": "none"}, NotImplementedError, "Algorithm not supported"),
        ({"algorithm": "HS999"}, NotImplementedError, "Algorithm not supported"),
        ({"algorithm": "RS256"}, jwt.InvalidKeyError, None),
    ],
)
def test_encoder_refuses_what_encode_refuses(
    arguments: dict[str, Any], error: type[Exception], message: str | None
) -> None:
    with pytest.raises(error) as info:
        jwt.Encoder(HMAC_SECRET, **arguments)
    with pytest.raises(error) as reference:
        jwt.encode({}, HMAC_SECRET, **arguments)
    assert str(info.value) == str(reference.value)
    if message is not None:
        assert str(info.value) == message


def test_encoder_refuses_a_non_dict_payload() -> None:
    with pytest.raises(TypeError) as info:
        jwt.Encoder(HMAC_SECRET, "HS256").encode([1, 2])  # type: ignore[arg-type]
    assert "JSON objects as payloads" in str(info.value)


def test_encoder_warns_about_a_short_secret_once_at_construction() -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        encoder = jwt.Encoder(b"short", "HS256")
        encoder.encode({})
        encoder.encode({})
    assert [type(w.message) for w in seen] == [jwt.InsecureKeyLengthWarning]
    with pytest.raises(jwt.InvalidKeyError):
        jwt.Encoder(b"short", "HS256", enforce_minimum_key_length=True)


# -- Decoder -----------------------------------------------------------------------------

GOOD = jwt.encode(CLAIMS, HMAC_SECRET, "HS256")

DECODE_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("valid", GOOD, {"audience": "api", "issuer": "me"}),
    ("audience list", GOOD, {"audience": ["x", "admin"], "issuer": ["me", "you"]}),
    ("wrong audience", GOOD, {"audience": "other"}),
    ("no audience expected", GOOD, {}),
    ("strict audience", GOOD, {"audience": "api", "options": {"strict_aud": True}}),
    ("wrong issuer", GOOD, {"audience": "api", "issuer": "them"}),
    ("expired", GOOD, {"audience": "api", "now": NOW + 300}),
    ("leeway", GOOD, {"audience": "api", "now": NOW + 300, "leeway": 5}),
    ("leeway timedelta", GOOD, {"audience": "api", "now": NOW + 310, "leeway": timedelta(9)}),
    ("immature iat", GOOD, {"audience": "api", "now": NOW - 10}),
    ("subject", GOOD, {"audience": "api", "subject": "bob"}),
    ("required", GOOD, {"audience": "api", "options": {"require": ["jti"]}}),
    ("exp off", GOOD, {"audience": "api", "now": NOW + 999, "options": {"verify_exp": False}}),
    ("unverified", GOOD, {"options": {"verify_signature": False}}),
    ("tampered", GOOD[:-2] + ("AA" if GOOD[-2:] != "AA" else "BB"), {"audience": "api"}),
    ("not allowed", GOOD, {"audience": "api", "algorithms": ["HS512"]}),
    ("none listed", GOOD, {"audience": "api", "algorithms": ["none"]}),
    ("garbage", "not.a.token", {}),
    ("two segments", "abc.def", {}),
    ("alg none", forge({"alg": "none"}, {"sub": "x"}), {}),
    ("bad exp", forge({"alg": "HS256"}, {"exp": "tomorrow"}), {}),
    ("crit", forge({"alg": "HS256", "crit": ["b64"], "b64": False}, {}), {}),
]


@pytest.mark.parametrize(
    ("token", "arguments"), [c[1:] for c in DECODE_CASES], ids=[c[0] for c in DECODE_CASES]
)
def test_decoder_answers_as_decode(token: str, arguments: dict[str, Any]) -> None:
    arguments = {"algorithms": ["HS256"], "now": NOW + 1, **arguments}
    now = arguments.pop("now")
    decoder = jwt.Decoder(HMAC_SECRET, **arguments)
    assert outcome(lambda: decoder.decode(token, now=now)) == outcome(
        lambda: jwt.decode(token, HMAC_SECRET, now=now, **arguments)
    )
    assert outcome(lambda: decoder.decode_complete(token, now=now)) == outcome(
        lambda: jwt.decode_complete(token, HMAC_SECRET, now=now, **arguments)
    )


@pytest.mark.parametrize("algorithm", ALL_ALGORITHMS)
def test_decoder_verifies_every_algorithm(
    pem_keys: dict[str, tuple[bytes, bytes]], algorithm: str
) -> None:
    signing, verifying = pem_keys[algorithm]
    token = jwt.Encoder(signing, algorithm).encode({"sub": "x", "exp": NOW + 60})
    decoder = jwt.Decoder(verifying, [algorithm])
    assert decoder.decode(token, now=NOW) == {"sub": "x", "exp": NOW + 60}
    assert decoder.decode_complete(token, now=NOW)["header"] == {"alg": algorithm, "typ": "JWT"}


def test_decoder_keys_each_allowed_algorithm_to_its_family(
    pem_keys: dict[str, tuple[bytes, bytes]],
) -> None:
    # A PEM public key with HS256 and RS256 allowed: the RS256 token verifies, the HS256
    # one (the key-confusion forgery) is refused for the key's family, as decode refuses it.
    signing, verifying = pem_keys["RS256"]
    decoder = jwt.Decoder(verifying, ["HS256", "RS256"])
    assert decoder.algorithms == ["HS256", "RS256"]
    assert decoder.decode(jwt.encode({"a": 1}, signing, "RS256")) == {"a": 1}
    forged = forge({"alg": "HS256", "typ": "JWT"}, {"a": 1}, secret=verifying)
    assert outcome(lambda: decoder.decode(forged)) == outcome(
        lambda: jwt.decode(forged, verifying, algorithms=["HS256", "RS256"])
    )
    assert outcome(lambda: decoder.decode(forged))[0] == "InvalidKeyError"


@pytest.mark.parametrize(
    ("key", "algorithms", "error"),
    [
        (HMAC_SECRET, None, jwt.DecodeError),
        (HMAC_SECRET, [], jwt.DecodeError),
        (HMAC_SECRET, "HS256", TypeError),
    ],
    ids=["no algorithms", "empty", "bare str"],
)
def test_decoder_refuses_bad_arguments_at_construction(
    key: Any, algorithms: Any, error: type[Exception]
) -> None:
    with pytest.raises(error) as info:
        jwt.Decoder(key, algorithms)
    assert outcome(lambda: jwt.decode(GOOD, key, algorithms=algorithms)) == (
        error.__name__,
        str(info.value),
    )


def test_decoder_without_a_key_refuses_at_use() -> None:
    decoder = jwt.Decoder(None, ["HS256"])
    assert outcome(lambda: decoder.decode(GOOD)) == (
        "InvalidKeyError",
        "A key is required to verify the signature",
    )


def test_decoder_reads_the_clock_at_each_call() -> None:
    decoder = jwt.Decoder(HMAC_SECRET, ["HS256"], audience="api")
    with freeze_time(datetime.fromtimestamp(NOW + 10, timezone.utc)):
        assert decoder.decode(GOOD)["sub"] == "alice"
    with freeze_time(datetime.fromtimestamp(NOW + 300, timezone.utc)):
        with pytest.raises(jwt.ExpiredSignatureError) as info:
            decoder.decode(GOOD)
    assert str(info.value) == "Signature has expired"
    when = datetime.fromtimestamp(NOW + 1, timezone.utc)
    assert decoder.decode(GOOD, now=when)["sub"] == "alice"
    with pytest.raises(ValueError) as naive:
        decoder.decode(GOOD, now=when.replace(tzinfo=None))
    assert "aware datetime" in str(naive.value)


def test_decoder_with_a_pyjwk_verifies_with_its_algorithm_only(keypairs: Any) -> None:
    from jwt_helpers import private_jwk

    public = jwt.PyJWK({**private_jwk(keypairs["P-256"].public), "alg": "ES256"})
    token = jwt.encode({"sub": "x"}, keypairs["P-256"].private, "ES256")
    assert jwt.Decoder(public).decode(token) == {"sub": "x"}
    assert jwt.Decoder(public).algorithms == ["ES256"]
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.Decoder(public, ["RS256"])


# -- key rotation: selection by kid ---------------------------------------------------------


@pytest.fixture(scope="module")
def rotation(pem_keys: dict[str, tuple[bytes, bytes]]) -> dict[str, Any]:
    old_private, old_public = pem_keys["RS256"]
    new_private, new_public = pem_keys["ES256"]
    decoder = jwt.Decoder(
        new_public, ["ES256"], kid="2026-12", keys={"2026-06": (old_public, "RS256")}
    )
    return {
        "decoder": decoder,
        "old": lambda kid: jwt.encode({"k": "old"}, old_private, "RS256", {"kid": kid}),
        "new": lambda kid: jwt.encode(
            {"k": "new"}, new_private, "ES256", {"kid": kid} if kid else None
        ),
        "old_public": old_public,
    }


def test_a_tokens_kid_selects_its_verifying_key(rotation: dict[str, Any]) -> None:
    decoder = rotation["decoder"]
    assert decoder.decode(rotation["old"]("2026-06")) == {"k": "old"}
    assert decoder.decode(rotation["new"]("2026-12")) == {"k": "new"}
    # no kid: the current key, as without rotation
    assert decoder.decode(rotation["new"](None)) == {"k": "new"}


def test_an_unknown_kid_is_refused_without_trying_a_key(rotation: dict[str, Any]) -> None:
    # Signed by a key the decoder holds, but naming another id: refused for the id.
    for token in (rotation["old"]("2025-01"), rotation["new"]("2026-06x")):
        with pytest.raises(jwt.InvalidTokenError) as info:
            rotation["decoder"].decode(token)
        assert type(info.value) is jwt.InvalidTokenError
        assert str(info.value) == "The token's key id (kid) is not one of the verifying keys"


def test_the_algorithm_comes_from_the_key_entry_not_the_token(rotation: dict[str, Any]) -> None:
    # The old key's entry is RS256: an HS256 token MACed with its public PEM and naming
    # its kid (the key-confusion forgery) is refused for its algorithm.
    forged = forge({"alg": "HS256", "kid": "2026-06"}, {"k": "forged"}, rotation["old_public"])
    with pytest.raises(jwt.InvalidAlgorithmError) as info:
        rotation["decoder"].decode(forged)
    assert str(info.value) == "The specified alg value is not allowed"
    # and the current key's algorithms do not extend to a rotated key
    old_as_current = rotation["old"]("2026-12")
    with pytest.raises(jwt.InvalidAlgorithmError):
        rotation["decoder"].decode(old_as_current)


def test_without_rotation_a_kid_is_not_looked_at() -> None:
    token = jwt.encode({"a": 1}, HMAC_SECRET, "HS256", {"kid": "anything"})
    assert jwt.Decoder(HMAC_SECRET, ["HS256"]).decode(token) == {"a": 1}


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (
            {"kid": "a", "keys": {"a": (HMAC_SECRET, "HS256")}},
            ValueError,
            'key id "a" is given twice',
        ),
        (
            {"keys": {"a": HMAC_SECRET}},
            TypeError,
            "keys must map each key id (a str) to (key, algorithm)",
        ),
        ({"keys": {"a": (HMAC_SECRET, "none")}}, jwt.InvalidAlgorithmError, None),
    ],
    ids=["duplicate", "not a pair", "alg none"],
)
def test_rotation_keys_are_checked_at_construction(
    arguments: dict[str, Any], error: type[Exception], message: str | None
) -> None:
    with pytest.raises(error) as info:
        jwt.Decoder(HMAC_SECRET, ["HS256"], **arguments)
    if message is not None:
        assert str(info.value) == message
