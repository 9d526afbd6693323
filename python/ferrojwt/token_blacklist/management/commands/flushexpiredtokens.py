"""``manage.py flushexpiredtokens``: delete the expired outstanding tokens (their blacklist
rows go with them) and the expired token families, in bounded batches.

Each batch is one short transaction deleting at most ``--batch-size`` rows by primary key,
so the command never holds a long lock on a large table and can be interrupted and rerun;
the progress is printed after each batch (``-v 0`` silences it).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import Model

from ferrojwt.token_blacklist.models import BlacklistedToken, OutstandingToken, TokenFamily
from ferrojwt.utils import aware_utcnow

DEFAULT_BATCH_SIZE = 1000


class Command(BaseCommand):
    help = "Flushes any expired tokens in the outstanding token list (in bounded batches)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"rows deleted per transaction (default {DEFAULT_BATCH_SIZE})",
        )
        parser.add_argument(
            "--pause",
            type=float,
            default=0.0,
            help="seconds to sleep between two batches (default 0)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        size = options["batch_size"]
        if size < 1:
            raise ValueError("--batch-size must be at least 1")
        now = aware_utcnow()
        self._flush(OutstandingToken, "outstanding tokens", now, size, options)
        self._flush(TokenFamily, "token families", now, size, options)

    def _flush(
        self, model: type[Model], label: str, now: Any, size: int, options: dict[str, Any]
    ) -> None:
        expired = model._default_manager.filter(expires_at__lte=now)
        total = 0
        while True:
            with transaction.atomic():
                ids = list(expired.order_by("pk").values_list("pk", flat=True)[:size])
                if not ids:
                    break
                if model is OutstandingToken:
                    # Their blacklist rows first, by the indexed token_id: no collector queries.
                    BlacklistedToken.objects.filter(token_id__in=ids).delete()
                model._default_manager.filter(pk__in=ids).delete()
            total += len(ids)
            if options["verbosity"] >= 1:
                self.stdout.write(f"{label}: deleted {total} expired so far")
            if len(ids) < size:
                break
            if options["pause"]:
                time.sleep(options["pause"])
        if options["verbosity"] >= 1:
            self.stdout.write(f"{label}: {total} expired deleted")
