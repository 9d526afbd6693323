//! HMAC secrets with their keyed hash states computed once (HS256/384/512).

use std::sync::OnceLock;

use aws_lc_sys as lc;

use super::mac::{Keyed, Sha256Blocks, Sha384Blocks, Sha512Blocks, Tag};

use crate::algorithm::Algorithm;
use crate::error::Error;

#[derive(Clone)]
pub struct HmacKey {
    secret: Vec<u8>,
    hs256: OnceLock<Keyed<Sha256Blocks>>,
    hs384: OnceLock<Keyed<Sha384Blocks>>,
    hs512: OnceLock<Keyed<Sha512Blocks>>,
}

/// What an HMAC secret must not be: an asymmetric key or certificate (PEM,
/// SSH, DER) or a JWK. A public key used as an HMAC secret is the classic
/// algorithm-confusion forgery; the caller is refused, as PyJWT refuses.
fn refusal(secret: &[u8]) -> Option<&'static str> {
    const SSH_PREFIXES: [&[u8]; 4] = [b"ssh-rsa", b"ssh-ed25519", b"ssh-dss", b"ecdsa-sha2-"];
    let trimmed = secret
        .strip_prefix("\u{feff}".as_bytes())
        .unwrap_or(secret)
        .trim_ascii_start();
    if secret.windows(11).any(|w| w == b"-----BEGIN ")
        || SSH_PREFIXES.iter().any(|p| trimmed.starts_with(p))
    {
        return Some(
            "The key is an asymmetric key (PEM or SSH text) and cannot be used as an HMAC secret",
        );
    }
    if trimmed.starts_with(b"{") {
        return Some("The key looks like a JWK and cannot be used directly as an HMAC secret");
    }
    if super::Key::from_der(secret).is_ok() {
        return Some("The key is a DER-encoded asymmetric key and cannot be an HMAC secret");
    }
    None
}

impl HmacKey {
    pub fn new(secret: &[u8]) -> Result<HmacKey, Error> {
        if secret.is_empty() {
            return Err(Error::key("HMAC key must not be empty."));
        }
        if let Some(why) = refusal(secret) {
            return Err(Error::key(why));
        }
        Ok(HmacKey {
            secret: secret.to_vec(),
            hs256: OnceLock::new(),
            hs384: OnceLock::new(),
            hs512: OnceLock::new(),
        })
    }

    /// The message PyJWT warns with (or raises, with
    /// `enforce_minimum_key_length`) when the secret is shorter than the
    /// output of the algorithm's hash.
    pub fn short_secret_warning(&self, alg: Algorithm) -> Option<String> {
        let (minimum, hash) = match alg {
            Algorithm::HS384 => (48, "SHA384"),
            Algorithm::HS512 => (64, "SHA512"),
            _ => (32, "SHA256"),
        };
        let length = self.secret.len();
        (length < minimum).then(|| {
            format!(
                "The HMAC key is {length} bytes long, which is below the minimum recommended \
                 length of {minimum} bytes for {hash}. See RFC 7518 Section 3.2."
            )
        })
    }

    pub fn secret(&self) -> &[u8] {
        &self.secret
    }

    pub fn sign(&self, alg: Algorithm, message: &[u8]) -> Tag {
        match alg {
            Algorithm::HS384 => keyed(&self.hs384, &self.secret).tag(message),
            Algorithm::HS512 => keyed(&self.hs512, &self.secret).tag(message),
            _ => keyed(&self.hs256, &self.secret).tag(message),
        }
    }

    /// Whether `signature` is the tag of `message`, compared in constant time.
    pub fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        tags_equal(self.sign(alg, message).as_ref(), signature)
    }
}

/// Whether two tags are equal, in a time that depends on their lengths only (which are not
/// secret): aws-lc's `CRYPTO_memcmp`, one pass over the bytes, as aws-lc's own HMAC checks
/// compare.
fn tags_equal(expected: &[u8], given: &[u8]) -> bool {
    if expected.len() != given.len() {
        return false;
    }
    // SAFETY: both pointers are valid for `expected.len()` bytes, read only.
    let differ = unsafe {
        lc::CRYPTO_memcmp(
            expected.as_ptr().cast(),
            given.as_ptr().cast(),
            expected.len(),
        )
    };
    differ == 0
}

fn keyed<'a, H: super::mac::Blocks>(state: &'a OnceLock<Keyed<H>>, secret: &[u8]) -> &'a Keyed<H> {
    state.get_or_init(|| Keyed::new(secret))
}
