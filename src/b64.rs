//! base64url without padding (RFC 7515 section 2), strict on decode.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

pub fn encode(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

pub fn encode_into(data: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(data, out);
}

/// Decodes base64url text. Padding, whitespace, the `+/` alphabet and
/// non-canonical trailing bits are all refused.
pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for data in [&b""[..], b"f", b"fo", b"foo", b"\xff\xfe\xfd"] {
            assert_eq!(decode(encode(data).as_bytes()).unwrap(), data);
        }
    }

    #[test]
    fn strict_alphabet() {
        assert_eq!(encode(b"\xfb\xff"), "-_8");
        for bad in [&b"+/8"[..], b"Zm9v=", b"Zm 9v", b"Zm9vY", b"Zm9=", b"-_9"] {
            assert_eq!(decode(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
