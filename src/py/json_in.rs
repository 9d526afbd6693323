//! The JSON sink that builds Python objects straight from the token bytes.

use std::sync::{Mutex, MutexGuard, TryLockError};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyList, PyString};

use crate::error::Error;
use crate::json::Sink;

/// Member names seen before, as interned Python strings: claim names repeat
/// in every token, and an interned name is neither decoded nor hashed again.
/// A direct-mapped table: each name has one slot (by [`slot`]); a name
/// whose slot holds another replaces it. Its size bounds what it keeps.
struct Names([Option<(Box<str>, Py<PyString>)>; NAME_SLOTS]);

const NAME_SLOTS: usize = 512;
static NAMES: Mutex<Option<Box<Names>>> = Mutex::new(None);
/// Longer names are not remembered.
const NAME_MAX_BYTES: usize = 32;

/// The slot of a name (of 1 to 32 bytes): its first and last eight bytes (or
/// its bytes, when fewer) and its length, mixed by one multiplication.
#[inline]
fn slot(name: &[u8]) -> usize {
    let eight = |part: &[u8]| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(part);
        u64::from_le_bytes(bytes)
    };
    let n = name.len();
    let (head, tail) = if n >= 8 {
        (eight(&name[..8]), eight(&name[n - 8..]))
    } else {
        let folded = name
            .iter()
            .enumerate()
            .fold(0u64, |word, (i, &byte)| word | u64::from(byte) << (8 * i));
        (folded, 0)
    };
    let mixed = (head ^ tail.rotate_left(29) ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (mixed >> 55) as usize % NAME_SLOTS
}

pub struct PySink<'py> {
    py: Python<'py>,
    /// Only names of documents whose signature was verified go into the
    /// table: unverified input must not fill it.
    intern: bool,
    /// The table, held for the whole document once a name needed it (one
    /// lock per document, not per name); None until then, or when busy.
    names: Option<MutexGuard<'static, Option<Box<Names>>>>,
    /// The table was found busy for this document: do without it.
    names_busy: bool,
    /// Objects open around the member being inserted (1: the document's own).
    depth: usize,
    /// The registered claims of the document, seen as they are inserted, so
    /// the claim rules need no dict lookups afterwards.
    pub registered: Registered<'py>,
}

/// The index of `name` among the claim names whose rules live in the core
/// (RFC 7519 section 4.1), or None for any other name.
#[inline]
pub fn registered_index(name: &str) -> Option<usize> {
    match name {
        "exp" => Some(0),
        "nbf" => Some(1),
        "iat" => Some(2),
        "aud" => Some(3),
        "iss" => Some(4),
        "sub" => Some(5),
        "jti" => Some(6),
        _ => None,
    }
}

/// The registered claims of one document (their values as decoded), by
/// their [`registered_index`].
#[derive(Default)]
pub struct Registered<'py>(pub [Option<Bound<'py, PyAny>>; 7]);

impl<'py> PySink<'py> {
    /// A sink for one call; `intern` says the document's signature was verified.
    pub fn new(py: Python<'py>, intern: bool) -> PySink<'py> {
        PySink {
            py,
            intern,
            names: None,
            names_busy: false,
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
        if self.intern && key.len() <= NAME_MAX_BYTES && !self.names_busy {
            if self.names.is_none() {
                // Taken without waiting: a thread that finds the table busy
                // does without it for this document, so no thread ever blocks
                // on it (Python code run meanwhile, a finalizer that decodes,
                // finds it busy too and does without).
                match NAMES.try_lock() {
                    Ok(guard) => self.names = Some(guard),
                    // The table only ever holds complete entries: usable as it is.
                    Err(TryLockError::Poisoned(poisoned)) => {
                        self.names = Some(poisoned.into_inner())
                    }
                    Err(TryLockError::WouldBlock) => self.names_busy = true,
                }
            }
            if let (Some(guard), false) = (self.names.as_mut(), key.is_empty()) {
                let names =
                    guard.get_or_insert_with(|| Box::new(Names([const { None }; NAME_SLOTS])));
                let entry = &mut names.0[slot(key.as_bytes())];
                if let Some((name, known)) = entry {
                    if **name == *key {
                        return known.bind(self.py).clone();
                    }
                }
                let interned = PyString::intern(self.py, key);
                // The name it replaces is released here, with the GIL held.
                *entry = Some((key.into(), interned.clone().unbind()));
                return interned;
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
            if let Some(i) = registered_index(key) {
                self.registered.0[i] = Some(value.clone());
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
