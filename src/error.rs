//! The one error type of the core. Each variant names the Python exception it
//! becomes (see `py::errors`, the single place where that happens) and carries
//! a message that never contains key material.

use std::borrow::Cow;
use std::fmt;

pub type Msg = Cow<'static, str>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Malformed token: segments, base64, JSON, header. -> DecodeError
    Decode(Msg),
    /// -> InvalidSignatureError
    InvalidSignature,
    /// -> ExpiredSignatureError
    Expired,
    /// `nbf` or `iat` in the future. -> ImmatureSignatureError
    Immature(&'static str),
    /// -> InvalidAudienceError
    InvalidAudience(&'static str),
    /// -> InvalidIssuerError
    InvalidIssuer(&'static str),
    /// -> InvalidIssuedAtError
    InvalidIssuedAt(&'static str),
    /// -> InvalidSubjectError
    InvalidSubject(&'static str),
    /// -> InvalidJTIError
    InvalidJti(&'static str),
    /// -> MissingRequiredClaimError(claim)
    MissingClaim(String),
    /// -> InvalidAlgorithmError
    InvalidAlgorithm(&'static str),
    /// -> InvalidKeyError
    InvalidKey(Msg),
    /// Any other refusal of a token. -> InvalidTokenError
    InvalidToken(Msg),
    /// A caller passed an argument of the wrong type. -> TypeError
    Type(Msg),
    /// An algorithm ferrojwt does not implement, asked for on encode. -> NotImplementedError
    NotImplemented(&'static str),
}

impl Error {
    /// The name of the exception class in `ferrojwt.jwt.exceptions`
    /// (or a builtin for `Type`/`Value`).
    pub fn exception_name(&self) -> &'static str {
        match self {
            Error::Decode(_) => "DecodeError",
            Error::InvalidSignature => "InvalidSignatureError",
            Error::Expired => "ExpiredSignatureError",
            Error::Immature(_) => "ImmatureSignatureError",
            Error::InvalidAudience(_) => "InvalidAudienceError",
            Error::InvalidIssuer(_) => "InvalidIssuerError",
            Error::InvalidIssuedAt(_) => "InvalidIssuedAtError",
            Error::InvalidSubject(_) => "InvalidSubjectError",
            Error::InvalidJti(_) => "InvalidJTIError",
            Error::MissingClaim(_) => "MissingRequiredClaimError",
            Error::InvalidAlgorithm(_) => "InvalidAlgorithmError",
            Error::InvalidKey(_) => "InvalidKeyError",
            Error::InvalidToken(_) => "InvalidTokenError",
            Error::Type(_) => "TypeError",
            Error::NotImplemented(_) => "NotImplementedError",
        }
    }

    #[cold]
    pub fn decode(msg: impl Into<Msg>) -> Error {
        Error::Decode(msg.into())
    }

    #[cold]
    pub fn key(msg: impl Into<Msg>) -> Error {
        Error::InvalidKey(msg.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Decode(m) | Error::InvalidKey(m) | Error::InvalidToken(m) => f.write_str(m),
            Error::Type(m) => f.write_str(m),
            Error::InvalidSignature => f.write_str("Signature verification failed"),
            Error::Expired => f.write_str("Signature has expired"),
            Error::Immature(m)
            | Error::InvalidAudience(m)
            | Error::InvalidIssuer(m)
            | Error::InvalidIssuedAt(m)
            | Error::InvalidSubject(m)
            | Error::InvalidJti(m)
            | Error::InvalidAlgorithm(m)
            | Error::NotImplemented(m) => f.write_str(m),
            Error::MissingClaim(claim) => write!(f, "Token is missing the \"{claim}\" claim"),
        }
    }
}

impl std::error::Error for Error {}
