"""Arguments PyJWT keeps for compatibility, answered as PyJWT answers them:
``verify=`` (PyJWT 1), unknown keyword arguments, ``detached_payload``, and
PyJWT's positional order."""

from __future__ import annotations

import warnings

import jwt as pyjwt
import pytest
from ferrojwt import jwt
from jwt_helpers import HMAC_SECRET

TOKEN = jwt.encode({"sub": "alice", "aud": "api", "iss": "me"}, HMAC_SECRET)
VERIFY_MESSAGE = "The `verify` argument to `decode` does nothing in PyJWT 2.0 and newer"


@pytest.mark.parametrize("module", [jwt, pyjwt], ids=["ferrojwt", "pyjwt"])
def test_verify_false_warns_and_changes_nothing(module: object) -> None:
    decode = module.decode  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning, match=VERIFY_MESSAGE):
        # The signature is still verified: verify=False does not turn it off.
        with pytest.raises(module.InvalidSignatureError):  # type: ignore[attr-defined]
            decode(
                TOKEN,
                b"another-secret-of-thirty-two-bytes",
                verify=False,
                algorithms=["HS256"],
                audience="api",
            )


def test_verify_that_agrees_with_the_options_is_silent() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        claims = jwt.decode(TOKEN, options={"verify_signature": False}, verify=False)
        assert claims["sub"] == "alice"
        jwt.decode(TOKEN, HMAC_SECRET, algorithms=["HS256"], audience="api", verify=True)
    with pytest.warns(DeprecationWarning, match="mismatch between the kwarg and the option"):
        jwt.decode_complete(TOKEN, verify=True, options={"verify_signature": False})
    with pytest.warns(DeprecationWarning, match=VERIFY_MESSAGE):
        jwt.PyJWT().decode(TOKEN, HMAC_SECRET, algorithms=["HS256"], audience="api", verify=False)


def test_unknown_keyword_arguments_warn_and_are_ignored() -> None:
    with pytest.warns(
        jwt.RemovedInPyjwt3Warning, match=r"Unsupported kwargs: \('foo',\)"
    ) as caught:
        jwt.decode(TOKEN, HMAC_SECRET, algorithms=["HS256"], audience="api", foo="bar")
    assert caught[0].filename == __file__
    with pytest.warns(jwt.RemovedInPyjwt3Warning, match=r"decode_complete\(\) is deprecated"):
        jwt.decode_complete(TOKEN, HMAC_SECRET, algorithms=["HS256"], audience="api", foo=1)
    with pytest.warns(jwt.RemovedInPyjwt3Warning, match="foo"):
        jwt.PyJWS().decode(
            jwt.PyJWS().encode(b"x", HMAC_SECRET), HMAC_SECRET, algorithms=["HS256"], foo=1
        )
    assert issubclass(jwt.RemovedInPyjwt3Warning, DeprecationWarning)


def test_detached_payload_is_refused_for_an_ordinary_token() -> None:
    message = 'It is only valid to pass "detached_payload" when the protected header has "b64"'
    with pytest.raises(jwt.DecodeError, match=message):
        jwt.decode(TOKEN, HMAC_SECRET, algorithms=["HS256"], detached_payload=b"x")
    with pytest.raises(pyjwt.DecodeError, match=message):
        pyjwt.decode(TOKEN, HMAC_SECRET, algorithms=["HS256"], detached_payload=b"x")
    with pytest.raises(jwt.DecodeError, match="Not enough segments"):
        jwt.decode("not-a-token", HMAC_SECRET, algorithms=["HS256"], detached_payload=b"x")


def test_positional_arguments_follow_pyjwts_order() -> None:
    # decode(jwt, key, algorithms, options, verify, detached_payload, audience, subject, issuer)
    args = (TOKEN, HMAC_SECRET, ["HS256"], None, None, None, "api", None, "me")
    assert jwt.decode(*args) == pyjwt.decode(*args)
    with pytest.raises(jwt.InvalidIssuerError, match="Invalid issuer"):
        jwt.decode(TOKEN, HMAC_SECRET, ["HS256"], None, None, None, "api", None, "you")
    # decode_complete(..., audience, issuer, subject, leeway)
    complete = jwt.decode_complete(TOKEN, HMAC_SECRET, ["HS256"], None, None, None, "api", "me")
    assert complete["payload"]["iss"] == "me"
    with pytest.raises(jwt.InvalidSubjectError, match="Invalid subject"):
        jwt.decode_complete(TOKEN, HMAC_SECRET, ["HS256"], None, None, None, "api", "me", "bob")
