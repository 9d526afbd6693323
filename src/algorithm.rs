//! The JWS algorithms ferrojwt implements (RFC 7518, RFC 8037) and their key families.

use crate::error::Error;

/// A JWS `alg` value. `none` is deliberately absent: it can never be parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    HS256,
    HS384,
    HS512,
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    ES512,
    EdDSA,
}

/// Which kind of key an algorithm needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Hmac,
    Rsa,
    Ec(Curve),
    Ed25519,
}

/// The elliptic curves, each bound to the one ECDSA algorithm that uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    /// The JWK `crv` name.
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }

    pub fn from_name(name: &str) -> Option<Curve> {
        match name {
            "P-256" => Some(Curve::P256),
            "P-384" => Some(Curve::P384),
            "P-521" => Some(Curve::P521),
            _ => None,
        }
    }

    /// Bytes of one coordinate (and of one half of a JWS signature).
    pub fn coordinate_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }
}

impl Algorithm {
    /// Every algorithm, in the order ferrojwt lists them.
    pub const ALL: [Algorithm; 13] = [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::EdDSA,
    ];

    /// Parses an `alg` name, case-sensitively as RFC 7515 requires.
    pub fn from_name(name: &str) -> Result<Algorithm, Error> {
        Algorithm::ALL
            .iter()
            .copied()
            .find(|alg| alg.name() == name)
            .ok_or(Error::InvalidAlgorithm("Algorithm not supported"))
    }

    pub fn name(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::ES512 => "ES512",
            Algorithm::EdDSA => "EdDSA",
        }
    }

    pub fn family(self) -> Family {
        match self {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => Family::Hmac,
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => Family::Rsa,
            Algorithm::ES256 => Family::Ec(Curve::P256),
            Algorithm::ES384 => Family::Ec(Curve::P384),
            Algorithm::ES512 => Family::Ec(Curve::P521),
            Algorithm::EdDSA => Family::Ed25519,
        }
    }

    /// Asymmetric algorithms are worth releasing the GIL for; HMAC is not.
    pub fn is_asymmetric(self) -> bool {
        self.family() != Family::Hmac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(alg.name()).unwrap(), alg);
        }
    }

    #[test]
    fn none_and_wrong_case_are_refused() {
        for name in [
            "none", "None", "NONE", "hs256", "", "HS1", "ES256K", "Ed25519",
        ] {
            assert_eq!(
                Algorithm::from_name(name),
                Err(Error::InvalidAlgorithm("Algorithm not supported")),
                "{name}"
            );
        }
    }

    #[test]
    fn curves_are_bound_to_their_algorithm() {
        assert_eq!(Algorithm::ES256.family(), Family::Ec(Curve::P256));
        assert_eq!(Algorithm::ES384.family(), Family::Ec(Curve::P384));
        assert_eq!(Algorithm::ES512.family(), Family::Ec(Curve::P521));
    }
}
