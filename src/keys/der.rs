//! The few DER shapes ferrojwt writes or recognises itself.

/// The SubjectPublicKeyInfo prefix of every Ed25519 public key (RFC 8410):
/// SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (33 bytes) }.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// The raw 32-byte key of an Ed25519 SPKI, if `der` is one.
pub fn ed25519_spki_key(der: &[u8]) -> Option<&[u8]> {
    der.strip_prefix(&ED25519_SPKI_PREFIX[..])
        .filter(|raw| raw.len() == 32)
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// A DER INTEGER holding the unsigned big-endian `magnitude`.
fn push_uint(out: &mut Vec<u8>, magnitude: &[u8]) {
    let skip = magnitude.iter().take_while(|b| **b == 0).count();
    let digits = &magnitude[skip..];
    let pad = digits.first().is_none_or(|b| b & 0x80 != 0);
    out.push(0x02);
    push_len(out, digits.len() + usize::from(pad));
    if pad {
        out.push(0);
    }
    out.extend_from_slice(digits);
}

/// SEQUENCE of unsigned INTEGERs, with an optional leading version 0.
pub fn uint_sequence(version: bool, integers: &[&[u8]]) -> Vec<u8> {
    let mut body = Vec::new();
    if version {
        body.extend_from_slice(&[0x02, 0x01, 0x00]);
    }
    for integer in integers {
        push_uint(&mut body, integer);
    }
    let mut out = vec![0x30];
    push_len(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_minimal_and_non_negative() {
        assert_eq!(
            uint_sequence(false, &[&[0x01, 0x00, 0x01]]),
            [0x30, 0x05, 0x02, 0x03, 0x01, 0x00, 0x01]
        );
        assert_eq!(
            uint_sequence(true, &[&[0x00, 0x80]]),
            [0x30, 0x07, 0x02, 0x01, 0x00, 0x02, 0x02, 0x00, 0x80]
        );
        assert_eq!(uint_sequence(false, &[&[]]), [0x30, 0x03, 0x02, 0x01, 0x00]);
    }

    #[test]
    fn long_lengths() {
        let big = [0x7f; 300];
        let der = uint_sequence(false, &[&big]);
        assert_eq!(&der[..8], &[0x30, 0x82, 0x01, 0x30, 0x02, 0x82, 0x01, 0x2c]);
        assert_eq!(der.len(), 4 + 4 + 300);
    }
}
