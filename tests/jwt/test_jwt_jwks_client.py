"""``PyJWKClient`` against a real HTTP server on 127.0.0.1 (random port, own thread)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from ferrojwt import jwt
from jwt_helpers import NOW, KeyPair, private_jwk


@dataclass
class JWKSEndpoint:
    """What the test server answers, and what it was asked."""

    status: int = 200
    body: bytes = b'{"keys": []}'
    content_type: str = "application/json"
    location: str | None = None
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def serve(self, document: Any) -> None:
        self.body = json.dumps(document).encode()
        self.status = 200

    @property
    def hits(self) -> int:
        return len(self.requests)


@pytest.fixture
def endpoint() -> Iterator[JWKSEndpoint]:
    state = JWKSEndpoint()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append({name.lower(): value for name, value in self.headers.items()})
            self.send_response(state.status)
            if state.location:
                self.send_header("Location", state.location)
            self.send_header("Content-Type", state.content_type)
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def signer(keypairs: dict[str, KeyPair]) -> dict[str, Any]:
    """kid -> (algorithm, private key, public JWK) for two published keys."""
    rsa, ec = keypairs["RSA"], keypairs["P-256"]
    return {
        "rsa-1": ("RS256", rsa.private, {**private_jwk(rsa.public), "kid": "rsa-1", "use": "sig"}),
        "ec-1": ("ES256", ec.private, {**private_jwk(ec.public), "kid": "ec-1", "alg": "ES256"}),
    }


def jwks(signer: dict[str, Any], *kids: str) -> dict[str, Any]:
    return {"keys": [signer[kid][2] for kid in kids]}


def test_get_signing_key_from_jwt_then_decode(
    endpoint: JWKSEndpoint, signer: dict[str, Any]
) -> None:
    endpoint.serve(jwks(signer, "rsa-1", "ec-1"))
    client = jwt.PyJWKClient(endpoint.url)
    for kid, (algorithm, private, _) in signer.items():
        token = jwt.encode({"sub": kid, "exp": NOW + 60}, private, algorithm, headers={"kid": kid})
        signing_key = client.get_signing_key_from_jwt(token)
        assert signing_key.key_id == kid
        assert signing_key.algorithm_name == algorithm
        claims = jwt.decode(token, signing_key, algorithms=[algorithm], now=NOW)
        assert claims["sub"] == kid
        assert jwt.decode(token, signing_key.key, algorithms=[algorithm], now=NOW)["sub"] == kid


def test_key_set_is_fetched_once_while_fresh(
    endpoint: JWKSEndpoint, signer: dict[str, Any]
) -> None:
    endpoint.serve(jwks(signer, "rsa-1", "ec-1"))
    client = jwt.PyJWKClient(endpoint.url)
    for _ in range(3):
        assert client.get_signing_key("rsa-1").key_id == "rsa-1"
        assert client.get_signing_key("ec-1").key_id == "ec-1"
    assert endpoint.hits == 1


def test_key_set_is_refetched_after_its_lifespan(
    endpoint: JWKSEndpoint, signer: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint.serve(jwks(signer, "rsa-1"))
    clock = [1000.0]
    monkeypatch.setattr("ferrojwt.jwt.jwks_client.time.monotonic", lambda: clock[0])
    client = jwt.PyJWKClient(endpoint.url, lifespan=60)
    client.get_signing_key("rsa-1")
    clock[0] += 59
    client.get_signing_key("rsa-1")
    assert endpoint.hits == 1
    clock[0] += 2
    client.get_signing_key("rsa-1")
    assert endpoint.hits == 2


def test_without_set_cache_every_call_fetches(
    endpoint: JWKSEndpoint, signer: dict[str, Any]
) -> None:
    endpoint.serve(jwks(signer, "rsa-1"))
    client = jwt.PyJWKClient(endpoint.url, cache_jwk_set=False)
    client.get_signing_key("rsa-1")
    client.get_signing_key("rsa-1")
    assert endpoint.hits == 2


def test_unknown_kid_refetches_once_and_finds_a_rotated_key(
    endpoint: JWKSEndpoint, signer: dict[str, Any]
) -> None:
    endpoint.serve(jwks(signer, "rsa-1"))
    client = jwt.PyJWKClient(endpoint.url)
    client.get_signing_key("rsa-1")
    endpoint.serve(jwks(signer, "rsa-1", "ec-1"))  # the issuer rotates in a new key
    assert client.get_signing_key("ec-1").key_id == "ec-1"
    assert endpoint.hits == 2
    assert client.get_signing_key("ec-1").key_id == "ec-1"  # now cached
    assert endpoint.hits == 2


def test_unknown_kid_after_refetch_is_an_error(
    endpoint: JWKSEndpoint, signer: dict[str, Any]
) -> None:
    endpoint.serve(jwks(signer, "rsa-1"))
    client = jwt.PyJWKClient(endpoint.url)
    with pytest.raises(
        jwt.PyJWKClientError, match='Unable to find a signing key that matches: "nope"'
    ):
        client.get_signing_key("nope")
    assert endpoint.hits == 2  # the cached set, then exactly one refetch


def test_cooldown_limits_refetches_for_unknown_kids(
    endpoint: JWKSEndpoint, signer: dict[str, Any]
) -> None:
    endpoint.serve(jwks(signer, "rsa-1"))
    client = jwt.PyJWKClient(endpoint.url, cooldown_duration=3600)
    for kid in ("a", "b", "c"):
        with pytest.raises(jwt.PyJWKClientError, match="Unable to find a signing key"):
            client.get_signing_key(kid)
    assert endpoint.hits == 1


def test_token_without_kid_finds_no_key(endpoint: JWKSEndpoint, signer: dict[str, Any]) -> None:
    endpoint.serve(jwks(signer, "rsa-1"))
    algorithm, private, _ = signer["rsa-1"]
    token = jwt.encode({"a": 1}, private, algorithm)
    client = jwt.PyJWKClient(endpoint.url)
    with pytest.raises(jwt.PyJWKClientError, match='matches: "None"'):
        client.get_signing_key_from_jwt(token)


def test_signing_keys_exclude_encryption_keys_and_keys_without_kid(
    endpoint: JWKSEndpoint, signer: dict[str, Any]
) -> None:
    rsa_jwk = signer["rsa-1"][2]
    ec_jwk = signer["ec-1"][2]
    endpoint.serve(
        {
            "keys": [
                {**rsa_jwk, "kid": "enc", "use": "enc"},
                {key: value for key, value in ec_jwk.items() if key != "kid"},
                ec_jwk,
            ]
        }
    )
    client = jwt.PyJWKClient(endpoint.url)
    assert [key.key_id for key in client.get_signing_keys()] == ["ec-1"]
    assert len(client.get_jwk_set().keys) == 3


def test_no_signing_keys_is_an_error(endpoint: JWKSEndpoint, signer: dict[str, Any]) -> None:
    endpoint.serve({"keys": [{**signer["rsa-1"][2], "use": "enc"}]})
    client = jwt.PyJWKClient(endpoint.url)
    with pytest.raises(jwt.PyJWKClientError, match="did not contain any signing keys"):
        client.get_signing_keys()


def test_headers_and_refresh(endpoint: JWKSEndpoint, signer: dict[str, Any]) -> None:
    endpoint.serve(jwks(signer, "rsa-1"))
    client = jwt.PyJWKClient(
        endpoint.url, headers={"User-Agent": "ferrojwt-test", "X-Tenant": "t1"}
    )
    client.get_jwk_set()
    client.get_jwk_set(refresh=True)
    assert endpoint.hits == 2
    assert endpoint.requests[0]["user-agent"] == "ferrojwt-test"
    assert endpoint.requests[0]["x-tenant"] == "t1"


def test_cache_keys_memoizes_signing_keys(endpoint: JWKSEndpoint, signer: dict[str, Any]) -> None:
    endpoint.serve(jwks(signer, "rsa-1"))
    client = jwt.PyJWKClient(endpoint.url, cache_keys=True, cache_jwk_set=False)
    first = client.get_signing_key("rsa-1")
    assert client.get_signing_key("rsa-1") is first
    assert endpoint.hits == 1


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (500, b"oops", jwt.PyJWKClientConnectionError, "Fail to fetch data from the url"),
        (404, b"", jwt.PyJWKClientConnectionError, "HTTP Error 404"),
        (200, b"[1, 2]", jwt.PyJWKClientError, "did not return a JSON object"),
        (200, b"<html>", jwt.PyJWKClientError, "did not return JSON"),
        (200, b'{"keys": []}', jwt.PyJWKSetError, "did not contain any keys"),
    ],
)
def test_endpoint_failures(
    endpoint: JWKSEndpoint, status: int, body: bytes, error: type[Exception], message: str
) -> None:
    endpoint.status, endpoint.body = status, body
    client = jwt.PyJWKClient(endpoint.url)
    with pytest.raises(error, match=message):
        client.get_signing_key("any")


def test_redirects_are_not_followed(endpoint: JWKSEndpoint, signer: dict[str, Any]) -> None:
    endpoint.serve(jwks(signer, "rsa-1"))
    endpoint.status, endpoint.location = 302, "http://169.254.169.254/latest/meta-data"
    client = jwt.PyJWKClient(endpoint.url)
    with pytest.raises(jwt.PyJWKClientConnectionError, match="302"):
        client.get_jwk_set()
    assert endpoint.hits == 1


def test_connection_refused_is_a_connection_error(endpoint: JWKSEndpoint) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = jwt.PyJWKClient(f"http://127.0.0.1:{port}/jwks", timeout=5)
    with pytest.raises(jwt.PyJWKClientConnectionError, match="Fail to fetch data from the url"):
        client.get_signing_key("k")


def test_failed_refresh_keeps_the_cached_set(
    endpoint: JWKSEndpoint, signer: dict[str, Any]
) -> None:
    endpoint.serve(jwks(signer, "rsa-1"))
    client = jwt.PyJWKClient(endpoint.url)
    client.get_signing_key("rsa-1")
    endpoint.status, endpoint.body = 503, b"down"
    with pytest.raises(jwt.PyJWKClientConnectionError):
        client.get_jwk_set(refresh=True)
    assert client.get_signing_key("rsa-1").key_id == "rsa-1"


@pytest.mark.parametrize(
    "uri", ["file:///etc/passwd", "ftp://example.com/jwks", "data:,{}", "jwks.json"]
)
def test_only_http_and_https_uris_are_accepted(uri: str) -> None:
    with pytest.raises(jwt.PyJWKClientError, match="Invalid JWKS URI scheme"):
        jwt.PyJWKClient(uri)


@pytest.mark.parametrize("lifespan", [0, -1])
def test_lifespan_must_be_positive(lifespan: float) -> None:
    with pytest.raises(jwt.PyJWKClientError, match="Lifespan must be greater than 0"):
        jwt.PyJWKClient("https://example.com/jwks", lifespan=lifespan)
