//! Conversion of core errors into the Python exception classes.
//!
//! The classes and the table from error code to class live in Python, in
//! `sethealth/_errors.py`. This module only passes the core error's fields to
//! that table's factory, `error_from_core`.

use pyo3::prelude::*;
use sethealth::{Error, ErrorKind};

/// Converts a core error into the matching `sethealth` exception.
///
/// When the factory itself fails (the package is half-imported, or out of
/// memory), the factory's own exception is returned instead, so a failure is
/// never silently lost.
pub(crate) fn to_py_err(py: Python<'_>, error: &Error) -> PyErr {
    match build_exception(py, error) {
        Ok(exception) => PyErr::from_value(exception),
        Err(factory_error) => factory_error,
    }
}

/// Returns the exception instance for `error`, built by `sethealth._errors.error_from_core`.
fn build_exception<'py>(py: Python<'py>, error: &Error) -> PyResult<Bound<'py, PyAny>> {
    let factory = py.import("sethealth._errors")?.getattr("error_from_core")?;
    let kind = error.kind();
    let retry_after = error.retry_after().map(|delay| delay.as_secs_f64());
    factory.call1((
        kind.code(),
        kind.as_str(),
        error.message(),
        error.status(),
        retry_after,
        error.is_retryable(),
        error.attempts(),
    ))
}

/// Returns every error kind of the core as `(code, kind, retryable)`, in code
/// order, so the Python tests can check that the class table covers them all.
pub(crate) fn error_kinds() -> Vec<(u32, &'static str, bool)> {
    ErrorKind::ALL
        .into_iter()
        .map(|kind| (kind.code(), kind.as_str(), kind.is_retryable()))
        .collect()
}

/// Returns an [`ErrorKind::Internal`] error for a broken invariant of this glue.
pub(crate) fn internal(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Internal, message)
}
