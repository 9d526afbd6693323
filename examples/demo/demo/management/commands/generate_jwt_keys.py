"""Write an RSA key pair for JWT_ALGORITHM=RS256 and print the variables that select it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Write jwt_private.pem (mode 0600) and jwt_public.pem for RS256 into --dir."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", required=True, type=Path)
        parser.add_argument("--bits", type=int, default=2048)
        parser.add_argument("--force", action="store_true", help="overwrite an existing pair")

    def handle(self, *args: Any, dir: Path, bits: int, force: bool, **options: Any) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        private_path, public_path = dir / "jwt_private.pem", dir / "jwt_public.pem"
        if private_path.exists() and not force:
            if not public_path.exists():
                raise CommandError(f"{private_path} exists without {public_path}: use --force")
            self.stderr.write(f"keeping the existing pair in {dir}")
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
            private_pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            public_pem = key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(private_pem)
            public_path.write_bytes(public_pem)
        self.stdout.write("JWT_ALGORITHM=RS256")
        self.stdout.write(f"JWT_PRIVATE_KEY_FILE={private_path.resolve()}")
        self.stdout.write(f"JWT_PUBLIC_KEY_FILE={public_path.resolve()}")
