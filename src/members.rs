//! A read-only view of the members of a decoded JSON object (a JWT header or
//! payload), so that every rule about them can live in the core while the
//! object itself is a Python dict in the binding layer.

/// What a rule needs to know about one member's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Member {
    Absent,
    Null,
    Bool(bool),
    /// Any JSON number: integers (of any size) and floats.
    Number(f64),
    Str(String),
    /// An array, its items seen one level deep (nested containers are `Other`).
    List(Vec<Member>),
    /// An object, or anything else; `truthy` is its Python truth value.
    Other {
        truthy: bool,
    },
}

impl Member {
    /// Python's truth value of the member, as PyJWT's `not payload["aud"]` reads it.
    pub fn is_truthy(&self) -> bool {
        match self {
            Member::Absent | Member::Null => false,
            Member::Bool(b) => *b,
            Member::Number(n) => *n != 0.0,
            Member::Str(s) => !s.is_empty(),
            Member::List(items) => !items.is_empty(),
            Member::Other { truthy } => *truthy,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Member::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Anything that can be asked for a member by name.
pub trait Members {
    fn member(&self, name: &str) -> Member;
}

#[cfg(test)]
impl Members for Vec<(&str, Member)> {
    fn member(&self, name: &str) -> Member {
        self.iter()
            .find(|(k, _)| *k == name)
            .map_or(Member::Absent, |(_, v)| v.clone())
    }
}
