"""Short HMAC secrets: PyJWT's InsecureKeyLengthWarning, or InvalidKeyError when
``enforce_minimum_key_length`` is set (RFC 7518 section 3.2: at least the hash size)."""

from __future__ import annotations

import warnings

import jwt as pyjwt
import pytest
from ferrojwt import jwt

SHORT = "a-31-byte-secret-for-hs256-use!"
assert len(SHORT) == 31
HS256_MESSAGE = (
    "The HMAC key is 31 bytes long, which is below the minimum recommended length of 32 "
    "bytes for SHA256. See RFC 7518 Section 3.2."
)


def test_short_secret_warns_on_encode_with_pyjwts_text() -> None:
    with pytest.warns(jwt.InsecureKeyLengthWarning) as ours:
        token = jwt.encode({"a": 1}, SHORT)
    with pytest.warns(pyjwt.InsecureKeyLengthWarning) as theirs:
        assert pyjwt.encode({"a": 1}, SHORT) == token
    assert str(ours[0].message) == str(theirs[0].message) == HS256_MESSAGE
    assert ours[0].filename == __file__  # attributed to the caller


@pytest.mark.parametrize(("algorithm", "minimum"), [("HS384", 48), ("HS512", 64)])
def test_minimum_is_the_hash_size(algorithm: str, minimum: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jwt.encode({"a": 1}, "k" * minimum, algorithm=algorithm)
    with pytest.warns(jwt.InsecureKeyLengthWarning, match=f"{minimum - 1} bytes long"):
        jwt.encode({"a": 1}, "k" * (minimum - 1), algorithm=algorithm)


def test_short_secret_warns_on_decode() -> None:
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        token = jwt.encode({"a": 1}, SHORT)
    with pytest.warns(jwt.InsecureKeyLengthWarning, match="31 bytes long"):
        assert jwt.decode(token, SHORT, algorithms=["HS256"]) == {"a": 1}
    key = jwt.Key.hmac(SHORT)  # a parsed Key is checked the same way
    with pytest.warns(jwt.InsecureKeyLengthWarning, match="31 bytes long"):
        jwt.decode(token, key, algorithms=["HS256"])


def test_enforce_minimum_key_length_refuses_short_secrets() -> None:
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        token = jwt.encode({"a": 1}, SHORT)
    options = {"enforce_minimum_key_length": True}
    with pytest.raises(jwt.InvalidKeyError, match="31 bytes long, which is below the minimum"):
        jwt.decode(token, SHORT, algorithms=["HS256"], options=options)
    with pytest.raises(jwt.InvalidKeyError, match="31 bytes long"):
        jwt.PyJWT(options=options).encode({"a": 1}, SHORT)
    with pytest.raises(jwt.InvalidKeyError, match="31 bytes long"):
        jwt.PyJWT(options=options).decode(token, SHORT, algorithms=["HS256"])
    with pytest.raises(jwt.InvalidKeyError, match="31 bytes long"):
        jwt.PyJWS(options=options).encode(b"x", SHORT)
    with pytest.raises(jwt.InvalidKeyError, match="31 bytes long"):
        jwt.PyJWS(options=options).decode(token, SHORT, algorithms=["HS256"])


def test_enforcement_is_not_needed_for_long_enough_secrets() -> None:
    secret = "s" * 32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        token = jwt.PyJWT(options={"enforce_minimum_key_length": True}).encode({"a": 1}, secret)
        options = {"enforce_minimum_key_length": True}
        assert jwt.decode(token, secret, algorithms=["HS256"], options=options) == {"a": 1}


def test_unverified_decode_does_not_look_at_the_key() -> None:
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        token = jwt.encode({"a": 1}, SHORT)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert jwt.decode(token, SHORT, options={"verify_signature": False}) == {"a": 1}


def test_the_warning_can_be_turned_into_an_error() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", jwt.InsecureKeyLengthWarning)
        with pytest.raises(jwt.InsecureKeyLengthWarning, match="31 bytes long"):
            jwt.encode({"a": 1}, SHORT)
    assert issubclass(jwt.InsecureKeyLengthWarning, UserWarning)
