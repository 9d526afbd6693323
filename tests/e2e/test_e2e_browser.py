"""The example's browser page (/browser/) in headless Chromium, driven by Selenium, against
nginx -> gunicorn with the tokens in HttpOnly cookies (JWT_COOKIES=1) and access tokens
that live two seconds (conftest.browser_stack).

The page logs in, shows /api/me/, renews an expired access token through the refresh
cookie and logs out. The tests check what its script can read (document.cookie), that a
form POSTed from another origin (of the same site, where SameSite does not help, and of
another site) is refused by the CSRF check, that such a form posting credentials logs
nobody in (login CSRF), and that the refresh cookie is refused once logged out. Chromium
and its driver are Debian's (`make system-deps`); Selenium is given the driver's path, so
Selenium Manager never looks for (or downloads) one.
"""

from __future__ import annotations

import http.server
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from html import escape
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSWORD, USERNAME, Stack, missing
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from stack import MissingBinary, free_port

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ME = {"id": 1, "username": USERNAME, "auth": "db"}
#: Where the screenshot for the README is written when set (e.g. docs/pages/img/browser.png).
SCREENSHOT = os.environ.get("FERROJWT_BROWSER_SCREENSHOT")


@pytest.fixture(scope="module")
def chrome() -> Iterator[WebDriver]:
    for binary in (CHROMIUM, CHROMEDRIVER):
        if not binary.is_file():
            missing(MissingBinary(f"{binary} is not installed: run `make system-deps`"))
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--disable-dev-shm-usage", "--window-size=900,960"):
        options.add_argument(argument)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium refuses to run as root otherwise
    # The performance log carries the status of every response the browser receives.
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(chrome: WebDriver, browser_stack: Stack) -> WebDriver:
    """The browser page, freshly loaded with no cookie of an earlier test."""
    chrome.execute_cdp_cmd("Network.clearBrowserCookies", {})
    chrome.get(f"{browser_stack.base_url}/browser/")
    chrome.get_log("performance")  # drop the entries of earlier pages
    return chrome


# --- reading the page and the browser ------------------------------------------------------


def wait_for(
    driver: WebDriver, condition: Callable[[], Any], what: str, *, timeout: float = 15
) -> Any:
    try:
        return WebDriverWait(driver, timeout).until(lambda _: condition())
    except Exception as error:
        log = [item.text for item in driver.find_elements(By.CSS_SELECTOR, "#log li")]
        raise AssertionError(f"waiting for {what}; the page's request log: {log}") from error


def requests_logged(driver: WebDriver) -> list[str]:
    """The page's own log of its API calls: "METHOD URL → status (detail)"."""
    return [item.text for item in driver.find_elements(By.CSS_SELECTOR, "#log li")]


def wait_logged(driver: WebDriver, count: int) -> list[str]:
    wait_for(driver, lambda: len(requests_logged(driver)) >= count, f"{count} logged requests")
    return requests_logged(driver)


def all_cookies(driver: WebDriver) -> dict[str, dict[str, Any]]:
    """Every cookie of the browser, HttpOnly ones and other paths included (DevTools)."""
    found = driver.execute_cdp_cmd("Network.getAllCookies", {})["cookies"]
    return {cookie["name"]: cookie for cookie in found}


def statuses(driver: WebDriver, url: str) -> list[int]:
    """The status of each response for ``url`` since the log was last read."""
    found = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.responseReceived":
            response = message["params"]["response"]
            if response["url"] == url:
                found.append(int(response["status"]))
    return found


def log_in(driver: WebDriver) -> None:
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-button").click()
    wait_for(driver, lambda: me(driver) == ME, "/api/me/ shown after login")


def me(driver: WebDriver) -> Any:
    try:
        return json.loads(driver.find_element(By.ID, "me").text)
    except ValueError:
        return None


# --- the tests -----------------------------------------------------------------------------


def test_login_shows_me_and_page_script_cannot_read_the_tokens(page: WebDriver) -> None:
    log_in(page)
    assert requests_logged(page) == ["POST /api/token/ → 200", "GET /api/me/ → 200"]
    assert page.find_element(By.ID, "state").text == f"logged in as {USERNAME}"
    cookies = all_cookies(page)
    access, refresh = cookies["access"], cookies["refresh"]
    for cookie in (access, refresh):
        assert (cookie["httpOnly"], cookie["secure"], cookie["sameSite"]) == (True, True, "Lax")
    assert (access["path"], refresh["path"]) == ("/", "/api/token/")
    # What the page's script sees: Django's CSRF cookie (meant to be read), no token.
    seen = page.execute_script("return document.cookie")
    assert [part.split("=")[0] for part in seen.split("; ")] == ["csrftoken"]
    assert access["value"] not in seen and refresh["value"] not in seen
    assert page.find_element(By.ID, "cookies").text == seen
    # Nor did the login answer carry the refresh token (REFRESH_COOKIE_ONLY).
    body = page.execute_async_script(
        """const done = arguments[arguments.length - 1];
        fetch("/api/token/", {method: "POST", headers: {"Content-Type": "application/json"},
            body: JSON.stringify({username: arguments[0], password: arguments[1]})})
            .then((r) => r.json()).then((data) => done(Object.keys(data)));""",
        USERNAME,
        PASSWORD,
    )
    assert body == ["access"]


def test_an_expired_access_token_is_renewed_through_the_refresh_cookie(page: WebDriver) -> None:
    log_in(page)
    before = all_cookies(page)
    time.sleep(2.5)  # the access token (and its cookie) lives two seconds
    assert "access" not in all_cookies(page)  # the browser dropped it with the token
    page.find_element(By.ID, "me-button").click()
    logged = wait_logged(page, 5)
    assert logged[2:] == [
        "GET /api/me/ → 401 (Authentication credentials were not provided.)",
        "POST /api/token/refresh/ → 200",
        "GET /api/me/ → 200",
    ]
    assert me(page) == ME
    after = all_cookies(page)
    assert after["access"]["value"] != before["access"]["value"]
    # Rotation (the example's default): a new refresh token, in its cookie.
    assert after["refresh"]["value"] != before["refresh"]["value"]
    if SCREENSHOT:
        assert page.save_screenshot(SCREENSHOT), SCREENSHOT


class _AttackerPage(http.server.BaseHTTPRequestHandler):
    """A page of another origin that POSTs a form as it loads: to the URL of its path's
    entry in ``forms``, with that entry's fields."""

    forms: dict[str, tuple[str, dict[str, str]]] = {}

    def do_GET(self) -> None:
        target, fields = self.forms[self.path]
        inputs = "".join(
            f'<input name="{escape(name)}" value="{escape(value)}">'
            for name, value in fields.items()
        )
        html = (
            f'<form method="post" action="{target}">{inputs}</form>'
            "<script>document.forms[0].submit()</script>"
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(html.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def attacker(browser_stack: Stack) -> Iterator[int]:
    """The port of a server for :class:`_AttackerPage`, on 127.0.0.1 and localhost: ``/``
    posts to the logout endpoint, ``/login`` the credentials of an account to obtain."""
    base = browser_stack.base_url
    forms = {
        "/": (f"{base}/api/token/logout/", {"x": "1"}),
        "/login": (f"{base}/api/token/", {"username": USERNAME, "password": PASSWORD}),
    }
    handler = type("Attacker", (_AttackerPage,), {"forms": forms})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


#: The attacker page's host: another port of this host (the same site), or another site.
other_origins = pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost"],
    ids=["same-site-other-port", "cross-site"],
)


def refused_by_origin(page: WebDriver, port: int, host: str, form: str, target: str) -> None:
    """Load the attacker page posting ``form`` (its path) to ``target``: the browser shows a
    403 with Django's Origin reason."""
    origin = f"http://{host}:{port}"
    page.get(f"{origin}{form}")
    wait_for(page, lambda: page.current_url == target, "the form's answer")
    answer = json.loads(page.find_element(By.TAG_NAME, "pre").text)
    assert answer == {
        "detail": f"CSRF Failed: Origin checking failed - {origin} does not match any "
        "trusted origins."
    }
    assert statuses(page, target) == [403]


@other_origins
def test_a_form_posted_from_another_origin_is_refused(
    page: WebDriver, browser_stack: Stack, attacker: int, host: str
) -> None:
    """Another port of the same host is the same site: SameSite=Lax lets the cookies go
    with its form, so only the CSRF check (here, Django's Origin check) stops it."""
    log_in(page)
    before = all_cookies(page)
    refused_by_origin(page, attacker, host, "/", f"{browser_stack.base_url}/api/token/logout/")
    # Nobody was logged out: the refresh cookie is the same and still accepted.
    after = all_cookies(page)
    assert after["refresh"]["value"] == before["refresh"]["value"]
    page.get(f"{browser_stack.base_url}/browser/")
    page.find_element(By.ID, "refresh-button").click()
    assert wait_logged(page, 1) == ["POST /api/token/refresh/ → 200"]


@other_origins
def test_a_login_form_posted_from_another_origin_logs_nobody_in(
    page: WebDriver, browser_stack: Stack, attacker: int, host: str
) -> None:
    """Login CSRF: another origin's page posting an account's credentials must not leave the
    browser logged in as that account. Chromium sends its Origin with the form, and the
    obtain view refuses it by that Origin before reading the body: a 403 with Django's
    reason, and no token cookie set. (The demo parses JSON bodies only, so without the
    Origin check this form would get a 415; with DRF's default parsers, which read forms,
    its answer would set the cookies, at least from another port of the same site, where
    SameSite does not apply.)"""
    assert "access" not in all_cookies(page)
    refused_by_origin(page, attacker, host, "/login", f"{browser_stack.base_url}/api/token/")
    cookies = all_cookies(page)
    assert "access" not in cookies and "refresh" not in cookies, sorted(cookies)


def test_after_logout_the_old_refresh_cookie_is_refused(page: WebDriver) -> None:
    log_in(page)
    old = all_cookies(page)["refresh"]
    page.find_element(By.ID, "logout-button").click()
    assert wait_logged(page, 3)[2] == "POST /api/token/logout/ → 200"
    assert page.find_element(By.ID, "state").text == "logged out"
    remaining = all_cookies(page)
    assert "access" not in remaining and "refresh" not in remaining
    # Someone kept the old refresh cookie and puts it back.
    page.execute_cdp_cmd(
        "Network.setCookie",
        {
            key: old[key]
            for key in ("name", "value", "domain", "path", "secure", "httpOnly", "sameSite")
        },
    )
    assert all_cookies(page)["refresh"]["value"] == old["value"]
    page.find_element(By.ID, "refresh-button").click()
    assert wait_logged(page, 4)[3] == "POST /api/token/refresh/ → 401 (Token is blacklisted)"
    page.find_element(By.ID, "me-button").click()
    assert wait_logged(page, 6)[4:] == [
        "GET /api/me/ → 401 (Authentication credentials were not provided.)",
        "POST /api/token/refresh/ → 401 (Token is blacklisted)",
    ]
    assert page.find_element(By.ID, "state").text == "logged out"
