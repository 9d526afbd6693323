"""``jwt.PyJWT`` and ``jwt.PyJWS``: the documented classes behind PyJWT's functions."""

from __future__ import annotations

import json

import jwt as pyjwt
import pytest
from ferrojwt import jwt
from jwt_helpers import HMAC_SECRET, NOW, b64url_encode, segments

CLAIMS = {"sub": "alice", "exp": NOW - 10}


def test_pyjwt_instance_options_are_its_defaults() -> None:
    lenient = jwt.PyJWT(options={"verify_exp": False})
    token = lenient.encode(CLAIMS, HMAC_SECRET)
    assert lenient.decode(token, HMAC_SECRET, algorithms=["HS256"], now=NOW) == CLAIMS
    with pytest.raises(jwt.ExpiredSignatureError, match="Signature has expired"):
        jwt.PyJWT().decode(token, HMAC_SECRET, algorithms=["HS256"], now=NOW)
    # A call's options update the instance's, for that call only.
    with pytest.raises(jwt.ExpiredSignatureError, match="Signature has expired"):
        lenient.decode(token, HMAC_SECRET, algorithms=["HS256"], options={"verify_exp": True})
    assert lenient.options["verify_exp"] is False


def test_pyjwt_without_signature_check_turns_claim_checks_off() -> None:
    unverified = jwt.PyJWT(options={"verify_signature": False})
    assert unverified.options["verify_exp"] is False
    assert unverified.options["strict_aud"] is False
    assert jwt.PyJWT().options == pyjwt.PyJWT().options
    assert unverified.options == pyjwt.PyJWT(options={"verify_signature": False}).options


def test_pyjwt_still_verifies_signatures_unless_the_call_says_not_to() -> None:
    # As in PyJWT: the instance's verify_signature=False relaxes the claim checks,
    # but whether the signature is checked is each call's choice.
    unverified = jwt.PyJWT(options={"verify_signature": False})
    token = unverified.encode(CLAIMS, HMAC_SECRET)
    with pytest.raises(jwt.DecodeError, match='pass in a value for the "algorithms" argument'):
        unverified.decode(token, HMAC_SECRET)
    assert unverified.decode(token, options={"verify_signature": False}) == CLAIMS
    assert unverified.decode(token, HMAC_SECRET, algorithms=["HS256"]) == CLAIMS


def test_pyjwt_decode_complete_matches_the_function() -> None:
    token = jwt.PyJWT().encode({"sub": "alice"}, HMAC_SECRET, headers={"kid": "k1"})
    assert token == pyjwt.encode({"sub": "alice"}, HMAC_SECRET, headers={"kid": "k1"})
    decoded = jwt.PyJWT().decode_complete(token, HMAC_SECRET, algorithms=["HS256"])
    assert decoded == jwt.decode_complete(token, HMAC_SECRET, algorithms=["HS256"])
    assert decoded["header"] == {"alg": "HS256", "typ": "JWT", "kid": "k1"}


def test_pyjws_signs_bytes_as_they_are() -> None:
    jws = jwt.PyJWS()
    token = jws.encode(b"\x00not json\xff", HMAC_SECRET, algorithm="HS384")
    assert token == pyjwt.PyJWS().encode(b"\x00not json\xff", HMAC_SECRET, algorithm="HS384")
    assert segments(token)[1] == b"\x00not json\xff"
    assert jws.decode(token, HMAC_SECRET, algorithms=["HS384"]) == b"\x00not json\xff"
    complete = jws.decode_complete(token, HMAC_SECRET, algorithms=["HS384"])
    assert complete["header"] == {"alg": "HS384", "typ": "JWT"}
    assert complete["payload"] == b"\x00not json\xff"
    assert complete["signature"] == segments(token)[2]
    assert jws.get_unverified_header(token) == {"alg": "HS384", "typ": "JWT"}


def test_pyjws_still_refuses_tampered_signatures() -> None:
    token = jwt.PyJWS().encode(b"hello", HMAC_SECRET)
    header, payload, _ = token.split(".")
    forged = f"{header}.{b64url_encode(b'hellp')}.{token.split('.')[2]}"
    with pytest.raises(jwt.InvalidSignatureError, match="Signature verification failed"):
        jwt.PyJWS().decode(forged, HMAC_SECRET, algorithms=["HS256"])
    assert jwt.PyJWS().decode(forged, options={"verify_signature": False}) == b"hellp"
    assert payload  # the untampered payload segment was there


def test_pyjws_algorithms_limit_what_an_instance_uses() -> None:
    only_hs256 = jwt.PyJWS(algorithms=["HS256"])
    assert only_hs256.get_algorithms() == ["HS256"]
    with pytest.raises(NotImplementedError, match="Algorithm not supported"):
        only_hs256.encode(b"x", HMAC_SECRET, algorithm="HS512")
    token = jwt.PyJWS().encode(b"x", HMAC_SECRET, algorithm="HS512")
    with pytest.raises(jwt.InvalidAlgorithmError, match="Algorithm not supported"):
        only_hs256.decode(token, HMAC_SECRET, algorithms=["HS512"])
    with pytest.raises(jwt.InvalidAlgorithmError, match="The specified alg value is not allowed"):
        only_hs256.decode(token, HMAC_SECRET, algorithms=["HS256"])


def test_pyjws_unregister_algorithm() -> None:
    jws = jwt.PyJWS()
    assert sorted(jws.get_algorithms()) == sorted(jwt.ALGORITHMS)
    jws.unregister_algorithm("HS256")
    assert "HS256" not in jws.get_algorithms()
    with pytest.raises(NotImplementedError, match="Algorithm not supported"):
        jws.encode(b"x", HMAC_SECRET)
    with pytest.raises(KeyError, match="not registered"):
        jws.unregister_algorithm("HS256")
    with pytest.raises(KeyError, match="not registered"):
        jws.unregister_algorithm("none")


def test_pyjws_options_are_merged_per_call() -> None:
    jws = jwt.PyJWS(options={"verify_signature": False})
    token = jwt.PyJWS().encode(b"x", HMAC_SECRET)
    assert jws.decode(token) == b"x"
    with pytest.raises(jwt.DecodeError, match='"algorithms" argument'):
        jws.decode(token, HMAC_SECRET, options={"verify_signature": True})
    assert jws.options == {"verify_signature": False, "enforce_minimum_key_length": False}
    with pytest.raises(TypeError):
        jwt.PyJWS(options=object())  # type: ignore[arg-type]


def test_pyjws_detached_payloads_are_refused() -> None:
    """RFC 7797 unencoded payloads are not implemented (README: Differences)."""
    with pytest.raises(NotImplementedError, match=r"b64: false, RFC 7797"):
        jwt.PyJWS().encode(b"x", HMAC_SECRET, is_payload_detached=True)
    header = b64url_encode(json.dumps({"alg": "HS256", "b64": False, "crit": ["b64"]}).encode())
    with pytest.raises(jwt.InvalidTokenError, match="Unsupported critical extension: b64"):
        jwt.PyJWS().decode(f"{header}..c2ln", HMAC_SECRET, algorithms=["HS256"])


def test_pyjws_with_a_pyjwk_uses_the_keys_algorithm() -> None:
    jwk = jwt.PyJWK({"kty": "oct", "k": b64url_encode(HMAC_SECRET), "alg": "HS512"})
    token = jwt.PyJWS().encode(b"x", jwk)
    assert jwt.get_unverified_header(token)["alg"] == "HS512"
    assert jwt.PyJWS().decode(token, jwk) == b"x"
    other = jwt.PyJWS().encode(b"x", HMAC_SECRET, algorithm="HS256")
    with pytest.raises(
        jwt.InvalidAlgorithmError,
        match="Token algorithm 'HS256' does not match the key's algorithm 'HS512'",
    ):
        jwt.PyJWS().decode(other, jwk, algorithms=["HS256", "HS512"])
