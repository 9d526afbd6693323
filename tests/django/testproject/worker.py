"""Runs a list of operations against one Django project in a fresh process.

Usage: ``python -m testproject.worker <settings module>`` with a JSON list of
operations on stdin; prints one JSON list of results on the last stdout line.
The migration and interop tests use it to drive the real simplejwt and ferrojwt
against the same SQLite file, each in its own process (both apps use the label
``token_blacklist`` and cannot share one).
"""

from __future__ import annotations

import io
import json
import os
import sys
from typing import Any

MARKER = "@@RESULT@@"


def _run(op: dict[str, Any]) -> Any:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.test import APIClient

    kind = op["op"]
    if kind == "call":
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command(*op["args"], stdout=out, stderr=err)
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
        return {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}
    if kind == "create_user":
        user = get_user_model().objects.create_user(
            username=op["username"], password=op["password"], is_active=op.get("is_active", True)
        )
        return {"id": user.pk}
    if kind == "post":
        response = APIClient().post(op["path"], op["data"], format="json")
        return {"status": response.status_code, "json": response.json()}
    if kind == "get":
        client = APIClient()
        if "token" in op:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {op['token']}")
        response = client.get(op["path"])
        return {"status": response.status_code, "json": response.json()}
    if kind == "sql":
        with connection.cursor() as cursor:
            cursor.execute(op["query"], op.get("params", []))
            return [list(row) for row in cursor.fetchall()] if cursor.description else None
    raise ValueError(f"unknown operation {kind!r}")


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = sys.argv[1]
    import django

    django.setup()
    ops = json.loads(sys.stdin.read())
    results = [_run(op) for op in ops]
    sys.stdout.write("\n" + MARKER + json.dumps(results, default=str) + "\n")


if __name__ == "__main__":
    main()
