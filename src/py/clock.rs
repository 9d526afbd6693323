//! The clocks the core reads: `time.time()` for PyJWT's claim checks
//! ([`clock`]) and `datetime.now(timezone.utc)` for the token classes'
//! `aware_utcnow` ([`utc_now`]).
//!
//! Both read the OS clock directly only while nothing moves time: while
//! `time.time` is the `time` module's own function (freezegun and mocks
//! replace it) and no `time_machine.travel` is active (time-machine keeps
//! the function object and swaps its C implementation, so it is asked
//! directly). Otherwise [`clock`] calls `time.time()` and [`utc_now`]
//! returns None, so that Python reads the clock its own way.

use std::ffi::c_int;

use pyo3::exceptions::PyAttributeError;
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
    Ok((real && !time_machine_travelling(py)?, current))
}

/// Whether time-machine (if imported) has a `travel` active, as its
/// documented `escape_hatch.is_travelling()` says. One lookup in
/// `sys.modules` in a process that has not imported it.
fn time_machine_travelling(py: Python<'_>) -> PyResult<bool> {
    // SAFETY: the attached thread is `py`'s; the dict is borrowed.
    let modules = unsafe { ffi::PyImport_GetModuleDict() };
    if modules.is_null() {
        return Ok(false);
    }
    // SAFETY: sys.modules is a live object for as long as the interpreter runs.
    let modules = unsafe { Bound::from_borrowed_ptr(py, modules) };
    let Ok(modules) = modules.cast::<PyDict>() else {
        return Ok(false);
    };
    let Some(module) = modules.get_item(pyo3::intern!(py, "time_machine"))? else {
        return Ok(false);
    };
    if module.is_none() {
        return Ok(false);
    }
    // A time-machine without the escape hatch: not known to be still, so ask it.
    Ok(module
        .getattr(pyo3::intern!(py, "escape_hatch"))
        .and_then(|hatch| hatch.call_method0(pyo3::intern!(py, "is_travelling")))
        .and_then(|travelling| travelling.is_truthy())
        .unwrap_or(true))
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

/// The datetime module's capsule, kept referenced, and its struct's address;
/// None when it cannot be had (then Python's datetime reads the clock).
static DATETIME_API: PyOnceLock<Option<(Py<PyAny>, usize)>> = PyOnceLock::new();

fn datetime_api(py: Python<'_>) -> Option<&'static DateTimeApi> {
    let found = DATETIME_API.get_or_init(py, || {
        let capsule = py
            .import("datetime")
            .and_then(|m| m.getattr("datetime_CAPI"))
            .ok()?;
        // SAFETY: the name is the one datetime.h gives the capsule; a capsule
        // of another name gives NULL with an exception set, taken below.
        let api = unsafe {
            ffi::PyCapsule_GetPointer(capsule.as_ptr(), c"datetime.datetime_CAPI".as_ptr())
        };
        if api.is_null() {
            drop(PyErr::take(py));
            return None;
        }
        Some((capsule.unbind(), api as usize))
    });
    // SAFETY: the address is that of the capsule's PyDateTime_CAPI, kept alive
    // by the capsule held here; its layout begins with DateTimeApi's members.
    found
        .as_ref()
        .map(|(_, address)| unsafe { &*(*address as *const DateTimeApi) })
}

/// `datetime.now(timezone.utc)`, or its naive value (`.replace(tzinfo=None)`)
/// when `aware` is false: the OS clock, to the microsecond (rounded down, as
/// CPython rounds it). None while something moves time (see the module doc)
/// or the datetime C API cannot be had: the caller reads the clock through
/// Python's datetime.
#[pyfunction]
pub fn utc_now<'py>(
    py: Python<'py>,
    aware: &Bound<'py, PyAny>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let aware = aware.is_truthy()?;
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
    let Some(api) = datetime_api(py) else {
        return Ok(None);
    };
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
