//! The one error type of the crate, classified by [`ErrorKind`].

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A specialized `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The class of a failure, stable across every binding.
///
/// The numeric [`code`](ErrorKind::code) is the status that the C ABI returns.
/// The Go and Python bindings map it to their own error types, so codes are
/// never reused or renumbered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The key or the secret is absent or empty. The message names the variable.
    MissingCredentials,
    /// An argument is invalid: a negative or too long lifetime, control
    /// characters, invalid UTF-8 or a NULL pointer in a binding.
    InvalidArgument,
    /// The configuration is invalid: a bad base URL, `http://` to a host that
    /// is not loopback, an unreadable CA file, a zero timeout.
    InvalidConfig,
    /// The server rejected the request (400, 401, 403, 404, 415 and other 4xx).
    Rejected,
    /// The server returned 429; [`Error::retry_after`] carries its `Retry-After`.
    RateLimited,
    /// The server failed (5xx) or timed out the request (408).
    Server,
    /// A connect, attempt or overall deadline passed.
    Timeout,
    /// The connection failed: refused, reset, closed early or DNS.
    Network,
    /// The TLS handshake failed, usually because the certificate is not trusted.
    Tls,
    /// The response is unusable: not JSON, no `token`, too large, or a redirect.
    BadResponse,
    /// The caller cancelled the request.
    Cancelled,
    /// A bug: a caught panic or a broken invariant.
    Internal,
}

impl ErrorKind {
    /// Every kind, in code order.
    pub const ALL: [ErrorKind; 12] = [
        ErrorKind::MissingCredentials,
        ErrorKind::InvalidArgument,
        ErrorKind::InvalidConfig,
        ErrorKind::Rejected,
        ErrorKind::RateLimited,
        ErrorKind::Server,
        ErrorKind::Timeout,
        ErrorKind::Network,
        ErrorKind::Tls,
        ErrorKind::BadResponse,
        ErrorKind::Cancelled,
        ErrorKind::Internal,
    ];

    /// Returns the stable numeric code of this kind, from 1 to 12 (0 means success in C).
    pub fn code(self) -> u32 {
        match self {
            ErrorKind::MissingCredentials => 1,
            ErrorKind::InvalidArgument => 2,
            ErrorKind::InvalidConfig => 3,
            ErrorKind::Rejected => 4,
            ErrorKind::RateLimited => 5,
            ErrorKind::Server => 6,
            ErrorKind::Timeout => 7,
            ErrorKind::Network => 8,
            ErrorKind::Tls => 9,
            ErrorKind::BadResponse => 10,
            ErrorKind::Cancelled => 11,
            ErrorKind::Internal => 12,
        }
    }

    /// Returns the kind with the given [`code`](ErrorKind::code), if any.
    pub fn from_code(code: u32) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// Returns the snake_case name used in logs, JSON output and bindings.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::MissingCredentials => "missing_credentials",
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::InvalidConfig => "invalid_config",
            ErrorKind::Rejected => "rejected",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Server => "server",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Network => "network",
            ErrorKind::Tls => "tls",
            ErrorKind::BadResponse => "bad_response",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Internal => "internal",
        }
    }

    /// Reports whether a failure of this kind may succeed when tried again:
    /// rate limiting, server errors, timeouts and network failures.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::RateLimited | ErrorKind::Server | ErrorKind::Timeout | ErrorKind::Network
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failure of this crate: a [`kind`](Error::kind), a message, the HTTP
/// status when there is one, and the cause chain through
/// [`source`](StdError::source).
///
/// The message states what failed and what to do next. It never contains the
/// service-account secret or a token: messages are built from non-secret
/// values, and response bodies quoted in them are scrubbed of the secret.
///
/// `Error` is one pointer wide, `Send + Sync` and cheap to clone, so one
/// failure can be handed to every caller that waited on a shared request.
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    retry_after: Option<Duration>,
    attempts: u32,
    unset_credential: bool,
    source: Option<Arc<dyn StdError + Send + Sync>>,
}

impl Error {
    /// Creates an error of the given kind. The message must not contain secrets.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                status: None,
                retry_after: None,
                attempts: 0,
                unset_credential: false,
                source: None,
            }),
        }
    }

    pub(crate) fn with_status(mut self, status: u16) -> Error {
        self.inner.status = Some(status);
        self
    }

    pub(crate) fn with_retry_after(mut self, delay: Option<Duration>) -> Error {
        self.inner.retry_after = delay;
        self
    }

    pub(crate) fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Error {
        self.inner.source = Some(Arc::new(source));
        self
    }

    pub(crate) fn with_unset_credential(mut self) -> Error {
        self.inner.unset_credential = true;
        self
    }

    /// Records how many attempts were made and adds that to the message when
    /// there was more than one.
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Error {
        self.inner.attempts = attempts;
        if attempts > 1 {
            self.inner.message = format!("{} (gave up after {attempts} attempts)", self.inner.message);
        }
        self
    }

    /// Returns the class of this failure.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// Returns the message: what failed, on which value, and what to do next.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Returns the HTTP status of the response that caused this error, if any.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// Returns the delay the server asked for in `Retry-After`, if it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// Returns how many HTTP attempts were made before this error; 0 when the
    /// error came before any request was sent.
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Reports whether the same call may succeed later; see [`ErrorKind::is_retryable`].
    pub fn is_retryable(&self) -> bool {
        self.inner.kind.is_retryable()
    }

    /// Reports whether a deadline passed.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }

    /// Reports whether the server rejected the request.
    pub fn is_rejected(&self) -> bool {
        self.inner.kind == ErrorKind::Rejected
    }

    /// Reports whether a credential was neither passed nor set in the
    /// environment, as opposed to set but empty. The legacy Python API raises
    /// the first from the constructor and the second from the token call.
    pub fn is_unset_credential(&self) -> bool {
        self.inner.unset_credential
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        let mut debug = f.debug_struct("Error");
        debug.field("kind", &inner.kind);
        debug.field("message", &inner.message);
        if let Some(status) = inner.status {
            debug.field("status", &status);
        }
        if let Some(delay) = inner.retry_after {
            debug.field("retry_after", &delay);
        }
        if inner.attempts > 0 {
            debug.field("attempts", &inner.attempts);
        }
        if let Some(source) = &inner.source {
            debug.field("source", source);
        }
        debug.finish()
    }
}

/// Formats a duration for a message: whole milliseconds below a second,
/// else seconds with one decimal, such as `250 ms` or `29.9 s`.
pub(crate) fn format_duration(duration: Duration) -> String {
    if duration < Duration::from_secs(1) {
        return format!("{} ms", duration.as_millis());
    }
    format!("{:.1} s", duration.as_secs_f64())
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}
