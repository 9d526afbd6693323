"""``jwt.encode``/``decode``/``decode_complete`` are the native functions themselves,
with PyJWT 2.15.1's signatures: positional order, keyword names, defaults (the
algorithm sentinel, a PyJWK's own algorithm), the legacy arguments' warnings
(pointing at the caller's line), and the argument shapes the Python wrapper used to
convert (timedelta leeway, datetime ``now``, any mapping of options)."""

from __future__ import annotations

import inspect
import re
import sys
import time
import types
import warnings
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt as pyjwt
import pytest
from ferrojwt import _core, jwt
from ferrojwt.jwt import api
from jwt_helpers import HMAC_SECRET, NOW, KeyPair, private_jwk

CLAIMS = {"sub": "alice", "iss": "me", "aud": "api", "iat": NOW, "exp": NOW + 60}
TOKEN = jwt.encode(CLAIMS, HMAC_SECRET, "HS256")
KEY = jwt.Key.hmac(HMAC_SECRET)


# --- the functions are native -------------------------------------------------------


@pytest.mark.parametrize("name", ["encode", "decode", "decode_complete", "get_unverified_header"])
def test_the_public_functions_are_the_native_ones(name: str) -> None:
    function = getattr(jwt, name)
    assert function is getattr(_core, name)
    assert function is getattr(api, name)
    # A builtin, not a Python function wrapping one: no Python frame on the call path.
    assert inspect.isbuiltin(function)
    assert not inspect.isfunction(function)


# --- signatures ----------------------------------------------------------------------


def _parameters(function: Any) -> list[tuple[str, Any]]:
    return [(p.name, p.kind) for p in inspect.signature(function).parameters.values()]


@pytest.mark.parametrize("name", ["encode", "decode", "decode_complete"])
def test_the_parameters_are_pyjwts_plus_keyword_only_now(name: str) -> None:
    ours = _parameters(getattr(jwt, name))
    theirs = _parameters(getattr(pyjwt, name))
    if name == "encode":
        assert ours == theirs
    else:
        # ferrojwt adds one keyword-only argument, `now`, before **kwargs.
        assert ours == [*theirs[:-1], ("now", inspect.Parameter.KEYWORD_ONLY), theirs[-1]]


def test_the_text_signatures_show_pyjwts_defaults() -> None:
    decode = inspect.signature(jwt.decode).parameters
    assert decode["key"].default == ""
    assert decode["leeway"].default == 0
    assert decode["algorithms"].default is None
    assert decode["now"].default is None
    encode = inspect.signature(jwt.encode).parameters
    assert encode["algorithm"].default == "HS256"  # what ALGORITHM_UNSET means for a str key
    assert encode["sort_headers"].default is True
    assert jwt.decode.__text_signature__ is not None
    assert "subject=None, issuer=None" in jwt.decode.__text_signature__
    assert "issuer=None, subject=None" in jwt.decode_complete.__text_signature__


TIMELESS = {"sub": "alice", "iss": "me", "aud": "api"}
TIMELESS_TOKEN = jwt.encode(TIMELESS, HMAC_SECRET, "HS256")
POSITIONAL = (TIMELESS_TOKEN, HMAC_SECRET, ["HS256"], None, None, None, "api")


@pytest.mark.parametrize("module", [jwt, pyjwt], ids=["ferrojwt", "pyjwt"])
def test_decode_takes_subject_before_issuer_positionally(module: Any) -> None:
    assert module.decode(*POSITIONAL, "alice", "me", 0) == TIMELESS
    assert module.decode(*POSITIONAL, "alice") == TIMELESS
    with pytest.raises(module.exceptions.InvalidSubjectError):
        module.decode(*POSITIONAL, "me")


@pytest.mark.parametrize("module", [jwt, pyjwt], ids=["ferrojwt", "pyjwt"])
def test_decode_complete_takes_issuer_before_subject_positionally(module: Any) -> None:
    assert module.decode_complete(*POSITIONAL, "me", "alice", 0)["payload"] == TIMELESS
    assert module.decode_complete(*POSITIONAL, "me")["payload"] == TIMELESS
    with pytest.raises(module.exceptions.InvalidIssuerError):
        module.decode_complete(*POSITIONAL, "alice")


def test_keyword_names_are_pyjwts() -> None:
    claims = jwt.decode(
        jwt=TOKEN,
        key=HMAC_SECRET,
        algorithms=["HS256"],
        options={"verify_exp": True},
        audience="api",
        subject="alice",
        issuer="me",
        leeway=1,
        now=NOW,
    )
    assert claims == CLAIMS
    token = jwt.encode(
        payload={"a": 1},
        key=HMAC_SECRET,
        algorithm="HS384",
        headers={"kid": "k"},
        json_encoder=None,
        sort_headers=False,
    )
    assert jwt.get_unverified_header(jwt=token) == {"typ": "JWT", "alg": "HS384", "kid": "k"}
    with pytest.raises(TypeError):
        jwt.encode({"a": 1}, HMAC_SECRET, "HS256", None, None, True, False)  # type: ignore[call-arg]


def test_the_key_defaults_to_an_empty_string_as_in_pyjwt() -> None:
    unsigned = {"verify_signature": False}
    assert jwt.decode(TOKEN, options=unsigned) == CLAIMS
    # "" is an (empty) HMAC secret, which ferrojwt refuses.
    with pytest.raises(jwt.InvalidKeyError, match="must not be empty"):
        jwt.decode(TOKEN, algorithms=["HS256"], audience="api", now=NOW)


# --- the algorithm sentinel ------------------------------------------------------------


def test_the_sentinel_is_one_native_object() -> None:
    assert api.ALGORITHM_UNSET is _core.ALGORITHM_UNSET
    assert type(api.ALGORITHM_UNSET) is _core.AlgorithmUnset
    assert repr(api.ALGORITHM_UNSET) == "<algorithm not given>"
    with pytest.raises(TypeError):
        _core.AlgorithmUnset()  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("family", "expected"), [("P-256", "ES256"), ("Ed25519", "EdDSA"), ("RSA", "RS256")]
)
def test_a_pyjwk_signs_with_its_own_algorithm_unless_told(
    keypairs: dict[str, KeyPair], family: str, expected: str
) -> None:
    key = jwt.PyJWK(private_jwk(keypairs[family].private))
    for token in (
        jwt.encode({"a": 1}, key),
        jwt.encode({"a": 1}, key, api.ALGORITHM_UNSET),
        jwt.encode({"a": 1}, key, None),  # None too, as in PyJWT
        jwt.PyJWT().encode({"a": 1}, key),
    ):
        assert jwt.get_unverified_header(token)["alg"] == expected
        assert jwt.decode(token, jwt.PyJWK(private_jwk(keypairs[family].public))) == {"a": 1}
    # An explicit algorithm wins over the PyJWK's, and must then fit the key.
    with pytest.raises(jwt.InvalidKeyError):
        jwt.encode({"a": 1}, key, "HS256")


def test_unset_is_hs256_and_none_is_refused_for_other_keys() -> None:
    token = jwt.encode({"a": 1}, KEY, api.ALGORITHM_UNSET)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert jwt.get_unverified_header(jwt.encode({"a": 1}, HMAC_SECRET))["alg"] == "HS256"
    # None is PyJWT's "none", which ferrojwt does not implement.
    with pytest.raises(NotImplementedError, match="Algorithm not supported"):
        jwt.encode({"a": 1}, HMAC_SECRET, None)
    with pytest.raises(NotImplementedError, match="Algorithm not supported"):
        jwt.encode({"a": 1}, HMAC_SECRET, 256)  # type: ignore[arg-type]
    with pytest.raises(NotImplementedError, match="Algorithm not supported"):
        pyjwt.encode({"a": 1}, HMAC_SECRET, 256)  # type: ignore[arg-type]
    # A header's alg wins over all of them, as in PyJWT.
    token = jwt.encode({"a": 1}, HMAC_SECRET, None, headers={"alg": "HS512"})
    assert jwt.get_unverified_header(token)["alg"] == "HS512"


def test_the_pyjws_class_resolves_the_algorithm_the_same_way(keypairs: dict[str, KeyPair]) -> None:
    key = jwt.PyJWK(private_jwk(keypairs["P-256"].private))
    assert jwt.get_unverified_header(jwt.PyJWS().encode(b"x", key))["alg"] == "ES256"
    assert jwt.get_unverified_header(jwt.PyJWS().encode(b"x", HMAC_SECRET))["alg"] == "HS256"
    assert _core.signing_algorithm(api.ALGORITHM_UNSET, key) == "ES256"
    assert _core.signing_algorithm(None, HMAC_SECRET) is None
    assert _core.signing_algorithm("PS256", key) == "PS256"


# --- legacy arguments: warnings at the caller's line -------------------------------------


def _next_line() -> int:
    """The number of the line after the caller's."""
    return sys._getframe(1).f_lineno + 1


def _recorded() -> warnings.catch_warnings[list[warnings.WarningMessage]]:
    recorder = warnings.catch_warnings(record=True)
    return recorder


@pytest.mark.parametrize("name", ["decode", "decode_complete"])
def test_unknown_kwargs_warn_at_the_callers_line(name: str) -> None:
    function = getattr(jwt, name)
    with _recorded() as caught:
        warnings.simplefilter("always")
        line = _next_line()
        function(TOKEN, HMAC_SECRET, ["HS256"], audience="api", now=NOW, foo=1, bar=2)
    assert len(caught) == 1
    (warning,) = caught
    assert warning.category is jwt.RemovedInPyjwt3Warning
    assert str(warning.message) == (
        f"passing additional kwargs to {name}() is deprecated and will be removed in pyjwt "
        "version 3. Unsupported kwargs: ('foo', 'bar')"
    )
    assert (warning.filename, warning.lineno) == (__file__, line)


@pytest.mark.parametrize("module", [jwt, pyjwt], ids=["ferrojwt", "pyjwt"])
def test_the_kwargs_warning_points_at_the_caller_as_pyjwts_does(module: Any) -> None:
    with _recorded() as caught:
        warnings.simplefilter("always")
        line = _next_line()
        module.decode(TOKEN, options={"verify_signature": False}, foo=1)
    assert [(w.category.__name__, w.filename, w.lineno) for w in caught] == [
        ("RemovedInPyjwt3Warning", __file__, line)
    ]


def test_a_contradicting_verify_warns_at_the_callers_line() -> None:
    unsigned = types.MappingProxyType({"verify_signature": False})
    with _recorded() as caught:
        warnings.simplefilter("always")
        line = _next_line()
        jwt.decode(TOKEN, options=unsigned, verify=True)
    (warning,) = caught
    assert warning.category is DeprecationWarning
    assert str(warning.message).startswith("The `verify` argument to `decode` does nothing")
    assert "mismatch between the kwarg and the option entry" in str(warning.message)
    assert (warning.filename, warning.lineno) == (__file__, line)
    # Agreeing with the options (verify_signature defaults to True) is silent.
    with _recorded() as caught:
        warnings.simplefilter("always")
        jwt.decode(TOKEN, HMAC_SECRET, ["HS256"], verify=True, audience="api", now=NOW)
    assert caught == []


def test_the_classes_warnings_point_at_their_callers() -> None:
    token = jwt.PyJWS().encode(b"x", HMAC_SECRET)
    with _recorded() as caught:
        warnings.simplefilter("always")
        first = _next_line()
        jwt.PyJWT().decode(TOKEN, options={"verify_signature": False}, foo=1)
        jwt.PyJWS().decode(token, HMAC_SECRET, ["HS256"], foo=1)
        jwt.PyJWT().decode(TOKEN, HMAC_SECRET, ["HS256"], verify=False, audience="api", now=NOW)
    assert [(w.category, w.filename, w.lineno) for w in caught] == [
        (jwt.RemovedInPyjwt3Warning, __file__, first),
        (jwt.RemovedInPyjwt3Warning, __file__, first + 1),
        (DeprecationWarning, __file__, first + 2),
    ]


def test_a_warning_turned_into_an_error_is_raised() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", jwt.RemovedInPyjwt3Warning)
        with pytest.raises(jwt.RemovedInPyjwt3Warning, match="Unsupported kwargs"):
            jwt.decode(TOKEN, HMAC_SECRET, ["HS256"], audience="api", now=NOW, foo=1)


def test_detached_payload_fails_as_a_malformed_token_first() -> None:
    with pytest.raises(jwt.DecodeError, match="Not enough segments"):
        jwt.decode("abc", HMAC_SECRET, ["HS256"], detached_payload=b"x")
    with pytest.raises(jwt.DecodeError, match='"b64" set to false'):
        jwt.decode(TOKEN, HMAC_SECRET, ["HS256"], detached_payload=b"x")


# --- argument shapes ---------------------------------------------------------------


EXPIRED_10S_AGO = jwt.encode({"exp": NOW - 10}, HMAC_SECRET, "HS256")


@pytest.mark.parametrize("function", [jwt.decode, jwt.decode_complete])
def test_leeway_as_a_timedelta(function: Any) -> None:
    function(EXPIRED_10S_AGO, KEY, ["HS256"], leeway=timedelta(seconds=30), now=NOW)
    function(EXPIRED_10S_AGO, KEY, ["HS256"], leeway=30.0, now=NOW)
    with pytest.raises(jwt.ExpiredSignatureError):
        function(EXPIRED_10S_AGO, KEY, ["HS256"], leeway=timedelta(seconds=5), now=NOW)
    with pytest.raises(jwt.ExpiredSignatureError):
        function(EXPIRED_10S_AGO, KEY, ["HS256"], leeway=5, now=NOW)


@pytest.mark.parametrize("leeway", [None, "30", [30]])
def test_a_leeway_that_is_neither_number_nor_timedelta_is_a_type_error(leeway: Any) -> None:
    with pytest.raises(TypeError, match="leeway"):
        jwt.decode(EXPIRED_10S_AGO, KEY, ["HS256"], leeway=leeway, now=NOW)
    with pytest.raises(TypeError):
        pyjwt.decode(EXPIRED_10S_AGO, HMAC_SECRET, ["HS256"], leeway=leeway)


def test_now_as_an_aware_datetime_or_a_number() -> None:
    before = datetime.fromtimestamp(NOW - 20, tz=timezone.utc)
    assert jwt.decode(EXPIRED_10S_AGO, KEY, ["HS256"], now=before) == {"exp": NOW - 10}
    assert jwt.decode(EXPIRED_10S_AGO, KEY, ["HS256"], now=NOW - 20) == {"exp": NOW - 10}
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode_complete(EXPIRED_10S_AGO, KEY, ["HS256"], now=datetime.now(timezone.utc))
    with pytest.raises(ValueError, match="aware"):
        jwt.decode(EXPIRED_10S_AGO, KEY, ["HS256"], now=datetime(2023, 1, 1))
    with pytest.raises(TypeError, match="now"):
        jwt.decode(EXPIRED_10S_AGO, KEY, ["HS256"], now="today")


def test_now_defaults_to_time_time_looked_up_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    valid = jwt.encode({"exp": NOW + 60}, KEY, "HS256")
    monkeypatch.setattr(time, "time", lambda: float(NOW))
    assert jwt.decode(valid, KEY, ["HS256"]) == {"exp": NOW + 60}
    monkeypatch.setattr(time, "time", lambda: float(NOW + 61))
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(valid, KEY, ["HS256"])
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode_complete(valid, KEY, ["HS256"])


def test_freezegun_moves_the_default_clock() -> None:
    freezegun = pytest.importorskip("freezegun")
    valid = jwt.encode({"exp": NOW + 60}, KEY, "HS256")
    with freezegun.freeze_time(datetime.fromtimestamp(NOW, tz=timezone.utc)):
        assert jwt.decode(valid, KEY, ["HS256"]) == {"exp": NOW + 60}
    with freezegun.freeze_time(datetime.fromtimestamp(NOW + 61, tz=timezone.utc)):
        with pytest.raises(jwt.ExpiredSignatureError):
            jwt.decode(valid, KEY, ["HS256"])


class _Options(Mapping[str, Any]):
    """A mapping that is not a dict."""

    def __init__(self, **entries: Any) -> None:
        self._entries = entries

    def __getitem__(self, name: str) -> Any:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


@pytest.mark.parametrize(
    "make",
    [dict, lambda **kw: types.MappingProxyType(kw), _Options],
    ids=["dict", "mappingproxy", "Mapping"],
)
def test_options_as_any_mapping(make: Any) -> None:
    assert jwt.decode(EXPIRED_10S_AGO, KEY, ["HS256"], make(verify_exp=False), now=NOW) == {
        "exp": NOW - 10
    }
    unsigned = make(verify_signature=False)
    assert jwt.decode_complete(EXPIRED_10S_AGO, options=unsigned, now=NOW)["payload"]
    with pytest.raises(jwt.MissingRequiredClaimError, match="sub"):
        jwt.decode(EXPIRED_10S_AGO, KEY, ["HS256"], make(require=["sub"], verify_exp=False))


def test_unknown_option_names_are_ignored_as_pyjwt_ignores_them() -> None:
    options: dict[Any, Any] = {"verify_everything": True, 1: True, "verify_exp": False}
    assert jwt.decode(EXPIRED_10S_AGO, KEY, ["HS256"], options, now=NOW) == {"exp": NOW - 10}
    assert pyjwt.decode(EXPIRED_10S_AGO, HMAC_SECRET, ["HS256"], options) == {"exp": NOW - 10}


def test_every_known_option_is_read_whatever_the_dict_holds() -> None:
    # enforce_minimum_key_length is the last name looked up: it must be found beside
    # any number of other entries.
    short = b"short"
    everything = {
        "verify_signature": True,
        "verify_exp": True,
        "verify_nbf": True,
        "verify_iat": True,
        "verify_aud": True,
        "verify_iss": True,
        "verify_sub": True,
        "verify_jti": True,
        "strict_aud": False,
        "require": [],
        "unknown": 1,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
        token = jwt.encode({"a": 1}, short, "HS256")
    for options in (
        {"enforce_minimum_key_length": True},
        {**everything, "enforce_minimum_key_length": True},
    ):
        with pytest.raises(jwt.InvalidKeyError):
            jwt.decode(token, short, ["HS256"], options)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, b"another" * 8, ["HS256"], everything)


# --- errors are the classes they were ----------------------------------------------------


def test_errors_keep_their_classes(keypairs: dict[str, KeyPair]) -> None:
    with pytest.raises(TypeError, match="Expecting a dict object"):
        jwt.encode(["not", "a", "dict"], HMAC_SECRET)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Expected a key to sign with, got None"):
        jwt.encode({"a": 1}, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Expected a key"):
        jwt.encode({"a": 1}, 12345)  # type: ignore[arg-type]
    with pytest.raises(jwt.DecodeError, match='"algorithms" argument'):
        jwt.decode(TOKEN, HMAC_SECRET)
    with pytest.raises(jwt.InvalidAlgorithmError, match="not allowed"):
        jwt.decode(TOKEN, HMAC_SECRET, ["HS512"])
    with pytest.raises(jwt.DecodeError):
        jwt.decode("not.a.token", HMAC_SECRET, ["HS256"])
    with pytest.raises(jwt.DecodeError, match="Invalid token type"):
        jwt.decode(1234, HMAC_SECRET, ["HS256"])  # type: ignore[arg-type]
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(TOKEN, HMAC_SECRET, ["HS256"], audience="other", now=NOW)
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(TOKEN, HMAC_SECRET, ["HS256"], audience="api")
    public = jwt.PyJWK(private_jwk(keypairs["P-256"].public))
    es256 = jwt.encode({"a": 1}, keypairs["P-256"].private, "ES256")
    es384 = jwt.encode({"a": 1}, keypairs["P-384"].private, "ES384")
    assert jwt.decode(es256, public) == {"a": 1}
    assert jwt.decode(es256, keypairs["P-256"].public, ["ES256"]) == {"a": 1}
    assert jwt.decode(es256, private_jwk(keypairs["P-256"].public), ["ES256"]) == {"a": 1}
    with pytest.raises(jwt.InvalidAlgorithmError, match="does not match the key's algorithm"):
        jwt.decode(es384, public, ["ES256", "ES384"])


# --- argument binding, as Python binds a function's arguments ----------------------------


@pytest.mark.parametrize("name", ["decode", "decode_complete"])
def test_misbound_arguments_are_type_errors_with_pythons_messages(name: str) -> None:
    ours, theirs = getattr(jwt, name), getattr(pyjwt, name)
    eleven = (TOKEN, HMAC_SECRET, ["HS256"], None, None, None, "api", None, None, 0, NOW)
    for call, message in [
        (lambda f: f(), f"{name}() missing 1 required positional argument: 'jwt'"),
        (lambda f: f(*eleven), f"{name}() takes from 1 to 10 positional arguments but 11"),
        (lambda f: f(TOKEN, jwt=TOKEN), f"{name}() got multiple values for argument 'jwt'"),
        (lambda f: f(TOKEN, HMAC_SECRET, key=HMAC_SECRET), "multiple values for argument 'key'"),
    ]:
        with pytest.raises(TypeError, match=re.escape(message)):
            call(ours)
        with pytest.raises(TypeError):
            call(theirs)


def test_now_is_keyword_only_and_every_parameter_binds_by_name() -> None:
    # Each keyword lands on its own parameter: a wrong binding would fail a check.
    claims = jwt.decode(
        now=NOW,
        leeway=0,
        issuer="me",
        subject="alice",
        audience="api",
        options={"require": ["sub"]},
        algorithms=["HS256"],
        key=HMAC_SECRET,
        jwt=TOKEN,
    )
    assert claims == CLAIMS
    complete = jwt.decode_complete(
        subject="alice",
        issuer="me",
        audience="api",
        algorithms=["HS256"],
        key=KEY,
        jwt=TOKEN,
        now=NOW,
    )
    assert complete["payload"] == CLAIMS
    with pytest.raises(TypeError, match="argument 'subject'"):
        jwt.decode(TOKEN, HMAC_SECRET, ["HS256"], subject=3, now=NOW)  # type: ignore[arg-type]


def test_unknown_keywords_are_collected_not_bound() -> None:
    with _recorded() as caught:
        warnings.simplefilter("always")
        claims = jwt.decode(
            TOKEN, HMAC_SECRET, ["HS256"], audience="api", now=NOW, algorithm="none", keys=1
        )
    assert claims == CLAIMS
    (warning,) = caught
    assert str(warning.message).endswith("Unsupported kwargs: ('algorithm', 'keys')")
    # A keyword that is not even UTF-8 is one more unknown keyword, not an encoding error.
    odd = {"\udcff": 1}
    with _recorded() as caught:
        warnings.simplefilter("always")
        assert jwt.decode(TOKEN, HMAC_SECRET, ["HS256"], audience="api", now=NOW, **odd) == CLAIMS
    (warning,) = caught
    assert warning.category is jwt.RemovedInPyjwt3Warning
