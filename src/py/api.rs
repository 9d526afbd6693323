//! What `ferrojwt.jwt`'s functions (in `functions`), the JWS layer and the
//! prepared objects share: header and signature, options and claim rules;
//! and the JWS-layer functions.

use std::borrow::Cow;
use std::sync::OnceLock;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use super::cpu::clear_upper_state;
use super::errors::warn_insecure_key_length;
use super::json_in::PySink;
use super::json_out::Writer;
use super::key::resolve;
use super::members::{member_of, DictMembers, PayloadMembers};
use crate::algorithm::Algorithm;
use crate::claims::{self, Expected, Validation};
use crate::error::Error;
use crate::json::parse_object;
use crate::jws;
use crate::keys::Key;
use crate::members::Members;

/// Signs an arbitrary payload (the JWS layer, PyJWT's `PyJWS.encode`): the
/// payload bytes are base64url-encoded as they are, never parsed.
#[pyfunction]
#[pyo3(signature = (payload, key, algorithm, headers, json_encoder, sort_headers, enforce_minimum_key_length))]
#[allow(clippy::too_many_arguments)]
pub fn jws_encode<'py>(
    py: Python<'py>,
    payload: &[u8],
    key: &Bound<'py, PyAny>,
    algorithm: Option<&str>,
    headers: Option<&Bound<'py, PyDict>>,
    json_encoder: Option<Bound<'py, PyAny>>,
    sort_headers: bool,
    enforce_minimum_key_length: bool,
) -> PyResult<String> {
    clear_upper_state();
    let alg = algorithm_for(algorithm, headers)?;
    let key = resolve(key, alg)?;
    check_key_length(py, &key, alg, enforce_minimum_key_length)?;
    let header_json = header_json(py, alg, headers, json_encoder.as_ref(), sort_headers)?;
    sign(py, &key, alg, &header_json, payload)
}

/// A short HMAC secret: PyJWT's InsecureKeyLengthWarning, or its
/// InvalidKeyError under `enforce_minimum_key_length`.
pub(super) fn check_key_length(
    py: Python<'_>,
    key: &Key,
    alg: Algorithm,
    enforce: bool,
) -> PyResult<()> {
    match key.short_secret_warning(alg) {
        None => Ok(()),
        Some(message) if enforce => Err(Error::key(message).into()),
        Some(message) => warn_insecure_key_length(py, &message),
    }
}

/// `header_json.payload_json.signature`, the signature made without the GIL
/// for the asymmetric algorithms.
pub(super) fn sign(
    py: Python<'_>,
    key: &Key,
    alg: Algorithm,
    header_json: &str,
    payload: &[u8],
) -> PyResult<String> {
    let mut token = jws::signing_input(header_json.as_bytes(), payload);
    let signature = if alg.is_asymmetric() {
        py.detach(|| key.sign(alg, token.as_bytes()))?
    } else {
        key.sign(alg, token.as_bytes())?
    };
    jws::append_signature(&mut token, &signature);
    Ok(token)
}

/// The algorithm to sign with: the argument, unless the headers name one
/// (PyJWT prefers the header). None is PyJWT's "none", never implemented.
pub(super) fn algorithm_for(
    algorithm: Option<&str>,
    headers: Option<&Bound<'_, PyDict>>,
) -> PyResult<Algorithm> {
    let unsupported = || Error::NotImplemented("Algorithm not supported");
    let from_header = match headers.map(|h| h.get_item("alg")).transpose()?.flatten() {
        Some(alg) if alg.is_truthy()? => Some(alg),
        _ => None,
    };
    let name = match &from_header {
        Some(alg) => alg
            .cast::<PyString>()
            .map_err(|_| unsupported())?
            .to_str()?,
        None => algorithm.ok_or_else(unsupported)?,
    };
    Ok(Algorithm::from_name(name).map_err(|_| unsupported())?)
}

/// `{"typ": "JWT", "alg": alg}` updated with `headers`, `typ` dropped when
/// falsy, keys sorted unless told otherwise: PyJWT's header.
pub(super) fn header_json<'py>(
    py: Python<'py>,
    alg: Algorithm,
    headers: Option<&Bound<'py, PyDict>>,
    json_encoder: Option<&Bound<'py, PyAny>>,
    sort: bool,
) -> PyResult<Cow<'static, str>> {
    let headers = headers.filter(|h| !h.is_empty());
    if headers.is_none() && json_encoder.is_none() {
        return Ok(Cow::Borrowed(plain_header(alg, sort)));
    }
    let header = PyDict::new(py);
    header.set_item("typ", "JWT")?;
    header.set_item("alg", alg.name())?;
    if let Some(headers) = headers {
        if let Some(kid) = headers.get_item("kid")? {
            jws::check_kid(&member_of(&kid, false))?;
        }
        if let Some(b64) = headers.get_item("b64")? {
            if b64.is(pyo3::types::PyBool::new(py, false)) {
                return Err(Error::NotImplemented(
                    "Unencoded payloads (b64: false, RFC 7797) are not supported",
                )
                .into());
            }
        }
        header.update(headers.as_mapping())?;
        // b64 true is the default: PyJWT leaves it out, and so does ferrojwt.
        if header.contains("b64")? {
            header.del_item("b64")?;
        }
    }
    if let Some(typ) = header.get_item("typ")? {
        if !typ.is_truthy()? {
            header.del_item("typ")?;
        }
    }
    let mut writer = Writer::new(py, json_encoder, sort)?;
    writer.document(&header, false)?;
    Ok(Cow::Owned(writer.out))
}

/// `{"alg":...,"typ":"JWT"}` (or `typ` first, unsorted) of each algorithm,
/// written once: the header of every token encoded without extra headers.
pub(super) fn plain_header(alg: Algorithm, sort: bool) -> &'static str {
    static HEADERS: OnceLock<Vec<[String; 2]>> = OnceLock::new();
    let all = HEADERS.get_or_init(|| {
        Algorithm::ALL
            .iter()
            .map(|a| {
                [
                    format!("{{\"typ\":\"JWT\",\"alg\":\"{}\"}}", a.name()),
                    format!("{{\"alg\":\"{}\",\"typ\":\"JWT\"}}", a.name()),
                ]
            })
            .collect()
    });
    let index = Algorithm::ALL.iter().position(|a| *a == alg).unwrap_or(0);
    &all[index][usize::from(sort)]
}

/// The bytes of a token argument (str or bytes), as PyJWT accepts.
pub(super) fn token_bytes<'a>(jwt: &'a Bound<'_, PyAny>) -> PyResult<&'a [u8]> {
    if let Ok(text) = jwt.cast::<PyString>() {
        return Ok(text.to_str()?.as_bytes());
    }
    if let Ok(bytes) = jwt.cast::<PyBytes>() {
        return Ok(bytes.as_bytes());
    }
    Err(Error::decode("Invalid token type. Token must be a <class 'bytes'>").into())
}

/// The options dict. Unknown keys are ignored, as PyJWT ignores them (it
/// merges them into its defaults and never reads them).
#[derive(Default)]
pub(super) struct Options {
    pub(super) verify_signature: Option<bool>,
    pub(super) enforce_minimum_key_length: bool,
    /// `verify_exp` ... `strict_aud`, in [`Flag`]'s order, when given.
    flags: [Option<bool>; 8],
    require: Option<Vec<String>>,
}

/// The boolean options that switch one claim rule.
#[derive(Clone, Copy)]
enum Flag {
    Exp,
    Nbf,
    Iat,
    Aud,
    Iss,
    Sub,
    Jti,
    StrictAud,
}

impl Options {
    /// Looks the known names up, most used first, and stops once every
    /// entry of the dict has been accounted for: `TokenBackend`'s two-key
    /// dict costs two lookups, and nothing is allocated unless `require`
    /// names claims.
    pub(super) fn read<'py>(options: Option<&Bound<'py, PyDict>>) -> PyResult<Options> {
        let mut read = Options::default();
        let Some(dict) = options else {
            return Ok(read);
        };
        let mut left = dict.len();
        let py = dict.py();
        let mut get = |name: &Bound<'py, PyString>| -> PyResult<Option<Bound<'py, PyAny>>> {
            if left == 0 {
                return Ok(None);
            }
            let value = dict.get_item(name)?;
            left -= usize::from(value.is_some());
            Ok(value)
        };
        let truthy = |value: Option<Bound<'py, PyAny>>| value.map(|v| v.is_truthy()).transpose();
        read.verify_signature = truthy(get(pyo3::intern!(py, "verify_signature"))?)?;
        read.flags[Flag::Aud as usize] = truthy(get(pyo3::intern!(py, "verify_aud"))?)?;
        read.flags[Flag::Exp as usize] = truthy(get(pyo3::intern!(py, "verify_exp"))?)?;
        if let Some(require) = get(pyo3::intern!(py, "require"))? {
            read.require = Some(names(&require, "options[\"require\"]")?);
        }
        read.flags[Flag::Iss as usize] = truthy(get(pyo3::intern!(py, "verify_iss"))?)?;
        read.flags[Flag::Nbf as usize] = truthy(get(pyo3::intern!(py, "verify_nbf"))?)?;
        read.flags[Flag::Iat as usize] = truthy(get(pyo3::intern!(py, "verify_iat"))?)?;
        read.flags[Flag::Sub as usize] = truthy(get(pyo3::intern!(py, "verify_sub"))?)?;
        read.flags[Flag::Jti as usize] = truthy(get(pyo3::intern!(py, "verify_jti"))?)?;
        read.flags[Flag::StrictAud as usize] = truthy(get(pyo3::intern!(py, "strict_aud"))?)?;
        let enforce = get(pyo3::intern!(py, "enforce_minimum_key_length"))?;
        read.enforce_minimum_key_length = truthy(enforce)?.unwrap_or(false);
        Ok(read)
    }
}

/// The caller's allowed algorithms: a list or tuple is read in place (no
/// copies on the hot path), any other iterable of str is collected.
pub(super) enum Allowed<'a, 'py> {
    List(&'a Bound<'py, PyList>),
    Tuple(&'a Bound<'py, PyTuple>),
    Names(Vec<String>),
}

impl<'a, 'py> Allowed<'a, 'py> {
    pub(super) fn read(algorithms: &'a Bound<'py, PyAny>) -> PyResult<Allowed<'a, 'py>> {
        if let Ok(list) = algorithms.cast::<PyList>() {
            return Ok(Allowed::List(list));
        }
        if let Ok(tuple) = algorithms.cast::<PyTuple>() {
            return Ok(Allowed::Tuple(tuple));
        }
        names(algorithms, "algorithms").map(Allowed::Names)
    }

    fn is_empty(&self) -> bool {
        match self {
            Allowed::List(list) => list.is_empty(),
            Allowed::Tuple(tuple) => tuple.is_empty(),
            Allowed::Names(names) => names.is_empty(),
        }
    }

    /// Membership as Python's `in` sees it: items that are not str never match.
    fn contains(&self, name: &str) -> bool {
        let same = |item: Bound<'_, PyAny>| {
            item.cast::<PyString>()
                .ok()
                .and_then(|text| text.to_str().ok().map(|text| text == name))
                .unwrap_or(false)
        };
        match self {
            Allowed::List(list) => list.iter().any(same),
            Allowed::Tuple(tuple) => tuple.iter().any(same),
            Allowed::Names(names) => names.iter().any(|n| n == name),
        }
    }
}

/// A list of names from any iterable of str (a bare str is refused: PyJWT
/// would read it letter by letter).
fn names(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    let refuse = || PyTypeError::new_err(format!("{what} must be an iterable of str, not a str"));
    if value.is_instance_of::<PyString>() {
        return Err(refuse());
    }
    let mut out = Vec::new();
    for item in value.try_iter()? {
        out.push(item?.extract::<String>()?);
    }
    Ok(out)
}

/// An expected audience or issuer: a str, or an iterable whose str items
/// are the candidates. Other items can never equal a claim (PyJWT's `in`
/// test), so they are dropped: a bytes audience, an iterable of ints,
/// matches nothing and fails as "Audience doesn't match", as in PyJWT.
/// An audience that is not iterable is a TypeError; an issuer that is bytes
/// or not iterable is [`Expected::Unusable`] (PyJWT's `iss in issuer` fails).
fn expected(value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<Expected>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(Some(Expected::One(text.to_str()?.to_string())));
    }
    let issuer = what == "issuer";
    if issuer && value.is_instance_of::<PyBytes>() {
        return Ok(Some(Expected::Unusable));
    }
    let items = match value.try_iter() {
        Ok(items) => items,
        Err(_) if issuer => return Ok(Some(Expected::Unusable)),
        Err(_) => {
            return Err(PyTypeError::new_err(format!(
                "{what} must be a string, iterable or None"
            )))
        }
    };
    let mut all = Vec::new();
    for item in items {
        if let Ok(text) = item?.cast::<PyString>() {
            all.push(text.to_str()?.to_string());
        }
    }
    Ok(Some(Expected::AnyOf(all)))
}

pub(super) fn validation(
    options: Options,
    verify_signature: bool,
    audience: Option<&Bound<'_, PyAny>>,
    issuer: Option<&Bound<'_, PyAny>>,
    subject: Option<String>,
    leeway: f64,
    now: f64,
) -> PyResult<Validation> {
    let mut v = Validation::new(verify_signature, now);
    let rules = [
        (Flag::Exp, &mut v.verify_exp),
        (Flag::Nbf, &mut v.verify_nbf),
        (Flag::Iat, &mut v.verify_iat),
        (Flag::Aud, &mut v.verify_aud),
        (Flag::Iss, &mut v.verify_iss),
        (Flag::Sub, &mut v.verify_sub),
        (Flag::Jti, &mut v.verify_jti),
        (Flag::StrictAud, &mut v.strict_aud),
    ];
    for (flag, rule) in rules {
        if let Some(on) = options.flags[flag as usize] {
            *rule = on;
        }
    }
    if let Some(require) = options.require {
        v.require = require;
    }
    if v.verify_aud {
        v.audience = expected(audience, "audience")?;
    }
    if v.verify_iss {
        v.issuer = expected(issuer, "issuer")?;
    }
    v.subject = subject;
    v.leeway = leeway;
    Ok(v)
}

/// PyJWT's message for a verifying decode without algorithms.
pub(super) const ALGORITHMS_REQUIRED: &str =
    "It is required that you pass in a value for the \"algorithms\" argument when calling \
     decode().";

/// The arguments of `decode` and `decode_complete`, as PyJWT names them.
pub(super) struct DecodeArgs<'a, 'py> {
    pub(super) key: Option<&'a Bound<'py, PyAny>>,
    pub(super) algorithms: Option<&'a Bound<'py, PyAny>>,
    pub(super) options: Option<&'a Bound<'py, PyDict>>,
    pub(super) audience: Option<&'a Bound<'py, PyAny>>,
    pub(super) issuer: Option<&'a Bound<'py, PyAny>>,
    pub(super) subject: Option<String>,
    pub(super) leeway: f64,
    pub(super) now: f64,
}

/// Checks the header and, when asked, the signature: the JWS layer of
/// `decode`, shared by the JWT functions and `jws_decode_complete`.
fn verify_signature<'py>(
    py: Python<'py>,
    segments: &jws::Segments<'_>,
    header: &impl Members,
    key: Option<&Bound<'py, PyAny>>,
    algorithms: Option<&Bound<'py, PyAny>>,
    verify: bool,
    enforce_minimum_key_length: bool,
) -> PyResult<()> {
    if !verify {
        return Ok(jws::check_unverified(header)?);
    }
    let allowed = match algorithms.filter(|a| !a.is_none()) {
        Some(algorithms) => Allowed::read(algorithms)?,
        None => Allowed::Names(Vec::new()),
    };
    if allowed.is_empty() {
        return Err(Error::decode(ALGORITHMS_REQUIRED).into());
    }
    let alg = jws::check_header(header, |name| allowed.contains(name))?;
    let key = match key {
        Some(key) => resolve(key, alg)?,
        None => return Err(Error::key("A key is required to verify the signature").into()),
    };
    verify_segments(py, segments, &key, alg, enforce_minimum_key_length)
}

/// The key-length rule, then the signature of `segments` checked with `key`
/// (without the GIL for the asymmetric algorithms).
pub(super) fn verify_segments(
    py: Python<'_>,
    segments: &jws::Segments<'_>,
    key: &Key,
    alg: Algorithm,
    enforce_minimum_key_length: bool,
) -> PyResult<()> {
    verify_signature_bytes(
        py,
        segments.signing_input,
        &segments.signature,
        key,
        alg,
        enforce_minimum_key_length,
    )
}

/// [`verify_segments`] on the signing input and decoded signature as bytes.
pub(super) fn verify_signature_bytes(
    py: Python<'_>,
    message: &[u8],
    signature: &[u8],
    key: &Key,
    alg: Algorithm,
    enforce_minimum_key_length: bool,
) -> PyResult<()> {
    check_key_length(py, key, alg, enforce_minimum_key_length)?;
    if alg.is_asymmetric() {
        py.detach(|| key.verify(alg, message, signature))?;
    } else {
        key.verify(alg, message, signature)?;
    }
    Ok(())
}

/// The claim rules on a payload `sink` has just parsed.
pub(super) fn check_claims(
    sink: &PySink<'_>,
    payload: &Bound<'_, PyDict>,
    rules: &Validation,
) -> PyResult<()> {
    check_claims_at(sink, payload, rules, rules.now)
}

/// [`check_claims`] at the time `now` instead of `rules.now`.
pub(super) fn check_claims_at(
    sink: &PySink<'_>,
    payload: &Bound<'_, PyDict>,
    rules: &Validation,
    now: f64,
) -> PyResult<()> {
    let members = PayloadMembers {
        registered: &sink.registered,
        dict: payload,
    };
    Ok(claims::validate_at(&members, rules, now)?)
}

/// Verifies a token whose header is already decoded (as a dict or as plain
/// members), then decodes and checks its payload: PyJWT's order.
pub(super) fn verify_then_payload<'py>(
    py: Python<'py>,
    segments: &jws::Segments<'_>,
    header: &impl Members,
    sink: &mut PySink<'py>,
    args: DecodeArgs<'_, 'py>,
) -> PyResult<Bound<'py, PyDict>> {
    let options = Options::read(args.options)?;
    let verify = options.verify_signature.unwrap_or(true);
    verify_signature(
        py,
        segments,
        header,
        args.key,
        args.algorithms,
        verify,
        options.enforce_minimum_key_length,
    )?;
    sink.start_document(verify);
    let payload = parse_object(&segments.payload, sink, "payload")?;
    let rules = validation(
        options,
        verify,
        args.audience,
        args.issuer,
        args.subject,
        args.leeway,
        args.now,
    )?;
    check_claims(sink, &payload, &rules)?;
    Ok(payload)
}

/// The JWS layer of decoding (PyJWT's `PyJWS.decode_complete`): the header
/// and, when asked, the signature are checked; the payload is returned as
/// bytes, unparsed.
#[pyfunction]
#[pyo3(signature = (jwt, key, algorithms, verify, enforce_minimum_key_length))]
pub fn jws_decode_complete<'py>(
    py: Python<'py>,
    jwt: &Bound<'py, PyAny>,
    key: Option<&Bound<'py, PyAny>>,
    algorithms: Option<&Bound<'py, PyAny>>,
    verify: bool,
    enforce_minimum_key_length: bool,
) -> PyResult<Bound<'py, PyDict>> {
    clear_upper_state();
    let segments = jws::split(token_bytes(jwt)?)?;
    let header = parse_object(&segments.header, &mut PySink::new(py, false), "header")?;
    verify_signature(
        py,
        &segments,
        &DictMembers(&header),
        key,
        algorithms,
        verify,
        enforce_minimum_key_length,
    )?;
    let payload = PyBytes::new(py, &segments.payload).into_any();
    complete(py, header, payload, &segments.signature)
}

/// `{"header": ..., "payload": ..., "signature": ...}`, what the `decode_complete`s return
/// (the payload a dict of claims, or the JWS layer's bytes).
pub(super) fn complete<'py>(
    py: Python<'py>,
    header: Bound<'py, PyDict>,
    payload: Bound<'py, PyAny>,
    signature: &[u8],
) -> PyResult<Bound<'py, PyDict>> {
    let result = PyDict::new(py);
    result.set_item(pyo3::intern!(py, "header"), header)?;
    result.set_item(pyo3::intern!(py, "payload"), payload)?;
    result.set_item(pyo3::intern!(py, "signature"), PyBytes::new(py, signature))?;
    Ok(result)
}
