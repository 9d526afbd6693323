"""A DRF JSON parser with a nesting-depth limit, used by the token views.

DRF's own ``JSONParser`` hands the body to Python's ``json`` module, which recurses once per
nesting level: a body of a few thousand ``[`` ends in ``RecursionError``, which DRF does not
catch, so the view answers 500. :class:`JSONParser` counts the nesting of the body first
and refuses one deeper than :attr:`JSONParser.max_depth` with DRF's ``ParseError`` (400,
JSON body), before ``json`` sees it. Everything else is DRF's parser unchanged: the same
media type, the charset of the request, ``STRICT_JSON`` (no NaN/Infinity), the same
``"JSON parse error - ..."`` message, the last of duplicate members kept.

Use it in a project's own views as any DRF parser::

    REST_FRAMEWORK = {"DEFAULT_PARSER_CLASSES": ("ferrojwt.parsers.JSONParser", ...)}
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping, Sequence
from typing import IO, Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.utils import json

__all__ = ["MAX_DEPTH", "JSONParser", "json_depth_exceeds", "swap_json_parser"]

#: The deepest nesting of arrays and objects accepted, the same as the native core's
#: limit for a token's header and claims.
MAX_DEPTH = 64

# A JSON string (an unterminated one runs to the end: json refuses it before any bracket
# inside it) or one bracket. Brackets inside strings are text, not nesting.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]+|\\.)*"?|[\[\]{}]', re.DOTALL)


def json_depth_exceeds(text: str, max_depth: int = MAX_DEPTH) -> bool:
    """Whether the JSON text nests arrays and objects deeper than ``max_depth``.

    Only the nesting is looked at: a text that is not JSON may pass (json then refuses it).
    A text with at most ``max_depth`` opening brackets (every request of a token view) is
    answered by two ``str.count`` calls; others by one scan that stops at the first level
    too deep.
    """
    if text.count("[") + text.count("{") <= max_depth:
        return False
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        char = match.group()
        if char == "[" or char == "{":
            depth += 1
            if depth > max_depth:
                return True
        elif char == "]" or char == "}":
            depth -= 1
    return False


def _text_encoding(parser_context: Mapping[str, Any]) -> str:
    """The request's charset (else DEFAULT_CHARSET), if it is a text encoding.

    ``codecs.getreader`` would also run a bytes-to-bytes codec such as ``bz2_codec``: a
    small body, checked against the size limits, decompressed without bound.
    ``str.encode`` accepts text encodings only.
    """
    encoding = str(parser_context.get("encoding") or settings.DEFAULT_CHARSET)
    try:
        "".encode(encoding)
    except (LookupError, UnicodeError):
        message = f'Unsupported charset "{encoding}" in request Content-Type header.'
        raise ParseError(message) from None
    return encoding


class JSONParser(parsers.JSONParser):
    """DRF's ``JSONParser`` refusing bodies nested deeper than ``max_depth`` (400)."""

    max_depth = MAX_DEPTH

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = _text_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except UnicodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        if json_depth_exceeds(text, self.max_depth):
            raise ParseError(
                f"JSON parse error - arrays and objects nested deeper than {self.max_depth}"
            )
        parse_constant = json.strict_constant if self.strict else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc


def swap_json_parser(classes: Sequence[type[BaseParser]]) -> list[type[BaseParser]]:
    """``classes`` with DRF's own ``JSONParser`` replaced by :class:`JSONParser`.

    The token views keep the project's ``DEFAULT_PARSER_CLASSES`` (the same media types
    accepted as simplejwt's views); only DRF's JSON parser, exactly, is swapped: a
    project's own JSON parser class is its choice and stays.
    """
    return [JSONParser if cls is parsers.JSONParser else cls for cls in classes]
