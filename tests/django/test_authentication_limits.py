"""A header of megabytes is answered as a token over MAX_TOKEN_BYTES, without reading it all."""

from __future__ import annotations

from typing import Any

import pytest
from ferrojwt._core import MAX_TOKEN_BYTES
from ferrojwt.authentication import JWTAuthentication
from ferrojwt.exceptions import InvalidToken
from rest_framework.test import APIClient, APIRequestFactory

NOT_VALID = {
    "detail": "Given token not valid for any token type",
    "code": "token_not_valid",
    "messages": [
        {"token_class": "AccessToken", "token_type": "access", "message": "Token is invalid"}
    ],
}
NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize("size", [300, MAX_TOKEN_BYTES + 1, 4 * 1024 * 1024])
def test_garbage_header_of_any_size_gets_the_same_401(api_client: APIClient, size: int) -> None:
    response = api_client.get("/api/whoami/", HTTP_AUTHORIZATION="Bearer " + "A" * size)
    assert response.status_code == 401
    assert response.json() == NOT_VALID


def test_oversized_header_of_another_scheme_is_left_alone(api_client: APIClient) -> None:
    response = api_client.get("/api/whoami/", HTTP_AUTHORIZATION="Basic " + "A" * (4 << 20))
    assert (response.status_code, response.json()) == (401, NOT_PROVIDED)


def test_oversized_header_is_refused_by_the_core_not_split(monkeypatch: Any) -> None:
    """The refusal comes from the token classes (the core's size limit), and the header's
    megabytes are never split."""
    seen: list[int] = []
    original = JWTAuthentication.get_validated_token

    def spy(self: JWTAuthentication, raw_token: bytes) -> Any:
        seen.append(len(raw_token))
        return original(self, raw_token)

    monkeypatch.setattr(JWTAuthentication, "get_validated_token", spy)
    monkeypatch.setattr(
        JWTAuthentication, "get_raw_token", lambda self, header: pytest.fail("split")
    )
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION="Bearer " + "A" * (4 << 20))
    with pytest.raises(InvalidToken) as info:
        JWTAuthentication().authenticate(request)
    assert info.value.detail["messages"][0]["message"] == "Token is invalid"
    assert seen == [MAX_TOKEN_BYTES + 1]
