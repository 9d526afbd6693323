//! Parsed keys. A [`Key`] is built once (from PEM, DER, a JWK or an HMAC
//! secret) and then signs or verifies any number of tokens without parsing
//! anything again: RSA/EC/Ed25519 keys are held as aws-lc-rs key objects,
//! HMAC secrets as keyed hash states ready to be cloned.

mod der;
mod hmac;
mod jwk;
mod mac;
mod pem;
mod raw;
mod raw_rsa;
mod ssh;

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::signature::{
    self as sig, EcdsaKeyPair, EcdsaSigningAlgorithm, Ed25519KeyPair, KeyPair, ParsedPublicKey,
    RsaKeyPair,
};

use crate::algorithm::{Algorithm, Curve, Family};
use crate::error::Error;

pub use self::hmac::HmacKey;
pub use self::jwk::JwkFields;
pub use self::raw::EcSignature;

use self::raw::{EcRaw, Ed25519Private};
use self::raw_rsa::RsaRaw;

/// A key ready to sign (private keys, HMAC secrets) and to verify (all keys).
// Keys are built once and shared behind an Arc: the size of the HMAC variant
// (its three precomputed hash states) costs nothing per call, a Box would.
#[allow(clippy::large_enum_variant)]
pub enum Key {
    Hmac(HmacKey),
    Rsa(RsaKey),
    Ec(EcKey),
    Ed(EdKey),
}

pub struct RsaKey {
    private: Option<RsaKeyPair>,
    /// PKCS#1 RSAPublicKey DER.
    public_der: Vec<u8>,
    /// The key as aws-lc's RSA functions take it (see `raw_rsa`): the
    /// private key when there is one, else the public key.
    raw: RsaRaw,
}

pub struct EcKey {
    curve: Curve,
    private: Option<EcdsaKeyPair>,
    /// Uncompressed SEC1 point (0x04 || x || y).
    point: Vec<u8>,
    /// The key as aws-lc's ECDSA functions take it (see `raw`): the private
    /// key when there is one, else the public key.
    raw: EcRaw,
}

pub struct EdKey {
    private: Option<Ed25519KeyPair>,
    /// The private key as `ED25519_sign` takes it (see `raw`).
    raw_private: Option<Ed25519Private>,
    /// The 32-byte public key, as `ED25519_verify` takes it (see `raw`).
    public: Vec<u8>,
}

/// A signature as made, held where it was made: HMAC tags and EC and Ed25519
/// signatures on the stack (no allocation per token), RSA ones on the heap.
pub enum Signature {
    Mac(mac::Tag),
    Ec(EcSignature),
    Ed([u8; 64]),
    Rsa(Vec<u8>),
}

impl std::ops::Deref for Signature {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Signature::Mac(tag) => tag.as_ref(),
            Signature::Ec(signature) => signature.as_ref(),
            Signature::Ed(signature) => signature,
            Signature::Rsa(bytes) => bytes,
        }
    }
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Signature").field(&&**self).finish()
    }
}

/// The message of every key-family mismatch: names no key material.
#[cold]
fn wrong_family(key: &Key, alg: Algorithm) -> Error {
    Error::key(format!(
        "{} cannot be used with the {} algorithm",
        key.describe(),
        alg.name()
    ))
}

#[cold]
fn rejected(what: &str, why: impl std::fmt::Display) -> Error {
    Error::key(format!("Could not parse the {what}: {why}"))
}

impl Key {
    /// An HMAC secret. Text that is plainly an asymmetric key (PEM, an SSH
    /// public key) is refused: using a public key as an HMAC secret is the
    /// classic algorithm-confusion attack.
    pub fn hmac(secret: &[u8]) -> Result<Key, Error> {
        HmacKey::new(secret).map(Key::Hmac)
    }

    /// RSA, EC or Ed25519 keys in PEM: PKCS#1, SEC1, PKCS#8, SPKI, or an
    /// X.509 certificate (its public key).
    pub fn from_pem(text: &[u8]) -> Result<Key, Error> {
        pem::parse(text)
    }

    /// An OpenSSH public key line (`ssh-rsa`, `ssh-ed25519`,
    /// `ecdsa-sha2-nistp256/384/521`), as in `authorized_keys`.
    pub fn from_ssh(text: &[u8]) -> Result<Key, Error> {
        ssh::parse(text)
    }

    /// True when `text` starts like an OpenSSH public key.
    pub fn looks_like_ssh(text: &[u8]) -> bool {
        ssh::looks_like_ssh(text)
    }

    /// PyJWT's warning for an HMAC secret shorter than the hash output
    /// (RFC 7518 section 3.2); None for every other key.
    pub fn short_secret_warning(&self, alg: Algorithm) -> Option<String> {
        match self {
            Key::Hmac(k) => k.short_secret_warning(alg),
            _ => None,
        }
    }

    /// A PKCS#8 private key or an SPKI public key, DER-encoded.
    pub fn from_der(der: &[u8]) -> Result<Key, Error> {
        Key::from_pkcs8(der).or_else(|_| Key::from_spki(der))
    }

    /// A JWK (RFC 7517) of kty oct, RSA, EC or OKP.
    pub fn from_jwk(fields: &JwkFields) -> Result<Key, Error> {
        jwk::parse(fields)
    }

    fn from_pkcs8(der: &[u8]) -> Result<Key, Error> {
        if let Ok(pair) = RsaKeyPair::from_pkcs8(der) {
            return RsaKey::from_pair(pair).map(Key::Rsa);
        }
        for curve in [Curve::P256, Curve::P384, Curve::P521] {
            if let Ok(pair) = EcdsaKeyPair::from_pkcs8(signing_alg(curve), der) {
                return EcKey::from_pair(curve, pair).map(Key::Ec);
            }
        }
        match Ed25519KeyPair::from_pkcs8(der) {
            Ok(pair) => EdKey::from_pair(pair).map(Key::Ed),
            Err(_) => Err(Error::key(
                "Could not parse the private key: not an RSA (2048 to 8192 bits), \
                 P-256, P-384, P-521 or Ed25519 PKCS#8 key",
            )),
        }
    }

    fn from_spki(der: &[u8]) -> Result<Key, Error> {
        if let Some(raw) = der::ed25519_spki_key(der) {
            return EdKey::from_public(raw).map(Key::Ed);
        }
        if let Ok(public) = aws_lc_rs::rsa::PublicKey::from_der(der) {
            return RsaKey::from_public_pkcs1(public.as_ref()).map(Key::Rsa);
        }
        for curve in [Curve::P256, Curve::P384, Curve::P521] {
            if let Ok(parsed) = ParsedPublicKey::new(verify_alg(curve), der) {
                return EcKey::from_parsed(curve, parsed).map(Key::Ec);
            }
        }
        Err(Error::key(
            "Could not parse the public key: not an RSA, P-256, P-384, P-521 or Ed25519 \
             SubjectPublicKeyInfo",
        ))
    }

    pub fn is_private(&self) -> bool {
        match self {
            Key::Hmac(_) => true,
            Key::Rsa(k) => k.private.is_some(),
            Key::Ec(k) => k.private.is_some(),
            Key::Ed(k) => k.private.is_some(),
        }
    }

    /// The JWK `kty`.
    pub fn kty(&self) -> &'static str {
        match self {
            Key::Hmac(_) => "oct",
            Key::Rsa(_) => "RSA",
            Key::Ec(_) => "EC",
            Key::Ed(_) => "OKP",
        }
    }

    pub fn curve(&self) -> Option<&'static str> {
        match self {
            Key::Ec(k) => Some(k.curve.name()),
            Key::Ed(_) => Some("Ed25519"),
            _ => None,
        }
    }

    fn describe(&self) -> String {
        let visibility = if self.is_private() {
            "private"
        } else {
            "public"
        };
        match self {
            Key::Hmac(_) => "An HMAC secret".to_string(),
            Key::Rsa(_) => format!("An RSA {visibility} key"),
            Key::Ec(k) => format!("An EC {} {visibility} key", k.curve.name()),
            Key::Ed(_) => format!("An Ed25519 {visibility} key"),
        }
    }

    /// Refuses a key whose family does not match the algorithm: an HMAC
    /// token verified with an RSA key, an ES384 token with a P-256 key.
    pub fn check_algorithm(&self, alg: Algorithm) -> Result<(), Error> {
        let fits = match (alg.family(), self) {
            (Family::Hmac, Key::Hmac(_)) => true,
            (Family::Rsa, Key::Rsa(_)) => true,
            (Family::Ec(curve), Key::Ec(k)) => k.curve == curve,
            (Family::Ed25519, Key::Ed(_)) => true,
            _ => false,
        };
        if fits {
            Ok(())
        } else {
            Err(wrong_family(self, alg))
        }
    }

    /// Signs `message` (the JWS signing input) with `alg`.
    pub fn sign(&self, alg: Algorithm, message: &[u8]) -> Result<Signature, Error> {
        self.check_algorithm(alg)?;
        let failed = || Error::key(format!("Signing with {} failed", alg.name()));
        match self {
            Key::Hmac(k) => Ok(Signature::Mac(k.sign(alg, message))),
            Key::Rsa(k) => {
                if k.private.is_none() {
                    return Err(needs_private(alg));
                }
                k.raw
                    .sign(alg, message)
                    .map(Signature::Rsa)
                    .ok_or_else(failed)
            }
            Key::Ec(k) => {
                if k.private.is_none() {
                    return Err(needs_private(alg));
                }
                k.raw.sign(message).map(Signature::Ec).ok_or_else(failed)
            }
            Key::Ed(k) => {
                let private = k.raw_private.as_ref().ok_or_else(|| needs_private(alg))?;
                private.sign(message).map(Signature::Ed).ok_or_else(failed)
            }
        }
    }

    /// Checks `signature` over `message` with `alg`.
    pub fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        self.check_algorithm(alg)?;
        let valid = match self {
            Key::Hmac(k) => k.verify(alg, message, signature),
            Key::Rsa(k) => k.raw.verify(alg, message, signature),
            Key::Ec(k) => k.raw.verify(message, signature),
            Key::Ed(k) => raw::ed25519_verify(&k.public, message, signature),
        };
        if valid {
            Ok(())
        } else {
            Err(Error::InvalidSignature)
        }
    }

    /// The public half of an asymmetric key (itself when already public).
    /// An HMAC secret has none.
    pub fn public_key(&self) -> Result<Key, Error> {
        match self {
            Key::Hmac(_) => Err(Error::key("An HMAC secret has no public half")),
            Key::Rsa(k) => RsaKey::from_public_pkcs1(&k.public_der).map(Key::Rsa),
            Key::Ec(k) => {
                let parsed = ParsedPublicKey::new(verify_alg(k.curve), &k.point)
                    .map_err(|e| rejected("EC public key", e))?;
                EcKey::from_parsed(k.curve, parsed).map(Key::Ec)
            }
            Key::Ed(k) => EdKey::from_public(&k.public).map(Key::Ed),
        }
    }

    /// The public JWK members of the key, each value base64url-encoded where
    /// RFC 7518 says so. HMAC secrets are never exported.
    pub fn public_jwk(&self) -> Result<Vec<(&'static str, String)>, Error> {
        jwk::export_public(self)
    }

    /// Bytes that identify the key: equal keys have equal identities.
    pub fn identity(&self) -> Vec<u8> {
        let (tag, body): (u8, &[u8]) = match self {
            Key::Hmac(k) => (0, k.secret()),
            Key::Rsa(k) => (1, &k.public_der),
            Key::Ec(k) => (2, &k.point),
            Key::Ed(k) => (3, &k.public),
        };
        let mut id = Vec::with_capacity(body.len() + 2);
        id.push(tag);
        id.push(u8::from(self.is_private()));
        id.extend_from_slice(body);
        id
    }
}

#[cold]
fn needs_private(alg: Algorithm) -> Error {
    Error::key(format!(
        "A public key cannot sign: {} needs the private key",
        alg.name()
    ))
}

fn signing_alg(curve: Curve) -> &'static EcdsaSigningAlgorithm {
    match curve {
        Curve::P256 => &sig::ECDSA_P256_SHA256_FIXED_SIGNING,
        Curve::P384 => &sig::ECDSA_P384_SHA384_FIXED_SIGNING,
        Curve::P521 => &sig::ECDSA_P521_SHA512_FIXED_SIGNING,
    }
}

fn verify_alg(curve: Curve) -> &'static sig::EcdsaVerificationAlgorithm {
    match curve {
        Curve::P256 => &sig::ECDSA_P256_SHA256_FIXED,
        Curve::P384 => &sig::ECDSA_P384_SHA384_FIXED,
        Curve::P521 => &sig::ECDSA_P521_SHA512_FIXED,
    }
}

/// RSA moduli shorter than this many bytes are refused (2048 bits).
const RSA_MIN_MODULUS_BYTES: usize = 256;

impl RsaKey {
    fn from_pair(pair: RsaKeyPair) -> Result<RsaKey, Error> {
        let public_der = pair.public_key().as_ref().to_vec();
        let mut key = RsaKey::from_public_pkcs1(&public_der)?;
        let pkcs8: Pkcs8V1Der<'static> =
            pair.as_der().map_err(|e| rejected("RSA private key", e))?;
        key.raw = RsaRaw::private(pkcs8.as_ref())
            .ok_or_else(|| rejected("RSA private key", "aws-lc refused it"))?;
        key.private = Some(pair);
        Ok(key)
    }

    fn from_public_pkcs1(der: &[u8]) -> Result<RsaKey, Error> {
        let public =
            aws_lc_rs::rsa::PublicKey::from_der(der).map_err(|e| rejected("RSA public key", e))?;
        if public.modulus_len() < RSA_MIN_MODULUS_BYTES {
            return Err(Error::key("RSA keys shorter than 2048 bits are refused"));
        }
        let public_der = public.as_ref().to_vec();
        let raw = RsaRaw::public(&public_der)
            .ok_or_else(|| rejected("RSA public key", "aws-lc refused it"))?;
        Ok(RsaKey {
            private: None,
            public_der,
            raw,
        })
    }

    pub fn public_der(&self) -> &[u8] {
        &self.public_der
    }
}

impl EcKey {
    fn from_pair(curve: Curve, pair: EcdsaKeyPair) -> Result<EcKey, Error> {
        let point = pair.public_key().as_ref().to_vec();
        ParsedPublicKey::new(verify_alg(curve), &point)
            .map_err(|e| rejected("EC public key", e))?;
        let raw = EcRaw::private(curve, &pair)
            .ok_or_else(|| rejected("EC private key", "aws-lc refused it"))?;
        Ok(EcKey {
            curve,
            private: Some(pair),
            point,
            raw,
        })
    }

    fn from_parsed(curve: Curve, parsed: ParsedPublicKey) -> Result<EcKey, Error> {
        // The uncompressed point closes both an SPKI and a bare SEC1 point.
        let bytes = parsed.as_ref();
        let len = 1 + 2 * curve.coordinate_len();
        let point = match bytes.len().checked_sub(len).map(|at| &bytes[at..]) {
            Some(point) if point[0] == 0x04 => point.to_vec(),
            _ => {
                return Err(Error::key(
                    "Could not parse the EC public key: not uncompressed",
                ))
            }
        };
        let raw = EcRaw::public(curve, &point)
            .ok_or_else(|| rejected("EC public key", "aws-lc refused it"))?;
        Ok(EcKey {
            curve,
            private: None,
            point,
            raw,
        })
    }

    pub fn curve(&self) -> Curve {
        self.curve
    }

    pub fn point(&self) -> &[u8] {
        &self.point
    }
}

impl EdKey {
    fn from_pair(pair: Ed25519KeyPair) -> Result<EdKey, Error> {
        let mut key = EdKey::from_public(pair.public_key().as_ref())?;
        key.raw_private = Some(
            Ed25519Private::new(&pair)
                .ok_or_else(|| rejected("Ed25519 private key", "aws-lc refused it"))?,
        );
        key.private = Some(pair);
        Ok(key)
    }

    fn from_public(raw: &[u8]) -> Result<EdKey, Error> {
        if raw.len() != 32 {
            return Err(Error::key(
                "Could not parse the Ed25519 public key: not 32 bytes",
            ));
        }
        // aws-lc-rs checks the key (a point on the curve) here, once.
        ParsedPublicKey::new(&sig::ED25519, raw).map_err(|e| rejected("Ed25519 public key", e))?;
        Ok(EdKey {
            private: None,
            raw_private: None,
            public: raw.to_vec(),
        })
    }

    pub fn public(&self) -> &[u8] {
        &self.public
    }
}

#[cfg(test)]
mod tests;
