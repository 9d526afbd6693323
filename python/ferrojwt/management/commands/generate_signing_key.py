"""``manage.py generate_signing_key --dir DIR``: a new signing key for the next rotation.

Writes the new key into ``DIR`` (``<kid>.private.pem``, mode 0600, and ``<kid>.public.pem``;
``<kid>.secret`` for an HS algorithm) and prints the ``SIMPLE_JWT`` settings of each rotation
step, read against today's settings: publish the new key (step 1), sign with it while the
old one still verifies (step 2), drop the old one once every token it signed has expired
(step 3). Nothing secret is printed: keys are read from the files, today's public keys are
written as JWKs, today's HMAC secrets are left for you to fill in. Needs ``cryptography``
(``pip install "ferrojwt[crypto]"``) for the asymmetric algorithms.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ferrojwt import _core
from ferrojwt.backends import ALLOWED_ALGORITHMS, TokenBackend
from ferrojwt.settings import api_settings
from ferrojwt.state import get_token_backend

__all__ = ["Command"]

KID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
CURVES = {"ES256": "SECP256R1", "ES384": "SECP384R1", "ES512": "SECP521R1"}


def _private_key(algorithm: str, bits: int) -> Any:
    """A new private key object (``cryptography``) for an asymmetric ``algorithm``."""
    try:
        from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
    except ImportError:  # pragma: no cover - the crypto extra is installed in the tests
        raise CommandError(
            f'{algorithm} keys are generated with cryptography: pip install "ferrojwt[crypto]"'
        ) from None
    if algorithm.startswith(("RS", "PS")):
        return rsa.generate_private_key(public_exponent=65537, key_size=bits)
    if algorithm in CURVES:
        return ec.generate_private_key(getattr(ec, CURVES[algorithm])())
    return ed25519.Ed25519PrivateKey.generate()


def _pem_pair(key: Any) -> tuple[bytes, bytes]:
    from cryptography.hazmat.primitives import serialization

    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Write a file that must not exist yet, created with ``mode`` (never widened)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise CommandError(f"{path} exists: choose another --kid") from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _q(value: Any) -> str:
    """``value`` (a str, or a dict of them) as a Python literal, in double quotes."""
    return json.dumps(value)


def _path(path: Path) -> str:
    return f"Path({_q(str(path))}).read_text()"


def _entry(kid: str, algorithm: str, key: str) -> str:
    return f'    {{"kid": {_q(kid)}, "algorithm": {_q(algorithm)}, "key": {key}}},'


def _today_entry(kid: str, algorithm: str, key: Any, what: str) -> list[str]:
    """A key of today's settings as a VERIFYING_KEYS entry: a public key as its JWK, a
    secret as ``...`` to fill in (it is never printed)."""
    if key.kty == "oct":
        return [
            f"    # {what}: an HMAC secret, not printed; put it where the ... is.",
            _entry(kid, algorithm, "..."),
        ]
    return [f"    # {what}", _entry(kid, algorithm, _q(key.public_key().to_jwk()))]


def _duration(span: timedelta) -> str:
    """``span`` in words, rounded up to the second: "1 day", "2 hours 30 minutes"."""
    seconds = int(-(-span.total_seconds() // 1))
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count > 1 else ''}")
    return " ".join(parts) or "0 seconds"


def _current_key(backend: TokenBackend) -> Any:
    if backend.algorithm.startswith("HS") or not backend.verifying_key:
        return backend.prepared_signing_key
    return backend.prepared_verifying_key


class Command(BaseCommand):
    help = (
        "Generate a signing key for the next key rotation into --dir and print the "
        "SIMPLE_JWT settings of each rotation step."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", required=True, type=Path, help="where the key is written")
        parser.add_argument(
            "--algorithm",
            choices=sorted(ALLOWED_ALGORITHMS),
            help="the new key's algorithm (default: ALGORITHM)",
        )
        parser.add_argument("--kid", help="the new key's id (default: today's date + random)")
        parser.add_argument("--bits", type=int, default=2048, help="RSA key size (default 2048)")

    def handle(
        self,
        *args: Any,
        dir: Path,
        algorithm: str | None,
        kid: str | None,
        bits: int,
        **options: Any,
    ) -> None:
        backend = get_token_backend()
        algorithm = algorithm or backend.algorithm
        now = datetime.now(timezone.utc)
        kid = kid or f"{now:%Y%m%d}-{secrets.token_hex(4)}"
        if not KID.match(kid):
            raise CommandError(f"--kid {_q(kid)}: use letters, digits, '.', '_' and '-' only")
        taken = {backend.signing_key_id, *(entry.kid for entry in backend.verifying_keys)}
        if kid in taken:
            raise CommandError(f"--kid {_q(kid)} is already one of today's key ids")
        if algorithm.startswith(("RS", "PS")) and bits < 2048:
            raise CommandError("--bits: RSA keys have at least 2048 bits")
        dir.mkdir(parents=True, exist_ok=True)
        dir = dir.resolve()
        if algorithm.startswith("HS"):
            secret_path = dir / f"{kid}.secret"
            _write_new(secret_path, secrets.token_urlsafe(64).encode(), 0o600)
            signing = _path(secret_path)
            # The step-1 entry verifies with the secret; VERIFYING_KEY is unused for HS.
            verifying = signing
            written = [secret_path]
        else:
            private, public = _pem_pair(_private_key(algorithm, bits))
            _core.coerce_key(private, algorithm)  # the core signs with what was written
            private_path, public_path = dir / f"{kid}.private.pem", dir / f"{kid}.public.pem"
            _write_new(private_path, private, 0o600)
            _write_new(public_path, public, 0o644)
            signing = _path(private_path)
            verifying = _path(public_path)
            written = [private_path, public_path]
        for path in written:
            self.stderr.write(f"wrote {path}")
        self.stdout.write("\n".join(self._steps(backend, kid, algorithm, signing, verifying, now)))

    def _steps(
        self,
        backend: TokenBackend,
        kid: str,
        algorithm: str,
        signing: str,
        verifying: str,
        now: datetime,
    ) -> list[str]:
        old_kid = backend.signing_key_id
        lines = [
            f"# Key rotation to {_q(kid)} ({algorithm}), written by generate_signing_key.",
            "# Each step replaces the SIMPLE_JWT values it names; deploy it to every",
            "# process before the next step.",
            "from pathlib import Path",
            "",
        ]
        if old_kid is None:
            # Tokens signed today carry no kid: after the switch they would be verified
            # with the new key. They must carry one before the switch.
            old_kid = f"{now:%Y%m%d}-{secrets.token_hex(4)}"
            lines += [
                "# --- Step 0: name today's key. Tokens signed without a kid are verified",
                "# with the current key only, so give today's key an id and let the tokens",
                "# signed without one expire (the wait of step 3) before step 2.",
                f'SIMPLE_JWT["SIGNING_KEY_ID"] = {_q(old_kid)}',
                "",
            ]
        kept: list[str] = []
        for entry in backend.verifying_keys:
            kept += _today_entry(entry.kid, entry.algorithm, entry.key, "kept from today")
        new_entry = [
            "    # the new key, published before it signs",
            _entry(kid, algorithm, verifying),
        ]
        # VERIFYING_KEY is unused by the HS algorithms (SIGNING_KEY verifies).
        verifying_key = '""' if algorithm.startswith("HS") else verifying
        lines += [
            "# --- Step 1: publish the new key. It verifies (and is in the JWKS) but does not",
            "# sign yet. Wait until every JWKS client has fetched the new set (JWKSView's",
            "# max_age, 300 s by default) before step 2.",
            'SIMPLE_JWT["VERIFYING_KEYS"] = [',
            *new_entry,
            *kept,
            "]",
            "",
            "# --- Step 2: sign with the new key; today's key still verifies the tokens it",
            "# signed, selected by their kid.",
            f'SIMPLE_JWT["ALGORITHM"] = {_q(algorithm)}',
            f'SIMPLE_JWT["SIGNING_KEY"] = {signing}',
            f'SIMPLE_JWT["VERIFYING_KEY"] = {verifying_key}',
            f'SIMPLE_JWT["SIGNING_KEY_ID"] = {_q(kid)}',
            'SIMPLE_JWT["VERIFYING_KEYS"] = [',
            *_today_entry(
                old_kid, backend.algorithm, _current_key(backend), "today's key, retiring"
            ),
            *kept,
            "]",
            "",
        ]
        wait = self._longest_lifetime()
        lines += [
            f"# --- Step 3, at least {_duration(wait)} after step 2 was deployed (the",
            "# longest token lifetime plus LEEWAY): every token today's key signed has",
            "# expired. Drop it.",
            'SIMPLE_JWT["VERIFYING_KEYS"] = [',
            *kept,
            "]",
        ]
        return lines

    def _longest_lifetime(self) -> timedelta:
        lifetimes = [
            api_settings.ACCESS_TOKEN_LIFETIME,
            api_settings.REFRESH_TOKEN_LIFETIME,
            api_settings.SLIDING_TOKEN_LIFETIME,
        ]
        leeway = api_settings.LEEWAY
        if not isinstance(leeway, timedelta):
            leeway = timedelta(seconds=leeway or 0)
        longest: timedelta = max(lifetimes) + leeway
        return longest
