//! ECDSA and Ed25519 through aws-lc's own primitives (RSA: `raw_rsa`), for less work per token
//! than aws-lc-rs's `sign`/`verify_sig` do around the same primitives.
//!
//! aws-lc-rs signs and verifies through EVP: a digest context and a key
//! context allocated and freed per call, ECDSA signatures written as DER by
//! aws-lc and converted back to the fixed r || s form (and, to verify, r || s
//! converted to DER for aws-lc to parse again), and each signature returned
//! in a zeroed buffer sized for the largest signature aws-lc-rs makes (some
//! kilobytes). Here the key is prepared once as aws-lc's `EC_KEY` (or
//! Ed25519's 64-byte private key), the message is hashed on the stack, and
//! `ECDSA_do_sign`/`ECDSA_do_verify`/`ED25519_sign`/`ED25519_verify` are called
//! directly: the same aws-lc functions the EVP layer ends in. The
//! keys are still parsed and checked by aws-lc-rs; this module only takes
//! them over from it.

use std::ptr::{self, NonNull};

use aws_lc_rs::encoding::AsBigEndian;
use aws_lc_rs::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use aws_lc_sys as lc;

use crate::algorithm::Curve;

/// The longest fixed ECDSA signature: P-521's two 66-byte integers.
const MAX_EC_SIGNATURE: usize = 132;

/// An Ed25519 private key as `ED25519_sign` takes it: the seed, then the
/// public key. Wiped when dropped.
pub(super) struct Ed25519Private([u8; 64]);

impl Ed25519Private {
    /// The private key of `pair`, None if aws-lc-rs does not give its seed.
    pub(super) fn new(pair: &Ed25519KeyPair) -> Option<Ed25519Private> {
        let seed = pair.seed().ok()?.as_be_bytes().ok()?;
        let seed: &[u8; 32] = seed.as_ref().try_into().ok()?;
        let mut public = [0; 32];
        let mut private = [0; 64];
        // SAFETY: the buffers have the 32 and 64 bytes the function writes,
        // the seed the 32 it reads.
        unsafe {
            lc::ED25519_keypair_from_seed(public.as_mut_ptr(), private.as_mut_ptr(), seed.as_ptr())
        };
        // The same key pair as aws-lc-rs parsed, or none at all.
        (public == pair.public_key().as_ref()).then_some(Ed25519Private(private))
    }

    pub(super) fn sign(&self, message: &[u8]) -> Option<[u8; 64]> {
        let mut signature = [0; 64];
        // SAFETY: 64 bytes written to `signature`, `message.len()` read from
        // `message`, 64 from the private key.
        let ok = unsafe {
            lc::ED25519_sign(
                signature.as_mut_ptr(),
                message.as_ptr(),
                message.len(),
                self.0.as_ptr(),
            )
        };
        (ok == 1).then_some(signature)
    }
}

/// Checks an Ed25519 `signature` over `message` with the 32-byte `public` key.
pub(super) fn ed25519_verify(public: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let (Ok(public), Ok(signature)) = (
        <&[u8; 32]>::try_from(public),
        <&[u8; 64]>::try_from(signature),
    ) else {
        return false;
    };
    // SAFETY: 32 bytes read from the key, 64 from the signature,
    // `message.len()` from the message.
    unsafe {
        lc::ED25519_verify(
            message.as_ptr(),
            message.len(),
            signature.as_ptr(),
            public.as_ptr(),
        ) == 1
    }
}

impl Drop for Ed25519Private {
    fn drop(&mut self) {
        // SAFETY: the 64 bytes of the array.
        unsafe { lc::OPENSSL_cleanse(self.0.as_mut_ptr().cast(), self.0.len()) };
    }
}

/// The key `take` gets (with a reference of its own) from the private key
/// parsed from the PKCS#8 `der`; null if aws-lc cannot parse it.
pub(super) fn private_key<T>(der: &[u8], take: impl FnOnce(*mut lc::EVP_PKEY) -> *mut T) -> *mut T {
    // SAFETY: the CBS reads `der`, alive for the whole block; the EVP_PKEY
    // parsed from it is handed to `take` and freed here.
    unsafe {
        let mut cbs = std::mem::MaybeUninit::<lc::CBS>::uninit();
        lc::CBS_init(cbs.as_mut_ptr(), der.as_ptr(), der.len());
        let pkey = lc::EVP_parse_private_key(cbs.as_mut_ptr());
        if pkey.is_null() {
            return ptr::null_mut();
        }
        let key = take(pkey);
        lc::EVP_PKEY_free(pkey);
        key
    }
}

/// A fixed-form ECDSA signature (r || s), on the stack.
pub struct EcSignature {
    bytes: [u8; MAX_EC_SIGNATURE],
    len: usize,
}

impl AsRef<[u8]> for EcSignature {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// An aws-lc `EC_KEY` owned by this value (freed when dropped): a private
/// key to sign with, or a public key to verify with.
pub(super) struct EcRaw {
    key: NonNull<lc::EC_KEY>,
    curve: Curve,
}

// SAFETY: the EC_KEY is never changed after construction, and aws-lc's
// signing and verifying functions take it `const`: it is safe to use from
// several threads at once, as aws-lc-rs's own key pairs (which hold the same
// object inside an EVP_PKEY) are.
unsafe impl Send for EcRaw {}
// SAFETY: as for Send.
unsafe impl Sync for EcRaw {}

impl Drop for EcRaw {
    fn drop(&mut self) {
        // SAFETY: the key is owned by this value and freed once.
        unsafe { lc::EC_KEY_free(self.key.as_ptr()) };
    }
}

fn nid(curve: Curve) -> i32 {
    match curve {
        Curve::P256 => lc::NID_X9_62_prime256v1,
        Curve::P384 => lc::NID_secp384r1,
        Curve::P521 => lc::NID_secp521r1,
    }
}

/// The SHA-2 hashes the JWS algorithms sign with.
#[derive(Clone, Copy)]
pub(super) enum Sha {
    S256,
    S384,
    S512,
}

/// The hash ECDSA signs with on `curve` (ES256/ES384/ES512's).
fn curve_sha(curve: Curve) -> Sha {
    match curve {
        Curve::P256 => Sha::S256,
        Curve::P384 => Sha::S384,
        Curve::P521 => Sha::S512,
    }
}

/// The `sha` digest of `message`, on the stack.
pub(super) fn digest(sha: Sha, message: &[u8]) -> ([u8; 64], usize) {
    let mut out = [0; 64];
    // SAFETY: each function reads `message` and writes its digest length
    // (32, 48, 64 bytes) into the 64-byte buffer.
    let len = unsafe {
        match sha {
            Sha::S256 => {
                lc::SHA256(message.as_ptr(), message.len(), out.as_mut_ptr());
                32
            }
            Sha::S384 => {
                lc::SHA384(message.as_ptr(), message.len(), out.as_mut_ptr());
                48
            }
            Sha::S512 => {
                lc::SHA512(message.as_ptr(), message.len(), out.as_mut_ptr());
                64
            }
        }
    };
    (out, len)
}

impl EcRaw {
    fn own(key: *mut lc::EC_KEY, curve: Curve) -> Option<EcRaw> {
        NonNull::new(key).map(|key| EcRaw { key, curve })
    }

    /// The private key of `pair`, re-read from its PKCS#8 form.
    pub(super) fn private(curve: Curve, pair: &EcdsaKeyPair) -> Option<EcRaw> {
        let document = pair.to_pkcs8v1().ok()?;
        // SAFETY: get1 gives a reference of our own, owned by the result.
        let key = private_key(document.as_ref(), |pkey| unsafe {
            lc::EVP_PKEY_get1_EC_KEY(pkey)
        });
        EcRaw::own(key, curve)
    }

    /// The public key of an uncompressed SEC1 `point` on `curve`.
    pub(super) fn public(curve: Curve, point: &[u8]) -> Option<EcRaw> {
        // SAFETY: a new EC_KEY (owned by `raw`, freed on every path), a
        // point made on its group and freed here after the key copied it;
        // oct2point reads `point.len()` bytes of `point`.
        unsafe {
            let raw = EcRaw::own(lc::EC_KEY_new_by_curve_name(nid(curve)), curve)?;
            let group = lc::EC_KEY_get0_group(raw.key.as_ptr());
            let p = lc::EC_POINT_new(group);
            if p.is_null() {
                return None;
            }
            let ok = lc::EC_POINT_oct2point(group, p, point.as_ptr(), point.len(), ptr::null_mut())
                == 1
                && lc::EC_KEY_set_public_key(raw.key.as_ptr(), p) == 1;
            lc::EC_POINT_free(p);
            ok.then_some(raw)
        }
    }

    /// The fixed-form signature of `message` (JWS's r || s).
    pub(super) fn sign(&self, message: &[u8]) -> Option<EcSignature> {
        let n = self.curve.coordinate_len();
        let (digest, digest_len) = digest(curve_sha(self.curve), message);
        let mut out = EcSignature {
            bytes: [0; MAX_EC_SIGNATURE],
            len: 2 * n,
        };
        // SAFETY: the digest buffer holds `digest_len` bytes; the signature
        // made is freed here; r and s are borrowed from it while it lives and
        // each written as exactly `n` bytes (2n <= MAX_EC_SIGNATURE); padded
        // writing fails rather than overflow when a value does not fit.
        unsafe {
            let sig = lc::ECDSA_do_sign(digest.as_ptr(), digest_len, self.key.as_ptr());
            if sig.is_null() {
                return None;
            }
            let mut r = ptr::null();
            let mut s = ptr::null();
            lc::ECDSA_SIG_get0(sig, &mut r, &mut s);
            let (r_out, s_out) = out.bytes.split_at_mut(n);
            let ok = !r.is_null()
                && !s.is_null()
                && lc::BN_bn2bin_padded(r_out.as_mut_ptr(), n, r) == 1
                && lc::BN_bn2bin_padded(s_out.as_mut_ptr(), n, s) == 1;
            lc::ECDSA_SIG_free(sig);
            ok.then_some(out)
        }
    }

    /// Checks a fixed-form `signature` (r || s) over `message`.
    pub(super) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let n = self.curve.coordinate_len();
        if signature.len() != 2 * n {
            return false;
        }
        let (r, s) = signature.split_at(n);
        let (digest, digest_len) = digest(curve_sha(self.curve), message);
        // SAFETY: r and s are read as `n` bytes each into new BIGNUMs, which
        // the ECDSA_SIG owns once set0 accepts them (freed here otherwise);
        // the ECDSA_SIG is freed here; the digest buffer holds `digest_len`.
        unsafe {
            let sig = lc::ECDSA_SIG_new();
            if sig.is_null() {
                return false;
            }
            let r = lc::BN_bin2bn(r.as_ptr(), n, ptr::null_mut());
            let s = lc::BN_bin2bn(s.as_ptr(), n, ptr::null_mut());
            let valid = if r.is_null() || s.is_null() || lc::ECDSA_SIG_set0(sig, r, s) != 1 {
                lc::BN_free(r);
                lc::BN_free(s);
                false
            } else {
                lc::ECDSA_do_verify(digest.as_ptr(), digest_len, sig, self.key.as_ptr()) == 1
            };
            lc::ECDSA_SIG_free(sig);
            valid
        }
    }
}
