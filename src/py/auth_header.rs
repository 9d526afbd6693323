//! The split of an `Authorization` header into `<type> <token>`
//! (`JWTAuthentication.get_raw_token`), done on the header's bytes in one
//! call: the one place this rule lives.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyFrozenSet};

/// What `bytes.split()` splits on (CPython's `Py_ISSPACE`: ASCII whitespace).
fn is_space(byte: &u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
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
    let mut words = header
        .as_bytes()
        .split(is_space)
        .filter(|word| !word.is_empty());
    let Some(scheme) = words.next() else {
        return Ok(None);
    };
    let ours = types
        .iter()
        .any(|t| t.cast::<PyBytes>().is_ok_and(|t| t.as_bytes() == scheme));
    if !ours {
        return Ok(None);
    }
    match (words.next(), words.next()) {
        (Some(token), None) => Ok(Some(PyBytes::new(header.py(), token))),
        _ => Err(PyValueError::new_err(
            "the header must contain two space-delimited values",
        )),
    }
}
