"""Type stub of the native module ``ferrojwt._core`` (Rust, PyO3).

Every function here raises the exceptions of :mod:`ferrojwt.jwt.exceptions`.
Times are seconds since the epoch; where a ``now`` is optional, its default is
``time.time()`` looked up and called at call time (so freezegun moves it).
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, Literal, TypedDict, final

from ferrojwt.jwt.keys import SigningKey, VerifyingKey

__all__ = [
    "ALGORITHMS",
    "ALGORITHM_UNSET",
    "MAX_TOKEN_BYTES",
    "AlgorithmUnset",
    "Decoder",
    "Encoder",
    "Key",
    "__version__",
    "build_profile",
    "check_token",
    "claim_time",
    "coerce_key",
    "decode",
    "decode_complete",
    "decode_token",
    "encode",
    "get_unverified_header",
    "header_token",
    "jws_decode_complete",
    "jws_encode",
    "legacy_arguments",
    "new_claims",
    "sign_claims",
    "signing_algorithm",
    "utc_now",
    "uuid4_hex",
]

__version__: Final[str]
#: "release" or "debug": benchmarks refuse to run on a debug build.
build_profile: Final[str]
#: The algorithms the core implements, in a stable order.
ALGORITHMS: Final[tuple[str, ...]]
#: Tokens longer than this many bytes are refused before any parsing.
MAX_TOKEN_BYTES: Final[int]

@final
class Key:
    """A parsed key, built once and reused for any number of calls.

    ``kty`` is the JWK key type: ``"oct"``, ``"RSA"``, ``"EC"`` or ``"OKP"``.
    """

    @property
    def kty(self) -> Literal["oct", "RSA", "EC", "OKP"]: ...
    @property
    def is_private(self) -> bool: ...
    @property
    def curve(self) -> str | None:
        """``"P-256"``, ``"P-384"``, ``"P-521"``, ``"Ed25519"`` or None."""
    @staticmethod
    def hmac(secret: str | bytes) -> Key:
        """An HMAC secret. PEM or SSH text, a DER key or a JWK is refused (InvalidKeyError)."""
    @staticmethod
    def from_pem(pem: str | bytes) -> Key:
        """RSA, EC or Ed25519: PKCS#1, SEC1, PKCS#8, SPKI or an X.509 certificate."""
    @staticmethod
    def from_ssh(line: str | bytes) -> Key:
        """An OpenSSH public key line: ``ssh-rsa``, ``ssh-ed25519`` or ``ecdsa-sha2-nistp*``."""
    @staticmethod
    def from_der(der: bytes) -> Key:
        """PKCS#8 private key or SPKI public key, DER-encoded."""
    @staticmethod
    def from_jwk(jwk: str | bytes | Mapping[str, Any]) -> Key:
        """A JWK (RFC 7517) of kty oct, RSA, EC or OKP (Ed25519)."""
    def public_key(self) -> Key:
        """The public half of an asymmetric key (itself when already public).

        An HMAC secret has none: InvalidKeyError.
        """
    def to_jwk(self) -> dict[str, Any]:
        """The public JWK of an asymmetric key. HMAC secrets are not exported."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

_KeyInput = Key | str | bytes

class DecodeOptions(TypedDict, total=False):
    verify_signature: bool
    verify_exp: bool
    verify_nbf: bool
    verify_iat: bool
    verify_aud: bool
    verify_iss: bool
    verify_sub: bool
    verify_jti: bool
    strict_aud: bool
    require: Sequence[str]
    enforce_minimum_key_length: bool

class Decoded(TypedDict):
    header: dict[str, Any]
    payload: dict[str, Any]
    signature: bytes

@final
class Encoder:
    """Signs payloads with one key, algorithm and header, all bound at construction.

    ``Encoder(key, algorithm).encode(payload)`` gives the same token as
    ``encode(payload, key, algorithm, headers, json_encoder, sort_headers)``: the key is
    resolved (and a short HMAC secret warned about, or refused) and the header written
    once, here; later changes to ``headers`` change nothing. A ``PyJWK`` without an
    ``algorithm`` signs with its own.
    """

    def __new__(
        cls,
        key: Any,
        algorithm: str | None = None,
        headers: Mapping[str, Any] | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
        sort_headers: bool = True,
        enforce_minimum_key_length: bool = False,
    ) -> Encoder: ...
    @property
    def algorithm(self) -> str: ...
    def encode(self, payload: dict[str, Any]) -> str: ...

@final
class Decoder:
    """Verifies tokens with one key, algorithms, options and claim policy, bound once.

    ``Decoder(key, algorithms, options, audience, issuer, subject, leeway).decode(jwt)``
    applies the rules of ``decode`` with those arguments, in the same order, with the
    same errors. The key is resolved once per allowed algorithm; the options are read
    once. ``now`` (seconds since the epoch, or an aware datetime) defaults to
    ``time.time()`` read at each call, so freezegun works. A ``PyJWK`` verifies with its
    own algorithm only.

    Key rotation: ``keys`` maps key ids to ``(key, algorithm)`` entries accepted besides
    ``key``, whose own id is ``kid``. Given either, a token's ``kid`` selects its key
    (with the entry's algorithm, never the token's choice) and an unknown ``kid`` is
    refused (InvalidTokenError) without trying any key; a token without ``kid`` is
    verified with ``key``. Without both, a token's ``kid`` is not looked at.
    """

    def __new__(
        cls,
        key: Any,
        algorithms: Sequence[str] | None = None,
        options: DecodeOptions | None = None,
        audience: str | Iterable[str] | None = None,
        issuer: str | Iterable[str] | None = None,
        subject: str | None = None,
        leeway: float | timedelta | None = None,
        *,
        kid: str | None = None,
        keys: Mapping[str, tuple[Any, str]] | None = None,
    ) -> Decoder: ...
    @property
    def algorithms(self) -> list[str]: ...
    def decode(self, jwt: str | bytes, now: float | datetime | None = None) -> dict[str, Any]: ...
    def decode_complete(self, jwt: str | bytes, now: float | datetime | None = None) -> Decoded: ...

def coerce_key(key: _KeyInput, algorithm: str) -> Key:
    """The cached :class:`Key` for ``key`` used with ``algorithm``.

    ``str``/``bytes`` are an HMAC secret for HS*, PEM, an OpenSSH public key
    or a JWK JSON text otherwise. Raises InvalidKeyError when the key's family does not match
    the algorithm, and InvalidAlgorithmError for an unknown algorithm.
    """

@final
class AlgorithmUnset:
    """The type of :data:`ALGORITHM_UNSET` (one instance; not constructible)."""

#: ``encode``'s default algorithm: HS256, or the algorithm of a ``PyJWK`` key.
ALGORITHM_UNSET: Final[AlgorithmUnset]

def encode(
    payload: dict[str, Any],
    key: SigningKey,
    algorithm: str | AlgorithmUnset | None = ...,
    headers: dict[str, Any] | None = None,
    json_encoder: type[json.JSONEncoder] | None = None,
    sort_headers: bool = True,
) -> str:
    """Sign ``payload`` as a compact JWS, byte-identical to PyJWT's ``jwt.encode``.

    ``algorithm`` defaults to HS256, or to the algorithm of a ``PyJWK`` key
    (also when None); a ``headers["alg"]`` wins over it. ``datetime`` values
    of ``exp``, ``iat`` and ``nbf`` become NumericDate integers; values the
    fast path cannot encode go through ``json_encoder``. An HMAC secret
    shorter than its hash's output warns (``InsecureKeyLengthWarning``).
    """

def sign_claims(
    payload: dict[str, Any],
    key: SigningKey,
    algorithm: str | AlgorithmUnset | None,
    headers: dict[str, Any] | None,
    json_encoder: type[json.JSONEncoder] | None,
    sort_headers: bool,
    enforce_minimum_key_length: bool,
) -> str:
    """:func:`encode` with PyJWT's ``enforce_minimum_key_length`` option: a
    short HMAC secret raises ``InvalidKeyError`` instead of warning."""

def signing_algorithm(algorithm: str | AlgorithmUnset | None, key: object) -> str | None:
    """The algorithm ``encode`` signs with for these arguments (before ``headers["alg"]``)."""

def legacy_arguments(
    function: str,
    jwt: str | bytes,
    options: Mapping[str, Any] | None,
    verify: bool | None,
    detached_payload: bytes | None,
    kwargs: Mapping[str, Any] | None,
    stacklevel: int,
) -> None:
    """PyJWT's answers to its compatibility arguments: unknown ``kwargs`` warn
    (``RemovedInPyjwt3Warning``), a ``verify`` contradicting ``verify_signature``
    warns (``DeprecationWarning``), ``detached_payload`` is refused (DecodeError).
    ``stacklevel`` as ``warnings.warn``'s, 1 being the caller of this function."""

def jws_encode(
    payload: bytes,
    key: _KeyInput,
    algorithm: str | None,
    headers: dict[str, Any] | None,
    json_encoder: type[json.JSONEncoder] | None,
    sort_headers: bool,
    enforce_minimum_key_length: bool,
) -> str:
    """Sign ``payload`` bytes as they are (the JWS layer: no JSON, no claims)."""

class JwsDecoded(TypedDict):
    header: dict[str, Any]
    payload: bytes
    signature: bytes

def jws_decode_complete(
    jwt: str | bytes,
    key: _KeyInput | None,
    algorithms: Iterable[str] | None,
    verify: bool,
    enforce_minimum_key_length: bool,
) -> JwsDecoded:
    """Check the header and (when ``verify``) the signature; the payload stays bytes."""

def decode_complete(
    jwt: str | bytes,
    key: VerifyingKey | None = "",
    algorithms: Sequence[str] | None = None,
    options: DecodeOptions | Mapping[str, Any] | None = None,
    verify: bool | None = None,
    detached_payload: bytes | None = None,
    audience: str | Iterable[str] | None = None,
    issuer: str | Iterable[str] | None = None,
    subject: str | None = None,
    leeway: float | timedelta = 0,
    *,
    now: float | datetime | None = None,
    **kwargs: Any,
) -> Decoded:
    """Verify ``jwt`` and return ``{"header": ..., "payload": ..., "signature": ...}``:
    PyJWT's ``jwt.decode_complete``, signature first, then the claims, in PyJWT's order.

    ``algorithms`` is required when the signature is verified (a ``PyJWK``
    brings its own). ``now`` (seconds since the epoch, or an aware datetime)
    defaults to ``time.time()`` read at call time. ``verify`` (PyJWT 1's
    switch) does nothing and warns when it contradicts
    ``options["verify_signature"]``; other keyword arguments warn with
    ``RemovedInPyjwt3Warning`` and are ignored, as in PyJWT.
    """

def decode(
    jwt: str | bytes,
    key: VerifyingKey | None = "",
    algorithms: Sequence[str] | None = None,
    options: DecodeOptions | Mapping[str, Any] | None = None,
    verify: bool | None = None,
    detached_payload: bytes | None = None,
    audience: str | Iterable[str] | None = None,
    subject: str | None = None,
    issuer: str | Iterable[str] | None = None,
    leeway: float | timedelta = 0,
    *,
    now: float | datetime | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """As :func:`decode_complete`, returning the claims only: PyJWT's
    ``jwt.decode`` (``subject`` before ``issuer`` here, after it there). The
    header is checked without being turned into Python objects."""

def get_unverified_header(jwt: str | bytes) -> dict[str, Any]:
    """The header of ``jwt`` without any verification. Never trust it for the algorithm."""

# -- the standard claims of ferrojwt.tokens (simplejwt's token classes) ----------

def utc_now(aware: object) -> datetime | None:
    """``datetime.now(timezone.utc)`` from the OS clock (naive, in UTC, unless ``aware`` is
    true); None while something moves time (``time.time`` replaced, as freezegun and mocks
    do, or a ``time_machine.travel`` active), for the caller to read the clock through
    Python's datetime."""

def claim_time(when: datetime, lifetime: Any = None) -> int:
    """``datetime_to_epoch(when + lifetime)`` (of ``when`` without a lifetime): whole
    seconds since the epoch, a naive ``when`` being UTC. The sum is Python's, so an
    out-of-range result raises OverflowError as in simplejwt."""

def header_token(header: bytes, types: frozenset[bytes]) -> bytes | None:
    """The token of a ``<type> <token>`` header (split as ``header.split()`` does) whose
    type is one of ``types``; None for an empty header, one that is not bytes, or one of
    another type. Raises ValueError for one of ``types`` that is not exactly two words."""

def uuid4_hex() -> str:
    """``uuid4().hex``: a random version-4 UUID as 32 hex digits, from the OS generator
    (fork-safe: see src/token_id.rs)."""

def new_claims(
    type_claim: str, token_type: str, now: datetime, lifetime: Any, jti_claim: str
) -> dict[str, Any]:
    """A new token's ``{type_claim: token_type, "exp", "iat", jti_claim}`` (in that order)."""

def check_token(
    payload: dict[str, Any],
    *,
    exp: str | None = None,
    now: datetime | None = None,
    leeway: float = 0.0,
    jti: str | None = None,
    type_claim: str | None = None,
    token_type: object = None,
) -> int:
    """The checks of ``Token.verify()``, each run when its argument is given: ``exp``
    present, a number and after ``now - leeway``; ``jti`` present; ``type_claim`` present
    and equal to ``token_type``. 0 when they pass, else the code of the first failure:
    1 no time claim, 2 a time claim that is not a number, 3 expired, 4 no id, 5 no type,
    6 wrong type."""

def decode_token(
    decoder: Decoder,
    jwt: str | bytes,
    now: datetime,
    jti: str | None,
    type_claim: str | None,
    token_type: object,
) -> dict[str, Any] | int:
    """``decoder.decode(jwt)``, then :func:`check_token` with ``exp="exp"`` against
    ``now`` and the decoder's leeway: the payload if the checks pass, else the code of
    the first that failed. Decoding failures raise."""
