//! Asymmetric signing and verifying with the GIL released, for less than
//! `Python::detach` costs.
//!
//! `Python::detach` (pyo3 0.30) takes any `Ungil` closure, so around
//! `PyEval_SaveThread`/`PyEval_RestoreThread` it also zeroes and restores
//! pyo3's thread-local attach count (two thread-local accesses, through
//! `__tls_get_addr` in a shared library) and, once re-attached, checks
//! pyo3's pool of deferred reference drops. Both guard code that may use
//! pyo3 while detached. The code run here is fixed and never does:
//! [`Key::sign`] and [`Key::verify`] live in `crate::keys`, which is built
//! without pyo3 (the `python` feature only adds this binding layer) and calls
//! nothing but Rust and aws-lc. So the guard below is the bare pair of calls.

use pyo3::{ffi, Python};

use crate::algorithm::Algorithm;
use crate::error::Error;
use crate::keys::{Key, Signature};

/// The GIL released from construction to drop: the thread state is
/// restored when the guard drops, on return and while unwinding from a
/// panic alike (the panic then reaches pyo3's trampoline with the GIL held,
/// which turns it into `PanicException`).
struct Released(*mut ffi::PyThreadState);

impl Released {
    /// # Safety
    /// Until the guard drops, the thread must not touch Python: no Python
    /// C-API call, no pyo3 item used (no `Py<T>` dropped or cloned, no
    /// `Python::attach`). `_py` proves the thread is attached now.
    #[inline]
    unsafe fn new(_py: Python<'_>) -> Released {
        // SAFETY: the thread is attached (`_py`), so it holds a thread state.
        Released(unsafe { ffi::PyEval_SaveThread() })
    }
}

impl Drop for Released {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the state came from PyEval_SaveThread in `new` and this
        // thread has not re-attached since (nothing here touches Python).
        unsafe { ffi::PyEval_RestoreThread(self.0) };
    }
}

/// [`Key::sign`] with the GIL released.
pub(super) fn sign(
    py: Python<'_>,
    key: &Key,
    alg: Algorithm,
    message: &[u8],
) -> Result<Signature, Error> {
    // SAFETY: `Key::sign` runs Rust and aws-lc only (see the module's comment).
    let _released = unsafe { Released::new(py) };
    key.sign(alg, message)
}

/// [`Key::verify`] with the GIL released.
pub(super) fn verify(
    py: Python<'_>,
    key: &Key,
    alg: Algorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    // SAFETY: `Key::verify` runs Rust and aws-lc only (see the module's comment).
    let _released = unsafe { Released::new(py) };
    key.verify(alg, message, signature)
}
