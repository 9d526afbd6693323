"""The wheel `make wheel` builds: its tags and files, and the suite run against it.

`make wheel` builds ``dist/ferrojwt-*.whl`` and runs this module with
``FERROJWT_WHEEL`` naming it; anywhere else the module is skipped. The wheel is
installed into a fresh virtualenv (with tests/requirements.txt) and the whole
test suite runs there from a copy of ``tests/`` and ``examples/`` that has no
``python/`` beside it, so every ``import ferrojwt`` (the e2e servers' too)
resolves to the installed wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

WHEEL = os.environ.get("FERROJWT_WHEEL", "")
ROOT = Path(__file__).resolve().parent.parent
INNER_PYTEST_ARGS = ["-q", "-p", "no:cacheprovider", "--ignore=tests/test_wheel.py"]
STUBTEST_ARGS = ["--allowlist", "tests/stubtest-allowlist.txt"]

pytestmark = pytest.mark.skipif(
    not WHEEL, reason="run by `make wheel`, which sets FERROJWT_WHEEL to the wheel it built"
)

MANYLINUX2014 = ("manylinux2014_x86_64", "manylinux_2_17_x86_64")


def wheel_tags(name: str) -> tuple[str, str, str]:
    """(python tag, abi tag, platform tag) of a wheel file name."""
    stem = name.removesuffix(".whl")
    python_tag, abi_tag, platform_tag = stem.split("-")[-3:]
    return python_tag, abi_tag, platform_tag


def test_wheel_tags_in_file_name() -> None:
    python_tag, abi_tag, platform_tag = wheel_tags(Path(WHEEL).name)
    assert Path(WHEEL).name.startswith("ferrojwt-")
    assert python_tag == "cp310"
    assert abi_tag == "abi3"
    assert set(platform_tag.split(".")) & set(MANYLINUX2014), platform_tag


def test_wheel_metadata_declares_abi3_manylinux2014() -> None:
    with zipfile.ZipFile(WHEEL) as archive:
        [wheel_file] = [n for n in archive.namelist() if n.endswith(".dist-info/WHEEL")]
        lines = archive.read(wheel_file).decode().splitlines()
    tags = {line.split(":", 1)[1].strip() for line in lines if line.startswith("Tag:")}
    assert tags, lines
    assert all(tag.startswith("cp310-abi3-") for tag in tags), tags
    assert {tag.split("-")[2] for tag in tags} & set(MANYLINUX2014), tags
    assert "Root-Is-Purelib: false" in lines


def test_wheel_ships_the_package_and_nothing_else() -> None:
    with zipfile.ZipFile(WHEEL) as archive:
        names = set(archive.namelist())
    for required in (
        "ferrojwt/__init__.py",
        "ferrojwt/_core.abi3.so",
        "ferrojwt/_core.pyi",
        "ferrojwt/py.typed",
        "ferrojwt/jwt/__init__.py",
        "ferrojwt/jwt/exceptions.py",
    ):
        assert required in names
    stray = [n for n in names if not n.startswith(("ferrojwt/", "ferrojwt-"))]
    assert stray == []


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A new virtualenv holding the wheel and the test requirements, and its environment."""
    venv = tmp_path_factory.mktemp("wheel-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("FERROJWT_WHEEL", "PYTHONPATH", "PYO3_PYTHON", "PYTHONHOME")
    }
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = os.pathsep.join(
        [str(venv / "bin")]
        + [p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT))]
    )
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "--disable-pip-version-check", "-q", "install"]
    subprocess.run(
        [*pip, WHEEL, "-r", str(ROOT / "tests" / "requirements.txt")], env=env, check=True
    )
    return venv, env


@pytest.fixture(scope="module")
def test_copy() -> Iterator[Path]:
    """The tests, the example they serve and the pytest configuration: no source tree.

    Outside pytest's private (0700) temporary directory: the e2e tests start
    PostgreSQL as its own system user, which must reach its data directory here.
    """
    project = Path(tempfile.mkdtemp(prefix="ferrojwt-wheel-tests-"))
    project.chmod(0o755)
    skip = shutil.ignore_patterns("__pycache__", ".run", "db.sqlite3", "staticfiles")
    for tree in ("tests", "examples"):
        shutil.copytree(ROOT / tree, project / tree, ignore=skip)
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    assert not (project / "python").exists()
    yield project
    shutil.rmtree(project, ignore_errors=True)


#: Run inside the fresh venv: where ferrojwt comes from, then the suite in the same process.
INNER = """
import sys, sysconfig
from pathlib import Path
import ferrojwt, ferrojwt._core
site = Path(sysconfig.get_paths()["platlib"]).resolve()
for module in (ferrojwt, ferrojwt._core):
    where = Path(module.__file__).resolve()
    assert site in where.parents, f"{module.__name__} imported from {where}, not {site}"
assert ferrojwt._core.build_profile == "release", ferrojwt._core.build_profile
print("ferrojwt", ferrojwt.__version__, "from", Path(ferrojwt._core.__file__).resolve())
import pytest
sys.exit(pytest.main(sys.argv[1:]))
"""


def test_installed_stub_matches_the_installed_module(
    fresh_venv: tuple[Path, dict[str, str]], test_copy: Path
) -> None:
    venv, env = fresh_venv
    stubtest = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "mypy.stubtest", "ferrojwt._core", *STUBTEST_ARGS],
        cwd=test_copy,
        env=env,
        capture_output=True,
        text=True,
    )
    assert stubtest.returncode == 0, stubtest.stdout + stubtest.stderr


def test_suite_passes_against_the_installed_wheel(
    fresh_venv: tuple[Path, dict[str, str]], test_copy: Path
) -> None:
    venv, env = fresh_venv
    run = subprocess.run(
        [str(venv / "bin" / "python"), "-c", INNER, *INNER_PYTEST_ARGS],
        cwd=test_copy,
        env=env,
    )
    assert run.returncode == 0
