//! The two option structs: `sethealth_client_options` and
//! `sethealth_token_options`, and their conversion to the core's types.

use std::ffi::c_char;
use std::mem::offset_of;
use std::time::Duration;

use sethealth_core::{CachePolicy, ClientBuilder, Error, ErrorKind, Result, RetryPolicy, TokenOptions};

use crate::ffi::{Versioned, optional_str, read_versioned};

/// The settings of a new client, for `sethealth_client_new_with_options`.
///
/// Set `struct_size` to `sizeof(sethealth_client_options)` and zero the
/// rest, for example `sethealth_client_options options = { .struct_size =
/// sizeof options };` in C. In C++, where that form warns about the missing
/// members, write `sethealth_client_options options{};` and then set
/// `options.struct_size = sizeof options;`. Every member left NULL or 0 keeps its default, so a
/// program built against this header keeps working with a later library
/// that appends members. A program built against the first release of
/// this struct passes its smaller size, `offsetof(sethealth_client_options,
/// retry_base_delay_ms)`, and gets the defaults for the members it lacks.
///
/// The defaults of the retry and cache members are the core's
/// `RetryPolicy::default()` and `CachePolicy::default()`, stated here as of
/// this release. Invalid values make `sethealth_client_new_with_options`
/// return `SETHEALTH_INVALID_CONFIG` with a message naming the value.
///
/// Strings are borrowed for the duration of the call only and must be
/// NUL-terminated UTF-8.
#[derive(Clone, Copy)]
#[repr(C)]
pub struct sethealth_client_options {
    /// `sizeof(sethealth_client_options)`, as the caller was compiled.
    pub struct_size: u32,
    /// Attempts per call, the first included; 1 disables retries. 0 means the default, 3.
    pub max_attempts: u32,
    /// The service account's key. NULL means `SETHEALTH_KEY`.
    pub key: *const c_char,
    /// The service account's secret. NULL means `SETHEALTH_SECRET`.
    pub secret: *const c_char,
    /// The base URL; tokens are requested from `<api_url>/token`. NULL
    /// means `SETHEALTH_API_URL`, else `https://api.set.health`.
    pub api_url: *const c_char,
    /// A PEM file of CA certificates trusted besides the system's. NULL
    /// means `SETHEALTH_CA_FILE`, else none.
    pub ca_file: *const c_char,
    /// A product token appended to the `User-Agent`, such as `"myapp/2.1"`.
    /// NULL means none.
    pub user_agent_suffix: *const c_char,
    /// The TCP and TLS connect timeout in milliseconds. 0 means the default, 5000.
    pub connect_timeout_ms: u64,
    /// The timeout of one HTTP attempt in milliseconds. 0 means the default, 15000.
    pub attempt_timeout_ms: u64,
    /// The overall deadline of one call in milliseconds, retries included.
    /// 0 means the default, 30000.
    pub deadline_ms: u64,
    /// The maximum number of cached tokens. 0 means the default, 1024.
    pub cache_capacity: u32,
    /// Set to true to turn the token cache off. False (the default) keeps it on.
    pub disable_cache: bool,
    /// The backoff before the second attempt, in milliseconds. It doubles
    /// per attempt up to `retry_max_delay_ms`, and each wait is drawn at
    /// random between zero and that value. A `Retry-After` from the server
    /// replaces it. 0 means the default, 200.
    pub retry_base_delay_ms: u64,
    /// The maximum backoff in milliseconds. 0 means the default, 5000. It
    /// must not be below the base delay, default included.
    pub retry_max_delay_ms: u64,
    /// The share of its lifetime a cached token must have left to be handed
    /// out, from 0.0 to 1.0. 0.0 means the default, 0.5, so that a zeroed
    /// member keeps the default. A negative finite value means none: the
    /// token is handed out until only `cache_min_remaining_ms` is left.
    /// Values above 1.0, NaN and infinities are invalid.
    pub cache_min_remaining_fraction: f64,
    /// The time a cached token must have left to be handed out, in
    /// milliseconds. 0 means the default, 30000; a negative value means none.
    pub cache_min_remaining_ms: i64,
    /// The lifetime assumed for a token when neither its `exp` claim nor the
    /// request states one, in milliseconds. 0 means the default, 600000.
    pub cache_assumed_lifetime_ms: u64,
}

// SAFETY: `#[repr(C)]`, starts with the u32 `struct_size`, and all zeros is
// valid (NULL pointers, zero numbers, false).
unsafe impl Versioned for sethealth_client_options {
    const NAME: &'static str = "sethealth_client_options";
    const EARLIER_SIZES: &'static [usize] = &[offset_of!(sethealth_client_options, retry_base_delay_ms)];
}

/// The options of one token request, for `sethealth_client_get_token` and
/// `sethealth_client_invalidate`.
///
/// Set `struct_size` to `sizeof(sethealth_token_options)` and zero the rest,
/// for example `sethealth_token_options options = { .struct_size = sizeof
/// options };` in C, or value-initialization with `{}` and an assignment in
/// C++. All zeros requests a live token with the server's default
/// lifetime and no user id, as does passing NULL instead of the struct.
#[derive(Clone, Copy)]
#[repr(C)]
pub struct sethealth_token_options {
    /// `sizeof(sethealth_token_options)`, as the caller was compiled.
    pub struct_size: u32,
    /// Asks for a test-mode token.
    pub test_mode: bool,
    /// Skips the cache and replaces its entry with the new token.
    pub fresh: bool,
    /// The end user the token is minted for, NUL-terminated UTF-8 borrowed
    /// for the call. NULL or `""` sends no user id.
    pub user_id: *const c_char,
    /// The requested lifetime in milliseconds. 0 lets the server choose
    /// (some hours); a negative value is `SETHEALTH_INVALID_ARGUMENT`.
    pub expires_in_ms: i64,
}

// SAFETY: as for `sethealth_client_options`.
unsafe impl Versioned for sethealth_token_options {
    const NAME: &'static str = "sethealth_token_options";
    const EARLIER_SIZES: &'static [usize] = &[];
}

/// Builds a client builder from the C options; NULL gives the defaults.
///
/// # Safety
///
/// `options` is NULL or points to a `sethealth_client_options` of
/// `struct_size` bytes whose strings are NULL or NUL-terminated.
pub(crate) unsafe fn client_builder(options: *const sethealth_client_options) -> Result<ClientBuilder> {
    // SAFETY: forwarded from this function's contract.
    let Some(options) = (unsafe { read_versioned(options, "options") })? else {
        return Ok(ClientBuilder::new());
    };

    let mut builder = ClientBuilder::new();
    // SAFETY (each string): the strings are NULL or NUL-terminated, by contract.
    if let Some(key) = unsafe { optional_str(options.key, "options->key") }? {
        builder = builder.key(key);
    }
    if let Some(secret) = unsafe { optional_str(options.secret, "options->secret") }? {
        builder = builder.secret(secret);
    }
    if let Some(url) = unsafe { optional_str(options.api_url, "options->api_url") }? {
        builder = builder.api_url(url);
    }
    if let Some(path) = unsafe { optional_str(options.ca_file, "options->ca_file") }? {
        builder = builder.ca_file(path);
    }
    if let Some(suffix) = unsafe { optional_str(options.user_agent_suffix, "options->user_agent_suffix") }? {
        builder = builder.user_agent_suffix(suffix);
    }

    if options.connect_timeout_ms > 0 {
        builder = builder.connect_timeout(Duration::from_millis(options.connect_timeout_ms));
    }
    if options.attempt_timeout_ms > 0 {
        builder = builder.attempt_timeout(Duration::from_millis(options.attempt_timeout_ms));
    }
    if options.deadline_ms > 0 {
        builder = builder.deadline(Duration::from_millis(options.deadline_ms));
    }
    Ok(builder
        .retry(retry_policy(&options))
        .cache(cache_policy(&options)))
}

/// Returns the core's default retry policy with the members set in `options`.
fn retry_policy(options: &sethealth_client_options) -> RetryPolicy {
    let mut policy = RetryPolicy::default();
    if options.max_attempts > 0 {
        policy.max_attempts = options.max_attempts;
    }
    if options.retry_base_delay_ms > 0 {
        policy.base_delay = Duration::from_millis(options.retry_base_delay_ms);
    }
    if options.retry_max_delay_ms > 0 {
        policy.max_delay = Duration::from_millis(options.retry_max_delay_ms);
    }
    policy
}

/// Returns the core's default cache policy with the members set in
/// `options`. Values out of range are passed on for the core to reject.
fn cache_policy(options: &sethealth_client_options) -> CachePolicy {
    let mut policy = CachePolicy {
        enabled: !options.disable_cache,
        ..CachePolicy::default()
    };
    if options.cache_capacity > 0 {
        policy.capacity = options.cache_capacity as usize;
    }

    let fraction = options.cache_min_remaining_fraction;
    if fraction < 0.0 && fraction.is_finite() {
        policy.min_remaining_fraction = 0.0;
    } else if fraction != 0.0 {
        policy.min_remaining_fraction = fraction;
    }

    match options.cache_min_remaining_ms {
        0 => {}
        milliseconds if milliseconds < 0 => policy.min_remaining = Duration::ZERO,
        milliseconds => policy.min_remaining = Duration::from_millis(milliseconds.unsigned_abs()),
    }
    if options.cache_assumed_lifetime_ms > 0 {
        policy.assumed_lifetime = Duration::from_millis(options.cache_assumed_lifetime_ms);
    }
    policy
}

/// Converts the C token options; NULL gives the defaults.
///
/// # Errors
///
/// `InvalidArgument` for a bad `struct_size`, a user id that is not UTF-8,
/// or a negative lifetime. The core checks the rest when the call runs.
///
/// # Safety
///
/// `options` is NULL or points to a `sethealth_token_options` of
/// `struct_size` bytes whose `user_id` is NULL or NUL-terminated.
pub(crate) unsafe fn token_options(options: *const sethealth_token_options) -> Result<TokenOptions> {
    // SAFETY: forwarded from this function's contract.
    let Some(options) = (unsafe { read_versioned(options, "options") })? else {
        return Ok(TokenOptions::default());
    };

    let mut converted = TokenOptions::default();
    // SAFETY: `user_id` is NULL or NUL-terminated, by contract.
    converted.user_id = unsafe { optional_str(options.user_id, "options->user_id") }?.map(str::to_owned);
    converted.test_mode = options.test_mode;
    converted.fresh = options.fresh;
    converted.expires_in = match options.expires_in_ms {
        0 => None,
        milliseconds if milliseconds < 0 => {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "options->expires_in_ms is {milliseconds}; pass 0 for the server's default \
                     lifetime or a positive number of milliseconds"
                ),
            ));
        }
        milliseconds => Some(Duration::from_millis(milliseconds.unsigned_abs())),
    };
    Ok(converted)
}

#[cfg(test)]
mod tests {
    use std::mem::size_of;

    use super::*;

    fn token_defaults() -> sethealth_token_options {
        sethealth_token_options {
            struct_size: size_of::<sethealth_token_options>() as u32,
            test_mode: false,
            fresh: false,
            user_id: std::ptr::null(),
            expires_in_ms: 0,
        }
    }

    fn client_defaults() -> sethealth_client_options {
        // SAFETY: all zeros is a valid value, as `Versioned` requires.
        let mut options: sethealth_client_options = unsafe { std::mem::zeroed() };
        options.struct_size = size_of::<sethealth_client_options>() as u32;
        options.api_url = c"https://127.0.0.1:9".as_ptr();
        options
    }

    fn config(options: &sethealth_client_options) -> Result<sethealth_core::Config> {
        unsafe { client_builder(options) }?.build_config()
    }

    #[test]
    fn zeroed_client_options_keep_core_defaults() {
        let config = config(&client_defaults()).unwrap();
        assert_eq!(config.retry(), RetryPolicy::default());
        assert_eq!(config.cache(), CachePolicy::default());
    }

    #[test]
    fn retry_and_cache_members_convert() {
        let mut options = client_defaults();
        options.max_attempts = 5;
        options.retry_base_delay_ms = 50;
        options.retry_max_delay_ms = 700;
        options.cache_capacity = 9;
        options.cache_min_remaining_fraction = 0.25;
        options.cache_min_remaining_ms = 1500;
        options.cache_assumed_lifetime_ms = 120_000;

        let config = config(&options).unwrap();
        let retry = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_millis(700),
        };
        assert_eq!(config.retry(), retry);
        let cache = CachePolicy {
            enabled: true,
            capacity: 9,
            min_remaining_fraction: 0.25,
            min_remaining: Duration::from_millis(1500),
            assumed_lifetime: Duration::from_secs(120),
        };
        assert_eq!(config.cache(), cache);
    }

    #[test]
    fn negative_cache_margins_mean_none() {
        let mut options = client_defaults();
        options.cache_min_remaining_fraction = -1.0;
        options.cache_min_remaining_ms = -1;

        let cache = config(&options).unwrap().cache();
        assert_eq!(cache.min_remaining_fraction, 0.0);
        assert_eq!(cache.min_remaining, Duration::ZERO);
    }

    #[test]
    fn invalid_fraction_is_invalid_config() {
        for (fraction, shown) in [
            (1.5, "1.5"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            let mut options = client_defaults();
            options.cache_min_remaining_fraction = fraction;
            let error = config(&options).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidConfig, "{fraction}");
            assert!(error.message().contains(shown), "{error}");
        }
    }

    #[test]
    fn base_delay_above_max_is_invalid_config() {
        let mut options = client_defaults();
        options.retry_base_delay_ms = 2000;
        options.retry_max_delay_ms = 1000;
        let error = config(&options).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidConfig);
        assert!(error.message().contains("2s"), "{error}");
        assert!(error.message().contains("1s"), "{error}");

        // The base delay left at 0 is the core's default, 200 ms.
        options.retry_base_delay_ms = 0;
        options.retry_max_delay_ms = 100;
        let error = config(&options).unwrap_err();
        assert!(error.message().contains("200ms"), "{error}");
    }

    #[test]
    fn first_release_size_ignores_appended_members() {
        let mut options = client_defaults();
        options.struct_size = offset_of!(sethealth_client_options, retry_base_delay_ms) as u32;
        options.max_attempts = 2;
        // Invalid values past the declared size must not be read.
        options.retry_base_delay_ms = 9000;
        options.cache_min_remaining_fraction = 7.0;

        let config = config(&options).unwrap();
        assert_eq!(config.retry().max_attempts, 2);
        assert_eq!(config.retry().base_delay, RetryPolicy::default().base_delay);
        assert_eq!(config.cache(), CachePolicy::default());
    }

    #[test]
    fn token_options_convert() {
        let mut options = token_defaults();
        options.user_id = c"patient-42".as_ptr();
        options.expires_in_ms = 1500;
        options.test_mode = true;
        options.fresh = true;

        let converted = unsafe { token_options(&options) }.unwrap();
        assert_eq!(converted.user_id.as_deref(), Some("patient-42"));
        assert_eq!(converted.expires_in, Some(Duration::from_millis(1500)));
        assert!(converted.test_mode);
        assert!(converted.fresh);
    }

    #[test]
    fn null_token_options_are_defaults() {
        assert_eq!(
            unsafe { token_options(std::ptr::null()) }.unwrap(),
            TokenOptions::default()
        );
        assert_eq!(
            unsafe { token_options(&token_defaults()) }.unwrap(),
            TokenOptions::default()
        );
    }

    #[test]
    fn negative_lifetime_is_invalid_argument() {
        for milliseconds in [-1, i64::MIN] {
            let mut options = token_defaults();
            options.expires_in_ms = milliseconds;
            let error = unsafe { token_options(&options) }.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidArgument);
            assert!(error.message().contains("expires_in_ms"), "{error}");
            assert!(error.message().contains(&milliseconds.to_string()), "{error}");
        }
    }

    #[test]
    fn largest_lifetime_is_left_to_core() {
        let mut options = token_defaults();
        options.expires_in_ms = i64::MAX;
        let converted = unsafe { token_options(&options) }.unwrap();
        assert_eq!(
            converted.validate().unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }
}
