//! ferrojwt's core: JSON Web Tokens signed and verified in Rust.
//!
//! The modules below are free of Python: they build and test with `cargo
//! test` alone. The `python` feature adds the PyO3 binding layer (`py`),
//! the only place that knows about Python objects.

pub mod algorithm;
pub mod b64;
pub mod claims;
pub mod error;
pub mod json;
pub mod jws;
pub mod keys;
pub mod members;
pub mod token_id;

#[cfg(feature = "python")]
mod py;
