//! The process-wide tokio runtime behind the blocking API and the bindings,
//! and the cancellation handle for blocking calls.
//!
//! WARNING: after `fork()` the child has none of the parent's worker threads,
//! so the parent's runtime (and every connection pool bound to it) would
//! hang forever in the child. Both are therefore kept per process id: the
//! child builds new ones and leaks, never drops, the parent's.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::runtime::{Handle, Runtime};
use tokio::sync::Notify;

use crate::error::{Error, ErrorKind, Result};

/// The number of worker threads of the process-wide runtime. Token requests
/// are short and I/O-bound, so two threads serve hundreds of concurrent calls.
pub const WORKER_THREADS: usize = 2;

static RUNTIME: Mutex<Option<(u32, &'static Runtime)>> = Mutex::new(None);

/// Returns a handle to the process-wide runtime, building it on first use
/// and again in a forked child.
///
/// # Errors
///
/// [`ErrorKind::Internal`] when the operating system refuses to start threads.
pub fn handle() -> Result<Handle> {
    Ok(runtime()?.handle().clone())
}

fn runtime() -> Result<&'static Runtime> {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(|poison| poison.into_inner());
    if let Some((owner, runtime)) = *slot {
        if owner == pid {
            return Ok(runtime);
        }
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .max_blocking_threads(4)
        .thread_name("sethealth-worker")
        .on_thread_start(block_sigpipe)
        .enable_io()
        .enable_time()
        .build()
        .map_err(|err| {
            Error::new(
                ErrorKind::Internal,
                format!("cannot start the sethealth runtime threads: {err}"),
            )
            .with_source(err)
        })?;
    // Leaked on purpose: a runtime must not be dropped from inside another,
    // and the parent's runtime must never be dropped in a forked child.
    let runtime: &'static Runtime = Box::leak(Box::new(runtime));
    *slot = Some((pid, runtime));
    Ok(runtime)
}

/// Blocks SIGPIPE in the calling thread. rustls writes with `writev`, which
/// does not set `MSG_NOSIGNAL`, and a host such as a Go program would die
/// of a SIGPIPE raised on a thread it does not own.
fn block_sigpipe() {
    // SAFETY: the set is initialised by sigemptyset before use, and
    // pthread_sigmask only changes the mask of the calling thread.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Runs a future to completion on the process-wide runtime, blocking the
/// calling thread, and returns early with [`ErrorKind::Cancelled`] when
/// `cancel` fires first (the future is then dropped, which cancels it).
///
/// # Errors
///
/// The future's own error; [`ErrorKind::Cancelled`]; and
/// [`ErrorKind::InvalidArgument`] when called from inside a tokio runtime,
/// where blocking would stall it: use the async API there.
pub fn block_on<T>(future: impl Future<Output = Result<T>>, cancel: Option<&CancelToken>) -> Result<T> {
    ensure_blocking_allowed()?;
    let runtime = runtime()?;
    runtime.block_on(async {
        match cancel {
            None => future.await,
            Some(cancel) => tokio::select! {
                result = future => result,
                () = cancel.cancelled() => Err(cancelled()),
            },
        }
    })
}

/// Fails when the calling thread runs a tokio runtime, where blocking would
/// stall it (and `Runtime::block_on` would panic).
pub(crate) fn ensure_blocking_allowed() -> Result<()> {
    if Handle::try_current().is_ok() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "a blocking sethealth call was made from inside a tokio runtime; \
             call the async get_token().await there instead",
        ));
    }
    Ok(())
}

pub(crate) fn cancelled() -> Error {
    Error::new(
        ErrorKind::Cancelled,
        "the token request was cancelled by the caller",
    )
}

/// A handle that cancels blocking calls from another thread.
///
/// Cancelling is permanent: every call given this handle, in flight or
/// later, returns [`ErrorKind::Cancelled`]. Clones share one state.
#[derive(Clone, Debug, Default)]
pub struct CancelToken {
    state: Arc<CancelState>,
}

#[derive(Debug, Default)]
struct CancelState {
    cancelled: AtomicBool,
    notify: Notify,
}

impl CancelToken {
    /// Creates a handle that is not cancelled.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Cancels every call that uses this handle. Safe from any thread, and
    /// from a signal-free context only (it takes no lock but wakes tasks).
    pub fn cancel(&self) {
        self.state.cancelled.store(true, Ordering::SeqCst);
        self.state.notify.notify_waiters();
    }

    /// Reports whether [`cancel`](CancelToken::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.state.cancelled.load(Ordering::SeqCst)
    }

    /// Completes once the handle is cancelled.
    pub async fn cancelled(&self) {
        loop {
            let notified = self.state.notify.notified();
            tokio::pin!(notified);
            // Register before checking the flag so a cancel in between is not missed.
            notified.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}
