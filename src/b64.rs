//! base64url without padding (RFC 7515 section 2), strict on decode.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

pub fn encode(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

pub fn encode_into(data: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(data, out);
}

const INVALID: u8 = 0xff;

/// The 6-bit value of each base64url character, INVALID for the rest.
const VALUES: [u8; 256] = {
    let mut table = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Decodes base64url text. Padding, whitespace, the `+/` alphabet and
/// non-canonical trailing bits are all refused. (A table-driven decoder:
/// token segments are short, and this one is several times faster on them
/// than a general-purpose engine.)
pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    let tail = match text.len() % 4 {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return None,
    };
    let mut out = vec![0u8; text.len() / 4 * 3 + tail];
    let mut chunks = text.chunks_exact(4);
    let mut at = 0;
    for chunk in &mut chunks {
        let (a, b, c, d) = (
            VALUES[chunk[0] as usize],
            VALUES[chunk[1] as usize],
            VALUES[chunk[2] as usize],
            VALUES[chunk[3] as usize],
        );
        // Valid values fit in 6 bits; INVALID has the top bits set.
        if (a | b | c | d) & 0xc0 != 0 {
            return None;
        }
        let word = (u32::from(a) << 18) | (u32::from(b) << 12) | (u32::from(c) << 6) | u32::from(d);
        out[at..at + 3].copy_from_slice(&word.to_be_bytes()[1..]);
        at += 3;
    }
    let mut word = 0u32;
    for (i, byte) in chunks.remainder().iter().enumerate() {
        let value = VALUES[*byte as usize];
        if value == INVALID {
            return None;
        }
        word |= u32::from(value) << (18 - 6 * i);
    }
    // The bits past the last whole byte must be zero (canonical encoding).
    let leftover = match tail {
        1 => word & 0xffff,
        2 => word & 0xff,
        _ => 0,
    };
    if leftover != 0 {
        return None;
    }
    out[at..].copy_from_slice(&word.to_be_bytes()[1..1 + tail]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for len in 0..70 {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = encode(&data);
            assert_eq!(decode(text.as_bytes()).unwrap(), data, "{text}");
            assert_eq!(URL_SAFE_NO_PAD.decode(&text).unwrap(), data);
        }
    }

    #[test]
    fn strict_alphabet() {
        assert_eq!(encode(b"\xfb\xff"), "-_8");
        for bad in [
            &b"+/8"[..],
            b"Zm9v=",
            b"Zm 9v",
            b"Zm9vY",
            b"Zm9=",
            b"-_9",
            b"Zh",
            b"Zm9vYr",
            b"\xff\xff\xff\xff",
            b"Zm9v\n",
        ] {
            assert_eq!(decode(bad), None, "{:?}", String::from_utf8_lossy(bad));
            assert!(URL_SAFE_NO_PAD.decode(bad).is_err());
        }
    }
}
