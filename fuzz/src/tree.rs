//! A JSON value tree built through the core's parser, and written back with
//! the core's writing rules (`ferrojwt::json::write`).

use ferrojwt::error::Error;
use ferrojwt::json::{write, Sink};

#[derive(Clone, Debug)]
pub enum Tree {
    Null,
    Bool(bool),
    Int(i64),
    BigInt(String),
    Float(f64),
    Str(String),
    Array(Vec<Tree>),
    /// Members in document order, duplicates included.
    Object(Vec<(String, Tree)>),
}

impl PartialEq for Tree {
    /// Structural equality where a NaN equals a NaN and 0.0 differs from -0.0.
    fn eq(&self, other: &Tree) -> bool {
        match (self, other) {
            (Tree::Null, Tree::Null) => true,
            (Tree::Bool(a), Tree::Bool(b)) => a == b,
            (Tree::Int(a), Tree::Int(b)) => a == b,
            (Tree::BigInt(a), Tree::BigInt(b)) => a == b,
            (Tree::Float(a), Tree::Float(b)) => {
                a.to_bits() == b.to_bits() || a.is_nan() && b.is_nan()
            }
            (Tree::Str(a), Tree::Str(b)) => a == b,
            (Tree::Array(a), Tree::Array(b)) => a == b,
            (Tree::Object(a), Tree::Object(b)) => a == b,
            _ => false,
        }
    }
}

impl Tree {
    /// Whether any object in the tree names a member twice.
    pub fn has_duplicate(&self) -> bool {
        match self {
            Tree::Array(items) => items.iter().any(Tree::has_duplicate),
            Tree::Object(members) => {
                members
                    .iter()
                    .enumerate()
                    .any(|(i, (k, _))| members[..i].iter().any(|(seen, _)| seen == k))
                    || members.iter().any(|(_, v)| v.has_duplicate())
            }
            _ => false,
        }
    }

    /// Writes the tree as `json.dumps(..., separators=(",", ":"))` would.
    pub fn write(&self, out: &mut String) {
        match self {
            Tree::Null => out.push_str("null"),
            Tree::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Tree::Int(i) => write::int(out, *i),
            Tree::BigInt(digits) => out.push_str(digits),
            Tree::Float(f) => write::float(out, *f),
            Tree::Str(s) => write::string(out, s),
            Tree::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Tree::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write::string(out, key);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// A sink that keeps every member, so that duplicates survive to be counted.
pub struct TreeSink;

impl Sink for TreeSink {
    type Value = Tree;
    type Array = Vec<Tree>;
    type Object = Vec<(String, Tree)>;

    fn null(&mut self) -> Result<Tree, Error> {
        Ok(Tree::Null)
    }
    fn boolean(&mut self, value: bool) -> Result<Tree, Error> {
        Ok(Tree::Bool(value))
    }
    fn int(&mut self, value: i64) -> Result<Tree, Error> {
        Ok(Tree::Int(value))
    }
    fn big_int(&mut self, digits: &str) -> Result<Tree, Error> {
        Ok(Tree::BigInt(digits.to_string()))
    }
    fn float(&mut self, value: f64) -> Result<Tree, Error> {
        Ok(Tree::Float(value))
    }
    fn string(&mut self, value: &str) -> Result<Tree, Error> {
        Ok(Tree::Str(value.to_string()))
    }
    fn array(&mut self) -> Result<Vec<Tree>, Error> {
        Ok(Vec::new())
    }
    fn push(&mut self, array: &mut Vec<Tree>, value: Tree) -> Result<(), Error> {
        array.push(value);
        Ok(())
    }
    fn end_array(&mut self, array: Vec<Tree>) -> Result<Tree, Error> {
        Ok(Tree::Array(array))
    }
    fn object(&mut self) -> Result<Vec<(String, Tree)>, Error> {
        Ok(Vec::new())
    }
    fn insert(
        &mut self,
        object: &mut Vec<(String, Tree)>,
        key: &str,
        value: Tree,
    ) -> Result<bool, Error> {
        object.push((key.to_string(), value));
        Ok(true)
    }
    fn end_object(&mut self, object: Vec<(String, Tree)>) -> Result<Tree, Error> {
        Ok(Tree::Object(object))
    }
}
