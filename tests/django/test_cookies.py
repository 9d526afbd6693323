"""The cookie transport for browser clients (ferrojwt.cookies): the token views and
JWTCookieAuthentication with AUTH_COOKIE / REFRESH_COOKIE on, and unchanged with them off.

The clients enforce CSRF checks (Django's test client skips them by default), and the test
project has no CsrfViewMiddleware: every 403 here comes from ferrojwt's own check.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.urls import path
from ferrojwt import views
from ferrojwt.authentication import JWTCookieAuthentication
from ferrojwt.tokens import RefreshToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView
from testproject.testing import PASSWORD, jwt_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("test_cookies")]


class Me(APIView):
    authentication_classes = (JWTCookieAuthentication,)
    permission_classes = (IsAuthenticated,)

    def get(self, request: Request) -> Response:
        return Response({"user": request.user.get_username()})

    def post(self, request: Request) -> Response:
        return Response({"user": request.user.get_username(), "posted": True})


urlpatterns = [
    path("api/token/", views.TokenObtainPairView.as_view()),
    path("api/token/refresh/", views.TokenRefreshView.as_view()),
    path("api/token/verify/", views.TokenVerifyView.as_view()),
    path("api/token/blacklist/", views.TokenBlacklistView.as_view()),
    path("api/token/logout/", views.LogoutView.as_view()),
    path("api/me/", Me.as_view()),
]

COOKIES: dict[str, Any] = {
    "AUTH_COOKIE": "access",
    "REFRESH_COOKIE": "refresh",
    "REFRESH_COOKIE_PATH": "/api/token/",
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}


def csrf_secret() -> str:
    """A value for Django's CSRF cookie (32 letters and digits), sent back in the header."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


@pytest.fixture
def cookies_on() -> Iterator[None]:
    with jwt_settings(**COOKIES):
        yield


@pytest.fixture
def browser() -> APIClient:
    """A client that, like a browser, runs the CSRF checks and keeps the cookies it gets."""
    return APIClient(enforce_csrf_checks=True)


def login(client: APIClient) -> dict[str, Any]:
    reply = client.post("/api/token/", {"username": "alice", "password": PASSWORD}, format="json")
    assert reply.status_code == 200, reply.content
    return reply.json()


def with_csrf(client: APIClient) -> dict[str, str]:
    """Give the client a CSRF cookie; the headers that send its token back."""
    secret = csrf_secret()
    client.cookies["csrftoken"] = secret
    return {"HTTP_X_CSRFTOKEN": secret}


# --- off by default: simplejwt's behaviour ------------------------------------------------


def test_defaults_set_no_cookie_and_answer_both_tokens(user: Any, browser: APIClient) -> None:
    reply = browser.post("/api/token/", {"username": "alice", "password": PASSWORD})
    assert reply.status_code == 200
    assert set(reply.json()) == {"access", "refresh"}
    assert reply.cookies == {}


def test_defaults_read_no_token_from_a_cookie(user: Any, browser: APIClient) -> None:
    browser.cookies["refresh"] = str(RefreshToken.for_user(user))
    browser.cookies["access"] = str(RefreshToken.for_user(user).access_token)
    reply = browser.post("/api/token/refresh/", {}, format="json")
    assert (reply.status_code, reply.json()) == (400, {"refresh": ["This field is required."]})
    reply = browser.post("/api/token/verify/", {}, format="json")
    assert (reply.status_code, reply.json()) == (400, {"token": ["This field is required."]})
    # JWTCookieAuthentication without AUTH_COOKIE is JWTAuthentication: the cookie is ignored.
    reply = browser.get("/api/me/")
    assert reply.status_code == 401
    assert reply.json()["detail"] == "Authentication credentials were not provided."


# --- the obtain and refresh views set the cookies ----------------------------------------


@pytest.mark.usefixtures("cookies_on")
def test_obtain_sets_httponly_secure_lax_cookies_living_as_long_as_the_tokens(
    user: Any, browser: APIClient
) -> None:
    body = login(browser)
    assert set(body) == {"access", "refresh"}  # REFRESH_COOKIE_ONLY is off
    access, refresh = browser.cookies["access"], browser.cookies["refresh"]
    assert (access.value, refresh.value) == (body["access"], body["refresh"])
    for cookie in (access, refresh):
        assert cookie["httponly"] is True
        assert cookie["secure"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["domain"] == ""
    assert access["path"] == "/"
    assert refresh["path"] == "/api/token/"
    assert access["max-age"] == 300  # ACCESS_TOKEN_LIFETIME
    assert refresh["max-age"] == 86400  # REFRESH_TOKEN_LIFETIME


def test_cookie_attributes_follow_the_settings(user: Any, browser: APIClient) -> None:
    with jwt_settings(
        **COOKIES,
        AUTH_COOKIE_SECURE=False,
        AUTH_COOKIE_HTTPONLY=False,
        AUTH_COOKIE_SAMESITE="Strict",
        AUTH_COOKIE_DOMAIN="example.com",
        AUTH_COOKIE_PATH="/api/",
        ACCESS_TOKEN_LIFETIME=timedelta(seconds=42),
    ):
        login(browser)
    access, refresh = browser.cookies["access"], browser.cookies["refresh"]
    assert (access["secure"], access["samesite"], access["domain"]) == ("", "Strict", "example.com")
    assert (refresh["secure"], refresh["samesite"]) == ("", "Strict")
    assert (access["httponly"], refresh["httponly"]) == ("", "")
    assert (access["path"], access["max-age"]) == ("/api/", 42)


def test_refresh_cookie_only_leaves_the_refresh_token_out_of_the_body(
    user: Any, browser: APIClient
) -> None:
    with jwt_settings(**COOKIES, REFRESH_COOKIE_ONLY=True):
        body = login(browser)
        assert set(body) == {"access"}
        assert browser.cookies["refresh"].value  # in its cookie only
        reply = browser.post("/api/token/refresh/", {}, format="json", **with_csrf(browser))
    assert reply.status_code == 200
    assert set(reply.json()) == {"access"}  # the rotated refresh token too
    assert browser.cookies["access"].value == reply.json()["access"]


def test_refresh_cookie_only_needs_the_refresh_cookie(user: Any, browser: APIClient) -> None:
    with jwt_settings(AUTH_COOKIE="access", REFRESH_COOKIE_ONLY=True):
        body = login(browser)
    assert set(body) == {"access", "refresh"}  # no refresh cookie: the body keeps it
    assert "refresh" not in browser.cookies


# --- the token views read the cookies, behind the CSRF check ------------------------------


@pytest.mark.usefixtures("cookies_on")
def test_refresh_reads_the_cookie_and_rotates_both_cookies(user: Any, browser: APIClient) -> None:
    first = login(browser)
    reply = browser.post("/api/token/refresh/", {}, format="json", **with_csrf(browser))
    assert reply.status_code == 200, reply.content
    body = reply.json()
    assert set(body) == {"access", "refresh"}
    assert browser.cookies["access"].value == body["access"] != first["access"]
    assert browser.cookies["refresh"].value == body["refresh"] != first["refresh"]
    # The old refresh token was blacklisted by the rotation.
    browser.cookies["refresh"] = first["refresh"]
    reply = browser.post("/api/token/refresh/", {}, format="json", **with_csrf(browser))
    assert (reply.status_code, reply.json()["detail"]) == (401, "Token is blacklisted")


@pytest.mark.usefixtures("cookies_on")
@pytest.mark.parametrize("url", ["/api/token/refresh/", "/api/token/blacklist/"])
def test_a_view_reading_the_refresh_cookie_refuses_a_request_without_csrf_token(
    user: Any, browser: APIClient, url: str
) -> None:
    first = login(browser)
    reply = browser.post(url, {}, format="json")
    assert reply.status_code == 403
    assert reply.json() == {"detail": "CSRF Failed: CSRF cookie not set."}
    browser.cookies["csrftoken"] = csrf_secret()
    reply = browser.post(url, {}, format="json", HTTP_X_CSRFTOKEN=csrf_secret())
    assert reply.status_code == 403
    detail = reply.json()["detail"]  # Django names where the token was looked for
    assert detail.startswith("CSRF Failed: CSRF token ") and detail.endswith(" incorrect."), detail
    # Nothing happened: the refresh token still works.
    reply = browser.post("/api/token/refresh/", {}, format="json", **with_csrf(browser))
    assert reply.status_code == 200
    assert reply.json()["refresh"] != first["refresh"]


@pytest.mark.usefixtures("cookies_on")
def test_the_csrf_check_runs_whenever_the_cookie_is_sent_even_with_a_body_token(
    user: Any, browser: APIClient
) -> None:
    body = login(browser)
    reply = browser.post("/api/token/refresh/", {"refresh": body["refresh"]}, format="json")
    assert (reply.status_code, reply.json()["detail"]) == (403, "CSRF Failed: CSRF cookie not set.")


@pytest.mark.usefixtures("cookies_on")
def test_a_client_without_the_cookie_needs_no_csrf_token(user: Any, browser: APIClient) -> None:
    token = str(RefreshToken.for_user(user))
    reply = browser.post("/api/token/refresh/", {"refresh": token}, format="json")
    assert reply.status_code == 200
    assert set(reply.json()) == {"access", "refresh"}


@pytest.mark.usefixtures("cookies_on")
def test_the_body_token_comes_before_the_cookie(user: Any, browser: APIClient) -> None:
    login(browser)
    headers = with_csrf(browser)
    reply = browser.post(
        "/api/token/refresh/", {"refresh": "not-a-token"}, format="json", **headers
    )
    assert (reply.status_code, reply.json()["code"]) == (401, "token_not_valid")
    browser.cookies["refresh"] = "not-a-token"
    token = str(RefreshToken.for_user(user))
    reply = browser.post("/api/token/refresh/", {"refresh": token}, format="json", **headers)
    assert reply.status_code == 200


@pytest.mark.usefixtures("cookies_on")
def test_verify_reads_the_access_cookie(user: Any, browser: APIClient) -> None:
    login(browser)
    headers = with_csrf(browser)
    reply = browser.post("/api/token/verify/", {}, format="json", **headers)
    assert (reply.status_code, reply.json()) == (200, {})
    browser.cookies["access"] = "not-a-token"
    reply = browser.post("/api/token/verify/", {}, format="json", **headers)
    assert (reply.status_code, reply.json()["code"]) == (401, "token_not_valid")


@pytest.mark.usefixtures("cookies_on")
def test_blacklist_reads_the_refresh_cookie(user: Any, browser: APIClient) -> None:
    body = login(browser)
    headers = with_csrf(browser)
    reply = browser.post("/api/token/blacklist/", {}, format="json", **headers)
    assert (reply.status_code, reply.json()) == (200, {})
    assert browser.cookies["refresh"].value == body["refresh"]  # blacklist deletes nothing
    reply = browser.post("/api/token/refresh/", {}, format="json", **headers)
    assert (reply.status_code, reply.json()["detail"]) == (401, "Token is blacklisted")


# --- LogoutView ---------------------------------------------------------------------------


def assert_deleted(client: APIClient, name: str, path: str) -> None:
    cookie = client.cookies[name]
    assert cookie.value == ""
    assert cookie["max-age"] == 0
    assert cookie["expires"] == "Thu, 01 Jan 1970 00:00:00 GMT"
    # The attributes it was set with: a browser keeps a Secure cookie an answer without
    # Secure tries to overwrite, and another path is another cookie.
    assert (cookie["path"], cookie["secure"], cookie["httponly"]) == (path, True, True)


@pytest.mark.usefixtures("cookies_on")
def test_logout_blacklists_the_refresh_cookie_and_deletes_both(
    user: Any, browser: APIClient
) -> None:
    body = login(browser)
    headers = with_csrf(browser)
    reply = browser.post("/api/token/logout/", {}, format="json", **headers)
    assert (reply.status_code, reply.json()) == (200, {})
    assert_deleted(browser, "access", "/")
    assert_deleted(browser, "refresh", "/api/token/")
    browser.cookies["refresh"] = body["refresh"]  # the old cookie, kept by a thief
    reply = browser.post("/api/token/refresh/", {}, format="json", **headers)
    assert (reply.status_code, reply.json()["detail"]) == (401, "Token is blacklisted")


@pytest.mark.usefixtures("cookies_on")
def test_logout_with_a_refused_token_still_deletes_the_cookies(
    user: Any, browser: APIClient
) -> None:
    login(browser)
    browser.cookies["refresh"] = "not-a-token"
    reply = browser.post("/api/token/logout/", {}, format="json", **with_csrf(browser))
    assert (reply.status_code, reply.json()["code"]) == (401, "token_not_valid")
    assert_deleted(browser, "access", "/")
    assert_deleted(browser, "refresh", "/api/token/")


@pytest.mark.usefixtures("cookies_on")
def test_a_forged_logout_is_refused_and_logs_nobody_out(user: Any, browser: APIClient) -> None:
    body = login(browser)
    reply = browser.post("/api/token/logout/", {}, format="json")
    assert (reply.status_code, reply.json()["detail"]) == (403, "CSRF Failed: CSRF cookie not set.")
    assert "access" not in reply.cookies and "refresh" not in reply.cookies
    assert browser.cookies["refresh"].value == body["refresh"]
    reply = browser.post("/api/token/refresh/", {}, format="json", **with_csrf(browser))
    assert reply.status_code == 200  # not blacklisted


@pytest.mark.usefixtures("cookies_on")
def test_logout_needs_the_csrf_token_even_without_the_cookies(
    user: Any, browser: APIClient
) -> None:
    """A cross-site form arrives without the cookies (SameSite); its answer must not delete
    them all the same."""
    reply = browser.post("/api/token/logout/", {}, format="json")
    assert (reply.status_code, reply.json()["detail"]) == (403, "CSRF Failed: CSRF cookie not set.")
    assert reply.cookies == {}
    reply = browser.post("/api/token/logout/", {}, format="json", **with_csrf(browser))
    assert (reply.status_code, reply.json()) == (400, {"refresh": ["This field is required."]})
    assert_deleted(browser, "access", "/")


def test_logout_without_cookies_is_the_blacklist_endpoint(user: Any, browser: APIClient) -> None:
    token = str(RefreshToken.for_user(user))
    reply = browser.post("/api/token/logout/", {"refresh": token}, format="json")
    assert (reply.status_code, reply.json()) == (200, {})
    assert reply.cookies == {}
    reply = browser.post("/api/token/refresh/", {"refresh": token}, format="json")
    assert (reply.status_code, reply.json()["detail"]) == (401, "Token is blacklisted")


# --- JWTCookieAuthentication --------------------------------------------------------------


@pytest.mark.usefixtures("cookies_on")
def test_cookie_authenticates_safe_methods_without_csrf(user: Any, browser: APIClient) -> None:
    login(browser)
    reply = browser.get("/api/me/")
    assert (reply.status_code, reply.json()) == (200, {"user": "alice"})


@pytest.mark.usefixtures("cookies_on")
def test_cookie_authenticated_unsafe_method_needs_the_csrf_token(
    user: Any, browser: APIClient
) -> None:
    login(browser)
    reply = browser.post("/api/me/", {}, format="json")
    assert (reply.status_code, reply.json()) == (
        403,
        {"detail": "CSRF Failed: CSRF cookie not set."},
    )
    headers = with_csrf(browser)
    reply = browser.post("/api/me/", {}, format="json", **headers)
    assert (reply.status_code, reply.json()) == (200, {"user": "alice", "posted": True})


@pytest.mark.usefixtures("cookies_on")
def test_a_cross_origin_post_is_refused_even_with_a_csrf_token(
    user: Any, browser: APIClient
) -> None:
    """Another port of the same host is the same *site*: SameSite=Lax lets the cookie go,
    Django's Origin check does not."""
    login(browser)
    headers = with_csrf(browser)
    reply = browser.post(
        "/api/me/", {}, format="json", HTTP_ORIGIN="http://testserver:8081", **headers
    )
    assert reply.status_code == 403
    assert reply.json() == {
        "detail": "CSRF Failed: Origin checking failed - http://testserver:8081 does not "
        "match any trusted origins."
    }


@pytest.mark.usefixtures("cookies_on")
def test_the_header_comes_first_and_needs_no_csrf_token(user: Any, browser: APIClient) -> None:
    browser.cookies["access"] = "not-a-token"
    access = str(RefreshToken.for_user(user).access_token)
    reply = browser.post("/api/me/", {}, format="json", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert (reply.status_code, reply.json()) == (200, {"user": "alice", "posted": True})


@pytest.mark.usefixtures("cookies_on")
def test_a_bad_cookie_is_an_invalid_token(user: Any, browser: APIClient) -> None:
    browser.cookies["access"] = "not-a-token"
    reply = browser.get("/api/me/")
    assert reply.status_code == 401
    assert reply.json()["code"] == "token_not_valid"
    # A refresh token in the access cookie is not an access token.
    browser.cookies["access"] = str(RefreshToken.for_user(user))
    reply = browser.get("/api/me/")
    assert reply.status_code == 401
    assert reply.json()["messages"][0]["message"] == "Token has wrong type"


@pytest.mark.usefixtures("cookies_on")
def test_a_forged_request_is_refused_before_its_token_is_looked_at(
    user: Any, browser: APIClient
) -> None:
    browser.cookies["access"] = "not-a-token"
    reply = browser.post("/api/me/", {}, format="json")
    assert (reply.status_code, reply.json()["detail"]) == (403, "CSRF Failed: CSRF cookie not set.")


# --- login CSRF: the views that set the cookies refuse another origin ---------------------

#: A page of another site, another port of this host (the same site, another origin), and
#: the opaque origin of a sandboxed page.
FOREIGN_ORIGINS = ("https://attacker.example", "http://testserver:8081", "null")


def refused_origin(reply: Any, origin: str) -> None:
    """A 403 naming Django's Origin reason, and no cookie set by the answer."""
    assert reply.status_code == 403, reply.content
    assert reply.json() == {
        "detail": f"CSRF Failed: Origin checking failed - {origin} does not match any "
        "trusted origins."
    }
    assert reply.cookies == {}


@pytest.mark.usefixtures("cookies_on")
@pytest.mark.parametrize("origin", FOREIGN_ORIGINS)
def test_obtain_refuses_a_post_from_another_origin(
    user: Any, browser: APIClient, origin: str
) -> None:
    """A hostile page posting its own account's credentials must not log the browser in as
    that account: logging in needs no CSRF token, so the Origin is what is checked."""
    reply = browser.post(
        "/api/token/",
        {"username": "alice", "password": PASSWORD},
        format="json",
        HTTP_ORIGIN=origin,
    )
    refused_origin(reply, origin)
    assert "access" not in browser.cookies and "refresh" not in browser.cookies


@pytest.mark.usefixtures("cookies_on")
def test_refresh_with_a_body_token_refuses_another_origin(user: Any, browser: APIClient) -> None:
    """The attacker's own refresh token in the body would set the attacker's cookies."""
    token = str(RefreshToken.for_user(user))
    reply = browser.post(
        "/api/token/refresh/",
        {"refresh": token},
        format="json",
        HTTP_ORIGIN="https://attacker.example",
    )
    refused_origin(reply, "https://attacker.example")


@pytest.mark.usefixtures("cookies_on")
@pytest.mark.parametrize("origin", [None, "http://testserver"])
def test_obtain_from_this_origin_or_an_api_client_sets_the_cookies(
    user: Any, browser: APIClient, origin: str | None
) -> None:
    """The page's own origin, or no Origin at all (a client that is not a browser), logs in:
    neither needs a CSRF token."""
    extra = {} if origin is None else {"HTTP_ORIGIN": origin}
    reply = browser.post(
        "/api/token/", {"username": "alice", "password": PASSWORD}, format="json", **extra
    )
    assert reply.status_code == 200, reply.content
    assert browser.cookies["access"].value == reply.json()["access"]


@pytest.mark.usefixtures("cookies_on")
def test_obtain_accepts_a_trusted_origin(user: Any, browser: APIClient, settings: Any) -> None:
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example"]
    reply = browser.post(
        "/api/token/",
        {"username": "alice", "password": PASSWORD},
        format="json",
        HTTP_ORIGIN="https://app.example",
    )
    assert reply.status_code == 200, reply.content
    assert reply.cookies["access"].value == reply.json()["access"]


def test_without_cookies_another_origin_logs_in_as_with_simplejwt(
    user: Any, browser: APIClient
) -> None:
    """Cookies off: nothing is set in the browser, and the views answer as simplejwt's."""
    reply = browser.post(
        "/api/token/",
        {"username": "alice", "password": PASSWORD},
        format="json",
        HTTP_ORIGIN="https://attacker.example",
    )
    assert reply.status_code == 200
    assert set(reply.json()) == {"access", "refresh"}
    assert reply.cookies == {}
