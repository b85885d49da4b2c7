//! Status codes: `SETHEALTH_OK` and one code per core error kind.

use std::ffi::{CString, c_char};
use std::sync::OnceLock;

use sethealth_core::ErrorKind;

use crate::ffi::no_panic;

/// The result of every fallible call: `SETHEALTH_OK` (0) on success, else
/// the kind of the failure. Codes are stable: they are never renumbered or
/// reused, and new ones may be added after `SETHEALTH_INTERNAL`.
pub type sethealth_status = u32;

/// The call succeeded.
pub const SETHEALTH_OK: sethealth_status = 0;
/// The key or the secret is absent or empty; the message names the variable.
pub const SETHEALTH_MISSING_CREDENTIALS: sethealth_status = 1;
/// An argument is invalid: NULL, invalid UTF-8, a negative lifetime, a
/// control character. The message names the parameter.
pub const SETHEALTH_INVALID_ARGUMENT: sethealth_status = 2;
/// The configuration is invalid: a bad API URL, `http://` to a host that is
/// not loopback, an unreadable CA file, a zero timeout.
pub const SETHEALTH_INVALID_CONFIG: sethealth_status = 3;
/// The server rejected the request (400, 401, 403, 404, 415): usually wrong
/// credentials.
pub const SETHEALTH_REJECTED: sethealth_status = 4;
/// The server responded with 429 Too Many Requests; see `sethealth_error_retry_after_ms`.
pub const SETHEALTH_RATE_LIMITED: sethealth_status = 5;
/// The server failed (5xx) or timed out the request (408).
pub const SETHEALTH_SERVER: sethealth_status = 6;
/// A connect, attempt or overall deadline passed.
pub const SETHEALTH_TIMEOUT: sethealth_status = 7;
/// The connection failed: refused, reset, closed early or DNS.
pub const SETHEALTH_NETWORK: sethealth_status = 8;
/// The TLS handshake failed, usually because the certificate is not trusted.
pub const SETHEALTH_TLS: sethealth_status = 9;
/// The response is unusable: not JSON, no `token`, too large, or a redirect.
pub const SETHEALTH_BAD_RESPONSE: sethealth_status = 10;
/// The call was cancelled through a `sethealth_cancel` handle.
pub const SETHEALTH_CANCELLED: sethealth_status = 11;
/// A bug in the library: a caught panic or a broken invariant.
pub const SETHEALTH_INTERNAL: sethealth_status = 12;

/// Returns the snake_case name of a status, such as `"ok"` or `"rejected"`,
/// and `"unknown"` for a code this version does not define.
///
/// The string is static: never free it. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn sethealth_status_name(status: sethealth_status) -> *const c_char {
    no_panic(c"unknown".as_ptr(), || {
        if status == SETHEALTH_OK {
            return c"ok".as_ptr();
        }
        match ErrorKind::from_code(status) {
            Some(kind) => kind_names()[kind_index(kind)].as_ptr(),
            None => c"unknown".as_ptr(),
        }
    })
}

/// Returns the NUL-terminated names of every kind, built once from the
/// core's `ErrorKind::as_str` so that the two never disagree.
fn kind_names() -> &'static [CString] {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    NAMES.get_or_init(|| {
        ErrorKind::ALL
            .iter()
            .map(|kind| CString::new(kind.as_str()).expect("kind names contain no NUL byte"))
            .collect()
    })
}

fn kind_index(kind: ErrorKind) -> usize {
    ErrorKind::ALL
        .iter()
        .position(|candidate| *candidate == kind)
        .expect("ErrorKind::ALL lists every kind")
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;

    #[test]
    fn constants_match_core_codes() {
        let constants = [
            (SETHEALTH_MISSING_CREDENTIALS, ErrorKind::MissingCredentials),
            (SETHEALTH_INVALID_ARGUMENT, ErrorKind::InvalidArgument),
            (SETHEALTH_INVALID_CONFIG, ErrorKind::InvalidConfig),
            (SETHEALTH_REJECTED, ErrorKind::Rejected),
            (SETHEALTH_RATE_LIMITED, ErrorKind::RateLimited),
            (SETHEALTH_SERVER, ErrorKind::Server),
            (SETHEALTH_TIMEOUT, ErrorKind::Timeout),
            (SETHEALTH_NETWORK, ErrorKind::Network),
            (SETHEALTH_TLS, ErrorKind::Tls),
            (SETHEALTH_BAD_RESPONSE, ErrorKind::BadResponse),
            (SETHEALTH_CANCELLED, ErrorKind::Cancelled),
            (SETHEALTH_INTERNAL, ErrorKind::Internal),
        ];
        assert_eq!(constants.len(), ErrorKind::ALL.len());
        for (constant, kind) in constants {
            assert_eq!(constant, kind.code(), "{kind}");
        }
    }

    #[test]
    fn status_names() {
        let name = |status| {
            unsafe { CStr::from_ptr(sethealth_status_name(status)) }
                .to_str()
                .unwrap()
        };
        assert_eq!(name(SETHEALTH_OK), "ok");
        for kind in ErrorKind::ALL {
            assert_eq!(name(kind.code()), kind.as_str());
        }
        assert_eq!(name(13), "unknown");
        assert_eq!(name(u32::MAX), "unknown");
    }
}
