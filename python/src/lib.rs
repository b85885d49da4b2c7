//! The private native module `sethealth._native` of the `sethealth` Python package.
//!
//! This crate is thin glue: it converts Python arguments into the core's
//! builder settings and [`sethealth::TokenOptions`], waits for the core with
//! the GIL released, and turns [`sethealth::Error`] into the Python exception
//! classes that `sethealth/_errors.py` defines. Tokens, validation, retries,
//! timeouts and caching live in the core crate.

mod asyncio;
mod blocking;
mod client;
mod errors;
mod exit;
mod options;
mod settings;

use pyo3::prelude::*;

/// Registers the classes, functions and constants of the native module,
/// which `sethealth/_native.pyi` types.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<client::NativeClient>()?;
    module.add_class::<asyncio::PendingCall>()?;
    module.add_function(wrap_pyfunction!(exit::mark_interpreter_exit, module)?)?;
    module.add("CORE_VERSION", sethealth::VERSION)?;
    module.add("DEFAULT_API_URL", sethealth::DEFAULT_API_URL)?;
    module.add("ERROR_KINDS", errors::error_kinds())?;
    Ok(())
}
