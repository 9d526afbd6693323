"""An ``ON_LOGIN_SUCCESS`` hook given as an import string in the serializer tests."""

from typing import Any

calls: list[tuple[str, Any]] = []


def record_success(user: Any, request: Any) -> None:
    calls.append(("success", user.pk))
