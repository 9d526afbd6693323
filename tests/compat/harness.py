"""What the compat runners share: a hash-pinned sdist from PyPI, unpacked, and a foreign test
suite run under pytest with this interpreter, its outcomes read back test by test.

Nothing here reaches anything but PyPI (through pip), so `make compat` runs in CI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def download_sdist(project: str, version: str, sha256: str, dest: Path) -> Path:
    """`project==version` as its source distribution, checked against `sha256`."""
    dest.mkdir(parents=True, exist_ok=True)
    pinned = dest / "pinned.txt"
    pinned.write_text(f"{project}=={version} --hash=sha256:{sha256}\n")
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", "download"]
    cmd += ["--no-binary", ":all:", "--no-deps", "--require-hashes", "-r", str(pinned)]
    subprocess.run([*cmd, "-d", str(dest)], check=True)
    found = sorted(dest.glob("*.tar.gz"))
    if len(found) != 1:
        raise RuntimeError(f"expected one sdist in {dest}, found {[p.name for p in found]}")
    return found[0]


def unpack(sdist: Path, dest: Path) -> Path:
    """Extract `sdist` into `dest`; return its single top-level directory."""
    with tarfile.open(sdist) as tar:
        if hasattr(tarfile, "data_filter"):  # 3.12, and 3.10.12+/3.11.4+ security releases
            tar.extractall(dest, filter="data")
        else:  # refuse absolute or escaping names and links ourselves
            for member in tar.getmembers():
                if member.name.startswith("/") or ".." in Path(member.name).parts:
                    raise RuntimeError(f"unsafe path in {sdist.name}: {member.name}")
                if member.issym() or member.islnk():
                    raise RuntimeError(f"link in {sdist.name}: {member.name}")
            tar.extractall(dest)
    (root,) = [p for p in dest.iterdir() if p.is_dir()]
    return root


@dataclass(frozen=True)
class SuiteRun:
    """One pytest run: per test id, "passed"/"failed"/"skipped" and its failures."""

    tests: dict[str, dict[str, Any]]
    loaded: set[str]  # top-level modules imported by the end of the run
    summary: str  # pytest's closing line
    log: Path

    def outcome(self, nodeid: str) -> str:
        return str(self.tests[nodeid]["outcome"]) if nodeid in self.tests else "missing"

    def failure_labels(self, nodeid: str) -> list[str]:
        return sorted(label for label, _ in self.tests.get(nodeid, {}).get("failures", []))

    def failures(self, nodeid: str) -> list[tuple[str, str]]:
        return [(label, msg) for label, msg in self.tests.get(nodeid, {}).get("failures", [])]


def run_pytest(workdir: Path, args: list[str], timeout: float = 1200) -> SuiteRun:
    """`python -m pytest ARGS` in `workdir`, with the outcomes plugin; output in a log file."""
    result = workdir / "outcomes.json"
    log = workdir / "pytest.log"
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(
        PYTHONPATH=str(HERE),
        PYTHONDONTWRITEBYTECODE="1",
        COMPAT_OUTCOMES=str(result),
    )
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "outcomes"]
    with open(log, "wb") as out:
        subprocess.run(
            [*cmd, *args],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    lines = log.read_text(errors="replace").strip().splitlines()
    if not result.exists():
        tail = "\n".join(lines[-40:])
        raise RuntimeError(f"pytest wrote no outcomes in {workdir}; its output ends:\n{tail}")
    data = json.loads(result.read_text())
    return SuiteRun(data["tests"], set(data["loaded"]), lines[-1] if lines else "", log)
