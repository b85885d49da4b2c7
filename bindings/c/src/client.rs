//! `sethealth_client`: construction, token requests and the cache.

use std::ffi::{CString, c_char};

use sethealth_core::{Client, ClientBuilder, Result};

use crate::cancel::sethealth_cancel;
use crate::error::sethealth_error;
use crate::ffi::{check_out, no_panic, required_ref, required_str, run};
use crate::options::{client_builder, sethealth_client_options, sethealth_token_options, token_options};
use crate::status::sethealth_status;
use crate::token::sethealth_token;

/// A client for one service account: its settings, one HTTPS connection
/// pool and one token cache. Opaque; create one per service account, share
/// it between threads, and free it with `sethealth_client_free`.
///
/// Every function that takes a `const sethealth_client *` may be called
/// concurrently from any number of threads. Only `sethealth_client_free`
/// needs exclusive access.
pub struct sethealth_client {
    client: Client,
    key: CString,
    api_url: CString,
}

impl sethealth_client {
    fn build(builder: ClientBuilder) -> Result<sethealth_client> {
        let client = builder.build()?;
        // The key and the URL passed validation, which rejects control
        // characters, so neither contains a NUL byte.
        let key = CString::new(client.key()).unwrap_or_default();
        let api_url = CString::new(client.config().api_url()).unwrap_or_default();
        Ok(sethealth_client { client, key, api_url })
    }
}

/// Writes a new client to `*out`.
///
/// # Safety
///
/// `out` is valid for writing one pointer.
unsafe fn publish(out: *mut *mut sethealth_client, client: sethealth_client) {
    let handle = Box::into_raw(Box::new(client));
    // SAFETY: by this function's contract.
    unsafe { out.write(handle) };
}

/// Creates a client from the environment: `SETHEALTH_KEY`,
/// `SETHEALTH_SECRET`, and `SETHEALTH_API_URL` and `SETHEALTH_CA_FILE` when
/// set, read now. Other settings keep their defaults.
///
/// `out`: must not be NULL; on success `*out` receives a new client that the
/// caller owns and frees with `sethealth_client_free`.
/// `err`: may be NULL; see the error convention at the top of this header.
///
/// Errors: `SETHEALTH_MISSING_CREDENTIALS` naming the unset or empty
/// variable; `SETHEALTH_INVALID_ARGUMENT` for a control character in a
/// credential; `SETHEALTH_INVALID_CONFIG` for a bad URL or CA file.
///
/// Thread-safe, but it reads the environment: do not call it while another
/// thread calls `setenv`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_client_new_from_env(
    out: *mut *mut sethealth_client,
    err: *mut *mut sethealth_error,
) -> sethealth_status {
    run("sethealth_client_new_from_env", err, || {
        check_out(out, "out")?;
        let client = sethealth_client::build(ClientBuilder::new())?;
        // SAFETY: `out` is not NULL and, by the contract above, writable.
        unsafe { publish(out, client) };
        Ok(())
    })
}

/// Creates a client for the given service account. The API URL and CA file
/// still come from `SETHEALTH_API_URL` and `SETHEALTH_CA_FILE` when set.
///
/// `key`, `secret`: borrowed NUL-terminated UTF-8, must not be NULL; the
/// library keeps its own copy, so they may be freed when the call returns.
/// `out`: must not be NULL; on success `*out` receives a new client that the
/// caller owns and frees with `sethealth_client_free`.
/// `err`: may be NULL; see the error convention at the top of this header.
///
/// Errors: `SETHEALTH_INVALID_ARGUMENT` for a NULL or non-UTF-8 argument or
/// a control character. `SETHEALTH_MISSING_CREDENTIALS` for an empty key or
/// secret. `SETHEALTH_INVALID_CONFIG` for a bad URL or CA file.
///
/// Thread-safe, with the same caveat about `setenv` as
/// `sethealth_client_new_from_env`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_client_new(
    key: *const c_char,
    secret: *const c_char,
    out: *mut *mut sethealth_client,
    err: *mut *mut sethealth_error,
) -> sethealth_status {
    run("sethealth_client_new", err, || {
        check_out(out, "out")?;
        // SAFETY: the strings are NULL or NUL-terminated, by the contract above.
        let key = unsafe { required_str(key, "key") }?;
        let secret = unsafe { required_str(secret, "secret") }?;
        let client = sethealth_client::build(ClientBuilder::new().key(key).secret(secret))?;
        // SAFETY: `out` is not NULL and, by the contract above, writable.
        unsafe { publish(out, client) };
        Ok(())
    })
}

/// Creates a client with explicit settings. Members of `options` left NULL
/// or 0 fall back to the environment variable named on the member, then to
/// the default.
///
/// `options`: borrowed for the call, may be NULL (then this is
/// `sethealth_client_new_from_env`); `struct_size` must be set.
/// `out`: must not be NULL; on success `*out` receives a new client that the
/// caller owns and frees with `sethealth_client_free`.
/// `err`: may be NULL; see the error convention at the top of this header.
///
/// Errors: as `sethealth_client_new`, plus `SETHEALTH_INVALID_ARGUMENT` for
/// a wrong `struct_size` and `SETHEALTH_INVALID_CONFIG` for an invalid
/// setting (a bad URL, an unreadable CA file, a non-ASCII user agent suffix,
/// a retry base delay above the maximum, a cache fraction above 1.0).
///
/// Thread-safe, with the same caveat about `setenv` as
/// `sethealth_client_new_from_env`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_client_new_with_options(
    options: *const sethealth_client_options,
    out: *mut *mut sethealth_client,
    err: *mut *mut sethealth_error,
) -> sethealth_status {
    run("sethealth_client_new_with_options", err, || {
        check_out(out, "out")?;
        // SAFETY: `options` is NULL or a valid struct, by the contract above.
        let builder = unsafe { client_builder(options) }?;
        let client = sethealth_client::build(builder)?;
        // SAFETY: `out` is not NULL and, by the contract above, writable.
        unsafe { publish(out, client) };
        Ok(())
    })
}

/// Returns an access token: a cached one with enough of its lifetime left,
/// else a new one from the server. Blocks the calling thread until the
/// token arrives, the call fails, the client's deadline passes, or `cancel`
/// fires. Concurrent calls with equal options share one request.
///
/// `client`: borrowed, must not be NULL.
/// `options`: borrowed for the call, may be NULL for the defaults.
/// `cancel`: borrowed, may be NULL; another thread may call
/// `sethealth_cancel_cancel` on it to end this call with
/// `SETHEALTH_CANCELLED`.
/// `out`: must not be NULL; on success `*out` receives a new token that the
/// caller owns and frees with `sethealth_token_free`.
/// `err`: may be NULL; see the error convention at the top of this header.
///
/// Errors: any status. `SETHEALTH_REJECTED` (with the HTTP status) usually
/// means wrong credentials; `SETHEALTH_RATE_LIMITED`, `SETHEALTH_SERVER`,
/// `SETHEALTH_TIMEOUT` and `SETHEALTH_NETWORK` were already retried within
/// the client's retry policy and deadline.
///
/// Thread-safe: call it from many threads at once on one client. It must
/// not be called from inside a tokio runtime's thread (it returns
/// `SETHEALTH_INVALID_ARGUMENT` there).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_client_get_token(
    client: *const sethealth_client,
    options: *const sethealth_token_options,
    cancel: *const sethealth_cancel,
    out: *mut *mut sethealth_token,
    err: *mut *mut sethealth_error,
) -> sethealth_status {
    run("sethealth_client_get_token", err, || {
        check_out(out, "out")?;
        // SAFETY: every pointer is NULL or valid, by the contract above.
        let client = unsafe { required_ref(client, "client") }?;
        let options = unsafe { token_options(options) }?;
        let cancel = unsafe { cancel.as_ref() }.map(|cancel| &cancel.token);

        let token = client.client.get_token_blocking(&options, cancel)?;
        let token = Box::into_raw(Box::new(sethealth_token::new(token)?));
        // SAFETY: `out` is not NULL and, by the contract above, writable.
        unsafe { out.write(token) };
        Ok(())
    })
}

/// Drops the cached token for these options, such as one the browser
/// reported as rejected, so that the next call mints a new one.
///
/// `client`: borrowed, must not be NULL.
/// `options`: borrowed for the call, may be NULL for the defaults; `fresh`
/// is ignored.
/// `err`: may be NULL; see the error convention at the top of this header.
///
/// Errors: `SETHEALTH_INVALID_ARGUMENT` for a NULL client or bad options.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_client_invalidate(
    client: *const sethealth_client,
    options: *const sethealth_token_options,
    err: *mut *mut sethealth_error,
) -> sethealth_status {
    run("sethealth_client_invalidate", err, || {
        // SAFETY: every pointer is NULL or valid, by the contract above.
        let client = unsafe { required_ref(client, "client") }?;
        let options = unsafe { token_options(options) }?;
        client.client.invalidate(&options);
        Ok(())
    })
}

/// Drops every cached token of this client.
///
/// `client`: borrowed, may be NULL (then nothing happens). Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_client_clear_cache(client: *const sethealth_client) {
    // SAFETY: `client` is NULL or a live client, by the contract above.
    if let Some(client) = unsafe { client.as_ref() } {
        no_panic((), || client.client.clear_cache());
    }
}

/// Returns the service account's key (its id, not secret).
///
/// `client`: borrowed, may be NULL (then an empty string is returned). The
/// string is owned by `client` and valid until `sethealth_client_free`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_client_key(client: *const sethealth_client) -> *const c_char {
    // SAFETY: `client` is NULL or a live client, by the contract above.
    no_panic(c"".as_ptr(), || {
        unsafe { client.as_ref() }.map_or(c"".as_ptr(), |client| client.key.as_ptr())
    })
}

/// Returns the base URL the client requests tokens from, without a trailing
/// slash, such as `"https://api.set.health"`.
///
/// `client`: borrowed, may be NULL (then an empty string is returned). The
/// string is owned by `client` and valid until `sethealth_client_free`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_client_api_url(client: *const sethealth_client) -> *const c_char {
    // SAFETY: `client` is NULL or a live client, by the contract above.
    no_panic(c"".as_ptr(), || {
        unsafe { client.as_ref() }.map_or(c"".as_ptr(), |client| client.api_url.as_ptr())
    })
}

/// Frees a client, its connection pool and its cache. Its copy of the secret
/// is wiped from memory once no request of it is still in flight. Tokens
/// already returned stay valid until they are freed.
///
/// `client`: consumed, may be NULL (then nothing happens). No other call may
/// be using it: free it only after every call on it has returned, and do
/// not use or free it again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sethealth_client_free(client: *mut sethealth_client) {
    if client.is_null() {
        return;
    }
    // SAFETY: a non-NULL `client` was created by `Box::into_raw` in `publish`
    // and, by the contract above, is freed once with no call in flight.
    let object = unsafe { Box::from_raw(client) };
    no_panic((), || drop(object));
}
