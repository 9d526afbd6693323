"""The example's API docs: its OpenAPI schema passes drf-spectacular's checks, and Swagger UI
is served with its JavaScript and CSS from /static/ (drf-spectacular-sidecar), not a CDN."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import drf_spectacular_sidecar
import pytest
from conftest import SECRET_KEY, Stack, Stacks
from drf_spectacular.validation import validate_schema
from e2e_http import request
from stack import manage, project_env

pytestmark = pytest.mark.e2e

SIDECAR = "/static/drf_spectacular_sidecar/swagger-ui-dist/"
SIDECAR_STATIC = Path(drf_spectacular_sidecar.__file__).parent / "static"
# Swagger UI's files, as the page names them: the bundle, its standalone preset, the CSS.
ASSETS = {
    "swagger-ui-bundle.js": "application/javascript",
    "swagger-ui-standalone-preset.js": "application/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


def installed(url: str) -> bytes:
    """The file drf-spectacular-sidecar installed for /static/ ``url``."""
    return (SIDECAR_STATIC / url.removeprefix("/static/")).read_bytes()


def generated_schema(tmp_path: Path, package: str, *flags: str) -> dict[str, Any]:
    """`manage.py spectacular FLAGS` on the example; raises with its output when it fails."""
    out = tmp_path / f"schema-{package}.json"
    env = project_env(
        DJANGO_SECRET_KEY=SECRET_KEY,
        JWT_PACKAGE=package,
        DJANGO_SQLITE_PATH=str(tmp_path / "unused.sqlite3"),
    )
    manage(env, "spectacular", *flags, "--format", "openapi-json", "--file", str(out))
    schema: dict[str, Any] = json.loads(out.read_text())
    return schema


def component(schema: dict[str, Any], operation: dict[str, Any], status: str | None) -> Any:
    if status is None:
        content = operation["requestBody"]["content"]
    else:
        content = operation["responses"][status]["content"]
    assert set(content) == {"application/json"}  # the example parses and renders JSON only
    ref = content["application/json"]["schema"]["$ref"]
    found = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return set(found["properties"]), set(found["required"])


def test_the_example_schema_passes_spectacular_checks_without_warnings(tmp_path: Path) -> None:
    """--validate (the OpenAPI 3 JSON schema) and --fail-on-warn: not one warning."""
    schema = generated_schema(tmp_path, "ferrojwt", "--validate", "--fail-on-warn")
    validate_schema(schema)
    assert schema["components"]["securitySchemes"] == {
        "jwtAuth": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token: `Authorization: Bearer <token>`.",
        }
    }
    paths = schema["paths"]
    for protected in ("/api/me/", "/api/me/stateless/"):
        assert paths[protected]["get"]["security"] == [{"jwtAuth": []}]
    assert paths["/api/ping/"]["get"]["security"] == [{}]  # anyone
    # The example splits request and response components, and rotates refresh tokens.
    pair, refresh = paths["/api/token/"]["post"], paths["/api/token/refresh/"]["post"]
    both = {"username", "password"}
    assert component(schema, pair, None) == (both, both)
    assert component(schema, pair, "200") == ({"access", "refresh"}, {"access", "refresh"})
    assert component(schema, refresh, None) == ({"refresh"}, {"refresh"})
    assert component(schema, refresh, "200") == ({"access", "refresh"}, {"access", "refresh"})
    for url in ("/api/token/", "/api/token/refresh/", "/api/token/verify/"):
        responses = paths[url]["post"]["responses"]
        assert set(responses) == {"200", "400", "401"}, url
        assert component(schema, paths[url]["post"], "401") == ({"detail", "code"}, {"detail"})


def assets_of(page: bytes) -> list[str]:
    """Every URL the page loads (script src, link href)."""
    return [url.decode() for url in re.findall(rb'(?:src|href)="([^"]+)"', page)]


def swagger_page(stack: Stack) -> list[str]:
    """GET /api/docs/: the HTML page, and the URLs of the files it loads."""
    reply = request(stack.base_url, "GET", "/api/docs/")
    assert reply.status == 200, reply.body[:300]
    assert reply.content_type == "text/html; charset=utf-8"
    assert b'<div id="swagger-ui"></div>' in reply.body
    # The page fetches the schema from the example itself.
    assert b'"/api/schema/"' in reply.body
    urls = assets_of(reply.body)
    assert sorted(urls) == sorted(SIDECAR + name for name in ASSETS)
    assert not re.search(rb"https?://|\"//", reply.body), "the page loads something remote"
    return urls


def test_gunicorn_serves_swagger_ui_and_the_schema(sqlite_stack: Stack) -> None:
    """On both packages: drf-spectacular describes simplejwt itself, ferrojwt describes
    itself, and the page and the schema are the same shape."""
    swagger_page(sqlite_stack)
    reply = request(sqlite_stack.base_url, "GET", "/api/schema/?format=json")
    assert reply.status == 200
    assert reply.content_type.startswith("application/vnd.oai.openapi+json")
    schema = json.loads(reply.body)
    validate_schema(schema)
    assert schema["components"]["securitySchemes"]["jwtAuth"]["scheme"] == "bearer"
    assert {"/api/token/", "/api/token/refresh/", "/api/me/"} <= set(schema["paths"])


def test_nginx_serves_swagger_ui_files_from_static(nginx_stack: Stack) -> None:
    """collectstatic gathered the sidecar's files; nginx answers them without gunicorn."""
    for url in swagger_page(nginx_stack):
        reply = request(nginx_stack.base_url, "GET", url)
        assert reply.status == 200, url
        assert reply.headers["server"] == "nginx"
        assert reply.content_type == ASSETS[url.removeprefix(SIDECAR)], url
        assert reply.body == installed(url), url


def test_make_serve_lets_django_serve_the_files(stacks: Stacks) -> None:
    """`make serve` has no nginx: DJANGO_SERVE_STATIC=1 (serve.py sets it) serves /static/."""
    stacks.get("sqlite", "ferrojwt")  # migrated database, demo user
    env = stacks._env(
        "ferrojwt",
        DJANGO_SQLITE_PATH=str(stacks.root / "ferrojwt.sqlite3"),
        DJANGO_SERVE_STATIC="1",
    )
    server = stacks._gunicorn("serve-static", env, workers=1)
    base_url = f"http://127.0.0.1:{server.port}"
    reply = request(base_url, "GET", SIDECAR + "swagger-ui.css")
    assert (reply.status, reply.content_type) == (200, "text/css")
    assert reply.body == installed(SIDECAR + "swagger-ui.css")
    # Without the flag (the other stacks), gunicorn does not serve them.
    plain = stacks.get("sqlite", "ferrojwt")
    assert request(plain.base_url, "GET", SIDECAR + "swagger-ui.css").status == 404
