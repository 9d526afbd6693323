//! RSA (RS256/384/512, PS256/384/512) through aws-lc's own primitives, as
//! `raw` does for ECDSA and Ed25519.
//!
//! aws-lc-rs signs and verifies RSA through EVP: per call a digest context
//! and a key context are allocated, set up for the padding and freed, and a
//! signature is copied out of a buffer of its own. Here the key is held as
//! aws-lc's `RSA`, the message hashed on the stack, and `RSA_sign`,
//! `RSA_sign_pss_mgf1`, `RSA_verify` and `RSA_verify_pss_mgf1` are called
//! directly: the functions that EVP's RSA methods end in, with the same
//! arguments (PSS with MGF1 over the signature's hash and a salt as long as
//! the digest, which is what aws-lc-rs asks for and what PyJWT writes). The
//! keys are still parsed and checked by aws-lc-rs; this module only takes
//! them over from it.

use std::os::raw::c_uint;
use std::ptr::{self, NonNull};

use aws_lc_sys as lc;

use super::raw::{digest, private_key, Sha};
use crate::algorithm::Algorithm;

/// The moduli aws-lc-rs verifies with (its `RSA_*_2048_8192_*` parameters):
/// a signature made with a key outside them is refused as it refuses it.
const VERIFIED_BITS: std::ops::RangeInclusive<c_uint> = 2048..=8192;

/// An aws-lc `RSA` key owned by this value (freed when dropped).
pub(super) struct RsaRaw {
    key: NonNull<lc::RSA>,
}

// SAFETY: the RSA object is never changed after construction by this code;
// aws-lc's signing and verifying functions lock what they compute lazily
// (Montgomery contexts, blinding) themselves, as they must for aws-lc-rs's
// own key objects, which share the same object between threads.
unsafe impl Send for RsaRaw {}
// SAFETY: as for Send.
unsafe impl Sync for RsaRaw {}

impl Drop for RsaRaw {
    fn drop(&mut self) {
        // SAFETY: the key is owned by this value and freed once.
        unsafe { lc::RSA_free(self.key.as_ptr()) };
    }
}

/// The hash of an RSA algorithm, and whether it pads with PSS.
fn scheme(alg: Algorithm) -> (Sha, bool) {
    match alg {
        Algorithm::RS384 => (Sha::S384, false),
        Algorithm::RS512 => (Sha::S512, false),
        Algorithm::PS256 => (Sha::S256, true),
        Algorithm::PS384 => (Sha::S384, true),
        Algorithm::PS512 => (Sha::S512, true),
        _ => (Sha::S256, false),
    }
}

fn nid(sha: Sha) -> i32 {
    match sha {
        Sha::S256 => lc::NID_sha256,
        Sha::S384 => lc::NID_sha384,
        Sha::S512 => lc::NID_sha512,
    }
}

fn md(sha: Sha) -> *const lc::EVP_MD {
    // SAFETY: the functions return pointers to aws-lc's static digests.
    unsafe {
        match sha {
            Sha::S256 => lc::EVP_sha256(),
            Sha::S384 => lc::EVP_sha384(),
            Sha::S512 => lc::EVP_sha512(),
        }
    }
}

impl RsaRaw {
    /// The public key of a PKCS#1 `RSAPublicKey` DER.
    pub(super) fn public(pkcs1: &[u8]) -> Option<RsaRaw> {
        // SAFETY: `pkcs1.len()` bytes are read; the RSA made is owned by the
        // result.
        NonNull::new(unsafe { lc::RSA_public_key_from_bytes(pkcs1.as_ptr(), pkcs1.len()) })
            .map(|key| RsaRaw { key })
    }

    /// The private key of a PKCS#8 DER (as aws-lc-rs writes its key pairs).
    pub(super) fn private(pkcs8: &[u8]) -> Option<RsaRaw> {
        // SAFETY: get1 gives a reference of our own, owned by the result.
        let key = private_key(pkcs8, |pkey| unsafe { lc::EVP_PKEY_get1_RSA(pkey) });
        NonNull::new(key).map(|key| RsaRaw { key })
    }

    /// The signature of `message` with `alg` (an RS or PS algorithm), as
    /// long as the modulus.
    pub(super) fn sign(&self, alg: Algorithm, message: &[u8]) -> Option<Vec<u8>> {
        let (sha, pss) = scheme(alg);
        let (digest, digest_len) = digest(sha, message);
        let rsa = self.key.as_ptr();
        // SAFETY: `out` holds RSA_size bytes, the most either function
        // writes (each reports what it wrote, checked below); the digest
        // buffer holds `digest_len` bytes.
        unsafe {
            let size = lc::RSA_size(rsa) as usize;
            let mut out = vec![0; size];
            let written = if pss {
                let mut len = 0usize;
                let ok = lc::RSA_sign_pss_mgf1(
                    rsa,
                    &mut len,
                    out.as_mut_ptr(),
                    size,
                    digest.as_ptr(),
                    digest_len,
                    md(sha),
                    ptr::null(),
                    lc::RSA_PSS_SALTLEN_DIGEST,
                );
                (ok == 1).then_some(len)
            } else {
                let mut len: c_uint = 0;
                let ok = lc::RSA_sign(
                    nid(sha),
                    digest.as_ptr(),
                    digest_len,
                    out.as_mut_ptr(),
                    &mut len,
                    rsa,
                );
                (ok == 1).then_some(len as usize)
            };
            (written? == size).then_some(out)
        }
    }

    /// Checks `signature` over `message` with `alg` (an RS or PS algorithm).
    pub(super) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        let rsa = self.key.as_ptr();
        // SAFETY: the key is alive while `self` is.
        if !VERIFIED_BITS.contains(&unsafe { lc::RSA_bits(rsa) }) {
            return false;
        }
        let (sha, pss) = scheme(alg);
        let (digest, digest_len) = digest(sha, message);
        // SAFETY: each function reads `digest_len` bytes of the digest and
        // `signature.len()` of the signature, and checks that length itself.
        unsafe {
            if pss {
                lc::RSA_verify_pss_mgf1(
                    rsa,
                    digest.as_ptr(),
                    digest_len,
                    md(sha),
                    ptr::null(),
                    lc::RSA_PSS_SALTLEN_DIGEST,
                    signature.as_ptr(),
                    signature.len(),
                ) == 1
            } else {
                lc::RSA_verify(
                    nid(sha),
                    digest.as_ptr(),
                    digest_len,
                    signature.as_ptr(),
                    signature.len(),
                    rsa,
                ) == 1
            }
        }
    }
}
