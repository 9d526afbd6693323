//! The `Key` class and the cache that turns str/bytes key arguments into
//! parsed keys once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyString};

use crate::algorithm::{Algorithm, Family};
use crate::error::Error;
use crate::keys::{JwkFields, Key};

/// A parsed key, reusable across calls and threads.
#[pyclass(frozen, name = "Key", module = "ferrojwt._core")]
pub struct PyKey {
    pub inner: Arc<Key>,
}

fn wrap(key: Key) -> PyKey {
    PyKey {
        inner: Arc::new(key),
    }
}

/// The bytes of a str (UTF-8) or bytes argument.
fn text_bytes<'a>(value: &'a Bound<'_, PyAny>, what: &str) -> PyResult<&'a [u8]> {
    if let Ok(text) = value.cast::<PyString>() {
        return match text.to_str() {
            Ok(text) => Ok(text.as_bytes()),
            Err(_) => Err(Error::key(format!("{what} is a str that is not valid Unicode")).into()),
        };
    }
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(bytes.as_bytes());
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be str or bytes, not {}",
        value.get_type().name()?
    )))
}

static JSON_DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// SHA-256 of a key's identity: what equality and hashing compare, so an HMAC
/// secret is never hashed or compared byte by byte itself.
fn fingerprint(key: &Key) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(key.identity()).into()
}

#[pymethods]
impl PyKey {
    #[staticmethod]
    fn hmac(secret: &Bound<'_, PyAny>) -> PyResult<PyKey> {
        Ok(wrap(Key::hmac(text_bytes(secret, "An HMAC secret")?)?))
    }

    #[staticmethod]
    fn from_pem(pem: &Bound<'_, PyAny>) -> PyResult<PyKey> {
        Ok(wrap(Key::from_pem(text_bytes(pem, "A PEM key")?)?))
    }

    #[staticmethod]
    fn from_ssh(line: &Bound<'_, PyAny>) -> PyResult<PyKey> {
        Ok(wrap(Key::from_ssh(text_bytes(line, "An SSH public key")?)?))
    }

    #[staticmethod]
    fn from_der(der: &[u8]) -> PyResult<PyKey> {
        Ok(wrap(Key::from_der(der)?))
    }

    #[staticmethod]
    fn from_jwk(jwk: &Bound<'_, PyAny>) -> PyResult<PyKey> {
        let py = jwk.py();
        if jwk.cast::<PyDict>().is_ok() || jwk.hasattr("keys")? {
            let dumps = JSON_DUMPS.import(py, "json", "dumps")?;
            let text = dumps.call1((jwk,))?;
            let text = text.cast::<PyString>()?.to_str()?;
            return Ok(wrap(Key::from_jwk(&JwkFields::from_json(
                text.as_bytes(),
            )?)?));
        }
        let text = text_bytes(jwk, "A JWK")?;
        Ok(wrap(Key::from_jwk(&JwkFields::from_json(text)?)?))
    }

    #[getter]
    fn kty(&self) -> &'static str {
        self.inner.kty()
    }

    #[getter]
    fn is_private(&self) -> bool {
        self.inner.is_private()
    }

    #[getter]
    fn curve(&self) -> Option<&'static str> {
        self.inner.curve()
    }

    fn public_key(&self) -> PyResult<PyKey> {
        Ok(wrap(self.inner.public_key()?))
    }

    fn to_jwk<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (name, value) in self.inner.public_jwk()? {
            dict.set_item(name, value)?;
        }
        Ok(dict)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyKey>()
            .is_ok_and(|o| fingerprint(&o.get().inner) == fingerprint(&self.inner))
    }

    fn __hash__(&self) -> u64 {
        let digest = fingerprint(&self.inner);
        u64::from_le_bytes([
            digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
        ])
    }

    fn __repr__(&self) -> String {
        let visibility = if self.inner.is_private() {
            "private"
        } else {
            "public"
        };
        match self.inner.curve() {
            Some(curve) => format!("<ferrojwt Key {} {curve} {visibility}>", self.inner.kty()),
            None => format!("<ferrojwt Key {} {visibility}>", self.inner.kty()),
        }
    }
}

/// Parsed keys by the text they came from, HMAC secrets and PEM texts apart
/// (the same bytes mean different keys to the two families).
#[derive(Default)]
struct Cache {
    hmac: HashMap<Vec<u8>, Arc<Key>>,
    other: HashMap<Vec<u8>, Arc<Key>>,
}

impl Cache {
    fn side(&mut self, hmac: bool) -> &mut HashMap<Vec<u8>, Arc<Key>> {
        if hmac {
            &mut self.hmac
        } else {
            &mut self.other
        }
    }
}

static CACHE: Mutex<Option<Cache>> = Mutex::new(None);

/// Entries kept on each side before it is emptied (keys rarely change; a
/// process cycling through more than this many is not served by a cache).
const CACHE_CAPACITY: usize = 128;

fn cached(hmac: bool, bytes: &[u8]) -> Option<Arc<Key>> {
    let mut guard = CACHE.lock().ok()?;
    guard.as_mut()?.side(hmac).get(bytes).cloned()
}

fn remember(hmac: bool, bytes: &[u8], key: &Arc<Key>) {
    if let Ok(mut guard) = CACHE.lock() {
        let side = guard.get_or_insert_with(Cache::default).side(hmac);
        if side.len() >= CACHE_CAPACITY {
            side.clear();
        }
        side.insert(bytes.to_vec(), Arc::clone(key));
    }
}

/// The key to use for `alg`: a `Key` as it is, str/bytes parsed (once) as an
/// HMAC secret for HS* and as PEM, an OpenSSH public key or JWK JSON text
/// otherwise. The key's family must match the algorithm.
pub fn resolve(key: &Bound<'_, PyAny>, alg: Algorithm) -> PyResult<Arc<Key>> {
    let key = if let Ok(parsed) = key.cast::<PyKey>() {
        Arc::clone(&parsed.get().inner)
    } else {
        let bytes = if key.is_instance_of::<PyString>() || key.is_instance_of::<PyBytes>() {
            text_bytes(key, "The key")?
        } else {
            return Err(Error::key(format!(
                "Expecting a ferrojwt Key, str or bytes as the key, not {}",
                key.get_type().name()?
            ))
            .into());
        };
        let hmac = alg.family() == Family::Hmac;
        match cached(hmac, bytes) {
            Some(found) => found,
            None => {
                let parsed = Arc::new(parse_text(bytes, hmac)?);
                remember(hmac, bytes, &parsed);
                parsed
            }
        }
    };
    key.check_algorithm(alg)?;
    Ok(key)
}

fn parse_text(bytes: &[u8], hmac: bool) -> Result<Key, Error> {
    if hmac {
        Key::hmac(bytes)
    } else if bytes.trim_ascii_start().starts_with(b"{") {
        Key::from_jwk(&JwkFields::from_json(bytes)?)
    } else if Key::looks_like_ssh(bytes) {
        Key::from_ssh(bytes)
    } else {
        Key::from_pem(bytes)
    }
}

#[pyfunction]
pub fn coerce_key(key: &Bound<'_, PyAny>, algorithm: &str) -> PyResult<PyKey> {
    let alg = Algorithm::from_name(algorithm)?;
    Ok(PyKey {
        inner: resolve(key, alg)?,
    })
}
