//! Python dicts seen through the core's [`Members`] view.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use super::json_in::{registered_index, Registered};
use crate::members::{Member, Members};

/// A decoded header or payload (a dict), asked for members by name.
pub struct DictMembers<'a, 'py>(pub &'a Bound<'py, PyDict>);

impl Members for DictMembers<'_, '_> {
    fn member(&self, name: &str) -> Member {
        let key = interned(self.0.py(), name);
        match self.0.get_item(key) {
            Ok(Some(value)) => member_of(&value, true),
            _ => Member::Absent,
        }
    }
}

/// A decoded payload: its registered claims as captured while parsing, any
/// other claim (a `require`d custom one) looked up in the dict.
pub struct PayloadMembers<'a, 'py> {
    pub registered: &'a Registered<'py>,
    pub dict: &'a Bound<'py, PyDict>,
}

impl Members for PayloadMembers<'_, '_> {
    fn member(&self, name: &str) -> Member {
        match registered_index(name) {
            Some(i) => match &self.registered.0[i] {
                Some(value) => member_of(value, true),
                None => Member::Absent,
            },
            None => DictMembers(self.dict).member(name),
        }
    }
}

/// The registered names as interned Python strings, so lookups hash once.
fn interned<'py>(py: Python<'py>, name: &str) -> Bound<'py, PyString> {
    match name {
        "exp" => pyo3::intern!(py, "exp").clone(),
        "nbf" => pyo3::intern!(py, "nbf").clone(),
        "iat" => pyo3::intern!(py, "iat").clone(),
        "aud" => pyo3::intern!(py, "aud").clone(),
        "iss" => pyo3::intern!(py, "iss").clone(),
        "sub" => pyo3::intern!(py, "sub").clone(),
        "jti" => pyo3::intern!(py, "jti").clone(),
        "alg" => pyo3::intern!(py, "alg").clone(),
        "kid" => pyo3::intern!(py, "kid").clone(),
        "crit" => pyo3::intern!(py, "crit").clone(),
        _ => PyString::new(py, name),
    }
}

/// What the core's rules need to know of a Python value. Lists are looked
/// into one level deep when `open_lists` is set.
pub fn member_of(value: &Bound<'_, PyAny>, open_lists: bool) -> Member {
    if value.is_none() {
        return Member::Null;
    }
    if let Ok(flag) = value.cast::<PyBool>() {
        return Member::Bool(flag.is_true());
    }
    if let Ok(text) = value.cast::<PyString>() {
        // A str with lone surrogates is still a str. Decoded tokens never hold
        // one (the parser refuses them), so the lossy copy is only ever seen
        // by type rules on values the caller is encoding.
        return Member::Str(text.to_string_lossy().into_owned());
    }
    if value.is_instance_of::<PyInt>() {
        if let Ok(number) = value.extract::<i64>() {
            return Member::Number(number as f64);
        }
    }
    if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>() {
        if let Ok(number) = value.extract::<f64>() {
            return Member::Number(number);
        }
        // An int too large for a float is still a valid (if absurd) date, as
        // PyJWT's int() reads it: the largest finite value keeps it so.
        let positive = value.gt(0).unwrap_or(false);
        return Member::Number(if positive { f64::MAX } else { f64::MIN });
    }
    if open_lists {
        if let Ok(list) = value.cast::<PyList>() {
            return Member::List(list.iter().map(|item| member_of(&item, false)).collect());
        }
        if let Ok(tuple) = value.cast::<PyTuple>() {
            return Member::List(tuple.iter().map(|item| member_of(&item, false)).collect());
        }
    }
    Member::Other {
        truthy: value.is_truthy().unwrap_or(true),
    }
}
