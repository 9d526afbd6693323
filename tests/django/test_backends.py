"""ferrojwt.backends.TokenBackend: algorithms, keys, claims, leeway, errors, JWKS."""

from __future__ import annotations

import copy
import json
import pickle
import threading
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from unittest import mock
from uuid import UUID

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from ferrojwt import tokens
from ferrojwt.backends import ALLOWED_ALGORITHMS, TokenBackend
from ferrojwt.exceptions import TokenBackendError, TokenBackendExpiredToken
from ferrojwt.jwt.exceptions import (
    InvalidKeyError,
    MissingRequiredClaimError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKSetError,
)
from freezegun import freeze_time
from rest_framework_simplejwt.backends import TokenBackend as ReferenceBackend
from testproject.testing import pem_pair

SECRET = "a-test-secret-that-is-long-enough-for-hs512-signatures-0123456789abcdef"
NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
EPOCH_NOW = int(NOW.timestamp())


def payload(**extra: Any) -> dict[str, Any]:
    return {"user_id": "1", "exp": EPOCH_NOW + 300, "iat": EPOCH_NOW, **extra}


@pytest.fixture(scope="module")
def keys(
    rsa_keys: tuple[str, str], ec_keys: tuple[str, str], ed25519_keys: tuple[str, str]
) -> dict[str, tuple[str, str]]:
    from cryptography.hazmat.primitives.asymmetric import ec

    return {
        "RS": rsa_keys,
        "PS": rsa_keys,
        "ES256": ec_keys,
        "ES384": pem_pair(ec.generate_private_key(ec.SECP384R1())),
        "ES512": pem_pair(ec.generate_private_key(ec.SECP521R1())),
        "EdDSA": ed25519_keys,
    }


ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]


def key_pair(keys: dict[str, tuple[str, str]], algorithm: str) -> tuple[str, str]:
    return keys.get(algorithm) or keys[algorithm[:2]]


def test_allowed_algorithms() -> None:
    expected = {"HS256", "HS384", "HS512", *ASYMMETRIC, "EdDSA"}
    assert expected <= ALLOWED_ALGORITHMS


@pytest.mark.parametrize("algorithm", ["none", "HS1", "hs256", "RSA", ""])
def test_unknown_algorithm_is_refused(algorithm: str) -> None:
    with pytest.raises(TokenBackendError) as info:
        TokenBackend(algorithm)
    assert str(info.value.args[0]) == f"Unrecognized algorithm type '{algorithm}'"


@freeze_time(NOW)
@pytest.mark.parametrize("algorithm", ["HS256", "HS384", "HS512"])
def test_hmac_round_trip_and_bytes_match_simplejwt(algorithm: str) -> None:
    ours = TokenBackend(algorithm, SECRET)
    encoded = ours.encode(payload())
    assert encoded == ReferenceBackend(algorithm, SECRET).encode(payload())
    assert ours.decode(encoded) == payload()
    assert ReferenceBackend(algorithm, SECRET).decode(encoded) == payload()


@freeze_time(NOW)
@pytest.mark.parametrize("algorithm", [*ASYMMETRIC, "EdDSA"])
def test_asymmetric_round_trip_both_ways_with_simplejwt(
    keys: dict[str, tuple[str, str]], algorithm: str
) -> None:
    private, public = key_pair(keys, algorithm)
    ours = TokenBackend(algorithm, private, public)
    reference = ReferenceBackend(algorithm, private, public)
    assert ours.decode(reference.encode(payload())) == payload()
    assert reference.decode(ours.encode(payload())) == payload()


@freeze_time(NOW)
@pytest.mark.parametrize("algorithm", ["RS256", "RS512"])
def test_deterministic_rsa_bytes_match_simplejwt(
    keys: dict[str, tuple[str, str]], algorithm: str
) -> None:
    private, public = keys["RS"]
    assert TokenBackend(algorithm, private, public).encode(payload()) == ReferenceBackend(
        algorithm, private, public
    ).encode(payload())


@freeze_time(NOW)
def test_asymmetric_token_needs_the_matching_public_key(
    rsa_keys: tuple[str, str], other_rsa_keys: tuple[str, str]
) -> None:
    token = TokenBackend("RS256", rsa_keys[0], rsa_keys[1]).encode(payload())
    with pytest.raises(TokenBackendError) as info:
        TokenBackend("RS256", other_rsa_keys[0], other_rsa_keys[1]).decode(token)
    assert str(info.value.args[0]) == "Token is invalid"


@freeze_time(NOW)
def test_verifying_key_is_used_for_asymmetric_and_signing_key_for_hmac(
    rsa_keys: tuple[str, str],
) -> None:
    rs = TokenBackend("RS256", rsa_keys[0], rsa_keys[1])
    assert rs.get_verifying_key("token") is rs.prepared_verifying_key
    hs = TokenBackend("HS256", SECRET, "ignored")
    assert hs.get_verifying_key("token") is hs.prepared_signing_key


def test_pem_key_is_not_an_hmac_secret(rsa_keys: tuple[str, str]) -> None:
    backend = TokenBackend("HS256", rsa_keys[1])
    with pytest.raises(InvalidKeyError):
        backend.encode(payload())


def test_keys_are_prepared_once() -> None:
    backend = TokenBackend("HS256", SECRET)
    assert backend.prepared_signing_key is backend.prepared_signing_key
    assert TokenBackend("HS256", None).prepared_signing_key is None


@freeze_time(NOW)
def test_a_copied_or_pickled_backend_parses_its_own_keys() -> None:
    # Django's setUpTestData deep-copies class attributes for each test.
    original = TokenBackend("HS256", SECRET)
    for copied in (copy.deepcopy(original), pickle.loads(pickle.dumps(original))):
        assert copied.prepared_signing_key.kty == "oct"
        assert original.decode(copied.encode(payload()))["user_id"] == payload()["user_id"]


def test_prepared_keys_behave_as_simplejwts_cached_property(rsa_keys: tuple[str, str]) -> None:
    backend = TokenBackend("RS256", rsa_keys[0], rsa_keys[1])
    with pytest.raises(AttributeError, match="prepared_verifying_key"):
        del backend.prepared_verifying_key  # nothing parsed yet: nothing to forget
    first = backend.prepared_verifying_key
    assert not first.is_private
    # Kept: a new verifying_key is not parsed until the kept key is deleted.
    backend.verifying_key = rsa_keys[0]
    assert backend.prepared_verifying_key is first
    del backend.prepared_verifying_key
    again = backend.prepared_verifying_key
    assert again is not first
    assert again.is_private  # parsed from the new (private) PEM
    # Assigned: the assigned object is what the backend hands out.
    replacement = object()
    backend.prepared_signing_key = replacement
    assert backend.prepared_signing_key is replacement
    assert backend.prepared_verifying_key is again


# -- claims -----


@freeze_time(NOW)
def test_audience_and_issuer_are_added_and_checked() -> None:
    backend = TokenBackend("HS256", SECRET, audience="api", issuer="https://issuer")
    token = backend.encode(payload())
    claims = backend.decode(token)
    assert (claims["aud"], claims["iss"]) == ("api", "https://issuer")
    # and simplejwt agrees on both directions
    reference = ReferenceBackend("HS256", SECRET, audience="api", issuer="https://issuer")
    assert reference.decode(token) == claims
    assert backend.decode(reference.encode(payload())) == claims


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("issuing", "verifying"),
    [
        ({"audience": "other"}, {"audience": "api"}),
        ({}, {"audience": "api"}),
        ({"issuer": "evil"}, {"issuer": "good"}),
        ({}, {"issuer": "good"}),
    ],
)
def test_wrong_or_missing_audience_or_issuer_is_invalid(
    issuing: dict[str, str], verifying: dict[str, str]
) -> None:
    token = TokenBackend("HS256", SECRET, **issuing).encode(payload())
    with pytest.raises(TokenBackendError) as info:
        TokenBackend("HS256", SECRET, **verifying).decode(token)
    assert type(info.value) is TokenBackendError
    assert str(info.value.args[0]) == "Token is invalid"


@freeze_time(NOW)
def test_audience_list() -> None:
    issuing = TokenBackend("HS256", SECRET, audience=["a", "b"])
    token = issuing.encode(payload())
    assert TokenBackend("HS256", SECRET, audience="b").decode(token)["aud"] == ["a", "b"]
    assert TokenBackend("HS256", SECRET, audience=["c", "a"]).decode(token)["aud"] == ["a", "b"]


@freeze_time(NOW)
def test_audience_claim_is_ignored_without_configured_audience() -> None:
    token = TokenBackend("HS256", SECRET, audience="api").encode(payload())
    assert TokenBackend("HS256", SECRET).decode(token)["aud"] == "api"


@freeze_time(NOW)
def test_json_encoder_serialises_extra_types() -> None:
    backend = TokenBackend("HS256", SECRET, json_encoder=DjangoJSONEncoder)
    token = backend.encode(payload(uid=UUID(int=1), amount=Decimal("1.50")))
    claims = backend.decode(token)
    assert claims["uid"] == "00000000-0000-0000-0000-000000000001"
    assert claims["amount"] == "1.50"
    assert token == ReferenceBackend("HS256", SECRET, json_encoder=DjangoJSONEncoder).encode(
        payload(uid=UUID(int=1), amount=Decimal("1.50"))
    )


# -- time -----


def test_expired_token() -> None:
    backend = TokenBackend("HS256", SECRET)
    token = backend.encode(payload())
    with freeze_time(NOW + timedelta(seconds=300)):
        with pytest.raises(TokenBackendExpiredToken) as info:
            backend.decode(token)
    assert str(info.value.args[0]) == "Token is expired"
    with freeze_time(NOW + timedelta(seconds=299)):
        assert backend.decode(token)["user_id"] == "1"


@pytest.mark.parametrize("leeway", [10, 10.0, timedelta(seconds=10)])
def test_leeway_extends_expiry(leeway: Any) -> None:
    backend = TokenBackend("HS256", SECRET, leeway=leeway)
    assert backend.get_leeway() == timedelta(seconds=10)
    token = backend.encode(payload())
    with freeze_time(NOW + timedelta(seconds=309)):
        assert backend.decode(token)["user_id"] == "1"
    with freeze_time(NOW + timedelta(seconds=310)):
        with pytest.raises(TokenBackendExpiredToken):
            backend.decode(token)


def test_no_leeway_is_zero() -> None:
    assert TokenBackend("HS256", SECRET).get_leeway() == timedelta(0)


@pytest.mark.parametrize("leeway", ["10", [1], object()])
def test_bad_leeway_type(leeway: Any) -> None:
    backend = TokenBackend("HS256", SECRET, leeway=leeway)
    with pytest.raises(TokenBackendError) as info:
        backend.get_leeway()
    assert str(info.value.args[0]) == (
        f"Unrecognized type '{type(leeway)}', 'leeway' must be of type int, float or timedelta."
    )


def test_decode_checks_time_claims_against_the_real_clock() -> None:
    # As PyJWT does for simplejwt: freezegun moves the backend's clock, patching
    # ferrojwt.tokens.aware_utcnow (the clock of the claims tokens write) does not.
    backend = TokenBackend("HS256", SECRET)
    token = backend.encode(payload())
    with (
        freeze_time(NOW),
        mock.patch.object(tokens, "aware_utcnow", return_value=NOW + timedelta(hours=1)),
    ):
        assert backend.decode(token)["user_id"] == "1"
    with (
        freeze_time(NOW + timedelta(hours=1)),
        mock.patch.object(tokens, "aware_utcnow", return_value=NOW),
    ):
        with pytest.raises(TokenBackendExpiredToken) as info:
            backend.decode(token)
        assert str(info.value.args[0]) == "Token is expired"
    # an explicit time wins, as a datetime or as seconds since the epoch
    assert backend.decode(token, now=NOW)["user_id"] == "1"
    assert backend.decode(token, now=EPOCH_NOW + 299)["user_id"] == "1"
    with pytest.raises(TokenBackendExpiredToken):
        backend.decode(token, now=EPOCH_NOW + 300)


def test_leeway_set_on_a_used_backend_applies_at_its_next_use() -> None:
    backend = TokenBackend("HS256", SECRET)
    token = backend.encode(payload())
    later = NOW + timedelta(seconds=330)
    with pytest.raises(TokenBackendExpiredToken):
        backend.decode(token, now=later)
    backend.leeway = 60
    assert backend.decode(token, now=later)["user_id"] == "1"
    backend.leeway = timedelta(seconds=10)
    with pytest.raises(TokenBackendExpiredToken):
        backend.decode(token, now=later)
    backend.leeway = "60"
    with pytest.raises(TokenBackendError) as info:
        backend.decode(token, now=later)
    assert "'leeway' must be of type int, float or timedelta" in str(info.value.args[0])


def test_audience_and_issuer_set_on_a_used_backend_apply_at_its_next_use() -> None:
    backend = TokenBackend("HS256", SECRET)
    plain = backend.encode(payload())
    assert backend.decode(plain, now=NOW)["user_id"] == "1"
    backend.audience = ["api", "admin"]
    backend.issuer = "https://issuer.example"
    token = backend.encode(payload())
    claims = backend.decode(token, now=NOW)
    assert (claims["aud"], claims["iss"]) == (["api", "admin"], "https://issuer.example")
    with pytest.raises(TokenBackendError) as info:
        backend.decode(plain, now=NOW)
    assert str(info.value.args[0]) == "Token is invalid"
    # a token without the now-required claims is refused for lacking them
    assert isinstance(info.value.__cause__, MissingRequiredClaimError)


def test_json_encoder_set_on_a_used_backend_applies_at_its_next_use() -> None:
    class Decimals(json.JSONEncoder):
        def default(self, o: Any) -> Any:
            return str(o) if isinstance(o, Decimal) else super().default(o)

    backend = TokenBackend("HS256", SECRET)
    with pytest.raises(TypeError):
        backend.encode(payload(amount=Decimal("1.5")))
    backend.json_encoder = Decimals
    token = backend.encode(payload(amount=Decimal("1.5")))
    assert backend.decode(token, now=NOW)["amount"] == "1.5"


def test_subclass_get_verifying_key_is_called_for_every_token() -> None:
    seen: list[Any] = []

    class Logged(TokenBackend):
        def get_verifying_key(self, token: Any) -> Any:
            seen.append(token)
            return super().get_verifying_key(token)

    backend = Logged("HS256", SECRET)
    token = backend.encode(payload())
    for _ in range(2):
        assert backend.decode(token, now=NOW)["user_id"] == "1"
    assert seen == [token, token]


def test_subclass_get_leeway_is_called_at_every_use() -> None:
    calls: list[int] = []

    class Generous(TokenBackend):
        def get_leeway(self) -> timedelta:
            calls.append(1)
            return timedelta(minutes=10)

    backend = Generous("HS256", SECRET)
    token = backend.encode(payload())
    for _ in range(2):
        assert backend.decode(token, now=NOW + timedelta(seconds=600))["user_id"] == "1"
    assert len(calls) == 2


def test_naive_clock_is_utc(settings) -> None:
    settings.USE_TZ = False
    backend = TokenBackend("HS256", SECRET)
    token = backend.encode(payload())
    assert backend.decode(token, now=NOW.replace(tzinfo=None) + timedelta(seconds=299))
    with pytest.raises(TokenBackendExpiredToken):
        backend.decode(token, now=NOW.replace(tzinfo=None) + timedelta(seconds=300))


# -- refusals -----


@freeze_time(NOW)
@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "a.b.c",
        "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoiMSJ9.",
    ],
)
def test_malformed_tokens_are_invalid(token: str) -> None:
    with pytest.raises(TokenBackendError) as info:
        TokenBackend("HS256", SECRET).decode(token)
    assert type(info.value) is TokenBackendError
    assert str(info.value.args[0]) == "Token is invalid"


@freeze_time(NOW)
def test_tampered_signature_is_invalid() -> None:
    token = TokenBackend("HS256", SECRET).encode(payload())
    head, body, _sig = token.split(".")
    forged = TokenBackend("HS256", "another-secret-of-reasonable-length-000").encode(payload())
    with pytest.raises(TokenBackendError, match="Token is invalid"):
        TokenBackend("HS256", SECRET).decode(f"{head}.{body}.{forged.split('.')[2]}")


@freeze_time(NOW)
def test_other_algorithm_is_refused_as_invalid_algorithm() -> None:
    token = TokenBackend("HS512", SECRET).encode(payload())
    with pytest.raises(TokenBackendError) as info:
        TokenBackend("HS256", SECRET).decode(token)
    assert str(info.value.args[0]) == "Invalid algorithm specified"


@freeze_time(NOW)
def test_verify_false_skips_signature_and_expiry() -> None:
    token = TokenBackend("HS256", "some-other-secret-of-decent-length-0000").encode(
        payload(exp=EPOCH_NOW - 10)
    )
    claims = TokenBackend("HS256", SECRET).decode(token, verify=False)
    assert claims["exp"] == EPOCH_NOW - 10


# -- JWKS -----------------------------------------------------------------------------


@pytest.fixture
def jwks_server(rsa_keys: tuple[str, str]):
    from jwt.algorithms import RSAAlgorithm

    jwk = json.loads(
        RSAAlgorithm.to_jwk(RSAAlgorithm(RSAAlgorithm.SHA256).prepare_key(rsa_keys[1]))
    )
    jwk.update({"kid": "k1", "use": "sig", "alg": "RS256"})
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json"
    server.shutdown()
    server.server_close()


def test_jwks_url_verifies_with_the_fetched_key(
    jwks_server: str, rsa_keys: tuple[str, str]
) -> None:
    import jwt as pyjwt

    token = pyjwt.encode(payload(), rsa_keys[0], algorithm="RS256", headers={"kid": "k1"})
    backend = TokenBackend("RS256", None, jwk_url=jwks_server)
    assert backend.jwks_client is not None
    with freeze_time(NOW):
        assert backend.decode(token) == payload()


def test_jwks_unknown_kid_is_invalid(jwks_server: str, rsa_keys: tuple[str, str]) -> None:
    import jwt as pyjwt

    token = pyjwt.encode(payload(), rsa_keys[0], algorithm="RS256", headers={"kid": "nope"})
    backend = TokenBackend("RS256", None, jwk_url=jwks_server)
    with freeze_time(NOW), pytest.raises(TokenBackendError) as info:
        backend.decode(token)
    assert str(info.value.args[0]) == "Token is invalid"


@pytest.mark.parametrize(
    "error",
    [
        PyJWKClientError("Unable to find a signing key that matches"),
        PyJWKClientConnectionError("Fail to fetch data from the url"),
        PyJWKSetError("The JWK Set did not contain any usable keys"),
    ],
    ids=type,
)
def test_jwks_lookup_failure_is_invalid_token(error: Exception) -> None:
    backend = TokenBackend("RS256", None, jwk_url="http://127.0.0.1:9/unused")
    failing = mock.Mock()
    failing.get_signing_key_from_jwt.side_effect = error
    backend.jwks_client = failing
    with pytest.raises(TokenBackendError) as info:
        backend.get_verifying_key("token")
    assert str(info.value.args[0]) == "Token is invalid"
    assert info.value.__cause__ is error


def test_difference_es256k_is_not_available() -> None:
    """simplejwt accepts ES256K when ``cryptography`` is installed; the native core has no
    secp256k1, so ferrojwt refuses the setting up front (a clear error, not a later 500)."""
    assert "ES256K" in ReferenceBackend.__init__.__globals__["ALLOWED_ALGORITHMS"]
    with pytest.raises(TokenBackendError) as info:
        TokenBackend("ES256K")
    assert str(info.value.args[0]) == "Unrecognized algorithm type 'ES256K'"
