"""A pytest plugin for PyJWT's own test suite, put next to it by ``pyjwt_suite.py``,
imported before pytest starts (pytest resolves the suite's ``filterwarnings``,
which name ``jwt.warnings``, while reading its configuration) and registered
as a plugin (``pytest.main(..., plugins=[shim])``).

With ``FERROJWT_COMPAT_TARGET=ferrojwt`` the name ``jwt`` (and PyJWT's public
submodules) resolve to ``ferrojwt.jwt`` before any test module is imported, so
PyJWT's tests exercise ferrojwt. With ``FERROJWT_COMPAT_TARGET=pyjwt`` nothing
is aliased: the tests import the ``jwt`` package of the same sdist (the control).

Two helper modules of PyJWT that its tests import for scaffolding are stood in
for, in the ferrojwt run only:

* ``jwt.utils``: ``base64url_encode``/``base64url_decode``, which the tests use
  to build or read raw tokens (plain RFC 4648 base64url, written here);
* ``jwt.algorithms``: ``has_crypto`` (True: ferrojwt always has its crypto).

``jwt.jwks_client`` is ferrojwt's module plus stand-ins for its private
names, and ``jwt.jwk_set_cache`` (PyJWT's ``JWKSetCache``) is all stand-ins.

Any other name of those modules (``NoneAlgorithm``, ``RSAAlgorithm``,
``get_default_algorithms``, ``force_bytes``, ...) is a PyJWT internal with no
ferrojwt counterpart: it is an object that fails the test on any use, so a test
that reaches one and is not excluded by the runner fails loudly.

Each test's outcome is written as JSON to ``$FERROJWT_COMPAT_OUTCOMES``.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import types
from typing import Any

import pytest

TARGET = os.environ.get("FERROJWT_COMPAT_TARGET", "")
if TARGET not in ("ferrojwt", "pyjwt"):
    raise RuntimeError("FERROJWT_COMPAT_TARGET must be 'ferrojwt' or 'pyjwt'")


class PyJWTInternalError(AssertionError):
    """A test reached a PyJWT internal that ferrojwt does not have."""


class _Internal:
    def __init__(self, name: str) -> None:
        self._name = name

    def _refuse(self, *_: Any, **__: Any) -> Any:
        raise PyJWTInternalError(f"{self._name} is a PyJWT internal (out of scope)")

    __call__ = _refuse
    __iter__ = _refuse
    __bool__ = _refuse

    def __getattr__(self, attr: str) -> Any:
        self._refuse()


def _scaffold(name: str, names: dict[str, Any], base: types.ModuleType | None = None) -> Any:
    """A stand-in for the PyJWT module ``name``: ``names``, then the public names
    of ferrojwt's ``base`` module, and an :class:`_Internal` for anything else."""
    module = types.ModuleType(f"ferrojwt_pyjwt_shim.{name}")
    module.__dict__.update(names)

    def __getattr__(attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        if base is not None and not attr.startswith("_") and hasattr(base, attr):
            return getattr(base, attr)
        return _Internal(f"{name}.{attr}")

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    return module


def _b64_encode(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _b64_decode(data: str | bytes) -> bytes:
    raw = data.encode("ascii") if isinstance(data, str) else data
    return base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))


if TARGET == "ferrojwt":
    import ferrojwt.jwt as _fj

    _aliases = {
        "jwt": _fj,
        "jwt.exceptions": _fj.exceptions,
        "jwt.warnings": _fj.warnings,
        "jwt.types": _fj.types,
        "jwt.api_jws": _fj.api_jws,
        "jwt.api_jwt": _fj.api_jwt,
        "jwt.api_jwk": _fj.jwk,
        # The module is ferrojwt's; its private _NoRedirectHandler, imported by
        # the tests, is an internal.
        "jwt.jwks_client": _scaffold("jwt.jwks_client", {}, _fj.jwks_client),
        "jwt.jwk_set_cache": _scaffold("jwt.jwk_set_cache", {}),
        "jwt.utils": _scaffold(
            "jwt.utils", {"base64url_encode": _b64_encode, "base64url_decode": _b64_decode}
        ),
        "jwt.algorithms": _scaffold("jwt.algorithms", {"has_crypto": True}),
    }
    for _name, _module in _aliases.items():
        if _name in sys.modules and sys.modules[_name] is not _module:
            raise RuntimeError(f"{_name} was imported before the ferrojwt aliases were set")
        sys.modules[_name] = _module

_outcomes: dict[str, dict[str, str]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    entry = _outcomes.setdefault(report.nodeid, {"outcome": "passed", "message": ""})
    if report.failed:
        entry["outcome"] = "failed"
        crash = getattr(report.longrepr, "reprcrash", None)
        entry["message"] = crash.message if crash is not None else str(report.longrepr)[-500:]
    elif report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "skipped"


def pytest_sessionfinish(session: pytest.Session) -> None:
    here = os.path.dirname(os.path.abspath(__file__)) + os.sep
    if TARGET == "pyjwt":
        # The control is the sdist's own package, not whatever PyJWT is installed.
        control = sys.modules.get("jwt")
        if control is None or not (control.__file__ or "").startswith(here):
            raise RuntimeError(f"the control run did not use the sdist's jwt: {control}")
    if TARGET == "ferrojwt":
        # No module of PyJWT itself (the sdist's or an installed one) may have been imported.
        leaked = [
            name
            for name, module in list(sys.modules.items())
            if getattr(module, "__name__", "") == "jwt"
            or getattr(module, "__name__", "").startswith("jwt.")
        ]
        if leaked:
            raise RuntimeError(f"PyJWT's own modules were imported: {leaked}")
    with open(os.environ["FERROJWT_COMPAT_OUTCOMES"], "w") as out:
        json.dump(_outcomes, out, indent=1, sort_keys=True)
