//! JSON for JOSE: a strict parser that builds values through a [`Sink`]
//! (Python objects in the binding layer, [`value::Value`] in the tests, the
//! fuzz targets and the parser bench), and the writing rules that make
//! ferrojwt's output byte-identical to Python's
//! `json.dumps(..., separators=(",", ":"))`.
//!
//! The parser is this crate's own, kept because it measured faster than the
//! parsers it could be replaced with, on the documents a JWT holds.
//! `cargo bench --bench json_parsers` (benches/json_parsers.rs) has each build
//! the same owned tree, refusing duplicate members and nesting past
//! [`MAX_DEPTH`], in interleaved rounds. Its run of 2 December 2026 on the
//! 2-core development machine, minimum ns per document:
//!
//! | document | ferrojwt::json | jiter 0.19 (`Jiter`) | serde_json (visitor) |
//! |---|---:|---:|---:|
//! | header, 27 bytes | 112 | 141 | 162 |
//! | access payload, 5 claims | 255 | 364 | 368 |
//! | 30 members, nested | 3239 | 3832 | 3873 |
//!
//! jiter's `python` feature (pyo3 0.30, as ours) builds Python objects too,
//! but its duplicate check copies every key into a hash set; the Python sink
//! here checks duplicates through the dict it fills. The fuzz targets
//! `json_parse` and `decode_token` (fuzz/) run this parser.

pub mod parse;
pub(crate) mod runs;
pub mod value;
pub mod write;

pub use parse::{parse_object, Sink, MAX_DEPTH};
