"""``ferrojwt.jwt.decode`` / ``decode_complete`` / ``get_unverified_header``: options and claims."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import freezegun
import jwt as pyjwt
import pytest
from ferrojwt import jwt
from jwt_helpers import HMAC_SECRET, NOW, KeyPair, b64url_decode, forge, private_jwk

OTHER_SECRET = b"o" * 64


def token_for(claims: dict[str, Any], secret: bytes = HMAC_SECRET) -> str:
    return jwt.encode(claims, secret, "HS256")


def decode_at(token: str | bytes, now: Any = NOW, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("algorithms", ["HS256"])
    return jwt.decode(token, HMAC_SECRET, now=now, **kwargs)


# --- options: each switch turns off exactly its check ------------------------------

#: (claims, decode kwargs, option that disables the check, error when enabled, message)
OPTION_CASES: list[tuple[str, dict[str, Any], dict[str, Any], str, type[Exception], str]] = [
    ("verify_exp", {"exp": NOW - 1}, {}, "exp", jwt.ExpiredSignatureError, "Signature has expired"),
    ("verify_nbf", {"nbf": NOW + 60}, {}, "nbf", jwt.ImmatureSignatureError, "not yet valid (nbf)"),
    ("verify_iat", {"iat": NOW + 60}, {}, "iat", jwt.ImmatureSignatureError, "not yet valid (iat)"),
    ("verify_aud", {"aud": "api"}, {}, "aud", jwt.InvalidAudienceError, "Invalid audience"),
    (
        "verify_iss",
        {"iss": "evil"},
        {"issuer": "good"},
        "iss",
        jwt.InvalidIssuerError,
        "Invalid issuer",
    ),
    ("verify_sub", {"sub": 42}, {}, "sub", jwt.InvalidSubjectError, "Subject must be a string"),
    ("verify_jti", {"jti": 42}, {}, "jti", jwt.InvalidJTIError, "JWT ID must be a string"),
]


@pytest.mark.parametrize(
    ("option", "claims", "kwargs", "claim", "error", "message"),
    OPTION_CASES,
    ids=[case[0] for case in OPTION_CASES],
)
def test_decode_option_disables_its_check(
    option: str,
    claims: dict[str, Any],
    kwargs: dict[str, Any],
    claim: str,
    error: type[Exception],
    message: str,
) -> None:
    token = token_for(claims)
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        decode_at(token, **kwargs)
    with pytest.raises(error):
        decode_at(token, options={option: True}, **kwargs)
    assert decode_at(token, options={option: False}, **kwargs) == claims


def test_decode_verify_signature_false_skips_signature_and_algorithms() -> None:
    token = token_for({"sub": "x", "exp": NOW - 100}, secret=OTHER_SECRET)
    with pytest.raises(jwt.InvalidSignatureError, match="Signature verification failed"):
        decode_at(token)
    decoded = jwt.decode(token, options={"verify_signature": False}, now=NOW)
    assert decoded == {"sub": "x", "exp": NOW - 100}


@pytest.mark.parametrize(
    ("claims", "option"),
    [
        ({"exp": NOW - 1}, "verify_exp"),
        ({"nbf": NOW + 60}, "verify_nbf"),
        ({"iat": NOW + 60}, "verify_iat"),
        ({"aud": "x"}, "verify_aud"),
        ({"sub": 1}, "verify_sub"),
        ({"jti": 1}, "verify_jti"),
    ],
)
def test_decode_without_signature_checks_default_off_but_can_be_enabled(
    claims: dict[str, Any], option: str
) -> None:
    token = token_for(claims)
    unverified = {"verify_signature": False}
    assert jwt.decode(token, options=unverified, now=NOW) == claims
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(token, options={**unverified, option: True}, now=NOW)


def test_decode_requires_algorithms_when_verifying() -> None:
    with pytest.raises(jwt.DecodeError, match='pass in a value for the "algorithms" argument'):
        jwt.decode(token_for({}), HMAC_SECRET)
    with pytest.raises(jwt.DecodeError, match='pass in a value for the "algorithms" argument'):
        jwt.decode(token_for({}), HMAC_SECRET, algorithms=[])


# --- require ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "require", "missing"),
    [
        ({"sub": "x"}, ["exp"], "exp"),
        ({"exp": NOW + 10}, ["exp", "iat"], "iat"),
        ({"exp": NOW + 10, "iat": None}, ["iat"], "iat"),  # null counts as missing
        ({}, ["jti"], "jti"),
    ],
)
def test_decode_require_reports_the_missing_claim(
    claims: dict[str, Any], require: list[str], missing: str
) -> None:
    token = token_for(claims)
    with pytest.raises(
        jwt.MissingRequiredClaimError, match=f'missing the "{missing}" claim'
    ) as info:
        decode_at(token, options={"require": require})
    assert info.value.claim == missing


def test_decode_require_satisfied() -> None:
    claims = {"exp": NOW + 10, "iat": NOW, "sub": "u", "jti": "j"}
    token = token_for(claims)
    assert decode_at(token, options={"require": ["exp", "iat", "sub", "jti"]}) == claims


# --- exp / nbf / iat against an explicit now ----------------------------------------

TIME_CASES: list[tuple[dict[str, Any], float, type[Exception] | None]] = [
    ({"exp": NOW + 1}, 0, None),
    ({"exp": NOW}, 0, jwt.ExpiredSignatureError),  # at exp is expired
    ({"exp": NOW - 1}, 0, jwt.ExpiredSignatureError),
    ({"exp": NOW - 5}, 10, None),
    ({"exp": NOW - 10}, 10, jwt.ExpiredSignatureError),
    ({"exp": float(NOW + 1)}, 0, None),
    ({"nbf": NOW}, 0, None),  # at nbf is valid
    ({"nbf": NOW + 1}, 0, jwt.ImmatureSignatureError),
    ({"nbf": NOW + 5}, 10, None),
    ({"nbf": NOW + 11}, 10, jwt.ImmatureSignatureError),
    ({"iat": NOW}, 0, None),
    ({"iat": NOW - 1000}, 0, None),
    ({"iat": NOW + 1}, 0, jwt.ImmatureSignatureError),
    ({"iat": NOW + 5}, 10, None),
    ({"exp": NOW + 10, "nbf": NOW - 10, "iat": NOW - 10}, 0, None),
]


@pytest.mark.parametrize(("claims", "leeway", "error"), TIME_CASES)
def test_decode_time_claims_against_now(
    claims: dict[str, Any], leeway: float, error: type[Exception] | None
) -> None:
    token = token_for(claims)
    if error is None:
        assert decode_at(token, leeway=leeway) == claims
    else:
        with pytest.raises(error):
            decode_at(token, leeway=leeway)


@pytest.mark.parametrize(
    ("claim", "value", "error", "message"),
    [
        ("exp", "soon", jwt.DecodeError, "Expiration Time claim (exp) must be an integer"),
        ("exp", [1], jwt.DecodeError, "Expiration Time claim (exp) must be an integer"),
        ("nbf", {"t": 1}, jwt.DecodeError, "Not Before claim (nbf) must be an integer"),
        ("iat", "yesterday", jwt.InvalidIssuedAtError, "Issued At claim (iat) must be an integer"),
    ],
)
def test_decode_time_claim_that_is_not_a_number(
    claim: str, value: Any, error: type[Exception], message: str
) -> None:
    token = token_for({claim: value})
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        decode_at(token)


@pytest.mark.parametrize(
    "leeway",
    [10, 10.0, 9.5, timedelta(seconds=10), timedelta(milliseconds=9500)],
    ids=["int", "float", "fraction", "timedelta", "timedelta-ms"],
)
def test_decode_leeway_forms(leeway: float | timedelta) -> None:
    expired_by_nine = token_for({"exp": NOW - 9})
    assert decode_at(expired_by_nine, leeway=leeway) == {"exp": NOW - 9}
    expired_by_eleven = token_for({"exp": NOW - 11})
    with pytest.raises(jwt.ExpiredSignatureError, match="Signature has expired"):
        decode_at(expired_by_eleven, leeway=leeway)


@pytest.mark.parametrize("leeway", ["10", None, [10]])
def test_decode_leeway_of_the_wrong_type(leeway: Any) -> None:
    with pytest.raises(TypeError, match="leeway"):
        decode_at(token_for({}), leeway=leeway)


@pytest.mark.parametrize(
    "now",
    [NOW, float(NOW), datetime.fromtimestamp(NOW, tz=timezone.utc)],
    ids=["int", "float", "aware-datetime"],
)
def test_decode_now_forms(now: Any) -> None:
    assert decode_at(token_for({"exp": NOW + 1}), now=now) == {"exp": NOW + 1}
    with pytest.raises(jwt.ExpiredSignatureError):
        decode_at(token_for({"exp": NOW}), now=now)


def test_decode_now_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        decode_at(token_for({}), now=datetime(2030, 1, 1))


# --- the clock is read at call time (freezegun) --------------------------------------


def test_decode_reads_the_clock_at_call_time_with_freezegun() -> None:
    start = datetime.fromtimestamp(NOW, tz=timezone.utc)
    token = token_for({"exp": NOW + 10, "nbf": NOW - 10, "iat": NOW - 20})
    with freezegun.freeze_time(start) as frozen:
        assert jwt.decode(token, HMAC_SECRET, algorithms=["HS256"])["exp"] == NOW + 10
        frozen.move_to(start + timedelta(seconds=10))
        with pytest.raises(jwt.ExpiredSignatureError, match="Signature has expired"):
            jwt.decode(token, HMAC_SECRET, algorithms=["HS256"])
        assert jwt.decode(token, HMAC_SECRET, algorithms=["HS256"], leeway=1)["iat"] == NOW - 20
        frozen.move_to(start - timedelta(seconds=11))
        with pytest.raises(jwt.ImmatureSignatureError, match=r"not yet valid \(nbf\)"):
            jwt.decode(token, HMAC_SECRET, algorithms=["HS256"])


@freezegun.freeze_time("2030-01-01T00:00:00Z")
def test_decode_datetime_claims_round_trip_under_freezegun() -> None:
    now = datetime.now(tz=timezone.utc)
    token = jwt.encode({"exp": now + timedelta(minutes=5), "iat": now}, HMAC_SECRET)
    assert jwt.decode(token, HMAC_SECRET, algorithms=["HS256"]) == {
        "exp": 1893456000 + 300,
        "iat": 1893456000,
    }


# --- audience -----------------------------------------------------------------------

AUDIENCE_CASES: list[tuple[Any, Any, bool, type[Exception] | None, str]] = [
    ("api", "api", False, None, ""),
    (["web", "api"], "api", False, None, ""),
    ("api", ["api", "other"], False, None, ""),
    (["a", "b"], ["x", "b"], False, None, ""),
    ("api", ("other", "api"), False, None, ""),
    ("api", {"api"}, False, None, ""),
    ("api", "web", False, jwt.InvalidAudienceError, "Audience doesn't match"),
    (["a", "b"], ["c"], False, jwt.InvalidAudienceError, "Audience doesn't match"),
    ("api", None, False, jwt.InvalidAudienceError, "Invalid audience"),
    (None, "api", False, jwt.MissingRequiredClaimError, 'missing the "aud" claim'),
    ("", "api", False, jwt.MissingRequiredClaimError, 'missing the "aud" claim'),
    ([], "api", False, jwt.MissingRequiredClaimError, 'missing the "aud" claim'),
    (42, "api", False, jwt.InvalidAudienceError, "Invalid claim format in token"),
    # Items that are not str never match (PyJWT's `in` test): bytes is an iterable of ints.
    ("api", b"api", False, jwt.InvalidAudienceError, "Audience doesn't match"),
    ("api", [b"api"], False, jwt.InvalidAudienceError, "Audience doesn't match"),
    ("api", [1, "api"], False, None, ""),
    ("api", [], False, jwt.InvalidAudienceError, "Audience doesn't match"),
    (["api", 42], "api", False, jwt.InvalidAudienceError, "Invalid claim format in token"),
    # strict_aud: one string against one string, exactly.
    ("api", "api", True, None, ""),
    ("api", "web", True, jwt.InvalidAudienceError, "Audience doesn't match (strict)"),
    (["api"], "api", True, jwt.InvalidAudienceError, "Invalid claim format in token (strict)"),
    ("api", ["api"], True, jwt.InvalidAudienceError, "Invalid audience (strict)"),
]


@pytest.mark.parametrize(("aud", "audience", "strict", "error", "message"), AUDIENCE_CASES)
def test_decode_audience(
    aud: Any, audience: Any, strict: bool, error: type[Exception] | None, message: str
) -> None:
    claims = {} if aud is None else {"aud": aud}
    token = token_for(claims)
    options = {"strict_aud": strict}
    if error is None:
        assert decode_at(token, audience=audience, options=options) == claims
    else:
        with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
            decode_at(token, audience=audience, options=options)


def test_bytes_audience_is_an_invalid_audience_as_in_pyjwt() -> None:
    token = token_for({"aud": "api"})
    with pytest.raises(jwt.InvalidAudienceError, match="Audience doesn't match"):
        jwt.decode(token, HMAC_SECRET, algorithms=["HS256"], audience=b"api")
    with pytest.raises(pyjwt.InvalidAudienceError, match="Audience doesn't match"):
        pyjwt.decode(token, HMAC_SECRET, algorithms=["HS256"], audience=b"api")


@pytest.mark.parametrize("issuer", [b"https://idp", 123])
def test_unusable_issuer_argument_is_an_invalid_issuer_as_in_pyjwt(issuer: Any) -> None:
    token = token_for({"iss": "https://idp"})
    message = 'Issuer param must be "str" or "Container[str]"'
    with pytest.raises(jwt.InvalidIssuerError, match=re.escape(message)):
        jwt.decode(token, HMAC_SECRET, algorithms=["HS256"], issuer=issuer)
    with pytest.raises(pyjwt.InvalidIssuerError, match=re.escape(message)):
        pyjwt.decode(token, HMAC_SECRET, algorithms=["HS256"], issuer=issuer)


# --- issuer / subject ------------------------------------------------------------------

ISSUER_CASES: list[tuple[Any, Any, type[Exception] | None, str]] = [
    ("https://idp", "https://idp", None, ""),
    ("https://idp", ["https://a", "https://idp"], None, ""),
    ("https://idp", ("https://idp",), None, ""),
    ("https://idp", frozenset({"https://idp"}), None, ""),
    ("anything", None, None, ""),
    ("https://idp", "https://other", jwt.InvalidIssuerError, "Invalid issuer"),
    ("https://idp", ["https://a", "https://b"], jwt.InvalidIssuerError, "Invalid issuer"),
    (None, "https://idp", jwt.MissingRequiredClaimError, 'missing the "iss" claim'),
    (42, "https://idp", jwt.InvalidIssuerError, "Issuer (iss) must be a string"),
    # An issuer that is not a str or a container of str, as PyJWT's `iss in issuer` fails.
    ("https://idp", b"https://idp", jwt.InvalidIssuerError, 'Issuer param must be "str"'),
    ("https://idp", 123, jwt.InvalidIssuerError, 'Issuer param must be "str"'),
    (42, 123, jwt.InvalidIssuerError, "Issuer (iss) must be a string"),
    (None, 123, jwt.MissingRequiredClaimError, 'missing the "iss" claim'),
]


@pytest.mark.parametrize(("iss", "issuer", "error", "message"), ISSUER_CASES)
def test_decode_issuer(iss: Any, issuer: Any, error: type[Exception] | None, message: str) -> None:
    claims = {} if iss is None else {"iss": iss}
    token = forge({"alg": "HS256", "typ": "JWT"}, claims)  # encode refuses a non-str iss
    if error is None:
        assert decode_at(token, issuer=issuer) == claims
    else:
        with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
            decode_at(token, issuer=issuer)


SUBJECT_CASES: list[tuple[Any, Any, type[Exception] | None, str]] = [
    ("user-1", "user-1", None, ""),
    ("user-1", None, None, ""),
    (None, "user-1", None, ""),  # PyJWT: an absent sub is not checked
    ("user-1", "user-2", jwt.InvalidSubjectError, "Invalid subject"),
    (42, None, jwt.InvalidSubjectError, "Subject must be a string"),
    (42, "42", jwt.InvalidSubjectError, "Subject must be a string"),
]


@pytest.mark.parametrize(("sub", "subject", "error", "message"), SUBJECT_CASES)
def test_decode_subject(
    sub: Any, subject: Any, error: type[Exception] | None, message: str
) -> None:
    claims = {} if sub is None else {"sub": sub}
    token = token_for(claims)
    if error is None:
        assert decode_at(token, subject=subject) == claims
    else:
        with pytest.raises(error, match=message):
            decode_at(token, subject=subject)


# --- decode_complete / get_unverified_header -----------------------------------------


def test_decode_complete_returns_header_payload_and_signature() -> None:
    token = jwt.encode({"sub": "x"}, HMAC_SECRET, headers={"kid": "k1"})
    decoded = jwt.decode_complete(token, HMAC_SECRET, algorithms=["HS256"])
    assert decoded["header"] == {"alg": "HS256", "kid": "k1", "typ": "JWT"}
    assert decoded["payload"] == {"sub": "x"}
    assert decoded["signature"] == b64url_decode(token.split(".")[2])
    assert isinstance(decoded["signature"], bytes)
    assert len(decoded["signature"]) == 32


def test_decode_accepts_bytes_tokens() -> None:
    token = token_for({"a": 1})
    assert decode_at(token.encode()) == {"a": 1}
    assert jwt.get_unverified_header(token.encode())["alg"] == "HS256"


@pytest.mark.parametrize(
    "headers",
    [{"kid": "k"}, {"typ": "at+jwt", "kid": "k"}, {"typ": None}, {"x-custom": [1, {"a": None}]}],
)
def test_get_unverified_header(headers: dict[str, Any]) -> None:
    token = jwt.encode({"a": 1}, OTHER_SECRET, headers=headers)
    expected = {"alg": "HS256", "typ": "JWT", **headers}
    expected = {name: value for name, value in expected.items() if value is not None}
    assert jwt.get_unverified_header(token) == expected


def test_get_unverified_header_does_not_verify_anything() -> None:
    token = token_for({"exp": 1}, secret=OTHER_SECRET)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert jwt.get_unverified_header(tampered) == {"alg": "HS256", "typ": "JWT"}


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("onlyone", "Not enough segments"),
        ("bad!.eyJ9.sig", "Invalid header padding"),
    ],
)
def test_get_unverified_header_refuses_malformed_tokens(token: str, message: str) -> None:
    with pytest.raises(jwt.DecodeError, match=message):
        jwt.get_unverified_header(token)


def test_get_unverified_header_refuses_a_non_string_kid() -> None:
    token = forge({"alg": "HS256", "kid": 7}, {})
    with pytest.raises(jwt.InvalidTokenError, match="Key ID header parameter must be a string"):
        jwt.get_unverified_header(token)


# --- key forms on decode ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("algorithm", "family"), [("RS256", "RSA"), ("ES384", "P-384"), ("EdDSA", "Ed25519")]
)
def test_decode_accepts_every_key_form(
    keypairs: dict[str, KeyPair], algorithm: str, family: str
) -> None:
    pair = keypairs[family]
    token = jwt.encode({"sub": "x"}, pair.private_pem, algorithm)
    forms: list[Any] = [
        pair.public_pem,
        pair.public_pem.decode(),
        pair.public,
        pair.private,  # a private key verifies with its public half
        pair.private_pem,
        jwt.Key.from_pem(pair.public_pem),
        jwt.Key.from_pem(pair.private_pem).public_key(),
        private_jwk(pair.public),
        jwt.PyJWK(private_jwk(pair.public), algorithm),
    ]
    for form in forms:
        assert jwt.decode(token, form, algorithms=[algorithm]) == {"sub": "x"}


def test_decode_with_pyjwk_defaults_algorithms_to_the_key_algorithm(
    keypairs: dict[str, KeyPair],
) -> None:
    pair = keypairs["P-256"]
    token = jwt.encode({"a": 1}, pair.private, "ES256")
    jwk = jwt.PyJWK(private_jwk(pair.public))
    assert jwk.algorithm_name == "ES256"
    assert jwt.decode(token, jwk) == {"a": 1}


@pytest.mark.parametrize("algorithms", [None, ["RS256", "PS256"], ["PS256"]])
def test_decode_with_pyjwk_refuses_another_algorithm_of_the_same_family(
    keypairs: dict[str, KeyPair], algorithms: list[str] | None
) -> None:
    """A PyJWK bound to RS256 must not verify a PS256 token, whatever the allowed list."""
    pair = keypairs["RSA"]
    token = jwt.encode({"a": 1}, pair.private, "PS256")
    jwk = jwt.PyJWK(private_jwk(pair.public), "RS256")
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.decode(token, jwk, algorithms=algorithms)


Caller = Callable[..., Any]


@pytest.mark.parametrize("function", [jwt.decode, jwt.decode_complete])
def test_decode_options_can_be_any_mapping(function: Caller) -> None:
    from types import MappingProxyType

    token = token_for({"exp": NOW - 1})
    result = function(
        token, HMAC_SECRET, algorithms=["HS256"], options=MappingProxyType({"verify_exp": False})
    )
    payload = result if function is jwt.decode else result["payload"]
    assert payload == {"exp": NOW - 1}
