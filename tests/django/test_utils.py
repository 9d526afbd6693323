"""ferrojwt.utils, checked against simplejwt's own helpers on the same inputs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import rest_framework_simplejwt.utils as reference
from django.test import override_settings
from ferrojwt import utils
from freezegun import freeze_time

UTC = timezone.utc
PLUS2 = timezone(timedelta(hours=2))

DATETIMES = [
    datetime(2020, 1, 1, 0, 0, 0, tzinfo=UTC),
    datetime(2020, 1, 1, 2, 0, 0, tzinfo=PLUS2),
    datetime(2020, 1, 1, 0, 0, 0),
    datetime(1970, 1, 1, 0, 0, 0, tzinfo=UTC),
    datetime(2038, 1, 19, 3, 14, 8, 999_999, tzinfo=UTC),
]


@pytest.mark.parametrize("dt", DATETIMES)
def test_datetime_to_epoch_matches_simplejwt(dt: datetime) -> None:
    assert utils.datetime_to_epoch(dt) == reference.datetime_to_epoch(dt)


def test_datetime_to_epoch_values() -> None:
    assert utils.datetime_to_epoch(datetime(2020, 1, 1, tzinfo=UTC)) == 1577836800
    assert utils.datetime_to_epoch(datetime(2020, 1, 1, 2, tzinfo=PLUS2)) == 1577836800
    assert utils.datetime_to_epoch(datetime(2020, 1, 1)) == 1577836800  # naive = UTC


@pytest.mark.parametrize("use_tz", [True, False])
@pytest.mark.parametrize("ts", [0, 1577836800, 1577836800.5, 2**31])
def test_datetime_from_epoch_matches_simplejwt(use_tz: bool, ts: float) -> None:
    with override_settings(USE_TZ=use_tz):
        ours = utils.datetime_from_epoch(ts)
        assert ours == reference.datetime_from_epoch(ts)
        assert (ours.tzinfo is not None) is use_tz


@pytest.mark.parametrize("use_tz", [True, False])
def test_make_utc(use_tz: bool) -> None:
    naive = datetime(2020, 1, 1)
    aware = datetime(2020, 1, 1, tzinfo=PLUS2)
    with override_settings(USE_TZ=use_tz):
        assert utils.make_utc(naive) == reference.make_utc(naive)
        assert utils.make_utc(naive).tzinfo is (UTC if use_tz else None)
        assert utils.make_utc(aware) is aware


@pytest.mark.parametrize("use_tz", [True, False])
def test_aware_utcnow(use_tz: bool) -> None:
    with freeze_time("2021-06-01 12:00:00"), override_settings(USE_TZ=use_tz):
        now = utils.aware_utcnow()
        assert now == reference.aware_utcnow()
        assert now.replace(tzinfo=None) == datetime(2021, 6, 1, 12)
        assert (now.tzinfo is UTC) if use_tz else (now.tzinfo is None)


@pytest.mark.parametrize("use_tz", [True, False])
def test_aware_utcnow_reads_the_os_clock(use_tz: bool) -> None:
    # Not frozen: the native reading, bracketed by two readings of Python's own clock.
    with override_settings(USE_TZ=use_tz):
        before = datetime.now(UTC)
        now = utils.aware_utcnow()
        after = datetime.now(UTC)
    assert type(now) is datetime
    assert (now.tzinfo is UTC) if use_tz else (now.tzinfo is None)
    assert before <= now.replace(tzinfo=UTC) <= after


def test_native_utc_now_gives_way_to_a_replaced_time_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from ferrojwt import _core

    assert _core.utc_now(True) is not None
    monkeypatch.setattr(time, "time", lambda: 0.0)
    assert _core.utc_now(True) is None  # the caller asks datetime (which mocks may move)
    assert _core.utc_now(False) is None
    monkeypatch.undo()
    naive = _core.utc_now(False)
    assert naive is not None and naive.tzinfo is None


@pytest.mark.parametrize("use_tz", [True, False])
def test_aware_utcnow_follows_time_machine(use_tz: bool) -> None:
    # time-machine keeps time.time's object and swaps its C function: the native reading
    # must still give way to it (and to datetime.now, which it moves too).
    import time_machine

    moment = datetime(2021, 6, 1, 12, tzinfo=UTC)
    with override_settings(USE_TZ=use_tz), time_machine.travel(moment, tick=False):
        now = utils.aware_utcnow()
        assert now.replace(tzinfo=UTC) == moment
        assert reference.aware_utcnow() == now
        assert (now.tzinfo is UTC) if use_tz else (now.tzinfo is None)
    assert utils.aware_utcnow().year >= 2026  # back on the real clock


def test_native_utc_now_takes_any_truth_value_for_aware() -> None:
    from ferrojwt import _core

    for aware in (1, "yes", [0]):
        assert _core.utc_now(aware).tzinfo is UTC  # type: ignore[union-attr]
    for naive in (0, None, ""):
        assert _core.utc_now(naive).tzinfo is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        (datetime(2020, 1, 1, tzinfo=UTC), 1577836800.0),
        (datetime(2020, 1, 1), 1577836800.0),  # naive is UTC, never local time
        (datetime(2020, 1, 1, 2, tzinfo=PLUS2), 1577836800.0),
        (datetime(2020, 1, 1, 0, 0, 0, 250_000, tzinfo=UTC), 1577836800.25),
    ],
)
def test_epoch_seconds(dt: datetime, expected: float) -> None:
    assert utils.epoch_seconds(dt) == expected


@pytest.mark.parametrize("password", ["", "abc", "pbkdf2_sha256$600000$salt$hash=", "é"])
def test_md5_hash_password_matches_simplejwt(password: str) -> None:
    assert utils.get_md5_hash_password(password) == reference.get_md5_hash_password(password)


def test_md5_hash_password_value() -> None:
    assert utils.get_md5_hash_password("abc") == "900150983CD24FB0D6963F7D28E17F72"


def test_format_lazy_is_lazy() -> None:
    calls = []

    class Arg:
        def __format__(self, spec: str) -> str:
            calls.append(spec)
            return "x"

    text = utils.format_lazy("a {} b", Arg())
    assert calls == []
    assert str(text) == "a x b"
    assert calls == [""]


def test_logger_name() -> None:
    assert utils.logger.name == "ferrojwt"
