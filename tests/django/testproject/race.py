"""N threads refresh one refresh token at the same instant, each on its own database
connection; prints the JSON list of ``[status, body]`` answers on its last line.

Usage: ``python -m testproject.race <settings module> <threads> <rounds>``, with
``FERROJWT_TEST_PG`` (PostgreSQL) or ``FERROJWT_TEST_DB`` (an SQLite file) naming the
database. Rotation and blacklisting after rotation are on (``FERROJWT_TEST_ROTATE=1``).
Each round obtains a new pair and releases all threads at once with a barrier.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any

MARKER = "@@RACE@@"


_lock = threading.Lock()


def _refresh_once(barrier: threading.Barrier, token: str, answers: list[list[Any]]) -> None:
    from django.db import connection
    from rest_framework.test import APIClient

    barrier.wait()
    try:
        response = APIClient().post("/api/token/refresh/", {"refresh": token})
        with _lock:
            answers.append([response.status_code, response.json()])
    finally:
        connection.close()  # this thread's own connection


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = sys.argv[1]
    os.environ["FERROJWT_TEST_ROTATE"] = "1"
    threads, rounds = int(sys.argv[2]), int(sys.argv[3])
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.test import APIClient

    from testproject.testing import PASSWORD

    call_command("migrate", verbosity=0)
    get_user_model().objects.create_user(username="racer", password=PASSWORD)
    connection.close()
    results: list[list[list[Any]]] = []
    for _round in range(rounds):
        login = {"username": "racer", "password": PASSWORD}
        refresh = APIClient().post("/api/token/", login, format="json").json()["refresh"]
        connection.close()
        barrier = threading.Barrier(threads)
        answers: list[list[Any]] = []
        pool = [
            threading.Thread(target=_refresh_once, args=(barrier, refresh, answers))
            for _ in range(threads)
        ]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        results.append(answers)
    sys.stdout.write("\n" + MARKER + json.dumps(results) + "\n")


if __name__ == "__main__":
    main()
