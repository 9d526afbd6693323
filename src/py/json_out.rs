//! Python objects to JSON text, byte for byte as Python's
//! `json.dumps(obj, separators=(",", ":"), cls=json_encoder)` writes them,
//! without going through the json module on the fast path.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};

use crate::json::write;

/// Deeper than this, the value is taken to be circular, as Python would find.
const MAX_DEPTH: usize = 200;

static ENCODE_BASESTRING_ASCII: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();

pub struct Writer<'py> {
    py: Python<'py>,
    pub out: String,
    /// An instance of the caller's `json_encoder`, made on first need.
    encoder: Option<Bound<'py, PyAny>>,
    encoder_class: Option<Bound<'py, PyAny>>,
}

impl<'py> Writer<'py> {
    pub fn new(py: Python<'py>, encoder_class: Option<Bound<'py, PyAny>>) -> Writer<'py> {
        Writer {
            py,
            out: String::with_capacity(256),
            encoder: None,
            encoder_class,
        }
    }

    pub fn value(&mut self, obj: &Bound<'py, PyAny>, depth: usize) -> PyResult<()> {
        if depth > MAX_DEPTH {
            return Err(PyValueError::new_err("Circular reference detected"));
        }
        if obj.is_none() {
            self.out.push_str("null");
        } else if let Ok(flag) = obj.cast::<PyBool>() {
            self.out
                .push_str(if flag.is_true() { "true" } else { "false" });
        } else if let Ok(text) = obj.cast::<PyString>() {
            self.string(text)?;
        } else if let Ok(int) = obj.cast::<PyInt>() {
            self.int(int)?;
        } else if let Ok(float) = obj.cast::<PyFloat>() {
            write::float(&mut self.out, float.value());
        } else if let Ok(list) = obj.cast::<PyList>() {
            self.sequence(list.iter(), depth)?;
        } else if let Ok(tuple) = obj.cast::<PyTuple>() {
            self.sequence(tuple.iter(), depth)?;
        } else if let Ok(dict) = obj.cast::<PyDict>() {
            self.object(dict, depth, false)?;
        } else {
            let replacement = self.default(obj)?;
            self.value(&replacement, depth + 1)?;
        }
        Ok(())
    }

    fn string(&mut self, text: &Bound<'py, PyString>) -> PyResult<()> {
        match text.to_str() {
            Ok(text) => write::string(&mut self.out, text),
            // Lone surrogates: let Python's own escaper write them.
            Err(_) => {
                let escape = ENCODE_BASESTRING_ASCII.import(
                    self.py,
                    "json.encoder",
                    "encode_basestring_ascii",
                )?;
                let escaped = escape.call1((text,))?;
                self.out.push_str(escaped.cast::<PyString>()?.to_str()?);
            }
        }
        Ok(())
    }

    fn int(&mut self, int: &Bound<'py, PyInt>) -> PyResult<()> {
        match int.extract::<i64>() {
            Ok(small) => write::int(&mut self.out, small),
            Err(_) => {
                // int.__repr__, as json does for ints of any size or subclass.
                let digits = self
                    .py
                    .get_type::<PyInt>()
                    .call_method1("__repr__", (int,))?;
                self.out.push_str(digits.cast::<PyString>()?.to_str()?);
            }
        }
        Ok(())
    }

    fn sequence(
        &mut self,
        items: impl Iterator<Item = Bound<'py, PyAny>>,
        depth: usize,
    ) -> PyResult<()> {
        self.out.push('[');
        for (i, item) in items.enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.value(&item, depth + 1)?;
        }
        self.out.push(']');
        Ok(())
    }

    /// Writes a dict. At the top of a JWT payload (`claims`), `datetime`
    /// values of exp, iat and nbf become NumericDate integers, as PyJWT does.
    pub fn object(
        &mut self,
        dict: &Bound<'py, PyDict>,
        depth: usize,
        claims: bool,
    ) -> PyResult<()> {
        self.out.push('{');
        for (i, (key, value)) in dict.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.key(&key)?;
            self.out.push(':');
            if claims && is_time_claim(&key) && is_datetime(&value)? {
                write::int(&mut self.out, numeric_date(&value)?);
            } else {
                self.value(&value, depth + 1)?;
            }
        }
        self.out.push('}');
        Ok(())
    }

    /// A member name, converted as json converts non-string keys.
    pub fn key(&mut self, key: &Bound<'py, PyAny>) -> PyResult<()> {
        if let Ok(text) = key.cast::<PyString>() {
            return self.string(text);
        }
        self.out.push('"');
        if let Ok(float) = key.cast::<PyFloat>() {
            write::float(&mut self.out, float.value());
        } else if let Ok(flag) = key.cast::<PyBool>() {
            self.out
                .push_str(if flag.is_true() { "true" } else { "false" });
        } else if key.is_none() {
            self.out.push_str("null");
        } else if let Ok(int) = key.cast::<PyInt>() {
            self.int(int)?;
        } else {
            return Err(PyTypeError::new_err(format!(
                "keys must be str, int, float, bool or None, not {}",
                key.get_type().name()?
            )));
        }
        self.out.push('"');
        Ok(())
    }

    /// What the caller's encoder makes of a value JSON has no type for.
    fn default(&mut self, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        if self.encoder.is_none() {
            if let Some(class) = &self.encoder_class {
                let kwargs = PyDict::new(self.py);
                kwargs.set_item("separators", (",", ":"))?;
                self.encoder = Some(class.call((), Some(&kwargs))?);
            }
        }
        match &self.encoder {
            Some(encoder) => encoder.call_method1("default", (obj,)),
            None => Err(PyTypeError::new_err(format!(
                "Object of type {} is not JSON serializable",
                obj.get_type().name()?
            ))),
        }
    }
}

fn is_time_claim(key: &Bound<'_, PyAny>) -> bool {
    key.cast::<PyString>()
        .ok()
        .and_then(|k| k.to_str().ok())
        .is_some_and(|k| matches!(k, "exp" | "iat" | "nbf"))
}

fn is_datetime(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    if value.is_instance_of::<PyInt>() {
        return Ok(false);
    }
    let class = DATETIME.import(value.py(), "datetime", "datetime")?;
    value.is_instance(class)
}

/// Seconds since the epoch of a datetime, whole seconds, naive taken as UTC:
/// what PyJWT's `calendar.timegm(value.utctimetuple())` gives. The fields
/// are read through Python (not pyo3's chrono conversion, whose type check
/// is fooled by freezegun's FakeDatetime), the arithmetic done by chrono.
fn numeric_date(value: &Bound<'_, PyAny>) -> PyResult<i64> {
    let fields = value.call_method0("utctimetuple")?;
    let field = |i: usize| -> PyResult<i64> { fields.get_item(i)?.extract() };
    let date = i32::try_from(field(0)?)
        .ok()
        .and_then(|year| {
            chrono::NaiveDate::from_ymd_opt(
                year,
                u32::try_from(field(1).ok()?).ok()?,
                u32::try_from(field(2).ok()?).ok()?,
            )
        })
        .and_then(|date| {
            date.and_hms_opt(
                u32::try_from(field(3).ok()?).ok()?,
                u32::try_from(field(4).ok()?).ok()?,
                u32::try_from(field(5).ok()?).ok()?,
            )
        });
    match date {
        Some(moment) => Ok(moment.and_utc().timestamp()),
        None => Err(PyValueError::new_err(
            "datetime out of range for a NumericDate",
        )),
    }
}
