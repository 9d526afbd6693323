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

/// A decoded object kept as plain members, for a header nobody asked to see
/// as a Python dict: its rules are checked without building Python objects.
#[derive(Debug, Default)]
pub struct Collected(pub Vec<(String, Member)>);

impl Members for Collected {
    fn member(&self, name: &str) -> Member {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or(Member::Absent, |(_, v)| v.clone())
    }
}

/// The JSON sink that builds [`Collected`] members, nested values seen one
/// level deep as [`Member`] does.
pub struct MemberSink;

impl crate::json::Sink for MemberSink {
    type Value = Member;
    type Array = Vec<Member>;
    type Object = Collected;

    fn null(&mut self) -> Result<Member, crate::error::Error> {
        Ok(Member::Null)
    }
    fn boolean(&mut self, value: bool) -> Result<Member, crate::error::Error> {
        Ok(Member::Bool(value))
    }
    fn int(&mut self, value: i64) -> Result<Member, crate::error::Error> {
        Ok(Member::Number(value as f64))
    }
    fn big_int(&mut self, digits: &str) -> Result<Member, crate::error::Error> {
        // As the Python view reads it: the float value, or the largest finite
        // one when the integer is beyond any float.
        let value = digits.parse::<f64>().unwrap_or(0.0);
        Ok(Member::Number(if value.is_finite() {
            value
        } else if value > 0.0 {
            f64::MAX
        } else {
            f64::MIN
        }))
    }
    fn float(&mut self, value: f64) -> Result<Member, crate::error::Error> {
        Ok(Member::Number(value))
    }
    fn string(&mut self, value: &str) -> Result<Member, crate::error::Error> {
        Ok(Member::Str(value.to_string()))
    }
    fn array(&mut self) -> Result<Vec<Member>, crate::error::Error> {
        Ok(Vec::new())
    }
    fn push(&mut self, array: &mut Vec<Member>, value: Member) -> Result<(), crate::error::Error> {
        array.push(match value {
            Member::List(_) => Member::Other { truthy: true },
            scalar => scalar,
        });
        Ok(())
    }
    fn end_array(&mut self, array: Vec<Member>) -> Result<Member, crate::error::Error> {
        Ok(Member::List(array))
    }
    fn object(&mut self) -> Result<Collected, crate::error::Error> {
        Ok(Collected::default())
    }
    fn insert(
        &mut self,
        object: &mut Collected,
        key: &str,
        value: Member,
    ) -> Result<bool, crate::error::Error> {
        if object.0.iter().any(|(k, _)| k == key) {
            return Ok(false);
        }
        object.0.push((key.to_string(), value));
        Ok(true)
    }
    fn end_object(&mut self, object: Collected) -> Result<Member, crate::error::Error> {
        Ok(Member::Other {
            truthy: !object.0.is_empty(),
        })
    }
}

#[cfg(test)]
impl Members for Vec<(&str, Member)> {
    fn member(&self, name: &str) -> Member {
        self.iter()
            .find(|(k, _)| *k == name)
            .map_or(Member::Absent, |(_, v)| v.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse_object;

    #[test]
    fn collected_header_members() {
        let header = parse_object(
            br#"{"alg":"RS256","kid":7,"crit":["b64"],"x5c":{"a":1},"n":null}"#,
            &mut MemberSink,
            "header",
        )
        .unwrap();
        assert_eq!(header.member("alg"), Member::Str("RS256".into()));
        assert_eq!(header.member("kid"), Member::Number(7.0));
        assert_eq!(
            header.member("crit"),
            Member::List(vec![Member::Str("b64".into())])
        );
        assert_eq!(header.member("x5c"), Member::Other { truthy: true });
        assert_eq!(header.member("n"), Member::Null);
        assert_eq!(header.member("typ"), Member::Absent);
        let duplicate = parse_object(br#"{"alg":"a","alg":"b"}"#, &mut MemberSink, "header");
        assert!(duplicate.is_err());
    }
}
