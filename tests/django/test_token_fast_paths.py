"""Behaviour the native paths of ``ferrojwt.tokens`` must keep (each pinned against simplejwt).

A new token's claims come from one native call (``_core.new_claims``: integer claim
times, ids from the OS generator) while ``set_exp``/``set_iat``/``set_jti`` are Token's
own, and a decoded token is verified in the native decode call while ``verify``,
``check_exp`` and ``verify_token_type`` are. None of that may be visible: the claims,
the overridable methods and the settings/time hooks behave as simplejwt's.
"""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from django.test import override_settings
from ferrojwt import _core, tokens
from ferrojwt.exceptions import TokenError
from ferrojwt.settings import api_settings
from ferrojwt.state import get_token_backend
from ferrojwt.tokens import AccessToken, RefreshToken, SlidingToken, Token
from ferrojwt.utils import aware_utcnow
from freezegun import freeze_time
from rest_framework_simplejwt.utils import datetime_to_epoch as reference_epoch
from testproject.testing import jwt_settings

UTC = timezone.utc
NOW = datetime(2030, 1, 1, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


class _Lifetime(timedelta):
    """A timedelta subclass: arithmetic on it is not assumed to be plain."""


# (clock reading, lifetime): exp must be simplejwt's datetime_to_epoch(now + lifetime)
CLOCK_CASES: list[tuple[datetime, Any]] = [
    (datetime(2030, 1, 1, 12, 0, 0, 999_999, tzinfo=UTC), timedelta(microseconds=1)),
    (
        datetime(2030, 1, 1, 12, 0, 0, 600_000, tzinfo=UTC),
        timedelta(seconds=5, microseconds=400_000),
    ),
    (
        datetime(2030, 1, 1, 12, 0, 0, 600_000, tzinfo=UTC),
        timedelta(seconds=5, microseconds=399_999),
    ),
    (datetime(2030, 1, 1, 12, 0, 0, 1, tzinfo=UTC), timedelta(seconds=-1)),
    (datetime(2030, 1, 1, 12, 0, 0, 0, tzinfo=UTC), timedelta(microseconds=-1)),
    (datetime(1960, 6, 1, 0, 0, 0, 250_000, tzinfo=UTC), timedelta(days=3, microseconds=800_000)),
    (datetime(2030, 1, 1, 12, 0, 0, 999_999), timedelta(hours=1, microseconds=1)),  # naive
    (datetime(2030, 3, 30, 12, 0, 0, 500_000, tzinfo=PARIS), timedelta(days=1)),  # DST
    (datetime(2030, 1, 1, 12, 0, 0, tzinfo=timezone(timedelta(hours=5))), timedelta(hours=2)),
    (datetime(2030, 1, 31, 12, 0, 0, 500_000, tzinfo=UTC), relativedelta(months=1)),
    (datetime(2030, 1, 1, 12, 0, 0, 999_999, tzinfo=UTC), _Lifetime(microseconds=1)),
    (datetime(9999, 12, 30, tzinfo=UTC), timedelta(hours=23, minutes=59)),
]


def _token_class(lifetime: Any) -> type[AccessToken]:
    class Timed(AccessToken):
        pass

    Timed.lifetime = lifetime  # type: ignore[assignment]
    return Timed


@pytest.mark.parametrize(("now", "lifetime"), CLOCK_CASES)
def test_claim_times_are_simplejwts(now: datetime, lifetime: Any) -> None:
    with mock.patch.object(tokens, "aware_utcnow", return_value=now):
        token = _token_class(lifetime)()
    assert token.current_time is now
    assert token["exp"] == reference_epoch(now + lifetime)
    assert token["iat"] == reference_epoch(now)
    assert type(token["exp"]) is int and type(token["iat"]) is int
    assert list(token.payload) == ["token_type", "exp", "iat", "jti"]


class _Datetime(datetime):
    """A datetime subclass: its state is not assumed to be datetime's."""


@pytest.mark.parametrize(
    "when",
    [
        datetime.min,
        datetime.max,
        datetime.min.replace(tzinfo=UTC),
        datetime.max.replace(tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(1970, 1, 1, 0, 0, 0, 1),
        datetime(1600, 2, 29, 12, tzinfo=UTC),
        datetime(2000, 2, 29, 23, 59, 59, 999_999),
        datetime(2100, 3, 1, tzinfo=UTC),
        datetime(2030, 1, 1, 12, tzinfo=UTC, fold=1),
        _Datetime(2030, 1, 1, 12, 0, 0, 500_000, tzinfo=UTC),
        datetime(2030, 10, 27, 2, 30, tzinfo=PARIS, fold=1),
    ],
)
def test_claim_time_of_any_reading_is_simplejwts(when: datetime) -> None:
    # Edge readings (the datetime range, leap days, fold, a subclass, a zone with rules).
    assert _core.claim_time(when) == reference_epoch(when)
    if when.year < 9999:
        lifetime = timedelta(hours=1, microseconds=1)
        assert _core.claim_time(when, lifetime) == reference_epoch(when + lifetime)


@pytest.mark.parametrize(
    ("now", "lifetime"),
    [
        (datetime(9999, 12, 31, tzinfo=UTC), timedelta(days=1)),
        (datetime(1, 1, 2, tzinfo=UTC), timedelta(days=-2)),
        (datetime(9999, 12, 31, 12, tzinfo=timezone(timedelta(hours=-11))), timedelta(hours=12)),
    ],
)
def test_claim_time_overflow_raises_like_simplejwt(now: datetime, lifetime: timedelta) -> None:
    with pytest.raises(OverflowError) as expected:
        reference_epoch(now + lifetime)
    with (
        mock.patch.object(tokens, "aware_utcnow", return_value=now),
        pytest.raises(OverflowError) as got,
    ):
        _token_class(lifetime)()
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize(("when", "lifetime"), CLOCK_CASES[:-1])
def test_set_exp_and_set_iat_from_other_times(when: datetime, lifetime: Any) -> None:
    with freeze_time(NOW):
        token = AccessToken()
    token.set_exp("other_exp", from_time=when, lifetime=lifetime)
    token.set_iat("other_iat", at_time=when)
    assert token["other_exp"] == reference_epoch(when + lifetime)
    assert token["other_iat"] == reference_epoch(when)
    # Back to the token's own clock reading: nothing is remembered from the other time.
    token.set_exp("again")
    assert token["again"] == reference_epoch(NOW + timedelta(minutes=5))


def test_setters_follow_a_reassigned_current_time() -> None:
    with freeze_time(NOW):
        token = AccessToken()
    later = NOW + timedelta(days=2, microseconds=700_000)
    token.current_time = later
    token.set_exp()
    token.set_iat()
    assert token["exp"] == reference_epoch(later + timedelta(minutes=5))
    assert token["iat"] == reference_epoch(later)


@freeze_time(NOW)
def test_refresh_pair_expiry_counts_from_the_refresh_tokens_creation() -> None:
    with mock.patch.object(
        tokens, "aware_utcnow", side_effect=[NOW, NOW + timedelta(seconds=30, microseconds=999_999)]
    ):
        refresh = RefreshToken()
        access = refresh.access_token
    assert access.current_time == NOW + timedelta(seconds=30, microseconds=999_999)
    assert access["iat"] == reference_epoch(access.current_time)
    assert access["exp"] == reference_epoch(NOW + timedelta(minutes=5))
    assert refresh["exp"] == reference_epoch(NOW + timedelta(days=1))


# -- overridable setters ------------------------------------------------------


def _recording_token(*overridden: str) -> tuple[type[AccessToken], list[tuple[Any, ...]]]:
    calls: list[tuple[Any, ...]] = []

    def set_exp(
        self: Token, claim: str = "exp", from_time: Any = None, lifetime: Any = None
    ) -> None:
        calls.append(("set_exp", claim, from_time is self.current_time, lifetime))
        Token.set_exp(self, claim, from_time, lifetime)

    def set_iat(self: Token, claim: str = "iat", at_time: Any = None) -> None:
        calls.append(("set_iat", claim, at_time is self.current_time))
        Token.set_iat(self, claim, at_time)

    def set_jti(self: Token) -> None:
        calls.append(("set_jti",))
        self.payload[api_settings.JTI_CLAIM] = "custom-id"

    methods = {"set_exp": set_exp, "set_iat": set_iat, "set_jti": set_jti}
    cls = type("Recording", (AccessToken,), {name: methods[name] for name in overridden})
    return cls, calls


@pytest.mark.parametrize(
    "overridden",
    [("set_exp",), ("set_iat",), ("set_jti",), ("set_exp", "set_iat", "set_jti")],
)
@freeze_time(NOW)
def test_init_calls_overridden_setters(overridden: tuple[str, ...]) -> None:
    cls, calls = _recording_token(*overridden)
    token = cls()
    expected = {
        "set_exp": ("set_exp", "exp", True, timedelta(minutes=5)),
        "set_iat": ("set_iat", "iat", True),
        "set_jti": ("set_jti",),
    }
    assert calls == [
        expected[name] for name in ("set_exp", "set_iat", "set_jti") if name in overridden
    ]
    assert list(token.payload) == ["token_type", "exp", "iat", "jti"]
    assert token["exp"] == reference_epoch(NOW) + 300
    assert token["iat"] == reference_epoch(NOW)
    assert (token["jti"] == "custom-id") == ("set_jti" in overridden)


@freeze_time(NOW)
def test_patched_setters_on_token_are_called() -> None:
    with (
        mock.patch.object(Token, "set_jti", autospec=True) as set_jti,
        mock.patch.object(Token, "set_iat", autospec=True) as set_iat,
    ):
        token = AccessToken()
    set_jti.assert_called_once_with(token)
    set_iat.assert_called_once_with(token, at_time=token.current_time)
    assert "jti" not in token.payload and "iat" not in token.payload
    assert token["exp"] == reference_epoch(NOW) + 300


@freeze_time(NOW)
def test_sliding_token_refresh_exp_uses_the_same_clock_reading() -> None:
    token = SlidingToken()
    assert token["exp"] == reference_epoch(NOW) + 300
    assert token["refresh_exp"] == reference_epoch(NOW + timedelta(days=1))


# -- exp after the native decode ------------------------------------------------


@freeze_time(NOW)
def test_verify_rechecks_an_exp_changed_after_decoding() -> None:
    token = AccessToken(str(AccessToken()))
    token.verify()  # unchanged: fine
    token.payload["exp"] = reference_epoch(NOW) - 1
    with pytest.raises(TokenError) as info:
        token.verify()
    assert info.value.args[0] == "Token 'exp' claim has expired"
    del token.payload["exp"]
    with pytest.raises(TokenError) as info:
        token.verify()
    assert info.value.args[0] == "Token has no 'exp' claim"


@freeze_time(NOW)
def test_check_exp_at_another_time_is_compared() -> None:
    token = AccessToken(str(AccessToken()))
    token.check_exp(current_time=NOW + timedelta(seconds=299))
    with pytest.raises(TokenError, match=r"^Token 'exp' claim has expired$"):
        token.check_exp(current_time=NOW + timedelta(seconds=300))
    token.current_time = NOW + timedelta(seconds=301)
    with pytest.raises(TokenError, match=r"^Token 'exp' claim has expired$"):
        token.check_exp()
    with pytest.raises(TokenError, match=r"^Token has no 'refresh_exp' claim$"):
        token.check_exp("refresh_exp")


@freeze_time(NOW)
def test_unverified_token_checks_exp_itself() -> None:
    raw = str(AccessToken())
    with freeze_time(NOW + timedelta(minutes=10)):
        token = AccessToken(raw, verify=False)
        with pytest.raises(TokenError, match=r"^Token 'exp' claim has expired$"):
            token.verify()


# -- token ids -------------------------------------------------------------------


def test_jti_values_are_uuid4_hex_and_unique() -> None:
    # More than two of the generator's pages (255 ids each): refills in between.
    ids = [_core.uuid4_hex() for _ in range(3 * 255 + 7)]
    assert len(set(ids)) == len(ids)
    for jti in ids:
        parsed = uuid.UUID(hex=jti)
        assert (parsed.version, parsed.variant, parsed.hex) == (4, uuid.RFC_4122, jti)
    assert len({AccessToken()["jti"] for _ in range(50)}) == 50


def test_threads_never_share_an_id() -> None:
    per_thread = 2 * 255 + 3
    with ThreadPoolExecutor(max_workers=4) as pool:
        batches = list(pool.map(lambda _: [_core.uuid4_hex() for _ in range(per_thread)], range(8)))
    ids = [jti for batch in batches for jti in batch]
    assert len(ids) == 8 * per_thread
    assert len(set(ids)) == len(ids)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_does_not_reuse_the_parents_ids() -> None:
    _core.uuid4_hex()  # the parent's page now holds 254 unused ids
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: ids past a refill of its own page
        try:
            os.write(write_end, "".join(_core.uuid4_hex() for _ in range(300)).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    received = b""
    while chunk := os.read(read_end, 65536):
        received += chunk
    os.close(read_end)
    os.waitpid(pid, 0)
    child_ids = {received[i : i + 32].decode() for i in range(0, len(received), 32)}
    parent_ids = {_core.uuid4_hex() for _ in range(300)}
    assert len(child_ids) == 300
    assert not child_ids & parent_ids


# -- settings and time hooks -----------------------------------------------------


def test_settings_version_changes_on_every_change(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = [api_settings._version]
    monkeypatch.setattr(api_settings, "JTI_CLAIM", "id")
    seen.append(api_settings._version)
    monkeypatch.undo()
    seen.append(api_settings._version)
    api_settings.reload()
    seen.append(api_settings._version)
    assert len(set(seen)) == len(seen)


def test_derived_values_follow_direct_patching(monkeypatch: pytest.MonkeyPatch) -> None:
    assert RefreshToken.no_copy_claims == ("token_type", "exp", "jti", "jti", "iat")
    backend = get_token_backend()
    monkeypatch.setattr(api_settings, "JTI_CLAIM", "id")
    monkeypatch.setattr(api_settings, "ACCESS_TOKEN_LIFETIME", timedelta(seconds=7))
    monkeypatch.setattr(api_settings, "SIGNING_KEY", "s" * 40)
    assert RefreshToken.no_copy_claims == ("token_type", "exp", "id", "jti", "iat")
    assert get_token_backend() is not backend
    assert get_token_backend().signing_key == "s" * 40
    with freeze_time(NOW):
        token = AccessToken()
    assert token["exp"] == reference_epoch(NOW) + 7
    assert "id" in token.payload and "jti" not in token.payload
    monkeypatch.undo()
    assert RefreshToken.no_copy_claims == ("token_type", "exp", "jti", "jti", "iat")
    assert get_token_backend().signing_key == backend.signing_key


def test_derived_values_follow_override_settings() -> None:
    with jwt_settings(JTI_CLAIM="id", TOKEN_TYPE_CLAIM="typ"):
        assert RefreshToken.no_copy_claims == ("typ", "exp", "id", "jti", "iat")
    assert RefreshToken.no_copy_claims == ("token_type", "exp", "jti", "jti", "iat")


def test_aware_utcnow_follows_use_tz_however_it_is_changed(settings: Any) -> None:
    assert aware_utcnow().tzinfo is UTC
    settings.USE_TZ = False  # pytest-django: a direct assignment, no override_settings
    assert aware_utcnow().tzinfo is None
    with freeze_time(NOW):
        token = AccessToken()
    assert token.current_time == NOW.replace(tzinfo=None)
    assert token["iat"] == reference_epoch(NOW)
    settings.USE_TZ = True
    assert aware_utcnow().tzinfo is UTC
    with override_settings(USE_TZ=False):
        assert aware_utcnow().tzinfo is None
    assert aware_utcnow().tzinfo is UTC


@pytest.mark.parametrize(
    "values",
    [{}, {"AUDIENCE": "aud-1"}, {"ISSUER": "iss-1"}, {"AUDIENCE": ["a", "b"], "ISSUER": "i"}],
)
@freeze_time(NOW)
def test_encoding_leaves_the_payload_untouched(values: dict[str, Any]) -> None:
    with jwt_settings(**values):
        token = AccessToken()
        before = dict(token.payload)
        raw = str(token)
        assert token.payload == before and list(token.payload) == list(before)
        decoded = AccessToken(raw).payload
    extra = {"aud": values["AUDIENCE"]} if "AUDIENCE" in values else {}
    if "ISSUER" in values:
        extra["iss"] = values["ISSUER"]
    assert decoded == {**before, **extra}


@pytest.mark.parametrize("method", ["verify", "check_exp", "verify_token_type"])
@freeze_time(NOW)
def test_patched_checks_are_called_when_decoding(method: str) -> None:
    raw = str(AccessToken())
    with mock.patch.object(Token, method, autospec=True) as patched:
        token = AccessToken(raw)
    patched.assert_called_once_with(token)
    with mock.patch.object(Token, method, autospec=True) as patched:
        AccessToken(raw, verify=False)
    patched.assert_not_called()


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"exp": None}, "Token has no 'exp' claim"),
        ({"jti": None}, "Token has no id"),
        ({"token_type": None}, "Token has no type"),
        ({"token_type": "refresh"}, "Token has wrong type"),
    ],
)
@freeze_time(NOW)
def test_decoded_claims_are_still_verified(claims: dict[str, Any], message: str) -> None:
    base = {"token_type": "access", "exp": reference_epoch(NOW) + 60, "jti": "j" * 32}
    base.update(claims)
    raw = get_token_backend().encode({k: v for k, v in base.items() if v is not None})
    with pytest.raises(TokenError) as info:
        AccessToken(raw)
    assert info.value.args[0] == message


# -- subclasses' own checks and backends -------------------------------------------


def _checking_token(method: str) -> tuple[type[AccessToken], list[str]]:
    """An AccessToken subclass whose ``method`` records its call, then runs Token's."""
    calls: list[str] = []
    original = getattr(Token, method)

    def override(self: Token, *args: Any, **kwargs: Any) -> None:
        calls.append(method)
        original(self, *args, **kwargs)

    return type("Checking", (AccessToken,), {method: override}), calls


@pytest.mark.parametrize("method", ["verify", "check_exp", "verify_token_type"])
@freeze_time(NOW)
def test_subclass_checks_are_called_when_decoding(method: str) -> None:
    cls, calls = _checking_token(method)
    raw = str(AccessToken())
    token = cls(raw)
    assert calls == [method]
    assert token["token_type"] == "access"
    # A refusal still comes from the overridden method's path, with simplejwt's message.
    with mock.patch.object(tokens, "aware_utcnow", return_value=NOW + timedelta(minutes=6)):
        with pytest.raises(TokenError) as info:
            cls(raw)
    assert info.value.args[0] == "Token 'exp' claim has expired"
    # verify() checks exp first: the type check is not reached.
    assert calls == [method] * (1 if method == "verify_token_type" else 2)


@freeze_time(NOW)
def test_a_subclass_check_can_refuse_a_token_the_native_checks_accept() -> None:
    class Strict(AccessToken):
        def verify(self) -> None:
            super().verify()
            if self.payload.get("user_id") != "1":
                raise TokenError("not user 1")

    other = AccessToken()
    other["user_id"] = "2"
    with pytest.raises(TokenError, match=r"^not user 1$"):
        Strict(str(other))


@freeze_time(NOW)
def test_a_backend_with_its_own_decode_is_called() -> None:
    backend = get_token_backend()
    seen: list[Any] = []

    class Recording(type(backend)):  # type: ignore[misc]
        def decode(self, token: Any, verify: bool = True, **kwargs: Any) -> dict[str, Any]:
            seen.append(token)
            return super().decode(token, verify, **kwargs)

    recording = Recording(backend.algorithm, backend.signing_key)
    raw = str(AccessToken())
    with mock.patch("ferrojwt.state.token_backend", recording, create=True):
        token = AccessToken(raw)
        assert seen == [raw]
        wrong = RefreshToken()
        with pytest.raises(TokenError, match=r"^Token has wrong type$"):
            AccessToken(str(wrong))
    assert token["exp"] == reference_epoch(NOW) + 300


@pytest.mark.parametrize(
    ("settings", "claims", "accepted"),
    [
        ({"TOKEN_TYPE_CLAIM": None}, {"token_type": "refresh"}, True),
        ({"JTI_CLAIM": None}, {"jti": None}, True),
        ({"TOKEN_TYPE_CLAIM": "typ"}, {"typ": "access"}, True),
        ({"TOKEN_TYPE_CLAIM": "typ"}, {}, False),
    ],
)
@freeze_time(NOW)
def test_checks_follow_the_claim_settings(
    settings: dict[str, Any], claims: dict[str, Any], accepted: bool
) -> None:
    payload = {"token_type": "access", "exp": reference_epoch(NOW) + 60, "jti": "j" * 32}
    payload.update(claims)
    with jwt_settings(**settings):
        raw = get_token_backend().encode({k: v for k, v in payload.items() if v is not None})
        if accepted:
            assert AccessToken(raw).payload["exp"] == payload["exp"]
        else:
            with pytest.raises(TokenError, match=r"^Token has no type$"):
                AccessToken(raw)


@freeze_time(NOW)
def test_a_non_numeric_exp_is_invalid_not_a_server_error() -> None:
    token = AccessToken(str(AccessToken()))
    token.payload["exp"] = "soon"
    with pytest.raises(TokenError, match=r"^Token is invalid$"):
        token.check_exp()


@freeze_time(NOW)
def test_leeway_applies_to_the_native_and_the_method_checks() -> None:
    raw = str(AccessToken())
    later = NOW + timedelta(minutes=5, seconds=5)
    cls, _calls = _checking_token("check_exp")
    with jwt_settings(LEEWAY=10), freeze_time(later):
        assert AccessToken(raw)["token_type"] == "access"
        assert cls(raw)["token_type"] == "access"
    with jwt_settings(LEEWAY=1), freeze_time(later):
        for token_class in (AccessToken, cls):
            with pytest.raises(TokenError):
                token_class(raw)
