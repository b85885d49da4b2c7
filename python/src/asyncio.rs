//! The asyncio token call: a task on the core's runtime that hands its
//! outcome to the event loop with `loop.call_soon_threadsafe`.

use pyo3::prelude::*;
use sethealth::{Client, Result as CoreResult, Token, TokenOptions};
use tokio::task::AbortHandle;

use crate::client::token_tuple;
use crate::errors::to_py_err;
use crate::exit;

/// A token request started by `NativeClient.start_get_token`.
#[pyclass(frozen, module = "sethealth._native")]
pub(crate) struct PendingCall {
    abort: AbortHandle,
}

#[pymethods]
impl PendingCall {
    /// Aborts the request task; the callback is then never called. Does
    /// nothing once the task has finished. With the cache on, the core also
    /// aborts the HTTP request, unless other callers still wait on it.
    fn cancel(&self) {
        self.abort.abort();
    }
}

/// Starts the request and returns at once. When it completes, the event loop
/// runs `callback(token_tuple, None)` or `callback(None, exception)`.
///
/// # Errors
///
/// The mapped core error when the runtime cannot start.
pub(crate) fn start(
    py: Python<'_>,
    client: &Client,
    options: TokenOptions,
    event_loop: Py<PyAny>,
    callback: Py<PyAny>,
) -> PyResult<PendingCall> {
    let runtime = sethealth::runtime::handle().map_err(|error| to_py_err(py, &error))?;
    let client = client.clone();
    let task = runtime.spawn(async move {
        let result = client.get_token(&options).await;
        deliver(event_loop, callback, result);
    });
    Ok(PendingCall {
        abort: task.abort_handle(),
    })
}

/// Schedules the callback on the event loop. Runs on a runtime worker thread.
fn deliver(event_loop: Py<PyAny>, callback: Py<PyAny>, result: CoreResult<Token>) {
    if exit::is_exiting() {
        // NOTE: an asyncio call that completes after the atexit hook, such as
        // one awaited by an earlier-registered atexit handler, is dropped.
        return;
    }
    // Nothing can be reported when the interpreter is gone or the loop is
    // closed: no coroutine is left to wait for the result.
    let _ = Python::try_attach(|py| -> PyResult<()> {
        let (value, exception) = match result {
            Ok(token) => (Some(token_tuple(&token)), None),
            Err(error) => (None, Some(to_py_err(py, &error).into_value(py))),
        };
        event_loop.call_method1(py, "call_soon_threadsafe", (callback, value, exception))?;
        Ok(())
    });
}
