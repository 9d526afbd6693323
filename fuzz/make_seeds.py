"""Writes the seed corpora in fuzz/corpus/<target>/ (committed; rerun to refresh them).

Run with the test virtualenv, which has PyJWT and cryptography:
``.venv/bin/python fuzz/make_seeds.py``. The tokens are signed with the keys in fuzz/keys,
which exist only for fuzzing.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization

HERE = Path(__file__).resolve().parent
KEYS = HERE / "keys"
SECRET = b"ferrojwt-fuzz-hs256-secret-0123456789"
NOW = 1_700_000_000


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def write(target: str, seeds: dict[str, bytes]) -> None:
    folder = HERE / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for name, data in seeds.items():
        (folder / name).write_bytes(data)


def tokens() -> dict[str, bytes]:
    rsa = (KEYS / "rsa_private.pem").read_bytes()
    ec = (KEYS / "ec_p256_private.pem").read_bytes()
    claims = {"sub": "42", "iat": NOW - 10, "exp": NOW + 3600, "jti": "abc", "scope": "é😀"}
    seeds = {
        "hs256": jwt.encode(claims, SECRET, algorithm="HS256"),
        "hs256_kid": jwt.encode(claims, SECRET, algorithm="HS256", headers={"kid": "k1"}),
        "rs256": jwt.encode(claims, rsa, algorithm="RS256"),
        "ps256": jwt.encode(claims, rsa, algorithm="PS256"),
        "es256": jwt.encode(claims, ec, algorithm="ES256"),
        "expired": jwt.encode({"exp": NOW - 1}, SECRET, algorithm="HS256"),
        "aud_list": jwt.encode({"aud": ["a", "b"], "nbf": NOW + 5}, SECRET, algorithm="HS256"),
    }
    seeds["none"] = (b64(b'{"alg":"none"}') + "." + b64(b'{"sub":"1"}') + ".").encode()
    seeds["crit"] = (b64(b'{"alg":"HS256","crit":["b64"]}') + ".e30.AAAA").encode()
    return {
        name: token if isinstance(token, bytes) else token.encode() for name, token in seeds.items()
    }


def documents() -> dict[str, bytes]:
    return {
        "claims": json.dumps({"sub": "42", "exp": NOW, "aud": ["x", "y"], "n": None}).encode(),
        "escapes": b'{"s":"\\u00e9\\ud83d\\ude00\\n\\"\\\\\\/","t":"\xc3\xa9"}',
        "numbers": b'{"a":-0,"b":1.5e-7,"c":123456789012345678901234567890,"d":1e400,'
        b'"e":NaN,"f":-Infinity,"g":-9223372036854775808}',
        "nested": b'{"a":{"b":[{"c":[]},{}],"d":{"e":true,"f":false}}}',
        "duplicate": b'{"a":1,"b":{"c":1,"c":2}}',
        "space": b' \t\r\n{ "a" : [ 1 , 2 ] } \n',
    }


def key_inputs() -> dict[str, bytes]:
    ec_private = serialization.load_pem_private_key(
        (KEYS / "ec_p256_private.pem").read_bytes(), password=None
    )
    ec_public = ec_private.public_key()
    numbers = ec_public.public_numbers()  # type: ignore[attr-defined]
    ec_jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": b64(numbers.x.to_bytes(32, "big")),
        "y": b64(numbers.y.to_bytes(32, "big")),
    }
    spki = ec_public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {
        "pem_rsa_public": b"\x00" + (KEYS / "rsa_public.pem").read_bytes(),
        "pem_ec_private": b"\x00" + (KEYS / "ec_p256_private.pem").read_bytes(),
        "der_ec_public": b"\x01" + spki,
        "jwk_ec_public": b"\x02" + json.dumps(ec_jwk).encode(),
        "jwk_oct": b"\x02" + json.dumps({"kty": "oct", "k": b64(SECRET)}).encode(),
        "hmac_secret": b"\x03" + SECRET,
        "hmac_pem_refused": b"\x03" + (KEYS / "rsa_public.pem").read_bytes(),
    }


def differential() -> dict[str, bytes]:
    header = b'{"alg":"HS256","typ":"JWT"}'
    cases = {
        # flags, leeway, header length, clock, then header + payload
        "plain": (0x00, 0, header, b'{"sub":"1","exp":1700000100,"iat":1699999990}'),
        "small_clock": (0xA0, 3, header, b'{"exp":10,"nbf":5,"iat":4.5}'),
        "hs512_aud_iss": (
            0x1A,
            5,
            b'{"alg":"HS512"}',
            b'{"aud":["fuzz-aud"],"iss":"fuzz-iss","exp":1700000000}',
        ),
        "tampered_padded": (0x44, 0, header, b'{"nbf":1700000003,"jti":7}'),
        "require_exp": (0x20, 0, b'{"alg":"HS256","kid":"a"}', b'{"exp":null,"sub":[]}'),
    }
    seeds = {
        name: bytes([flags, leeway, len(head), 7]) + head + body
        for name, (flags, leeway, head, body) in cases.items()
    }
    seeds["raw"] = bytes([0x01, 0, 0, 0]) + tokens()["hs256"]
    return seeds


def main() -> None:
    write("decode_token", tokens())
    write("json_parse", documents())
    write("key_parse", key_inputs())
    write("differential", differential())


if __name__ == "__main__":
    main()
