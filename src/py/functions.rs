//! `ferrojwt.jwt`'s module functions: `encode`, `decode`, `decode_complete`
//! and `get_unverified_header`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::api::{
    algorithm_for, check_key_length, complete, header_json, sign, token_bytes, verify_then_payload,
    DecodeArgs,
};
use super::cpu::clear_upper_state;
use super::json_in::PySink;
use super::json_out::Writer;
use super::key::resolve;
use super::members::DictMembers;
use crate::claims;
use crate::json::parse_object;
use crate::jws;
use crate::members::MemberSink;

/// Signs `payload` and returns the compact token.
#[pyfunction]
#[pyo3(
    signature = (payload, key, algorithm = Some("HS256"), headers = None, json_encoder = None, sort_headers = true, enforce_minimum_key_length = false),
    text_signature = "(payload, key, algorithm='HS256', headers=None, json_encoder=None, sort_headers=True, enforce_minimum_key_length=False)"
)]
#[allow(clippy::too_many_arguments)]
pub fn encode<'py>(
    py: Python<'py>,
    payload: &Bound<'py, PyAny>,
    key: &Bound<'py, PyAny>,
    algorithm: Option<&str>,
    headers: Option<&Bound<'py, PyDict>>,
    json_encoder: Option<Bound<'py, PyAny>>,
    sort_headers: bool,
    enforce_minimum_key_length: bool,
) -> PyResult<String> {
    clear_upper_state();
    let Ok(payload) = payload.cast::<PyDict>() else {
        return Err(PyTypeError::new_err(
            "Expecting a dict object, as JWT only supports JSON objects as payloads.",
        ));
    };
    let alg = algorithm_for(algorithm, headers)?;
    claims::check_for_encode(&DictMembers(payload))?;
    let key = resolve(key, alg)?;
    check_key_length(py, &key, alg, enforce_minimum_key_length)?;

    let header_json = header_json(py, alg, headers, json_encoder.as_ref(), sort_headers)?;
    let mut writer = Writer::new(py, json_encoder.as_ref(), false)?;
    writer.document(payload, true)?;
    sign(py, &key, alg, &header_json, writer.out.as_bytes())
}

/// Verifies and decodes a token; returns its header, payload and signature.
#[pyfunction]
#[pyo3(signature = (jwt, key, algorithms, options, audience, issuer, subject, leeway, now))]
#[allow(clippy::too_many_arguments)]
pub fn decode_complete<'py>(
    py: Python<'py>,
    jwt: &Bound<'py, PyAny>,
    key: Option<&Bound<'py, PyAny>>,
    algorithms: Option<&Bound<'py, PyAny>>,
    options: Option<&Bound<'py, PyDict>>,
    audience: Option<&Bound<'py, PyAny>>,
    issuer: Option<&Bound<'py, PyAny>>,
    subject: Option<String>,
    leeway: f64,
    now: f64,
) -> PyResult<Bound<'py, PyDict>> {
    clear_upper_state();
    let segments = jws::split(token_bytes(jwt)?)?;
    let mut sink = PySink::new(py, false);
    let header = parse_object(&segments.header, &mut sink, "header")?;
    let args = DecodeArgs {
        key,
        algorithms,
        options,
        audience,
        issuer,
        subject,
        leeway,
        now,
    };
    let payload = verify_then_payload(py, &segments, &DictMembers(&header), &mut sink, args)?;
    complete(py, header, payload.into_any(), &segments.signature)
}

/// Verifies and decodes a token; returns its payload only. The header is
/// checked without being turned into Python objects.
#[pyfunction]
#[pyo3(signature = (jwt, key, algorithms, options, audience, issuer, subject, leeway, now))]
#[allow(clippy::too_many_arguments)]
pub fn decode<'py>(
    py: Python<'py>,
    jwt: &Bound<'py, PyAny>,
    key: Option<&Bound<'py, PyAny>>,
    algorithms: Option<&Bound<'py, PyAny>>,
    options: Option<&Bound<'py, PyDict>>,
    audience: Option<&Bound<'py, PyAny>>,
    issuer: Option<&Bound<'py, PyAny>>,
    subject: Option<String>,
    leeway: f64,
    now: f64,
) -> PyResult<Bound<'py, PyDict>> {
    clear_upper_state();
    let segments = jws::split(token_bytes(jwt)?)?;
    let header = parse_object(&segments.header, &mut MemberSink, "header")?;
    let args = DecodeArgs {
        key,
        algorithms,
        options,
        audience,
        issuer,
        subject,
        leeway,
        now,
    };
    verify_then_payload(py, &segments, &header, &mut PySink::new(py, false), args)
}

/// The header of a token, without verifying anything but its form.
#[pyfunction]
pub fn get_unverified_header<'py>(
    py: Python<'py>,
    jwt: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    clear_upper_state();
    let segments = jws::split(token_bytes(jwt)?)?;
    let header = parse_object(&segments.header, &mut PySink::new(py, false), "header")?;
    jws::check_common(&DictMembers(&header))?;
    Ok(header)
}
