//! The PyO3 binding layer: the only code that knows about Python objects.
//! It converts arguments, calls the core, and turns core errors into the
//! exceptions of `ferrojwt.jwt.exceptions` (in `errors`, and only there).

mod api;
mod auth_header;
mod clock;
mod cpu;
mod errors;
mod functions;
mod json_in;
mod json_out;
mod key;
mod members;
mod prepared;
mod token_claims;

use pyo3::prelude::*;

use crate::algorithm::Algorithm;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[pymodule]
#[pyo3(name = "_core")]
fn core_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    m.add("build_profile", profile)?;
    let names: Vec<&str> = Algorithm::ALL.iter().map(|a| a.name()).collect();
    m.add("ALGORITHMS", pyo3::types::PyTuple::new(m.py(), names)?)?;
    m.add("MAX_TOKEN_BYTES", crate::jws::MAX_TOKEN_BYTES)?;
    m.add_class::<key::PyKey>()?;
    m.add_class::<prepared::Encoder>()?;
    m.add_class::<prepared::Decoder>()?;
    m.add_function(wrap_pyfunction!(key::coerce_key, m)?)?;
    m.add_class::<functions::AlgorithmUnset>()?;
    m.add("ALGORITHM_UNSET", functions::algorithm_unset(m.py())?)?;
    m.add_function(wrap_pyfunction!(functions::encode, m)?)?;
    m.add_function(wrap_pyfunction!(functions::sign_claims, m)?)?;
    m.add_function(wrap_pyfunction!(functions::py_signing_algorithm, m)?)?;
    m.add_function(wrap_pyfunction!(functions::legacy_arguments, m)?)?;
    functions::add_vectorcall_functions(m)?;
    m.add_function(wrap_pyfunction!(functions::get_unverified_header, m)?)?;
    m.add_function(wrap_pyfunction!(api::jws_encode, m)?)?;
    m.add_function(wrap_pyfunction!(api::jws_decode_complete, m)?)?;
    m.add_function(wrap_pyfunction!(auth_header::header_token, m)?)?;
    m.add_function(wrap_pyfunction!(clock::utc_now, m)?)?;
    m.add_function(wrap_pyfunction!(token_claims::claim_time, m)?)?;
    m.add_function(wrap_pyfunction!(token_claims::uuid4_hex, m)?)?;
    m.add_function(wrap_pyfunction!(token_claims::new_claims, m)?)?;
    m.add_function(wrap_pyfunction!(token_claims::check_token, m)?)?;
    m.add_function(wrap_pyfunction!(token_claims::decode_token, m)?)?;
    Ok(())
}
