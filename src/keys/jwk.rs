//! JSON Web Keys (RFC 7517, RFC 7518 section 6, RFC 8037) to keys and back.

use aws_lc_rs::signature::{EcdsaKeyPair, Ed25519KeyPair, ParsedPublicKey, RsaKeyPair};
use serde_json::{Map, Value};

use super::{der, signing_alg, verify_alg, EcKey, EdKey, Key, RsaKey};
use crate::algorithm::Curve;
use crate::b64;
use crate::error::Error;

/// The members of a JWK object, parsed from its JSON text.
pub struct JwkFields(Map<String, Value>);

impl JwkFields {
    pub fn from_json(text: &[u8]) -> Result<JwkFields, Error> {
        match serde_json::from_slice::<Value>(text) {
            Ok(Value::Object(members)) => Ok(JwkFields(members)),
            Ok(_) => Err(Error::key("A JWK must be a JSON object")),
            Err(_) => Err(Error::key("Could not parse the JWK: invalid JSON")),
        }
    }

    fn text(&self, name: &str) -> Result<Option<&str>, Error> {
        match self.0.get(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(Error::key(format!("JWK member {name:?} must be a string"))),
        }
    }

    /// A required base64url member, decoded.
    fn bytes(&self, name: &str) -> Result<Vec<u8>, Error> {
        match self.text(name)? {
            Some(text) => b64::decode(text.as_bytes())
                .ok_or_else(|| Error::key(format!("JWK member {name:?} is not base64url"))),
            None => Err(Error::key(format!("JWK is missing the {name:?} member"))),
        }
    }

    fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

pub fn parse(jwk: &JwkFields) -> Result<Key, Error> {
    match jwk.text("kty")? {
        Some("oct") => Key::hmac(&jwk.bytes("k")?),
        Some("RSA") => rsa(jwk),
        Some("EC") => ec(jwk),
        Some("OKP") => okp(jwk),
        Some(other) => Err(Error::key(format!("Unsupported JWK key type {other:?}"))),
        None => Err(Error::key("JWK is missing the \"kty\" member")),
    }
}

fn rsa(jwk: &JwkFields) -> Result<Key, Error> {
    let n = jwk.bytes("n")?;
    let e = jwk.bytes("e")?;
    if !jwk.has("d") {
        return RsaKey::from_public_pkcs1(&der::uint_sequence(false, &[&n, &e])).map(Key::Rsa);
    }
    if jwk.has("oth") {
        return Err(Error::key("Multi-prime RSA JWKs are not supported"));
    }
    let names = ["d", "p", "q", "dp", "dq", "qi"];
    let mut parts = Vec::with_capacity(names.len());
    for name in names {
        parts.push(jwk.bytes(name)?);
    }
    let mut integers: Vec<&[u8]> = vec![&n, &e];
    integers.extend(parts.iter().map(Vec::as_slice));
    let pkcs1 = der::uint_sequence(true, &integers);
    let pair = RsaKeyPair::from_der(&pkcs1).map_err(|e| super::rejected("RSA private JWK", e))?;
    RsaKey::from_pair(pair).map(Key::Rsa)
}

fn ec(jwk: &JwkFields) -> Result<Key, Error> {
    let curve = match jwk.text("crv")? {
        Some(name) => Curve::from_name(name)
            .ok_or_else(|| Error::key(format!("Unsupported EC curve {name:?}")))?,
        None => return Err(Error::key("JWK is missing the \"crv\" member")),
    };
    let (x, y) = (jwk.bytes("x")?, jwk.bytes("y")?);
    let size = curve.coordinate_len();
    if x.len() != size || y.len() != size {
        return Err(Error::key(format!(
            "JWK coordinates of a {} key must be {size} bytes",
            curve.name()
        )));
    }
    let mut point = Vec::with_capacity(1 + 2 * size);
    point.push(0x04);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    if !jwk.has("d") {
        return ec_public_from_point(&point);
    }
    let d = jwk.bytes("d")?;
    let pair = EcdsaKeyPair::from_private_key_and_public_key(signing_alg(curve), &d, &point)
        .map_err(|e| super::rejected("EC private JWK", e))?;
    EcKey::from_pair(curve, pair).map(Key::Ec)
}

/// An EC public key from its uncompressed point; the curve follows from its length.
pub fn ec_public_from_point(point: &[u8]) -> Result<Key, Error> {
    let curve = match point.len() {
        65 => Curve::P256,
        97 => Curve::P384,
        133 => Curve::P521,
        _ => {
            return Err(Error::key(
                "Could not parse the EC public key: bad point length",
            ))
        }
    };
    let parsed = ParsedPublicKey::new(verify_alg(curve), point)
        .map_err(|e| super::rejected("EC public key", e))?;
    EcKey::from_parsed(curve, parsed).map(Key::Ec)
}

fn okp(jwk: &JwkFields) -> Result<Key, Error> {
    match jwk.text("crv")? {
        Some("Ed25519") => {}
        Some(other) => return Err(Error::key(format!("Unsupported OKP curve {other:?}"))),
        None => return Err(Error::key("JWK is missing the \"crv\" member")),
    }
    let x = jwk.bytes("x")?;
    if !jwk.has("d") {
        return EdKey::from_public(&x).map(Key::Ed);
    }
    let pair = Ed25519KeyPair::from_seed_and_public_key(&jwk.bytes("d")?, &x)
        .map_err(|e| super::rejected("Ed25519 private JWK", e))?;
    EdKey::from_pair(pair).map(Key::Ed)
}

pub fn export_public(key: &Key) -> Result<Vec<(&'static str, String)>, Error> {
    let mut members = vec![("kty", key.kty().to_string())];
    match key {
        Key::Hmac(_) => return Err(Error::key("HMAC secrets are not exported as JWKs")),
        Key::Rsa(k) => {
            let public = aws_lc_rs::rsa::PublicKey::from_der(k.public_der())
                .map_err(|e| super::rejected("RSA public key", e))?;
            let parts = aws_lc_rs::rsa::PublicKeyComponents::<Vec<u8>>::from(&public);
            members.push(("n", b64::encode(strip_zeros(&parts.n))));
            members.push(("e", b64::encode(strip_zeros(&parts.e))));
        }
        Key::Ec(k) => {
            let size = k.curve().coordinate_len();
            let point = k.point();
            members.push(("crv", k.curve().name().to_string()));
            members.push(("x", b64::encode(&point[1..1 + size])));
            members.push(("y", b64::encode(&point[1 + size..])));
        }
        Key::Ed(k) => {
            members.push(("crv", "Ed25519".to_string()));
            members.push(("x", b64::encode(k.public())));
        }
    }
    Ok(members)
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    &bytes[skip..]
}
