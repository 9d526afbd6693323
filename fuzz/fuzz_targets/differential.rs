//! The core's decision on an HMAC token against the reference decoder in
//! ferrojwt_fuzz::reference. The input's first four bytes choose the rules
//! (flags, leeway, where the header ends, a small clock) and
//! how the token is built; the rest is a header and a payload that are
//! signed with the right key (so that the fuzzer gets past the signature
//! into the payload's rules), or, in raw mode, the token text itself.
#![no_main]

use base64::engine::general_purpose::URL_SAFE;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ferrojwt::claims::{self, Expected, Validation};
use ferrojwt::error::Error;
use ferrojwt::json::parse_object;
use ferrojwt::jws;
use ferrojwt::members::MemberSink;
use ferrojwt_fuzz::reference::{self, Rules};
use ferrojwt_fuzz::{keys, HMAC_SECRET, NOW};
use libfuzzer_sys::fuzz_target;

const ALLOWED: [&str; 4] = ["HS256", "HS512", "RS256", "none"];
const AUDIENCE: &str = "fuzz-aud";
const ISSUER: &str = "fuzz-iss";
const REQUIRE: [&str; 1] = ["exp"];

fn ours(token: &[u8], rules: &Rules) -> Result<(), Error> {
    let segments = jws::split(token)?;
    let header = parse_object(&segments.header, &mut MemberSink, "header")?;
    let alg = jws::check_header(&header, |name| ALLOWED.contains(&name))?;
    // The one key is an HMAC secret: any other family is a key mismatch.
    keys()
        .hmac
        .verify(alg, segments.signing_input, &segments.signature)?;
    let payload = parse_object(&segments.payload, &mut MemberSink, "payload")?;
    let mut v = Validation::new(true, rules.now);
    v.leeway = rules.leeway;
    v.audience = rules.audience.map(|a| Expected::One(a.to_string()));
    v.issuer = rules.issuer.map(|i| Expected::One(i.to_string()));
    v.require = rules.require.iter().map(|r| r.to_string()).collect();
    claims::validate(&payload, &v)
}

/// `header.payload.signature`, each segment base64url (padded when asked),
/// signed with HS256 or HS512 and the fuzz secret, the signature altered
/// when asked.
fn build(header: &[u8], payload: &[u8], flags: u8) -> Vec<u8> {
    let engine = if flags & 0x40 != 0 {
        &URL_SAFE
    } else {
        &URL_SAFE_NO_PAD
    };
    let mut token = engine.encode(header);
    token.push('.');
    token.push_str(&engine.encode(payload));
    let alg = if flags & 0x02 != 0 {
        aws_lc_rs::hmac::HMAC_SHA512
    } else {
        aws_lc_rs::hmac::HMAC_SHA256
    };
    let key = aws_lc_rs::hmac::Key::new(alg, HMAC_SECRET);
    let mut signature = aws_lc_rs::hmac::sign(&key, token.as_bytes())
        .as_ref()
        .to_vec();
    if flags & 0x04 != 0 {
        signature[0] ^= 1;
    }
    token.push('.');
    token.push_str(&engine.encode(&signature));
    token.into_bytes()
}

fuzz_target!(|data: &[u8]| {
    let [flags, leeway, split, clock, rest @ ..] = data else {
        return;
    };
    let rules = Rules {
        allowed: &ALLOWED,
        secret: HMAC_SECRET,
        // A clock near zero puts the time boundaries on numbers the fuzzer
        // reaches by changing a digit or two; the real epoch checks large ones.
        now: if flags & 0x80 != 0 {
            f64::from(*clock)
        } else {
            NOW
        },
        leeway: f64::from(*leeway),
        audience: (flags & 0x08 != 0).then_some(AUDIENCE),
        issuer: (flags & 0x10 != 0).then_some(ISSUER),
        require: if flags & 0x20 != 0 { &REQUIRE } else { &[] },
    };
    let token = if flags & 0x01 != 0 {
        rest.to_vec()
    } else {
        let at = if rest.is_empty() {
            0
        } else {
            usize::from(*split) % (rest.len() + 1)
        };
        let (header, payload) = rest.split_at(at);
        build(header, payload, *flags)
    };
    let core = ours(&token, &rules).map_err(|e| e.exception_name());
    let expected = reference::decide(&token, &rules);
    assert_eq!(
        core,
        expected,
        "core and reference disagree on {:?}",
        String::from_utf8_lossy(&token)
    );
});
