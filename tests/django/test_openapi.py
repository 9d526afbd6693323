"""ferrojwt.contrib.drf_spectacular: the schema drf-spectacular generates for ferrojwt.

Each schema is generated from the URLs below (every token view, protected views on each
authentication class, subclasses a project would write), checked with drf-spectacular's
own validation, and must come with no warning or error. The answers the views really give
are then held against the schema.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import patched_settings
from drf_spectacular.validation import validate_schema
from ferrojwt import authentication, views
from ferrojwt.serializers import TokenObtainPairSerializer
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient
from testproject.testing import HERE, PASSWORD, jwt_settings

pytestmark = pytest.mark.django_db


# --- the project under description -------------------------------------------------------


class UserSerializer(serializers.Serializer):
    id = serializers.CharField()


class Protected(generics.GenericAPIView):
    """Uses the default authentication (JWTAuthentication)."""

    permission_classes = (IsAuthenticated,)
    serializer_class = UserSerializer

    def get(self, request: Request) -> Response:
        return Response({"id": str(request.user.pk)})


class Stateless(Protected):
    authentication_classes = (authentication.JWTStatelessUserAuthentication,)


class TokenUserAlias(Protected):
    authentication_classes = (authentication.JWTTokenUserAuthentication,)


class OtpPairSerializer(TokenObtainPairSerializer):
    """Credentials and a one-time code."""

    otp = serializers.CharField(write_only=True)


class OtpPairView(views.TokenObtainPairView):
    serializer_class = OtpPairSerializer


class NamedPairView(views.TokenObtainPairView):
    _serializer_class = "testproject.custom.NameInTokenSerializer"


class CookieAuthentication(authentication.JWTAuthentication):
    """Reads the token from a cookie: not the header scheme."""

    def get_header(self, request: Request) -> bytes | None:
        token = request.COOKIES.get("access")
        return f"Bearer {token}".encode() if token else None


class CookieProtected(Protected):
    authentication_classes = (CookieAuthentication,)


class ProjectDescribedSerializer(TokenObtainPairSerializer):
    pass


class ProjectDescribedView(views.TokenObtainPairView):
    serializer_class = ProjectDescribedSerializer


class ProjectExtension(OpenApiSerializerExtension):
    """A project's own extension, at the default priority: it wins over ferrojwt's."""

    target_class = ProjectDescribedSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {"type": "object", "properties": {"described_by": {"type": "string"}}}


TOKEN_PATHS = {
    "pair": "/api/token/",
    "refresh": "/api/token/refresh/",
    "verify": "/api/token/verify/",
    "blacklist": "/api/token/blacklist/",
    "sliding": "/api/token/sliding/",
    "sliding_refresh": "/api/token/sliding/refresh/",
}

urlpatterns = [
    path("api/token/", views.TokenObtainPairView.as_view()),
    path("api/token/refresh/", views.TokenRefreshView.as_view()),
    path("api/token/verify/", views.token_verify),
    path("api/token/blacklist/", views.TokenBlacklistView.as_view()),
    path("api/token/sliding/", views.TokenObtainSlidingView.as_view()),
    path("api/token/sliding/refresh/", views.token_refresh_sliding),
    path("api/otp/", OtpPairView.as_view()),
    path("api/named/", NamedPairView.as_view()),
    path("api/protected/", Protected.as_view()),
    path("api/stateless/", Stateless.as_view()),
    path("api/token-user/", TokenUserAlias.as_view()),
]

SCHEMA_CLASS = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}


@pytest.fixture(autouse=True)
def spectacular_views(settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, **SCHEMA_CLASS}


def generate(
    patterns: list[Any] | None = None, **spectacular: Any
) -> tuple[dict[str, Any], list[str]]:
    """The schema for ``patterns`` (default ``urlpatterns``), validated, and the messages
    (warnings and errors) drf-spectacular emitted while generating it."""
    GENERATOR_STATS.reset()
    with patched_settings(spectacular), GENERATOR_STATS.silence():
        schema = SchemaGenerator(patterns=patterns or urlpatterns).get_schema(None, public=True)
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    GENERATOR_STATS.reset()
    validate_schema(schema)
    # What a client reads: plain JSON (lazy translations and the like rendered).
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(schema)), messages


@pytest.fixture(params=[False, True], ids=["one-component", "split-request"])
def split(request: pytest.FixtureRequest) -> bool:
    """COMPONENT_SPLIT_REQUEST off (drf-spectacular's default) and on."""
    return bool(request.param)


# --- reading the schema -----------------------------------------------------------------


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def fields(
    schema: dict[str, Any], node: dict[str, Any], direction: str
) -> tuple[dict[str, Any], set[str]]:
    """The properties a request sends or a response carries, and which are required."""
    node = resolve(schema, node)
    hidden = "readOnly" if direction == "request" else "writeOnly"
    properties = {n: p for n, p in node.get("properties", {}).items() if not p.get(hidden)}
    return properties, set(node.get("required", [])) & set(properties)


def operation(schema: dict[str, Any], url: str, method: str = "post") -> dict[str, Any]:
    return schema["paths"][url][method]


def request_fields(schema: dict[str, Any], url: str) -> tuple[dict[str, Any], set[str]]:
    body = operation(schema, url)["requestBody"]["content"]["application/json"]["schema"]
    return fields(schema, body, "request")


def answer(schema: dict[str, Any], url: str, status: str) -> dict[str, Any]:
    return operation(schema, url)["responses"][status]["content"]["application/json"]["schema"]


def response_fields(
    schema: dict[str, Any], url: str, status: str = "200"
) -> tuple[dict[str, Any], set[str]]:
    return fields(schema, answer(schema, url, status), "response")


# --- the security scheme ----------------------------------------------------------------

BEARER = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "An access token: `Authorization: Bearer <token>`.",
}


def test_every_header_class_is_the_jwt_bearer_scheme() -> None:
    schema, messages = generate()
    assert messages == []
    assert schema["components"]["securitySchemes"] == {"jwtAuth": BEARER}
    for url in ("/api/protected/", "/api/stateless/", "/api/token-user/"):
        assert operation(schema, url, "get")["security"] == [{"jwtAuth": []}], url


def test_token_views_need_no_authentication() -> None:
    schema, _ = generate()
    for url in TOKEN_PATHS.values():
        assert "security" not in operation(schema, url), url


def test_another_header_type_is_an_api_key_with_its_prefix() -> None:
    with jwt_settings(AUTH_HEADER_TYPES=("JWT", "Token"), AUTH_HEADER_NAME="HTTP_X_ACCESS_TOKEN"):
        schema, messages = generate()
    assert messages == []
    assert schema["components"]["securitySchemes"]["jwtAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Access-Token",
        "description": "An access token, sent as `JWT <token>` or `Token <token>` "
        "in the X-Access-Token header.",
    }


def test_bearer_among_several_types_stays_http_bearer() -> None:
    with jwt_settings(AUTH_HEADER_TYPES=("JWT", "Bearer")):
        schema, messages = generate()
    assert messages == []
    assert schema["components"]["securitySchemes"]["jwtAuth"] == BEARER


def test_a_subclass_reading_a_cookie_is_not_described_as_the_header() -> None:
    """drf-spectacular says it cannot describe it, rather than a wrong header scheme."""
    schema, messages = generate([*urlpatterns, path("api/cookie/", CookieProtected.as_view())])
    assert "security" not in operation(schema, "/api/cookie/", "get")
    assert len(messages) == 1
    assert "could not resolve authenticator" in messages[0]
    assert "CookieAuthentication" in messages[0]


# --- the token operations ---------------------------------------------------------------

STRING = {"type": "string"}


def names(found: tuple[dict[str, Any], set[str]]) -> tuple[set[str], set[str]]:
    properties, required = found
    assert all(p["type"] == "string" for p in properties.values()), properties
    return set(properties), required


@pytest.mark.parametrize(
    ("view", "sent", "answered"),
    [
        ("pair", {"username", "password"}, {"access", "refresh"}),
        ("sliding", {"username", "password"}, {"token"}),
        ("refresh", {"refresh"}, {"access"}),
        ("sliding_refresh", {"token"}, {"token"}),
    ],
)
def test_token_operation_fields(split: bool, view: str, sent: set[str], answered: set[str]) -> None:
    schema, messages = generate(COMPONENT_SPLIT_REQUEST=split)
    assert messages == []
    url = TOKEN_PATHS[view]
    assert names(request_fields(schema, url)) == (sent, sent)
    assert names(response_fields(schema, url)) == (answered, answered)


def test_refresh_with_rotation_answers_a_refresh_token_too(split: bool) -> None:
    with jwt_settings(ROTATE_REFRESH_TOKENS=True):
        schema, messages = generate(COMPONENT_SPLIT_REQUEST=split)
    assert messages == []
    url = TOKEN_PATHS["refresh"]
    assert names(request_fields(schema, url)) == ({"refresh"}, {"refresh"})
    assert names(response_fields(schema, url)) == ({"access", "refresh"}, {"access", "refresh"})


@pytest.mark.parametrize(("view", "sent"), [("verify", "token"), ("blacklist", "refresh")])
def test_verify_and_blacklist_answer_an_empty_object(split: bool, view: str, sent: str) -> None:
    schema, messages = generate(COMPONENT_SPLIT_REQUEST=split)
    assert messages == []
    url = TOKEN_PATHS[view]
    assert names(request_fields(schema, url)) == ({sent}, {sent})
    assert answer(schema, url, "200") == {"type": "object", "maxProperties": 0}


@pytest.mark.parametrize("view", sorted(TOKEN_PATHS))
def test_every_token_operation_documents_its_errors(view: str) -> None:
    schema, _ = generate()
    url = TOKEN_PATHS[view]
    assert set(operation(schema, url)["responses"]) == {"200", "400", "401"}
    properties, required = response_fields(schema, url, "401")
    assert (properties.keys(), required) == ({"detail", "code"}, {"detail"})
    assert answer(schema, url, "400") == {
        "type": "object",
        "additionalProperties": {"type": "array", "items": STRING},
    }


def test_serializer_subclasses_keep_their_fields_and_name() -> None:
    """A project's serializer adding an input field or custom claims: its own component."""
    schema, messages = generate(COMPONENT_SPLIT_REQUEST=True)
    assert messages == []
    assert names(request_fields(schema, "/api/otp/"))[0] == {"username", "password", "otp"}
    assert names(response_fields(schema, "/api/otp/"))[0] == {"access", "refresh"}
    assert answer(schema, "/api/otp/", "200") == {"$ref": "#/components/schemas/OtpPair"}
    named = answer(schema, "/api/named/", "200")
    assert named == {"$ref": "#/components/schemas/NameInToken"}
    assert names(response_fields(schema, "/api/named/"))[0] == {"access", "refresh"}


def test_a_project_extension_takes_precedence() -> None:
    schema, messages = generate([path("api/own/", ProjectDescribedView.as_view())])
    assert messages == []
    assert resolve(schema, answer(schema, "/api/own/", "200")) == {
        "type": "object",
        "properties": {"described_by": STRING},
    }
    # ferrojwt's view extension still adds the error answers.
    assert set(operation(schema, "/api/own/")["responses"]) == {"200", "400", "401"}


# --- the schema against the real answers --------------------------------------------------


def call(url: str, body: dict[str, Any]) -> tuple[str, Any]:
    response = APIClient().post(url, body, format="json")
    return str(response.status_code), response.json()


def assert_matches(schema: dict[str, Any], url: str, status: str, body: Any) -> None:
    """``body`` has every required property of the schema, and only properties it names."""
    node = resolve(schema, answer(schema, url, status))
    if node.get("maxProperties") == 0:
        assert body == {}
        return
    if "additionalProperties" in node:
        assert all(
            isinstance(v, list) and all(isinstance(m, str) for m in v) for v in body.values()
        )
        return
    properties, required = fields(schema, node, "response")
    assert required <= set(body) <= set(properties), (url, status, body)
    assert all(isinstance(v, str) for v in body.values()), body


@pytest.fixture
def rotation() -> Iterator[None]:
    with jwt_settings(ROTATE_REFRESH_TOKENS=True):
        yield


def test_real_answers_match_the_schema(user: Any, rotation: None) -> None:
    schema, _ = generate()
    credentials = {"username": "alice", "password": PASSWORD}
    seen = []

    def check(view: str, body: dict[str, Any], expected: str) -> Any:
        status, data = call(TOKEN_PATHS[view], body)
        assert status == expected, (view, data)
        assert_matches(schema, TOKEN_PATHS[view], status, data)
        seen.append((view, status))
        return data

    pair = check("pair", credentials, "200")
    check("pair", {**credentials, "password": "wrong"}, "401")
    check("pair", {"username": "alice"}, "400")
    rotated = check("refresh", {"refresh": pair["refresh"]}, "200")
    assert set(rotated) == {"access", "refresh"}
    check("refresh", {"refresh": "not-a-token"}, "401")
    check("refresh", {}, "400")
    check("verify", {"token": pair["access"]}, "200")
    check("verify", {"token": "not-a-token"}, "401")
    check("verify", {}, "400")
    check("blacklist", {"refresh": rotated["refresh"]}, "200")
    check("blacklist", {"refresh": pair["access"]}, "401")
    check("blacklist", {}, "400")
    sliding = check("sliding", credentials, "200")
    check("sliding", {**credentials, "password": "wrong"}, "401")
    check("sliding", {"password": PASSWORD}, "400")
    check("sliding_refresh", {"token": sliding["token"]}, "200")
    check("sliding_refresh", {"token": pair["access"]}, "401")
    check("sliding_refresh", {"token": ""}, "400")
    # Every answer the schema documents was seen for real.
    assert set(seen) == {(view, code) for view in TOKEN_PATHS for code in ("200", "400", "401")}


# --- the test project, and loading without configuration ----------------------------------


def test_the_test_project_schema_names_no_ferrojwt_problem() -> None:
    """Its URLs (token views and WhoAmI, an APIView without serializer) as configured."""
    from testproject.urls import urlpatterns as project_urls

    schema, messages = generate(project_urls)
    assert schema["components"]["securitySchemes"] == {"jwtAuth": BEARER}
    # Any message is about an untyped answer (WhoAmI's), the test project's own business.
    assert all("unable to guess serializer" in m for m in messages), messages


def run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=HERE,
        env={"DJANGO_SETTINGS_MODULE": "testproject.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


LOADED = """
import sys, django
{before}
django.setup()
import rest_framework.generics  # APIView's class body imports the authentication classes
print("ferrojwt.contrib.drf_spectacular" in sys.modules)
"""


def test_installing_drf_spectacular_is_enough() -> None:
    """Nothing imports ferrojwt.contrib by hand: DRF loading the default authentication
    class (ferrojwt's) registers the extensions."""
    assert run_python(LOADED.format(before="")) == "True"


def test_without_drf_spectacular_nothing_is_loaded() -> None:
    hidden = "sys.modules['drf_spectacular'] = None  # not installed"
    assert run_python(LOADED.format(before=hidden)) == "False"


def test_a_broken_drf_spectacular_is_a_warning_not_a_failure() -> None:
    """ferrojwt still authenticates when the integration cannot load."""
    code = """
import sys, warnings, django
sys.modules["drf_spectacular.extensions"] = None  # this version lacks what we need
django.setup()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from ferrojwt.authentication import JWTAuthentication
print(JWTAuthentication.__name__)
print([str(w.message) for w in caught if w.category is RuntimeWarning])
"""
    name, warned = run_python(code).splitlines()
    assert name == "JWTAuthentication"
    assert "drf_spectacular is installed but ferrojwt.contrib.drf_spectacular could not" in warned
    assert "the OpenAPI schema will not describe ferrojwt" in warned
