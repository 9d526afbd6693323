use super::*;

const NOW: f64 = 1_700_000_000.0;

fn num(n: f64) -> Member {
    Member::Number(n)
}

fn s(text: &str) -> Member {
    Member::Str(text.into())
}

fn check(payload: Vec<(&str, Member)>, edit: impl FnOnce(&mut Validation)) -> Result<(), Error> {
    let mut v = Validation::new(true, NOW);
    edit(&mut v);
    validate(&payload, &v)
}

#[test]
fn time_claims_table() {
    let cases: Vec<(&str, Member, f64, Result<(), Error>)> = vec![
        ("exp", num(NOW + 1.0), 0.0, Ok(())),
        ("exp", num(NOW), 0.0, Err(Error::Expired)),
        ("exp", num(NOW - 1.0), 0.0, Err(Error::Expired)),
        ("exp", num(NOW - 1.0), 2.0, Ok(())),
        ("exp", num(NOW + 0.9), 0.0, Err(Error::Expired)), // truncated as int() does
        (
            "exp",
            s("1800000000"),
            0.0,
            Err(Error::decode(
                "Expiration Time claim (exp) must be an integer.",
            )),
        ),
        (
            "exp",
            Member::Bool(true),
            0.0,
            Err(Error::decode(
                "Expiration Time claim (exp) must be an integer.",
            )),
        ),
        (
            "exp",
            num(f64::INFINITY),
            0.0,
            Err(Error::decode(
                "Expiration Time claim (exp) must be an integer.",
            )),
        ),
        (
            "exp",
            num(f64::NAN),
            0.0,
            Err(Error::decode(
                "Expiration Time claim (exp) must be an integer.",
            )),
        ),
        (
            "nbf",
            num(f64::NEG_INFINITY),
            0.0,
            Err(Error::decode("Not Before claim (nbf) must be an integer.")),
        ),
        (
            "iat",
            num(f64::NEG_INFINITY),
            0.0,
            Err(Error::InvalidIssuedAt(
                "Issued At claim (iat) must be an integer.",
            )),
        ),
        ("exp", num(f64::MAX), 0.0, Ok(())),
        ("nbf", num(NOW), 0.0, Ok(())),
        (
            "nbf",
            num(NOW + 10.0),
            0.0,
            Err(Error::Immature("The token is not yet valid (nbf)")),
        ),
        ("nbf", num(NOW + 10.0), 10.0, Ok(())),
        (
            "nbf",
            s("0"),
            0.0,
            Err(Error::decode("Not Before claim (nbf) must be an integer.")),
        ),
        ("iat", num(NOW), 0.0, Ok(())),
        (
            "iat",
            num(NOW + 5.0),
            0.0,
            Err(Error::Immature("The token is not yet valid (iat)")),
        ),
        (
            "iat",
            s("now"),
            0.0,
            Err(Error::InvalidIssuedAt(
                "Issued At claim (iat) must be an integer.",
            )),
        ),
        (
            "iat",
            Member::Null,
            0.0,
            Err(Error::InvalidIssuedAt(
                "Issued At claim (iat) must be an integer.",
            )),
        ),
    ];
    for (claim, value, leeway, expected) in cases {
        let got = check(vec![(claim, value.clone())], |v| v.leeway = leeway);
        assert_eq!(got, expected, "{claim}={value:?} leeway={leeway}");
    }
}

#[test]
fn disabled_checks_are_skipped() {
    let payload = vec![("exp", num(0.0)), ("nbf", s("x")), ("iat", s("x"))];
    let mut v = Validation::new(false, NOW);
    assert_eq!(validate(&payload, &v), Ok(()));
    v.verify_exp = true;
    assert_eq!(validate(&payload, &v), Err(Error::Expired));
}

#[test]
fn order_is_fixed() {
    // Everything is wrong: the first check in the documented order wins.
    let payload = vec![
        ("iat", num(NOW + 100.0)),
        ("nbf", num(NOW + 100.0)),
        ("exp", num(0.0)),
        ("iss", s("evil")),
        ("aud", s("evil")),
    ];
    let mut v = Validation::new(true, NOW);
    v.issuer = Some(Expected::One("good".into()));
    v.audience = Some(Expected::One("good".into()));
    v.require = vec!["jti".into()];
    let mut seen = Vec::new();
    loop {
        match validate(&payload, &v) {
            Ok(()) => break,
            Err(e) => {
                seen.push(e.exception_name());
                match seen.len() {
                    1 => v.require.clear(),
                    2 => v.verify_iat = false,
                    3 => v.verify_nbf = false,
                    4 => v.verify_exp = false,
                    5 => v.verify_iss = false,
                    _ => v.verify_aud = false,
                }
            }
        }
    }
    assert_eq!(
        seen,
        [
            "MissingRequiredClaimError",
            "ImmatureSignatureError",
            "ImmatureSignatureError",
            "ExpiredSignatureError",
            "InvalidIssuerError",
            "InvalidAudienceError",
        ]
    );
}

#[test]
fn required_claims() {
    assert_eq!(
        check(vec![("sub", Member::Null)], |v| v.require =
            vec!["sub".into()]),
        Err(Error::MissingClaim("sub".into()))
    );
    assert_eq!(
        check(vec![("sub", s("x"))], |v| v.require = vec!["sub".into()]),
        Ok(())
    );
}

type AudienceCase = (Member, Option<Expected>, bool, Result<(), Error>);

#[test]
fn audience_table() {
    let one = |a: &str| Some(Expected::One(a.into()));
    let any = |a: &[&str]| Some(Expected::AnyOf(a.iter().map(|x| x.to_string()).collect()));
    let list = |a: &[&str]| Member::List(a.iter().map(|x| s(x)).collect());
    let cases: Vec<AudienceCase> = vec![
        (Member::Absent, None, false, Ok(())),
        (s(""), None, false, Ok(())),
        (
            s("api"),
            None,
            false,
            Err(Error::InvalidAudience("Invalid audience")),
        ),
        (
            Member::Absent,
            one("api"),
            false,
            Err(Error::MissingClaim("aud".into())),
        ),
        (
            list(&[]),
            one("api"),
            false,
            Err(Error::MissingClaim("aud".into())),
        ),
        (s("api"), one("api"), false, Ok(())),
        (list(&["x", "api"]), one("api"), false, Ok(())),
        (s("api"), any(&["x", "api"]), false, Ok(())),
        (
            s("web"),
            one("api"),
            false,
            Err(Error::InvalidAudience("Audience doesn't match")),
        ),
        (
            Member::List(vec![s("api"), num(1.0)]),
            one("api"),
            false,
            Err(Error::InvalidAudience("Invalid claim format in token")),
        ),
        (
            num(5.0),
            one("api"),
            false,
            Err(Error::InvalidAudience("Invalid claim format in token")),
        ),
        (s("api"), one("api"), true, Ok(())),
        (
            list(&["api"]),
            one("api"),
            true,
            Err(Error::InvalidAudience(
                "Invalid claim format in token (strict)",
            )),
        ),
        (
            s("api"),
            any(&["api"]),
            true,
            Err(Error::InvalidAudience("Invalid audience (strict)")),
        ),
        (
            s("web"),
            one("api"),
            true,
            Err(Error::InvalidAudience("Audience doesn't match (strict)")),
        ),
    ];
    for (aud, audience, strict, expected) in cases {
        let got = check(vec![("aud", aud.clone())], |v| {
            v.audience = audience.clone();
            v.strict_aud = strict;
        });
        assert_eq!(
            got, expected,
            "aud={aud:?} audience={audience:?} strict={strict}"
        );
    }
}

#[test]
fn issuer_subject_jti_table() {
    let iss =
        |claim: Member, want: Option<Expected>| check(vec![("iss", claim)], |v| v.issuer = want);
    assert_eq!(iss(s("a"), None), Ok(()));
    assert_eq!(
        iss(Member::Absent, Some(Expected::One("a".into()))),
        Err(Error::MissingClaim("iss".into()))
    );
    assert_eq!(iss(s("a"), Some(Expected::One("a".into()))), Ok(()));
    assert_eq!(
        iss(s("b"), Some(Expected::AnyOf(vec!["a".into(), "b".into()]))),
        Ok(())
    );
    assert_eq!(
        iss(s("c"), Some(Expected::One("a".into()))),
        Err(Error::InvalidIssuer("Invalid issuer"))
    );
    assert_eq!(
        iss(num(1.0), Some(Expected::One("1".into()))),
        Err(Error::InvalidIssuer(
            "Payload Issuer (iss) must be a string"
        ))
    );
    assert_eq!(
        iss(s("a"), Some(Expected::Unusable)),
        Err(Error::InvalidIssuer(
            "Issuer param must be \"str\" or \"Container[str]\""
        ))
    );
    assert_eq!(
        iss(num(1.0), Some(Expected::Unusable)),
        Err(Error::InvalidIssuer(
            "Payload Issuer (iss) must be a string"
        ))
    );
    assert_eq!(
        iss(Member::Absent, Some(Expected::Unusable)),
        Err(Error::MissingClaim("iss".into()))
    );
    assert_eq!(
        check_for_encode(&vec![("iss", num(1.0))]),
        Err(Error::Type("Issuer (iss) must be a string.".into()))
    );
    assert_eq!(check_for_encode(&vec![("iss", s("me"))]), Ok(()));

    assert_eq!(
        check(vec![("sub", num(1.0))], |_| {}),
        Err(Error::InvalidSubject("Subject must be a string"))
    );
    assert_eq!(
        check(vec![("sub", s("a"))], |v| v.subject = Some("b".into())),
        Err(Error::InvalidSubject("Invalid subject"))
    );
    assert_eq!(
        check(vec![("sub", s("a"))], |v| v.subject = Some("a".into())),
        Ok(())
    );
    assert_eq!(
        check(vec![("jti", num(1.0))], |_| {}),
        Err(Error::InvalidJti("JWT ID must be a string"))
    );
    assert_eq!(check(vec![("jti", s("x"))], |_| {}), Ok(()));
}

#[test]
fn expiry_rule_is_inclusive() {
    assert!(is_expired(10.0, 10.0, 0.0));
    assert!(!is_expired(10.0, 9.0, 0.0));
    assert!(!is_expired(10.0, 11.0, 1.5));
}
