//! `sethealth_token`: a minted access token and its metadata.

use std::ffi::c_char;
use std::time::{SystemTime, UNIX_EPOCH};

use sethealth_core::{Error, ErrorKind, ExpirySource, Result, Token};
use zeroize::Zeroizing;

use crate::ffi::no_panic;

/// The source of a token's expiry, returned by `sethealth_token_expiry_source`.
pub type sethealth_expiry_source = u32;

/// The token is JWT-shaped and its `exp` claim states the expiry.
pub const SETHEALTH_EXPIRY_CLAIM: sethealth_expiry_source = 1;
/// The expiry is the requested lifetime counted from when the request was sent.
pub const SETHEALTH_EXPIRY_REQUESTED: sethealth_expiry_source = 2;
/// Nothing states the expiry; `sethealth_token_expires_at_ms` returns 0.
pub const SETHEALTH_EXPIRY_UNKNOWN: sethealth_expiry_source = 3;

/// A short-lived access token for the Sethealth browser SDK. Opaque; read it
/// with the `sethealth_token_*` accessors and free it with
/// `sethealth_token_free`, which also wipes the token from memory.
///
/// A token is immutable, so its accessors may be called from any thread.
pub struct sethealth_token {
    token: Token,
    /// The token followed by a NUL byte, wiped when dropped.
    value: Zeroizing<Vec<u8>>,
}

impl sethealth_token {
    /// Wraps a core token.
    ///
    /// # Errors
    ///
    /// `BadResponse` when the token contains a NUL byte, which a C string
    /// cannot carry.
    pub(crate) fn new(token: Token) -> Result<sethealth_token> {
        if token.as_str().contains('\0') {
            return Err(Error::new(
                ErrorKind::BadResponse,
                "the token in the response contains a NUL character, which a C string cannot hold; \
                 check that the API URL points at the Sethealth token service",
            ));
        }
        let mut value = Zeroizing::new(Vec::with_capacity(token.as_str().len() + 1));
        value.extend_from_slice(token.as_str().as_bytes());
        value.push(0);
        Ok(sethealth_token { token, value })
    }
}

fn unix_millis(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// Returns the token to hand to the browser SDK, as a NUL-terminated string.
///
/// `token`: borrowed, may be NULL (then NULL is returned). The string is
/// owned by `token` and valid until `sethealth_token_free(token)`, which
/// wipes it. Never pass it to `free()`, and copy it to keep it longer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_token_value(token: *const sethealth_token) -> *const c_char {
    // SAFETY: `token` is NULL or a live token object, by the contract above.
    no_panic(std::ptr::null(), || {
        unsafe { token.as_ref() }.map_or(std::ptr::null(), |token| token.value.as_ptr().cast::<c_char>())
    })
}

/// Returns the length of the token in bytes, without the NUL terminator.
///
/// `token`: borrowed, may be NULL (then 0 is returned).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_token_length(token: *const sethealth_token) -> usize {
    // SAFETY: as in `sethealth_token_value`.
    no_panic(0, || {
        unsafe { token.as_ref() }.map_or(0, |token| token.token.as_str().len())
    })
}

/// Returns when the token expires, in milliseconds since the Unix epoch, or
/// 0 when nothing states it (see `sethealth_token_expiry_source`).
///
/// `token`: borrowed, may be NULL (then 0 is returned).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_token_expires_at_ms(token: *const sethealth_token) -> i64 {
    // SAFETY: as in `sethealth_token_value`.
    no_panic(0, || {
        unsafe { token.as_ref() }
            .and_then(|token| token.token.expires_at())
            .map_or(0, unix_millis)
    })
}

/// Returns when the request for this token was sent, in milliseconds since
/// the Unix epoch, by the system clock. A token from the cache keeps the
/// time of its original request.
///
/// `token`: borrowed, may be NULL (then 0 is returned).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_token_issued_at_ms(token: *const sethealth_token) -> i64 {
    // SAFETY: as in `sethealth_token_value`.
    no_panic(0, || {
        unsafe { token.as_ref() }.map_or(0, |token| unix_millis(token.token.issued_at()))
    })
}

/// Returns where the expiry comes from: `SETHEALTH_EXPIRY_CLAIM`,
/// `SETHEALTH_EXPIRY_REQUESTED` or `SETHEALTH_EXPIRY_UNKNOWN`.
///
/// `token`: borrowed, may be NULL (then `SETHEALTH_EXPIRY_UNKNOWN` is returned).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_token_expiry_source(
    token: *const sethealth_token,
) -> sethealth_expiry_source {
    // SAFETY: as in `sethealth_token_value`.
    no_panic(SETHEALTH_EXPIRY_UNKNOWN, || {
        match unsafe { token.as_ref() }.map(|token| token.token.expiry_source()) {
            Some(ExpirySource::Claim) => SETHEALTH_EXPIRY_CLAIM,
            Some(ExpirySource::Requested) => SETHEALTH_EXPIRY_REQUESTED,
            _ => SETHEALTH_EXPIRY_UNKNOWN,
        }
    })
}

/// Frees a token and wipes its string from memory.
///
/// `token`: consumed, may be NULL (then nothing happens). It must come from
/// this library and must not be used or freed again afterwards; strings
/// returned by `sethealth_token_value` for it become invalid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_token_free(token: *mut sethealth_token) {
    if token.is_null() {
        return;
    }
    // SAFETY: a non-NULL `token` was created by `Box::into_raw` in
    // `sethealth_client_get_token` and, by the contract above, is freed once.
    let object = unsafe { Box::from_raw(token) };
    no_panic((), || drop(object));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_millis_both_sides_of_epoch() {
        use std::time::Duration;
        assert_eq!(unix_millis(UNIX_EPOCH + Duration::from_millis(1500)), 1500);
        assert_eq!(unix_millis(UNIX_EPOCH - Duration::from_millis(20)), -20);
    }
}
