//! The split of an `Authorization` header into `<type> <token>`
//! (`JWTAuthentication.get_raw_token`), done on the header's bytes in one
//! call: the one place this rule lives.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyFrozenSet};

use crate::json::runs::{lanes_below, run_end};

/// What `bytes.split()` splits on (CPython's `Py_ISSPACE`: ASCII whitespace).
fn is_space(byte: &u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// The first byte from `at` that is not whitespace (or the end).
fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(is_space) {
        at += 1;
    }
    at
}

/// The end of the word that starts at `at`: its first whitespace byte after
/// it, or the end. Eight bytes at a time: every whitespace byte is below
/// 0x21, and a token's bytes are above it; a control byte that is not
/// whitespace stops the run, is stepped over, and the run goes on.
fn word_end(bytes: &[u8], mut at: usize) -> usize {
    loop {
        at = run_end(
            bytes,
            at,
            |word| lanes_below(word, 0x21) & !word,
            |b| b > 0x20,
        );
        match bytes.get(at) {
            Some(byte) if !is_space(byte) => at += 1,
            _ => return at,
        }
    }
}

/// The token of a `<type> <token>` header whose type is one of `types`
/// (bytes), split as `header.split()` splits it. None when the header is
/// empty, not bytes, or of another type (another scheme's: left to the other
/// authentication classes); ValueError when it is of one of `types` but is
/// not exactly two words.
#[pyfunction]
pub fn header_token<'py>(
    header: &Bound<'py, PyAny>,
    types: &Bound<'py, PyFrozenSet>,
) -> PyResult<Option<Bound<'py, PyBytes>>> {
    let Ok(header) = header.cast::<PyBytes>() else {
        // A str header's words are never equal to the bytes types.
        return Ok(None);
    };
    let bytes = header.as_bytes();
    let start = skip_spaces(bytes, 0);
    if start == bytes.len() {
        return Ok(None);
    }
    let scheme_end = word_end(bytes, start);
    let scheme = &bytes[start..scheme_end];
    let ours = types
        .iter()
        .any(|t| t.cast::<PyBytes>().is_ok_and(|t| t.as_bytes() == scheme));
    if !ours {
        return Ok(None);
    }
    let token_start = skip_spaces(bytes, scheme_end);
    let token_end = word_end(bytes, token_start);
    if token_start == token_end || skip_spaces(bytes, token_end) != bytes.len() {
        return Err(PyValueError::new_err(
            "the header must contain two space-delimited values",
        ));
    }
    Ok(Some(PyBytes::new(
        header.py(),
        &bytes[token_start..token_end],
    )))
}
