"""The Python x Django matrix: one abi3 wheel, tested under every supported pair.

``make matrix`` builds the wheel and runs ``python tests/matrix/run.py WHEEL``.
For each combination below it keeps a virtualenv in ``.matrix/<name>`` (made
again only when its interpreter changes; pip runs only when the requirements
or the wheel changed), installs the wheel, that combination's Django and DRF
(``tests/matrix/requirements-*.txt``) and the rest of ``tests/requirements.txt``
that the unit and Django suites use, then runs ``pytest -m "not e2e" tests/jwt
tests/django`` from a copy of those tests with no ``python/`` source tree beside
it, after checking that ``ferrojwt`` is imported from the virtualenv's site-packages.

A combination whose interpreter is not on this machine is skipped, loudly;
any combination that fails makes the run fail. Names given after the wheel
run only those combinations (``make matrix MATRIX=py312-django60``). Two
combinations run at once (``--jobs``; pytest is single-threaded, CI has two
cores), each into ``.matrix/<name>.log``, printed whole when it ends.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
MATRIX_DIR = ROOT / ".matrix"
SUITES = ("tests/jwt", "tests/django")
FIELDS = ("passed", "failed", "skipped")

#: Lines of tests/requirements.txt the unit and Django suites do not use, left out: they
#: cost time, and a pin made for the main .venv's Django may not fit another (type stubs).
#: The build and lint tools, type stubs (any ``*-stubs`` or ``types-*``), the e2e servers'
#: and clients' packages, make compat's.
NOT_INSTALLED = {
    *("maturin", "ruff", "mypy"),
    *("gunicorn", "psycopg", "redis", "dj-rest-auth"),
    "python-jose",
}


def project(line: str) -> str | None:
    """The normalized project name a requirement line names, None for a comment."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else None


def installed(name: str) -> bool:
    stubs = name.endswith("-stubs") or name.startswith("types-")
    return not stubs and name not in NOT_INSTALLED


@dataclass(frozen=True)
class Combination:
    name: str
    python: str
    pins: str


COMBINATIONS = (
    Combination("py310-django42", "3.10", "requirements-django42.txt"),
    Combination("py311-django52", "3.11", "requirements-django52.txt"),
    Combination("py312-django60", "3.12", "requirements-django60.txt"),
    Combination("py313-django60", "3.13", "requirements-django60.txt"),
)


@dataclass
class Result:
    combination: Combination
    status: str  # "ok", "FAILED", "SKIPPED"
    detail: str = ""
    versions: str = ""
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0


def clean_env(venv: Path | None = None) -> dict[str, str]:
    """This process's environment without the project's .venv (which make puts first)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYO3_PYTHON")
    }
    path = [p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT))]
    if venv is not None:
        env["VIRTUAL_ENV"] = str(venv)
        path.insert(0, str(venv / "bin"))
    env["PATH"] = os.pathsep.join(path)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def python_version(python: str) -> str | None:
    """``major.minor`` of an interpreter, or None when it cannot run or make virtualenvs."""
    try:
        run = subprocess.run(
            [python, "-c", "import sys, ensurepip; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            env=clean_env(),
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return run.stdout.strip() if run.returncode == 0 else None


def pyenv_interpreter(version: str) -> str | None:
    """The newest pyenv-installed ``version`` (pyenv's shims answer only the active one)."""
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return None
    runs = [
        subprocess.run([pyenv, *args], capture_output=True, text=True, env=clean_env())
        for args in (["root"], ["latest", version])
    ]
    if any(run.returncode != 0 for run in runs):
        return None
    root, latest = (run.stdout.strip() for run in runs)
    candidate = Path(root) / "versions" / latest / "bin" / f"python{version}"
    return str(candidate) if candidate.is_file() else None


def find_interpreter(version: str) -> str | None:
    """pyenv's interpreter for ``version``, else a ``pythonX.Y`` on PATH (not a shim)."""
    candidates = [pyenv_interpreter(version)]
    on_path = shutil.which(f"python{version}", path=clean_env()["PATH"])
    if on_path is not None and "/shims/" not in on_path:
        candidates.append(on_path)
    for candidate in candidates:
        if candidate is not None and python_version(candidate) == version:
            return candidate
    return None


def requirements(combination: Combination) -> str:
    """The combination's pins, then tests/requirements.txt less what is not ``installed``
    and what the pins name (Django, DRF, and what an older Python needs older)."""
    pins = (HERE / combination.pins).read_text().strip()
    pinned = {project(line) for line in pins.splitlines()} - {None}
    kept = []
    for line in (ROOT / "tests" / "requirements.txt").read_text().splitlines():
        name = project(line)
        if name is not None and installed(name) and name not in pinned:
            kept.append(line.strip())
    return "\n".join([pins, *kept, ""])


def wheel_digest(wheel: Path) -> str:
    """A digest of the wheel's members: unchanged when only the zip's timestamps differ."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            digest.update(name.encode() + b"\0" + archive.read(name))
    return digest.hexdigest()


def stamp_matches(path: Path, value: str) -> bool:
    return path.is_file() and path.read_text() == value


def prepare_venv(combination: Combination, interpreter: str, wheel: Path, log: TextIO) -> Path:
    """The combination's virtualenv, with pip run only for what changed."""
    venv = MATRIX_DIR / combination.name
    python = venv / "bin" / "python"
    env = clean_env(venv)
    pip = [str(python), "-m", "pip", "-q", "install"]

    def run(command: list[str]) -> None:
        log.flush()
        subprocess.run(command, check=True, env=env, stdout=log, stderr=subprocess.STDOUT)

    if not stamp_matches(venv / ".interpreter", interpreter) or not python.exists():
        shutil.rmtree(venv, ignore_errors=True)
        run([interpreter, "-m", "venv", str(venv)])
        (venv / ".interpreter").write_text(interpreter)
    wanted = requirements(combination)
    if not stamp_matches(venv / ".requirements", wanted):
        (venv / "requirements.txt").write_text(wanted)
        run([*pip, "-r", str(venv / "requirements.txt")])
        (venv / ".requirements").write_text(wanted)
    digest = wheel_digest(wheel)
    if not stamp_matches(venv / ".wheel", digest):
        run([*pip, "--no-deps", "--force-reinstall", str(wheel)])
        (venv / ".wheel").write_text(digest)
    return venv


def copy_tests() -> Path:
    """The suites and the pytest configuration, away from the python/ source tree.

    Copied once, next to the wheel's build: every combination runs the same tests.
    """
    project = MATRIX_DIR / "project"
    shutil.rmtree(project, ignore_errors=True)
    skip = shutil.ignore_patterns("__pycache__", "db.sqlite3*")
    for suite in SUITES:
        shutil.copytree(ROOT / suite, project / suite, ignore=skip)
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    return project


#: Run by the combination's interpreter in the test copy: where everything comes from.
WHERE = """
import json, sys, sysconfig
import django, rest_framework, ferrojwt._core
print(json.dumps({
    "core": ferrojwt._core.__file__,
    "site": sysconfig.get_paths()["platlib"],
    "profile": ferrojwt._core.build_profile,
    "python": sys.version.split()[0],
    "django": django.__version__,
    "drf": rest_framework.__version__,
}))
"""


def installed_versions(venv: Path, project: Path) -> str:
    """The versions under test, after checking ferrojwt is the wheel in site-packages."""
    run = subprocess.run(
        [str(venv / "bin" / "python"), "-c", WHERE],
        cwd=project,
        env=clean_env(venv),
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(run.stdout)
    core, site = Path(found["core"]).resolve(), Path(found["site"]).resolve()
    if site not in core.parents or ROOT / "python" in core.parents:
        raise RuntimeError(f"ferrojwt._core imported from {core}, not from {site}")
    if found["profile"] != "release":
        raise RuntimeError(f"the wheel holds a {found['profile']} build, not a release one")
    return f"Python {found['python']}, Django {found['django']}, DRF {found['drf']}"


def run_suites(venv: Path, project: Path, result: Result, log: TextIO) -> None:
    """pytest in the combination's virtualenv; counts from its JUnit report.

    Its own temporary directory: combinations run side by side.
    """
    report = venv / "junit.xml"
    report.unlink(missing_ok=True)
    args = ["-q", "-p", "no:cacheprovider", "-m", "not e2e", f"--basetemp={venv / 'tmp'}"]
    log.flush()
    run = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pytest", *args, f"--junitxml={report}", *SUITES],
        cwd=project,
        env=clean_env(venv),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    if report.is_file():
        root = ET.parse(report).getroot()
        suite = root if root.tag == "testsuite" else root.find("testsuite")
        if suite is not None:
            total, skipped = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
            failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            result.passed, result.failed, result.skipped = total - failed - skipped, failed, skipped
    if run.returncode != 0 or result.passed == 0:
        result.status = "FAILED"
        result.detail = f"pytest exited with {run.returncode}"


def run_combination(combination: Combination, wheel: Path, project: Path) -> Result:
    """One combination, everything it prints in ``.matrix/<name>.log`` (shown when done)."""
    result = Result(combination, "ok")
    interpreter = find_interpreter(combination.python)
    if interpreter is None:
        result.status = "SKIPPED"
        result.detail = f"no CPython {combination.python} with venv (pyenv or PATH)"
        return result
    started = time.monotonic()
    with open(MATRIX_DIR / f"{combination.name}.log", "w") as log:
        log.write(f"=== matrix: {combination.name} ({interpreter}) ===\n")
        try:
            venv = prepare_venv(combination, interpreter, wheel, log)
            result.versions = installed_versions(venv, project)
            log.write(f"=== {result.versions}, ferrojwt from the wheel\n")
            run_suites(venv, project, result, log)
        except (subprocess.CalledProcessError, RuntimeError, OSError, ValueError) as exc:
            result.status = "FAILED"
            result.detail = f"setup failed: {exc}"
    result.seconds = time.monotonic() - started
    return result


def show(result: Result) -> None:
    name = result.combination.name
    if result.status == "SKIPPED":
        print(f"\n*** matrix: SKIPPING {name}: {result.detail} ***\n", flush=True)
        return
    print("\n" + (MATRIX_DIR / f"{name}.log").read_text(), end="", flush=True)
    print(f"=== matrix: {name} {result.status} in {result.seconds:.0f}s", flush=True)


def print_table(results: list[Result]) -> None:
    header = ("combination", "versions", "passed", "failed", "skipped", "time", "result")
    rows = [
        (
            r.combination.name,
            r.versions or f"Python {r.combination.python}",
            str(r.passed),
            str(r.failed),
            str(r.skipped),
            f"{r.seconds:.0f}s",
            r.status + (f" ({r.detail})" if r.detail else ""),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print("\nPython x Django matrix (one abi3 wheel):")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(description="The Python x Django matrix")
    parser.add_argument("wheel", type=Path, help="the ferrojwt abi3 wheel to test")
    parser.add_argument("names", nargs="*", help="only these combinations")
    parser.add_argument(
        "--jobs", type=int, default=min(2, os.cpu_count() or 1), help="combinations at once"
    )
    options = parser.parse_args()
    known = {c.name: c for c in COMBINATIONS}
    unknown = [name for name in options.names if name not in known]
    if unknown:
        parser.error(f"unknown combination(s) {unknown}; known: {sorted(known)}")
    chosen = [known[name] for name in options.names] or list(COMBINATIONS)
    wheel = options.wheel.resolve()
    MATRIX_DIR.mkdir(exist_ok=True)
    project = copy_tests()
    print(f"matrix: {len(chosen)} combinations, {options.jobs} at a time", flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        futures = [pool.submit(run_combination, c, wheel, project) for c in chosen]
        for future in concurrent.futures.as_completed(futures):
            show(future.result())
    results = [future.result() for future in futures]
    print_table(results)
    skipped = [r.combination.name for r in results if r.status == "SKIPPED"]
    if skipped:
        print(f"SKIPPED (interpreter absent): {', '.join(skipped)}")
    passed, failed, skipped_tests = (sum(getattr(r, f) for r in results) for f in FIELDS)
    print(f"matrix: {passed} passed, {failed} failed, {skipped_tests} skipped")
    return 1 if any(r.status == "FAILED" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
