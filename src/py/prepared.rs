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
    algorithm_for, check_claims_at, check_key_length, complete, header_json, plain_header,
    token_bytes, validation, verify_signature_bytes, Allowed, Options, ALGORITHMS_REQUIRED,
};
use super::clock::clock;
use super::cpu::clear_upper_state;
use super::json_in::PySink;
use super::json_out::{write_plain_payload, Writer};
use super::key::resolve;
use super::members::{member_of, DictMembers};
use crate::algorithm::Algorithm;
use crate::claims::{self, Validation};
use crate::error::Error;
use crate::json::parse_object;
use crate::jws;
use crate::members::MemberSink;

static NATIVE_KEY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

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
        None => clock(py),
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
    /// `base64url(header_json) + "."`, the start of every token.
    header_prefix: String,
    json_encoder: Option<Py<PyAny>>,
}

thread_local! {
    /// The payload JSON of the call in progress, kept so that each call does
    /// not allocate it anew (taken, then given back: a call made meanwhile on
    /// this thread finds none and allocates).
    static PAYLOAD_JSON: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
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
        let mut header_prefix = crate::b64::encode(header_json.as_bytes());
        header_prefix.push('.');
        Ok(Encoder {
            key,
            alg,
            header_prefix,
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
    fn encode<'py>(
        &self,
        py: Python<'py>,
        payload: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyString>> {
        clear_upper_state();
        let Ok(payload) = payload.cast::<PyDict>() else {
            return Err(PyTypeError::new_err(
                "Expecting a dict object, as JWT only supports JSON objects as payloads.",
            ));
        };
        if self.json_encoder.is_none() {
            let mut json = PAYLOAD_JSON.with(|cell| cell.take());
            json.clear();
            // The claim rule of encoding, applied to each member as it is met.
            let plain = write_plain_payload(payload, &mut json, |name, value| {
                if name == "iss" {
                    claims::check_issuer_for_encode(&member_of(value, false))?;
                }
                Ok(())
            });
            let token = match plain {
                Ok(true) => Some(self.sign(py, json.as_bytes())),
                Ok(false) => None,
                Err(err) => Some(Err(err)),
            };
            if json.capacity() <= 16 * 1024 {
                let _ = PAYLOAD_JSON.try_with(|cell| cell.set(json));
            }
            if let Some(token) = token {
                return token;
            }
        }
        claims::check_for_encode(&DictMembers(payload))?;
        let encoder = self.json_encoder.as_ref().map(|e| e.bind(py));
        let mut writer = Writer::new(py, encoder, false)?;
        writer.document(payload, true)?;
        self.sign(py, writer.out.as_bytes())
    }
}

impl Encoder {
    /// The token of `payload_json`: the header written at construction, the
    /// payload, the signature (without the GIL for the asymmetric algorithms).
    fn sign<'py>(&self, py: Python<'py>, payload_json: &[u8]) -> PyResult<Bound<'py, PyString>> {
        let mut token = String::with_capacity(
            self.header_prefix.len() + payload_json.len().div_ceil(3) * 4 + 2 + 700,
        );
        token.push_str(&self.header_prefix);
        crate::b64::encode_into(payload_json, &mut token);
        let signature = if self.alg.is_asymmetric() {
            py.detach(|| self.key.sign(self.alg, token.as_bytes()))?
        } else {
            self.key.sign(self.alg, token.as_bytes())?
        };
        jws::append_signature(&mut token, &signature);
        Ok(PyString::new(py, &token))
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
    /// The headers `Encoder`s write for this decoder's algorithms (PyJWT's
    /// two member orders), as base64url text, each with the algorithm that
    /// the header rules, run on it once at construction, chose.
    known_headers: Vec<(String, Option<Algorithm>)>,
}

/// The key a header selects: by its `kid` among the rotation keys, with the
/// algorithm of the key entry (never the token's choice), or the current key.
enum Selected<'a> {
    Current,
    Rotated(Algorithm, &'a Result<Arc<crate::keys::Key>, PyErr>),
}

/// A key as the header rules chose it for one token.
type Chosen<'a> = (Algorithm, &'a Result<Arc<crate::keys::Key>, PyErr>);

impl Decoder {
    /// The leeway time claims are checked with, in seconds.
    pub(super) fn leeway(&self) -> f64 {
        self.validation.leeway
    }

    /// Applies the header rules and chooses the key; None when the
    /// signature is not verified (the rules that still hold are checked).
    fn choose(&self, header: &impl crate::members::Members) -> PyResult<Option<Chosen<'_>>> {
        if !self.verify_signature {
            jws::check_unverified(header)?;
            return Ok(None);
        }
        let chosen = match self.select(header)? {
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
        Ok(Some(chosen))
    }

    /// Checks the signature with the key the header rules chose.
    fn check_signature(
        &self,
        py: Python<'_>,
        chosen: Option<Chosen<'_>>,
        signing_input: &[u8],
        signature: &[u8],
    ) -> PyResult<()> {
        let Some((alg, key)) = chosen else {
            return Ok(());
        };
        let key = match key {
            Ok(key) => key,
            Err(why) => return Err(why.clone_ref(py)),
        };
        verify_signature_bytes(
            py,
            signing_input,
            signature,
            key,
            alg,
            self.enforce_minimum_key_length,
        )
    }

    /// Checks the header, verifies the signature; the payload is the caller's.
    fn verify(
        &self,
        py: Python<'_>,
        segments: &jws::Segments<'_>,
        header: &impl crate::members::Members,
    ) -> PyResult<()> {
        let chosen = self.choose(header)?;
        self.check_signature(py, chosen, segments.signing_input, &segments.signature)
    }

    /// The headers this decoder's own algorithms are written with, each run
    /// once through the header rules; only those the rules accept are kept.
    fn known_headers(&self) -> Vec<(String, Option<Algorithm>)> {
        let mut known = Vec::new();
        for (alg, _) in &self.keys {
            for sort in [true, false] {
                let json = plain_header(*alg, sort);
                let Ok(header) = parse_object(json.as_bytes(), &mut MemberSink, "header") else {
                    continue;
                };
                if let Ok(chosen) = self.choose(&header) {
                    known.push((crate::b64::encode(json.as_bytes()), chosen.map(|c| c.0)));
                }
            }
        }
        known
    }

    /// The key chosen for a header found among [`Self::known_headers`].
    fn chosen_for(&self, alg: Option<Algorithm>) -> Option<Chosen<'_>> {
        let alg = alg?;
        self.keys
            .iter()
            .find(|(a, _)| *a == alg)
            .map(|(a, key)| (*a, key))
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
        payload: &[u8],
        sink: &mut PySink<'py>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let now = now_seconds(py, now)?;
        sink.start_document(self.verify_signature);
        let payload_dict = parse_object(payload, sink, "payload")?;
        check_claims_at(sink, &payload_dict, &self.validation, now)?;
        Ok(payload_dict)
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
        let mut decoder = Decoder {
            verify_signature,
            enforce_minimum_key_length,
            keys: current,
            other_names,
            kid,
            by_kid,
            validation,
            known_headers: Vec::new(),
        };
        decoder.known_headers = decoder.known_headers();
        Ok(decoder)
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
        let token = jws::split_compact(token_bytes(jwt)?)?;
        // Room on the stack for the payload and signature of any usual token.
        let mut payload_room = [std::mem::MaybeUninit::uninit(); 1024];
        let mut signature_room = [std::mem::MaybeUninit::uninit(); 512];
        // A header byte for byte one of the known ones: the rules' outcome on
        // it is known. Any other is decoded and checked.
        let known = self
            .known_headers
            .iter()
            .find(|(text, _)| text.as_bytes() == token.header);
        let header = match known {
            Some(_) => None,
            None => {
                let mut header = Vec::new();
                jws::decode_segment(token.header, "header", &mut header)?;
                Some(header)
            }
        };
        let payload = jws::decode_segment_in(token.payload, "payload", &mut payload_room)?;
        let signature = jws::decode_segment_in(token.signature, "crypto", &mut signature_room)?;
        let chosen = match (known, header) {
            (Some((_, alg)), _) => self.chosen_for(*alg),
            (None, Some(header)) => {
                self.choose(&parse_object(&header, &mut MemberSink, "header")?)?
            }
            (None, None) => None,
        };
        self.check_signature(py, chosen, token.signing_input, &signature)?;
        self.payload(py, &payload, &mut PySink::new(py, false), now)
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
        let payload = self.payload(py, &segments.payload, &mut sink, now)?;
        complete(py, header, payload.into_any(), &segments.signature)
    }
}
