"""ferrojwt.contrib.drf_spectacular for JWKSView: a public GET answering the JWK Set (200) or
304, with the If-None-Match header, generated without a warning and valid."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import path
from ferrojwt.contrib.drf_spectacular import JWK_SET_SCHEMA
from ferrojwt.views import JWKSView
from rest_framework.test import APIRequestFactory
from test_openapi import SCHEMA_CLASS, generate, operation, urlpatterns
from testproject.testing import jwt_settings

pytestmark = pytest.mark.django_db

PATTERNS = [*urlpatterns, path(".well-known/jwks.json", JWKSView.as_view())]
URL = "/.well-known/jwks.json"


@pytest.fixture(autouse=True)
def spectacular_views(settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, **SCHEMA_CLASS}


def test_the_jwks_operation_is_described_without_warnings() -> None:
    schema, messages = generate(PATTERNS)
    assert messages == []
    get = operation(schema, URL, "get")
    assert "security" not in get  # no authentication
    assert get["operationId"] == "jwks_retrieve"
    assert get["description"].startswith("The public keys that verify this service's tokens")
    assert set(get["responses"]) == {"200", "304"}
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == JWK_SET_SCHEMA
    assert get["responses"]["304"]["description"] == "Not modified: the held set is current."
    (parameter,) = get["parameters"]
    assert (parameter["name"], parameter["in"]) == ("If-None-Match", "header")
    assert set(schema["paths"][URL]) == {"get"}


def test_the_schema_describes_what_the_view_serves(ec_keys: tuple[str, str]) -> None:
    with jwt_settings(
        ALGORITHM="ES256", SIGNING_KEY=ec_keys[0], VERIFYING_KEY=ec_keys[1], SIGNING_KEY_ID="e"
    ):
        reply = JWKSView.as_view()(APIRequestFactory().get(URL))
        served = json.loads(reply.content)
    item = JWK_SET_SCHEMA["properties"]["keys"]["items"]
    (key,) = served["keys"]
    assert set(item["required"]) <= set(key) <= set(item["properties"])
    assert key["kty"] in item["properties"]["kty"]["enum"]
    assert key["crv"] in item["properties"]["crv"]["enum"]
