"""The refresh race through gunicorn on PostgreSQL: N concurrent refreshes of one token.

The demo project (rotation and blacklist-after-rotation on, its defaults) on gunicorn with 4
sync workers and PostgreSQL, once per JWT package. Each round logs in, then releases
CONCURRENCY threads at once (a barrier), each posting the same refresh token on its own
connection, and counts the 200 answers. Rotation done right has exactly one per round.

Run as a script (`make race`): both packages, ROUNDS rounds each, one line per package.
test_e2e_race.py runs the same function under pytest.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "examples" / "demo"))

from e2e_http import Reply, request  # noqa: E402
from stack import Gunicorn, Postgres, manage, project_env  # noqa: E402

USERNAME, PASSWORD = "racer", "racer-password-1"
SECRET_KEY = "race-secret-key-" + "r" * 50
WORKERS, CONCURRENCY, ROUNDS = 4, 50, 20
PACKAGES = ("ferrojwt", "simplejwt")


@dataclass(frozen=True)
class RaceResult:
    package: str
    successes: list[int]  # 200 answers per round
    others: dict[int, int]  # status -> count, over all rounds

    @property
    def exact_rounds(self) -> int:
        return sum(1 for n in self.successes if n == 1)

    def line(self) -> str:
        return (
            f"{self.package:9}: exactly one winner in {self.exact_rounds}/{len(self.successes)}"
            f" rounds of {CONCURRENCY} concurrent refreshes ({WORKERS} gunicorn workers,"
            f" PostgreSQL); most winners in a round: {max(self.successes)};"
            f" other answers: {dict(sorted(self.others.items()))}"
        )


def race_round(base_url: str, concurrency: int) -> list[Reply]:
    login = request(
        base_url, "POST", "/api/token/", json_body={"username": USERNAME, "password": PASSWORD}
    )
    assert login.status == 200, login.body
    token = login.json()["refresh"]
    barrier = threading.Barrier(concurrency)
    replies: list[Reply] = []
    lock = threading.Lock()

    def one() -> None:
        barrier.wait()
        reply = request(base_url, "POST", "/api/token/refresh/", json_body={"refresh": token})
        with lock:
            replies.append(reply)

    threads = [threading.Thread(target=one) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return replies


def race(package: str, base_url: str, rounds: int, concurrency: int) -> RaceResult:
    successes: list[int] = []
    others: dict[int, int] = {}
    for _ in range(rounds):
        replies = race_round(base_url, concurrency)
        successes.append(sum(1 for r in replies if r.status == 200))
        for reply in replies:
            if reply.status != 200:
                others[reply.status] = others.get(reply.status, 0) + 1
    return RaceResult(package, successes, others)


@contextmanager
def demo_on_postgres(root: Path, postgres: Postgres, package: str) -> Iterator[str]:
    """The demo on `package`, its own database on `postgres`, 4 gunicorn workers: the URL."""
    database = f"race_{package}"
    postgres.create_database(database)
    env = project_env(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET_KEY,
        JWT_PACKAGE=package,
        DATABASE_URL=postgres.url_for(database),
        DJANGO_PASSWORD_HASHER="md5",
        GUNICORN_ACCESSLOG="off",
    )
    manage(env, "migrate", "--noinput")
    manage(env, "ensure_demo_user", "--username", USERNAME, "--password", PASSWORD)
    server = Gunicorn(env, workers=WORKERS, log=root / f"gunicorn-{package}.log").start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="ferrojwt-race-"))
    root.chmod(0o755)
    postgres = Postgres(root / "postgres").start()
    try:
        for package in PACKAGES:
            with demo_on_postgres(root, postgres, package) as url:
                print(race(package, url, ROUNDS, CONCURRENCY).line(), flush=True)
    finally:
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
