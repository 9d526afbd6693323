//! HMAC secrets with their keyed hash states computed once (HS256/384/512).

use std::sync::OnceLock;

use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha384, Sha512};

use crate::algorithm::Algorithm;
use crate::error::Error;

#[derive(Clone)]
pub struct HmacKey {
    secret: Vec<u8>,
    hs256: OnceLock<Hmac<Sha256>>,
    hs384: OnceLock<Hmac<Sha384>>,
    hs512: OnceLock<Hmac<Sha512>>,
}

/// Text an HMAC secret must not look like: it is an asymmetric key or a
/// certificate, and a verifier handed one is being confused on purpose.
fn looks_asymmetric(secret: &[u8]) -> bool {
    const SSH_PREFIXES: [&[u8]; 4] = [b"ssh-rsa", b"ssh-ed25519", b"ssh-dss", b"ecdsa-sha2-"];
    let trimmed = secret.trim_ascii_start();
    secret.windows(11).any(|w| w == b"-----BEGIN ")
        || SSH_PREFIXES.iter().any(|p| trimmed.starts_with(p))
}

fn keyed<M: Mac + hmac::digest::KeyInit>(secret: &[u8]) -> M {
    // HMAC accepts keys of any length, so this cannot fail.
    <M as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!())
}

impl HmacKey {
    pub fn new(secret: &[u8]) -> Result<HmacKey, Error> {
        if secret.is_empty() {
            return Err(Error::key("HMAC key must not be empty."));
        }
        if looks_asymmetric(secret) {
            return Err(Error::key(
                "The key is an asymmetric key (PEM or SSH text) and cannot be used as an \
                 HMAC secret",
            ));
        }
        Ok(HmacKey {
            secret: secret.to_vec(),
            hs256: OnceLock::new(),
            hs384: OnceLock::new(),
            hs512: OnceLock::new(),
        })
    }

    pub fn secret(&self) -> &[u8] {
        &self.secret
    }

    pub fn sign(&self, alg: Algorithm, message: &[u8]) -> Vec<u8> {
        match alg {
            Algorithm::HS384 => mac(&self.hs384, &self.secret, message).to_vec(),
            Algorithm::HS512 => mac(&self.hs512, &self.secret, message).to_vec(),
            _ => mac(&self.hs256, &self.secret, message).to_vec(),
        }
    }

    /// Constant-time comparison of the expected and given signatures.
    pub fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        fn check<M: Mac + Clone + hmac::digest::KeyInit>(
            state: &OnceLock<M>,
            secret: &[u8],
            message: &[u8],
            signature: &[u8],
        ) -> bool {
            let mut mac = state.get_or_init(|| keyed(secret)).clone();
            mac.update(message);
            mac.verify_slice(signature).is_ok()
        }
        match alg {
            Algorithm::HS384 => check(&self.hs384, &self.secret, message, signature),
            Algorithm::HS512 => check(&self.hs512, &self.secret, message, signature),
            _ => check(&self.hs256, &self.secret, message, signature),
        }
    }
}

fn mac<M: Mac + Clone + hmac::digest::KeyInit>(
    state: &OnceLock<M>,
    secret: &[u8],
    message: &[u8],
) -> hmac::digest::Output<M> {
    let mut mac = state.get_or_init(|| keyed(secret)).clone();
    mac.update(message);
    mac.finalize().into_bytes()
}
