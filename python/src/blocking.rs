//! The blocking token call: runs on the core's runtime while the calling
//! Python thread waits with the GIL released and stays interruptible.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

use pyo3::prelude::*;
use sethealth::{Client, Token, TokenOptions};

use crate::errors::{internal, to_py_err};
use crate::exit;

/// How long the caller waits, detached, between two checks for signals.
/// Ctrl-C therefore interrupts a call within about this long.
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(50);

/// Requests a token and blocks until it arrives.
///
/// The request runs as a task on the core's process-wide runtime. Between
/// waits the thread re-attaches and runs Python's signal handlers, so Ctrl-C
/// raises `KeyboardInterrupt` here within [`SIGNAL_CHECK_INTERVAL`].
///
/// # Errors
///
/// The mapped core error; a signal handler's exception (such as
/// `KeyboardInterrupt`), after which the request task is aborted. With the
/// cache on, that also aborts the HTTP request unless other callers still
/// wait on it.
pub(crate) fn get_token(py: Python<'_>, client: &Client, options: TokenOptions) -> PyResult<Token> {
    // A cache hit needs neither a task nor a wait.
    if let Some(token) = client.cached_token(&options) {
        return Ok(token);
    }

    let runtime = sethealth::runtime::handle().map_err(|error| to_py_err(py, &error))?;
    let (sender, mut receiver) = mpsc::channel();
    let client = client.clone();
    let task = runtime.spawn(async move {
        // The receiver is gone only when the caller gave up; nothing to report then.
        let _ = sender.send(client.get_token(&options).await);
    });

    let _waiting = exit::WaitGuard::enter();
    loop {
        let (returned, outcome) = py.detach(move || wait_slice(receiver));
        receiver = returned;
        match outcome {
            Ok(result) => return result.map_err(|error| to_py_err(py, &error)),
            Err(RecvTimeoutError::Timeout) => {
                if let Err(interrupt) = py.check_signals() {
                    task.abort();
                    return Err(interrupt);
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                let error =
                    internal("the token request task ended without a result; this is a bug in sethealth");
                return Err(to_py_err(py, &error));
            }
        }
    }
}

/// Waits one slice for the result. The receiver moves in and out because it
/// is not `Sync`, so the detached closure cannot borrow it.
fn wait_slice<T>(receiver: Receiver<T>) -> (Receiver<T>, Result<T, RecvTimeoutError>) {
    let outcome = receiver.recv_timeout(SIGNAL_CHECK_INTERVAL);
    exit::park_if_exiting();
    (receiver, outcome)
}
