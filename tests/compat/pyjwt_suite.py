"""Run PyJWT's own tests against ``ferrojwt.jwt``, with PyJWT itself as the control.

    python tests/compat/pyjwt_suite.py        (or: make compat)

1. ``pip download`` the sdist of PyJWT ``PYJWT_VERSION`` from PyPI and unpack it
   into a temporary directory (nothing of PyJWT is kept in this repository);
2. put ``pyjwt_shim.py`` next to its tests, as the plugin ``ferrojwt_pyjwt_shim``;
3. run the selected tests twice with the sdist's own pytest configuration:
   once on the sdist's ``jwt`` package (the control), once with ``jwt``
   resolving to ``ferrojwt.jwt``;
4. fail unless every test that passes on PyJWT passes on ferrojwt, apart from
   the documented deliberate differences below (each must still be a
   difference: an entry that passes on ferrojwt, or fails on PyJWT, is an
   error, so the list cannot go stale).

The selection is the public API of PyJWT's ``docs/api.rst``: ``encode``,
``decode``, ``decode_complete``, ``get_unverified_header``, ``PyJWT``,
``PyJWS``, ``PyJWK``, ``PyJWKSet``, ``PyJWKClient``, the exceptions and the
warnings. What tests PyJWT's internals is excluded, by file or by test, each
with its reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PYJWT_VERSION = "2.15.1"
HERE = Path(__file__).resolve().parent

# Files of PyJWT's tests that are run.
FILES = [
    "tests/test_api_jwk.py",
    "tests/test_api_jws.py",
    "tests/test_api_jwt.py",
    "tests/test_exceptions.py",
    "tests/test_jwks_client.py",
    "tests/test_jwt.py",
]

# Files left out entirely, and why.
EXCLUDED_FILES = {
    "tests/test_algorithms.py": (
        "PyJWT's algorithm classes (jwt.algorithms: HMACAlgorithm, RSAAlgorithm, prepare_key, "
        "to_jwk/from_jwk ...), its cryptography plug-in layer; ferrojwt's algorithms are Rust"
    ),
    "tests/test_utils.py": "jwt.utils helpers (force_bytes, to_base64url_uint, is_ssh_key)",
    "tests/test_compressed_jwt.py": "subclasses PyJWT to override the private _decode_payload",
    "tests/test_advisory.py": (
        "builds its algorithm list from jwt.algorithms.get_default_algorithms (PyJWT's "
        "registry, with none and ES256K); the same advisories (a PEM or SSH public key used "
        "as an HMAC secret) are tests/jwt/test_jwt_hostile.py and test_jwt_ssh_keys.py"
    ),
}

_JWK = "tests/test_api_jwk.py::"
_JWS = "tests/test_api_jws.py::TestJWS::"
_JWT = "tests/test_api_jwt.py::TestJWT::"
_CLIENT = "tests/test_jwks_client.py::TestPyJWKClient::"

# Tests of the selected files that use a PyJWT internal (deselected in both runs).
_ALGORITHM_OBJECTS = (
    "builds its keys with jwt.algorithms' RSAAlgorithm/ECAlgorithm (from_jwk, to_jwk)"
)
_ALGORITHM_PROPERTY = (
    "asserts PyJWK.Algorithm is a jwt.algorithms class (RSAAlgorithm, ECAlgorithm, ...): "
    "PyJWT's algorithm objects, which ferrojwt does not have"
)
_JSON_MOCK = "patches the json.loads that PyJWT's api_jwt module calls"
_CACHE = "uses PyJWKClient.jwk_set_cache, PyJWT's JWKSetCache object"
INTERNALS: dict[str, str] = {
    _JWK + "TestPyJWK::test_should_load_key_from_jwk_data_dict": _ALGORITHM_OBJECTS,
    _JWK + "TestPyJWK::test_should_load_key_from_jwk_data_json_string": _ALGORITHM_OBJECTS,
    _JWK + "TestPyJWKSet::test_keyset_iterator": _ALGORITHM_OBJECTS,
    _JWK + "TestPyJWKSet::test_keyset_should_index_by_kid": _ALGORITHM_OBJECTS,
    _JWK + "TestPyJWKSet::test_keyset_skips_members_that_are_not_objects": _ALGORITHM_OBJECTS,
    _JWK + "TestPyJWKSet::test_should_load_keys_from_jwk_data_dict": _ALGORITHM_OBJECTS,
    _JWK + "TestPyJWKSet::test_should_load_keys_from_jwk_data_json_string": _ALGORITHM_OBJECTS,
    _JWK + "TestPyJWK::test_should_load_key_ec_p256_from_dict": _ALGORITHM_PROPERTY,
    _JWK + "TestPyJWK::test_should_load_key_ec_p384_from_dict": _ALGORITHM_PROPERTY,
    _JWK + "TestPyJWK::test_should_load_key_ec_p521_from_dict": _ALGORITHM_PROPERTY,
    _JWK + "TestPyJWK::test_should_load_key_ec_secp256k1_from_dict": _ALGORITHM_PROPERTY,
    _JWK + "TestPyJWK::test_should_load_key_from_dict_with_algorithm": _ALGORITHM_PROPERTY,
    _JWK + "TestPyJWK::test_should_load_key_hmac_from_dict": _ALGORITHM_PROPERTY,
    _JWK + "TestPyJWK::test_should_load_key_hmac_without_alg_from_dict": _ALGORITHM_PROPERTY,
    _JWK + "TestPyJWK::test_should_load_key_okp_without_alg_from_dict": _ALGORITHM_PROPERTY,
    _JWK + "TestPyJWK::test_should_load_key_without_alg_from_dict": _ALGORITHM_PROPERTY,
    _JWS + "test_register_algo_does_not_allow_duplicate_registration": (
        "registers jwt.algorithms.NoneAlgorithm"
    ),
    **{
        _JWS + f"test_encode_decode_ecdsa_related_algorithms[{alg}-jwk_ec_key_{curve}.json-"
        f"jwk_ec_pub_{curve}.json]": "builds its keys with jwt.algorithms.ECAlgorithm.from_jwk"
        for alg, curve in [
            ("ES256", "P-256"),
            ("ES256K", "secp256k1"),
            ("ES384", "P-384"),
            ("ES512", "P-521"),
        ]
    },
    **{
        _JWS + f"test_decode_accepts_canonical_base64url_padding[{case}]": (
            "calls the private PyJWS._decode_base64url_segment"
        )
        for case in ["Zg-f", "Zg==-f", "Zm8=-fo"]
    },
    **{
        _JWS + f"test_decode_rejects_invalid_base64url_padding[{case}]": (
            "calls the private PyJWS._decode_base64url_segment"
        )
        for case in ["Z?==", "Zg===", "Zg=", "Zh==", "Zh", "a"]
    },
    _JWT + "test_validate_iss_with_container_of_str": "calls the private PyJWT._validate_iss",
    _JWT + "test_validate_iss_with_non_str": "calls the private PyJWT._validate_iss",
    _JWT + "test_validate_iss_with_non_str_issuer": "calls the private PyJWT._validate_iss",
    _JWT + "test_decode_payload_recursion_error_throws_decode_error": _JSON_MOCK,
    _CLIENT + "test_get_signing_key_from_jwt_rejects_payload_recursion_error": _JSON_MOCK,
    _CLIENT + "test_cache_put_none_clears_the_cache": "tests jwt.jwk_set_cache.JWKSetCache",
    _CLIENT + "test_cache_put_rejects_a_value_that_is_not_a_jwk_set": (
        "tests jwt.jwk_set_cache.JWKSetCache"
    ),
    _CLIENT + "test_client_caches_the_parsed_jwk_set": _CACHE,
    _CLIENT + "test_get_jwk_set_accepts_externally_cached_pyjwkset": _CACHE,
    _CLIENT + "test_get_jwk_set_caches_result": _CACHE,
    _CLIENT + "test_get_jwk_set_reuses_the_cached_instance": _CACHE,
    _CLIENT + "test_get_jwt_set_cache_disabled": _CACHE,
    _CLIENT + "test_get_jwt_set_failed_refresh_preserves_cached_jwks": _CACHE,
    _CLIENT + "test_redirect_handler_does_not_follow_redirects": (
        "tests the private jwt.jwks_client._NoRedirectHandler"
    ),
    _CLIENT + "test_unknown_kid_refresh_serializes_concurrent_misses": (
        "sets the client's private _last_successful_fetch and patches "
        "jwt.jwks_client.time.monotonic"
    ),
}

# Tests that pass on PyJWT and fail on ferrojwt on purpose: each is a row of the
# README's "Differences" table.
_NONE = "alg none: ferrojwt never signs or verifies unsigned tokens, nor lists 'none'"
_RFC7797 = (
    "crit / b64 false (RFC 7797 unencoded, detached payloads): ferrojwt implements no JWS "
    "extension, so is_payload_detached and a crit header are refused"
)
_ES256K = "ES256K (secp256k1) is not implemented"
DIFFERENCES: dict[str, str] = {
    _JWS + "test_algo_parameter_removes_alg_from_algorithms_list": _NONE,
    _JWS + "test_unregister_algo_removes_algorithm": _NONE,
    _JWS + "test_decode_with_algo_none_should_fail": _NONE,
    _JWS + "test_decode_with_algo_none_and_verify_false_should_pass": _NONE,
    _JWS + "test_encode_with_headers_alg_none": _NONE,
    _JWS + "test_ecdsa_related_algorithms": _ES256K,
    _JWS + "test_register_algo_rejects_non_algorithm_obj": (
        "register_algorithm: custom algorithm classes are not supported (no PyJWS."
        "register_algorithm); the algorithms are the native core's"
    ),
    _JWS + "test_decode_accepts_supported_crit_extension": _RFC7797,
    _JWS + "test_decode_b64_false_rejects_non_empty_payload_segment": _RFC7797,
    _JWS + "test_decode_complete_warns_on_unuspported_kwarg": _RFC7797,
    _JWS + "test_decode_warns_on_unsupported_kwarg": _RFC7797,
    _JWS + "test_decode_detached_content_without_proper_argument": _RFC7797,
    _JWS + "test_encode_b64_false_auto_adds_b64_to_crit": _RFC7797,
    _JWS + "test_encode_b64_false_preserves_existing_crit_entries": _RFC7797,
    _JWS + "test_encode_decode_with_detached_content": _RFC7797,
    _JWS + "test_encode_detached_content_with_b64_header": _RFC7797,
    _JWT + "test_decode_works_if_iat_is_str_of_a_number": (
        "exp, nbf, iat given as numeric strings are refused"
    ),
}


def _download(into: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--disable-pip-version-check",
            "-q",
            "--no-binary",
            ":all:",
            "--no-deps",
            f"pyjwt=={PYJWT_VERSION}",
            "-d",
            str(into),
        ],
        check=True,
    )
    (archive,) = into.glob(f"[pP]y[jJ][wW][tT]-{PYJWT_VERSION}.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    (root,) = (p for p in into.iterdir() if p.is_dir())
    shutil.copy(HERE / "pyjwt_shim.py", root / "ferrojwt_pyjwt_shim.py")
    return root


def _pytest(root: Path, target: str, outcomes: Path, *args: str) -> list[str]:
    env = dict(os.environ, FERROJWT_COMPAT_TARGET=target, FERROJWT_COMPAT_OUTCOMES=str(outcomes))
    env.pop("PYTHONPATH", None)
    command = [
        sys.executable,
        "-c",
        # The shim is imported before pytest reads the suite's configuration,
        # whose filterwarnings import jwt.warnings; it is also a plugin.
        "import sys, ferrojwt_pyjwt_shim as shim, pytest; "
        "sys.exit(pytest.main(sys.argv[1:], plugins=[shim]))",
        "-q",
        "--tb=no",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:django",
        "-c",
        str(root / "pyproject.toml"),
        "--rootdir",
        str(root),
        *args,
        *FILES,
    ]
    run = subprocess.run(command, cwd=root, env=env, check=False, capture_output=True, text=True)
    return run.stdout.splitlines()


def _collect(root: Path) -> set[str]:
    """Every test id of the selected files (on PyJWT, nothing deselected)."""
    lines = _pytest(root, "pyjwt", root / "collected.json", "--collect-only")
    return {line for line in lines if "::" in line}


def _run(root: Path, target: str) -> dict[str, dict[str, str]]:
    outcomes = root / f"outcomes-{target}.json"
    deselect = [arg for nodeid in INTERNALS for arg in ("--deselect", nodeid)]
    print(f"--- PyJWT {PYJWT_VERSION} tests on {target}", flush=True)
    output = _pytest(root, target, outcomes, *deselect)
    print(output[-1] if output else "(no output)")
    if not outcomes.exists():
        sys.exit(f"the {target} run recorded no outcomes (collection failed?)")
    result: dict[str, dict[str, str]] = json.loads(outcomes.read_text())
    return result


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="pyjwt-suite-") as tmp:
        root = _download(Path(tmp))
        collected = _collect(root)
        control = _run(root, "pyjwt")
        ours = _run(root, "ferrojwt")

    def passed(results: dict[str, dict[str, str]], nodeid: str) -> bool:
        return results.get(nodeid, {}).get("outcome") == "passed"

    baseline = sorted(n for n in control if passed(control, n))
    regressions = [n for n in baseline if not passed(ours, n) and n not in DIFFERENCES]
    stale = [n for n in DIFFERENCES if passed(ours, n) or not passed(control, n)]
    unknown = [n for n in [*INTERNALS, *DIFFERENCES] if n not in collected]
    matching = [n for n in baseline if passed(ours, n)]

    for nodeid in regressions:
        print(f"FAIL  {nodeid}\n      {ours.get(nodeid, {}).get('message', 'not run')[:300]}")
    for nodeid in stale:
        print(f"STALE difference (no longer a difference): {nodeid}")
    for nodeid in unknown:
        print(f"UNKNOWN test id (not in PyJWT's suite): {nodeid}")
    not_run = len(control) - len(baseline)
    print(
        f"PyJWT {PYJWT_VERSION} public-API tests: {len(matching)}/{len(baseline)} that pass on "
        f"PyJWT pass on ferrojwt.jwt; {len(DIFFERENCES)} deliberate differences, "
        f"{len(regressions)} regressions, {len(stale)} stale; {len(INTERNALS)} tests and "
        f"{len(EXCLUDED_FILES)} files of PyJWT internals excluded; "
        f"{not_run} skipped or failing on PyJWT itself"
    )
    return 1 if regressions or stale or unknown else 0


if __name__ == "__main__":
    sys.exit(main())
