//! The one mapping from a facade error to a Python exception, and back for
//! exceptions raised by Python-implemented stores and key managers.
//!
//! The exception classes are defined in Python (`credcycle/exceptions.py`)
//! and imported here; the class is chosen from the error's kind alone.

use credcycle_facade::{Error, ForeignError};
use pyo3::prelude::*;

/// The exception classes of `credcycle.exceptions`.
pub mod classes {
    pyo3::import_exception!(credcycle.exceptions, CredcycleError);
    pyo3::import_exception!(credcycle.exceptions, NotFound);
    pyo3::import_exception!(credcycle.exceptions, Conflict);
    pyo3::import_exception!(credcycle.exceptions, InvalidInput);
    pyo3::import_exception!(credcycle.exceptions, PolicyViolation);
    pyo3::import_exception!(credcycle.exceptions, VerificationFailed);
    pyo3::import_exception!(credcycle.exceptions, InvalidState);
    pyo3::import_exception!(credcycle.exceptions, StoreError);
    pyo3::import_exception!(credcycle.exceptions, KeyManagerError);
    pyo3::import_exception!(credcycle.exceptions, InternalError);
    pyo3::import_exception!(credcycle.exceptions, BindingError);
}

/// A facade error as the Python exception of its family, with `.code`,
/// `.kind` and the message. `VerificationFailed` carries no detail.
pub fn to_pyerr(e: Error) -> PyErr {
    use classes::*;
    let args = (e.message, e.code, e.kind.clone());
    match e.kind.as_str() {
        "not_found" => NotFound::new_err(args),
        "conflict" => Conflict::new_err(args),
        "invalid_input" => InvalidInput::new_err(args),
        "policy" => PolicyViolation::new_err(args),
        // The engine's text for these is fixed and detail-free.
        "verification_failed" => VerificationFailed::new_err(args),
        "state" => InvalidState::new_err(args),
        "store" => StoreError::new_err(args),
        "key_manager" => KeyManagerError::new_err(args),
        "binding" => BindingError::new_err(args),
        _ => InternalError::new_err(args),
    }
}

/// Runs a facade call and converts its error.
pub fn engine<T>(r: credcycle_facade::Result<T>) -> PyResult<T> {
    r.map_err(to_pyerr)
}

/// An exception raised by a Python store, key manager or clock, as a
/// foreign error: a `CredcycleError` keeps its `.code` (so a store can raise
/// `Conflict`, a key manager `NotFound(code=1201)`); any other exception is
/// a backend failure whose message is `Type: text`.
pub fn from_pyerr(py: Python<'_>, err: &PyErr, backend_code: u32) -> ForeignError {
    let value = err.value(py);
    let text = value
        .str()
        .map(|s| s.to_string())
        .unwrap_or_else(|_| "exception".to_owned());
    if err.is_instance_of::<classes::CredcycleError>(py) {
        let code = value
            .getattr("code")
            .and_then(|c| c.extract::<u32>())
            .unwrap_or(backend_code);
        return ForeignError::new(code, text);
    }
    let name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "Exception".to_owned());
    ForeignError::new(backend_code, format!("{name}: {text}"))
}
