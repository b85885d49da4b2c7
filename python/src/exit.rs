//! Interpreter exit with token calls in flight.
//!
//! WARNING: on CPython before 3.14, a thread that re-attaches to the
//! interpreter after finalization has started is ended with `pthread_exit`.
//! That forced unwind crosses pyo3's `catch_unwind` frames and aborts the
//! process. So `mark_interpreter_exit`, registered with `atexit` by the
//! package, raises a flag before finalization starts. A thread waiting in
//! [`crate::blocking`] then parks forever with the GIL released instead of
//! re-attaching, and a completed async call is dropped instead of attaching
//! a tokio worker thread. The process exits around the parked threads.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use pyo3::prelude::*;

static EXITING: AtomicBool = AtomicBool::new(false);
/// The thread that ran the exit hook: the one that finalizes, never parked.
static EXIT_THREAD: OnceLock<ThreadId> = OnceLock::new();
/// Threads inside a blocking wait, and how many of them are parked.
static WAITING: AtomicUsize = AtomicUsize::new(0);
static PARKED: AtomicUsize = AtomicUsize::new(0);

/// The maximum time the exit hook waits for blocked threads to park.
const PARK_GRACE: Duration = Duration::from_secs(1);

/// Marks the interpreter as exiting, then waits up to one second, with the
/// GIL released, until every thread blocked in a token call has parked.
/// Registered with `atexit` by `sethealth/__init__.py`; not for direct use.
#[pyfunction]
pub(crate) fn mark_interpreter_exit(py: Python<'_>) {
    let _ = EXIT_THREAD.set(thread::current().id());
    EXITING.store(true, Ordering::SeqCst);

    py.detach(|| {
        let give_up = Instant::now() + PARK_GRACE;
        while PARKED.load(Ordering::SeqCst) < WAITING.load(Ordering::SeqCst) && Instant::now() < give_up {
            thread::sleep(Duration::from_millis(5));
        }
    });
}

/// Reports whether the exit hook has run.
pub(crate) fn is_exiting() -> bool {
    EXITING.load(Ordering::SeqCst)
}

/// Counts the calling thread as waiting in a blocking call while it lives.
pub(crate) struct WaitGuard(());

impl WaitGuard {
    pub(crate) fn enter() -> WaitGuard {
        WAITING.fetch_add(1, Ordering::SeqCst);
        WaitGuard(())
    }
}

impl Drop for WaitGuard {
    fn drop(&mut self) {
        WAITING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Parks the calling thread forever when the interpreter is exiting and this
/// is not the thread that finalizes it. Call only while detached.
pub(crate) fn park_if_exiting() {
    if !is_exiting() || EXIT_THREAD.get() == Some(&thread::current().id()) {
        return;
    }
    PARKED.fetch_add(1, Ordering::SeqCst);
    loop {
        thread::park();
    }
}
