"""ferrojwt.settings and ferrojwt.state: defaults, import strings, reloads, the backend cache."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import rest_framework_simplejwt.settings as reference
from django.test import override_settings
from ferrojwt import state
from ferrojwt.authentication import JWTAuthentication, default_user_authentication_rule
from ferrojwt.backends import TokenBackend
from ferrojwt.models import TokenUser
from ferrojwt.serializers import default_on_login_failed, default_on_login_success
from ferrojwt.settings import (
    DEFAULTS,
    IMPORT_STRINGS,
    REMOVED_SETTINGS,
    APISettings,
    api_settings,
)
from ferrojwt.tokens import AccessToken, RefreshToken, SlidingToken, Token, UntypedToken
from testproject.testing import jwt_settings


def _renamed(value: object) -> object:
    if isinstance(value, str):
        return value.replace("rest_framework_simplejwt", "ferrojwt")
    if isinstance(value, tuple):
        return tuple(_renamed(v) for v in value)
    return value


@pytest.mark.parametrize("name", sorted(set(reference.DEFAULTS) - {"SIGNING_KEY"}))
def test_every_simplejwt_default_is_the_same(name: str) -> None:
    assert DEFAULTS[name] == _renamed(reference.DEFAULTS[name])
    if name not in IMPORT_STRINGS:
        assert getattr(api_settings, name) == DEFAULTS[name]


def test_signing_key_defaults_to_secret_key(settings) -> None:
    assert api_settings.SIGNING_KEY == settings.SECRET_KEY


def test_signing_key_default_follows_secret_key_changes() -> None:
    with override_settings(SECRET_KEY="another-secret-key-of-decent-length-0123456789"):
        assert api_settings.SIGNING_KEY == "another-secret-key-of-decent-length-0123456789"
        token = str(AccessToken())
    assert api_settings.SIGNING_KEY != "another-secret-key-of-decent-length-0123456789"
    with pytest.raises(Exception, match="Token is invalid"):
        AccessToken(token)


def test_main_branch_login_hooks_have_defaults() -> None:
    assert api_settings.ON_LOGIN_SUCCESS is default_on_login_success
    assert api_settings.ON_LOGIN_FAILED is default_on_login_failed


def test_import_strings_cover_simplejwts() -> None:
    assert set(reference.IMPORT_STRINGS) <= set(IMPORT_STRINGS)
    assert set(reference.REMOVED_SETTINGS) == set(REMOVED_SETTINGS)


def test_import_strings_are_imported() -> None:
    assert api_settings.AUTH_TOKEN_CLASSES == [AccessToken]
    assert api_settings.TOKEN_USER_CLASS is TokenUser
    assert api_settings.USER_AUTHENTICATION_RULE is default_user_authentication_rule
    assert api_settings.JSON_ENCODER is None


def test_bad_import_string_is_reported() -> None:
    with jwt_settings(TOKEN_USER_CLASS="nowhere.Nothing"):
        with pytest.raises(
            ImportError, match=re.escape("Could not import 'nowhere.Nothing' for API setting")
        ):
            _ = api_settings.TOKEN_USER_CLASS


@pytest.fixture
def without_simplejwt_receiver():
    # simplejwt (imported here as the reference) would raise from its own receiver.
    from django.test.signals import setting_changed

    setting_changed.disconnect(reference.reload_api_settings)
    yield
    setting_changed.connect(reference.reload_api_settings)


@pytest.mark.usefixtures("without_simplejwt_receiver")
@pytest.mark.parametrize("name", REMOVED_SETTINGS)
def test_removed_setting_is_an_error(name: str) -> None:
    with jwt_settings(**{name: "x"}):
        with pytest.raises(RuntimeError) as info:
            _ = api_settings.ACCESS_TOKEN_LIFETIME
    assert str(info.value) == (
        f"The '{name}' setting has been removed. Please refer to "
        "'https://django-rest-framework-simplejwt.readthedocs.io/en/latest/settings.html' "
        "for available settings."
    )


def test_unknown_setting_name() -> None:
    with pytest.raises(AttributeError, match="Invalid API setting: 'NOT_A_SETTING'"):
        _ = api_settings.NOT_A_SETTING


def test_override_settings_applies_everywhere() -> None:
    assert api_settings.ACCESS_TOKEN_LIFETIME == timedelta(minutes=5)
    with jwt_settings(ACCESS_TOKEN_LIFETIME=timedelta(hours=2), ALGORITHM="HS512"):
        assert api_settings.ACCESS_TOKEN_LIFETIME == timedelta(hours=2)
        assert api_settings.ALGORITHM == "HS512"
        # unnamed settings keep their defaults
        assert api_settings.REFRESH_TOKEN_LIFETIME == timedelta(days=1)
    assert api_settings.ACCESS_TOKEN_LIFETIME == timedelta(minutes=5)
    assert api_settings.ALGORITHM == "HS256"


def test_the_pytest_django_settings_fixture_works_too(settings) -> None:
    settings.SIMPLE_JWT = {"USER_ID_CLAIM": "uid"}
    assert api_settings.USER_ID_CLAIM == "uid"


def test_unrelated_setting_changes_keep_the_cache() -> None:
    _ = api_settings.ACCESS_TOKEN_LIFETIME
    assert "ACCESS_TOKEN_LIFETIME" in api_settings._cached_attrs
    with override_settings(DEBUG=True):
        assert "ACCESS_TOKEN_LIFETIME" in api_settings._cached_attrs


def test_pinned_user_settings() -> None:
    pinned = APISettings({"LEEWAY": 7}, DEFAULTS, IMPORT_STRINGS)
    with jwt_settings(LEEWAY=99):
        assert pinned.LEEWAY == 7
        pinned.reload()
        assert pinned.LEEWAY == 7
    assert pinned.ALGORITHM == "HS256"
    with pytest.raises(RuntimeError, match="'SECRET_KEY' setting has been removed"):
        APISettings({"SECRET_KEY": "x"})


@pytest.mark.parametrize(
    ("cls", "setting"),
    [
        (AccessToken, "ACCESS_TOKEN_LIFETIME"),
        (RefreshToken, "REFRESH_TOKEN_LIFETIME"),
        (SlidingToken, "SLIDING_TOKEN_LIFETIME"),
    ],
)
def test_token_lifetimes_follow_settings(cls: type[Token], setting: str) -> None:
    assert cls.lifetime == DEFAULTS[setting]
    with jwt_settings(**{setting: timedelta(seconds=42)}):
        assert cls.lifetime == timedelta(seconds=42)
        assert cls().lifetime == timedelta(seconds=42)
        token = cls()
        assert token["exp"] - token["iat"] == 42


def test_subclass_lifetime_is_a_plain_override() -> None:
    class Short(AccessToken):
        lifetime = timedelta(seconds=5)

    with jwt_settings(ACCESS_TOKEN_LIFETIME=timedelta(hours=1)):
        assert Short.lifetime == timedelta(seconds=5)
    assert UntypedToken.lifetime == timedelta(0)


def test_no_copy_claims_follow_claim_names() -> None:
    assert RefreshToken.no_copy_claims == ("token_type", "exp", "jti", "jti", "iat")
    with jwt_settings(TOKEN_TYPE_CLAIM="typ", JTI_CLAIM="id"):
        assert RefreshToken.no_copy_claims == ("typ", "exp", "id", "jti", "iat")


# -- state -----


def test_state_backend_is_built_once_per_configuration() -> None:
    first = state.get_token_backend()
    assert isinstance(first, TokenBackend)
    assert state.get_token_backend() is first
    from ferrojwt.state import token_backend

    assert token_backend is first
    with jwt_settings(ALGORITHM="HS384"):
        other = state.get_token_backend()
        assert other is not first
        assert other.algorithm == "HS384"
        assert state.token_backend is other
    assert state.get_token_backend().algorithm == "HS256"


def test_state_backend_follows_direct_patching(monkeypatch: pytest.MonkeyPatch) -> None:
    # simplejwt's own test helper patches api_settings attributes directly.
    monkeypatch.setattr(api_settings, "LEEWAY", 30)
    assert state.get_token_backend().leeway == 30


def test_state_backend_carries_every_setting() -> None:
    with jwt_settings(
        AUDIENCE="aud",
        ISSUER="iss",
        LEEWAY=3,
        SIGNING_KEY="k" * 40,
        VERIFYING_KEY="v",
    ):
        backend = state.get_token_backend()
        assert (backend.audience, backend.issuer, backend.leeway) == ("aud", "iss", 3)
        assert (backend.signing_key, backend.verifying_key) == ("k" * 40, "v")
        assert backend.jwks_client is None


def test_state_has_no_other_attributes() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = state.nope


def test_authentication_reads_header_types_per_request() -> None:
    import ferrojwt.authentication as authentication

    assert authentication.AUTH_HEADER_TYPES == ("Bearer",)
    assert authentication.AUTH_HEADER_TYPE_BYTES == {b"Bearer"}
    with jwt_settings(AUTH_HEADER_TYPES="JWT"):
        assert authentication.AUTH_HEADER_TYPES == ("JWT",)
        assert JWTAuthentication().authenticate_header(None) == 'JWT realm="api"'


# -- settings edited by hand, as simplejwt's own test helper edits them ---------------


class _HandEdit:
    """Edits ``api_settings`` as simplejwt's ``override_api_settings`` helper (which
    many projects copied) does: ``user_settings[name] = value`` then ``delattr``, with
    no ``setting_changed``; restores the same way."""

    def __init__(self, **values: object) -> None:
        self.values = values
        self.saved: dict[str, object] = {}

    def __enter__(self) -> None:
        for name, value in self.values.items():
            if name in api_settings.user_settings:
                self.saved[name] = api_settings.user_settings[name]
            api_settings.user_settings[name] = value
            try:
                delattr(api_settings, name)
            except AttributeError:
                pass

    def __exit__(self, *exc: object) -> None:
        for name in self.values:
            api_settings.user_settings.pop(name)
            if name in self.saved:
                api_settings.user_settings[name] = self.saved[name]
            try:
                delattr(api_settings, name)
            except AttributeError:
                pass


def test_hand_edited_settings_take_effect_and_are_restored() -> None:
    assert api_settings.ALGORITHM == "HS256"  # cached before the edit
    with _HandEdit(ALGORITHM="HS512", USER_ID_CLAIM="uid", REVOKE_TOKEN_CLAIM="pw"):
        assert (api_settings.ALGORITHM, api_settings.USER_ID_CLAIM) == ("HS512", "uid")
        assert state.get_token_backend().algorithm == "HS512"
        token = AccessToken()
        assert AccessToken(str(token))["token_type"] == "access"
    assert (api_settings.ALGORITHM, api_settings.USER_ID_CLAIM) == ("HS256", "user_id")
    assert api_settings.REVOKE_TOKEN_CLAIM == "hash_password"
    assert state.get_token_backend().algorithm == "HS256"


def test_reload_after_a_hand_deleted_setting_keeps_every_setting_readable() -> None:
    # A setting read (cached), deleted by hand, then a reload from an unrelated
    # override_settings: DRF's own reload() would raise AttributeError here.
    for name in ("ALGORITHM", "AUTH_TOKEN_CLASSES", "JSON_ENCODER", "REVOKE_TOKEN_CLAIM"):
        getattr(api_settings, name)
        delattr(api_settings, name)
    with override_settings(USE_TZ=False):
        assert api_settings.ALGORITHM == "HS256"
        assert list(api_settings.AUTH_TOKEN_CLASSES) == [AccessToken]
        assert api_settings.JSON_ENCODER is None
        assert api_settings.REVOKE_TOKEN_CLAIM == "hash_password"
    assert api_settings.TOKEN_TYPE_CLAIM == "token_type"


def test_hand_edits_do_not_leak_into_the_next_override() -> None:
    with _HandEdit(LEEWAY=30):
        assert state.get_token_backend().leeway == 30
    with jwt_settings(ACCESS_TOKEN_LIFETIME=timedelta(minutes=1)):
        assert state.get_token_backend().leeway == 0
        assert api_settings.ACCESS_TOKEN_LIFETIME == timedelta(minutes=1)
    assert state.get_token_backend().leeway == 0
