//! base64url without padding (RFC 7515 section 2), strict on decode.

pub fn encode(data: &[u8]) -> String {
    base64_simd::URL_SAFE_NO_PAD.encode_to_string(data)
}

pub fn encode_into(data: &[u8], out: &mut String) {
    base64_simd::URL_SAFE_NO_PAD.encode_append(data, out);
}

/// Decodes base64url text (SIMD where the CPU has it). Whitespace, the `+/`
/// alphabet and non-canonical trailing bits are refused. Correct `=`
/// padding is accepted, as PyJWT accepts it: some issuers (AWS load
/// balancers) pad their tokens.
pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    let unpadded = match text {
        [rest @ .., b'=', b'='] | [rest @ .., b'='] if text.len().is_multiple_of(4) => rest,
        _ => text,
    };
    base64_simd::URL_SAFE_NO_PAD.decode_to_vec(unpadded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    // An independent implementation to check against.
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

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
        assert_eq!(decode(b"Zm8=").unwrap(), b"fo");
        assert_eq!(decode(b"Zg==").unwrap(), b"f");
        for bad in [
            &b"+/8"[..],
            b"Zm9v=",
            b"Zg=",
            b"Zg===",
            b"Z===",
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
