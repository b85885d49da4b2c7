//! `sethealth_error`: the details of a failed call.

use std::ffi::{CString, c_char};

use sethealth_core::Error;

use crate::ffi::no_panic;
use crate::status::{SETHEALTH_OK, sethealth_status};

/// The details of a failed call: its status, the HTTP status when there is
/// one, a message and the server's `Retry-After`. Opaque; read it with the
/// `sethealth_error_*` accessors and free it with `sethealth_error_free`.
///
/// An error is immutable, so its accessors may be called from any thread.
pub struct sethealth_error {
    error: Error,
    message: CString,
}

impl sethealth_error {
    fn new(error: Error) -> sethealth_error {
        // Core messages quote values with `{:?}`, which escapes NUL, so this
        // replacement is a guard that should never change anything.
        let message = CString::new(error.message().replace('\0', "\\0"))
            .unwrap_or_else(|_| c"the error message contained a NUL byte".to_owned());
        sethealth_error { error, message }
    }

    #[cfg(test)]
    pub(crate) fn message(&self) -> &str {
        self.message.to_str().unwrap_or_default()
    }
}

/// Stores a new error object in `*err`, unless `err` is NULL.
///
/// # Safety
///
/// `err` is NULL or valid for writing one pointer.
pub(crate) unsafe fn store_error(err: *mut *mut sethealth_error, error: Error) {
    if err.is_null() {
        return;
    }
    let object = Box::into_raw(Box::new(sethealth_error::new(error)));
    // SAFETY: `err` is not NULL and, by this function's contract, writable.
    unsafe { err.write(object) };
}

/// Returns the status of the failure, one of the `SETHEALTH_*` codes other
/// than `SETHEALTH_OK`; the same status the failed call returned.
///
/// `err`: borrowed, may be NULL (then `SETHEALTH_OK` is returned).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_error_code(err: *const sethealth_error) -> sethealth_status {
    // SAFETY: `err` is NULL or a live error object, by the contract above.
    no_panic(SETHEALTH_OK, || {
        unsafe { err.as_ref() }.map_or(SETHEALTH_OK, |err| err.error.kind().code())
    })
}

/// Returns the HTTP status of the response that caused the failure, such as
/// 401 or 503, or 0 when no response was involved.
///
/// `err`: borrowed, may be NULL (then 0 is returned).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_error_http_status(err: *const sethealth_error) -> u16 {
    // SAFETY: as in `sethealth_error_code`.
    no_panic(0, || {
        unsafe { err.as_ref() }
            .and_then(|err| err.error.status())
            .unwrap_or(0)
    })
}

/// Returns the message: a full sentence saying what failed, on which value,
/// and what to do next. It never contains the service-account secret.
///
/// `err`: borrowed, may be NULL (then an empty string is returned). The
/// string is UTF-8, owned by `err` and valid until `sethealth_error_free(err)`;
/// never pass it to `free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_error_message(err: *const sethealth_error) -> *const c_char {
    // SAFETY: as in `sethealth_error_code`.
    no_panic(c"".as_ptr(), || {
        unsafe { err.as_ref() }.map_or(c"".as_ptr(), |err| err.message.as_ptr())
    })
}

/// Returns the delay the server asked for in `Retry-After`, in milliseconds,
/// or 0 when it sent none. Set on `SETHEALTH_RATE_LIMITED` and sometimes on
/// `SETHEALTH_SERVER`.
///
/// `err`: borrowed, may be NULL (then 0 is returned).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_error_retry_after_ms(err: *const sethealth_error) -> u64 {
    // SAFETY: as in `sethealth_error_code`.
    no_panic(0, || {
        unsafe { err.as_ref() }
            .and_then(|err| err.error.retry_after())
            .map_or(0, |delay| u64::try_from(delay.as_millis()).unwrap_or(u64::MAX))
    })
}

/// Returns how many HTTP attempts were made before the failure; 0 when it
/// happened before any request was sent, such as a configuration error.
///
/// `err`: borrowed, may be NULL (then 0 is returned).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_error_attempts(err: *const sethealth_error) -> u32 {
    // SAFETY: as in `sethealth_error_code`.
    no_panic(0, || {
        unsafe { err.as_ref() }.map_or(0, |err| err.error.attempts())
    })
}

/// Reports whether the same call may succeed later: true for
/// `SETHEALTH_RATE_LIMITED`, `SETHEALTH_SERVER`, `SETHEALTH_TIMEOUT` and
/// `SETHEALTH_NETWORK`. The library has already retried these within its
/// retry policy and deadline.
///
/// `err`: borrowed, may be NULL (then false is returned).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_error_is_retryable(err: *const sethealth_error) -> bool {
    // SAFETY: as in `sethealth_error_code`.
    no_panic(false, || {
        unsafe { err.as_ref() }.is_some_and(|err| err.error.is_retryable())
    })
}

/// Reports whether a `SETHEALTH_MISSING_CREDENTIALS` failure means that a
/// credential was neither passed nor set in the environment, as opposed to
/// passed or set but empty.
///
/// `err`: borrowed, may be NULL (then false is returned).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_error_is_unset_credential(err: *const sethealth_error) -> bool {
    // SAFETY: as in `sethealth_error_code`.
    no_panic(false, || {
        unsafe { err.as_ref() }.is_some_and(|err| err.error.is_unset_credential())
    })
}

/// Frees an error object and the message it owns.
///
/// `err`: consumed, may be NULL (then nothing happens). It must come from
/// this library and must not be used or freed again afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_error_free(err: *mut sethealth_error) {
    if err.is_null() {
        return;
    }
    // SAFETY: a non-NULL `err` was created by `Box::into_raw` in
    // `store_error` and, by the contract above, is freed only once.
    let object = unsafe { Box::from_raw(err) };
    no_panic((), || drop(object));
}
