"""``PyJWKClient``: signing keys from a JWKS endpoint (standard library only).

The key set is fetched with :mod:`urllib.request`, cached for ``lifespan``
seconds, and searched by ``kid``. An unknown ``kid`` refetches the set once
before giving up; a ``cooldown_duration`` (PyJWT 2.12+, off by default here)
limits those refetches to one per that many seconds.
"""

from __future__ import annotations

import http.client
import json
import math
import threading
import time
import urllib.request
from functools import lru_cache
from ssl import SSLContext
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlparse

from .api import decode_complete
from .exceptions import PyJWKClientConnectionError, PyJWKClientError
from .jwk import PyJWK, PyJWKSet

__all__ = ["PyJWKClient"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A JWKS endpoint that redirects is refused, not followed."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


class PyJWKClient:
    """Signing keys of a JWKS endpoint (``http`` or ``https`` only)."""

    def __init__(
        self,
        uri: str,
        cache_keys: bool = False,
        max_cached_keys: int = 16,
        cache_jwk_set: bool = True,
        lifespan: float = 300,
        headers: dict[str, Any] | None = None,
        timeout: float = 30,
        ssl_context: SSLContext | None = None,
        cooldown_duration: float = 0,
    ) -> None:
        scheme = urlparse(uri).scheme.lower()
        if scheme not in ("http", "https"):
            raise PyJWKClientError(
                f"Invalid JWKS URI scheme {scheme!r}: only 'http' and 'https' are supported."
            )
        if cache_jwk_set and lifespan <= 0:
            raise PyJWKClientError(f'Lifespan must be greater than 0, the input is "{lifespan}"')
        if not (math.isfinite(cooldown_duration) and cooldown_duration >= 0):
            raise PyJWKClientError(
                "Cooldown duration must be a finite number >= 0, "
                f'the input is "{cooldown_duration}"'
            )
        self.uri = uri
        self.headers: dict[str, Any] = dict(headers or {})
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.cache_jwk_set = cache_jwk_set
        self.lifespan = lifespan
        self.cooldown_duration = cooldown_duration
        self._cached: PyJWKSet | None = None
        self._cached_at = 0.0
        self._last_fetch: float | None = None
        self._lock = threading.RLock()
        if cache_keys:
            cached = lru_cache(maxsize=max_cached_keys)(self.get_signing_key)
            self.get_signing_key = cached  # type: ignore[method-assign]

    def fetch_data(self) -> Any:
        """GET the endpoint and return its parsed JSON (a JSON object)."""
        request = urllib.request.Request(url=self.uri, headers=self.headers)
        handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
        if self.ssl_context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=self.ssl_context))
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                data = json.load(response)
        except (OSError, http.client.HTTPException) as error:  # URLError, timeouts
            if isinstance(error, HTTPError):
                error.close()
            raise PyJWKClientConnectionError(
                f'Fail to fetch data from the url, err: "{error}"'
            ) from error
        except ValueError as error:
            raise PyJWKClientError(f"The JWKS endpoint did not return JSON: {error}") from error
        if not isinstance(data, dict):
            raise PyJWKClientError("The JWKS endpoint did not return a JSON object")
        return data

    def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        """The key set: from the cache while it is fresh, else fetched."""
        with self._lock:
            if self.cache_jwk_set and not refresh and self._cached is not None:
                if time.monotonic() - self._cached_at <= self.lifespan:
                    return self._cached
            data = self.fetch_data()
            if not isinstance(data, dict):
                raise PyJWKClientError("The JWKS endpoint did not return a JSON object")
            jwk_set = PyJWKSet.from_dict(data)
            self._last_fetch = time.monotonic()
            if self.cache_jwk_set:
                self._cached, self._cached_at = jwk_set, self._last_fetch
            return jwk_set

    def get_signing_keys(self, refresh: bool = False) -> list[PyJWK]:
        """The keys meant for signatures (``use`` "sig" or absent) that have a ``kid``."""
        keys = [
            jwk
            for jwk in self.get_jwk_set(refresh)
            if jwk.public_key_use in ("sig", None) and jwk.key_id
        ]
        if not keys:
            raise PyJWKClientError("The JWKS endpoint did not contain any signing keys")
        return keys

    def get_signing_key(self, kid: str) -> PyJWK:
        """The signing key whose ``kid`` is ``kid``, refetching the set once if unknown."""
        with self._lock:
            found = self.match_kid(self.get_signing_keys(), kid)
            if found is None and not self._cooling_down():
                found = self.match_kid(self.get_signing_keys(refresh=True), kid)
            if found is None:
                raise PyJWKClientError(f'Unable to find a signing key that matches: "{kid}"')
            return found

    def get_signing_key_from_jwt(self, token: str | bytes) -> PyJWK:
        """The signing key named by the (unverified) ``kid`` header of ``token``.

        The whole token must be well formed (header and payload) before any key
        is fetched for it, as in PyJWT.
        """
        unverified = decode_complete(token, options={"verify_signature": False})
        # A token without kid looks up None, and fails naming it, as in PyJWT.
        return self.get_signing_key(unverified["header"].get("kid"))  # type: ignore[arg-type]

    @staticmethod
    def match_kid(signing_keys: list[PyJWK], kid: str) -> PyJWK | None:
        for jwk in signing_keys:
            if jwk.key_id == kid:
                return jwk
        return None

    def _cooling_down(self) -> bool:
        """True when a cached set was fetched less than ``cooldown_duration`` ago."""
        return (
            self.cache_jwk_set
            and self._last_fetch is not None
            and time.monotonic() - self._last_fetch < self.cooldown_duration
        )
