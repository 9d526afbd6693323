"""ferrojwt.jwt.Encoder and Decoder: the arguments of encode/decode bound once.

The rule under test: a prepared object behaves exactly as the module function called
with the same arguments, same tokens, same claims, same exception class and message.
"""

from __future__ import annotations

import base64
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


class _Str(str):
    pass


class _Dict(dict):  # type: ignore[type-arg]
    pass


# Payloads of every kind of member: those of plain JSON values are written by the
# encoder's fast path, the others (a datetime, subclasses, a huge int, lone surrogates,
# non-str keys) make it hand the whole payload to the general writer. Either way the
# token must be jwt.encode's, byte for byte, and the refusals its refusals.
ENCODE_PAYLOADS: list[tuple[str, Any]] = [
    ("empty", {}),
    ("scalars", {"a": None, "b": True, "c": False, "d": -7, "e": 1.5, "f": 1e300, "g": "x"}),
    ("escapes", {"q": 'say "hi"\\ \n\t\u0001 é 😀', "é": "ü"}),
    ("nested", {"aud": ["api", "admin"], "t": (1, 2.0), "o": {"p": [None, {"q": [True]}]}}),
    ("int limits", {"lo": -(2**63), "hi": 2**63 - 1}),
    ("huge int", {"n": 2**70, "m": 1}),
    ("float specials", {"x": float("inf"), "y": float("-inf"), "z": float("nan")}),
    ("datetime exp", {"sub": "x", "exp": datetime.fromtimestamp(NOW, timezone.utc)}),
    ("str subclass", {"sub": _Str("x")}),
    ("dict subclass", {"o": _Dict(a=1)}),
    ("nested non-str key", {"o": {1: "one"}}),
    ("top-level non-str key", {2: "two", "sub": "x"}),
    ("lone surrogate", {"s": "\ud800"}),
    ("iss string", {"iss": "me", "sub": "x"}),
    ("iss not a string", {"sub": "x", "iss": 7}),
    ("iss not a string, then a datetime", {"iss": 7, "exp": datetime.now(timezone.utc)}),
    ("unserializable", {"sub": "x", "what": object()}),
]


@pytest.mark.parametrize(
    "payload", [p[1] for p in ENCODE_PAYLOADS], ids=[p[0] for p in ENCODE_PAYLOADS]
)
def test_encoder_writes_every_payload_as_encode(payload: dict[Any, Any]) -> None:
    encoder = jwt.Encoder(HMAC_SECRET, "HS256")
    expected = outcome(lambda: jwt.encode(payload, HMAC_SECRET, "HS256"))
    assert outcome(lambda: encoder.encode(payload)) == expected
    if expected[0] == "ok":
        segment = expected[1].split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
        assert len(claims) == len(payload)


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


def test_decoder_reads_the_os_clock_and_any_replacement_of_time_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    decoder = jwt.Decoder(HMAC_SECRET, ["HS256"])
    fresh = jwt.encode({"exp": int(time.time()) + 60}, HMAC_SECRET, "HS256")
    stale = jwt.encode({"exp": int(time.time()) - 60}, HMAC_SECRET, "HS256")
    assert "exp" in decoder.decode(fresh)
    with pytest.raises(jwt.ExpiredSignatureError):
        decoder.decode(stale)
    # Replaced (as unittest.mock and freezegun replace it): the replacement is asked.
    monkeypatch.setattr(time, "time", lambda: time.monotonic() * 0 + 1e10)
    with pytest.raises(jwt.ExpiredSignatureError):
        decoder.decode(fresh)
    monkeypatch.setattr(time, "time", lambda: 0.0)
    assert "exp" in decoder.decode(stale)
    monkeypatch.undo()
    assert "exp" in decoder.decode(fresh)
    with pytest.raises(jwt.ExpiredSignatureError):
        decoder.decode(stale)


def test_decoder_follows_time_machine() -> None:
    # time-machine swaps time.time's C function without replacing the object.
    import time

    import time_machine

    decoder = jwt.Decoder(HMAC_SECRET, ["HS256"])
    stale = jwt.encode({"exp": int(time.time()) - 3600}, HMAC_SECRET, "HS256")
    with pytest.raises(jwt.ExpiredSignatureError):
        decoder.decode(stale)
    with time_machine.travel(time.time() - 7200, tick=False):
        assert "exp" in decoder.decode(stale)
        assert "exp" in jwt.decode(stale, HMAC_SECRET, algorithms=["HS256"])
    with pytest.raises(jwt.ExpiredSignatureError):
        decoder.decode(stale)


def test_a_decoder_first_used_under_freezegun_then_reads_the_real_clock() -> None:
    # In a fresh interpreter, so that the first reading of the clock is a frozen one.
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        f"""
        import time
        from datetime import datetime, timezone
        from freezegun import freeze_time
        from ferrojwt import jwt
        decoder = jwt.Decoder({HMAC_SECRET!r}, ["HS256"])
        token = jwt.encode({{"exp": int(time.time()) + 60}}, {HMAC_SECRET!r}, "HS256")
        with freeze_time(datetime(2100, 1, 1, tzinfo=timezone.utc)):
            try:
                decoder.decode(token)
                raise SystemExit("accepted under a clock frozen in 2100")
            except jwt.ExpiredSignatureError:
                pass
        assert decoder.decode(token)["exp"] > time.time()
        with freeze_time(datetime(2000, 1, 1, tzinfo=timezone.utc)):
            stale = jwt.encode({{"exp": int(time.time()) + 60}}, {HMAC_SECRET!r}, "HS256")
            assert decoder.decode(stale)
        try:
            decoder.decode(stale)
            raise SystemExit("accepted a token stale on the real clock")
        except jwt.ExpiredSignatureError:
            print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr


# Headers a decoder knows (the ones encoders write for its algorithms) skip the header
# parse; every other header goes through the rules. Each must be answered as decode does.
HEADER_CASES: list[tuple[str, Any]] = [
    ("sorted", {"alg": "HS256", "typ": "JWT"}),
    ("unsorted", {"typ": "JWT", "alg": "HS256"}),
    ("other algorithm", {"alg": "HS512", "typ": "JWT"}),
    ("kid", {"alg": "HS256", "typ": "JWT", "kid": "k"}),
    ("kid not a string", {"alg": "HS256", "typ": "JWT", "kid": 1}),
    ("crit", {"alg": "HS256", "typ": "JWT", "crit": ["exp"]}),
    ("no typ", {"alg": "HS256"}),
    ("spaces", b'{"alg": "HS256", "typ": "JWT"}'),
    ("duplicate alg", b'{"alg":"none","alg":"HS256","typ":"JWT"}'),
]


@pytest.mark.parametrize("header", [h[1] for h in HEADER_CASES], ids=[h[0] for h in HEADER_CASES])
@pytest.mark.parametrize("verify", [True, False], ids=["verified", "unverified"])
def test_decoder_answers_every_header_as_decode(header: Any, verify: bool) -> None:
    options = {"verify_signature": verify}
    decoder = jwt.Decoder(HMAC_SECRET, ["HS256"], options=options)
    token = forge(header, {"sub": "x"})
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for candidate in (token, tampered):
        assert outcome(lambda t=candidate: decoder.decode(t)) == outcome(
            lambda t=candidate: jwt.decode(t, HMAC_SECRET, ["HS256"], options=options)
        )


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
