//! PEM text to keys, by the label of the PEM block.

use aws_lc_rs::signature::{EcdsaKeyPair, RsaKeyPair};
use jsonwebtoken::DecodingKey;

use super::{signing_alg, EcKey, Key, RsaKey};
use crate::algorithm::Curve;
use crate::error::Error;

pub fn parse(text: &[u8]) -> Result<Key, Error> {
    let block = ::pem::parse(text)
        .map_err(|_| Error::key("Could not parse the key: not PEM text (no BEGIN/END block)"))?;
    let der = block.contents();
    match block.tag() {
        "PRIVATE KEY" => Key::from_pkcs8(der),
        "PUBLIC KEY" => Key::from_spki(der),
        "RSA PRIVATE KEY" => RsaKeyPair::from_der(der)
            .map_err(|e| super::rejected("RSA private key", e))
            .and_then(RsaKey::from_pair)
            .map(Key::Rsa),
        "RSA PUBLIC KEY" => RsaKey::from_public_pkcs1(der).map(Key::Rsa),
        "EC PRIVATE KEY" => sec1_private(der),
        "CERTIFICATE" => certificate(text),
        "ENCRYPTED PRIVATE KEY" => Err(Error::key(
            "Encrypted private keys are not supported: decrypt the key first",
        )),
        other => Err(Error::key(format!(
            "Could not parse the key: unsupported PEM label {other:?}"
        ))),
    }
}

fn sec1_private(der: &[u8]) -> Result<Key, Error> {
    for curve in [Curve::P256, Curve::P384, Curve::P521] {
        if let Ok(pair) = EcdsaKeyPair::from_private_key_der(signing_alg(curve), der) {
            return EcKey::from_pair(curve, pair).map(Key::Ec);
        }
    }
    Err(Error::key(
        "Could not parse the EC private key: not a P-256, P-384 or P-521 key",
    ))
}

/// The public key of an X.509 certificate, found by jsonwebtoken's PEM reader.
fn certificate(text: &[u8]) -> Result<Key, Error> {
    let invalid = || Error::key("Could not read a public key from the certificate");
    if let Ok(key) = DecodingKey::from_rsa_pem(text) {
        let der = key.try_get_as_bytes().map_err(|_| invalid())?;
        return RsaKey::from_public_pkcs1(der).map(Key::Rsa);
    }
    if let Ok(key) = DecodingKey::from_ec_pem(text) {
        let point = key.try_get_as_bytes().map_err(|_| invalid())?;
        return super::jwk::ec_public_from_point(point);
    }
    if let Ok(key) = DecodingKey::from_ed_pem(text) {
        let raw = key.try_get_as_bytes().map_err(|_| invalid())?;
        return super::EdKey::from_public(raw).map(Key::Ed);
    }
    Err(invalid())
}
