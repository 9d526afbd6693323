"""A DRF JSON parser with a nesting-depth limit, used by the token views.

DRF's own ``JSONParser`` hands the body to Python's ``json`` module, which recurses once per
nesting level: a body of a few thousand ``[`` ends in ``RecursionError``, which DRF does not
catch, so the view answers 500. :class:`JSONParser` measures the nesting of the body first
(:func:`json_nesting_error`, C string methods only) and refuses one deeper than
:attr:`JSONParser.max_depth`, or whose brackets do not balance, with DRF's ``ParseError``
(400, JSON body), before ``json`` sees it. Everything else is DRF's parser unchanged: the
same media type, the charset of the request, ``STRICT_JSON`` (no NaN/Infinity), the same
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

__all__ = ["MAX_DEPTH", "JSONParser", "json_nesting_error", "swap_json_parser"]

#: The deepest nesting of arrays and objects accepted, the same as the native core's
#: limit for a token's header and claims.
MAX_DEPTH = 64

# A JSON string; an unterminated one runs to the end (json refuses it before any bracket in
# it). Brackets inside strings are text, not nesting.
_STRING = re.compile(r'"(?:[^"\\]+|\\.)*"?', re.DOTALL)
# bytes.translate: every bracket made round, every other byte deleted.
_ROUND = bytes.maketrans(b"[]{}", b"()()")
_NOT_BRACKET = bytes(set(range(256)) - set(b"[]{}"))
_RUN = re.compile(rb"\(+|\)+")
_OPEN = ord("(")
# Above this many runs of brackets, innermost pairs are removed before the run loop.
_MAX_RUNS = 20_000


def json_nesting_error(text: str, max_depth: int = MAX_DEPTH) -> str | None:
    """Why the JSON text cannot be parsed within ``max_depth`` levels, or None if it can.

    Only the brackets outside strings are looked at (json refuses what else is wrong).
    A text with at most ``max_depth`` opening brackets (every request of a token view) is
    answered by two ``str.count`` calls. Otherwise the brackets, all made round, are read
    as runs of ``(`` and of ``)``, one Python step per run, the depth stopping at the first
    level too deep. Many runs mean many innermost pairs (``()``): while there are more than
    ``_MAX_RUNS``, they are removed first (``bytes.replace``, one level per pass, counted),
    so a 1 MB body costs a few passes at C speed and a bounded loop. For a balanced text
    the depth is exact; one whose brackets do not balance is not JSON either and is refused
    without parsing (as too deep when its depth so counted passes ``max_depth``).
    """
    if text.count("[") + text.count("{") <= max_depth:
        return None
    outside_strings = _STRING.sub("", text).encode("utf-8", "surrogatepass")
    brackets = outside_strings.translate(_ROUND, _NOT_BRACKET)
    peeled = 0
    while brackets.count(b"()") + brackets.count(b")(") > _MAX_RUNS:
        if peeled == max_depth:
            return f"arrays and objects nested deeper than {max_depth}"
        brackets = brackets.replace(b"()", b"")
        peeled += 1
    depth = lowest = 0
    for run in _RUN.finditer(brackets):
        if brackets[run.start()] == _OPEN:
            depth += run.end() - run.start()
            if peeled + depth > max_depth:
                return f"arrays and objects nested deeper than {max_depth}"
        else:
            depth -= run.end() - run.start()
            lowest = min(lowest, depth)
    if depth or lowest < 0:
        return "brackets do not balance"
    return None


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
        problem = json_nesting_error(text, self.max_depth)
        if problem is not None:
            raise ParseError(f"JSON parse error - {problem}")
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
