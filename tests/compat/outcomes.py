"""A pytest plugin for the compat runners: one JSON record per test, subtests included.

Loaded with `-p outcomes` (this directory on PYTHONPATH) inside a foreign test suite; it
writes, to the file named by COMPAT_OUTCOMES, `{"tests": {nodeid: {"outcome": ...,
"failures": [...]}}, "loaded": [top-level modules imported by the end]}`, where outcome is
"passed", "failed" or "skipped" and each failure is `[label, message]`: label "" for the
test itself (setup, call or teardown), "collection" for a module that cannot be imported,
else the subtest's description.
A test whose subtests fail is "failed", even when pytest reports its own call as passed.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import pytest

_records: dict[str, dict[str, Any]] = {}


def _label(report: pytest.TestReport) -> str:
    context = getattr(report, "context", None)  # set on subtest reports only
    if context is None:
        return ""
    parts = [str(context.msg)] if context.msg is not None else []
    parts += [f"{key}={value}" for key, value in sorted(context.kwargs.items())]
    return " ".join(parts) or "<subtest>"


def _message(report: pytest.TestReport | pytest.CollectReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    return text.strip().splitlines()[0][:300] if text.strip() else "(no message)"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    record = _records.setdefault(report.nodeid, {"outcome": "passed", "failures": []})
    if report.failed:
        record["outcome"] = "failed"
        record["failures"].append([_label(report), _message(report)])
    elif report.skipped and not hasattr(report, "wasxfail") and record["outcome"] != "failed":
        record["outcome"] = "skipped"


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:  # a module that cannot be imported: its tests never run
        record = _records.setdefault(report.nodeid, {"outcome": "failed", "failures": []})
        record["outcome"] = "failed"
        record["failures"].append(["collection", _message(report)])


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = os.environ["COMPAT_OUTCOMES"]
    loaded = sorted({name.partition(".")[0] for name in sys.modules})
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"tests": _records, "loaded": loaded}, out, indent=1, sort_keys=True)
