//! base64url without padding (RFC 7515 section 2), strict on decode.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

pub fn encode(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

pub fn encode_into(data: &[u8], out: &mut String) {
    base64_simd::URL_SAFE_NO_PAD.encode_append(data, out);
}

/// Decodes base64url text. Padding, whitespace, the `+/` alphabet and
/// non-canonical trailing bits are all refused (SIMD where the CPU has it).
pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    base64_simd::URL_SAFE_NO_PAD.decode_to_vec(text).ok()
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
