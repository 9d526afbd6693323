"""``JWKSView``: the public keys that verify this service's tokens, as a JWK Set.

Route it at ``/.well-known/jwks.json``; any JWKS client (PyJWT's ``PyJWKClient``, a jose
library, an API gateway) then verifies the tokens by their ``kid``. The set is the token
backend's :meth:`~ferrojwt.backends.TokenBackend.public_jwks`: the current key and the
asymmetric ``VERIFYING_KEYS``, never an HMAC secret nor a private member.

The answer carries ``Cache-Control: public, max-age=...`` and a strong ``ETag`` (a digest of
the document, so it changes with the key set); ``If-None-Match`` with that tag is a 304.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.http import HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from .state import get_token_backend

__all__ = ["JWKSView"]

#: The media type RFC 7517 registers for a JWK Set.
JWK_SET_MEDIA_TYPE = "application/jwk-set+json"


class _AnyClient(BaseContentNegotiation):
    """The one representation, whatever ``Accept`` says (a JWKS client may ask for
    ``application/jwk-set+json``, ``application/json`` or nothing)."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return None

    def select_renderer(
        self, request: Request, renderers: Any, format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = renderers[0]
        return renderer, renderer.media_type


def _rendered(jwks: dict[str, Any]) -> tuple[bytes, str]:
    body = json.dumps(jwks, separators=(",", ":"), sort_keys=True).encode()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class JWKSView(APIView):
    """GET: the JSON Web Key Set of the public keys that verify this service's tokens.

    Public (no authentication, no permission). ``max_age`` (seconds, default 300) is how
    long clients and caches may keep the set: publish a new key at least that long before
    signing with it. ``content_type`` is ``application/json`` (what most clients expect);
    set it to ``application/jwk-set+json`` (RFC 7517's type) on a subclass or in
    ``as_view()`` to send that.
    """

    authentication_classes = ()
    permission_classes = ()
    renderer_classes = (JSONRenderer,)
    content_negotiation_class = _AnyClient
    http_method_names = ["get", "head", "options"]

    max_age = 300
    content_type = "application/json"

    # The last document served and its rendering: a backend returns the same dict until
    # its keys change (and a settings change builds a new backend).
    _last: tuple[dict[str, Any], bytes, str] | None = None

    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        jwks = get_token_backend().public_jwks()
        last = JWKSView._last
        if last is not None and last[0] is jwks:
            body, etag = last[1], last[2]
        else:
            body, etag = _rendered(jwks)
            JWKSView._last = (jwks, body, etag)
        response = HttpResponse(body, content_type=self.content_type)
        response["ETag"] = etag
        patch_cache_control(response, public=True, max_age=self.max_age)
        # If-None-Match naming this tag: 304, with the same ETag and Cache-Control.
        return get_conditional_response(request, etag=etag, response=response) or response
