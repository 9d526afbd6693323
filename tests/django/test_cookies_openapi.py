"""ferrojwt.contrib.drf_spectacular with the cookie transport: the ``jwtCookieAuth`` scheme of
JWTCookieAuthentication, the token fields a cookie can carry, the CSRF check's 403, and
LogoutView; nothing of it while the cookie settings are off.

The schemas come from test_openapi's project and helpers, plus a view on
JWTCookieAuthentication and the logout endpoint.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import path
from ferrojwt import authentication, views
from test_openapi import (
    BEARER,
    SCHEMA_CLASS,
    TOKEN_PATHS,
    Protected,
    generate,
    names,
    operation,
    request_fields,
    response_fields,
    urlpatterns,
)
from testproject.testing import jwt_settings

pytestmark = pytest.mark.django_db


class CookieMe(Protected):
    authentication_classes = (authentication.JWTCookieAuthentication,)


PATTERNS = [
    *urlpatterns,
    path("api/cookie-me/", CookieMe.as_view()),
    path("api/token/logout/", views.LogoutView.as_view()),
]
COOKIES: dict[str, Any] = {"AUTH_COOKIE": "access", "REFRESH_COOKIE": "refresh"}
COOKIE_SCHEME = {
    "type": "apiKey",
    "in": "cookie",
    "name": "access",
    "description": (
        "The access token in an HttpOnly cookie, set by the obtain and refresh endpoints. "
        "Unsafe methods also need Django's CSRF token in the `X-CSRFToken` header."
    ),
}


@pytest.fixture(params=[False, True], ids=["one-component", "split-request"])
def split(request: pytest.FixtureRequest) -> bool:
    """COMPONENT_SPLIT_REQUEST off and on."""
    return bool(request.param)


@pytest.fixture(autouse=True)
def spectacular_views(settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, **SCHEMA_CLASS}


def test_cookie_authentication_is_the_header_or_the_cookie() -> None:
    with jwt_settings(**COOKIES):
        schema, messages = generate(PATTERNS)
    assert messages == []  # jwtAuth shared with the header classes, on purpose
    assert schema["components"]["securitySchemes"] == {
        "jwtAuth": BEARER,
        "jwtCookieAuth": COOKIE_SCHEME,
    }
    # Either one: two alternative requirements, not both at once.
    assert operation(schema, "/api/cookie-me/", "get")["security"] == [
        {"jwtAuth": []},
        {"jwtCookieAuth": []},
    ]
    assert operation(schema, "/api/protected/", "get")["security"] == [{"jwtAuth": []}]


def test_without_auth_cookie_the_cookie_class_is_the_header_scheme() -> None:
    schema, messages = generate(PATTERNS)
    assert messages == []
    assert schema["components"]["securitySchemes"] == {"jwtAuth": BEARER}
    assert operation(schema, "/api/cookie-me/", "get")["security"] == [{"jwtAuth": []}]


@pytest.mark.parametrize(
    ("url", "field", "cookie"),
    [
        (TOKEN_PATHS["refresh"], "refresh", "refresh"),
        (TOKEN_PATHS["verify"], "token", "access"),
        (TOKEN_PATHS["blacklist"], "refresh", "refresh"),
        ("/api/token/logout/", "refresh", "refresh"),
    ],
)
def test_a_token_a_cookie_can_carry_is_optional_in_the_body(
    split: bool, url: str, field: str, cookie: str
) -> None:
    with jwt_settings(**COOKIES):
        schema, messages = generate(PATTERNS, COMPONENT_SPLIT_REQUEST=split)
    assert messages == []
    properties, required = request_fields(schema, url)
    assert (set(properties), required) == ({field}, set())
    assert f"the cookie `{cookie}`" in properties[field]["description"]
    # And the view's CSRF check is documented.
    forbidden = operation(schema, url)["responses"]["403"]
    assert forbidden["description"].startswith("Refused by the CSRF check")
    # Off: the field is required again, and no 403.
    schema, _ = generate(PATTERNS, COMPONENT_SPLIT_REQUEST=split)
    assert names(request_fields(schema, url)) == ({field}, {field})
    assert set(operation(schema, url)["responses"]) == {"200", "400", "401"}


def test_the_obtain_view_has_no_csrf_answer() -> None:
    with jwt_settings(**COOKIES):
        schema, _ = generate(PATTERNS)
    assert set(operation(schema, TOKEN_PATHS["pair"])["responses"]) == {"200", "400", "401"}


def test_refresh_cookie_only_leaves_refresh_out_of_the_answers(split: bool) -> None:
    with jwt_settings(**COOKIES, REFRESH_COOKIE_ONLY=True, ROTATE_REFRESH_TOKENS=True):
        schema, messages = generate(PATTERNS, COMPONENT_SPLIT_REQUEST=split)
    assert messages == []
    assert names(response_fields(schema, TOKEN_PATHS["pair"])) == ({"access"}, {"access"})
    assert names(response_fields(schema, TOKEN_PATHS["refresh"])) == ({"access"}, {"access"})
    # Without it (rotation on), both answers carry the refresh token.
    with jwt_settings(**COOKIES, ROTATE_REFRESH_TOKENS=True):
        schema, _ = generate(PATTERNS, COMPONENT_SPLIT_REQUEST=split)
    both = {"access", "refresh"}
    assert names(response_fields(schema, TOKEN_PATHS["pair"])) == (both, both)
    # One component for both directions has one `required` list: the refresh token a
    # request may leave to its cookie is optional in the answer too.
    required = both if split else {"access"}
    assert names(response_fields(schema, TOKEN_PATHS["refresh"])) == (both, required)
