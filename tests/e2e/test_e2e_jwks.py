"""Key rotation seen from outside, through gunicorn serving the demo (ferrojwt only).

The keys come from ``manage.py generate_signing_key``; each rotation step is a restart of
gunicorn with new settings (JWT_SIGNING_KEY_ID, JWT_VERIFYING_KEYS) on the same database:

1. RS256 key "rsa-1" signs. PyJWT's own ``PyJWKClient``, pointed at /.well-known/jwks.json,
   verifies a token ferrojwt issued.
2. ES256 key "ec-2" signs, "rsa-1" still verifies: the old tokens keep working, new ones
   carry "ec-2", and the JWKS (with a new ETag) has both keys.
3. "rsa-1" dropped: its tokens get 401, as does a token naming an unknown kid.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
from conftest import PASSWORD, SECRET_KEY, USERNAME, Stacks, missing
from e2e_http import bearer, request
from stack import Gunicorn, MissingBinary, manage, project_env

pytestmark = pytest.mark.e2e

JWKS = "/.well-known/jwks.json"


class Rotation:
    """The demo on SQLite, restarted by :meth:`serve` with each step's settings."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.keys = root / "keys"
        self.server: Gunicorn | None = None
        self.base_url = ""

    def env(self, **extra: str) -> dict[str, str]:
        return project_env(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=SECRET_KEY,
            JWT_PACKAGE="ferrojwt",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SQLITE_PATH=str(self.root / "rotation.sqlite3"),
            **extra,
        )

    def prepare(self) -> None:
        env = self.env()
        manage(env, "migrate", "--noinput")
        manage(env, "ensure_demo_user", "--username", USERNAME, "--password", PASSWORD)
        for algorithm, kid in (("RS256", "rsa-1"), ("ES256", "ec-2")):
            args = ["--dir", str(self.keys), "--algorithm", algorithm, "--kid", kid]
            manage(env, "generate_signing_key", *args)

    def key_env(self, algorithm: str, kid: str, retiring: str = "") -> dict[str, str]:
        return {
            "JWT_ALGORITHM": algorithm,
            "JWT_PRIVATE_KEY_FILE": str(self.keys / f"{kid}.private.pem"),
            "JWT_PUBLIC_KEY_FILE": str(self.keys / f"{kid}.public.pem"),
            "JWT_SIGNING_KEY_ID": kid,
            "JWT_VERIFYING_KEYS": retiring,
        }

    def serve(self, **extra: str) -> None:
        self.stop()
        log = self.root / "rotation.gunicorn.log"
        self.server = Gunicorn(self.env(**extra), workers=2, log=log).start()
        self.base_url = f"http://127.0.0.1:{self.server.port}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def pair(self) -> dict[str, str]:
        credentials = {"username": USERNAME, "password": PASSWORD}
        reply = request(self.base_url, "POST", "/api/token/", json_body=credentials)
        assert reply.status == 200, reply.body
        return reply.json()  # type: ignore[no-any-return]

    def me(self, token: str) -> Any:
        return request(self.base_url, "GET", "/api/me/", headers=bearer(token))

    def jwks_client(self) -> pyjwt.PyJWKClient:
        # PyJWT's real client, fetching over HTTP from gunicorn (no cache between steps).
        return pyjwt.PyJWKClient(self.base_url + JWKS, cache_jwk_set=False, cache_keys=False)


@pytest.fixture(scope="module")
def rotation(stacks: Stacks) -> Iterator[Rotation]:
    rotation = Rotation(stacks.root / "rotation")
    rotation.root.mkdir()
    try:
        rotation.prepare()
    except MissingBinary as exc:
        missing(exc)
    try:
        yield rotation
    finally:
        rotation.stop()


def verified_by_pyjwt(rotation: Rotation, token: str) -> dict[str, Any]:
    key = rotation.jwks_client().get_signing_key_from_jwt(token)
    return pyjwt.decode(token, key.key, algorithms=[key.algorithm_name])  # type: ignore[no-any-return]


def forge_kid(rotation: Rotation, kid: str, claims: dict[str, Any]) -> str:
    """``claims`` signed with the current ES256 key, under another ``kid``."""
    private = (rotation.keys / "ec-2.private.pem").read_text()
    return pyjwt.encode(claims, private, "ES256", headers={"kid": kid})


def test_a_rotation_through_gunicorn(rotation: Rotation) -> None:
    # -- step 1: RS256 "rsa-1" signs; PyJWKClient verifies ferrojwt's token -------------
    rotation.serve(**rotation.key_env("RS256", "rsa-1"))
    old = rotation.pair()
    assert pyjwt.get_unverified_header(old["access"])["kid"] == "rsa-1"
    claims = verified_by_pyjwt(rotation, old["access"])
    assert claims["token_type"] == "access" and claims["user_id"]
    first = request(rotation.base_url, "GET", JWKS)
    assert [(k["kid"], k["alg"], k["use"]) for k in first.json()["keys"]] == [
        ("rsa-1", "RS256", "sig")
    ]
    assert first.headers["cache-control"] == "public, max-age=300"
    unchanged = request(
        rotation.base_url, "GET", JWKS, headers={"If-None-Match": first.headers["etag"]}
    )
    assert (unchanged.status, unchanged.body) == (304, b"")

    # -- step 2: ES256 "ec-2" signs, "rsa-1" still verifies ------------------------------
    retiring = f"rsa-1=RS256:{rotation.keys / 'rsa-1.public.pem'}"
    rotation.serve(**rotation.key_env("ES256", "ec-2", retiring))
    assert rotation.me(old["access"]).status == 200
    refreshed = request(
        rotation.base_url, "POST", "/api/token/refresh/", json_body={"refresh": old["refresh"]}
    )
    assert refreshed.status == 200, refreshed.body
    new = rotation.pair()
    for token in (new["access"], refreshed.json()["access"], new["refresh"]):
        assert pyjwt.get_unverified_header(token) == {"alg": "ES256", "kid": "ec-2", "typ": "JWT"}
    assert rotation.me(new["access"]).status == 200
    window = request(rotation.base_url, "GET", JWKS)
    assert [k["kid"] for k in window.json()["keys"]] == ["ec-2", "rsa-1"]
    assert window.headers["etag"] != first.headers["etag"]
    stale = request(
        rotation.base_url, "GET", JWKS, headers={"If-None-Match": first.headers["etag"]}
    )
    assert stale.status == 200  # the set changed: the old tag gets the new set
    # Other services verify both generations with the published keys.
    assert verified_by_pyjwt(rotation, new["access"])["user_id"] == claims["user_id"]
    assert verified_by_pyjwt(rotation, old["access"])["user_id"] == claims["user_id"]

    # -- step 3: "rsa-1" dropped ---------------------------------------------------------
    rotation.serve(**rotation.key_env("ES256", "ec-2"))
    refused = rotation.me(old["access"])
    assert refused.status == 401
    assert refused.json()["code"] == "token_not_valid"
    assert refused.json()["messages"][0]["message"] == "Token is invalid"
    assert rotation.me(new["access"]).status == 200
    dropped = request(rotation.base_url, "GET", JWKS).json()
    assert [k["kid"] for k in dropped["keys"]] == ["ec-2"]
    assert all({"d", "p", "q", "k"}.isdisjoint(k) for k in dropped["keys"])
    with pytest.raises(pyjwt.PyJWKClientError, match="Unable to find a signing key"):
        rotation.jwks_client().get_signing_key_from_jwt(old["access"])

    # A token naming an unknown kid is refused, even signed with the current key; the
    # same claims under the right kid pass: the kid alone made the difference.
    claims = pyjwt.decode(new["access"], options={"verify_signature": False})
    reply = rotation.me(forge_kid(rotation, "nobody", claims))
    assert reply.status == 401
    assert reply.json()["code"] == "token_not_valid"
    assert rotation.me(forge_kid(rotation, "ec-2", claims)).status == 200
