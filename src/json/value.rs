//! A plain Rust JSON value: the sink the core's own tests parse into.

use super::parse::{parse_object, Sink};
use crate::error::Error;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    BigInt(String),
    Float(f64),
    Str(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

pub struct ValueSink;

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
        if object.iter().any(|(k, _)| k == key) {
            return Ok(false);
        }
        object.push((key.to_string(), value));
        Ok(true)
    }
    fn end_object(&mut self, object: Vec<(String, Value)>) -> Result<Value, Error> {
        Ok(Value::Object(object))
    }
}

/// Parses a payload document into a [`Value`].
pub fn parse(input: &[u8]) -> Result<Value, Error> {
    parse_object(input, &mut ValueSink, "payload").map(Value::Object)
}
