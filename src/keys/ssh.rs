//! OpenSSH public keys, one `authorized_keys` line: `<type> <base64> [comment]`,
//! for `ssh-rsa` (RFC 4253 section 6.6), `ecdsa-sha2-nistp256/384/521`
//! (RFC 5656 section 3.1) and `ssh-ed25519` (RFC 8709 section 4). The base64
//! body is the SSH wire encoding: the type again, then the key's fields, each
//! a uint32 length and that many bytes.

use super::{der, jwk, EdKey, Key, RsaKey};
use crate::algorithm::Curve;
use crate::error::Error;

/// The key types read here, each with the curve an ECDSA key must be on.
const TYPES: [(&str, Option<Curve>); 5] = [
    ("ssh-rsa", None),
    ("ssh-ed25519", None),
    ("ecdsa-sha2-nistp256", Some(Curve::P256)),
    ("ecdsa-sha2-nistp384", Some(Curve::P384)),
    ("ecdsa-sha2-nistp521", Some(Curve::P521)),
];

/// True when `text` starts like an OpenSSH public key of any type PyJWT
/// recognises (`ssh-dss` included, so that it is refused by name).
pub fn looks_like_ssh(text: &[u8]) -> bool {
    let text = text.trim_ascii_start();
    text.starts_with(b"ssh-") || text.starts_with(b"ecdsa-sha2-")
}

#[cold]
fn invalid(why: &str) -> Error {
    Error::key(format!("Could not parse the SSH public key: {why}"))
}

/// The fields of the SSH wire format, read front to back.
struct Wire<'a>(&'a [u8]);

impl<'a> Wire<'a> {
    /// One `string` (or `mpint`): a big-endian uint32 length, then the bytes.
    fn field(&mut self) -> Result<&'a [u8], Error> {
        let truncated = || invalid("truncated key data");
        let (len, rest) = self.0.split_first_chunk::<4>().ok_or_else(truncated)?;
        let len = usize::try_from(u32::from_be_bytes(*len)).map_err(|_| truncated())?;
        if rest.len() < len {
            return Err(truncated());
        }
        let (field, rest) = rest.split_at(len);
        self.0 = rest;
        Ok(field)
    }

    /// An `mpint` that must be positive: its magnitude, leading zeros kept
    /// (the DER writer strips them).
    fn positive(&mut self) -> Result<&'a [u8], Error> {
        let value = self.field()?;
        match value.first() {
            Some(first) if first & 0x80 == 0 => Ok(value),
            _ => Err(invalid("an RSA integer is zero or negative")),
        }
    }

    fn finish(self) -> Result<(), Error> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(invalid("trailing bytes after the key"))
        }
    }
}

/// Parses one OpenSSH public key line into a public [`Key`].
pub fn parse(text: &[u8]) -> Result<Key, Error> {
    let text = std::str::from_utf8(text).map_err(|_| invalid("not ASCII text"))?;
    let mut words = text.split_ascii_whitespace();
    let (Some(name), Some(body)) = (words.next(), words.next()) else {
        return Err(invalid("expected \"<type> <base64>\""));
    };
    let Some(&(name, curve)) = TYPES.iter().find(|(known, _)| *known == name) else {
        return Err(invalid(
            "unsupported key type (ssh-rsa, ssh-ed25519 and ecdsa-sha2-nistp256/384/521 are)",
        ));
    };
    let blob = base64_simd::STANDARD
        .decode_to_vec(body.as_bytes())
        .map_err(|_| invalid("the key data is not base64"))?;
    let mut wire = Wire(&blob);
    if wire.field()? != name.as_bytes() {
        return Err(invalid("the key data names another key type"));
    }
    let key = match curve {
        None if name == "ssh-rsa" => {
            let e = wire.positive()?;
            let n = wire.positive()?;
            RsaKey::from_public_pkcs1(&der::uint_sequence(false, &[n, e])).map(Key::Rsa)?
        }
        None => EdKey::from_public(wire.field()?).map(Key::Ed)?,
        Some(curve) => {
            let identifier = name.trim_start_matches("ecdsa-sha2-");
            if wire.field()? != identifier.as_bytes() {
                return Err(invalid("the curve does not match the key type"));
            }
            let key = jwk::ec_public_from_point(wire.field()?)?;
            if key.curve() != Some(curve.name()) {
                return Err(invalid("the point is not on the key type's curve"));
            }
            key
        }
    };
    wire.finish()?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(out: &mut Vec<u8>, field: &[u8]) {
        out.extend_from_slice(&(field.len() as u32).to_be_bytes());
        out.extend_from_slice(field);
    }

    fn line(name: &str, fields: &[&[u8]]) -> Vec<u8> {
        let mut blob = Vec::new();
        string(&mut blob, name.as_bytes());
        for field in fields {
            string(&mut blob, field);
        }
        format!(
            "{name} {} comment@host",
            base64_simd::STANDARD.encode_to_string(&blob)
        )
        .into_bytes()
    }

    fn message(result: Result<Key, Error>) -> String {
        match result {
            Err(Error::InvalidKey(why)) => why.into_owned(),
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn recognises_the_prefixes() {
        assert!(looks_like_ssh(b"  ssh-rsa AAAA"));
        assert!(looks_like_ssh(b"ecdsa-sha2-nistp256 AAAA"));
        assert!(!looks_like_ssh(b"-----BEGIN PUBLIC KEY-----"));
    }

    #[test]
    fn ed25519_round_trip() {
        let raw = [7u8; 32];
        let parsed = parse(&line("ssh-ed25519", &[&raw])).unwrap();
        assert_eq!(parsed.identity()[2..], raw);
        assert!(!parsed.is_private());
    }

    #[test]
    fn refuses_malformed_lines() {
        assert!(message(parse(b"ssh-rsa")).contains("expected"));
        assert!(message(parse(b"ssh-dss AAAA")).contains("unsupported key type"));
        assert!(message(parse(b"ssh-ed25519 !!!!")).contains("not base64"));
        assert!(message(parse(&line("ssh-rsa", &[]))).contains("truncated"));
        let mut wrong = line("ssh-ed25519", &[&[1u8; 32]]);
        wrong.splice(0..11, b"ssh-rsa".iter().copied());
        assert!(message(parse(&wrong)).contains("names another key type"));
        assert!(message(parse(&line("ssh-ed25519", &[&[1u8; 32], b"x"]))).contains("trailing"));
        assert!(message(parse(&line("ssh-ed25519", &[&[1u8; 31]]))).contains("32 bytes"));
        assert!(message(parse(&line("ssh-rsa", &[&[0x81], &[0x01]]))).contains("negative"));
        assert!(message(parse(&line(
            "ecdsa-sha2-nistp256",
            &[b"nistp384", &[4u8; 65]]
        )))
        .contains("curve"));
    }

    #[test]
    fn a_huge_length_is_truncation_not_a_panic() {
        let mut blob = vec![0xff, 0xff, 0xff, 0xff];
        blob.extend_from_slice(b"ssh-rsa");
        let text = format!("ssh-rsa {}", base64_simd::STANDARD.encode_to_string(&blob));
        assert!(message(parse(text.as_bytes())).contains("truncated"));
    }
}
