"""The refresh race (tests/e2e/race_refresh.py, `make race`) under pytest: 50 concurrent
refreshes of one token through gunicorn (4 workers) on PostgreSQL, 20 rounds.

ferrojwt: exactly one 200 in every round, every loser a 401 "Token is blacklisted".
simplejwt (the same demo on rest_framework_simplejwt): measured by the same code and
printed; only its having a winner each round is asserted, its losers being its own business.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import missing
from race_refresh import CONCURRENCY, ROUNDS, demo_on_postgres, race, race_round
from stack import MissingBinary, Postgres

pytestmark = pytest.mark.e2e

BLACKLISTED = {"detail": "Token is blacklisted", "code": "token_not_valid"}


@pytest.fixture(scope="module")
def race_postgres() -> Iterator[tuple[Path, Postgres]]:
    root = Path(tempfile.mkdtemp(prefix="ferrojwt-e2e-race-"))
    root.chmod(0o755)
    try:
        postgres = Postgres(root / "postgres").start()
    except MissingBinary as exc:
        missing(exc)
        raise
    try:
        yield root, postgres
    finally:
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_ferrojwt_has_exactly_one_winner_per_round(
    race_postgres: tuple[Path, Postgres],
) -> None:
    root, postgres = race_postgres
    with demo_on_postgres(root, postgres, "ferrojwt") as url:
        replies = race_round(url, CONCURRENCY)
        assert sorted(r.status for r in replies) == [200] + [401] * (CONCURRENCY - 1)
        assert [r.json() for r in replies if r.status == 401] == [BLACKLISTED] * (CONCURRENCY - 1)
        [winner] = [r.json() for r in replies if r.status == 200]
        assert set(winner) == {"access", "refresh"}
        result = race("ferrojwt", url, ROUNDS, CONCURRENCY)
    print(result.line())
    assert result.successes == [1] * ROUNDS
    assert result.others == {401: (CONCURRENCY - 1) * ROUNDS}


def test_simplejwt_is_measured_by_the_same_race(race_postgres: tuple[Path, Postgres]) -> None:
    root, postgres = race_postgres
    with demo_on_postgres(root, postgres, "simplejwt") as url:
        result = race("simplejwt", url, ROUNDS, CONCURRENCY)
    print(result.line())
    assert len(result.successes) == ROUNDS
    assert min(result.successes) >= 1  # someone always wins; how many is the figure
