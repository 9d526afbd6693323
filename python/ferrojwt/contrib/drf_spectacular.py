"""drf-spectacular extensions: ferrojwt's security scheme and its token endpoints' schemas.

Imported by :func:`ferrojwt.contrib.load_integrations` whenever drf-spectacular is installed;
importing it registers the extensions (drf-spectacular collects every subclass of its
extension bases). Each extension names its target by import string, so this module imports
no ferrojwt module that is not already loaded.

- ``JWTAuthentication`` and its subclasses that still read the token from the header
  (``JWTStatelessUserAuthentication``, ``JWTTokenUserAuthentication``): the ``jwtAuth``
  security scheme, HTTP bearer when the header is ``Authorization: Bearer <token>``, else an
  API key in the configured header.
- The token serializers (and subclasses, such as one adding claims in ``get_token``): the
  fields the client sends, and the tokens the endpoint answers with.
- The token views (``TokenViewBase`` and subclasses): their 400 and 401 answers too.

Every extension has priority -1, so a project's own extension for the same class, at the
default priority, takes precedence. Written against drf-spectacular 0.30 (pinned in
tests/requirements.txt); ``AutoSchema._map_serializer`` and ``set_override`` are the parts
of its API that it documents least.
"""

# drf-spectacular is typed only in part: its extension base's __init_subclass__ (run by
# every class below) and force_instance have no annotations.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import copy
from typing import Any

from drf_spectacular.drainage import set_override
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
    OpenApiViewExtension,
)
from drf_spectacular.plumbing import force_instance, get_class
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

__all__ = [
    "JWK_SET_SCHEMA",
    "JWKSViewSchema",
    "JWTCookieScheme",
    "JWTHeaderScheme",
    "TokenErrorSerializer",
    "TokenViewResponses",
]

# --- security scheme ---------------------------------------------------------------------

# The methods through which JWTAuthentication finds the token in a request: a subclass that
# overrides one of them reads it from elsewhere (a cookie, say) and needs its own scheme.
_TOKEN_LOOKUP = ("authenticate", "get_header", "get_raw_token")


def _http_header_name(meta_key: str) -> str:
    """``HTTP_X_API_TOKEN`` (a ``request.META`` key) as the header a client sends."""
    name = meta_key.removeprefix("HTTP_")
    return "-".join(part.capitalize() for part in name.split("_"))


class JWTHeaderScheme(OpenApiAuthenticationExtension):
    """The ``jwtAuth`` scheme: the name drf-spectacular gives simplejwt's, so a project's
    references to it (``SECURITY``, ``@extend_schema(auth=...)``) carry over."""

    target_class = "ferrojwt.authentication.JWTAuthentication"
    match_subclasses = True
    priority = -1
    name = "jwtAuth"

    @classmethod
    def _matches(cls, target: Any) -> bool:
        if not super()._matches(target):
            return False
        klass = get_class(target)
        return all(getattr(klass, m) is getattr(cls.target_class, m) for m in _TOKEN_LOOKUP)

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        # drf-spectacular keys a security scheme by its name and the authentication class,
        # and warns when two classes share a name. Every class matched here sends the same
        # header with the same token, so they share one scheme: the warning is silenced
        # for them (drf-spectacular's own mechanism for components shared on purpose).
        set_override(get_class(self.target), "suppress_collision_warning", True)
        return _header_definition()


def _header_definition() -> dict[str, Any]:
    """The ``jwtAuth`` scheme: the access token in the configured header."""
    from ferrojwt.authentication import get_auth_header_types
    from ferrojwt.settings import api_settings

    types = get_auth_header_types()
    header = _http_header_name(api_settings.AUTH_HEADER_NAME)
    if header == "Authorization" and "Bearer" in types:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token: `Authorization: Bearer <token>`.",
        }
    accepted = " or ".join(f"`{t} <token>`" for t in types)
    return {
        "type": "apiKey",
        "in": "header",
        "name": header,
        "description": f"An access token, sent as {accepted} in the {header} header.",
    }


class JWTCookieScheme(OpenApiAuthenticationExtension):
    """``JWTCookieAuthentication``: the header (``jwtAuth``) or the access cookie
    (``jwtCookieAuth``), either one (two alternative security requirements).

    With ``AUTH_COOKIE`` None the class reads the header only, and so does its scheme.
    """

    target_class = "ferrojwt.authentication.JWTCookieAuthentication"
    match_subclasses = True
    priority = -1
    name = ["jwtAuth", "jwtCookieAuth"]

    def _cookie(self) -> str | None:
        from ferrojwt.settings import api_settings

        name: str | None = api_settings.AUTH_COOKIE
        return name

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[Any]]]:
        if self._cookie() is None:
            return [{"jwtAuth": []}]
        return [{"jwtAuth": []}, {"jwtCookieAuth": []}]

    def get_security_definition(self, auto_schema: Any) -> list[dict[str, Any]]:
        # jwtAuth is the header classes' scheme too: shared on purpose (see JWTHeaderScheme).
        set_override(get_class(self.target), "suppress_collision_warning", True)
        cookie = self._cookie()
        definitions = [_header_definition()]
        if cookie is not None:
            definitions.append(
                {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": cookie,
                    "description": (
                        "The access token in an HttpOnly cookie, set by the obtain and "
                        "refresh endpoints. Unsafe methods also need Django's CSRF token "
                        "in the `X-CSRFToken` header."
                    ),
                }
            )
        return definitions


# --- token serializers -------------------------------------------------------------------

_Field = serializers.Field[Any, Any, Any, Any]

_ACCESS = "The access token: a JWT that authenticates requests."
_SLIDING = "The sliding token: a JWT that authenticates requests and can be refreshed."


def _rebuilt(field: _Field, **changes: Any) -> _Field:
    """A new ``field`` built with ``changes`` to its arguments (DRF copies fields this way)."""
    kwargs = {**field._kwargs, **changes}  # type: ignore[attr-defined]
    return type(field)(*field._args, **kwargs)  # type: ignore[attr-defined]


def _request_and_response(
    target: Any, response: dict[str, str], direction: str, cookies: dict[str, str] | None = None
) -> serializers.Serializer[Any]:
    """``target``'s fields as the client sends them, plus what the endpoint answers.

    ``response`` maps the name of each field of the answer to its description. A writable
    field of ``target`` that is not in it is sent only (write-only); a field in it that
    ``target`` lacks (the serializers build their answer in ``validate``) is read-only. A
    field of ``target`` without a description gets that one in the response direction only:
    one both sent and answered (a rotated ``refresh``) means something else in the request.
    ``cookies`` maps a field the view can read from a cookie instead to that cookie's
    name: the client may leave it out of the body.
    """
    fields: dict[str, _Field] = {}
    cookies = cookies or {}
    for name, field in force_instance(target).fields.items():
        if name in cookies and direction == "request":
            note = f"Optional: else read from the cookie `{cookies[name]}`."
            text = f"{field.help_text} {note}" if field.help_text else note
            # Sent only, unless the answer carries a field of that name too.
            write_only = name not in response
            fields[name] = _rebuilt(field, required=False, help_text=text, write_only=write_only)
        elif name in response:
            help_text = field.help_text or (response[name] if direction == "response" else None)
            fields[name] = _rebuilt(field, write_only=False, help_text=help_text)
        elif not field.read_only:
            fields[name] = field if field.write_only else _rebuilt(field, write_only=True)
    for name, description in response.items():
        if name not in fields:
            fields[name] = serializers.CharField(read_only=True, help_text=description)
    namespace: dict[str, Any] = {n: copy.deepcopy(f) for n, f in fields.items()}
    namespace["__doc__"] = get_class(target).__doc__
    described: type[serializers.Serializer[Any]] = type(
        get_class(target).__name__, (serializers.Serializer,), namespace
    )
    return described()


def _refresh_cookie_only() -> bool:
    """Whether the refresh token is left out of the answers (``REFRESH_COOKIE_ONLY``)."""
    from ferrojwt.settings import api_settings

    return bool(api_settings.REFRESH_COOKIE and api_settings.REFRESH_COOKIE_ONLY)


def _cookie_field(field: str, setting: str) -> dict[str, str]:
    """``{field: cookie name}`` when the cookie setting is on, else nothing."""
    from ferrojwt.settings import api_settings

    name = getattr(api_settings, setting)
    return {field: name} if name else {}


class _TokenSerializerScheme(OpenApiSerializerExtension):
    """Maps a token serializer through :func:`_request_and_response`."""

    match_subclasses = True
    priority = -1

    def response_fields(self) -> dict[str, str]:
        """The fields of the endpoint's answer, with their descriptions."""
        return {}

    def cookie_fields(self) -> dict[str, str]:
        """The fields the endpoint reads from a cookie when the body lacks them -> cookie."""
        return {}

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        described = _request_and_response(
            self.target, self.response_fields(), direction, self.cookie_fields()
        )
        schema: dict[str, Any] = auto_schema._map_serializer(
            described, direction, bypass_extensions=True
        )
        return schema


class TokenObtainPairScheme(_TokenSerializerScheme):
    target_class = "ferrojwt.serializers.TokenObtainPairSerializer"

    def response_fields(self) -> dict[str, str]:
        fields = {"access": _ACCESS}
        if not _refresh_cookie_only():
            fields["refresh"] = "The refresh token: a JWT that obtains new access tokens."
        return fields


class TokenObtainSlidingScheme(_TokenSerializerScheme):
    target_class = "ferrojwt.serializers.TokenObtainSlidingSerializer"

    def response_fields(self) -> dict[str, str]:
        return {"token": _SLIDING}


class TokenRefreshScheme(_TokenSerializerScheme):
    target_class = "ferrojwt.serializers.TokenRefreshSerializer"

    def response_fields(self) -> dict[str, str]:
        from ferrojwt.settings import api_settings

        fields = {"access": _ACCESS}
        if api_settings.ROTATE_REFRESH_TOKENS and not _refresh_cookie_only():
            fields["refresh"] = "A new refresh token (ROTATE_REFRESH_TOKENS), for the next refresh."
        return fields

    def cookie_fields(self) -> dict[str, str]:
        return _cookie_field("refresh", "REFRESH_COOKIE")


class TokenRefreshSlidingScheme(_TokenSerializerScheme):
    target_class = "ferrojwt.serializers.TokenRefreshSlidingSerializer"

    def response_fields(self) -> dict[str, str]:
        return {"token": "The same sliding token with a new expiry."}


class TokenVerifyScheme(_TokenSerializerScheme):
    """Answers ``{}``: the token is sent only."""

    target_class = "ferrojwt.serializers.TokenVerifySerializer"

    def cookie_fields(self) -> dict[str, str]:
        return _cookie_field("token", "AUTH_COOKIE")


class TokenBlacklistScheme(_TokenSerializerScheme):
    """Answers ``{}``: the refresh token is sent only."""

    target_class = "ferrojwt.serializers.TokenBlacklistSerializer"

    def cookie_fields(self) -> dict[str, str]:
        return _cookie_field("refresh", "REFRESH_COOKIE")


# --- token views: their error answers ----------------------------------------------------


class TokenErrorSerializer(serializers.Serializer[Any]):
    """Why credentials or a token were refused."""

    detail = serializers.CharField(help_text="Why the request was refused.")
    code = serializers.CharField(
        required=False,
        help_text="`token_not_valid` for a token that is malformed, expired or blacklisted.",
    )


# DRF's answer to invalid input: each field's name (or ``non_field_errors``) -> its messages.
_VALIDATION_ERROR = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description="Invalid input: each field, or `non_field_errors`, with its messages.",
)
_TOKEN_ERROR = OpenApiResponse(
    response=TokenErrorSerializer,
    description="Refused: wrong credentials, or a token that is not valid.",
)


_CSRF_ERROR = OpenApiResponse(
    response=TokenErrorSerializer,
    description=(
        "Refused by the CSRF check: a token cookie came without Django's CSRF token "
        "(`X-CSRFToken`), or from another origin."
    ),
)


def _csrf_checked(view: Any) -> bool:
    """Whether the token view runs the CSRF check: it reads a cookie that is on, or it is
    the logout view with a cookie on (see ferrojwt.cookies)."""
    from ferrojwt.settings import api_settings
    from ferrojwt.views import LogoutView

    if issubclass(view, LogoutView):
        return bool(api_settings.AUTH_COOKIE or api_settings.REFRESH_COOKIE)
    setting = getattr(view, "_cookie_setting", "")
    return bool(setting and getattr(api_settings, setting))


# The answer of a serializer whose response has no fields (verify, blacklist).
_EMPTY_ANSWER = OpenApiResponse(
    response={"type": "object", "maxProperties": 0},
    description="An empty object: `{}`.",
)


def _success(answer: Any) -> Any:
    """The 200 answer: ``{}`` for a token serializer that answers nothing, else ``answer``."""
    extension = OpenApiSerializerExtension.get_match(answer)
    if isinstance(extension, _TokenSerializerScheme) and not extension.response_fields():
        return _EMPTY_ANSWER
    return answer


def _status_codes(responses: dict[Any, Any]) -> set[str]:
    return {str(code[0] if isinstance(code, tuple) else code) for code in responses}


class TokenViewResponses(OpenApiViewExtension):
    """Adds the 400 and 401 answers to the 200 of a token view (or to the project's own),
    and the 403 of the CSRF check to a view that reads a token cookie.

    The 200 is the serializer's answer, or an empty object for a serializer that answers
    nothing (verify, blacklist): drf-spectacular would say "no response body".

    The view is replaced, for schema generation only, by a subclass whose schema class
    derives from the view's own, so any ``@extend_schema`` on the view class still applies.
    """

    target_class = "ferrojwt.views.TokenViewBase"
    match_subclasses = True
    priority = -1

    def view_replacement(self) -> Any:
        view = self.target
        base_schema = type(view.schema)

        class TokenViewSchema(base_schema):  # type: ignore[misc,valid-type]
            def get_response_serializers(self) -> Any:
                answer = super().get_response_serializers()
                if isinstance(answer, dict):
                    responses = dict(answer)
                else:
                    responses = {200: _success(answer)}
                codes = _status_codes(responses)
                if "400" not in codes:
                    responses[400] = _VALIDATION_ERROR
                if "401" not in codes:
                    responses[401] = _TOKEN_ERROR
                if "403" not in codes and _csrf_checked(view):
                    responses[403] = _CSRF_ERROR
                return responses

        namespace = {"schema": TokenViewSchema(), "__doc__": view.__doc__}
        namespace["__module__"] = view.__module__
        return type(view.__name__, (view,), namespace)


# --- the JWKS endpoint -------------------------------------------------------------------

_B64URL = {"type": "string", "description": "base64url, no padding"}

#: A JWK Set (RFC 7517) of public signature keys, as JWKSView publishes it.
JWK_SET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["keys"],
    "properties": {
        "keys": {
            "type": "array",
            "items": {
                "type": "object",
                "description": "A public key (RFC 7517): RSA (n, e), EC (crv, x, y) or OKP "
                "(crv, x). Never an HMAC secret, never a private member.",
                "required": ["kty", "alg", "use"],
                "properties": {
                    "kty": {"type": "string", "enum": ["RSA", "EC", "OKP"]},
                    "kid": {
                        "type": "string",
                        "description": "The key id tokens signed with it carry in their header.",
                    },
                    "alg": {"type": "string", "description": "The one algorithm it verifies."},
                    "use": {"type": "string", "enum": ["sig"]},
                    "n": _B64URL,
                    "e": _B64URL,
                    "crv": {"type": "string", "enum": ["P-256", "P-384", "P-521", "Ed25519"]},
                    "x": _B64URL,
                    "y": _B64URL,
                },
            },
        }
    },
}


_JWKS_DESCRIPTION = (
    "The public keys that verify this service's tokens, as a JSON Web Key Set (RFC 7517): "
    "each with its `kid` (the one in the header of the tokens it signs or signed), `alg` and "
    '`use: "sig"`. Keep it for as long as `Cache-Control` allows; fetch it again when a '
    "token names a `kid` that is not in it."
)


class JWKSViewSchema(OpenApiViewExtension):
    """``JWKSView``: GET answers the JWK Set (200), or 304 for a matching ``If-None-Match``."""

    target_class = "ferrojwt.jwks.JWKSView"
    match_subclasses = True
    priority = -1

    def view_replacement(self) -> Any:
        from drf_spectacular.utils import OpenApiParameter, extend_schema

        view = self.target

        class JWKSView(view):  # type: ignore[misc,valid-type]
            @extend_schema(
                operation_id="jwks_retrieve",
                summary="The public keys that verify this service's tokens (JWKS)",
                description=_JWKS_DESCRIPTION,
                parameters=[
                    OpenApiParameter(
                        "If-None-Match",
                        str,
                        OpenApiParameter.HEADER,
                        description="The ETag of a set already held: 304 when unchanged.",
                    )
                ],
                responses={
                    200: OpenApiResponse(
                        response=JWK_SET_SCHEMA,
                        description="The JWK Set, with `ETag` and `Cache-Control` headers.",
                    ),
                    304: OpenApiResponse(description="Not modified: the held set is current."),
                },
            )
            def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
                return super().get(request, *args, **kwargs)

        JWKSView.__module__ = view.__module__
        return JWKSView
