//! The JSON sink that builds Python objects straight from the token bytes.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyList, PyString};

use crate::error::Error;
use crate::json::Sink;

pub struct PySink<'py> {
    pub py: Python<'py>,
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
        Ok(PyDict::new(self.py))
    }

    fn insert(
        &mut self,
        object: &mut Self::Object,
        key: &str,
        value: Self::Value,
    ) -> Result<bool, Error> {
        let before = object.len();
        object
            .set_item(PyString::new(self.py, key), value)
            .map_err(python_failed)?;
        Ok(object.len() > before)
    }

    fn end_object(&mut self, object: Self::Object) -> Result<Self::Value, Error> {
        Ok(object.into_any())
    }
}
