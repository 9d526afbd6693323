"""dj-rest-auth, a third-party client of simplejwt, served on ferrojwt under gunicorn.

The project (tests/e2e/djrestauth/drasite) is dj-rest-auth's JWT mode with JWT cookies and
the blacklist. It runs twice: on simplejwt (the control) and on ferrojwt, where
`rest_framework_simplejwt` -- the name dj-rest-auth imports and looks for in INSTALLED_APPS --
resolves to ferrojwt's modules (ferrojwt.install_as_simplejwt()). Every assertion is the same
for both, exact status codes and bodies, over HTTP on a random 127.0.0.1 port.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.cookies import Morsel, SimpleCookie
from pathlib import Path
from typing import Any

import jwt
import pytest
from conftest import DEMO_DIR, PACKAGES, SECRET_KEY
from stack import Gunicorn, project_env, wait_for_port

pytestmark = pytest.mark.e2e

SITE_DIR = Path(__file__).resolve().parent / "djrestauth"
USERNAME, PASSWORD, EMAIL = "alice", "alice-password", "alice@example.com"
USER = {"pk": 1, "username": USERNAME, "email": EMAIL, "first_name": "", "last_name": ""}
ACCESS_COOKIE, REFRESH_COOKIE = "app-access", "app-refresh"
ACCESS_LIFETIME, REFRESH_LIFETIME = 300, 86400  # simplejwt's defaults, kept by the site
BLACKLISTED = {"detail": "Token is blacklisted", "code": "token_not_valid"}


class SiteGunicorn(Gunicorn):
    """The demo's gunicorn launcher and config file, serving drasite.wsgi instead."""

    def start(self) -> SiteGunicorn:
        env = {
            **self.env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(self.workers),
        }
        cmd = [sys.executable, "-m", "gunicorn", "-c", str(DEMO_DIR / "gunicorn.conf.py")]
        assert self.log is not None
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [*cmd, "drasite.wsgi"],
                env=env,
                cwd=SITE_DIR,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        wait_for_port(self.port, self.proc)
        self._wait_ready()  # GET /api/ping/, which drasite serves too
        return self


@dataclass(frozen=True)
class Site:
    package: str
    base_url: str
    log: Path  # gunicorn's output: access lines and server errors' tracebacks


def django_admin(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "django", *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, f"django-admin {args[0]} failed:\n{done.stdout}\n{done.stderr}"


# Until ferrojwt's blacklist models accept the app under the name dj-rest-auth looks for:
class ServerError(Exception):
    """The site answered 5xx (an HTML error page): a crash, not a refusal."""


@pytest.fixture(scope="module", params=PACKAGES)
def site(request: pytest.FixtureRequest) -> Iterator[Site]:
    root = Path(tempfile.mkdtemp(prefix="ferrojwt-e2e-djrestauth-"))
    env = project_env(
        DJANGO_SETTINGS_MODULE="drasite.settings",
        PYTHONPATH=str(SITE_DIR),
        JWT_PACKAGE=request.param,
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_SQLITE_PATH=str(root / "db.sqlite3"),
    )
    django_admin(env, "migrate", "--noinput")
    create = "from django.contrib.auth.models import User; User.objects.create_user(%r, %r, %r)"
    django_admin(env, "shell", "-c", create % (USERNAME, EMAIL, PASSWORD))
    server = SiteGunicorn(env, workers=2, log=root / "gunicorn.log").start()
    try:
        yield Site(request.param, f"http://127.0.0.1:{server.port}", root / "gunicorn.log")
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    cookies: dict[str, Morsel[str]]  # from every Set-Cookie header


def call(
    site: Site,
    method: str,
    path: str,
    body: Any = None,
    *,
    access: str | None = None,
    cookies: dict[str, str] | None = None,
) -> Answer:
    """One HTTP request; the reply must be JSON."""
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if access is not None:
        headers["Authorization"] = f"Bearer {access}"
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    port = int(site.base_url.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        jar: SimpleCookie = SimpleCookie()
        for header in response.msg.get_all("Set-Cookie") or []:
            jar.load(header)
        if response.status >= 500:
            errors = [line for line in site.log.read_text().splitlines() if "Error" in line]
            raise ServerError(f"{method} {path}: {response.status}; {errors[-1:]}")
        content_type = response.getheader("Content-Type", "")
        assert content_type.startswith("application/json"), (response.status, raw[:300])
        return Answer(response.status, json.loads(raw), dict(jar))
    finally:
        conn.close()


def claims(token: str) -> dict[str, Any]:
    """Verified with the site's key: what the server issued is a valid HS256 token."""
    return jwt.decode(token, SECRET_KEY, algorithms=["HS256"])


def tampered(token: str) -> str:
    """The same token with one signature character changed."""
    i = len(token) - 10
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]


def login(site: Site) -> Answer:
    answer = call(site, "POST", "/auth/login/", {"username": USERNAME, "password": PASSWORD})
    assert answer.status == 200, answer.body
    return answer


def assert_cookie(morsel: Morsel[str], value: str, max_age: int) -> None:
    assert morsel.value == value
    assert (morsel["path"], morsel["samesite"], morsel["max-age"]) == ("/", "Lax", str(max_age))
    assert not morsel["httponly"] and not morsel["secure"]  # JWT_AUTH_HTTPONLY is False


def assert_near(iso: str, seconds: int) -> None:
    expected = datetime.now(timezone.utc) + timedelta(seconds=seconds)
    assert abs(datetime.fromisoformat(iso.replace("Z", "+00:00")) - expected) < timedelta(
        seconds=30
    )


def test_login_returns_the_pair_in_the_body_and_in_cookies(site: Site) -> None:
    wrong = call(site, "POST", "/auth/login/", {"username": USERNAME, "password": "nope"})
    assert wrong.status == 400
    assert wrong.body == {"non_field_errors": ["Unable to log in with provided credentials."]}
    assert wrong.cookies == {}
    answer = login(site)
    assert set(answer.body) == {"access", "refresh", "user"}
    assert answer.body["user"] == USER
    access, refresh = claims(answer.body["access"]), claims(answer.body["refresh"])
    assert (access["token_type"], refresh["token_type"]) == ("access", "refresh")
    assert access["user_id"] == refresh["user_id"] == "1"
    # The access token's exp counts from the refresh token's creation (simplejwt's rule), its
    # iat from its own: one second later when a second boundary falls between the two.
    assert access["exp"] == refresh["iat"] + ACCESS_LIFETIME
    assert access["iat"] - refresh["iat"] in (0, 1)
    assert refresh["exp"] - refresh["iat"] == REFRESH_LIFETIME
    assert set(answer.cookies) == {ACCESS_COOKIE, REFRESH_COOKIE}
    assert_cookie(answer.cookies[ACCESS_COOKIE], answer.body["access"], ACCESS_LIFETIME)
    assert_cookie(answer.cookies[REFRESH_COOKIE], answer.body["refresh"], REFRESH_LIFETIME)


def test_the_access_token_authenticates_by_header_and_by_cookie(site: Site) -> None:
    access = login(site).body["access"]
    by_header = call(site, "GET", "/auth/user/", access=access)
    by_cookie = call(site, "GET", "/auth/user/", cookies={ACCESS_COOKIE: access})
    assert (by_header.status, by_header.body) == (200, USER)
    assert (by_cookie.status, by_cookie.body) == (200, USER)


def test_the_work_is_done_by_the_package_under_test(site: Site) -> None:
    """The ferrojwt site really runs ferrojwt: dj-rest-auth's authentication class and the
    validated token come from it, and the name dj-rest-auth imports is ferrojwt."""
    answer = call(site, "GET", "/api/jwt-modules/", access=login(site).body["access"])
    package = "ferrojwt" if site.package == "ferrojwt" else "rest_framework_simplejwt"
    assert answer.status == 200
    assert answer.body == {
        "rest_framework_simplejwt": package,
        "authentication_bases": [
            "dj_rest_auth.jwt_auth.JWTCookieAuthentication",
            f"{package}.authentication.JWTAuthentication",
        ],
        "token_class": f"{package}.tokens.AccessToken",
    }


def test_a_missing_or_tampered_access_token_is_refused(site: Site) -> None:
    access = login(site).body["access"]
    missing = call(site, "GET", "/auth/user/")
    assert missing.status == 401
    assert missing.body == {"detail": "Authentication credentials were not provided."}
    invalid = {
        "detail": "Given token not valid for any token type",
        "code": "token_not_valid",
        "messages": [
            {"token_class": "AccessToken", "token_type": "access", "message": "Token is invalid"}
        ],
    }
    for answer in (
        call(site, "GET", "/auth/user/", access=tampered(access)),
        call(site, "GET", "/auth/user/", cookies={ACCESS_COOKIE: tampered(access)}),
    ):
        assert (answer.status, answer.body) == (401, invalid)


def test_refresh_from_the_body_rotates_and_blacklists_the_old_token(site: Site) -> None:
    old = login(site).body["refresh"]
    answer = call(site, "POST", "/auth/token/refresh/", {"refresh": old})
    assert answer.status == 200
    assert set(answer.body) == {"access", "refresh", "access_expiration", "refresh_expiration"}
    assert claims(answer.body["access"])["token_type"] == "access"
    assert claims(answer.body["refresh"])["token_type"] == "refresh"
    assert answer.body["refresh"] != old
    assert_near(answer.body["access_expiration"], ACCESS_LIFETIME)
    assert_near(answer.body["refresh_expiration"], REFRESH_LIFETIME)
    assert_cookie(answer.cookies[ACCESS_COOKIE], answer.body["access"], ACCESS_LIFETIME)
    assert_cookie(answer.cookies[REFRESH_COOKIE], answer.body["refresh"], REFRESH_LIFETIME)
    again = call(site, "POST", "/auth/token/refresh/", {"refresh": old})
    assert (again.status, again.body) == (401, BLACKLISTED)
    # The new access token works.
    user = call(site, "GET", "/auth/user/", access=answer.body["access"])
    assert (user.status, user.body) == (200, USER)


def test_refresh_from_the_cookie(site: Site) -> None:
    refresh = login(site).body["refresh"]
    answer = call(site, "POST", "/auth/token/refresh/", {}, cookies={REFRESH_COOKIE: refresh})
    assert answer.status == 200
    assert set(answer.body) == {"access", "refresh", "access_expiration", "refresh_expiration"}
    assert claims(answer.body["access"])["user_id"] == "1"
    assert answer.cookies[REFRESH_COOKIE].value == answer.body["refresh"] != refresh
    none = call(site, "POST", "/auth/token/refresh/", {})
    assert none.status == 401
    assert none.body == {"detail": "No valid refresh token found.", "code": "token_not_valid"}
    bad = call(site, "POST", "/auth/token/refresh/", {}, cookies={REFRESH_COOKIE: "x.y.z"})
    assert (bad.status, bad.body) == (
        401,
        {"detail": "Token is invalid", "code": "token_not_valid"},
    )


def test_verify(site: Site) -> None:
    pair = login(site).body
    for token in (pair["access"], pair["refresh"]):
        answer = call(site, "POST", "/auth/token/verify/", {"token": token})
        assert (answer.status, answer.body) == (200, {})
    answer = call(site, "POST", "/auth/token/verify/", {"token": tampered(pair["access"])})
    assert answer.status == 401
    assert answer.body == {"detail": "Token is invalid", "code": "token_not_valid"}


def test_logout_blacklists_the_refresh_token_and_clears_the_cookies(site: Site) -> None:
    pair = login(site).body
    answer = call(
        site, "POST", "/auth/logout/", {"refresh": pair["refresh"]}, access=pair["access"]
    )
    assert (answer.status, answer.body) == (200, {"detail": "Successfully logged out."})
    assert set(answer.cookies) == {ACCESS_COOKIE, REFRESH_COOKIE}
    for morsel in answer.cookies.values():
        assert (morsel.value, morsel["max-age"], morsel["path"]) == ("", "0", "/")
    # The refresh token is now refused everywhere dj-rest-auth takes it.
    refresh = call(site, "POST", "/auth/token/refresh/", {"refresh": pair["refresh"]})
    assert (refresh.status, refresh.body) == (401, BLACKLISTED)
    from_cookie = call(
        site, "POST", "/auth/token/refresh/", {}, cookies={REFRESH_COOKIE: pair["refresh"]}
    )
    assert (from_cookie.status, from_cookie.body) == (401, BLACKLISTED)
    # simplejwt 5.5.1's verify answers a blacklisted token with a 400 validation error.
    verify = call(site, "POST", "/auth/token/verify/", {"token": pair["refresh"]})
    assert (verify.status, verify.body) == (400, {"non_field_errors": ["Token is blacklisted"]})
    twice = call(site, "POST", "/auth/logout/", {"refresh": pair["refresh"]})
    assert (twice.status, twice.body) == (401, {"detail": "Token is blacklisted"})
    without = call(site, "POST", "/auth/logout/", {})
    assert without.status == 401
    assert without.body == {"detail": "Refresh token was not included in request data."}
