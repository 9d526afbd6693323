from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ferrojwt.token_blacklist.models import OutstandingToken
from ferrojwt.utils import aware_utcnow


class Command(BaseCommand):
    help = "Flushes any expired tokens in the outstanding token list"

    def handle(self, *args: Any, **options: Any) -> None:
        OutstandingToken.objects.filter(expires_at__lte=aware_utcnow()).delete()
