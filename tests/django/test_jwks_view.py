"""JWKSView: the public keys as a JWK Set (RFC 7517) with kid, alg and use; never a secret
nor a private member; Cache-Control and an ETag that changes with the key set; 304 for a
matching If-None-Match; and PyJWT verifying our tokens with the published keys.
"""

from __future__ import annotations

import json
from typing import Any

import jwt as pyjwt
import pytest
from django.test import Client
from django.urls import path
from ferrojwt.state import get_token_backend
from ferrojwt.views import JWKSView
from testproject.testing import jwt_settings

pytestmark = pytest.mark.urls(__name__)

urlpatterns = [
    path(".well-known/jwks.json", JWKSView.as_view()),
    path("jwks-short/", JWKSView.as_view(max_age=60, content_type="application/jwk-set+json")),
]

URL = "/.well-known/jwks.json"
SECRET = "an-hmac-secret-that-must-never-be-published-" + "z" * 10
#: Members of private or symmetric JWKs (RFC 7518 section 6).
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


def get(**headers: str) -> Any:
    return Client().get(URL, headers=headers)


def keys(reply: Any) -> list[dict[str, Any]]:
    assert reply.status_code == 200
    return json.loads(reply.content)["keys"]  # type: ignore[no-any-return]


@pytest.fixture
def rotated(rsa_keys: tuple[str, str], ec_keys: tuple[str, str]) -> dict[str, Any]:
    """ES256 signing (kid "ec-2"), an RS256 key retiring, an HMAC secret kept too."""
    return {
        "ALGORITHM": "ES256",
        "SIGNING_KEY": ec_keys[0],
        "VERIFYING_KEY": ec_keys[1],
        "SIGNING_KEY_ID": "ec-2",
        "VERIFYING_KEYS": [
            # A private PEM: only its public half may be published.
            {"kid": "rsa-1", "algorithm": "RS256", "key": rsa_keys[0]},
            {"kid": "hs-0", "algorithm": "HS256", "key": SECRET},
        ],
    }


def test_the_set_lists_the_current_and_asymmetric_keys_with_kid_alg_use(
    rotated: dict[str, Any],
) -> None:
    with jwt_settings(**rotated):
        published = keys(get())
    assert [(k["kid"], k["alg"], k["kty"], k["use"]) for k in published] == [
        ("ec-2", "ES256", "EC", "sig"),
        ("rsa-1", "RS256", "RSA", "sig"),
    ]
    assert set(published[0]) == {"kty", "crv", "x", "y", "kid", "alg", "use"}
    assert set(published[1]) == {"kty", "n", "e", "kid", "alg", "use"}


def test_no_secret_and_no_private_member_is_ever_published(rotated: dict[str, Any]) -> None:
    with jwt_settings(**rotated):
        reply = get()
    published = keys(reply)
    assert all(PRIVATE_MEMBERS.isdisjoint(k) for k in published)
    assert SECRET.encode() not in reply.content
    assert b"hs-0" not in reply.content  # the HMAC entry is left out, not even its kid
    with jwt_settings(SIGNING_KEY=SECRET, SIGNING_KEY_ID="hs-1"):
        assert keys(get()) == []  # an HS current key: nothing to publish


def test_the_current_key_from_its_private_half_when_no_verifying_key(
    ec_keys: tuple[str, str],
) -> None:
    with jwt_settings(ALGORITHM="ES256", SIGNING_KEY=ec_keys[0], VERIFYING_KEY=""):
        (only,) = keys(get())
    assert "kid" not in only  # without SIGNING_KEY_ID the key has no id
    assert only["alg"] == "ES256" and "d" not in only


def test_pyjwt_verifies_our_tokens_with_the_published_keys(rotated: dict[str, Any]) -> None:
    retiring = dict(rotated, ALGORITHM="RS256", SIGNING_KEY_ID="rsa-1", VERIFYING_KEYS=[])
    retiring["SIGNING_KEY"] = rotated["VERIFYING_KEYS"][0]["key"]
    retiring["VERIFYING_KEY"] = ""
    with jwt_settings(**retiring):
        old_token = get_token_backend().encode({"sub": "old"})
    with jwt_settings(**rotated):
        new_token = get_token_backend().encode({"sub": "new"})
        key_set = pyjwt.PyJWKSet.from_dict(json.loads(get().content))
    for token, sub in ((old_token, "old"), (new_token, "new")):
        kid = pyjwt.get_unverified_header(token)["kid"]
        (jwk,) = [k for k in key_set.keys if k.key_id == kid]
        assert pyjwt.decode(token, jwk.key, [jwk.algorithm_name]) == {"sub": sub}


def test_cache_control_etag_and_a_304_for_if_none_match(rotated: dict[str, Any]) -> None:
    with jwt_settings(**rotated):
        first = get()
        etag = first["ETag"]
        assert etag.startswith('"') and etag.endswith('"') and len(etag) == 34
        assert first["Cache-Control"] == "public, max-age=300"
        assert first["Content-Type"] == "application/json"
        assert get()["ETag"] == etag  # stable while the keys are
        for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            again = get(if_none_match=sent)
            assert again.status_code == 304, sent
            assert again.content == b""
            assert again["ETag"] == etag and again["Cache-Control"] == "public, max-age=300"
        assert get(if_none_match='"other"').status_code == 200


def test_the_etag_changes_with_the_key_set(rotated: dict[str, Any]) -> None:
    with jwt_settings(**rotated):
        before = get()["ETag"]
    dropped = dict(rotated, VERIFYING_KEYS=rotated["VERIFYING_KEYS"][1:])
    with jwt_settings(**dropped):
        after = get()
        assert after["ETag"] != before
        assert [k["kid"] for k in keys(after)] == ["ec-2"]
        assert get(if_none_match=before).status_code == 200  # the old tag is stale
    renamed = dict(rotated, SIGNING_KEY_ID="ec-2b")
    with jwt_settings(**renamed):
        assert get()["ETag"] not in (before, after["ETag"])


def test_public_even_where_the_api_requires_authentication(
    settings: Any, rotated: dict[str, Any]
) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_PERMISSION_CLASSES": ("rest_framework.permissions.IsAuthenticated",),
    }
    with jwt_settings(**rotated):
        assert len(keys(get(authorization="Bearer not-a-token"))) == 2
        head = Client().head(URL)
        assert head.status_code == 200 and head["ETag"] == get()["ETag"]
        # Whatever the client asks for, it gets the set (no 406).
        assert get(accept="application/jwk-set+json").status_code == 200
        assert Client().post(URL).status_code == 405


def test_max_age_and_content_type_are_view_options(rotated: dict[str, Any]) -> None:
    with jwt_settings(**rotated):
        reply = Client().get("/jwks-short/")
    assert reply["Cache-Control"] == "public, max-age=60"
    assert reply["Content-Type"] == "application/jwk-set+json"
    assert len(json.loads(reply.content)["keys"]) == 2
