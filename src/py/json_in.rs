//! The JSON sink that builds Python objects straight from the token bytes.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, TryLockError};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyList, PyString};

use super::members::member_of;
use crate::error::Error;
use crate::json::Sink;
use crate::members::Member;

/// Member names seen before, as interned Python strings: claim names repeat
/// in every token, and an interned name is neither decoded nor hashed again.
type Names = HashMap<Box<str>, Py<PyString>, BuildHasherDefault<Fnv>>;

static NAMES: Mutex<Option<Names>> = Mutex::new(None);
/// Longer names, and names past this many, are not remembered.
const NAME_MAX_BYTES: usize = 32;
const NAMES_CAPACITY: usize = 1024;

/// FNV-1a: short keys, no adversary worth SipHash (the table is bounded).
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for byte in bytes {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x100_0000_01b3);
        }
        self.0 = hash;
    }
}

pub struct PySink<'py> {
    py: Python<'py>,
    /// Only names of documents whose signature was verified go into the
    /// table: unverified input must not fill it.
    intern: bool,
    /// Objects open around the member being inserted (1: the document's own).
    depth: usize,
    /// The registered claims of the document, seen as they are inserted, so
    /// the claim rules need no dict lookups afterwards.
    pub registered: Registered,
}

/// The claim names whose rules live in the core (RFC 7519 section 4.1).
pub const REGISTERED: [&str; 7] = ["exp", "nbf", "iat", "aud", "iss", "sub", "jti"];

/// The registered claims of one document, by their index in [`REGISTERED`].
#[derive(Default)]
pub struct Registered(pub [Option<Member>; 7]);

impl<'py> PySink<'py> {
    /// A sink for one call; `intern` says the document's signature was verified.
    pub fn new(py: Python<'py>, intern: bool) -> PySink<'py> {
        PySink {
            py,
            intern,
            depth: 0,
            registered: Registered::default(),
        }
    }

    /// Call before parsing each document with this sink; `intern` says the
    /// document's signature was verified.
    pub fn start_document(&mut self, intern: bool) {
        self.depth = 0;
        self.intern = intern;
        self.registered = Registered::default();
    }

    fn name(&mut self, key: &str) -> Bound<'py, PyString> {
        if self.intern && key.len() <= NAME_MAX_BYTES {
            // Taken without waiting, for this one name: a thread that finds the
            // table busy does without it, so no thread ever blocks on it.
            let guard = match NAMES.try_lock() {
                Ok(guard) => Some(guard),
                // The table only ever holds complete entries: usable as it is.
                Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
                Err(TryLockError::WouldBlock) => None,
            };
            if let Some(mut guard) = guard {
                let names = guard.get_or_insert_with(Names::default);
                if let Some(known) = names.get(key) {
                    return known.bind(self.py).clone();
                }
                if names.len() < NAMES_CAPACITY {
                    let interned = PyString::intern(self.py, key);
                    names.insert(key.into(), interned.clone().unbind());
                    return interned;
                }
            }
        }
        PyString::new(self.py, key)
    }
}

#[cold]
fn python_failed(err: PyErr) -> Error {
    Error::decode(format!("Could not build the decoded value: {err}"))
}

impl<'py> Sink for PySink<'py> {
    type Value = Bound<'py, PyAny>;
    type Array = Vec<Bound<'py, PyAny>>;
    type Object = Bound<'py, PyDict>;

    fn null(&mut self) -> Result<Self::Value, Error> {
        Ok(self.py.None().into_bound(self.py))
    }

    fn boolean(&mut self, value: bool) -> Result<Self::Value, Error> {
        Ok(pyo3::types::PyBool::new(self.py, value)
            .to_owned()
            .into_any())
    }

    fn int(&mut self, value: i64) -> Result<Self::Value, Error> {
        value
            .into_pyobject(self.py)
            .map(Bound::into_any)
            .map_err(|never| match never {})
    }

    fn big_int(&mut self, digits: &str) -> Result<Self::Value, Error> {
        self.py
            .get_type::<pyo3::types::PyInt>()
            .call1((digits,))
            .map_err(python_failed)
    }

    fn float(&mut self, value: f64) -> Result<Self::Value, Error> {
        Ok(PyFloat::new(self.py, value).into_any())
    }

    fn string(&mut self, value: &str) -> Result<Self::Value, Error> {
        Ok(PyString::new(self.py, value).into_any())
    }

    fn array(&mut self) -> Result<Self::Array, Error> {
        Ok(Vec::new())
    }

    fn push(&mut self, array: &mut Self::Array, value: Self::Value) -> Result<(), Error> {
        array.push(value);
        Ok(())
    }

    fn end_array(&mut self, array: Self::Array) -> Result<Self::Value, Error> {
        PyList::new(self.py, array)
            .map(Bound::into_any)
            .map_err(python_failed)
    }

    fn object(&mut self) -> Result<Self::Object, Error> {
        self.depth += 1;
        Ok(PyDict::new(self.py))
    }

    fn insert(
        &mut self,
        object: &mut Self::Object,
        key: &str,
        value: Self::Value,
    ) -> Result<bool, Error> {
        if self.depth == 1 {
            if let Some(i) = REGISTERED.iter().position(|claim| *claim == key) {
                self.registered.0[i] = Some(member_of(&value, true));
            }
        }
        let before = object.len();
        let name = self.name(key);
        object.set_item(name, value).map_err(python_failed)?;
        Ok(object.len() > before)
    }

    fn end_object(&mut self, object: Self::Object) -> Result<Self::Value, Error> {
        self.depth -= 1;
        Ok(object.into_any())
    }
}
