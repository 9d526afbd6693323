//! JSON for JOSE: a strict parser that builds values through a [`Sink`]
//! (Python objects in the binding layer, [`value::Value`] in tests), and the
//! writing rules that make ferrojwt's output byte-identical to Python's
//! `json.dumps(..., separators=(",", ":"))`.

pub mod parse;
pub mod write;

#[cfg(test)]
pub mod value;

pub use parse::{parse_object, Sink, MAX_DEPTH};
