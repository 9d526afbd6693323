//! The clocks the core reads: `time.time()` for PyJWT's claim checks
//! ([`clock`]) and `datetime.now(timezone.utc)` for the token classes'
//! `aware_utcnow` ([`utc_now`]).
//!
//! Both read the OS clock directly only while `time.time` is the `time`
//! module's own function. A library that moves time (freezegun,
//! time-machine) replaces it, and then [`clock`] calls the replacement and
//! [`utc_now`] returns None, so that Python reads the clock its own way.

use std::ffi::c_int;
use std::sync::OnceLock;

use pyo3::exceptions::{PyAttributeError, PyRuntimeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

/// The `time` module's namespace, and its own `time` function once seen.
static TIME_DICT: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
static REAL_TIME: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Whether `time.time` is, at this moment, the interpreter's own function.
/// It is looked up at every call, as a Python caller would look it up.
fn real_clock(py: Python<'_>) -> PyResult<(bool, Bound<'_, PyAny>)> {
    let namespace = TIME_DICT
        .get_or_try_init(py, || py.import("time").map(|m| m.dict().unbind()))?
        .bind(py);
    let current = namespace
        .get_item(pyo3::intern!(py, "time"))?
        .ok_or_else(|| PyAttributeError::new_err("time.time is missing"))?;
    let real = match REAL_TIME.get(py) {
        Some(real) => current.is(real.bind(py)),
        None if is_builtin_clock(&current)? => {
            let _ = REAL_TIME.set(py, current.clone().unbind());
            true
        }
        None => false,
    };
    Ok((real, current))
}

/// True for the `time` module's own C function: a builtin whose `__self__`
/// is the module (no replacement a test installs can be that).
fn is_builtin_clock(function: &Bound<'_, PyAny>) -> PyResult<bool> {
    let py = function.py();
    if !function.is_instance_of::<pyo3::types::PyCFunction>() {
        return Ok(false);
    }
    let module = function.getattr(pyo3::intern!(py, "__self__"))?;
    Ok(module.is_instance_of::<PyModule>()
        && module.getattr(pyo3::intern!(py, "__name__"))?.eq("time")?
        && function
            .getattr(pyo3::intern!(py, "__name__"))?
            .eq("time")?)
}

/// The OS clock (CLOCK_REALTIME) as seconds and nanoseconds since the
/// epoch; None for a clock set before 1970 (Python's readers handle it).
fn since_epoch() -> Option<std::time::Duration> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
}

/// What `time.time()` returns now: the OS clock converted as CPython
/// converts it, or the replacement's value when `time.time` is replaced.
pub(super) fn clock(py: Python<'_>) -> PyResult<f64> {
    let (real, current) = real_clock(py)?;
    match since_epoch() {
        // CPython's _PyTime_AsSecondsDouble.
        Some(since) if real && since.subsec_nanos() == 0 => Ok(since.as_secs() as f64),
        Some(since) if real => Ok(since.as_nanos() as f64 / 1e9),
        _ => current.call0()?.extract(),
    }
}

/// The first members of CPython's `PyDateTime_CAPI` (Include/datetime.h),
/// the struct behind the public capsule `datetime.datetime_CAPI`. Members
/// are only ever appended to it (this prefix is the same in 3.7 to 3.14);
/// pyo3 does not expose it under the stable ABI, whose wheels we build.
#[repr(C)]
struct DateTimeApi {
    date_type: *mut ffi::PyTypeObject,
    datetime_type: *mut ffi::PyTypeObject,
    time_type: *mut ffi::PyTypeObject,
    delta_type: *mut ffi::PyTypeObject,
    tzinfo_type: *mut ffi::PyTypeObject,
    timezone_utc: *mut ffi::PyObject,
    date_from_date:
        unsafe extern "C" fn(c_int, c_int, c_int, *mut ffi::PyTypeObject) -> *mut ffi::PyObject,
    datetime_from_date_and_time: unsafe extern "C" fn(
        c_int,
        c_int,
        c_int,
        c_int,
        c_int,
        c_int,
        c_int,
        *mut ffi::PyObject,
        *mut ffi::PyTypeObject,
    ) -> *mut ffi::PyObject,
}

/// The capsule's address (the datetime module keeps it alive for the
/// interpreter's lifetime: the module is never unloaded).
static DATETIME_API: OnceLock<usize> = OnceLock::new();

fn datetime_api(py: Python<'_>) -> PyResult<&'static DateTimeApi> {
    let address = match DATETIME_API.get() {
        Some(address) => *address,
        None => {
            // SAFETY: the capsule name is the one datetime.h declares; the
            // attached thread is `py`'s.
            let api = unsafe { ffi::PyCapsule_Import(c"datetime.datetime_CAPI".as_ptr(), 0) };
            if api.is_null() {
                return Err(
                    PyErr::take(py).unwrap_or_else(|| PyRuntimeError::new_err("no datetime C API"))
                );
            }
            *DATETIME_API.get_or_init(|| api as usize)
        }
    };
    // SAFETY: the address is the capsule's PyDateTime_CAPI, whose layout
    // begins with DateTimeApi's members (see its doc).
    Ok(unsafe { &*(address as *const DateTimeApi) })
}

/// `datetime.now(timezone.utc)`, or its naive value (`.replace(tzinfo=None)`)
/// when `aware` is false: the OS clock, to the microsecond (rounded down, as
/// CPython rounds it). None while `time.time` is replaced (see the module
/// doc): the caller reads the clock through Python's datetime.
#[pyfunction]
pub fn utc_now(py: Python<'_>, aware: bool) -> PyResult<Option<Bound<'_, PyAny>>> {
    if !real_clock(py)?.0 {
        return Ok(None);
    }
    let Some(since) = since_epoch() else {
        return Ok(None);
    };
    let Some(when) = i64::try_from(since.as_secs())
        .ok()
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, since.subsec_nanos()))
    else {
        return Ok(None);
    };
    use chrono::{Datelike, Timelike};
    let api = datetime_api(py)?;
    let tz = if aware {
        api.timezone_utc
    } else {
        // SAFETY: Py_None is the interpreter's None (borrowed, as the C API takes it).
        unsafe { ffi::Py_None() }
    };
    // Every field is within its range (chrono's civil time of a reading
    // after 1970), the time zone is UTC or None and the type datetime's own.
    // SAFETY: the constructor returns a new reference or NULL with an
    // exception set, which `from_owned_ptr_or_err` takes.
    unsafe {
        let made = (api.datetime_from_date_and_time)(
            when.year(),
            when.month() as c_int,
            when.day() as c_int,
            when.hour() as c_int,
            when.minute() as c_int,
            when.second() as c_int,
            (when.nanosecond() / 1000).min(999_999) as c_int,
            tz,
            api.datetime_type,
        );
        Bound::from_owned_ptr_or_err(py, made).map(Some)
    }
}
