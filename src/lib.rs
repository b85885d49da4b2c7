//! Mints short-lived Sethealth access tokens from a service account.
//!
//! The Sethealth browser SDK needs an access token, which a backend mints
//! by posting its service account's key and secret to
//! `https://api.set.health/token`. This crate implements that exchange once,
//! for Rust and for the C, Go and Python bindings built on it. Every step has
//! a timeout, and retryable failures are retried with backoff. A cache hands
//! out a token while at least half of its lifetime is left, and concurrent
//! callers for one token share one request. Errors are typed and never
//! contain the secret.
//!
//! ```no_run
//! use std::time::Duration;
//! use sethealth::{Client, TokenOptions};
//!
//! # async fn run() -> sethealth::Result<()> {
//! // Reads SETHEALTH_KEY and SETHEALTH_SECRET (and SETHEALTH_API_URL,
//! // SETHEALTH_CA_FILE when set).
//! let client = Client::from_env()?;
//!
//! let mut options = TokenOptions::default();
//! options.user_id = Some("patient-42".into());
//! options.expires_in = Some(Duration::from_secs(30 * 60));
//! let token = client.get_token(&options).await?;
//! println!("token for the browser: {}", token.as_str());
//! # Ok(())
//! # }
//! ```
//!
//! Callers without an async runtime use [`Client::get_token_blocking`],
//! which runs on a small process-wide runtime (see [`runtime`]).

#![deny(missing_docs)]
#![forbid(unsafe_op_in_unsafe_fn)]

mod cache;
mod client;
mod clock;
mod config;
mod credentials;
mod error;
mod options;
mod retry;
pub mod runtime;
mod token;
mod transport;

pub use client::Client;
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
    API_URL_ENV, CA_FILE_ENV, CachePolicy, ClientBuilder, Config, DEFAULT_API_URL, RetryPolicy, USER_AGENT,
};
pub use credentials::{Credentials, KEY_ENV, SECRET_ENV};
pub use error::{Error, ErrorKind, Result};
pub use options::{MAX_USER_ID_BYTES, TokenOptions};
pub use runtime::CancelToken;
pub use token::{ExpirySource, Token};
pub use transport::MAX_BODY_BYTES;

/// The version of this crate, such as `0.1.0`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
