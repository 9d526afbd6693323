"""ferrojwt.models.TokenUser, compared with simplejwt's on the same token."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from ferrojwt.models import TokenUser
from ferrojwt.tokens import AccessToken
from rest_framework_simplejwt.models import TokenUser as ReferenceTokenUser
from testproject.testing import jwt_settings


@pytest.fixture
def token() -> AccessToken:
    token = AccessToken()
    token["user_id"] = "42"
    token["username"] = "deep-thought"
    token["is_staff"] = True
    token["plan"] = "pro"
    return token


def test_fields_come_from_claims(token: AccessToken) -> None:
    user = TokenUser(token)
    assert (user.id, user.pk, user.username) == ("42", "42", "deep-thought")
    assert (user.is_staff, user.is_superuser) == (True, False)
    assert user.is_active is True
    assert (user.is_authenticated, user.is_anonymous) == (True, False)
    assert user.get_username() == "deep-thought"
    assert str(user) == "TokenUser 42"
    assert user.plan == "pro"
    assert user.missing_claim is None


def test_defaults_for_absent_claims() -> None:
    token = AccessToken()
    token["user_id"] = 1
    user = TokenUser(token)
    assert (user.username, user.is_staff, user.is_superuser) == ("", False, False)


def test_user_id_claim_setting(token: AccessToken) -> None:
    token["sub"] = "s-1"
    with jwt_settings(USER_ID_CLAIM="sub"):
        assert TokenUser(token).id == "s-1"


@pytest.mark.parametrize(
    "attribute",
    ["id", "pk", "username", "is_staff", "is_superuser", "is_active", "plan", "nothing"],
)
def test_same_attributes_as_simplejwt(token: AccessToken, attribute: str) -> None:
    assert getattr(TokenUser(token), attribute) == getattr(ReferenceTokenUser(token), attribute)


def test_equality_and_hash(token: AccessToken) -> None:
    other = AccessToken()
    other["user_id"] = "42"
    assert TokenUser(token) == TokenUser(other)
    assert not (TokenUser(token) != TokenUser(other))
    assert hash(TokenUser(token)) == hash(TokenUser(other)) == hash("42")
    other["user_id"] = "43"
    assert TokenUser(token) != TokenUser(other)
    assert TokenUser(token).__eq__("42") is NotImplemented


def test_permissions_are_empty(token: AccessToken) -> None:
    user = TokenUser(token)
    assert list(user.groups.all()) == []
    assert list(user.user_permissions.all()) == []
    assert user.get_group_permissions() == set()
    assert user.get_all_permissions() == set()
    assert user.has_perm("auth.add_user") is False
    assert user.has_perms(["auth.add_user"]) is False
    assert user.has_module_perms("auth") is False


@pytest.mark.parametrize(
    ("method", "args"),
    [("save", ()), ("delete", ()), ("set_password", ("x",)), ("check_password", ("x",))],
)
def test_no_database_representation(token: AccessToken, method: str, args: Any) -> None:
    with pytest.raises(NotImplementedError, match="Token users have no DB representation"):
        getattr(TokenUser(token), method)(*args)


def test_private_names_are_not_claims(token: AccessToken) -> None:
    user = TokenUser(token)
    with pytest.raises(AttributeError):
        user.__deepcopy_hook__  # noqa: B018
    clone = pickle.loads(pickle.dumps(user))
    assert clone.id == "42"
