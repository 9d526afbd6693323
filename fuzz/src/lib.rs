//! What the fuzz targets share: fixed keys, the duplicate count and writer
//! of the core's plain JSON value, and the differential target's reference
//! decision.

pub mod reference;
pub mod tree;

use std::sync::OnceLock;

use ferrojwt::algorithm::{Algorithm, Family};
use ferrojwt::keys::Key;

/// The HMAC secret of the fuzz targets (and of their seed tokens).
pub const HMAC_SECRET: &[u8] = b"ferrojwt-fuzz-hs256-secret-0123456789";

/// The time every target validates claims at.
pub const NOW: f64 = 1_700_000_000.0;

/// The public halves of the keys in fuzz/keys (the private halves only sign
/// the seed tokens, see fuzz/make_seeds.py).
pub struct Keys {
    pub hmac: Key,
    pub rsa: Key,
    pub ec: Key,
}

pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        hmac: Key::hmac(HMAC_SECRET).expect("the fuzz HMAC secret is valid"),
        rsa: Key::from_pem(include_bytes!("../keys/rsa_public.pem")).expect("fuzz RSA key"),
        ec: Key::from_pem(include_bytes!("../keys/ec_p256_public.pem")).expect("fuzz EC key"),
    })
}

impl Keys {
    /// The key a token naming `alg` is verified with.
    pub fn for_alg(&self, alg: Algorithm) -> &Key {
        match alg.family() {
            Family::Hmac => &self.hmac,
            Family::Rsa => &self.rsa,
            // Ed25519 tokens get the EC key: a family mismatch to refuse.
            Family::Ec(_) | Family::Ed25519 => &self.ec,
        }
    }
}

/// Asserts that an error message shows neither the HMAC secret nor any
/// base64-looking run of the input (at least 20 characters of the base64 or
/// base64url alphabet, with a digit and both cases: key material or a token
/// segment, never a word of a message the fuzzer copied into its input).
pub fn assert_discreet(message: &str, input: &[u8]) {
    let secret = std::str::from_utf8(HMAC_SECRET).unwrap_or_default();
    assert!(!message.contains(secret), "secret in error: {message}");
    let is_b64 = |b: &u8| b.is_ascii_alphanumeric() || b"+/_-".contains(b);
    for run in input.split(|b| !is_b64(b)) {
        let looks_encoded = run.len() >= 20
            && run.iter().any(u8::is_ascii_digit)
            && run.iter().any(u8::is_ascii_lowercase)
            && run.iter().any(u8::is_ascii_uppercase);
        if looks_encoded {
            let run = std::str::from_utf8(run).unwrap_or_default();
            assert!(!message.contains(run), "input echoed in error: {message}");
        }
    }
}
