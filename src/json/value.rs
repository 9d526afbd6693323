//! A plain Rust JSON value, [`Value`], and the [`Sink`] that builds it,
//! [`ValueSink`]: what the core's tests, the fuzz targets (fuzz/) and
//! benches/json_parsers.rs parse into, one definition for the three.
//!
//! It is public and compiled in every build, the extension module's too:
//! `cfg(test)` would hide it from the fuzz crate and the bench (other crates,
//! which see the library as built without it), and a cargo feature would have
//! to be named by each of them and by `cargo test`. Nothing in the binding
//! layer uses it, so the release profile's fat LTO leaves it out of the
//! shared library.

use super::parse::{parse_object, Sink};
use crate::error::Error;

#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer outside `i64`, as its digits.
    BigInt(String),
    Float(f64),
    Str(String),
    Array(Vec<Value>),
    /// Members in document order (duplicates too, from
    /// [`ValueSink::KeepDuplicates`]).
    Object(Vec<(String, Value)>),
}

impl PartialEq for Value {
    /// Structural equality where a NaN equals a NaN and 0.0 differs from -0.0.
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::BigInt(a), Value::BigInt(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => {
                a.to_bits() == b.to_bits() || a.is_nan() && b.is_nan()
            }
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => a == b,
            _ => false,
        }
    }
}

/// Adds a member to an object's members unless one already has its name;
/// whether it did.
pub fn insert_new(members: &mut Vec<(String, Value)>, key: &str, value: Value) -> bool {
    if members.iter().any(|(k, _)| k == key) {
        return false;
    }
    members.push((key.to_string(), value));
    true
}

/// Builds [`Value`]s, keeping or refusing a member whose name its object
/// already has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueSink {
    /// Refuses it, as the core's decoder does: the parser then fails with
    /// "duplicate member name".
    Strict,
    /// Keeps every member, in document order.
    KeepDuplicates,
}

impl Sink for ValueSink {
    type Value = Value;
    type Array = Vec<Value>;
    type Object = Vec<(String, Value)>;

    fn null(&mut self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn boolean(&mut self, value: bool) -> Result<Value, Error> {
        Ok(Value::Bool(value))
    }
    fn int(&mut self, value: i64) -> Result<Value, Error> {
        Ok(Value::Int(value))
    }
    fn big_int(&mut self, digits: &str) -> Result<Value, Error> {
        Ok(Value::BigInt(digits.to_string()))
    }
    fn float(&mut self, value: f64) -> Result<Value, Error> {
        Ok(Value::Float(value))
    }
    fn string(&mut self, value: &str) -> Result<Value, Error> {
        Ok(Value::Str(value.to_string()))
    }
    fn array(&mut self) -> Result<Vec<Value>, Error> {
        Ok(Vec::new())
    }
    fn push(&mut self, array: &mut Vec<Value>, value: Value) -> Result<(), Error> {
        array.push(value);
        Ok(())
    }
    fn end_array(&mut self, array: Vec<Value>) -> Result<Value, Error> {
        Ok(Value::Array(array))
    }
    fn object(&mut self) -> Result<Vec<(String, Value)>, Error> {
        Ok(Vec::new())
    }
    fn insert(
        &mut self,
        object: &mut Vec<(String, Value)>,
        key: &str,
        value: Value,
    ) -> Result<bool, Error> {
        match self {
            ValueSink::Strict => Ok(insert_new(object, key, value)),
            ValueSink::KeepDuplicates => {
                object.push((key.to_string(), value));
                Ok(true)
            }
        }
    }
    fn end_object(&mut self, object: Vec<(String, Value)>) -> Result<Value, Error> {
        Ok(Value::Object(object))
    }
}

/// Parses a payload document into a [`Value`], refusing duplicate members.
pub fn parse(input: &[u8]) -> Result<Value, Error> {
    parse_object(input, &mut ValueSink::Strict, "payload").map(Value::Object)
}
