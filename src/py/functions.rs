//! `ferrojwt.jwt`'s module functions, PyJWT's signatures as native functions:
//! `encode`, `decode`, `decode_complete` and `get_unverified_header`.
//!
//! The common call (a `Key`, str or bytes key; a str algorithm or none given;
//! a dict or no options; a number leeway; no legacy argument) is read here
//! without running any Python code. The rare shapes are turned into that one
//! once per call: a `PyJWK`, a JWK mapping or a `cryptography` key object goes
//! through `ferrojwt.jwt.api.verifying_key` / `ferrojwt.jwt.keys.native_key`,
//! a non-dict mapping of options is copied into a dict, a `timedelta` leeway
//! or a datetime `now` is read as seconds, and the legacy arguments warn here,
//! with the caller's line as the warning's origin.

use std::ffi::CString;

use pyo3::exceptions::{PyDeprecationWarning, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyFloat, PyInt, PyString, PyTuple};

use super::api::{
    algorithm_for, check_key_length, complete, header_json, jws_decode_complete, sign, token_bytes,
    verify_then_payload, DecodeArgs,
};
use super::cpu::clear_upper_state;
use super::json_in::PySink;
use super::json_out::Writer;
use super::key::{resolve, PyKey};
use super::members::DictMembers;
use super::prepared::{jwk_algorithm, now_seconds, seconds};
use crate::claims;
use crate::error::Error;
use crate::json::parse_object;
use crate::jws;
use crate::members::MemberSink;

/// The type of `ALGORITHM_UNSET`, `encode`'s default algorithm.
#[pyclass(frozen, name = "AlgorithmUnset", module = "ferrojwt._core")]
pub struct AlgorithmUnset;

#[pymethods]
impl AlgorithmUnset {
    fn __repr__(&self) -> &'static str {
        "<algorithm not given>"
    }
}

static UNSET: PyOnceLock<Py<AlgorithmUnset>> = PyOnceLock::new();

/// `ALGORITHM_UNSET`: HS256, or the algorithm of a `PyJWK` key. The one
/// instance, created with the module.
pub fn algorithm_unset(py: Python<'_>) -> PyResult<&Bound<'_, AlgorithmUnset>> {
    Ok(UNSET
        .get_or_try_init(py, || Py::new(py, AlgorithmUnset))?
        .bind(py))
}

/// An argument whose absence means something None does not (PyJWT's
/// defaults: `algorithm` unset is HS256 where None is "none", `key` absent
/// is "", `leeway` absent is 0 where None is refused).
pub enum Given<'py> {
    Absent,
    Value(Bound<'py, PyAny>),
}

impl<'a, 'py> FromPyObject<'a, 'py> for Given<'py> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(Given::Value(obj.to_owned()))
    }
}

/// A key the core reads as it is (no Python helper needed).
fn is_native_key(key: &Bound<'_, PyAny>) -> bool {
    key.is_instance_of::<PyKey>()
        || key.is_instance_of::<PyString>()
        || key.is_instance_of::<PyBytes>()
}

/// PyJWT's choice of signing algorithm: the one given when it is a str;
/// otherwise a `PyJWK` key's own; otherwise HS256 when none was given (or
/// `ALGORITHM_UNSET` was passed), and None (PyJWT's "none", refused by
/// `encode`) for None or any other value.
fn signing_algorithm(
    py: Python<'_>,
    algorithm: &Given<'_>,
    key: &Bound<'_, PyAny>,
) -> PyResult<Option<String>> {
    if let Given::Value(name) = algorithm {
        if let Ok(name) = name.cast::<PyString>() {
            return Ok(Some(name.to_str()?.to_owned()));
        }
    }
    if let Some(own) = jwk_algorithm(key)? {
        return Ok(Some(own));
    }
    let unset = match algorithm {
        Given::Absent => true,
        Given::Value(value) => value.is(algorithm_unset(py)?),
    };
    Ok(unset.then(|| "HS256".to_owned()))
}

/// `signing_algorithm` for the PyJWS class, which checks the algorithm
/// against its own list before signing.
#[pyfunction]
#[pyo3(name = "signing_algorithm")]
pub fn py_signing_algorithm(
    py: Python<'_>,
    algorithm: Given<'_>,
    key: &Bound<'_, PyAny>,
) -> PyResult<Option<String>> {
    signing_algorithm(py, &algorithm, key)
}

static NATIVE_KEY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static VERIFYING_KEY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Signs `payload` and returns the compact token: PyJWT's `jwt.encode`.
#[pyfunction]
#[pyo3(
    signature = (payload, key, algorithm = Given::Absent, headers = None, json_encoder = None, sort_headers = true),
    text_signature = "(payload, key, algorithm='HS256', headers=None, json_encoder=None, sort_headers=True)"
)]
pub fn encode<'py>(
    py: Python<'py>,
    payload: &Bound<'py, PyAny>,
    key: &Bound<'py, PyAny>,
    algorithm: Given<'py>,
    headers: Option<&Bound<'py, PyDict>>,
    json_encoder: Option<Bound<'py, PyAny>>,
    sort_headers: bool,
) -> PyResult<String> {
    sign_claims(
        py,
        payload,
        key,
        algorithm,
        headers,
        json_encoder,
        sort_headers,
        false,
    )
}

/// `encode` with PyJWT's `enforce_minimum_key_length` option (the PyJWT
/// class's encode).
#[pyfunction]
#[pyo3(signature = (payload, key, algorithm, headers, json_encoder, sort_headers, enforce_minimum_key_length))]
#[allow(clippy::too_many_arguments)]
pub fn sign_claims<'py>(
    py: Python<'py>,
    payload: &Bound<'py, PyAny>,
    key: &Bound<'py, PyAny>,
    algorithm: Given<'py>,
    headers: Option<&Bound<'py, PyDict>>,
    json_encoder: Option<Bound<'py, PyAny>>,
    sort_headers: bool,
    enforce_minimum_key_length: bool,
) -> PyResult<String> {
    clear_upper_state();
    let fast = match &algorithm {
        Given::Value(name) if is_native_key(key) => name.cast::<PyString>().ok(),
        _ => None,
    };
    let (key, name) = match fast {
        Some(name) => (key.clone(), Some(name.to_str()?.to_owned())),
        None => {
            let name = signing_algorithm(py, &algorithm, key)?;
            let native = if is_native_key(key) {
                key.clone()
            } else {
                NATIVE_KEY
                    .import(py, "ferrojwt.jwt.keys", "native_key")?
                    .call1((key,))?
            };
            if native.is_none() {
                return Err(PyTypeError::new_err(
                    "Expected a key to sign with, got None",
                ));
            }
            (native, name)
        }
    };
    let Ok(payload) = payload.cast::<PyDict>() else {
        return Err(PyTypeError::new_err(
            "Expecting a dict object, as JWT only supports JSON objects as payloads.",
        ));
    };
    let alg = algorithm_for(name.as_deref(), headers)?;
    claims::check_for_encode(&DictMembers(payload))?;
    let key = resolve(&key, alg)?;
    check_key_length(py, &key, alg, enforce_minimum_key_length)?;

    let header_json = header_json(py, alg, headers, json_encoder.as_ref(), sort_headers)?;
    let mut writer = Writer::new(py, json_encoder.as_ref(), false)?;
    writer.document(payload, true)?;
    sign(py, &key, alg, &header_json, writer.out.as_bytes())
}

/// The arguments `decode` and `decode_complete` share, as the caller gave them.
struct Call<'a, 'py> {
    function: &'static str,
    jwt: &'a Bound<'py, PyAny>,
    key: Given<'py>,
    algorithms: Option<&'a Bound<'py, PyAny>>,
    options: Option<&'a Bound<'py, PyAny>>,
    verify: Option<&'a Bound<'py, PyAny>>,
    detached_payload: Option<&'a Bound<'py, PyAny>>,
    leeway: Given<'py>,
    now: Option<&'a Bound<'py, PyAny>>,
    kwargs: Option<&'a Bound<'py, PyDict>>,
}

/// A call's arguments as the core takes them (owned: the slow shapes are
/// converted into new objects).
struct Read<'py> {
    key: Option<Bound<'py, PyAny>>,
    algorithms: Option<Bound<'py, PyAny>>,
    options: Option<Bound<'py, PyDict>>,
    leeway: f64,
    now: f64,
}

impl<'py> Call<'_, 'py> {
    fn read(self, py: Python<'py>) -> PyResult<Read<'py>> {
        if self.kwargs.is_some_and(|k| !k.is_empty())
            || self.verify.is_some()
            || self.detached_payload.is_some()
        {
            legacy_arguments(
                py,
                self.function,
                self.jwt,
                self.options,
                self.verify,
                self.detached_payload,
                self.kwargs,
                1,
            )?;
        }
        let options = match self.options {
            None => None,
            Some(options) => Some(match options.cast::<PyDict>() {
                Ok(dict) => dict.clone(),
                // Any other mapping is read as PyJWT reads it: dict(options).
                Err(_) => py.get_type::<PyDict>().call1((options,))?.cast_into()?,
            }),
        };
        let mut algorithms = self.algorithms.cloned();
        let key = match self.key {
            Given::Absent => Some(PyString::intern(py, "").into_any()),
            Given::Value(key) if key.is_none() => None,
            Given::Value(key) if is_native_key(&key) => Some(key),
            Given::Value(key) => {
                // A PyJWK (its algorithm checked against the token's), a JWK
                // mapping or a cryptography key object.
                let (native, allowed): (Bound<'py, PyAny>, Bound<'py, PyAny>) = VERIFYING_KEY
                    .import(py, "ferrojwt.jwt.api", "verifying_key")?
                    .call1((self.jwt, &key, algorithms.as_ref(), options.as_ref()))?
                    .extract()?;
                algorithms = Some(allowed).filter(|a| !a.is_none());
                Some(native).filter(|k| !k.is_none())
            }
        };
        let leeway = match &self.leeway {
            Given::Absent => 0.0,
            Given::Value(leeway) => number(leeway).map_or_else(|| seconds(leeway, "leeway"), Ok)?,
        };
        let now = match self.now {
            Some(now) if !now.is_none() => {
                number(now).map_or_else(|| now_seconds(py, Some(now)), Ok)?
            }
            _ => now_seconds(py, None)?,
        };
        Ok(Read {
            key,
            algorithms,
            options,
            leeway,
            now,
        })
    }
}

/// An int or float as seconds, without a method call.
fn number(value: &Bound<'_, PyAny>) -> Option<f64> {
    if let Ok(float) = value.cast::<PyFloat>() {
        return Some(float.value());
    }
    if value.is_instance_of::<PyInt>() {
        return value.extract().ok();
    }
    None
}

static REMOVED_IN_PYJWT3: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// PyJWT's answers to the arguments it keeps only for compatibility. Unknown
/// keyword arguments warn (RemovedInPyjwt3Warning) and are ignored;
/// `verify` warns (DeprecationWarning) when it contradicts the options'
/// `verify_signature`; `detached_payload` is refused, as PyJWT refuses it for
/// a token whose header has no `"b64": false` (ferrojwt accepts no such
/// token), after a malformed token or header has failed as itself.
///
/// `stacklevel` is `warnings.warn`'s: 1 is the Python frame calling the
/// native function that warns (the module functions' caller), 2 its caller
/// (the classes' methods call this one).
#[pyfunction]
#[pyo3(signature = (function, jwt, options, verify, detached_payload, kwargs, stacklevel))]
#[allow(clippy::too_many_arguments)]
pub fn legacy_arguments<'py>(
    py: Python<'py>,
    function: &str,
    jwt: &Bound<'py, PyAny>,
    options: Option<&Bound<'py, PyAny>>,
    verify: Option<&Bound<'py, PyAny>>,
    detached_payload: Option<&Bound<'py, PyAny>>,
    kwargs: Option<&Bound<'py, PyDict>>,
    stacklevel: i32,
) -> PyResult<()> {
    if let Some(kwargs) = kwargs.filter(|k| !k.is_empty()) {
        let names = PyTuple::new(py, kwargs.keys())?.repr()?;
        let message = format!(
            "passing additional kwargs to {function}() is deprecated and will be removed in \
             pyjwt version 3. Unsupported kwargs: {names}"
        );
        let category =
            REMOVED_IN_PYJWT3.import(py, "ferrojwt.jwt.warnings", "RemovedInPyjwt3Warning")?;
        warn(py, category, &message, stacklevel)?;
    }
    if let Some(verify) = verify.filter(|v| !v.is_none()) {
        let verify_signature = match options.filter(|o| !o.is_none()) {
            None => pyo3::types::PyBool::new(py, true).to_owned().into_any(),
            Some(options) => options.call_method1(
                pyo3::intern!(py, "get"),
                (pyo3::intern!(py, "verify_signature"), true),
            )?,
        };
        if verify.ne(verify_signature)? {
            let message = "The `verify` argument to `decode` does nothing in PyJWT 2.0 and \
                           newer. The equivalent is setting `verify_signature` to False in the \
                           `options` dictionary. This invocation has a mismatch between the \
                           kwarg and the option entry.";
            warn(
                py,
                &py.get_type::<PyDeprecationWarning>(),
                message,
                stacklevel,
            )?;
        }
    }
    if detached_payload.is_some_and(|d| !d.is_none()) {
        jws_decode_complete(py, jwt, None, None, false, false)?;
        return Err(Error::decode(
            "It is only valid to pass \"detached_payload\" when the protected header has \"b64\" \
             set to false.",
        )
        .into());
    }
    Ok(())
}

fn warn(
    py: Python<'_>,
    category: &Bound<'_, PyAny>,
    message: &str,
    stacklevel: i32,
) -> PyResult<()> {
    // The message is made of str reprs and our own text: no NUL byte in it.
    let message = CString::new(message.replace('\0', "\\x00"))
        .map_err(|e| PyTypeError::new_err(e.to_string()))?;
    PyErr::warn(py, category, &message, stacklevel)
}

/// What PyJWT's `jwt.decode_complete` returns once its arguments are read:
/// the token's header, payload and signature.
fn decode_complete<'py>(
    py: Python<'py>,
    segments: &jws::Segments<'_>,
    args: DecodeArgs<'_, 'py>,
) -> PyResult<Bound<'py, PyDict>> {
    let mut sink = PySink::new(py, false);
    let header = parse_object(&segments.header, &mut sink, "header")?;
    let payload = verify_then_payload(py, segments, &DictMembers(&header), &mut sink, args)?;
    complete(py, header, payload.into_any(), &segments.signature)
}

/// What PyJWT's `jwt.decode` returns once its arguments are read: the
/// token's claims. The header is checked without being turned into Python
/// objects.
fn decode<'py>(
    py: Python<'py>,
    segments: &jws::Segments<'_>,
    args: DecodeArgs<'_, 'py>,
) -> PyResult<Bound<'py, PyDict>> {
    let header = parse_object(&segments.header, &mut MemberSink, "header")?;
    verify_then_payload(py, segments, &header, &mut PySink::new(py, false), args)
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

// --- decode and decode_complete as vectorcall functions --------------------------------
//
// PyO3 passes a function with `**kwargs` its arguments as a tuple and a dict
// (METH_VARARGS), which CPython builds for every call: more than all the rest
// of the argument handling. `decode` and `decode_complete` take PyJWT's
// `**kwargs`, so they are METH_FASTCALL functions written here, reading the
// vectorcall array in place; only unknown keywords (the legacy warning) get a
// dict.

/// How a function's parameters are named and passed.
struct Parameters {
    function: &'static str,
    /// All names, the positional-or-keyword ones first.
    names: [&'static str; 11],
    positional: usize,
    /// Where `subject` and `issuer` stand: PyJWT's `decode` takes `subject`
    /// first, its `decode_complete` `issuer`.
    subject: usize,
    issuer: usize,
}

impl Parameters {
    /// The parameters of `decode` or `decode_complete`, with `subject` and
    /// `issuer` at 7 and 8 in the order given.
    const fn decode(function: &'static str, subject: usize, issuer: usize) -> Parameters {
        assert!(matches!((subject, issuer), (7, 8) | (8, 7)));
        let mut names = [
            "jwt",
            "key",
            "algorithms",
            "options",
            "verify",
            "detached_payload",
            "audience",
            "",
            "",
            "leeway",
            "now",
        ];
        names[subject] = "subject";
        names[issuer] = "issuer";
        Parameters {
            function,
            names,
            positional: 10,
            subject,
            issuer,
        }
    }
}

const DECODE: Parameters = Parameters::decode("decode", 7, 8);

const DECODE_COMPLETE: Parameters = Parameters::decode("decode_complete", 8, 7);

/// The arguments of one call, by parameter, and the unknown keywords.
struct Arguments<'py> {
    slots: [Option<Bound<'py, PyAny>>; 11],
    extra: Option<Bound<'py, PyDict>>,
}

impl<'py> Arguments<'py> {
    /// Reads a vectorcall's arguments as Python binds them, with Python's
    /// messages for too many, repeated or missing ones.
    ///
    /// # Safety
    /// `args` holds `nargs` positional values followed by one value per name
    /// of `kwnames` (a tuple of str, or NULL), as CPython passes them.
    unsafe fn read(
        py: Python<'py>,
        parameters: &Parameters,
        args: *const *mut pyo3::ffi::PyObject,
        nargs: pyo3::ffi::Py_ssize_t,
        kwnames: *mut pyo3::ffi::PyObject,
    ) -> PyResult<Arguments<'py>> {
        let function = parameters.function;
        let nargs = usize::try_from(nargs).unwrap_or(0);
        if nargs > parameters.positional {
            return Err(PyTypeError::new_err(format!(
                "{function}() takes from 1 to {} positional arguments but {nargs} were given",
                parameters.positional
            )));
        }
        let value = |index: usize| -> Bound<'py, PyAny> {
            // SAFETY: index < nargs + len(kwnames), CPython's borrowed references.
            unsafe { Bound::from_borrowed_ptr(py, *args.add(index)) }
        };
        let mut slots: [Option<Bound<'py, PyAny>>; 11] = Default::default();
        for (index, slot) in slots.iter_mut().enumerate().take(nargs) {
            *slot = Some(value(index));
        }
        let mut extra: Option<Bound<'py, PyDict>> = None;
        if !kwnames.is_null() {
            // SAFETY: a non-NULL kwnames is a tuple, borrowed for the call.
            let names = unsafe { Bound::from_borrowed_ptr(py, kwnames) };
            let names = names.cast::<PyTuple>()?;
            for (offset, name) in names.iter().enumerate() {
                // A name that is not UTF-8 (lone surrogates) is no parameter's.
                let text = name.cast::<PyString>()?.to_str().unwrap_or("");
                let given = value(nargs + offset);
                let known = parameters.names.iter().position(|known| *known == text);
                match known.filter(|_| !text.is_empty()) {
                    Some(index) if slots[index].is_some() => {
                        return Err(PyTypeError::new_err(format!(
                            "{function}() got multiple values for argument '{text}'"
                        )));
                    }
                    Some(index) => slots[index] = Some(given),
                    None => {
                        let dict = extra.get_or_insert_with(|| PyDict::new(py));
                        dict.set_item(name, given)?;
                    }
                }
            }
        }
        if slots[0].is_none() {
            return Err(PyTypeError::new_err(format!(
                "{function}() missing 1 required positional argument: 'jwt'"
            )));
        }
        Ok(Arguments { slots, extra })
    }

    fn given(&self, index: usize) -> Given<'py> {
        match &self.slots[index] {
            Some(value) => Given::Value(value.clone()),
            None => Given::Absent,
        }
    }

    /// An argument whose None means "not given".
    fn optional(&self, index: usize) -> Option<&Bound<'py, PyAny>> {
        self.slots[index].as_ref().filter(|v| !v.is_none())
    }

    fn text(&self, index: usize, name: &str) -> PyResult<Option<String>> {
        match self.optional(index) {
            None => Ok(None),
            Some(value) => value.extract().map(Some).map_err(|e: PyErr| {
                PyTypeError::new_err(format!("argument '{name}': {}", e.value(value.py())))
            }),
        }
    }
}

/// Runs `body` as a vectorcall function's body: its error set as the
/// current exception, a panic turned into one, never unwound into CPython.
fn vectorcall_result<'py>(
    py: Python<'py>,
    body: impl FnOnce() -> PyResult<Bound<'py, PyDict>>,
) -> *mut pyo3::ffi::PyObject {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
    let error = match outcome {
        Ok(Ok(value)) => return value.into_ptr(),
        Ok(Err(error)) => error,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|m| m.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic in ferrojwt".to_owned());
            pyo3::panic::PanicException::new_err(message)
        }
    };
    error.restore(py);
    std::ptr::null_mut()
}

/// `decode` (`COMPLETE` false) or `decode_complete` (`COMPLETE` true) as a
/// METH_FASTCALL | METH_KEYWORDS function: the arguments read in place and
/// the part the two share, then [`decode`]'s or [`decode_complete`]'s own.
unsafe extern "C" fn decode_vectorcall<const COMPLETE: bool>(
    _module: *mut pyo3::ffi::PyObject,
    args: *const *mut pyo3::ffi::PyObject,
    nargs: pyo3::ffi::Py_ssize_t,
    kwnames: *mut pyo3::ffi::PyObject,
) -> *mut pyo3::ffi::PyObject {
    let parameters = if COMPLETE { &DECODE_COMPLETE } else { &DECODE };
    // SAFETY: CPython calls a METH_FASTCALL function with the thread attached.
    let py = unsafe { Python::assume_attached() };
    vectorcall_result(py, || {
        // SAFETY: the arguments are CPython's vectorcall arguments.
        let a = unsafe { Arguments::read(py, parameters, args, nargs, kwnames)? };
        let jwt = a.slots[0]
            .as_ref()
            .ok_or_else(|| PyTypeError::new_err("jwt"))?;
        let subject = a.text(parameters.subject, "subject")?;
        clear_upper_state();
        let call = Call {
            function: parameters.function,
            jwt,
            key: a.given(1),
            algorithms: a.optional(2),
            options: a.optional(3),
            verify: a.optional(4),
            detached_payload: a.optional(5),
            leeway: a.given(9),
            now: a.optional(10),
            kwargs: a.extra.as_ref(),
        };
        let read = call.read(py)?;
        let segments = jws::split(token_bytes(jwt)?)?;
        let args = DecodeArgs {
            key: read.key.as_ref(),
            algorithms: read.algorithms.as_ref(),
            options: read.options.as_ref(),
            audience: a.optional(6),
            issuer: a.optional(parameters.issuer),
            subject,
            leeway: read.leeway,
            now: read.now,
        };
        if COMPLETE {
            decode_complete(py, &segments, args)
        } else {
            decode(py, &segments, args)
        }
    })
}

const DECODE_DOC: &std::ffi::CStr = c"decode(jwt, key='', algorithms=None, options=None, verify=None, detached_payload=None, audience=None, subject=None, issuer=None, leeway=0, *, now=None, **kwargs)
--

Verifies and decodes a token; returns its claims: PyJWT's `jwt.decode`.";

const DECODE_COMPLETE_DOC: &std::ffi::CStr = c"decode_complete(jwt, key='', algorithms=None, options=None, verify=None, detached_payload=None, audience=None, issuer=None, subject=None, leeway=0, *, now=None, **kwargs)
--

Verifies and decodes a token; returns its header, payload and signature: PyJWT's `jwt.decode_complete`.";

/// Adds `decode` and `decode_complete` to the module, as METH_FASTCALL |
/// METH_KEYWORDS builtins whose `__module__` is the module's name.
pub fn add_vectorcall_functions(module: &Bound<'_, pyo3::types::PyModule>) -> PyResult<()> {
    let py = module.py();
    let functions: [(&str, &'static std::ffi::CStr, _, &'static std::ffi::CStr); 2] = [
        (
            "decode",
            c"decode",
            decode_vectorcall::<false> as pyo3::ffi::PyCFunctionFastWithKeywords,
            DECODE_DOC,
        ),
        (
            "decode_complete",
            c"decode_complete",
            decode_vectorcall::<true>,
            DECODE_COMPLETE_DOC,
        ),
    ];
    let module_name = module.name()?;
    for (text, name, function, doc) in functions {
        // The definition must outlive the function object: it is made once per
        // process (the module is initialised once) and never freed.
        let definition: &'static mut pyo3::ffi::PyMethodDef =
            Box::leak(Box::new(pyo3::ffi::PyMethodDef {
                ml_name: name.as_ptr(),
                ml_meth: pyo3::ffi::PyMethodDefPointer {
                    PyCFunctionFastWithKeywords: function,
                },
                ml_flags: pyo3::ffi::METH_FASTCALL | pyo3::ffi::METH_KEYWORDS,
                ml_doc: doc.as_ptr(),
            }));
        // SAFETY: a valid method definition, no self, the module's name (a str).
        let object = unsafe {
            Bound::from_owned_ptr_or_err(
                py,
                pyo3::ffi::PyCFunction_NewEx(
                    definition,
                    std::ptr::null_mut(),
                    module_name.as_ptr(),
                ),
            )?
        };
        module.add(text, object)?;
    }
    Ok(())
}
