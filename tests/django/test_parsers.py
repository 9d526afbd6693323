"""ferrojwt.parsers.JSONParser: deep nesting is a 400 with a JSON body, not a 500."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import OperationalError
from ferrojwt import serializers, views
from ferrojwt.parsers import MAX_DEPTH, JSONParser, json_nesting_error, swap_json_parser
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient
from testproject.testing import PASSWORD

TOKEN_PATHS = [
    "/api/token/",
    "/api/token/refresh/",
    "/api/token/verify/",
    "/api/token/blacklist/",
    "/api/token/sliding/",
    "/api/token/sliding/refresh/",
]


def nested(depth: int, inner: str = "") -> str:
    return "[" * depth + inner + "]" * depth


# -- the depth scan ------------------------------------------------------------------------

DEEP = f"arrays and objects nested deeper than {MAX_DEPTH}"
UNBALANCED = "brackets do not balance"


def test_depth_limit_is_exact() -> None:
    assert json_nesting_error(nested(MAX_DEPTH)) is None
    assert json_nesting_error(nested(MAX_DEPTH + 1)) == DEEP
    mixed = '{"a": ' * 40 + nested(24) + "}" * 40
    assert json_nesting_error(mixed) is None
    assert json_nesting_error('{"a": ' * 40 + nested(25) + "}" * 40) == DEEP
    # One deep branch among shallow ones, at either end.
    shallow = ",".join(["[]"] * 100)
    assert json_nesting_error(f"[{shallow},{nested(MAX_DEPTH - 1)}]") is None
    assert json_nesting_error(f"[{nested(MAX_DEPTH)},{shallow}]") == DEEP


def test_depth_counts_nesting_not_brackets() -> None:
    # Many brackets side by side are not deep: only the fast path is skipped.
    assert json_nesting_error("[" + ",".join(["[]"] * 10_000) + "]") is None
    assert json_nesting_error(",".join([nested(MAX_DEPTH)] * 100)) is None


def test_depth_is_exact_when_innermost_pairs_are_removed_first() -> None:
    # Over 20,000 runs of brackets: the innermost pairs go first, the levels counted.
    many = ",".join([nested(3)] * 12_000)
    assert json_nesting_error(f"[{many},{nested(MAX_DEPTH - 1)}]") is None
    assert json_nesting_error(f"[{nested(MAX_DEPTH)},{many}]") == DEEP
    assert json_nesting_error(",".join([nested(MAX_DEPTH + 1)] * 12_000)) == DEEP
    assert json_nesting_error("[" * 70 + "[]" * 30_000) == DEEP
    assert json_nesting_error("[]" * 30_000 + "]") == UNBALANCED


def test_brackets_inside_strings_are_text() -> None:
    assert json_nesting_error('["' + "[" * 500 + '"]') is None
    assert json_nesting_error('["\\"' + "{" * 500 + '"]') is None  # an escaped quote stays in
    # An escaped backslash ends the string: 501 brackets open at the end.
    assert json_nesting_error('["\\\\"' + "[" * 500) == DEEP
    # An unterminated string runs to the end: json refuses it before any bracket in it.
    assert json_nesting_error('["' + "[" * 500) == UNBALANCED  # the first [ is never closed
    assert json_nesting_error('"' + "[" * 500) is None


def test_unbalanced_brackets_are_refused() -> None:
    assert json_nesting_error("]" * 100) is None  # nothing opens: json refuses it at once
    assert json_nesting_error("]" * 100 + "[]" * 70) == UNBALANCED
    assert json_nesting_error("[" * 30 + "}" * 30 + "]" * 10) is None  # mismatched kinds: json's
    assert json_nesting_error("[]" * 40 + "]" + "[]" * 40) == UNBALANCED


def parse(body: bytes, **context: Any) -> Any:
    return JSONParser().parse(io.BytesIO(body), "application/json", context)


def test_parser_refuses_deep_bodies_with_a_reason() -> None:
    with pytest.raises(ParseError) as info:
        parse(b"[" * 5000)
    assert info.value.detail == (
        f"JSON parse error - arrays and objects nested deeper than {MAX_DEPTH}"
    )
    assert parse(nested(MAX_DEPTH, "1").encode()) is not None


def test_parser_keeps_drfs_behaviour_otherwise() -> None:
    assert parse(b'{"refresh": "x", "n": [1, 2.5, null]}') == {"refresh": "x", "n": [1, 2.5, None]}
    with pytest.raises(ParseError, match="JSON parse error - Expecting value"):
        parse(b"[")
    with pytest.raises(ParseError, match="JSON parse error"):
        parse(b"[NaN]")  # STRICT_JSON
    assert parse('{"u": "é"}'.encode("latin-1"), encoding="latin-1") == {"u": "é"}
    with pytest.raises(ParseError, match="JSON parse error"):
        parse(b'{"u": "\xff"}')  # not UTF-8


def test_parser_refuses_bytes_to_bytes_codecs() -> None:
    # bz2_codec would decompress a small body without bound.
    with pytest.raises(ParseError, match='Unsupported charset "bz2_codec"'):
        parse(b"x", encoding="bz2_codec")


def test_swap_replaces_only_drfs_json_parser() -> None:
    class Own(parsers.JSONParser):
        pass

    classes = [parsers.JSONParser, parsers.FormParser, Own, parsers.MultiPartParser]
    assert swap_json_parser(classes) == [
        JSONParser,
        parsers.FormParser,
        Own,
        parsers.MultiPartParser,
    ]


# -- the token views -------------------------------------------------------------------------


@pytest.mark.parametrize("path", TOKEN_PATHS)
def test_token_views_answer_400_json_to_deep_bodies(api_client: APIClient, path: str) -> None:
    response = api_client.post(path, b"[" * 5000, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": f"JSON parse error - arrays and objects nested deeper than {MAX_DEPTH}"
    }


@pytest.mark.django_db
def test_token_views_keep_the_default_media_types(api_client: APIClient, user: Any) -> None:
    # The test project keeps DRF's DEFAULT_PARSER_CLASSES: form bodies still work.
    form = api_client.post("/api/token/", {"username": "alice", "password": PASSWORD})
    assert form.status_code == 200, form.json()
    body = api_client.post(
        "/api/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )
    assert body.status_code == 200
    assert [type(p) for p in views.TokenObtainPairView().get_parsers()] == [
        JSONParser,
        parsers.FormParser,
        parsers.MultiPartParser,
    ]


# -- a database that cannot be reached ---------------------------------------------------------


@pytest.mark.django_db
def test_database_unavailable_is_a_503_with_json(
    api_client: APIClient, user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(self: Any, attrs: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(serializers.TokenRefreshSerializer, "validate", down)
    response = api_client.post("/api/token/refresh/", {"refresh": "x"}, format="json")
    assert response.status_code == 503
    assert response.json() == {
        "detail": "The service is temporarily unavailable, try again later.",
        "code": "database_unavailable",
    }
