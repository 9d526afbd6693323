"""``TokenBackend``: simplejwt's signing and verifying front, over ferrojwt's native core."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from . import _core
from ._core import Decoder, Encoder
from .exceptions import TokenBackendError, TokenBackendExpiredToken
from .jwt import PyJWKClient
from .jwt.exceptions import (
    ExpiredSignatureError,
    InvalidAlgorithmError,
    InvalidTokenError,
    PyJWTError,
)
from .key_rotation import (
    VerifyingKey,
    checked_key_id,
    checked_verifying_keys,
    public_jwk,
)
from .utils import epoch_seconds, format_lazy

if TYPE_CHECKING:
    from ._core import DecodeOptions

__all__ = ["ALLOWED_ALGORITHMS", "JWK_CLIENT_AVAILABLE", "TokenBackend"]

JWK_CLIENT_AVAILABLE = True

#: simplejwt's accepted algorithm names that the native core implements.
ALLOWED_ALGORITHMS: frozenset[str] = frozenset(
    {
        "HS256",
        "HS384",
        "HS512",
        "RS256",
        "RS384",
        "RS512",
        "ES256",
        "ES384",
        "ES512",
        "PS256",
        "PS384",
        "PS512",
        "EdDSA",
    }
).intersection(_core.ALGORITHMS)


def _str_or_list(value: Any) -> Any:
    if value is None or isinstance(value, (str, list)):
        return value
    return list(value)


class _Unparsed:
    """The mark of a key not parsed yet: a class, so that a copied or pickled backend
    (``copy.deepcopy``, Django's ``setUpTestData``) still holds this very object."""


_UNPARSED: Any = _Unparsed


class _ParsedKey:
    """``prepared_signing_key`` and ``prepared_verifying_key``: the key parsed on first use
    and kept, as simplejwt's ``cached_property`` does (assigning replaces it, deleting it has
    it parsed again: ``del backend.prepared_signing_key``), but kept in an ordinary
    attribute (``_prepared_signing_key``). A ``cached_property`` writes through the
    instance ``__dict__``, and from then on CPython looks up every attribute of that
    backend without its specialised path: about 25 ns each instead of 10 (3.11 and 3.12).
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.attribute = "_" + name

    def __get__(self, backend: TokenBackend | None, owner: type | None = None) -> Any:
        if backend is None:
            return self
        key = getattr(backend, self.attribute)
        if key is _UNPARSED:
            key = backend._prepare_key(getattr(backend, self.source))
            setattr(backend, self.attribute, key)
        return key

    def __set__(self, backend: TokenBackend, key: Any) -> None:
        setattr(backend, self.attribute, key)

    def __delete__(self, backend: TokenBackend) -> None:
        if getattr(backend, self.attribute) is _UNPARSED:
            raise AttributeError(self.name)
        setattr(backend, self.attribute, _UNPARSED)


class TokenBackend:
    """Encodes and decodes tokens with one algorithm, key set and claim policy.

    Keys are parsed once (lazily) and reused; build one backend per configuration
    (:func:`ferrojwt.state.get_token_backend` does), not one per token. Tokens are
    signed and verified by a prepared :class:`ferrojwt.jwt.Encoder` and
    :class:`ferrojwt.jwt.Decoder` built on first use. As in simplejwt, ``algorithm``,
    ``audience``, ``issuer``, ``leeway`` and ``json_encoder`` may be set on a backend at
    any time and apply from its next use: setting one drops the prepared objects.
    A subclass that overrides :meth:`get_verifying_key` or :meth:`get_leeway`, or a
    backend with a JWKS client, has them called for every token instead.

    Key rotation (ferrojwt's): ``signing_key_id`` is written as ``kid`` in the header of
    every token signed, and ``verifying_keys`` (``{"kid", "algorithm", "key"}`` entries)
    are accepted besides the current key. A token's ``kid`` selects its key, verified with
    that entry's algorithm; an unknown ``kid`` is refused; a token without one is verified
    with the current key. The entries are checked, and their keys parsed, here.
    """

    def __init__(
        self,
        algorithm: str,
        signing_key: str | bytes | None = None,
        verifying_key: str | bytes = "",
        audience: str | Iterable[str] | None = None,
        issuer: str | None = None,
        jwk_url: str | None = None,
        leeway: float | int | timedelta | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
        signing_key_id: str | None = None,
        verifying_keys: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self._validate_algorithm(algorithm)
        self._prepared_signing_key = self._prepared_verifying_key = _UNPARSED
        self.algorithm = algorithm  # its setter sets _encoder, _decoders, _jwks
        self.signing_key = signing_key
        self.verifying_key = verifying_key
        self.audience = audience
        self.issuer = issuer
        self.jwks_client: PyJWKClient | None = PyJWKClient(jwk_url) if jwk_url else None
        self.leeway = leeway
        self.json_encoder = json_encoder
        self.signing_key_id = signing_key_id
        self.verifying_keys = verifying_keys
        if self.verifying_keys and self.jwks_client is not None:
            raise ImproperlyConfigured(
                "VERIFYING_KEYS cannot be combined with JWK_URL: with JWK_URL, the keys that "
                "verify tokens are those of that key set."
            )

    # -- settable attributes, and the native objects derived from them -----------

    # Instance attributes only, set by __init__ (through _unprepare): on CPython 3.12 and later
    # an instance attribute that shadows a class-level default is read without the
    # specialised path (about 24 ns instead of 11).
    _encoder: Encoder | None
    _decoders: dict[bool, Decoder] | None
    _jwks: dict[str, Any] | None
    _prepared_signing_key: Any
    _prepared_verifying_key: Any

    def _unprepare(self) -> None:
        self._encoder = None
        self._decoders = None
        self._jwks = None

    @property
    def algorithm(self) -> str:
        return self._algorithm

    @algorithm.setter
    def algorithm(self, value: str) -> None:
        self._algorithm = value
        self._algorithms = [value]
        self._unprepare()

    @property
    def audience(self) -> str | Iterable[str] | None:
        return self._audience_setting

    @audience.setter
    def audience(self, value: str | Iterable[str] | None) -> None:
        self._audience_setting = value
        # PyJWT's decode accepts any iterable audience; the core takes a str or a list.
        self._audience = _str_or_list(value)
        self._options: dict[bool, DecodeOptions] = {
            True: {"verify_aud": value is not None, "verify_signature": True},
            False: {"verify_aud": value is not None, "verify_signature": False},
        }
        self._unprepare()

    @property
    def issuer(self) -> str | None:
        return self._issuer_setting

    @issuer.setter
    def issuer(self, value: str | None) -> None:
        self._issuer_setting = value
        self._issuer = _str_or_list(value)
        self._unprepare()

    @property
    def leeway(self) -> float | int | timedelta | None:
        return self._leeway

    @leeway.setter
    def leeway(self, value: float | int | timedelta | None) -> None:
        self._leeway = value
        self._leeway_seconds: float | None = None  # converted (and checked) on use
        self._unprepare()

    @property
    def signing_key_id(self) -> str | None:
        """The ``kid`` written in the header of every token signed (None: no ``kid``)."""
        return self._signing_key_id

    @signing_key_id.setter
    def signing_key_id(self, value: str | None) -> None:
        kid = checked_key_id(value)
        if kid is not None and any(e.kid == kid for e in getattr(self, "_verifying_keys", ())):
            raise ImproperlyConfigured(f"SIGNING_KEY_ID {kid!r} is also a VERIFYING_KEYS kid.")
        self._signing_key_id = kid
        self._unprepare()

    @property
    def verifying_keys(self) -> tuple[VerifyingKey, ...]:
        """The keys accepted besides the current one, by ``kid`` (checked and parsed)."""
        return self._verifying_keys

    @verifying_keys.setter
    def verifying_keys(self, value: Sequence[Mapping[str, Any]]) -> None:
        self._verifying_keys = checked_verifying_keys(
            value, self.signing_key_id, ALLOWED_ALGORITHMS
        )
        self._unprepare()

    @property
    def json_encoder(self) -> type[json.JSONEncoder] | None:
        return self._json_encoder

    @json_encoder.setter
    def json_encoder(self, value: type[json.JSONEncoder] | None) -> None:
        self._json_encoder = value
        self._unprepare()

    # -- keys ----------------------------------------------------------------

    prepared_signing_key: Any = _ParsedKey("signing_key")
    prepared_verifying_key: Any = _ParsedKey("verifying_key")

    def _prepare_key(self, key: Any) -> Any:
        # Parsed once per backend by the native core (None stays None, as in simplejwt).
        if key is None:
            return None
        return _core.coerce_key(key, self.algorithm)

    def _validate_algorithm(self, algorithm: str) -> None:
        if algorithm not in ALLOWED_ALGORITHMS:
            raise TokenBackendError(format_lazy(_("Unrecognized algorithm type '{}'"), algorithm))

    def get_leeway(self) -> timedelta:
        leeway = self.leeway
        if leeway is None:
            return timedelta(seconds=0)
        if isinstance(leeway, timedelta):
            return leeway
        if isinstance(leeway, (int, float)):
            return timedelta(seconds=leeway)
        raise TokenBackendError(
            format_lazy(
                _("Unrecognized type '{}', 'leeway' must be of type int, float or timedelta."),
                type(leeway),
            )
        )

    def _leeway_total_seconds(self) -> float:
        """:meth:`get_leeway` in seconds, converted once per value of ``leeway``.

        A subclass that overrides :meth:`get_leeway` has it called every time.
        """
        seconds = self._leeway_seconds
        if seconds is None or type(self).get_leeway is not TokenBackend.get_leeway:
            seconds = self._leeway_seconds = self.get_leeway().total_seconds()
        return seconds

    def get_verifying_key(self, token: Any) -> Any:
        if self.algorithm.startswith("HS"):
            return self.prepared_signing_key
        if self.jwks_client is not None:
            try:
                return self.jwks_client.get_signing_key_from_jwt(token).key
            except PyJWTError as e:
                # No key for the token's kid, an unreadable key set or endpoint: the
                # token cannot be verified, which is a refusal, never a server error.
                raise TokenBackendError(_("Token is invalid")) from e
        return self.prepared_verifying_key

    def _rotation(self) -> dict[str, Any]:
        """The Decoder arguments that select a token's key by its ``kid`` (none without
        rotation: a token's ``kid`` is then not looked at, as in simplejwt)."""
        if self.signing_key_id is None and not self.verifying_keys:
            return {}
        return {
            "kid": self.signing_key_id,
            "keys": {entry.kid: (entry.key, entry.algorithm) for entry in self.verifying_keys},
        }

    def public_jwks(self) -> dict[str, Any]:
        """The public keys that verify this backend's tokens as a JWK Set (RFC 7517).

        The current key (``VERIFYING_KEY``, else the public half of ``SIGNING_KEY``) with
        ``kid`` ``SIGNING_KEY_ID`` when set, then each asymmetric ``VERIFYING_KEYS`` entry,
        each with ``alg`` and ``use: "sig"``. HMAC secrets are never in it: with an HS
        algorithm and no asymmetric entry the set is empty. The same dict is returned until
        the keys change (:class:`ferrojwt.views.JWKSView` caches its rendering by it): copy
        it before changing it.
        """
        jwks = self._jwks
        if jwks is None:
            keys: list[dict[str, Any]] = []
            if not self.algorithm.startswith("HS"):
                if self.verifying_key:
                    current = self.prepared_verifying_key
                elif self.signing_key:
                    current = self.prepared_signing_key
                else:
                    current = None
                jwk = (
                    None
                    if current is None
                    else public_jwk(current, self.algorithm, self.signing_key_id)
                )
                if jwk is not None:
                    keys.append(jwk)
            for entry in self.verifying_keys:
                jwk = public_jwk(entry.key, entry.algorithm, entry.kid)
                if jwk is not None:
                    keys.append(jwk)
            jwks = self._jwks = {"keys": keys}
        return jwks

    def _prepared_decoders(self) -> dict[bool, Decoder] | None:
        """The prepared decoders (by ``verify``), or None where the key or leeway must be
        asked per token: a subclass's own ``get_verifying_key``/``get_leeway``, or JWKS."""
        cls = type(self)
        if (
            cls.get_verifying_key is not _GET_VERIFYING_KEY
            or cls.get_leeway is not _GET_LEEWAY
            or self.jwks_client is not None
        ):
            return None
        decoders = self._decoders
        if decoders is None:
            key = (
                self.prepared_signing_key
                if self.algorithm.startswith("HS")
                else (self.prepared_verifying_key)
            )
            leeway = self._leeway_total_seconds()
            rotation = self._rotation()
            decoders = {
                flag: Decoder(
                    key,
                    self._algorithms,
                    self._options[flag],
                    self._audience,
                    self._issuer,
                    None,
                    leeway,
                    **rotation,
                )
                for flag in (True, False)
            }
            self._decoders = decoders
        return decoders

    # -- tokens --------------------------------------------------------------

    def encode(self, payload: dict[str, Any]) -> str:
        """Sign ``payload`` (plus ``aud``/``iss`` when configured) into a compact JWT."""
        encoder = self._encoder
        audience, issuer = self._audience_setting, self._issuer_setting
        if audience is None and issuer is None:
            # Nothing to add: the native encoder reads the dict and never changes it.
            claims = payload
        else:
            claims = dict(payload)
            if audience is not None:
                claims["aud"] = audience
            if issuer is not None:
                claims["iss"] = issuer
        if encoder is None:
            headers = None if self.signing_key_id is None else {"kid": self.signing_key_id}
            encoder = self._encoder = Encoder(
                self.prepared_signing_key, self.algorithm, headers, self.json_encoder
            )
        return encoder.encode(claims)

    def decode(
        self, token: Any, verify: bool = True, *, now: datetime | float | None = None
    ) -> dict[str, Any]:
        """Verify ``token`` and return its claims.

        Raises :class:`TokenBackendExpiredToken` when it has expired and
        :class:`TokenBackendError` for any other reason it is refused. Time claims
        are checked against ``now`` (a datetime, or seconds since the epoch), by
        default the real clock read at call time, as PyJWT does for simplejwt
        (freezegun moves it; patching ``ferrojwt.tokens.aware_utcnow`` does not: that
        clock drives the claims tokens write and :meth:`Token.check_exp`).
        """
        if now is None:
            when = time.time()
        elif isinstance(now, datetime):
            when = epoch_seconds(now)
        else:
            when = float(now)
        try:
            decoders = self._prepared_decoders()
            if decoders is not None:
                return decoders[True if verify else False].decode(token, when)
            rotation = {} if self.jwks_client is not None else self._rotation()
            if rotation:
                # A subclass's own key or leeway, asked for this token; the rotation keys
                # still select by kid.
                return Decoder(
                    self.get_verifying_key(token),
                    self._algorithms,
                    self._options[True if verify else False],
                    self._audience,
                    self._issuer,
                    None,
                    self._leeway_total_seconds(),
                    **rotation,
                ).decode(token, when)
            return _core.decode(
                token,
                self.get_verifying_key(token),
                self._algorithms,
                self._options[True if verify else False],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway_total_seconds(),
                now=when,
            )
        except InvalidTokenError as e:
            raise _backend_error(e) from e

    def decode_token(
        self, token: Any, now: datetime, jti_claim: Any, type_claim: Any, token_type: Any
    ) -> dict[str, Any] | int:
        """:meth:`decode`, then the checks of ``Token.verify()`` (``_core.check_token``:
        ``exp`` against ``now``, ``jti_claim`` present, ``type_claim`` equal to
        ``token_type`` unless that is None): the payload, or the failed check's code.

        One native call with the prepared decoder; a subclass's own :meth:`decode`, key
        or leeway, or a JWKS client, has :meth:`decode` called and the checks after it.
        """
        decoders = self._prepared_decoders() if type(self).decode is _DECODE else None
        if decoders is not None:
            try:
                return _core.decode_token(
                    decoders[True], token, now, jti_claim, type_claim, token_type
                )
            except InvalidTokenError as e:
                raise _backend_error(e) from e
        payload = self.decode(token)
        code = _core.check_token(
            payload,
            exp="exp",
            now=now,
            leeway=self._leeway_total_seconds(),
            jti=jti_claim,
            type_claim=type_claim,
            token_type=token_type,
        )
        return code or payload


def _backend_error(e: InvalidTokenError) -> TokenBackendError:
    """The TokenBackendError of a refused token (an unknown kid is an InvalidTokenError)."""
    if isinstance(e, InvalidAlgorithmError):
        return TokenBackendError(_("Invalid algorithm specified"))
    if isinstance(e, ExpiredSignatureError):
        return TokenBackendExpiredToken(_("Token is expired"))
    return TokenBackendError(_("Token is invalid"))


#: TokenBackend's own methods: while a backend's class has these, its prepared objects serve.
_DECODE, _GET_LEEWAY = TokenBackend.decode, TokenBackend.get_leeway
_GET_VERIFYING_KEY = TokenBackend.get_verifying_key
