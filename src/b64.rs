//! base64url without padding (RFC 7515 section 2), strict on decode.

use std::borrow::Cow;
use std::mem::MaybeUninit;

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
    let mut out = Vec::new();
    decode_into(text, &mut out).then_some(out)
}

/// [`decode`] into `buffer` when the result fits there (no allocation),
/// else into a new vector.
pub fn decode_in<'b>(text: &[u8], buffer: &'b mut [MaybeUninit<u8>]) -> Option<Cow<'b, [u8]>> {
    let unpadded = unpad(text);
    let engine = base64_simd::URL_SAFE_NO_PAD;
    let length = engine.decoded_length(unpadded).ok()?;
    match buffer.get_mut(..length) {
        Some(room) => engine
            .decode(unpadded, base64_simd::Out::from_uninit_slice(room))
            .ok()
            .map(|decoded| Cow::Borrowed(&*decoded)),
        None => engine.decode_to_vec(unpadded).ok().map(Cow::Owned),
    }
}

/// The text without its `=` padding, when it is correct padding.
fn unpad(text: &[u8]) -> &[u8] {
    match text {
        [rest @ .., b'=', b'='] | [rest @ .., b'='] if text.len().is_multiple_of(4) => rest,
        _ => text,
    }
}

/// [`decode`] into `out` (cleared first, its capacity reused); false when
/// `text` is refused.
pub fn decode_into(text: &[u8], out: &mut Vec<u8>) -> bool {
    let unpadded = unpad(text);
    out.clear();
    base64_simd::URL_SAFE_NO_PAD
        .decode_append(unpadded, out)
        .is_ok()
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
    fn decoding_in_a_buffer_or_not_is_alike() {
        for len in 0..70 {
            let data: Vec<u8> = (0..len).map(|i| (i * 53 + 5) as u8).collect();
            let text = encode(&data);
            let mut small = [MaybeUninit::uninit(); 16];
            let mut large = [MaybeUninit::uninit(); 128];
            for buffer in [&mut small[..], &mut large[..]] {
                assert_eq!(
                    decode_in(text.as_bytes(), buffer).as_deref(),
                    Some(&data[..])
                );
            }
        }
        for bad in [&b"+/8"[..], b"Zg=", b"Zm9vY", b"Zh", b"Zm9v\n"] {
            assert_eq!(decode_in(bad, &mut [MaybeUninit::uninit(); 64]), None);
            assert_eq!(decode_in(bad, &mut []), None);
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
