use super::*;
use crate::b64;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;

const ALL: [Algorithm; 13] = Algorithm::ALL;

fn rsa_key() -> Key {
    let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
    let der = pair.as_der().unwrap();
    Key::from_der(der.as_ref()).unwrap()
}

fn ec_key(curve: Curve) -> Key {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(signing_alg(curve), &rng).unwrap();
    Key::from_der(pkcs8.as_ref()).unwrap()
}

fn ed_key() -> Key {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    Key::from_der(pkcs8.as_ref()).unwrap()
}

fn key_for(alg: Algorithm) -> Key {
    match alg.family() {
        Family::Hmac => Key::hmac(b"a secret of some length").unwrap(),
        Family::Rsa => rsa_key(),
        Family::Ec(curve) => ec_key(curve),
        Family::Ed25519 => ed_key(),
    }
}

#[test]
fn every_algorithm_signs_and_verifies_and_rejects_tampering() {
    for alg in ALL {
        let key = key_for(alg);
        let signature = key.sign(alg, b"header.payload").unwrap();
        key.verify(alg, b"header.payload", &signature).unwrap();
        if !alg.is_asymmetric() {
            assert_eq!(
                key.public_key().err(),
                Some(Error::key("An HMAC secret has no public half"))
            );
            continue;
        }
        let public = key.public_key().unwrap();
        public.verify(alg, b"header.payload", &signature).unwrap();
        assert_eq!(
            public.verify(alg, b"header.payloaD", &signature),
            Err(Error::InvalidSignature),
            "{alg:?}"
        );
        let mut bad = signature.to_vec();
        bad[0] ^= 1;
        assert_eq!(
            public.verify(alg, b"header.payload", &bad),
            Err(Error::InvalidSignature)
        );
        assert_eq!(
            public.verify(alg, b"header.payload", &[]),
            Err(Error::InvalidSignature)
        );
        if alg.is_asymmetric() {
            let err = public.sign(alg, b"x").unwrap_err();
            assert!(err.to_string().contains("needs the private key"), "{err}");
        }
    }
}

#[test]
fn key_family_must_match_the_algorithm() {
    let p256 = ec_key(Curve::P256);
    let err = p256.verify(Algorithm::ES384, b"m", &[0; 96]).unwrap_err();
    assert_eq!(
        err,
        Error::key("An EC P-256 private key cannot be used with the ES384 algorithm")
    );
    let rsa = rsa_key().public_key().unwrap();
    let err = rsa.verify(Algorithm::HS256, b"m", &[0; 32]).unwrap_err();
    assert_eq!(
        err,
        Error::key("An RSA public key cannot be used with the HS256 algorithm")
    );
    let hmac = Key::hmac(b"k").unwrap();
    assert_eq!(
        hmac.sign(Algorithm::EdDSA, b"m")
            .unwrap_err()
            .exception_name(),
        "InvalidKeyError"
    );
}

#[test]
fn empty_hmac_secret_is_refused() {
    assert_eq!(
        Key::hmac(b"").err(),
        Some(Error::key("HMAC key must not be empty."))
    );
}

#[test]
fn pem_text_is_not_an_hmac_secret() {
    for secret in [
        &b"-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n"[..],
        b"  -----BEGIN CERTIFICATE-----",
        b"ssh-rsa AAAAB3NzaC1yc2E",
        b"ecdsa-sha2-nistp256 AAAA",
    ] {
        let err = Key::hmac(secret).err().unwrap();
        assert!(
            err.to_string().contains("cannot be used as an HMAC secret"),
            "{err}"
        );
    }
}

/// A public JWK's JSON text as an HMAC secret would let anyone who has the
/// public key forge HS256 tokens for a verifier that also allows HS256.
#[test]
fn jwk_text_and_der_keys_are_not_hmac_secrets() {
    let rsa = rsa_key();
    let jwk = format!(
        "{{{}}}",
        rsa.public_jwk()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("\"{k}\":\"{v}\""))
            .collect::<Vec<_>>()
            .join(",")
    );
    for secret in [jwk.as_str(), "  {\"kty\":\"oct\"}", "\u{feff}{}"] {
        let err = Key::hmac(secret.as_bytes()).err().unwrap();
        assert_eq!(
            err,
            Error::key("The key looks like a JWK and cannot be used directly as an HMAC secret")
        );
    }
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    let err = Key::hmac(pkcs8.as_ref()).err().unwrap();
    assert_eq!(
        err,
        Error::key("The key is a DER-encoded asymmetric key and cannot be an HMAC secret")
    );
    assert!(Key::hmac(b"an ordinary secret, { braces } inside are fine").is_ok());
}

#[test]
fn pem_round_trip_through_labels() {
    let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
    let pkcs8 = pair.as_der().unwrap();
    let pem = ::pem::encode(&::pem::Pem::new("PRIVATE KEY", pkcs8.as_ref().to_vec()));
    let key = Key::from_pem(pem.as_bytes()).unwrap();
    assert!(key.is_private());
    assert_eq!(key.kty(), "RSA");
    let spki = ::pem::encode(&::pem::Pem::new(
        "RSA PUBLIC KEY",
        key.public_key().unwrap().identity()[2..].to_vec(),
    ));
    let public = Key::from_pem(spki.as_bytes()).unwrap();
    assert!(!public.is_private());
    assert_eq!(public.identity()[2..], key.identity()[2..]);

    for bad in [
        &b"not pem"[..],
        b"-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n",
    ] {
        assert_eq!(
            Key::from_pem(bad).err().unwrap().exception_name(),
            "InvalidKeyError"
        );
    }
    let encrypted = ::pem::encode(&::pem::Pem::new("ENCRYPTED PRIVATE KEY", vec![0x30, 0]));
    let err = Key::from_pem(encrypted.as_bytes()).err().unwrap();
    assert!(err
        .to_string()
        .contains("Encrypted private keys are not supported"));
}

/// The HMAC tag comparison (aws-lc's CRYPTO_memcmp): any byte different, a tag cut short
/// or made longer, or another message, is a refused signature.
#[test]
fn hmac_refuses_every_other_tag() {
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let key = key_for(alg);
        let tag = key.sign(alg, b"header.payload").unwrap().to_vec();
        key.verify(alg, b"header.payload", &tag).unwrap();
        let refused = |signature: &[u8], message: &[u8]| {
            assert_eq!(
                key.verify(alg, message, signature),
                Err(Error::InvalidSignature),
                "{alg:?}"
            )
        };
        for at in [0, tag.len() / 2, tag.len() - 1] {
            let mut bad = tag.clone();
            bad[at] ^= 0x80;
            refused(&bad, b"header.payload");
        }
        refused(&tag[..tag.len() - 1], b"header.payload");
        refused(&[tag.as_slice(), &[0]].concat(), b"header.payload");
        refused(&[], b"header.payload");
        refused(&tag, b"header.payloaD");
        // Another hash's tag of the same message, with the same secret.
        let other = if alg == Algorithm::HS256 {
            Algorithm::HS512
        } else {
            Algorithm::HS256
        };
        refused(
            &key.sign(other, b"header.payload").unwrap(),
            b"header.payload",
        );
    }
}

/// aws-lc's one-shot `HMAC` of `message` with `secret`.
fn aws_lc_hmac(alg: Algorithm, secret: &[u8], message: &[u8]) -> Vec<u8> {
    use aws_lc_sys as lc;
    let mut out = [0u8; 64];
    let mut len: std::os::raw::c_uint = 0;
    // SAFETY: the digests are aws-lc's statics; every pointer is valid for its length.
    let done = unsafe {
        let md = match alg {
            Algorithm::HS384 => lc::EVP_sha384(),
            Algorithm::HS512 => lc::EVP_sha512(),
            _ => lc::EVP_sha256(),
        };
        lc::HMAC(
            md,
            secret.as_ptr().cast(),
            secret.len(),
            message.as_ptr(),
            message.len(),
            out.as_mut_ptr(),
            &mut len,
        )
    };
    assert!(!done.is_null());
    out[..len as usize].to_vec()
}

fn our_hmac(alg: Algorithm, secret: &[u8], message: &[u8]) -> Vec<u8> {
    use super::mac::{Blocks, Keyed, Sha256Blocks, Sha384Blocks, Sha512Blocks};
    fn tag<H: Blocks>(secret: &[u8], message: &[u8]) -> Vec<u8> {
        Keyed::<H>::new(secret).tag(message).as_ref().to_vec()
    }
    match alg {
        Algorithm::HS384 => tag::<Sha384Blocks>(secret, message),
        Algorithm::HS512 => tag::<Sha512Blocks>(secret, message),
        _ => tag::<Sha256Blocks>(secret, message),
    }
}

/// The HMAC construction (src/keys/mac.rs) against aws-lc's: every message length from 0
/// to 300 bytes (each side of the one- and two-block paddings of both block sizes), and
/// secrets shorter than, as long as and longer than a block (hashed first).
#[test]
fn hmac_matches_aws_lc_at_every_length() {
    let bytes: Vec<u8> = (0..400u32).map(|i| (i * 167 + 13) as u8).collect();
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        for secret_len in [1, 20, 32, 63, 64, 65, 127, 128, 129, 300] {
            let secret = &bytes[100..100 + secret_len];
            for message_len in 0..=300 {
                let message = &bytes[..message_len];
                assert_eq!(
                    our_hmac(alg, secret, message),
                    aws_lc_hmac(alg, secret, message),
                    "{alg:?}, secret of {secret_len} bytes, message of {message_len}"
                );
            }
        }
    }
}

/// RFC 4231 test case 2 (key "Jefe"), for the three hashes.
#[test]
fn hmac_rfc4231_case_2() {
    let message = b"what do ya want for nothing?";
    let expected = [
        (
            Algorithm::HS256,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            Algorithm::HS384,
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e\
             8e2240ca5e69e2c78b3239ecfab21649",
        ),
        (
            Algorithm::HS512,
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554\
             9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        ),
    ];
    for (alg, hex) in expected {
        let tag: String = our_hmac(alg, b"Jefe", message)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(tag, hex, "{alg:?}");
    }
}

/// RFC 7515 appendix A.1: the HS256 example, verified with the RFC's JWK.
#[test]
fn rfc7515_a1_hs256() {
    let jwk = br#"{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#;
    let key = Key::from_jwk(&JwkFields::from_json(jwk).unwrap()).unwrap();
    let token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let parts = crate::jws::split(token.as_bytes()).unwrap();
    key.verify(Algorithm::HS256, parts.signing_input, &parts.signature)
        .unwrap();
    assert_eq!(
        key.sign(Algorithm::HS256, parts.signing_input)
            .unwrap()
            .to_vec(),
        parts.signature
    );
}

/// RFC 8037 appendix A.4: the Ed25519 signature over "Example of Ed25519 signing".
#[test]
fn rfc8037_a4_ed25519() {
    let jwk = br#"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
    let key = Key::from_jwk(&JwkFields::from_json(jwk).unwrap()).unwrap();
    let token = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
    let parts = crate::jws::split(token.as_bytes()).unwrap();
    assert_eq!(parts.payload, b"Example of Ed25519 signing");
    // Ed25519 is deterministic: signing again gives the RFC's bytes.
    assert_eq!(
        key.sign(Algorithm::EdDSA, parts.signing_input)
            .unwrap()
            .to_vec(),
        parts.signature
    );
    key.public_key()
        .unwrap()
        .verify(Algorithm::EdDSA, parts.signing_input, &parts.signature)
        .unwrap();
    let members: Vec<(&str, String)> = key.public_jwk().unwrap();
    assert_eq!(
        members,
        vec![
            ("kty", "OKP".to_string()),
            ("crv", "Ed25519".to_string()),
            (
                "x",
                "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo".to_string()
            ),
        ]
    );
}

#[test]
fn jwk_round_trip_for_public_keys() {
    for key in [
        rsa_key(),
        ec_key(Curve::P256),
        ec_key(Curve::P384),
        ec_key(Curve::P521),
        ed_key(),
    ] {
        let members = key.public_jwk().unwrap();
        let json = format!(
            "{{{}}}",
            members
                .iter()
                .map(|(k, v)| format!("\"{k}\":\"{v}\""))
                .collect::<Vec<_>>()
                .join(",")
        );
        let back = Key::from_jwk(&JwkFields::from_json(json.as_bytes()).unwrap()).unwrap();
        assert!(!back.is_private());
        assert_eq!(back.identity()[2..], key.identity()[2..], "{json}");
    }
    let bad = Key::from_jwk(
        &JwkFields::from_json(br#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}"#).unwrap(),
    );
    assert!(bad.err().unwrap().to_string().contains("must be 32 bytes"));
    let oct =
        Key::from_jwk(&JwkFields::from_json(br#"{"kty":"oct","k":"c2VjcmV0"}"#).unwrap()).unwrap();
    assert_eq!(oct.identity()[2..], *b"secret");
    assert!(b64::decode(b"c2VjcmV0").is_some());
}

#[test]
fn short_rsa_keys_are_refused() {
    // A 1024-bit modulus (128 bytes) with exponent 65537.
    let der = der::uint_sequence(false, &[&[0xc5; 128], &[1, 0, 1]]);
    let err = RsaKey::from_public_pkcs1(&der).err().unwrap();
    assert_eq!(
        err,
        Error::key("RSA keys shorter than 2048 bits are refused")
    );
}

/// The ECDSA and Ed25519 signatures of `raw` (aws-lc's primitives called
/// directly) verify with aws-lc-rs's own verifier and the other way round,
/// and out-of-range or wrongly sized signatures are refused.
#[test]
fn raw_ecdsa_and_ed25519_agree_with_aws_lc_rs() {
    let message = b"header.payload";
    for curve in [Curve::P256, Curve::P384, Curve::P521] {
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(signing_alg(curve), &SystemRandom::new()).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(signing_alg(curve), pkcs8.as_ref()).unwrap();
        let alg = match curve {
            Curve::P256 => Algorithm::ES256,
            Curve::P384 => Algorithm::ES384,
            Curve::P521 => Algorithm::ES512,
        };
        let key = Key::from_der(pkcs8.as_ref()).unwrap();
        let public = key.public_key().unwrap();
        let ours = key.sign(alg, message).unwrap();
        assert_eq!(ours.len(), 2 * curve.coordinate_len());
        ParsedPublicKey::new(verify_alg(curve), pair.public_key().as_ref())
            .unwrap()
            .verify_sig(message, &ours)
            .unwrap();
        let theirs = pair.sign(&SystemRandom::new(), message).unwrap();
        public.verify(alg, message, theirs.as_ref()).unwrap();
        key.verify(alg, message, theirs.as_ref()).unwrap();
        let n = curve.coordinate_len();
        // r = 0, and s at or above the group order (all ones), are refused.
        let mut zero_r = ours.to_vec();
        zero_r[..n].fill(0);
        let mut big_s = ours.to_vec();
        big_s[n..].fill(0xff);
        for bad in [&zero_r[..], &big_s[..], &ours[..2 * n - 1], &[0; 200][..]] {
            assert_eq!(
                public.verify(alg, message, bad),
                Err(Error::InvalidSignature),
                "{alg:?}"
            );
        }
    }
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let key = Key::from_der(pkcs8.as_ref()).unwrap();
    // Ed25519 is deterministic: the same bytes as aws-lc-rs's signature.
    let ours = key.sign(Algorithm::EdDSA, message).unwrap();
    assert_eq!(&*ours, pair.sign(message).as_ref());
    let public = key.public_key().unwrap();
    public.verify(Algorithm::EdDSA, message, &ours).unwrap();
    let mut flipped = ours.to_vec();
    flipped[10] ^= 1;
    // S at or above the group order (the top byte all ones) is refused too.
    let mut big_s = ours.to_vec();
    big_s[63] = 0xff;
    for bad in [&ours[..63], &[0; 65][..], &flipped[..], &big_s[..]] {
        assert_eq!(
            public.verify(Algorithm::EdDSA, message, bad),
            Err(Error::InvalidSignature)
        );
    }
}

/// The RS and PS signatures of `raw_rsa` (aws-lc's RSA functions called
/// directly) verify with aws-lc-rs's own verifiers and the other way round;
/// PKCS#1 v1.5 signatures are the same bytes (the padding is deterministic);
/// a signature of another length, a flipped bit, or one made with another
/// algorithm is refused.
#[test]
fn raw_rsa_agrees_with_aws_lc_rs() {
    let message = b"header.payload";
    let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
    let key = Key::from_der(pair.as_der().unwrap().as_ref()).unwrap();
    let public = key.public_key().unwrap();
    let theirs_public = pair.public_key().as_ref();
    let cases: [(
        Algorithm,
        &'static dyn sig::RsaEncoding,
        &sig::RsaParameters,
    ); 6] = [
        (
            Algorithm::RS256,
            &sig::RSA_PKCS1_SHA256,
            &sig::RSA_PKCS1_2048_8192_SHA256,
        ),
        (
            Algorithm::RS384,
            &sig::RSA_PKCS1_SHA384,
            &sig::RSA_PKCS1_2048_8192_SHA384,
        ),
        (
            Algorithm::RS512,
            &sig::RSA_PKCS1_SHA512,
            &sig::RSA_PKCS1_2048_8192_SHA512,
        ),
        (
            Algorithm::PS256,
            &sig::RSA_PSS_SHA256,
            &sig::RSA_PSS_2048_8192_SHA256,
        ),
        (
            Algorithm::PS384,
            &sig::RSA_PSS_SHA384,
            &sig::RSA_PSS_2048_8192_SHA384,
        ),
        (
            Algorithm::PS512,
            &sig::RSA_PSS_SHA512,
            &sig::RSA_PSS_2048_8192_SHA512,
        ),
    ];
    for (alg, encoding, params) in cases {
        let ours = key.sign(alg, message).unwrap();
        assert_eq!(ours.len(), 256, "{alg:?}");
        ParsedPublicKey::new(params, theirs_public)
            .unwrap()
            .verify_sig(message, &ours)
            .unwrap_or_else(|_| panic!("aws-lc-rs refused our {alg:?} signature"));
        let mut theirs = vec![0; pair.public_modulus_len()];
        pair.sign(encoding, &SystemRandom::new(), message, &mut theirs)
            .unwrap();
        public.verify(alg, message, &theirs).unwrap();
        key.verify(alg, message, &theirs).unwrap();
        if alg.name().starts_with("RS") {
            assert_eq!(&*ours, &theirs[..], "{alg:?}");
        }
        let mut flipped = ours.to_vec();
        flipped[100] ^= 1;
        let other = if alg == Algorithm::PS256 {
            Algorithm::RS256
        } else {
            Algorithm::PS256
        };
        let other_sig = key.sign(other, message).unwrap();
        for bad in [
            &flipped[..],
            &ours[..255],
            &[&ours[..], &[0]].concat()[..],
            &other_sig[..],
        ] {
            assert_eq!(
                public.verify(alg, message, bad),
                Err(Error::InvalidSignature),
                "{alg:?}"
            );
        }
        assert_eq!(
            public.verify(alg, b"header.other", &ours),
            Err(Error::InvalidSignature),
            "{alg:?}"
        );
    }
}
