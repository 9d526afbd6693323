"""The token serializers of simplejwt: obtain (pair, sliding), refresh, verify, blacklist.

Customise the claims of issued tokens by overriding the ``get_token`` classmethod.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

# _clean_credentials is private to Django (its own cleansing of sensitive names).
from django.contrib.auth import (  # type: ignore[attr-defined]
    _clean_credentials,
    authenticate,
    get_user_model,
)
from django.contrib.auth.models import AbstractBaseUser, update_last_login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.exceptions import AuthenticationFailed, ValidationError

from . import rotation
from .contrib import load_integrations
from .exceptions import TokenBlacklistedError
from .models import TokenUser
from .revocation import check_not_revoked, password_fingerprint
from .settings import api_settings
from .tokens import RefreshToken, SlidingToken, Token, UntypedToken, blacklist_installed

__all__ = [
    "PasswordField",
    "TokenBlacklistSerializer",
    "TokenObtainPairSerializer",
    "TokenObtainSerializer",
    "TokenObtainSlidingSerializer",
    "TokenRefreshSerializer",
    "TokenRefreshSlidingSerializer",
    "TokenVerifySerializer",
    "default_on_login_failed",
    "default_on_login_success",
]


def default_on_login_success(user: Any, request: HttpRequest | None) -> None:
    """``ON_LOGIN_SUCCESS`` default: record the user's ``last_login``.

    The obtain serializers call ``ON_LOGIN_SUCCESS`` only while ``UPDATE_LAST_LOGIN``
    is on (as simplejwt's main branch does); this function itself always updates.
    """
    update_last_login(None, user)  # type: ignore[arg-type]  # the sender is unused


def default_on_login_failed(credentials: dict[str, Any], request: HttpRequest | None) -> None:
    """``ON_LOGIN_FAILED`` default: nothing (Django's ``user_login_failed`` signal still fires)."""


AuthUser = TypeVar("AuthUser", AbstractBaseUser, TokenUser)


class PasswordField(serializers.CharField):
    """A write-only char field rendered as a password input."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("style", {})
        kwargs["style"]["input_type"] = "password"
        kwargs["write_only"] = True
        super().__init__(*args, **kwargs)


class _UsernameField:
    """``username_field``: the user model's ``USERNAME_FIELD``, read when accessed."""

    def __get__(self, obj: object, owner: type | None = None) -> str:
        return get_user_model().USERNAME_FIELD


class TokenObtainSerializer(serializers.Serializer[Any]):
    """Checks credentials with Django's ``authenticate``; subclasses issue the tokens."""

    username_field: str = _UsernameField()  # type: ignore[assignment]
    token_class: type[Token] | None = None

    default_error_messages = {
        "no_active_account": _("No active account found with the given credentials")
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[self.username_field] = serializers.CharField(write_only=True)
        self.fields["password"] = PasswordField()

    def validate(self, attrs: dict[str, Any]) -> dict[Any, Any]:
        credentials = {
            self.username_field: attrs[self.username_field],
            "password": attrs["password"],
        }
        request = self.context.get("request")
        if request is not None:
            credentials["request"] = request

        self.user = authenticate(**credentials)

        if not api_settings.USER_AUTHENTICATION_RULE(self.user):
            # Every validated field, with Django's cleansing of sensitive names
            # (password, token, key, secret, api, signature), done in place as simplejwt does.
            api_settings.ON_LOGIN_FAILED(_clean_credentials(attrs), request)
            raise exceptions.AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )
        return {}

    def on_login_success(self) -> None:
        """Run ``ON_LOGIN_SUCCESS`` for ``self.user`` once the tokens are issued.

        Only while ``UPDATE_LAST_LOGIN`` is on: simplejwt gates the hook on that setting.
        """
        if api_settings.UPDATE_LAST_LOGIN:
            api_settings.ON_LOGIN_SUCCESS(self.user, self.context.get("request"))

    @classmethod
    def get_token(cls, user: AuthUser) -> Token:
        """The token issued to ``user``; override to add custom claims."""
        assert cls.token_class is not None, f"{cls.__name__}.token_class is not set"
        return cls.token_class.for_user(user)


class TokenObtainPairSerializer(TokenObtainSerializer):
    token_class = RefreshToken

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        data = super().validate(attrs)
        # A family started for this login (TOKEN_FAMILIES) records the request's client.
        with rotation.client(self.context.get("request")):
            refresh = self.get_token(cast(AbstractBaseUser, self.user))
        data["refresh"] = str(refresh)
        data["access"] = str(refresh.access_token)  # type: ignore[attr-defined]
        self.on_login_success()
        return data


class TokenObtainSlidingSerializer(TokenObtainSerializer):
    token_class = SlidingToken

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        data = super().validate(attrs)
        data["token"] = str(self.get_token(cast(AbstractBaseUser, self.user)))
        self.on_login_success()
        return data


def _check_token_user(token: Token, messages: dict[str, Any]) -> None:
    """Refuse a refresh or sliding token whose user is gone, inactive or changed password.

    A token without the user id claim is not looked up. With ``CHECK_REVOKE_TOKEN``, a
    token whose password-hash claim no longer matches is blacklisted (when the app is
    installed) before being refused, so it cannot be replayed.
    """
    user_id = token.payload.get(api_settings.USER_ID_CLAIM, None)
    if not user_id:
        return
    user_model = get_user_model()
    try:
        user = user_model.objects.get(**{api_settings.USER_ID_FIELD: user_id})
    except (user_model.DoesNotExist, ValueError, DjangoValidationError):
        user = None
    if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
        raise AuthenticationFailed(messages["no_active_account"], "no_active_account")
    if api_settings.CHECK_REVOKE_TOKEN and token.get(
        api_settings.REVOKE_TOKEN_CLAIM
    ) != password_fingerprint(user.password):
        try:
            token.blacklist()  # type: ignore[attr-defined]
        except AttributeError:
            # The blacklist app is not installed: nothing to record.
            pass
        raise AuthenticationFailed(messages["password_changed"], "password_changed")


class TokenRefreshSerializer(serializers.Serializer[Any]):
    """A new access token (and, with ``ROTATE_REFRESH_TOKENS``, a new refresh token)."""

    refresh = serializers.CharField()
    access = serializers.CharField(read_only=True)
    token_class = RefreshToken

    default_error_messages = {
        "no_active_account": _("No active account found for the given token."),
        "password_changed": _("The user's password has been changed."),
    }

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        request = self.context.get("request")
        try:
            refresh = self.token_class(attrs["refresh"])
        except TokenBlacklistedError as e:
            # A replay of a rotated token: with reuse detection, its family is revoked.
            rotation.refused_blacklisted(self.token_class, e.payload, request)
            raise

        _check_token_user(refresh, self.error_messages)
        # ACCESS_TOKEN_REVOCATION: a token from before a logout-all is refused here too.
        check_not_revoked(refresh, in_refresh=True)

        if rotation.families_enabled():
            rotation.check_reuse_settings()
            return self._refresh_in_family(refresh, request)

        data = {"access": str(refresh.access_token)}

        if api_settings.ROTATE_REFRESH_TOKENS:
            if api_settings.BLACKLIST_AFTER_ROTATION and blacklist_installed():
                # Consuming the old token and recording its successor are one transaction:
                # of N concurrent refreshes of one token exactly one gets here past
                # consume(), and a failure before the commit leaves the token unconsumed.
                with transaction.atomic():
                    refresh.consume()
                    self._rotate(refresh, data)
            else:
                self._rotate(refresh, data)

        return data

    def _refresh_in_family(self, refresh: RefreshToken, request: Any) -> dict[str, str]:
        """The refresh with ``TOKEN_FAMILIES``: the family is locked and checked (a revoked
        one refuses the token), the token consumed, its successor recorded as the family's
        current token, all in one transaction (ferrojwt.rotation)."""
        rotate = api_settings.ROTATE_REFRESH_TOKENS
        consume = rotate and api_settings.BLACKLIST_AFTER_ROTATION
        try:
            with transaction.atomic():
                family = rotation.lock_family(refresh, request)
                data = {"access": str(refresh.access_token)}
                if consume:
                    refresh.consume()
                if rotate:
                    self._rotate(refresh, data)
                if family is not None:
                    rotation.advance_family(family, refresh)
        except TokenBlacklistedError as e:
            # Lost the race for this token: it was consumed by a concurrent refresh.
            rotation.refused_blacklisted(self.token_class, e.payload, request)
            raise
        return data

    @staticmethod
    def _rotate(refresh: Token, data: dict[str, str]) -> None:
        """Turn ``refresh`` into its successor (new id, expiry, issue time) and record it."""
        refresh.set_jti()
        refresh.set_exp()
        refresh.set_iat()
        refresh.outstand()
        data["refresh"] = str(refresh)


class TokenRefreshSlidingSerializer(serializers.Serializer[Any]):
    """A sliding token with new ``exp``/``iat``, while its ``refresh_exp`` has not passed.

    Its user is checked first, as for refresh tokens (deleted, inactive, password changed).
    """

    token = serializers.CharField()
    token_class = SlidingToken

    default_error_messages = {
        "no_active_account": _("No active account found for the given token."),
        "password_changed": _("The user's password has been changed."),
    }

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        token = self.token_class(attrs["token"])
        _check_token_user(token, self.error_messages)
        # ACCESS_TOKEN_REVOCATION: a sliding token from before a logout-all is not renewed.
        check_not_revoked(token, in_refresh=True)
        token.check_exp(api_settings.SLIDING_TOKEN_REFRESH_EXP_CLAIM)
        token.set_exp()
        token.set_iat()
        return {"token": str(token)}


class TokenVerifySerializer(serializers.Serializer[Any]):
    """Checks that a token is valid, whatever its type."""

    token = serializers.CharField(write_only=True)

    def validate(self, attrs: dict[str, Any]) -> dict[Any, Any]:
        token = UntypedToken(attrs["token"])
        # ACCESS_TOKEN_REVOCATION: a revoked token is not reported valid.
        check_not_revoked(token, in_refresh=True)

        if api_settings.BLACKLIST_AFTER_ROTATION and blacklist_installed():
            from .token_blacklist.models import BlacklistedToken

            jti = token.get(api_settings.JTI_CLAIM)
            if BlacklistedToken.objects.filter(token__jti=jti).exists():
                raise ValidationError(_("Token is blacklisted"))

        return {}


class TokenBlacklistSerializer(serializers.Serializer[Any]):
    """Blacklists a refresh token (a no-op without the blacklist app, as in simplejwt)."""

    refresh = serializers.CharField(write_only=True)
    token_class = RefreshToken

    def validate(self, attrs: dict[str, Any]) -> dict[Any, Any]:
        refresh = self.token_class(attrs["refresh"])
        try:
            refresh.blacklist()
        except AttributeError:
            pass
        return {}


# Register the OpenAPI extensions for the classes above (see ferrojwt.contrib).
load_integrations()
