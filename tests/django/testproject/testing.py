"""Helpers shared by the Django test modules (importable as ``testproject.testing``).

They live here rather than in conftest.py: other test directories have their own
conftest module, and ``import conftest`` would find whichever was loaded last.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from django.test import override_settings

HERE = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
FERRO_SETTINGS = "testproject.settings"
SIMPLEJWT_SETTINGS = "testproject.simplejwt_settings"


def jwt_settings(**values: Any) -> AbstractContextManager[Any]:
    """``override_settings(SIMPLE_JWT=values)``: unnamed settings keep their defaults."""
    return override_settings(SIMPLE_JWT=values)


def pem_pair(private_key: Any) -> tuple[str, str]:
    """PKCS#8 private and SPKI public PEM texts of a ``cryptography`` private key."""
    from cryptography.hazmat.primitives import serialization

    private = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def run_worker(
    settings_module: str,
    db_path: Path,
    ops: list[dict[str, Any]],
    extra_env: dict[str, str] | None = None,
) -> list[Any]:
    """Run ``ops`` in a new Python process on ``settings_module`` and the SQLite file."""
    from testproject.worker import MARKER

    env = dict(os.environ)
    env.update(extra_env or {})
    env["FERROJWT_TEST_DB"] = str(db_path)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "testproject.worker", settings_module],
        input=json.dumps(ops),
        capture_output=True,
        text=True,
        cwd=HERE,
        env=env,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0 or MARKER not in proc.stdout:
        raise AssertionError(
            f"worker failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
        )
    return json.loads(proc.stdout.rsplit(MARKER, 1)[1])
