//! Core errors to Python exceptions: the one place where that happens. The
//! exception classes are defined in Python (`ferrojwt.jwt.exceptions`) so
//! users see one hierarchy.

use pyo3::exceptions::{PyNotImplementedError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;

use crate::error::Error;

static EXCEPTIONS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn raise(py: Python<'_>, err: Error) -> PyErr {
    let message = err.to_string();
    match err {
        Error::Type(_) => return PyTypeError::new_err(message),
        Error::NotImplemented(_) => return PyNotImplementedError::new_err(message),
        _ => {}
    }
    let module = EXCEPTIONS.get_or_try_init(py, || {
        PyModule::import(py, "ferrojwt.jwt.exceptions").map(Bound::unbind)
    });
    let class = module.and_then(|m| m.bind(py).getattr(err.exception_name()));
    let class = match class {
        Ok(class) => class,
        Err(import_failed) => return import_failed,
    };
    let instance = match &err {
        Error::MissingClaim(claim) => class.call1((claim.as_str(),)),
        _ => class.call1((message,)),
    };
    match instance {
        Ok(instance) => PyErr::from_value(instance),
        Err(failed) => failed,
    }
}

static WARN: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Emits `ferrojwt.jwt.warnings.InsecureKeyLengthWarning` through the Python
/// helper that attributes it to the caller outside ferrojwt (an error when
/// the warning filters turn it into one).
pub fn warn_insecure_key_length(py: Python<'_>, message: &str) -> PyResult<()> {
    let warn = WARN.import(py, "ferrojwt.jwt.warnings", "warn_insecure_key_length")?;
    warn.call1((message,))?;
    Ok(())
}

impl From<Error> for PyErr {
    #[cold]
    fn from(err: Error) -> PyErr {
        Python::attach(|py| raise(py, err))
    }
}
