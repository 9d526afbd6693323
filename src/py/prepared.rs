//! `Encoder` and `Decoder`: the arguments of `encode` and `decode` bound once.
//!
//! Everything a call would read and check before touching the token is done
//! at construction: the key is resolved (once per allowed algorithm), the
//! header written, the options read into a `Validation`. A call then only
//! splits, verifies, parses and checks. The rules are the ones `encode` and
//! `decode` apply (the same functions run), so both spellings behave alike.

use std::sync::Arc;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyFloat, PyInt, PyString};

use super::api::{
    algorithm_for, check_claims, check_key_length, complete, header_json, sign, token_bytes,
    validation, verify_segments, Allowed, Options, ALGORITHMS_REQUIRED,
};
use super::cpu::clear_upper_state;
use super::json_in::PySink;
use super::json_out::Writer;
use super::key::resolve;
use super::members::DictMembers;
use crate::algorithm::Algorithm;
use crate::claims::{self, Validation};
use crate::error::Error;
use crate::json::parse_object;
use crate::jws;
use crate::members::MemberSink;

static NATIVE_KEY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static TIME: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// A key argument as the core takes it: a `Key`, str or bytes as they are;
/// a `PyJWK`, a JWK mapping or a `cryptography` key object through
/// `ferrojwt.jwt.keys.native_key` (once, at construction).
fn native_key<'py>(key: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if key.is_instance_of::<super::key::PyKey>()
        || key.is_instance_of::<PyString>()
        || key.is_instance_of::<PyBytes>()
    {
        return Ok(key.clone());
    }
    NATIVE_KEY
        .import(key.py(), "ferrojwt.jwt.keys", "native_key")?
        .call1((key,))
}

/// The algorithm a `PyJWK` carries, when `key` is one (it signs and verifies
/// with that algorithm only, as in PyJWT).
pub(super) fn jwk_algorithm(key: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    if key.is_instance_of::<super::key::PyKey>()
        || key.is_instance_of::<PyString>()
        || key.is_instance_of::<PyBytes>()
        || !key.hasattr(pyo3::intern!(key.py(), "algorithm_name"))?
    {
        return Ok(None);
    }
    key.getattr(pyo3::intern!(key.py(), "algorithm_name"))?
        .extract()
}

/// Seconds from a number or a `timedelta` (leeway).
pub(super) fn seconds(value: &Bound<'_, PyAny>, what: &str) -> PyResult<f64> {
    if value.is_instance_of::<PyFloat>() || value.is_instance_of::<PyInt>() {
        return value.extract();
    }
    if value.hasattr(pyo3::intern!(value.py(), "total_seconds"))? {
        return value.call_method0("total_seconds")?.extract();
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be a number of seconds or a timedelta"
    )))
}

/// The time to check claims against: `now` (seconds since the epoch, or an
/// aware datetime), else `time.time()` read at call time (freezegun moves it).
pub(super) fn now_seconds(py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<f64> {
    match now.filter(|n| !n.is_none()) {
        None => TIME
            .get_or_try_init(py, || py.import("time").map(Bound::unbind))?
            .bind(py)
            .call_method0(pyo3::intern!(py, "time"))?
            .extract(),
        Some(n) if n.is_instance_of::<PyFloat>() || n.is_instance_of::<PyInt>() => n.extract(),
        Some(n) if n.hasattr(pyo3::intern!(py, "tzinfo"))? => {
            if n.getattr(pyo3::intern!(py, "tzinfo"))?.is_none() {
                return Err(PyValueError::new_err(
                    "now must be an aware datetime (or seconds since the epoch)",
                ));
            }
            n.call_method0("timestamp")?.extract()
        }
        Some(_) => Err(PyTypeError::new_err(
            "now must be seconds since the epoch or an aware datetime",
        )),
    }
}

/// Signs payloads with one key, algorithm and header.
#[pyclass(frozen, name = "Encoder", module = "ferrojwt._core")]
pub struct Encoder {
    key: Arc<crate::keys::Key>,
    alg: Algorithm,
    header_json: String,
    json_encoder: Option<Py<PyAny>>,
}

#[pymethods]
impl Encoder {
    #[new]
    #[pyo3(signature = (key, algorithm = None, headers = None, json_encoder = None, sort_headers = true, enforce_minimum_key_length = false))]
    fn new(
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        algorithm: Option<String>,
        headers: Option<&Bound<'_, PyDict>>,
        json_encoder: Option<Bound<'_, PyAny>>,
        sort_headers: bool,
        enforce_minimum_key_length: bool,
    ) -> PyResult<Encoder> {
        let algorithm = match algorithm {
            Some(name) => Some(name),
            None => jwk_algorithm(key)?,
        };
        let alg = algorithm_for(algorithm.as_deref(), headers)?;
        let key = resolve(&native_key(key)?, alg)?;
        // A short HMAC secret warns (or is refused) once, here, not at every call.
        check_key_length(py, &key, alg, enforce_minimum_key_length)?;
        // The header is copied now: changing `headers` later changes nothing.
        let header_json =
            header_json(py, alg, headers, json_encoder.as_ref(), sort_headers)?.into_owned();
        Ok(Encoder {
            key,
            alg,
            header_json,
            json_encoder: json_encoder.map(Bound::unbind),
        })
    }

    /// The algorithm tokens are signed with.
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.alg.name()
    }

    /// Signs `payload` (a dict) and returns the compact token, the same bytes
    /// as `encode(payload, key, algorithm, headers, json_encoder)`.
    fn encode(&self, py: Python<'_>, payload: &Bound<'_, PyAny>) -> PyResult<String> {
        clear_upper_state();
        let Ok(payload) = payload.cast::<PyDict>() else {
            return Err(PyTypeError::new_err(
                "Expecting a dict object, as JWT only supports JSON objects as payloads.",
            ));
        };
        claims::check_for_encode(&DictMembers(payload))?;
        let encoder = self.json_encoder.as_ref().map(|e| e.bind(py));
        let mut writer = Writer::new(py, encoder, false)?;
        writer.document(payload, true)?;
        sign(
            py,
            &self.key,
            self.alg,
            &self.header_json,
            writer.out.as_bytes(),
        )
    }
}

/// Verifies tokens with one key, set of algorithms and claim policy.
#[pyclass(frozen, name = "Decoder", module = "ferrojwt._core")]
pub struct Decoder {
    verify_signature: bool,
    enforce_minimum_key_length: bool,
    /// Each allowed algorithm with the key resolved for it (or why it cannot
    /// be: the error the token's use of that algorithm gets).
    keys: Vec<(Algorithm, Result<Arc<crate::keys::Key>, PyErr>)>,
    /// Allowed names ferrojwt does not implement: a header naming one is
    /// refused as unsupported, as `decode` refuses it.
    other_names: Vec<String>,
    /// Key rotation: the id of `keys`' key (a token naming it uses them), and the
    /// other keys by id, each with the one algorithm it verifies.
    kid: Option<String>,
    by_kid: Vec<(String, Algorithm, Result<Arc<crate::keys::Key>, PyErr>)>,
    validation: Validation,
}

/// The key a header selects: by its `kid` among the rotation keys, with the
/// algorithm of the key entry (never the token's choice), or the current key.
enum Selected<'a> {
    Current,
    Rotated(Algorithm, &'a Result<Arc<crate::keys::Key>, PyErr>),
}

impl Decoder {
    /// The leeway time claims are checked with, in seconds.
    pub(super) fn leeway(&self) -> f64 {
        self.validation.leeway
    }

    /// Checks the header, verifies the signature; the payload is the caller's.
    fn verify(
        &self,
        py: Python<'_>,
        segments: &jws::Segments<'_>,
        header: &impl crate::members::Members,
    ) -> PyResult<()> {
        if !self.verify_signature {
            jws::check_unverified(header)?;
            return Ok(());
        }
        let (alg, key) = match self.select(header)? {
            Selected::Rotated(alg, key) => {
                jws::check_header(header, |name| name == alg.name())?;
                (alg, key)
            }
            Selected::Current => {
                let alg = jws::check_header(header, |name| {
                    self.keys.iter().any(|(a, _)| a.name() == name)
                        || self.other_names.iter().any(|n| n == name)
                })?;
                match self.keys.iter().find(|(a, _)| *a == alg) {
                    Some((_, key)) => (alg, key),
                    None => return Err(Error::NotImplemented("Algorithm not supported").into()),
                }
            }
        };
        let key = match key {
            Ok(key) => key,
            Err(why) => return Err(why.clone_ref(py)),
        };
        verify_segments(py, segments, key, alg, self.enforce_minimum_key_length)
    }

    /// Which key verifies a token with this header. Without rotation keys and
    /// a current `kid`, any `kid` is ignored (the plain decode). With them, a
    /// `kid` must name one of them: an unknown one is refused at once, no key
    /// being tried; a token without `kid` is the current key's.
    fn select(&self, header: &impl crate::members::Members) -> Result<Selected<'_>, Error> {
        if self.kid.is_none() && self.by_kid.is_empty() {
            return Ok(Selected::Current);
        }
        let kid = match header.member("kid") {
            crate::members::Member::Absent => return Ok(Selected::Current),
            crate::members::Member::Str(kid) => kid,
            // check_header refuses a non-string kid with its own message.
            _ => return Ok(Selected::Current),
        };
        if self.kid.as_deref() == Some(kid.as_str()) {
            return Ok(Selected::Current);
        }
        match self.by_kid.iter().find(|(id, _, _)| *id == kid) {
            Some((_, alg, key)) => Ok(Selected::Rotated(*alg, key)),
            // The token names a key this decoder does not hold: a refusal of the
            // token (InvalidTokenError), not a problem with the configured keys.
            None => Err(Error::InvalidToken(
                "The token's key id (kid) is not one of the verifying keys".into(),
            )),
        }
    }

    fn payload<'py>(
        &self,
        py: Python<'py>,
        segments: &jws::Segments<'_>,
        sink: &mut PySink<'py>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let now = now_seconds(py, now)?;
        sink.start_document(self.verify_signature);
        let payload = parse_object(&segments.payload, sink, "payload")?;
        let mut rules = self.validation.clone();
        rules.now = now;
        check_claims(sink, &payload, &rules)?;
        Ok(payload)
    }
}

#[pymethods]
impl Decoder {
    #[new]
    #[pyo3(signature = (key, algorithms = None, options = None, audience = None, issuer = None, subject = None, leeway = None, *, kid = None, keys = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        key: Option<&Bound<'_, PyAny>>,
        algorithms: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
        audience: Option<&Bound<'_, PyAny>>,
        issuer: Option<&Bound<'_, PyAny>>,
        subject: Option<String>,
        leeway: Option<&Bound<'_, PyAny>>,
        kid: Option<String>,
        keys: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Decoder> {
        let read = Options::read(options)?;
        let verify_signature = read.verify_signature.unwrap_or(true);
        let enforce_minimum_key_length = read.enforce_minimum_key_length;
        let key = key.filter(|k| !k.is_none());
        let jwk_alg = match key {
            Some(key) => jwk_algorithm(key)?,
            None => None,
        };
        let mut names: Vec<String> = match algorithms.filter(|a| !a.is_none()) {
            Some(algorithms) => match Allowed::read(algorithms)? {
                Allowed::List(list) => list.iter().filter_map(|i| i.extract().ok()).collect(),
                Allowed::Tuple(tuple) => tuple.iter().filter_map(|i| i.extract().ok()).collect(),
                Allowed::Names(names) => names,
            },
            None => Vec::new(),
        };
        if let Some(own) = jwk_alg {
            // A PyJWK verifies with its own algorithm only.
            if verify_signature && !names.is_empty() && !names.contains(&own) {
                return Err(Error::InvalidAlgorithm(
                    "The key's algorithm is not among the allowed algorithms",
                )
                .into());
            }
            names = vec![own];
        }
        if verify_signature && names.is_empty() {
            return Err(Error::decode(ALGORITHMS_REQUIRED).into());
        }
        let native = key.map(native_key).transpose()?;
        let mut current = Vec::new();
        let mut other_names = Vec::new();
        for name in names {
            match Algorithm::from_name(&name) {
                Ok(alg) if !current.iter().any(|(a, _)| *a == alg) => {
                    let resolved = match &native {
                        Some(native) => resolve(native, alg),
                        None => Err(Error::key("A key is required to verify the signature").into()),
                    };
                    current.push((alg, resolved));
                }
                Ok(_) => {}
                Err(_) => other_names.push(name),
            }
        }
        let mut by_kid = Vec::new();
        for (id, entry) in keys.into_iter().flat_map(|k| k.iter()) {
            let id: String = id.extract().map_err(|_| {
                PyTypeError::new_err("keys must map each key id (a str) to (key, algorithm)")
            })?;
            let (entry_key, name): (Bound<'_, PyAny>, String) = entry.extract().map_err(|_| {
                PyTypeError::new_err("keys must map each key id (a str) to (key, algorithm)")
            })?;
            let alg = Algorithm::from_name(&name)?;
            if by_kid.iter().any(|(other, _, _)| *other == id) || kid.as_deref() == Some(&id) {
                return Err(PyValueError::new_err(format!(
                    "key id {id:?} is given twice"
                )));
            }
            let resolved = native_key(&entry_key).and_then(|native| resolve(&native, alg));
            by_kid.push((id, alg, resolved));
        }
        let leeway = match leeway.filter(|l| !l.is_none()) {
            Some(leeway) => seconds(leeway, "leeway")?,
            None => 0.0,
        };
        let validation = validation(
            read,
            verify_signature,
            audience,
            issuer,
            subject,
            leeway,
            0.0,
        )?;
        Ok(Decoder {
            verify_signature,
            enforce_minimum_key_length,
            keys: current,
            other_names,
            kid,
            by_kid,
            validation,
        })
    }

    /// The allowed algorithms ferrojwt implements, in the order given.
    #[getter]
    fn algorithms(&self) -> Vec<&'static str> {
        self.keys.iter().map(|(a, _)| a.name()).collect()
    }

    /// Verifies `jwt` and returns its claims, as `decode(jwt, key, ...)` with
    /// this decoder's arguments. `now` defaults to `time.time()` at call time.
    #[pyo3(signature = (jwt, now = None))]
    pub(super) fn decode<'py>(
        &self,
        py: Python<'py>,
        jwt: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        clear_upper_state();
        let segments = jws::split(token_bytes(jwt)?)?;
        let header = parse_object(&segments.header, &mut MemberSink, "header")?;
        self.verify(py, &segments, &header)?;
        self.payload(py, &segments, &mut PySink::new(py, false), now)
    }

    /// As [`decode`], returning `{"header", "payload", "signature"}`.
    #[pyo3(signature = (jwt, now = None))]
    fn decode_complete<'py>(
        &self,
        py: Python<'py>,
        jwt: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        clear_upper_state();
        let segments = jws::split(token_bytes(jwt)?)?;
        let mut sink = PySink::new(py, false);
        let header = parse_object(&segments.header, &mut sink, "header")?;
        self.verify(py, &segments, &DictMembers(&header))?;
        let payload = self.payload(py, &segments, &mut sink, now)?;
        complete(py, header, payload.into_any(), &segments.signature)
    }
}
