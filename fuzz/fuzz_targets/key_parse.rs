//! Key parsing on arbitrary bytes: the first byte picks PEM, DER, JWK or an
//! HMAC secret. A key that parses must export a public JWK that parses back
//! to the same public key, and sign a message that it then verifies.
#![no_main]

use ferrojwt::algorithm::{Algorithm, Curve};
use ferrojwt::keys::{JwkFields, Key};
use ferrojwt_fuzz::assert_discreet;
use libfuzzer_sys::fuzz_target;

/// The errors that repeat a descriptor of the key (never its material).
const DESCRIPTOR_ERRORS: [&str; 4] = [
    "Unsupported JWK key type ",
    "Unsupported EC curve ",
    "Unsupported OKP curve ",
    "Could not parse the key: unsupported PEM label ",
];

fn algorithm_for(key: &Key) -> Algorithm {
    match (key.kty(), key.curve()) {
        ("oct", _) => Algorithm::HS256,
        ("RSA", _) => Algorithm::PS256,
        ("OKP", _) => Algorithm::EdDSA,
        (_, Some(name)) => match Curve::from_name(name) {
            Some(Curve::P384) => Algorithm::ES384,
            Some(Curve::P521) => Algorithm::ES512,
            _ => Algorithm::ES256,
        },
        _ => Algorithm::ES256,
    }
}

fn check(key: &Key) {
    let alg = algorithm_for(key);
    key.check_algorithm(alg)
        .expect("a key fits its own algorithm");
    if key.kty() != "oct" {
        let public = key
            .public_key()
            .expect("an asymmetric key has a public half");
        assert!(!public.is_private());
        assert_eq!(public.identity()[2..], key.identity()[2..]);
        let members = key.public_jwk().expect("a public JWK");
        let mut json = String::from("{");
        for (i, (name, value)) in members.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push_str(&format!("\"{name}\":\"{value}\""));
        }
        json.push('}');
        let fields = JwkFields::from_json(json.as_bytes()).expect("exported JWK is JSON");
        let back = Key::from_jwk(&fields).expect("exported JWK parses");
        assert_eq!(back.identity(), public.identity());
    }
    if key.is_private() {
        let message = b"eyJhbGciOiJub25lIn0.e30";
        let signature = key.sign(alg, message).expect("a private key signs");
        key.verify(alg, message, &signature)
            .expect("and verifies its signature");
        assert!(key.verify(alg, b"another message", &signature).is_err());
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let parsed = match mode % 4 {
        0 => Key::from_pem(body),
        1 => Key::from_der(body),
        2 => JwkFields::from_json(body).and_then(|fields| Key::from_jwk(&fields)),
        _ => Key::hmac(body),
    };
    match parsed {
        Ok(key) => check(&key),
        Err(err) => {
            assert_eq!(err.exception_name(), "InvalidKeyError", "{err}");
            let message = err.to_string();
            // These name a descriptor member (kty, crv) or the PEM label, quoted
            // and escaped: not key material.
            let names_descriptor = DESCRIPTOR_ERRORS.iter().any(|m| message.starts_with(m));
            if !names_descriptor {
                assert_discreet(&message, body);
            }
        }
    }
});
