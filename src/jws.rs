//! JWS Compact Serialization (RFC 7515 section 7.1): splitting a token,
//! checking its header, and assembling the signing input.

use crate::algorithm::Algorithm;
use crate::b64;
use crate::error::Error;
use crate::members::{Member, Members};

/// Tokens longer than this are refused before anything is decoded.
pub const MAX_TOKEN_BYTES: usize = 1 << 20;

/// The three segments of a compact JWS, base64url-decoded.
pub struct Segments<'a> {
    /// `header.payload`, the bytes the signature covers.
    pub signing_input: &'a [u8],
    pub header: Vec<u8>,
    pub payload: Vec<u8>,
    pub signature: Vec<u8>,
}

/// Splits `token` into its three segments and decodes each, refusing an
/// oversized token before any work.
pub fn split(token: &[u8]) -> Result<Segments<'_>, Error> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Error::decode(format!(
            "Token is too large: over {MAX_TOKEN_BYTES} bytes"
        )));
    }
    let mut dots = memchr::memchr_iter(b'.', token);
    let (first, second) = match (dots.next(), dots.next(), dots.next()) {
        (Some(first), Some(second), None) => (first, second),
        (_, _, Some(_)) => return Err(Error::decode("Too many segments")),
        _ => return Err(Error::decode("Not enough segments")),
    };
    let segment = |bytes: &[u8], what: &'static str| {
        b64::decode(bytes).ok_or_else(|| Error::decode(format!("Invalid {what} padding")))
    };
    Ok(Segments {
        signing_input: &token[..second],
        header: segment(&token[..first], "header")?,
        payload: segment(&token[first + 1..second], "payload")?,
        signature: segment(&token[second + 1..], "crypto")?,
    })
}

/// The `kid` header parameter, when present, must be a string.
pub fn check_kid(kid: &Member) -> Result<(), Error> {
    match kid {
        Member::Absent | Member::Str(_) => Ok(()),
        _ => Err(Error::InvalidToken(
            "Key ID header parameter must be a string".into(),
        )),
    }
}

/// Checks a decoded header and returns the algorithm to verify with.
///
/// `is_allowed` comes from the caller, never from the token: the token's
/// `alg` must pass it, and then be one ferrojwt implements (`none` never
/// is). ferrojwt understands no critical extension, so any `crit`
/// header is refused (RFC 7515 section 4.1.11).
pub fn check_header(
    header: &impl Members,
    is_allowed: impl Fn(&str) -> bool,
) -> Result<Algorithm, Error> {
    check_common(header)?;
    match header.member("alg") {
        Member::Absent => Err(Error::InvalidAlgorithm("Algorithm not specified")),
        Member::Str(name) if is_allowed(&name) => Algorithm::from_name(&name),
        _ => Err(Error::InvalidAlgorithm(
            "The specified alg value is not allowed",
        )),
    }
}

/// The header rules that hold even when the signature is not verified.
pub fn check_common(header: &impl Members) -> Result<(), Error> {
    check_kid(&header.member("kid"))?;
    match header.member("crit") {
        Member::Absent => Ok(()),
        _ => Err(Error::InvalidToken(
            "Unsupported critical header parameter (crit)".into(),
        )),
    }
}

/// `base64url(header).base64url(payload)`, with room left for the signature.
pub fn signing_input(header_json: &[u8], payload_json: &[u8]) -> String {
    let mut out = String::with_capacity((header_json.len() + payload_json.len()) * 4 / 3 + 100);
    b64::encode_into(header_json, &mut out);
    out.push('.');
    b64::encode_into(payload_json, &mut out);
    out
}

/// Appends `.base64url(signature)` to a signing input, completing the token.
pub fn append_signature(token: &mut String, signature: &[u8]) {
    token.push('.');
    b64::encode_into(signature, token);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_error(token: &[u8]) -> String {
        match split(token) {
            Err(Error::Decode(msg)) => msg.into_owned(),
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn segments_are_counted() {
        assert_eq!(decode_error(b""), "Not enough segments");
        assert_eq!(decode_error(b"abc"), "Not enough segments");
        assert_eq!(decode_error(b"a.b"), "Not enough segments");
        assert_eq!(decode_error(b"a.b.c.d"), "Too many segments");
        assert_eq!(decode_error(b"e30.e30.e30.e30.e30"), "Too many segments");
    }

    #[test]
    fn each_segment_must_be_base64url() {
        assert_eq!(decode_error(b"e3=.e30.AA"), "Invalid header padding");
        assert_eq!(decode_error(b"e30.e3+0.AA"), "Invalid payload padding");
        assert_eq!(decode_error(b"e30.e30.A"), "Invalid crypto padding");
    }

    #[test]
    fn oversized_tokens_fail_before_decoding() {
        let token = vec![b'A'; MAX_TOKEN_BYTES + 1];
        assert!(decode_error(&token).starts_with("Token is too large"));
    }

    #[test]
    fn stripped_signature_is_an_empty_segment() {
        let parts = split(b"e30.e30.").unwrap();
        assert!(parts.signature.is_empty());
        assert_eq!(parts.signing_input, b"e30.e30");
    }

    #[test]
    fn header_alg_must_be_allowed() {
        let allowed = |alg: &str| alg == "HS256";
        let header = |alg: Member| vec![("alg", alg)];
        assert_eq!(
            check_header(&header(Member::Str("HS256".into())), allowed),
            Ok(Algorithm::HS256)
        );
        assert_eq!(
            check_header(&header(Member::Absent), allowed),
            Err(Error::InvalidAlgorithm("Algorithm not specified"))
        );
        for alg in [
            Member::Str("none".into()),
            Member::Str("RS256".into()),
            Member::Str("hs256".into()),
            Member::Null,
            Member::Number(1.0),
        ] {
            assert_eq!(
                check_header(&header(alg), allowed),
                Err(Error::InvalidAlgorithm(
                    "The specified alg value is not allowed"
                ))
            );
        }
    }

    #[test]
    fn none_is_never_supported_even_when_allowed() {
        let header = vec![("alg", Member::Str("none".into()))];
        assert_eq!(
            check_header(&header, |alg| alg == "none"),
            Err(Error::InvalidAlgorithm("Algorithm not supported"))
        );
    }

    #[test]
    fn crit_and_kid_rules() {
        let crit = vec![
            ("alg", Member::Str("HS256".into())),
            ("crit", Member::List(vec![Member::Str("exp".into())])),
        ];
        assert_eq!(
            check_header(&crit, |alg| alg == "HS256"),
            Err(Error::InvalidToken(
                "Unsupported critical header parameter (crit)".into()
            ))
        );
        let kid = vec![
            ("alg", Member::Str("HS256".into())),
            ("kid", Member::Number(7.0)),
        ];
        assert_eq!(
            check_header(&kid, |alg| alg == "HS256"),
            Err(Error::InvalidToken(
                "Key ID header parameter must be a string".into()
            ))
        );
    }
}
