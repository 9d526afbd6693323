"""The cookie transport over HTTP, through nginx -> gunicorn (conftest.browser_stack,
JWT_COOKIES=1): the Set-Cookie headers as a browser receives them, and the CSRF check on
the requests a cookie authenticates. test_e2e_browser.py drives the same stack in Chromium.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import PASSWORD, USERNAME, Stack

pytestmark = pytest.mark.e2e

CSRF = "c" * 32  # a CSRF secret: sent as Django's cookie and echoed in X-CSRFToken


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    set_cookies: list[str]  # every Set-Cookie header, in order


def request(
    base_url: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> Reply:
    """One request; unlike e2e_http's, the reply keeps each of its Set-Cookie headers."""
    url = urlsplit(base_url)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    try:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        payload = None if body is None else json.dumps(body)
        conn.request(method, path, body=payload, headers=all_headers)
        response = conn.getresponse()
        data = json.loads(response.read())
        cookies = [v for k, v in response.getheaders() if k.lower() == "set-cookie"]
        return Reply(response.status, data, cookies)
    finally:
        conn.close()


def log_in(stack: Stack) -> tuple[Reply, dict[str, str]]:
    reply = request(
        stack.base_url, "POST", "/api/token/", {"username": USERNAME, "password": PASSWORD}
    )
    assert reply.status == 200, reply.body
    jar: SimpleCookie = SimpleCookie()
    for header in reply.set_cookies:
        jar.load(header)
    return reply, {name: morsel.value for name, morsel in jar.items()}


def cookie_header(values: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in values.items())


def test_obtain_sets_both_cookies_and_keeps_refresh_out_of_the_body(browser_stack: Stack) -> None:
    reply, _ = log_in(browser_stack)
    assert set(reply.body) == {"access"}  # REFRESH_COOKIE_ONLY
    access, refresh = sorted(reply.set_cookies)  # exactly these two
    assert access.startswith("access=") and refresh.startswith("refresh=")
    access_attrs = {a.strip() for a in access.split(";")[1:]}
    refresh_attrs = {a.strip() for a in refresh.split(";")[1:]}
    assert {"HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Max-Age=2"} <= access_attrs
    assert {"HttpOnly", "Secure", "SameSite=Lax", "Path=/api/token/", "Max-Age=86400"} <= (
        refresh_attrs
    )


def test_refresh_by_cookie_needs_the_csrf_token(browser_stack: Stack) -> None:
    _, cookies = log_in(browser_stack)
    jar = {"refresh": cookies["refresh"], "csrftoken": CSRF}
    url = browser_stack.base_url
    refused = request(url, "POST", "/api/token/refresh/", {}, {"Cookie": cookie_header(jar)})
    assert (refused.status, refused.body) == (403, {"detail": "CSRF Failed: CSRF token missing."})
    assert refused.set_cookies == []
    headers = {"Cookie": cookie_header(jar), "X-CSRFToken": CSRF}
    accepted = request(url, "POST", "/api/token/refresh/", {}, headers)
    assert accepted.status == 200, accepted.body
    assert set(accepted.body) == {"access"}
    assert {h.split("=")[0] for h in accepted.set_cookies} == {"access", "refresh"}


def test_a_header_client_is_not_asked_for_a_csrf_token(browser_stack: Stack) -> None:
    reply, cookies = log_in(browser_stack)
    url = browser_stack.base_url
    # The access cookie alone, on an unsafe method: refused by the CSRF check.
    by_cookie = request(url, "POST", "/api/me/", {}, {"Cookie": f"access={cookies['access']}"})
    assert (by_cookie.status, by_cookie.body) == (
        403,
        {"detail": "CSRF Failed: CSRF cookie not set."},
    )
    # The same token in the header: past the authentication (MeView answers GET only).
    headers = {"Authorization": f"Bearer {reply.body['access']}"}
    by_header = request(url, "POST", "/api/me/", {}, headers)
    assert (by_header.status, by_header.body) == (405, {"detail": 'Method "POST" not allowed.'})
