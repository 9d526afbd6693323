"""The public surface of ``ferrojwt.jwt``: what ``import jwt`` users reach for is there."""

from __future__ import annotations

import inspect

import jwt as pyjwt
import pytest
from ferrojwt import jwt
from ferrojwt.jwt import exceptions


@pytest.mark.parametrize("name", exceptions.__all__)
def test_every_exception_is_re_exported(name: str) -> None:
    assert getattr(jwt, name) is getattr(exceptions, name)
    assert name in jwt.__all__


@pytest.mark.parametrize("name", jwt.__all__)
def test_every_name_in_all_exists(name: str) -> None:
    assert hasattr(jwt, name)


PYJWT_NAMES = [
    "encode",
    "decode",
    "decode_complete",
    "get_unverified_header",
    "PyJWK",
    "PyJWKSet",
    "PyJWKClient",
    *[name for name in pyjwt.__all__ if name.endswith("Error")],
]


@pytest.mark.parametrize("name", PYJWT_NAMES)
def test_pyjwt_names_are_available(name: str) -> None:
    assert name in jwt.__all__


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (jwt.encode, pyjwt.encode),
        (jwt.decode, pyjwt.decode),
        (jwt.decode_complete, pyjwt.decode_complete),
        (jwt.PyJWKClient, pyjwt.PyJWKClient),
    ],
    ids=["encode", "decode", "decode_complete", "PyJWKClient"],
)
def test_keyword_arguments_of_pyjwt_are_accepted(ours: object, theirs: object) -> None:
    """Every keyword a PyJWT caller passes (except deprecated ones) is a parameter here too."""
    deprecated = {"verify", "detached_payload", "kwargs", "self"}
    their_names = set(inspect.signature(theirs).parameters) - deprecated  # type: ignore[arg-type]
    our_names = set(inspect.signature(ours).parameters)  # type: ignore[arg-type]
    assert their_names <= our_names


def test_exception_hierarchy_matches_pyjwt() -> None:
    for name in PYJWT_NAMES:
        if not name.endswith("Error"):
            continue
        ours = [cls.__name__ for cls in getattr(jwt, name).__mro__]
        theirs = [cls.__name__ for cls in getattr(pyjwt, name).__mro__]
        assert ours == theirs, name


def test_version_is_the_installed_distributions() -> None:
    from importlib.metadata import version

    import ferrojwt
    from ferrojwt import _core

    assert ferrojwt.__version__ == version("ferrojwt") == _core.__version__


def test_version_is_none_when_the_distribution_is_not_installed() -> None:
    import importlib.util
    from importlib.metadata import PackageNotFoundError
    from unittest import mock

    import ferrojwt

    spec = importlib.util.spec_from_file_location("ferrojwt_uninstalled", ferrojwt.__file__)
    assert spec is not None and spec.loader is not None
    fresh = importlib.util.module_from_spec(spec)
    with mock.patch("importlib.metadata.version", side_effect=PackageNotFoundError):
        spec.loader.exec_module(fresh)
    assert fresh.__version__ is None


def test_install_as_simplejwt_answers_simplejwt_names_with_ferrojwt_modules() -> None:
    import subprocess
    import sys

    script = (
        "import sys, ferrojwt, ferrojwt.jwt\n"
        "ferrojwt.install_as_simplejwt()\n"
        "import rest_framework_simplejwt, rest_framework_simplejwt.jwt as aliased\n"
        "assert rest_framework_simplejwt is ferrojwt and aliased is ferrojwt.jwt\n"
        "assert sys.modules['rest_framework_simplejwt.jwt'] is ferrojwt.jwt\n"
        "assert ferrojwt.jwt.__spec__.name == 'ferrojwt.jwt'\n"
        "print('aliased')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout.strip()) == (0, "aliased"), done.stderr


def test_install_as_simplejwt_refuses_once_simplejwt_is_imported() -> None:
    import ferrojwt
    import pytest
    import rest_framework_simplejwt  # noqa: F401  (the real one, as the reference tests use)

    with pytest.raises(RuntimeError) as info:
        ferrojwt.install_as_simplejwt()
    assert str(info.value) == (
        "rest_framework_simplejwt was imported before the alias to ferrojwt was installed"
    )
