"""``manage.py generate_signing_key``: writes the new key (private part 0600, never printed)
and prints the settings of each rotation step; those settings, applied in turn, rotate
without refusing a live token, and the old key's tokens are refused once it is dropped.
"""

from __future__ import annotations

import io
import re
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from ferrojwt.exceptions import TokenBackendError
from ferrojwt.key_rotation import UNKNOWN_KID
from ferrojwt.management.commands.generate_signing_key import Command
from ferrojwt.state import get_token_backend
from testproject.testing import jwt_settings

SECRET = "today-s-hmac-secret-" + "q" * 30


def run(settings: dict[str, Any], *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with jwt_settings(**settings):
        call_command(Command(), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def steps(printed: str) -> dict[str, str]:
    """The printed code of each step ("0" to "3"), each with the preamble (the imports)."""
    preamble, *parts = re.split(r"^# --- Step (\d)", printed, flags=re.M)
    return {
        n: f"{preamble}# Step {n}{body}" for n, body in zip(parts[::2], parts[1::2], strict=True)
    }


def apply(settings: dict[str, Any], code: str) -> dict[str, Any]:
    """``settings`` after the step's assignments to ``SIMPLE_JWT``."""
    namespace: dict[str, Any] = {"SIMPLE_JWT": dict(settings)}
    exec(code, namespace)  # the command's own output, as a settings module would run it
    return namespace["SIMPLE_JWT"]  # type: ignore[no-any-return]


def sign(settings: dict[str, Any], claims: dict[str, Any]) -> str:
    with jwt_settings(**settings):
        return get_token_backend().encode(claims)


def verify(settings: dict[str, Any], token: str) -> dict[str, Any]:
    with jwt_settings(**settings):
        return get_token_backend().decode(token)


def test_an_asymmetric_rotation_step_by_step(tmp_path: Path, rsa_keys: tuple[str, str]) -> None:
    today = {
        "ALGORITHM": "RS256",
        "SIGNING_KEY": rsa_keys[0],
        "VERIFYING_KEY": rsa_keys[1],
        "SIGNING_KEY_ID": "rsa-1",
    }
    printed, log = run(today, "--dir", str(tmp_path), "--algorithm", "ES256", "--kid", "ec-2")
    private, public = tmp_path / "ec-2.private.pem", tmp_path / "ec-2.public.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert "BEGIN PRIVATE KEY" in private.read_text()
    assert "BEGIN PUBLIC KEY" in public.read_text()
    assert log.splitlines() == [f"wrote {private}", f"wrote {public}"]
    # Nothing secret on stdout: the new key is read from its file, the old one is a JWK.
    assert "PRIVATE KEY" not in printed and private.read_text() not in printed
    assert rsa_keys[0] not in printed
    code = steps(printed)
    assert set(code) == {"1", "2", "3"}  # today's key has a kid: no step 0
    assert "at least 1 day after step 2" in code["3"]

    old_token = sign(today, {"who": "old"})
    step1 = apply(today, code["1"])
    assert step1["SIGNING_KEY_ID"] == "rsa-1"  # publishing only: still signed by rsa-1
    assert pyjwt.get_unverified_header(sign(step1, {}))["kid"] == "rsa-1"
    with jwt_settings(**step1):
        published = [k["kid"] for k in get_token_backend().public_jwks()["keys"]]
    assert published == ["rsa-1", "ec-2"]

    step2 = apply(step1, code["2"])
    new_token = sign(step2, {"who": "new"})
    assert pyjwt.get_unverified_header(new_token) == {"alg": "ES256", "kid": "ec-2", "typ": "JWT"}
    assert verify(step2, old_token) == {"who": "old"}
    assert verify(step2, new_token) == {"who": "new"}

    step3 = apply(step2, code["3"])
    assert step3["VERIFYING_KEYS"] == []
    assert verify(step3, new_token) == {"who": "new"}
    with pytest.raises(TokenBackendError) as info:
        verify(step3, old_token)
    assert str(info.value.__cause__) == UNKNOWN_KID


def test_from_hmac_without_kid_it_starts_by_naming_todays_key(tmp_path: Path) -> None:
    today = {"SIGNING_KEY": SECRET}
    printed, _ = run(today, "--dir", str(tmp_path), "--kid", "hs-2")
    secret_file = tmp_path / "hs-2.secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    new_secret = secret_file.read_text()
    assert len(new_secret) >= 64
    assert SECRET not in printed and new_secret not in printed
    code = steps(printed)
    assert set(code) == {"0", "1", "2", "3"}

    step0 = apply(today, code["0"])
    old_kid = step0["SIGNING_KEY_ID"]
    old_token = sign(step0, {"who": "old"})
    assert pyjwt.get_unverified_header(old_token)["kid"] == old_kid
    step2 = apply(apply(step0, code["1"]), code["2"])
    # Today's secret is not printed: its place is an Ellipsis, refused until filled in.
    (retiring,) = step2["VERIFYING_KEYS"]
    assert retiring["kid"] == old_kid and retiring["key"] is Ellipsis
    with pytest.raises(ImproperlyConfigured, match=rf"\(kid '{old_kid}'\): its 'key' is not"):
        sign(step2, {})
    retiring["key"] = SECRET
    new_token = sign(step2, {"who": "new"})
    assert pyjwt.get_unverified_header(new_token)["kid"] == "hs-2"
    assert verify(step2, old_token) == {"who": "old"}
    assert pyjwt.decode(new_token, new_secret, ["HS256"]) == {"who": "new"}


def test_the_wait_is_the_longest_lifetime_plus_leeway(tmp_path: Path) -> None:
    lifetimes = {
        "SIGNING_KEY": SECRET,
        "SIGNING_KEY_ID": "hs-1",
        "ACCESS_TOKEN_LIFETIME": timedelta(minutes=10),
        "REFRESH_TOKEN_LIFETIME": timedelta(hours=2),
        "SLIDING_TOKEN_LIFETIME": timedelta(hours=3),
        "LEEWAY": 90,
    }
    printed, _ = run(lifetimes, "--dir", str(tmp_path), "--kid", "hs-2")
    assert "# --- Step 3, at least 3 hours 1 minute 30 seconds after step 2" in printed


def test_entries_of_today_are_kept_and_ids_are_not_reused(
    tmp_path: Path, ec_keys: tuple[str, str]
) -> None:
    today = {
        "SIGNING_KEY": SECRET,
        "SIGNING_KEY_ID": "hs-1",
        "VERIFYING_KEYS": [{"kid": "ec-0", "algorithm": "ES256", "key": ec_keys[1]}],
    }
    printed, _ = run(today, "--dir", str(tmp_path), "--algorithm", "EdDSA", "--kid", "ed-2")
    step2 = apply(apply(today, steps(printed)["1"]), steps(printed)["2"])
    assert [e["kid"] for e in step2["VERIFYING_KEYS"]] == ["hs-1", "ec-0"]
    assert step2["VERIFYING_KEYS"][1]["key"]["kty"] == "EC"  # a public JWK, as printed
    for taken in ("hs-1", "ec-0"):
        with pytest.raises(CommandError, match="already one of today's key ids"):
            run(today, "--dir", str(tmp_path), "--kid", taken)
    with pytest.raises(CommandError, match="exists: choose another --kid"):
        run(today, "--dir", str(tmp_path), "--algorithm", "EdDSA", "--kid", "ed-2")
    with pytest.raises(CommandError, match="letters, digits"):
        run(today, "--dir", str(tmp_path), "--kid", "../escape")
