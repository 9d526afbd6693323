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

/// The three segments of a compact JWS as they stand in the token, still
/// base64url text.
pub struct Compact<'a> {
    /// `header.payload`, the bytes the signature covers.
    pub signing_input: &'a [u8],
    pub header: &'a [u8],
    pub payload: &'a [u8],
    pub signature: &'a [u8],
}

/// Finds the three segments of `token` without decoding them, refusing an
/// oversized token before any work.
pub fn split_compact(token: &[u8]) -> Result<Compact<'_>, Error> {
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
    Ok(Compact {
        signing_input: &token[..second],
        header: &token[..first],
        payload: &token[first + 1..second],
        signature: &token[second + 1..],
    })
}

/// Decodes one segment (`what`: "header", "payload" or "crypto", as PyJWT
/// names them in its message) into `out`, replacing what it held.
pub fn decode_segment(text: &[u8], what: &str, out: &mut Vec<u8>) -> Result<(), Error> {
    if b64::decode_into(text, out) {
        Ok(())
    } else {
        Err(Error::decode(format!("Invalid {what} padding")))
    }
}

/// [`decode_segment`] into `buffer` when it fits there, else into a new vector.
pub fn decode_segment_in<'b>(
    text: &[u8],
    what: &str,
    buffer: &'b mut [std::mem::MaybeUninit<u8>],
) -> Result<std::borrow::Cow<'b, [u8]>, Error> {
    b64::decode_in(text, buffer).ok_or_else(|| Error::decode(format!("Invalid {what} padding")))
}

/// Splits `token` into its three segments and decodes each, refusing an
/// oversized token before any work.
pub fn split(token: &[u8]) -> Result<Segments<'_>, Error> {
    let compact = split_compact(token)?;
    let mut segments = Segments {
        signing_input: compact.signing_input,
        header: Vec::new(),
        payload: Vec::new(),
        signature: Vec::new(),
    };
    decode_segment(compact.header, "header", &mut segments.header)?;
    decode_segment(compact.payload, "payload", &mut segments.payload)?;
    decode_segment(compact.signature, "crypto", &mut segments.signature)?;
    Ok(segments)
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
    check_unverified(header)?;
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
    check_crit(header)
}

/// The header rules of decoding, also without verification: the common
/// ones, then RFC 7797 section 3's rule that a `"b64": false` header must
/// list `b64` in `crit` (PyJWT's check and message; with `crit` the token is
/// refused by [`check_crit`] anyway).
pub fn check_unverified(header: &impl Members) -> Result<(), Error> {
    check_common(header)?;
    if header.member("b64") == Member::Bool(false) {
        return Err(Error::InvalidToken(
            "The 'b64' header parameter requires 'b64' to be listed in 'crit'.".into(),
        ));
    }
    Ok(())
}

/// `crit` (RFC 7515 section 4.1.11): refused whenever present, because
/// ferrojwt implements no JWS extension. The reasons, and their order, are
/// PyJWT's wherever PyJWT refuses too (a malformed list, an extension it does
/// not know, `b64` listed but absent); PyJWT's one accepted extension, `b64`
/// (RFC 7797), is refused as unsupported.
fn check_crit(header: &impl Members) -> Result<(), Error> {
    let refuse = |why: String| Err(Error::InvalidToken(why.into()));
    let items = match header.member("crit") {
        Member::Absent => return Ok(()),
        Member::List(items) if !items.is_empty() => items,
        _ => return refuse("Invalid 'crit' header: must be a non-empty list".into()),
    };
    for item in &items {
        let Member::Str(extension) = item else {
            return refuse("Invalid 'crit' header: values must be strings".into());
        };
        if extension != "b64" {
            return refuse(format!("Unsupported critical extension: {extension}"));
        }
        if header.member(extension) == Member::Absent {
            return refuse(format!(
                "Critical extension '{extension}' is missing from headers"
            ));
        }
    }
    refuse("Unsupported critical extension: b64 (unencoded payloads, RFC 7797)".into())
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
        let crit = |value: Member, b64: bool| {
            let mut header = vec![("alg", Member::Str("HS256".into())), ("crit", value)];
            if b64 {
                header.push(("b64", Member::Bool(true)));
            }
            match check_header(&header, |alg| alg == "HS256") {
                Err(Error::InvalidToken(why)) => why.into_owned(),
                other => panic!("{other:?}"),
            }
        };
        let strings = |names: &[&str]| {
            Member::List(names.iter().map(|n| Member::Str(n.to_string())).collect())
        };
        assert_eq!(
            crit(strings(&["exp"]), false),
            "Unsupported critical extension: exp"
        );
        assert_eq!(
            crit(strings(&[]), false),
            "Invalid 'crit' header: must be a non-empty list"
        );
        assert_eq!(
            crit(Member::Str("b64".into()), true),
            "Invalid 'crit' header: must be a non-empty list"
        );
        assert_eq!(
            crit(Member::List(vec![Member::Number(1.0)]), false),
            "Invalid 'crit' header: values must be strings"
        );
        assert_eq!(
            crit(strings(&["b64"]), false),
            "Critical extension 'b64' is missing from headers"
        );
        assert!(crit(strings(&["b64"]), true).starts_with("Unsupported critical extension: b64"));
        let unencoded = vec![
            ("alg", Member::Str("HS256".into())),
            ("b64", Member::Bool(false)),
        ];
        assert_eq!(
            check_unverified(&unencoded),
            Err(Error::InvalidToken(
                "The 'b64' header parameter requires 'b64' to be listed in 'crit'.".into()
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
