//! Arbitrary bytes decoded as a token, as `ferrojwt.jwt.decode` does it:
//! split, header, algorithm (HS256, RS256/PS256 or ES256, each with its key),
//! signature, payload, claims. Nothing may panic; nothing may verify that the
//! key did not sign; no error may show the secret or the token.
#![no_main]

use ferrojwt::algorithm::Algorithm;
use ferrojwt::claims::{self, Validation};
use ferrojwt::error::Error;
use ferrojwt::json::parse_object;
use ferrojwt::jws;
use ferrojwt::members::MemberSink;
use ferrojwt_fuzz::{assert_discreet, keys, NOW};
use libfuzzer_sys::fuzz_target;

const ALLOWED: [&str; 5] = ["HS256", "RS256", "PS256", "ES256", "none"];

fn decode(token: &[u8]) -> Result<Algorithm, Error> {
    let segments = jws::split(token)?;
    let header = parse_object(&segments.header, &mut MemberSink, "header")?;
    let alg = jws::check_header(&header, |name| ALLOWED.contains(&name))?;
    let key = keys().for_alg(alg);
    key.verify(alg, segments.signing_input, &segments.signature)?;
    // A signature that verifies must be one the key's owner made: for HMAC
    // the fuzzer cannot guess it, so it must equal the one signing gives.
    if alg == Algorithm::HS256 {
        let expected = key.sign(alg, segments.signing_input)?;
        assert_eq!(
            &*expected, &*segments.signature,
            "HMAC accepted a wrong signature"
        );
    }
    let payload = parse_object(&segments.payload, &mut MemberSink, "payload")?;
    claims::validate(&payload, &Validation::new(true, NOW))?;
    Ok(alg)
}

fuzz_target!(|token: &[u8]| {
    if let Err(err) = decode(token) {
        assert_discreet(&err.to_string(), token);
        assert!(!err.exception_name().is_empty());
    }
});
