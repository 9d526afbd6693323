//! Python objects to JSON text, byte for byte as Python's
//! `json.dumps(obj, separators=(",", ":"), cls=json_encoder)` writes them,
//! without going through the json module on the fast path.

use std::sync::OnceLock;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};

use crate::json::write;

/// Deeper than this the value is refused: it is circular, or deeper than any
/// token (the decoder takes 64 levels), and the writer's recursion must fit
/// the small stacks some threads are given.
const MAX_DEPTH: usize = 256;

/// The claims whose `datetime` values PyJWT writes as NumericDates.
const TIME_CLAIMS: [&str; 3] = ["exp", "iat", "nbf"];

static ENCODE_BASESTRING_ASCII: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static JSON_ENCODER: PyOnceLock<Py<PyType>> = PyOnceLock::new();
/// The running CPython's json walks a plain dict live (3.12 on), not a snapshot.
static LIVE_DICTS: OnceLock<bool> = OnceLock::new();

type Member<'py> = (Bound<'py, PyAny>, Bound<'py, PyAny>);

/// Writes one JSON document as `json.dumps(obj, separators=(",", ":"),
/// cls=encoder, sort_keys=sort_keys)` would.
pub struct Writer<'py> {
    py: Python<'py>,
    pub out: String,
    sort_keys: bool,
    /// The caller's encoder, made with json.dumps' arguments, for the values
    /// JSON has no type for (its `default`).
    encoder: Option<Bound<'py, PyAny>>,
    /// The encoder changes more than `default` (its own `encode`, other
    /// separators, `allow_nan=False`, ...): Python writes the whole document.
    python_writes: bool,
}

impl<'py> Writer<'py> {
    pub fn new(
        py: Python<'py>,
        encoder_class: Option<&Bound<'py, PyAny>>,
        sort_keys: bool,
    ) -> PyResult<Writer<'py>> {
        let mut writer = Writer {
            py,
            out: String::with_capacity(512),
            sort_keys,
            encoder: None,
            python_writes: false,
        };
        if let Some(class) = encoder_class {
            let kwargs = PyDict::new(py);
            kwargs.set_item("skipkeys", false)?;
            kwargs.set_item("ensure_ascii", true)?;
            kwargs.set_item("check_circular", true)?;
            kwargs.set_item("allow_nan", true)?;
            kwargs.set_item("indent", py.None())?;
            kwargs.set_item("separators", (",", ":"))?;
            kwargs.set_item("default", py.None())?;
            kwargs.set_item("sort_keys", sort_keys)?;
            let encoder = class.call((), Some(&kwargs))?;
            writer.python_writes = !only_default_differs(&encoder, sort_keys)?;
            writer.encoder = Some(encoder);
        }
        Ok(writer)
    }

    /// Writes a whole document (a dict). `claims` marks a JWT payload, whose
    /// `datetime` values of exp, iat and nbf become NumericDates, as PyJWT does.
    /// PyJWT writes a copy of the payload (`payload.copy()`, made before any
    /// `default()` runs) and a header dict of its own: a plain dict is written
    /// from a snapshot of its members, any other from what its `copy()` gives.
    pub fn document(&mut self, dict: &Bound<'py, PyDict>, claims: bool) -> PyResult<()> {
        let plain = dict.is_exact_instance_of::<PyDict>();
        if !self.python_writes {
            if plain {
                return self.members(snapshot(dict), 0, claims);
            }
            return self.object(&copy_of(dict)?, 0, claims);
        }
        let dict = if claims {
            with_numeric_dates(copy_of(dict)?)?
        } else {
            dict.clone()
        };
        let encoder = self
            .encoder
            .as_ref()
            .map(|e| e.call_method1("encode", (&dict,)));
        if let Some(text) = encoder.transpose()? {
            self.out.push_str(text.cast::<PyString>()?.to_str()?);
        }
        Ok(())
    }

    pub fn value(&mut self, obj: &Bound<'py, PyAny>, depth: usize) -> PyResult<()> {
        if depth > MAX_DEPTH {
            // Python's own message for a circular value, the usual cause.
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
            float_repr(self.py, &mut self.out, float.value())?;
        } else if let Ok(list) = obj.cast::<PyList>() {
            self.list(list, depth)?;
        } else if let Ok(tuple) = obj.cast::<PyTuple>() {
            self.tuple(tuple, depth)?;
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

    /// A list is read live, as json reads it on every version: items that an
    /// encoder's `default` appends are written too, removed ones are not.
    fn list(&mut self, list: &Bound<'py, PyList>, depth: usize) -> PyResult<()> {
        self.out.push('[');
        let mut i = 0;
        while i < list.len() {
            if i > 0 {
                self.out.push(',');
            }
            self.value(&list.get_item(i)?, depth + 1)?;
            i += 1;
        }
        self.out.push(']');
        Ok(())
    }

    fn tuple(&mut self, tuple: &Bound<'py, PyTuple>, depth: usize) -> PyResult<()> {
        self.out.push('[');
        for (i, item) in tuple.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.value(&item, depth + 1)?;
        }
        self.out.push(']');
        Ok(())
    }

    /// Writes a dict inside a document, walking it as the running CPython's
    /// json does, which matters when an encoder's `default` changes it: from
    /// 3.12 on a plain dict unsorted is walked live (`PyDict_Next`: members
    /// added meanwhile are written, removed ones not); otherwise, and before
    /// 3.12, from a snapshot of its `items()`, sorted when asked.
    fn object(&mut self, dict: &Bound<'py, PyDict>, depth: usize, claims: bool) -> PyResult<()> {
        let plain = dict.is_exact_instance_of::<PyDict>();
        if !plain || self.sort_keys || !live_dicts(self.py) {
            let members = if plain { snapshot(dict) } else { items(dict)? };
            return self.members(members, depth, claims);
        }
        self.out.push('{');
        let mut position = 0;
        let mut first = true;
        while let Some((key, value)) = next_member(dict, &mut position) {
            self.member(&mut first, &key, &value, depth, claims)?;
        }
        self.out.push('}');
        Ok(())
    }

    /// Writes the members of a snapshot, sorted when asked.
    fn members(
        &mut self,
        mut members: Vec<Member<'py>>,
        depth: usize,
        claims: bool,
    ) -> PyResult<()> {
        if self.sort_keys {
            sort_by_key(&mut members)?;
        }
        self.out.push('{');
        let mut first = true;
        for (key, value) in &members {
            self.member(&mut first, key, value, depth, claims)?;
        }
        self.out.push('}');
        Ok(())
    }

    fn member(
        &mut self,
        first: &mut bool,
        key: &Bound<'py, PyAny>,
        value: &Bound<'py, PyAny>,
        depth: usize,
        claims: bool,
    ) -> PyResult<()> {
        if !std::mem::take(first) {
            self.out.push(',');
        }
        self.key(key)?;
        self.out.push(':');
        if claims && is_time_claim(key) && is_datetime(value)? {
            write::int(&mut self.out, numeric_date(value)?);
        } else {
            self.value(value, depth + 1)?;
        }
        Ok(())
    }

    /// A member name, converted as json converts non-string keys.
    pub fn key(&mut self, key: &Bound<'py, PyAny>) -> PyResult<()> {
        if let Ok(text) = key.cast::<PyString>() {
            return self.string(text);
        }
        self.out.push('"');
        if let Ok(float) = key.cast::<PyFloat>() {
            float_repr(self.py, &mut self.out, float.value())?;
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
        match &self.encoder {
            Some(encoder) => encoder.call_method1("default", (obj,)),
            None => Err(PyTypeError::new_err(format!(
                "Object of type {} is not JSON serializable",
                obj.get_type().name()?
            ))),
        }
    }
}

/// Writes a JWT payload made only of plain JSON values (an exact dict with
/// str keys; None, bool, str, int, float and exact lists, tuples and dicts
/// of them), with `check_member` called on each top-level member before it
/// is written. Returns false, having run no Python code and with `out` as
/// it was, at the first value that is anything else (a datetime, a
/// subclass, an int beyond i64, a str with lone surrogates...): the caller
/// then writes the document with [`Writer`]. Since no Python code runs
/// while it writes, the dict it walks is the snapshot PyJWT's copy is.
pub fn write_plain_payload(
    dict: &Bound<'_, PyDict>,
    out: &mut String,
    mut check_member: impl FnMut(&str, &Bound<'_, PyAny>) -> PyResult<()>,
) -> PyResult<bool> {
    let start = out.len();
    if !dict.is_exact_instance_of::<PyDict>() {
        return Ok(false);
    }
    out.push('{');
    let mut position = 0;
    let mut first = true;
    while let Some((key, value)) = next_member(dict, &mut position) {
        let Some(name) = plain_str(&key) else {
            out.truncate(start);
            return Ok(false);
        };
        check_member(name, &value)?;
        if !std::mem::take(&mut first) {
            out.push(',');
        }
        write::string(out, name);
        out.push(':');
        if !plain_value(&value, out, 0) {
            out.truncate(start);
            return Ok(false);
        }
    }
    out.push('}');
    Ok(true)
}

/// The text of an exact str without lone surrogates.
#[inline]
fn plain_str<'a>(obj: &'a Bound<'_, PyAny>) -> Option<&'a str> {
    if !obj.is_exact_instance_of::<PyString>() {
        return None;
    }
    // SAFETY: the type was checked just above; the cast only names it.
    unsafe { obj.cast_unchecked::<PyString>() }.to_str().ok()
}

/// Writes one plain value (see [`write_plain_payload`]); false, with part
/// of it possibly written, at anything else.
fn plain_value(obj: &Bound<'_, PyAny>, out: &mut String, depth: usize) -> bool {
    if obj.is_exact_instance_of::<PyString>() {
        match plain_str(obj) {
            Some(text) => write::string(out, text),
            None => return false,
        }
    } else if obj.is_exact_instance_of::<PyInt>() {
        match obj.extract::<i64>() {
            Ok(small) => write::int(out, small),
            Err(_) => return false,
        }
    } else if obj.is_none() {
        out.push_str("null");
    } else if let Some(flag) = obj
        .is_exact_instance_of::<PyBool>()
        .then(|| obj.cast::<PyBool>().ok())
        .flatten()
    {
        out.push_str(if flag.is_true() { "true" } else { "false" });
    } else if obj.is_exact_instance_of::<PyFloat>() {
        match obj.cast::<PyFloat>() {
            Ok(float) => write::float(out, float.value()),
            Err(_) => return false,
        }
    } else if depth >= MAX_DEPTH {
        return false;
    } else if obj.is_exact_instance_of::<PyList>() {
        let Ok(list) = obj.cast::<PyList>() else {
            return false;
        };
        out.push('[');
        for (i, item) in list.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if !plain_value(&item, out, depth + 1) {
                return false;
            }
        }
        out.push(']');
    } else if obj.is_exact_instance_of::<PyTuple>() {
        let Ok(tuple) = obj.cast::<PyTuple>() else {
            return false;
        };
        out.push('[');
        for (i, item) in tuple.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if !plain_value(&item, out, depth + 1) {
                return false;
            }
        }
        out.push(']');
    } else if obj.is_exact_instance_of::<PyDict>() {
        let Ok(dict) = obj.cast::<PyDict>() else {
            return false;
        };
        out.push('{');
        let mut position = 0;
        let mut first = true;
        while let Some((key, value)) = next_member(dict, &mut position) {
            let Some(name) = plain_str(&key) else {
                return false;
            };
            if !std::mem::take(&mut first) {
                out.push(',');
            }
            write::string(out, name);
            out.push(':');
            if !plain_value(&value, out, depth + 1) {
                return false;
            }
        }
        out.push('}');
    } else {
        return false;
    }
    true
}

fn live_dicts(py: Python<'_>) -> bool {
    *LIVE_DICTS.get_or_init(|| py.version_info() >= (3, 12))
}

/// The members of a plain dict as they are now (json's `PyDict_Items`).
fn snapshot<'py>(dict: &Bound<'py, PyDict>) -> Vec<Member<'py>> {
    let mut members = Vec::with_capacity(dict.len());
    members.extend(dict.iter());
    members
}

/// The members a dict subclass lists in its `items()`, in that order (an
/// OrderedDict's own order), as json reads them.
fn items<'py>(dict: &Bound<'py, PyDict>) -> PyResult<Vec<Member<'py>>> {
    let mut members = Vec::with_capacity(dict.len());
    for item in dict.call_method0("items")?.try_iter()? {
        let item = item?;
        match item.cast::<PyTuple>() {
            Ok(pair) if pair.len() == 2 => members.push((pair.get_item(0)?, pair.get_item(1)?)),
            _ => return Err(PyValueError::new_err("items must return 2-tuples")),
        }
    }
    Ok(members)
}

/// The member at or after `position` of a dict walked live, as json walks it
/// from 3.12 on, or None past the last one.
fn next_member<'py>(
    dict: &Bound<'py, PyDict>,
    position: &mut pyo3::ffi::Py_ssize_t,
) -> Option<Member<'py>> {
    let mut key = std::ptr::null_mut();
    let mut value = std::ptr::null_mut();
    // SAFETY: `dict` is a dict held by a Bound (so the GIL is held); PyDict_Next
    // only reads it, accepts any position (past the end it returns 0), and hands
    // back borrowed references, made owned here before any Python code can run
    // and change the dict.
    unsafe {
        if pyo3::ffi::PyDict_Next(dict.as_ptr(), position, &mut key, &mut value) == 0 {
            return None;
        }
        let py = dict.py();
        Some((
            Bound::from_borrowed_ptr(py, key),
            Bound::from_borrowed_ptr(py, value),
        ))
    }
}

/// What PyJWT writes for a payload: `payload.copy()`, which for a dict
/// subclass may keep its class (an OrderedDict does) or not.
fn copy_of<'py>(dict: &Bound<'py, PyDict>) -> PyResult<Bound<'py, PyDict>> {
    if dict.is_exact_instance_of::<PyDict>() {
        return dict.copy();
    }
    let copy = dict.call_method0("copy")?;
    match copy.cast_into::<PyDict>() {
        Ok(copy) => Ok(copy),
        Err(error) => Err(PyTypeError::new_err(format!(
            "the payload's copy() must return a dict, not {}",
            error.into_inner().get_type().name()?
        ))),
    }
}

/// True when `encoder` (made with json.dumps' arguments) writes as the fast
/// path does, differing at most in `default`.
fn only_default_differs(encoder: &Bound<'_, PyAny>, sort_keys: bool) -> PyResult<bool> {
    let py = encoder.py();
    let base = JSON_ENCODER.import(py, "json", "JSONEncoder")?;
    let class = encoder.get_type();
    for method in ["encode", "iterencode"] {
        if !class.getattr(method)?.is(&base.getattr(method)?) {
            return Ok(false);
        }
    }
    let is = |name: &str, want: bool| -> PyResult<bool> {
        Ok(encoder.getattr(name)?.is_truthy()? == want)
    };
    Ok(is("skipkeys", false)?
        && is("ensure_ascii", true)?
        && is("check_circular", true)?
        && is("allow_nan", true)?
        && is("sort_keys", sort_keys)?
        && encoder.getattr("indent")?.is_none()
        && encoder.getattr("item_separator")?.eq(",")?
        && encoder.getattr("key_separator")?.eq(":")?)
}

/// Sorts members by key as Python sorts str: by code point. Keys of other
/// types cannot be ordered against str, as in Python.
fn sort_by_key(members: &mut Vec<(Bound<'_, PyAny>, Bound<'_, PyAny>)>) -> PyResult<()> {
    let mut keyed = Vec::with_capacity(members.len());
    for (key, value) in members.drain(..) {
        let Ok(text) = key.cast::<PyString>() else {
            return Err(PyTypeError::new_err(format!(
                "'<' not supported between instances of '{}' and 'str'",
                key.get_type().name()?
            )));
        };
        // UTF-8 (WTF-8 for lone surrogates) orders as code points do.
        let order: Vec<u8> = match text.to_str() {
            Ok(text) => text.as_bytes().to_vec(),
            Err(_) => text
                .call_method1("encode", ("utf-8", "surrogatepass"))?
                .extract()?,
        };
        keyed.push((order, key, value));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    members.extend(keyed.into_iter().map(|(_, key, value)| (key, value)));
    Ok(())
}

/// The payload's copy with its datetime exp, iat and nbf as NumericDates.
fn with_numeric_dates<'py>(copy: Bound<'py, PyDict>) -> PyResult<Bound<'py, PyDict>> {
    for claim in TIME_CLAIMS {
        if let Some(value) = copy.get_item(claim)? {
            if is_datetime(&value)? {
                // Through __setitem__, as PyJWT assigns: the copy may be an OrderedDict.
                copy.as_any().set_item(claim, numeric_date(&value)?)?;
            }
        }
    }
    Ok(copy)
}

fn is_time_claim(key: &Bound<'_, PyAny>) -> bool {
    key.cast::<PyString>()
        .ok()
        .and_then(|k| k.to_str().ok())
        .is_some_and(|k| TIME_CLAIMS.contains(&k))
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

/// `repr(value)` as `json.dumps` writes it, from CPython's own float-to-text
/// (`PyOS_double_to_string`, mode "r": the shortest text that reads back as
/// the same float, a tie between two such texts broken to the even digit), so
/// a token is byte for byte PyJWT's; NaN and the infinities as json spells them.
fn float_repr(py: Python<'_>, out: &mut String, value: f64) -> PyResult<()> {
    if !value.is_finite() {
        write::float(out, value);
        return Ok(());
    }
    // SAFETY: the GIL is held (`py`); the call reads a plain double and returns a
    // NUL-terminated buffer from PyMem_Malloc (or NULL with an exception set),
    // which is read once and released with PyMem_Free.
    unsafe {
        let text = pyo3::ffi::PyOS_double_to_string(
            value,
            b'r' as std::ffi::c_char,
            0,
            pyo3::ffi::Py_DTSF_ADD_DOT_0,
            std::ptr::null_mut(),
        );
        if text.is_null() {
            return Err(PyErr::fetch(py));
        }
        out.push_str(&std::ffi::CStr::from_ptr(text).to_string_lossy());
        pyo3::ffi::PyMem_Free(text.cast());
    }
    Ok(())
}
