"""The token endpoints over HTTP: status codes and exact JSON bodies."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from ferrojwt import views
from ferrojwt.serializers import TokenObtainPairSerializer
from ferrojwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from ferrojwt.tokens import AccessToken, RefreshToken, SlidingToken
from freezegun import freeze_time
from rest_framework.test import APIClient
from testproject.testing import PASSWORD, jwt_settings

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
EPOCH = int(NOW.timestamp())
PAST = datetime(2020, 1, 1, tzinfo=timezone.utc)

pytestmark = pytest.mark.django_db

INVALID = {"detail": "Token is invalid", "code": "token_not_valid"}
EXPIRED = {"detail": "Token is expired", "code": "token_not_valid"}
WRONG_TYPE = {"detail": "Token has wrong type", "code": "token_not_valid"}
BLACKLISTED = {"detail": "Token is blacklisted", "code": "token_not_valid"}


def post(client: APIClient, path: str, data: dict[str, Any]) -> tuple[int, Any]:
    response = client.post(path, data, format="json")
    return response.status_code, response.json()


def obtain(client: APIClient) -> dict[str, str]:
    status, body = post(client, "/api/token/", {"username": "alice", "password": PASSWORD})
    assert status == 200, body
    return body


# -- getting started: obtain, use, refresh ---------------------------------------------------


def test_getting_started_flow(api_client: APIClient, user: Any) -> None:
    with freeze_time(NOW):
        pair = obtain(api_client)
        assert set(pair) == {"refresh", "access"}
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
        response = api_client.get("/api/whoami/")
        assert response.status_code == 200
        assert response.json() == {
            "user": str(user.pk),
            "user_class": "User",
            "token_type": "access",
        }
    with freeze_time(NOW + timedelta(minutes=5)):
        response = api_client.get("/api/whoami/")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
        assert response.json() == {
            "detail": "Given token not valid for any token type",
            "code": "token_not_valid",
            "messages": [
                {
                    "token_class": "AccessToken",
                    "token_type": "access",
                    "message": "Token is expired",
                }
            ],
        }
        status, body = post(api_client, "/api/token/refresh/", {"refresh": pair["refresh"]})
        assert status == 200
        assert set(body) == {"access"}
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
        assert api_client.get("/api/whoami/").status_code == 200


def test_protected_view_without_credentials(api_client: APIClient) -> None:
    response = api_client.get("/api/whoami/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_stateless_view(api_client: APIClient) -> None:
    token = AccessToken()
    token["user_id"] = "12345"
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api_client.get("/api/whoami/stateless/")
    assert response.status_code == 200
    assert response.json() == {"user": "12345", "user_class": "TokenUser", "token_type": "access"}


# -- obtain -----


@pytest.mark.parametrize(
    ("data", "status", "body"),
    [
        (
            {"username": "alice", "password": "nope"},
            401,
            {"detail": "No active account found with the given credentials"},
        ),
        (
            {"username": "bob", "password": PASSWORD},
            401,
            {"detail": "No active account found with the given credentials"},
        ),
        (
            {},
            400,
            {"username": ["This field is required."], "password": ["This field is required."]},
        ),
        ({"username": "alice"}, 400, {"password": ["This field is required."]}),
        (
            {"username": "", "password": ""},
            400,
            {
                "username": ["This field may not be blank."],
                "password": ["This field may not be blank."],
            },
        ),
    ],
)
def test_obtain_errors(
    api_client: APIClient, make_user: Any, data: dict[str, str], status: int, body: Any
) -> None:
    make_user("alice")
    make_user("bob", is_active=False)
    for path in ("/api/token/", "/api/token/sliding/"):
        assert post(api_client, path, data) == (status, body)


def test_obtain_inactive_user_with_permissive_backend(
    api_client: APIClient, make_user: Any, settings
) -> None:
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.AllowAllUsersModelBackend"]
    make_user("bob", is_active=False)
    data = {"username": "bob", "password": PASSWORD}
    status, body = post(api_client, "/api/token/", data)
    assert (status, body) == (401, {"detail": "No active account found with the given credentials"})
    with jwt_settings(CHECK_USER_IS_ACTIVE=False):
        status, body = post(api_client, "/api/token/", data)
    assert status == 200
    assert set(body) == {"refresh", "access"}


def test_obtain_sliding_and_refresh_sliding(api_client: APIClient, user: Any) -> None:
    with freeze_time(NOW):
        status, body = post(
            api_client, "/api/token/sliding/", {"username": "alice", "password": PASSWORD}
        )
        assert status == 200
        assert set(body) == {"token"}
        token = body["token"]
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        # sliding tokens are not accepted by default (AUTH_TOKEN_CLASSES)
        assert api_client.get("/api/whoami/").status_code == 401
        with jwt_settings(AUTH_TOKEN_CLASSES=("ferrojwt.tokens.SlidingToken",)):
            assert api_client.get("/api/whoami/").json()["token_type"] == "sliding"
    with freeze_time(NOW + timedelta(seconds=299)):
        status, body = post(api_client, "/api/token/sliding/refresh/", {"token": token})
        assert status == 200
        assert SlidingToken(body["token"])["exp"] == EPOCH + 299 + 300
    with freeze_time(NOW + timedelta(seconds=300)):
        assert post(api_client, "/api/token/sliding/refresh/", {"token": token}) == (401, EXPIRED)


def test_refresh_sliding_past_refresh_exp(api_client: APIClient, user: Any) -> None:
    with freeze_time(NOW), jwt_settings(SLIDING_TOKEN_REFRESH_LIFETIME=timedelta(seconds=100)):
        token = str(SlidingToken.for_user(user))
    with freeze_time(NOW + timedelta(seconds=100)):
        assert post(api_client, "/api/token/sliding/refresh/", {"token": token}) == (
            401,
            {"detail": "Token 'refresh_exp' claim has expired", "code": "token_not_valid"},
        )


# -- refresh -----


def test_refresh_errors(api_client: APIClient, user: Any) -> None:
    path = "/api/token/refresh/"
    assert post(api_client, path, {}) == (400, {"refresh": ["This field is required."]})
    assert post(api_client, path, {"refresh": "garbage"}) == (401, INVALID)
    access = str(AccessToken.for_user(user))
    assert post(api_client, path, {"refresh": access}) == (401, WRONG_TYPE)
    with freeze_time(PAST):
        old = str(RefreshToken.for_user(user))
    assert post(api_client, path, {"refresh": old}) == (401, EXPIRED)


def test_refresh_for_deleted_user(api_client: APIClient, user: Any) -> None:
    refresh = str(RefreshToken.for_user(user))
    user.delete()
    assert post(api_client, "/api/token/refresh/", {"refresh": refresh}) == (
        401,
        {"detail": "No active account found for the given token."},
    )


def test_refresh_rotation_and_blacklist(api_client: APIClient, user: Any) -> None:
    pair = obtain(api_client)
    with jwt_settings(ROTATE_REFRESH_TOKENS=True, BLACKLIST_AFTER_ROTATION=True):
        status, body = post(api_client, "/api/token/refresh/", {"refresh": pair["refresh"]})
        assert status == 200
        assert set(body) == {"access", "refresh"}
        assert post(api_client, "/api/token/refresh/", {"refresh": pair["refresh"]}) == (
            401,
            BLACKLISTED,
        )
        assert post(api_client, "/api/token/verify/", {"token": pair["refresh"]}) == (
            400,
            {"non_field_errors": ["Token is blacklisted"]},
        )
        status, _ = post(api_client, "/api/token/refresh/", {"refresh": body["refresh"]})
        assert status == 200
    assert OutstandingToken.objects.count() == 3
    assert BlacklistedToken.objects.count() == 2


# -- verify / blacklist -----


def test_verify(api_client: APIClient, user: Any) -> None:
    path = "/api/token/verify/"
    for token in (AccessToken.for_user(user), RefreshToken.for_user(user), SlidingToken()):
        assert post(api_client, path, {"token": str(token)}) == (200, {})
    assert post(api_client, path, {"token": "garbage"}) == (401, INVALID)
    assert post(api_client, path, {}) == (400, {"token": ["This field is required."]})
    with freeze_time(PAST):
        old = str(AccessToken())
    assert post(api_client, path, {"token": old}) == (401, EXPIRED)


def test_blacklist_view(api_client: APIClient, user: Any) -> None:
    pair = obtain(api_client)
    path = "/api/token/blacklist/"
    assert post(api_client, path, {"refresh": pair["refresh"]}) == (200, {})
    assert post(api_client, path, {"refresh": pair["refresh"]}) == (401, BLACKLISTED)
    assert post(api_client, "/api/token/refresh/", {"refresh": pair["refresh"]}) == (
        401,
        BLACKLISTED,
    )
    assert post(api_client, path, {"refresh": pair["access"]}) == (401, WRONG_TYPE)
    assert post(api_client, path, {}) == (400, {"refresh": ["This field is required."]})


# -- view plumbing -----


@pytest.mark.parametrize(
    "path",
    [
        "/api/token/",
        "/api/token/refresh/",
        "/api/token/verify/",
        "/api/token/blacklist/",
        "/api/token/sliding/",
        "/api/token/sliding/refresh/",
    ],
)
def test_only_post_is_allowed(api_client: APIClient, path: str) -> None:
    response = api_client.get(path)
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "GET" not allowed.'}


def test_views_ignore_credentials(api_client: APIClient, user: Any) -> None:
    api_client.credentials(HTTP_AUTHORIZATION="Bearer garbage")
    assert set(obtain(api_client)) == {"refresh", "access"}


def test_authenticate_header_follows_settings(api_client: APIClient) -> None:
    with jwt_settings(AUTH_HEADER_TYPES=("JWT",)):
        response = api_client.post("/api/token/refresh/", {"refresh": "x"}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'JWT realm="api"'


def test_serializer_settings_are_read_per_request(api_client: APIClient, user: Any) -> None:
    with jwt_settings(TOKEN_OBTAIN_SERIALIZER="testproject.custom.NameInTokenSerializer"):
        pair = obtain(api_client)
    assert AccessToken(pair["access"])["name"] == "alice"
    assert "name" not in AccessToken(obtain(api_client)["access"])


def test_serializer_class_resolution() -> None:
    assert views.TokenObtainPairView().get_serializer_class() is TokenObtainPairSerializer

    class Explicit(views.TokenObtainPairView):
        serializer_class = TokenObtainPairSerializer

    class ByPath(views.TokenViewBase):
        _serializer_class = "testproject.custom.NameInTokenSerializer"

    class Broken(views.TokenViewBase):
        _serializer_class = "testproject.custom.Missing"

    assert Explicit().get_serializer_class() is TokenObtainPairSerializer
    assert ByPath().get_serializer_class().__name__ == "NameInTokenSerializer"
    with pytest.raises(
        ImportError, match=re.escape("Could not import serializer 'testproject.custom.Missing'")
    ):
        Broken().get_serializer_class()


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("token_obtain_pair", views.TokenObtainPairView),
        ("token_refresh", views.TokenRefreshView),
        ("token_verify", views.TokenVerifyView),
        ("token_blacklist", views.TokenBlacklistView),
        ("token_obtain_sliding", views.TokenObtainSlidingView),
        ("token_refresh_sliding", views.TokenRefreshSlidingView),
    ],
)
def test_function_aliases(name: str, cls: type) -> None:
    assert getattr(views, name).view_class is cls


# -- settings, end to end -----


@pytest.mark.parametrize(
    ("algorithm", "keys_fixture"),
    [("RS256", "rsa_keys"), ("PS384", "rsa_keys"), ("ES256", "ec_keys"), ("EdDSA", "ed25519_keys")],
)
def test_asymmetric_algorithm_settings(
    api_client: APIClient, user: Any, algorithm: str, keys_fixture: str, request: Any
) -> None:
    private, public = request.getfixturevalue(keys_fixture)
    with jwt_settings(ALGORITHM=algorithm, SIGNING_KEY=private, VERIFYING_KEY=public):
        pair = obtain(api_client)
        header = json.loads(base64.urlsafe_b64decode(pair["access"].split(".")[0] + "=="))
        assert header == {"alg": algorithm, "typ": "JWT"}
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
        assert api_client.get("/api/whoami/").status_code == 200
        assert post(api_client, "/api/token/refresh/", {"refresh": pair["refresh"]})[0] == 200
    # an HS256 deployment refuses them
    assert api_client.get("/api/whoami/").status_code == 401


def test_audience_and_issuer_settings(api_client: APIClient, user: Any) -> None:
    with jwt_settings(AUDIENCE="api://orders", ISSUER="https://auth.example"):
        pair = obtain(api_client)
        access = AccessToken(pair["access"])
        assert (access["aud"], access["iss"]) == ("api://orders", "https://auth.example")
        assert post(api_client, "/api/token/verify/", {"token": pair["access"]}) == (200, {})
    with jwt_settings(AUDIENCE="api://billing", ISSUER="https://auth.example"):
        assert post(api_client, "/api/token/verify/", {"token": pair["access"]}) == (401, INVALID)
    with jwt_settings(ISSUER="https://other.example"):
        assert post(api_client, "/api/token/verify/", {"token": pair["access"]}) == (401, INVALID)


def test_json_encoder_setting(api_client: APIClient, user: Any) -> None:
    with jwt_settings(
        TOKEN_OBTAIN_SERIALIZER="testproject.custom.UUIDClaimSerializer",
        JSON_ENCODER="django.core.serializers.json.DjangoJSONEncoder",
    ):
        pair = obtain(api_client)
    assert AccessToken(pair["access"])["device"] == "00000000-0000-0000-0000-000000000007"


def test_leeway_setting(api_client: APIClient, user: Any) -> None:
    with freeze_time(NOW):
        token = str(AccessToken.for_user(user))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    with freeze_time(NOW + timedelta(seconds=303)):
        assert api_client.get("/api/whoami/").status_code == 401
        with jwt_settings(LEEWAY=5):
            assert api_client.get("/api/whoami/").status_code == 200
        with jwt_settings(LEEWAY=timedelta(seconds=2)):
            assert api_client.get("/api/whoami/").status_code == 401


def test_user_authentication_rule_setting(api_client: APIClient, make_user: Any) -> None:
    make_user("alice")
    make_user("root", is_staff=True)
    with jwt_settings(USER_AUTHENTICATION_RULE="testproject.custom.staff_only"):
        assert post(api_client, "/api/token/", {"username": "alice", "password": PASSWORD}) == (
            401,
            {"detail": "No active account found with the given credentials"},
        )
        status, _ = post(api_client, "/api/token/", {"username": "root", "password": PASSWORD})
        assert status == 200


@pytest.mark.parametrize(
    ("setting", "path"),
    [
        ("TOKEN_OBTAIN_SERIALIZER", "/api/token/"),
        ("TOKEN_REFRESH_SERIALIZER", "/api/token/refresh/"),
        ("TOKEN_VERIFY_SERIALIZER", "/api/token/verify/"),
        ("TOKEN_BLACKLIST_SERIALIZER", "/api/token/blacklist/"),
        ("SLIDING_TOKEN_OBTAIN_SERIALIZER", "/api/token/sliding/"),
        ("SLIDING_TOKEN_REFRESH_SERIALIZER", "/api/token/sliding/refresh/"),
    ],
)
def test_each_view_uses_its_serializer_setting(
    api_client: APIClient, setting: str, path: str
) -> None:
    with jwt_settings(**{setting: "testproject.custom.MarkerSerializer"}):
        assert post(api_client, path, {}) == (200, {"served_by": "marker"})


def test_jwk_url_setting() -> None:
    from ferrojwt.jwt import PyJWKClient
    from ferrojwt.state import get_token_backend

    with jwt_settings(ALGORITHM="RS256", JWK_URL="https://idp.example/.well-known/jwks.json"):
        client = get_token_backend().jwks_client
        assert isinstance(client, PyJWKClient)
        assert client.uri == "https://idp.example/.well-known/jwks.json"
    assert get_token_backend().jwks_client is None


def test_flow_without_time_zones(api_client: APIClient, user: Any, settings: Any) -> None:
    settings.USE_TZ = False
    pair = obtain(api_client)
    with jwt_settings(ROTATE_REFRESH_TOKENS=True, BLACKLIST_AFTER_ROTATION=True):
        status, body = post(api_client, "/api/token/refresh/", {"refresh": pair["refresh"]})
        assert status == 200
        assert post(api_client, "/api/token/refresh/", {"refresh": pair["refresh"]}) == (
            401,
            BLACKLISTED,
        )
    row = OutstandingToken.objects.get(jti=RefreshToken(body["refresh"])["jti"])
    assert row.created_at.tzinfo is None
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert api_client.get("/api/whoami/").status_code == 200


@pytest.mark.parametrize("path", ["", "testproject.nowhere.Serializer"])
def test_view_base_without_a_serializer_fails_to_import_it(path: str) -> None:
    class Bare(views.TokenViewBase):
        _serializer_class = path

    with pytest.raises(ImportError) as info:
        Bare().get_serializer_class()
    assert str(info.value) == f"Could not import serializer '{path}'"
