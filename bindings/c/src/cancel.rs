//! `sethealth_cancel`: cancels blocking calls from another thread.

use sethealth_core::CancelToken;

use crate::error::sethealth_error;
use crate::ffi::{check_out, no_panic, run};
use crate::status::{SETHEALTH_INVALID_ARGUMENT, SETHEALTH_OK, sethealth_status};

/// A cancellation handle. Pass it to `sethealth_client_get_token` and call
/// `sethealth_cancel_cancel` from any thread to make that call return
/// `SETHEALTH_CANCELLED` promptly. Cancelling is permanent: every call given
/// the handle afterwards returns `SETHEALTH_CANCELLED` at once, so use a new
/// handle per operation. Free it with `sethealth_cancel_free`.
pub struct sethealth_cancel {
    pub(crate) token: CancelToken,
}

/// Creates a cancellation handle that is not cancelled.
///
/// `out`: must not be NULL; on success `*out` receives a new handle that the
/// caller owns and frees with `sethealth_cancel_free`.
/// `err`: may be NULL; see the error convention at the top of this header.
///
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_cancel_new(
    out: *mut *mut sethealth_cancel,
    err: *mut *mut sethealth_error,
) -> sethealth_status {
    run("sethealth_cancel_new", err, || {
        check_out(out, "out")?;
        let handle = Box::into_raw(Box::new(sethealth_cancel {
            token: CancelToken::new(),
        }));
        // SAFETY: `out` is not NULL and, by the contract above, writable.
        unsafe { out.write(handle) };
        Ok(())
    })
}

/// Cancels every call that uses this handle, in flight or later.
///
/// `cancel`: borrowed; NULL returns `SETHEALTH_INVALID_ARGUMENT`.
///
/// Thread-safe: may be called from any thread, concurrently with the calls
/// it cancels, but not concurrently with or after `sethealth_cancel_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_cancel_cancel(cancel: *const sethealth_cancel) -> sethealth_status {
    // SAFETY: `cancel` is NULL or a live handle, by the contract above.
    let Some(cancel) = (unsafe { cancel.as_ref() }) else {
        return SETHEALTH_INVALID_ARGUMENT;
    };
    no_panic(SETHEALTH_OK, || {
        cancel.token.cancel();
        SETHEALTH_OK
    })
}

/// Reports whether `sethealth_cancel_cancel` was called on this handle.
///
/// `cancel`: borrowed, may be NULL (then false is returned). Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_cancel_is_cancelled(cancel: *const sethealth_cancel) -> bool {
    // SAFETY: `cancel` is NULL or a live handle, by the contract above.
    no_panic(false, || {
        unsafe { cancel.as_ref() }.is_some_and(|cancel| cancel.token.is_cancelled())
    })
}

/// Frees a cancellation handle.
///
/// `cancel`: consumed, may be NULL (then nothing happens). No call may be
/// using it: free it only after every call given it has returned.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_cancel_free(cancel: *mut sethealth_cancel) {
    if cancel.is_null() {
        return;
    }
    // SAFETY: a non-NULL `cancel` was created by `Box::into_raw` in
    // `sethealth_cancel_new` and, by the contract above, is freed once.
    let object = unsafe { Box::from_raw(cancel) };
    no_panic((), || drop(object));
}
