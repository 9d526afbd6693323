"""The JWT package selected by settings.JWT_PACKAGE (ferrojwt or simplejwt).

Both packages have the same module layout, so the project imports its views and
authentication classes from here and runs unchanged on either.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings

views: Any = import_module(f"{settings.JWT_MODULE}.views")
authentication: Any = import_module(f"{settings.JWT_MODULE}.authentication")
