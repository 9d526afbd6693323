"""How ``jwt.encode`` walks containers, byte for byte as PyJWT on the running Python.

Only visible when a JSON encoder's ``default()`` changes a container while it is being
written, or when a dict subclass lists its members in its own order. CPython's json
(the C encoder PyJWT goes through) walks:

* the payload from ``payload.copy()`` and the header from a dict of its own, so changes
  to the caller's top-level dict never show;
* lists live on every version (appended items are written, removed ones are not);
* a nested plain dict live from 3.12 on when keys are not sorted (``PyDict_Next``), from
  a snapshot of its items before 3.12 and whenever keys are sorted;
* a dict subclass through its ``items()`` (an OrderedDict's own order).

Each test compares with PyJWT and also states what the running version must give, so a
change of rule on either side shows.
"""

from __future__ import annotations

import collections
import json
import sys
from datetime import datetime, timezone
from typing import Any

import jwt as pyjwt
import pytest
from ferrojwt import jwt
from jwt.utils import base64url_decode
from jwt_helpers import HMAC_SECRET

LIVE_DICTS = sys.version_info >= (3, 12)


class Unencodable:
    """A value json has no rule for: each one makes the encoder call ``default()``."""


def both(payload: Any, **kwargs: Any) -> tuple[str, str]:
    """(PyJWT's token, ferrojwt's token) for the same payload; each gets a fresh payload."""
    return (
        pyjwt.encode(payload(), HMAC_SECRET, **kwargs),
        jwt.encode(payload(), HMAC_SECRET, **kwargs),
    )


def claims(token: str) -> Any:
    return pyjwt.decode(token, HMAC_SECRET, algorithms=["HS256"])


def payload_text(token: str) -> str:
    return base64url_decode(token.split(".")[1]).decode()


def changing(change: Any) -> type[json.JSONEncoder]:
    """An encoder whose ``default()`` runs ``change()`` and writes 1."""

    class Changing(json.JSONEncoder):
        def default(self, o: Any) -> Any:
            change()
            return 1

    return Changing


def test_nested_dict_grown_while_written() -> None:
    inner: dict[str, Any] = {}

    def payload() -> dict[str, Any]:
        inner.clear()
        inner.update({"a": Unencodable(), "b": 2})
        return {"inner": inner}

    encoder = changing(lambda: inner.__setitem__("added", 3))
    reference, ours = both(payload, json_encoder=encoder)
    assert ours == reference
    expected = {"a": 1, "b": 2, "added": 3} if LIVE_DICTS else {"a": 1, "b": 2}
    assert claims(ours) == {"inner": expected}


def test_nested_dict_losing_a_later_member_while_written() -> None:
    inner: dict[str, Any] = {}

    def payload() -> dict[str, Any]:
        inner.clear()
        inner.update({"a": Unencodable(), "b": 2, "c": 3})
        return {"inner": inner}

    reference, ours = both(payload, json_encoder=changing(lambda: inner.pop("b")))
    assert ours == reference
    expected = {"a": 1, "c": 3} if LIVE_DICTS else {"a": 1, "b": 2, "c": 3}
    assert claims(ours) == {"inner": expected}


def test_nested_dict_resized_while_written() -> None:
    """Many members added and one removed: the dict's table is rebuilt mid-walk."""
    inner: dict[str, Any] = {}

    def payload() -> dict[str, Any]:
        inner.clear()
        inner.update({"a": Unencodable(), "b": 2, "c": 3})
        return {"inner": inner}

    def change() -> None:
        del inner["b"]
        inner.update({f"k{i}": i for i in range(40)})

    reference, ours = both(payload, json_encoder=changing(change))
    assert ours == reference
    written = claims(ours)["inner"]
    assert ("k39" in written) is LIVE_DICTS
    assert ("b" in written) is not LIVE_DICTS


@pytest.mark.parametrize("sort_headers", [True, False])
def test_nested_header_dict_grown_while_written(sort_headers: bool) -> None:
    """Sorted keys mean a snapshot on every version, unsorted ones the version's rule."""
    inner: dict[str, Any] = {}

    def headers() -> dict[str, Any]:
        inner.clear()
        inner.update({"a": Unencodable(), "b": 2})
        return {"n": inner}

    encoder = changing(lambda: inner.__setitem__("added", 3))
    options: dict[str, Any] = {"json_encoder": encoder, "sort_headers": sort_headers}
    reference = pyjwt.encode({}, HMAC_SECRET, headers=headers(), **options)
    ours = jwt.encode({}, HMAC_SECRET, headers=headers(), **options)
    assert ours == reference
    grew = LIVE_DICTS and not sort_headers
    assert ("added" in pyjwt.get_unverified_header(ours)["n"]) is grew


def test_list_grown_while_written() -> None:
    items: list[Any] = []

    def payload() -> dict[str, Any]:
        items[:] = [Unencodable(), 2]
        return {"items": items}

    reference, ours = both(payload, json_encoder=changing(lambda: items.append(3)))
    assert ours == reference
    assert claims(ours) == {"items": [1, 2, 3]}


def test_list_shrunk_while_written() -> None:
    items: list[Any] = []

    def payload() -> dict[str, Any]:
        items[:] = [Unencodable(), 2, 3]
        return {"items": items}

    reference, ours = both(payload, json_encoder=changing(lambda: items.pop()))
    assert ours == reference
    assert claims(ours) == {"items": [1, 2]}


def test_top_level_payload_grown_while_written_is_written_as_it_was() -> None:
    top: dict[str, Any] = {}

    def payload() -> dict[str, Any]:
        top.clear()
        top.update({"a": Unencodable(), "b": 2})
        return top

    reference, ours = both(payload, json_encoder=changing(lambda: top.__setitem__("added", 3)))
    assert ours == reference
    assert claims(ours) == {"a": 1, "b": 2}


def _reordered() -> collections.OrderedDict[str, Any]:
    ordered = collections.OrderedDict(a=1, b=2, c=3)
    ordered.move_to_end("a")
    return ordered


@pytest.mark.parametrize(
    "payload",
    [_reordered, lambda: {"inner": _reordered()}, lambda: {"inner": [_reordered()]}],
    ids=["top-level", "nested", "in-a-list"],
)
def test_ordered_dict_is_written_in_its_own_order(payload: Any) -> None:
    reference, ours = both(payload)
    assert ours == reference
    assert '"b":2,"c":3,"a":1' in payload_text(ours)


class OwnItems(dict[str, Any]):
    """A dict subclass whose items() tell another story than its storage."""

    def items(self) -> Any:
        return [("shown", 1)]


class BadItems(dict[str, Any]):
    def items(self) -> Any:
        return [("shown", 1, "extra")]


def test_nested_dict_subclass_is_written_from_its_items() -> None:
    reference, ours = both(lambda: {"inner": OwnItems(hidden=2)})
    assert ours == reference
    assert claims(ours) == {"inner": {"shown": 1}}


def test_top_level_dict_subclass_is_written_from_its_copy() -> None:
    """dict.copy() of a subclass is a plain dict: its storage is written, not items()."""
    reference, ours = both(lambda: OwnItems(hidden=2))
    assert ours == reference
    assert claims(ours) == {"hidden": 2}


def test_items_that_are_not_pairs_are_pythons_value_error() -> None:
    for encode in (pyjwt.encode, jwt.encode):
        with pytest.raises(ValueError, match=r"^items must return 2-tuples$"):
            encode({"inner": BadItems(a=1)}, HMAC_SECRET)


class NoNan(json.JSONEncoder):
    """Differs from json.dumps' defaults: Python writes the whole document."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["allow_nan"] = False
        super().__init__(**kwargs)


def test_ordered_payload_with_dates_written_by_the_python_encoder() -> None:
    def payload() -> collections.OrderedDict[str, Any]:
        ordered = _reordered()
        ordered["exp"] = datetime(2100, 1, 1, tzinfo=timezone.utc)
        ordered.move_to_end("b")
        return ordered

    reference, ours = both(payload, json_encoder=NoNan)
    assert ours == reference
    segment = payload_text(ours)
    assert segment == '{"c":3,"a":1,"exp":4102444800,"b":2}'
