"""ferrojwt's system checks (ferrojwt.checks), run as ``manage.py check`` runs them."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core import checks
from testproject.testing import jwt_settings


def _ours() -> list[checks.CheckMessage]:
    return [
        m for m in checks.run_checks(tags=[checks.Tags.security]) if m.id.startswith("ferrojwt")
    ]


def test_revoke_on_password_change_with_nothing_to_revoke_is_reported() -> None:
    with (
        jwt_settings(REVOKE_ON_PASSWORD_CHANGE=True, ACCESS_TOKEN_REVOCATION=False),
        mock.patch("ferrojwt.tokens.blacklist_installed", lambda: False),
    ):
        found = _ours()
    assert [m.id for m in found] == ["ferrojwt.W001"]
    assert found[0].level == checks.WARNING
    assert "revokes nothing" in found[0].msg
    assert "ferrojwt.token_blacklist" in (found[0].hint or "")


@pytest.mark.parametrize(
    ("blacklist", "access_revocation", "on"),
    [(True, False, True), (False, True, True), (True, True, True), (False, False, False)],
)
def test_no_report_when_a_password_change_revokes_something_or_the_setting_is_off(
    blacklist: bool, access_revocation: bool, on: bool
) -> None:
    with (
        jwt_settings(REVOKE_ON_PASSWORD_CHANGE=on, ACCESS_TOKEN_REVOCATION=access_revocation),
        mock.patch("ferrojwt.tokens.blacklist_installed", lambda: blacklist),
    ):
        assert _ours() == []
