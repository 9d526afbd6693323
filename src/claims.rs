//! The registered-claim checks of RFC 7519, in PyJWT's order and with its
//! messages. This is the only place where a claim rule is written: the Python
//! `decode` and the Django token classes both come here.

use crate::error::Error;
use crate::members::{Member, Members};

/// An expected audience or issuer: one value, or any of several.
#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    One(String),
    AnyOf(Vec<String>),
    /// An issuer argument that is neither a str nor a container of them
    /// (bytes, a number): refused once a string `iss` is there to test, as
    /// PyJWT refuses it.
    Unusable,
}

impl Expected {
    fn contains(&self, value: &str) -> bool {
        match self {
            Expected::One(one) => one == value,
            Expected::AnyOf(many) => many.iter().any(|m| m == value),
            Expected::Unusable => false,
        }
    }
}

/// What to check, mirroring PyJWT's `decode` arguments and `options`.
#[derive(Clone, Debug)]
pub struct Validation {
    pub verify_exp: bool,
    pub verify_nbf: bool,
    pub verify_iat: bool,
    pub verify_aud: bool,
    pub verify_iss: bool,
    pub verify_sub: bool,
    pub verify_jti: bool,
    pub strict_aud: bool,
    pub require: Vec<String>,
    pub audience: Option<Expected>,
    pub issuer: Option<Expected>,
    pub subject: Option<String>,
    /// Seconds of tolerance on exp, nbf and iat.
    pub leeway: f64,
    /// The current time, in seconds since the epoch, given by the caller.
    pub now: f64,
}

impl Validation {
    /// PyJWT's defaults: every claim check on when the signature is verified,
    /// off when it is not (each can still be set one by one).
    pub fn new(verify_signature: bool, now: f64) -> Validation {
        Validation {
            verify_exp: verify_signature,
            verify_nbf: verify_signature,
            verify_iat: verify_signature,
            verify_aud: verify_signature,
            verify_iss: verify_signature,
            verify_sub: verify_signature,
            verify_jti: verify_signature,
            strict_aud: false,
            require: Vec::new(),
            audience: None,
            issuer: None,
            subject: None,
            leeway: 0.0,
            now,
        }
    }
}

/// A NumericDate claim, read as PyJWT's `int(value)` does but stricter:
/// numbers only (`int()` would also take numeric strings and booleans), and
/// finite ones (`int()` refuses NaN and the infinities), truncated toward zero.
pub fn numeric_date(value: &Member) -> Option<f64> {
    match value {
        Member::Number(n) if n.is_finite() => Some(n.trunc()),
        _ => None,
    }
}

/// The one expiry rule: a time claim has expired when it is at or before
/// `now - leeway`.
pub fn is_expired(exp: f64, now: f64, leeway: f64) -> bool {
    exp <= now - leeway
}

/// The claim rule PyJWT applies before signing: an `iss` must be a string.
pub fn check_for_encode(payload: &impl Members) -> Result<(), Error> {
    check_issuer_for_encode(&payload.member("iss"))
}

/// [`check_for_encode`] on the payload's `iss` member alone (Absent when
/// there is none), for a writer that meets the claims one by one.
pub fn check_issuer_for_encode(iss: &Member) -> Result<(), Error> {
    match iss {
        Member::Absent | Member::Str(_) => Ok(()),
        _ => Err(Error::Type("Issuer (iss) must be a string.".into())),
    }
}

/// Runs every check `v` asks for, in a fixed order: required claims, iat,
/// nbf, exp, iss, aud, sub, jti. The first failure is returned.
pub fn validate(payload: &impl Members, v: &Validation) -> Result<(), Error> {
    validate_at(payload, v, v.now)
}

/// [`validate`] at the time `now` (seconds since the epoch) instead of
/// `v.now`, so one `Validation` serves every call of a prepared decoder.
pub fn validate_at(payload: &impl Members, v: &Validation, now: f64) -> Result<(), Error> {
    for claim in &v.require {
        if matches!(payload.member(claim), Member::Absent | Member::Null) {
            return Err(Error::MissingClaim(claim.clone()));
        }
    }
    if v.verify_iat {
        let iat = payload.member("iat");
        if iat != Member::Absent {
            let iat = numeric_date(&iat).ok_or(Error::InvalidIssuedAt(
                "Issued At claim (iat) must be an integer.",
            ))?;
            if iat > now + v.leeway {
                return Err(Error::Immature("The token is not yet valid (iat)"));
            }
        }
    }
    if v.verify_nbf {
        let nbf = payload.member("nbf");
        if nbf != Member::Absent {
            let nbf = numeric_date(&nbf)
                .ok_or_else(|| Error::decode("Not Before claim (nbf) must be an integer."))?;
            if nbf > now + v.leeway {
                return Err(Error::Immature("The token is not yet valid (nbf)"));
            }
        }
    }
    if v.verify_exp {
        let exp = payload.member("exp");
        if exp != Member::Absent {
            let exp = numeric_date(&exp)
                .ok_or_else(|| Error::decode("Expiration Time claim (exp) must be an integer."))?;
            if is_expired(exp, now, v.leeway) {
                return Err(Error::Expired);
            }
        }
    }
    if v.verify_iss {
        check_issuer(payload, v.issuer.as_ref())?;
    }
    if v.verify_aud {
        check_audience(payload, v.audience.as_ref(), v.strict_aud)?;
    }
    if v.verify_sub {
        match payload.member("sub") {
            Member::Absent => {}
            Member::Str(sub) => {
                if v.subject.as_ref().is_some_and(|want| *want != sub) {
                    return Err(Error::InvalidSubject("Invalid subject"));
                }
            }
            _ => return Err(Error::InvalidSubject("Subject must be a string")),
        }
    }
    if v.verify_jti && !matches!(payload.member("jti"), Member::Absent | Member::Str(_)) {
        return Err(Error::InvalidJti("JWT ID must be a string"));
    }
    Ok(())
}

fn check_issuer(payload: &impl Members, issuer: Option<&Expected>) -> Result<(), Error> {
    let Some(issuer) = issuer else {
        return Ok(());
    };
    match payload.member("iss") {
        Member::Absent => Err(Error::MissingClaim("iss".into())),
        Member::Str(_) if *issuer == Expected::Unusable => Err(Error::InvalidIssuer(
            "Issuer param must be \"str\" or \"Container[str]\"",
        )),
        Member::Str(iss) if issuer.contains(&iss) => Ok(()),
        Member::Str(_) => Err(Error::InvalidIssuer("Invalid issuer")),
        _ => Err(Error::InvalidIssuer(
            "Payload Issuer (iss) must be a string",
        )),
    }
}

fn check_audience(
    payload: &impl Members,
    audience: Option<&Expected>,
    strict: bool,
) -> Result<(), Error> {
    let claim = payload.member("aud");
    let Some(audience) = audience else {
        return if claim.is_truthy() {
            Err(Error::InvalidAudience("Invalid audience"))
        } else {
            Ok(())
        };
    };
    if !claim.is_truthy() {
        return Err(Error::MissingClaim("aud".into()));
    }
    if strict {
        let Expected::One(want) = audience else {
            return Err(Error::InvalidAudience("Invalid audience (strict)"));
        };
        let Member::Str(got) = claim else {
            return Err(Error::InvalidAudience(
                "Invalid claim format in token (strict)",
            ));
        };
        return if *want == got {
            Ok(())
        } else {
            Err(Error::InvalidAudience("Audience doesn't match (strict)"))
        };
    }
    let claims: Vec<&str> = match &claim {
        Member::Str(one) => vec![one.as_str()],
        Member::List(items) => items
            .iter()
            .map(Member::as_str)
            .collect::<Option<Vec<&str>>>()
            .ok_or(Error::InvalidAudience("Invalid claim format in token"))?,
        _ => return Err(Error::InvalidAudience("Invalid claim format in token")),
    };
    if claims.iter().any(|c| audience.contains(c)) {
        Ok(())
    } else {
        Err(Error::InvalidAudience("Audience doesn't match"))
    }
}

#[cfg(test)]
mod tests;
