"""``TokenUser``: a stateless user backed by a validated token (no database row)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import models as auth_models
from django.db.models.manager import EmptyManager
from django.utils.functional import cached_property

from .settings import api_settings

if TYPE_CHECKING:
    from .tokens import Token

__all__ = ["TokenUser"]

_NO_DB = "Token users have no DB representation"


class TokenUser:
    """Shaped like ``AnonymousUser`` but authenticated; its fields come from token claims.

    ``JWTStatelessUserAuthentication`` returns one per request, which lets services
    sharing a signing key authenticate users without a user table. Unknown
    attributes read the claim of the same name (``None`` when absent).
    """

    # Tokens are only issued to active users.
    is_active = True

    _groups: EmptyManager[auth_models.Group] = EmptyManager(auth_models.Group)
    _user_permissions: EmptyManager[auth_models.Permission] = EmptyManager(auth_models.Permission)

    def __init__(self, token: Token) -> None:
        self.token = token

    def __str__(self) -> str:
        return f"TokenUser {self.id}"

    @cached_property
    def id(self) -> Any:
        return self.token[api_settings.USER_ID_CLAIM]

    @cached_property
    def pk(self) -> Any:
        return self.id

    @cached_property
    def username(self) -> str:
        return cast(str, self.token.get("username", ""))  # the claim as issued

    @cached_property
    def is_staff(self) -> bool:
        return cast(bool, self.token.get("is_staff", False))

    @cached_property
    def is_superuser(self) -> bool:
        return cast(bool, self.token.get("is_superuser", False))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TokenUser):
            return NotImplemented
        return cast(bool, self.id == other.id)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.id)

    def save(self) -> None:
        raise NotImplementedError(_NO_DB)

    def delete(self) -> None:
        raise NotImplementedError(_NO_DB)

    def set_password(self, raw_password: str) -> None:
        raise NotImplementedError(_NO_DB)

    def check_password(self, raw_password: str) -> None:
        raise NotImplementedError(_NO_DB)

    @property
    def groups(self) -> EmptyManager[auth_models.Group]:
        return self._groups

    @property
    def user_permissions(self) -> EmptyManager[auth_models.Permission]:
        return self._user_permissions

    def get_group_permissions(self, obj: object | None = None) -> set[str]:
        return set()

    def get_all_permissions(self, obj: object | None = None) -> set[str]:
        return set()

    def has_perm(self, perm: str, obj: object | None = None) -> bool:
        return False

    def has_perms(self, perm_list: list[str], obj: object | None = None) -> bool:
        return False

    def has_module_perms(self, module: str) -> bool:
        return False

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def is_authenticated(self) -> bool:
        return True

    def get_username(self) -> str:
        return self.username

    def __getattr__(self, attr: str) -> Any:
        # Custom claims (added in a serializer's get_token) read as attributes.
        # Private names are not claims: refusing them keeps copy/pickle sane.
        if attr.startswith("__") or attr == "token":
            raise AttributeError(attr)
        return self.token.get(attr, None)
