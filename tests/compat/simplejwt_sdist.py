"""djangorestframework-simplejwt's own test suite, from its PyPI sdist, run on ferrojwt.

`make compat` runs this with the interpreter of .venv. It downloads the 5.5.1 sdist (hash
pinned, nothing else), unpacks it and runs its `tests/` twice in fresh copies:

1. control: unchanged, against the simplejwt installed from tests/requirements.txt (the sdist's
   own package is not copied, so the installed one is what the tests import);
2. renamed: every `rest_framework_simplejwt` in the test files replaced by `ferrojwt`.

It then checks that the tests failing in the control are exactly FAILING_ON_SIMPLEJWT below
(so the list is neither stale nor incomplete for the PyJWT installed), that every other test
passes on ferrojwt, and that a listed test fails on ferrojwt at most where simplejwt fails
(the same subtests). The tests in APART (PyJWT internals, deliberate differences) must pass
on simplejwt and are reported apart. The last line is the figure; the exit status is 0 only
when all holds.
COMPAT_KEEP=1 keeps the work directory (its path is printed) for a look at the logs.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

from harness import SuiteRun, download_sdist, run_pytest, unpack

PROJECT, VERSION = "djangorestframework-simplejwt", "5.5.1"
SDIST_SHA256 = "e72c5572f51d7803021288e2057afcbd03f17fe11d484096f40a460abc76e87f"
MODULE, RENAMED = "rest_framework_simplejwt", "ferrojwt"

# The tests of the 5.5.1 sdist that fail on simplejwt 5.5.1 itself, with the PyJWT of
# tests/requirements.txt, and why. Only those: a test failing on ferrojwt alone is a bug.
_EC_CURVE = (
    "the test's backend list signs ES384 and ES512 with the P-256 key pair of tests/keys.py; "
    "PyJWT >= 2.11 enforces RFC 7518 section 3.4 (the key's curve must be the algorithm's) "
    "and raises InvalidKeyError for those two backends (subtests). simplejwt's suite got "
    "matching keys after 5.5.1."
)
_BACKEND = "tests/test_backends.py::TestTokenBackend::"
_REFRESH = "tests/test_serializers.py::TestTokenRefreshSerializer::"
FAILING_ON_SIMPLEJWT: dict[str, str] = {
    _BACKEND + "test_decode_success": _EC_CURVE,
    _BACKEND + "test_decode_with_expiry": _EC_CURVE,
    _BACKEND + "test_decode_with_invalid_sig": _EC_CURVE,
    _BACKEND + "test_decode_with_invalid_sig_no_verify": _EC_CURVE,
    _BACKEND + "test_decode_with_no_expiry": _EC_CURVE,
    _BACKEND + "test_decode_with_no_expiry_no_verify": _EC_CURVE,
}

# Tests that pass on simplejwt and are counted apart, not as behaviour ferrojwt must share:
# they test how simplejwt drives PyJWT (patching PyJWT's own functions, flags and classes,
# which ferrojwt does not call), or a behaviour where ferrojwt follows simplejwt's main
# branch on purpose (README, "Differences"). Each must pass on simplejwt (the control).
_PYJWT_INTERNALS = "patches PyJWT's internals (counted apart, as for simplejwt's main branch)"
APART: dict[str, str] = {
    _BACKEND + "test_decode_jwk_missing_key_raises_tokenbackenderror": (
        _PYJWT_INTERNALS + ": a mocked PyJWKClient raising PyJWT's own PyJWKClientError"
    ),
    _BACKEND + "test_decode_when_algorithm_not_available": (
        _PYJWT_INTERNALS + ": jwt.decode replaced by a PyJWS without RS256"
    ),
    _BACKEND + "test_init_fails_for_rs_algorithms_when_crypto_not_installed": (
        _PYJWT_INTERNALS + ": jwt.algorithms.has_crypto patched to False"
    ),
    _BACKEND + "test_jwk_client_not_available": (
        _PYJWT_INTERNALS + ": `from jwt import PyJWKClient` made to fail"
    ),
    _BACKEND + "test_token_encode_should_return_str_for_old_PyJWT": (
        _PYJWT_INTERNALS + ": jwt.encode mocked to return bytes, with a None key"
    ),
    _REFRESH + "test_it_should_raise_error_for_deleted_users": (
        "refresh for a deleted user: 5.5.1 raises ObjectDoesNotExist (a 500); ferrojwt answers "
        "401 no_active_account, as simplejwt's main branch does (README, Differences)"
    ),
}

PYTEST_ARGS = ["tests", "-o", "addopts=", "-W", "ignore::DeprecationWarning"]


def _at(label: str) -> str:
    return f" [{label}]" if label else ""


def copy_suite(root: Path, dest: Path, *, rename: bool) -> int:
    """The sdist's tests and pytest.ini into `dest`; with `rename`, MODULE -> RENAMED.

    Returns the number of replacements made (0 without `rename`).
    """
    dest.mkdir(parents=True)
    shutil.copytree(root / "tests", dest / "tests")
    shutil.copy2(root / "pytest.ini", dest / "pytest.ini")
    replaced = 0
    if rename:
        word = re.compile(rf"\b{MODULE}\b")
        for path in sorted((dest / "tests").rglob("*.py")):
            text, count = word.subn(RENAMED, path.read_text())
            path.write_text(text)
            replaced += count
        left = [p for p in (dest / "tests").rglob("*") if p.is_file() and MODULE in p.read_text()]
        if left:
            raise RuntimeError(f"{MODULE} still named in {left}")
    return replaced


def check_control(control: SuiteRun) -> list[str]:
    """Problems with the control run: the list must be exactly what fails on simplejwt."""
    problems = []
    if RENAMED in control.loaded:
        problems.append(f"the control run imported {RENAMED}")
    if MODULE not in control.loaded:
        problems.append(f"the control run never imported {MODULE}")
    for nodeid in FAILING_ON_SIMPLEJWT:
        if control.outcome(nodeid) != "failed":
            problems.append(f"listed but {control.outcome(nodeid)} on simplejwt: {nodeid}")
    for nodeid in APART:
        if control.outcome(nodeid) != "passed":
            problems.append(f"counted apart but {control.outcome(nodeid)} on simplejwt: {nodeid}")
    for nodeid in sorted(control.tests):
        if nodeid not in FAILING_ON_SIMPLEJWT and control.outcome(nodeid) == "failed":
            for label, message in control.failures(nodeid):
                problems.append(f"fails on simplejwt, not listed: {nodeid}{_at(label)}: {message}")
    return problems


def check_renamed(control: SuiteRun, renamed: SuiteRun) -> list[str]:
    """Problems with the ferrojwt run: any failure that simplejwt does not share."""
    problems = []
    if MODULE in renamed.loaded:
        problems.append(f"the ferrojwt run imported {MODULE}: it did not test ferrojwt alone")
    for nodeid in sorted(set(control.tests) | set(renamed.tests)):
        outcome = renamed.outcome(nodeid)
        if nodeid in FAILING_ON_SIMPLEJWT:
            extra = Counter(renamed.failure_labels(nodeid)) - Counter(
                control.failure_labels(nodeid)
            )
            for label, count in sorted(extra.items()):
                seen = "; ".join(m for lbl, m in renamed.failures(nodeid) if lbl == label)
                problems.append(
                    f"fails beyond simplejwt: {nodeid}{_at(label)}: {count} more failure(s) "
                    f"than on simplejwt; on ferrojwt: {seen}"
                )
        elif nodeid in APART or (outcome == "skipped" and control.outcome(nodeid) == "skipped"):
            continue
        elif outcome != "passed":
            details = renamed.failures(nodeid) or [("", outcome)]
            for label, message in details:
                problems.append(f"{outcome} on ferrojwt: {nodeid}{_at(label)}: {message}")
    return problems


def main() -> int:
    installed = importlib.metadata.version(PROJECT)
    if installed != VERSION:
        print(f"control needs {PROJECT}=={VERSION} installed, found {installed}")
        return 2
    versions = ", ".join(f"{p} {importlib.metadata.version(p)}" for p in ("PyJWT", "Django"))
    print(f"{PROJECT} {installed} (control), {versions}")
    work = Path(tempfile.mkdtemp(prefix="compat-simplejwt-"))
    try:
        sdist = download_sdist(PROJECT, VERSION, SDIST_SHA256, work / "download")
        root = unpack(sdist, work / "src")
        if not (root / "tests").is_dir():
            print(f"{sdist.name} has no tests/ directory")
            return 2
        copy_suite(root, work / "control", rename=False)
        replaced = copy_suite(root, work / "renamed", rename=True)
        print(f"{sdist.name}: {MODULE} -> {RENAMED} in the tests, {replaced} replacements")
        control = run_pytest(work / "control", PYTEST_ARGS)
        print(f"control (simplejwt {installed}): {control.summary}")
        renamed = run_pytest(work / "renamed", PYTEST_ARGS)
        print(f"renamed (ferrojwt): {renamed.summary}")
        problems = check_control(control) + check_renamed(control, renamed)
        for problem in problems:
            print("PROBLEM", problem)
        for reason in dict.fromkeys(FAILING_ON_SIMPLEJWT.values()):
            print(f"listed, failing on simplejwt because {reason}")
            for nodeid in (n for n, r in FAILING_ON_SIMPLEJWT.items() if r == reason):
                print(f"    {nodeid} ({renamed.outcome(nodeid)} on ferrojwt)")
        for reason in dict.fromkeys(APART.values()):
            for nodeid in (n for n, r in APART.items() if r == reason):
                print(f"counted apart: {nodeid} ({renamed.outcome(nodeid)} on ferrojwt): {reason}")
        judged = [n for n in control.tests if n not in APART]
        total = len(judged)
        passed = sum(1 for n in judged if renamed.outcome(n) == "passed")
        skipped = sum(1 for n in judged if renamed.outcome(n) == "skipped")
        apart_passed = sum(1 for n in APART if renamed.outcome(n) == "passed")
        listed_ok = all(control.outcome(n) == "failed" for n in FAILING_ON_SIMPLEJWT)
        print(
            f"simplejwt {VERSION} sdist: {passed}/{total} passed on ferrojwt"
            + (f", {skipped} skipped on both" if skipped else "")
            + f"; {len(FAILING_ON_SIMPLEJWT)} listed, "
            + ("all failing on simplejwt too" if listed_ok else "NOT all failing on simplejwt")
            + f"; {apart_passed}/{len(APART)} counted apart passed"
            + (f"; {len(problems)} problems (PROBLEM lines above)" if problems else "")
        )
        # A suite that collected next to nothing proves nothing, whatever else held.
        return 1 if problems or total < 150 else 0
    finally:
        if os.environ.get("COMPAT_KEEP") == "1":
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
