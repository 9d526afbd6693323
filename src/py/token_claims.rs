//! The standard claims of simplejwt's token classes (`ferrojwt.tokens`),
//! made and checked here, each rule once.
//!
//! * [`claim_time`]: `datetime_to_epoch(when + lifetime)`, simplejwt's
//!   `set_exp` and `set_iat` (and `utils.datetime_to_epoch`).
//! * [`uuid4_hex`]: `uuid4().hex`, simplejwt's `set_jti`.
//! * [`new_claims`]: a new token's `{type, exp, iat, jti}` from the three, in
//!   one call (what `Token.__init__` does when those setters are Token's own).
//! * [`check_token`]: the checks of `Token.verify()`: `exp` against the
//!   token's clock (`check_exp`), the id present, the type equal
//!   (`verify_token_type`); [`decode_token`] runs them straight after a
//!   prepared `Decoder` has verified the token.
//!
//! The clock is read in Python (`ferrojwt.tokens.aware_utcnow`, which tests
//! patch and freezegun moves) and handed in as a datetime. Claim times are
//! simplejwt's values exactly: integer sums where the arithmetic is plain,
//! Python's datetime arithmetic (DST, overflow errors) everywhere else.

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString};

use super::members::member_of;
use super::prepared::Decoder;
use crate::claims;
use crate::token_id;

/// What [`check_token`] found: 0 passes, any other value names the refusal
/// (`ferrojwt.tokens` gives each simplejwt's message).
pub const PASSED: u8 = 0;
/// The time claim is absent: "Token has no '<claim>' claim".
pub const NO_TIME_CLAIM: u8 = 1;
/// The time claim is not a number: "Token is invalid".
pub const BAD_TIME_CLAIM: u8 = 2;
/// The time claim has passed: "Token '<claim>' claim has expired".
pub const EXPIRED: u8 = 3;
/// "Token has no id".
pub const NO_ID: u8 = 4;
/// "Token has no type".
pub const NO_TYPE: u8 = 5;
/// "Token has wrong type".
pub const WRONG_TYPE: u8 = 6;

/// What `datetime_to_epoch` subtracts (the Unix epoch, aware and naive) and
/// divides by (one second), and the types whose arithmetic is plain.
struct Epoch {
    aware: Py<PyAny>,
    naive: Py<PyAny>,
    second: Py<PyAny>,
    utc: Py<PyAny>,
    timedelta: Py<PyAny>,
}

static EPOCH: PyOnceLock<Epoch> = PyOnceLock::new();

fn epoch(py: Python<'_>) -> PyResult<&Epoch> {
    EPOCH.get_or_try_init(py, || {
        let module = py.import("datetime")?;
        let datetime = module.getattr("datetime")?;
        let timedelta = module.getattr("timedelta")?;
        let utc = module.getattr("timezone")?.getattr("utc")?;
        Ok(Epoch {
            aware: datetime.call1((1970, 1, 1, 0, 0, 0, 0, &utc))?.unbind(),
            naive: datetime.call1((1970, 1, 1))?.unbind(),
            second: timedelta.call1((0, 1))?.unbind(),
            utc: utc.unbind(),
            timedelta: timedelta.unbind(),
        })
    })
}

/// `when - epoch` (a timedelta), and whether `when` is naive (UTC) or UTC.
fn since_epoch<'py>(when: &Bound<'py, PyAny>) -> PyResult<(Bound<'py, PyAny>, bool)> {
    let py = when.py();
    let epoch = epoch(py)?;
    let tz = when.getattr(pyo3::intern!(py, "tzinfo"))?;
    if tz.is_none() {
        Ok((when.sub(epoch.naive.bind(py))?, true))
    } else {
        Ok((when.sub(epoch.aware.bind(py))?, tz.is(epoch.utc.bind(py))))
    }
}

/// A timedelta's `(days, seconds, microseconds)`.
fn parts(delta: &Bound<'_, PyAny>) -> PyResult<(i64, i64, i64)> {
    let py = delta.py();
    Ok((
        delta.getattr(pyo3::intern!(py, "days"))?.extract()?,
        delta.getattr(pyo3::intern!(py, "seconds"))?.extract()?,
        delta
            .getattr(pyo3::intern!(py, "microseconds"))?
            .extract()?,
    ))
}

/// A clock reading: whole seconds and microseconds since the epoch, and
/// whether adding a timedelta moves it by exactly that much (naive or UTC:
/// no zone rules apply).
struct Reading {
    seconds: i64,
    micros: i64,
    plain: bool,
}

fn reading(when: &Bound<'_, PyAny>) -> PyResult<Reading> {
    let (delta, plain) = since_epoch(when)?;
    let (days, seconds, micros) = parts(&delta)?;
    Ok(Reading {
        seconds: days * 86_400 + seconds,
        micros,
        plain,
    })
}

/// `datetime.min` and `datetime.max` in microseconds since the epoch.
const MIN_MICROS: i128 = -62_135_596_800_000_000;
const MAX_MICROS: i128 = 253_402_300_799_999_999;

/// `datetime_to_epoch(when + lifetime)`. A plain timedelta added to a naive
/// or UTC reading is summed in integers (the same value); anything else (a
/// zone with rules, another kind of lifetime, a sum outside the datetime
/// range) is Python's own sum, which raises OverflowError out of range.
fn epoch_after<'py>(
    when: &Bound<'py, PyAny>,
    reading: &Reading,
    lifetime: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = when.py();
    let epoch = epoch(py)?;
    if reading.plain && lifetime.get_type().is(epoch.timedelta.bind(py)) {
        let (days, seconds, micros) = parts(lifetime)?;
        let whole = i128::from(reading.seconds) + i128::from(days) * 86_400 + i128::from(seconds);
        let total = whole * 1_000_000 + i128::from(reading.micros + micros);
        if (MIN_MICROS..=MAX_MICROS).contains(&total) {
            return Ok(total.div_euclid(1_000_000).into_pyobject(py)?.into_any());
        }
    }
    since_epoch(&when.add(lifetime)?)?
        .0
        .floor_div(epoch.second.bind(py))
}

/// Whole seconds since the epoch (sub-seconds dropped, towards the past) of
/// `when + lifetime`, or of `when` without a lifetime; a naive `when` is UTC.
#[pyfunction]
#[pyo3(signature = (when, lifetime = None))]
pub fn claim_time<'py>(
    when: &Bound<'py, PyAny>,
    lifetime: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let reading = reading(when)?;
    match lifetime {
        Some(lifetime) => epoch_after(when, &reading, lifetime),
        None => Ok(reading.seconds.into_pyobject(when.py())?.into_any()),
    }
}

/// Seconds since the epoch as a float (a naive `when` is UTC): the value of
/// `datetime.timestamp()` for an aware datetime (exactly, within 2**53 us).
fn seconds_of(when: &Bound<'_, PyAny>) -> PyResult<f64> {
    let reading = reading(when)?;
    let micros = i128::from(reading.seconds) * 1_000_000 + i128::from(reading.micros);
    Ok(micros as f64 / 1e6)
}

/// A random version-4 UUID as 32 lower-case hex digits (`uuid4().hex`),
/// from the OS generator (see `crate::token_id`: fork-safe by construction).
#[pyfunction]
pub fn uuid4_hex(py: Python<'_>) -> PyResult<Bound<'_, PyString>> {
    match token_id::uuid4_hex() {
        Some(hex) => Ok(PyString::new(py, &hex)),
        None => Err(PyRuntimeError::new_err("the random generator failed")),
    }
}

/// A new token's standard claims, in simplejwt's order: `{type_claim:
/// token_type, "exp": claim_time(now, lifetime), "iat": claim_time(now),
/// jti_claim: uuid4_hex()}`.
#[pyfunction]
pub fn new_claims<'py>(
    py: Python<'py>,
    type_claim: &Bound<'py, PyAny>,
    token_type: &Bound<'py, PyAny>,
    now: &Bound<'py, PyAny>,
    lifetime: &Bound<'py, PyAny>,
    jti_claim: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let payload = PyDict::new(py);
    payload.set_item(type_claim, token_type)?;
    let reading = reading(now)?;
    payload.set_item(
        pyo3::intern!(py, "exp"),
        epoch_after(now, &reading, lifetime)?,
    )?;
    payload.set_item(pyo3::intern!(py, "iat"), reading.seconds)?;
    payload.set_item(jti_claim, uuid4_hex(py)?)?;
    Ok(payload)
}

/// The checks of `Token.verify()` on a payload, in its order; each runs when
/// its argument is given:
/// * `exp` (a claim name) with `now` (a datetime) and `leeway` (seconds): the
///   claim must be present, a number, and after `now - leeway` (the core's
///   one expiry rule);
/// * `jti` (a claim name): the claim must be present;
/// * `token_type`: the claim `type_claim` (looked up as given, None included)
///   must be present and equal to it.
///
/// Returns [`PASSED`] or the code of the first check that failed.
#[pyfunction]
#[pyo3(signature = (payload, *, exp = None, now = None, leeway = 0.0, jti = None, type_claim = None, token_type = None))]
pub fn check_token(
    payload: &Bound<'_, PyDict>,
    exp: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
    leeway: f64,
    jti: Option<&Bound<'_, PyAny>>,
    type_claim: Option<&Bound<'_, PyAny>>,
    token_type: Option<&Bound<'_, PyAny>>,
) -> PyResult<u8> {
    if let Some(claim) = exp {
        let Some(value) = payload.get_item(claim)? else {
            return Ok(NO_TIME_CLAIM);
        };
        let Some(time) = claims::numeric_date(&member_of(&value, false)) else {
            return Ok(BAD_TIME_CLAIM);
        };
        let now = now.ok_or_else(|| PyTypeError::new_err("checking exp needs now"))?;
        if claims::is_expired(time, seconds_of(now)?, leeway) {
            return Ok(EXPIRED);
        }
    }
    if let Some(claim) = jti {
        if !payload.contains(claim)? {
            return Ok(NO_ID);
        }
    }
    if let Some(expected) = token_type {
        let found = match type_claim {
            Some(claim) => payload.get_item(claim)?,
            None => payload.get_item(payload.py().None())?,
        };
        match found {
            None => return Ok(NO_TYPE),
            Some(found) if expected.ne(&found)? => return Ok(WRONG_TYPE),
            Some(_) => {}
        }
    }
    Ok(PASSED)
}

/// `decoder.decode(jwt)` (signature and time claims against `time.time()`),
/// then [`check_token`] with `exp` against `now` and the decoder's leeway:
/// `Token(jwt)`'s decoding and `verify()` in one call. Returns the payload
/// when the checks pass, else the code of the first that failed (an int: no
/// tuple to build, and to collect, per token); decoding failures raise as
/// `Decoder.decode` does.
#[pyfunction]
pub fn decode_token<'py>(
    py: Python<'py>,
    decoder: &Bound<'py, Decoder>,
    jwt: &Bound<'py, PyAny>,
    now: &Bound<'py, PyAny>,
    jti: Option<&Bound<'py, PyAny>>,
    type_claim: Option<&Bound<'py, PyAny>>,
    token_type: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let decoder = decoder.get();
    let payload = decoder.decode(py, jwt, None)?;
    let code = check_token(
        &payload,
        Some(pyo3::intern!(py, "exp").as_any()),
        Some(now),
        decoder.leeway(),
        jti,
        type_claim,
        token_type,
    )?;
    if code == PASSED {
        Ok(payload.into_any())
    } else {
        Ok(code.into_pyobject(py)?.into_any())
    }
}
