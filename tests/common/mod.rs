//! Helpers shared by the integration tests: an in-process emulator over
//! HTTPS and clients configured to trust it.

#![allow(dead_code)]

use std::time::Duration;

use sethealth::{CachePolicy, Client, ClientBuilder, RetryPolicy};
use sethealth_emulator::{Config, Emulator};

/// The service account that every test emulator accepts.
pub const KEY: &str = "sa_test_0000000000001";

/// A distinctive secret; tests assert that it appears in no output.
pub const SECRET: &str = "r_SECRET_never_printed_7f3a9c=";

/// Starts an emulator over HTTPS that accepts [`KEY`] and [`SECRET`].
pub async fn emulator() -> Emulator {
    Emulator::start(Config::with_account(KEY, SECRET))
        .await
        .expect("start the emulator")
}

/// Returns a builder for a client of [`KEY`] that trusts `emulator`'s CA,
/// with fast retries so failure tests stay short.
pub fn builder(emulator: &Emulator) -> ClientBuilder {
    Client::builder()
        .key(KEY)
        .secret(SECRET)
        .api_url(emulator.url())
        .add_ca_pem(
            emulator
                .ca_pem()
                .expect("a TLS emulator has a CA")
                .as_bytes()
                .to_vec(),
        )
        .retry(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
        })
}

/// Returns a client like [`builder`] with the cache disabled, so that every
/// call reaches the emulator.
pub fn uncached_client(emulator: &Emulator) -> Client {
    builder(emulator)
        .cache(CachePolicy {
            enabled: false,
            ..CachePolicy::default()
        })
        .build()
        .expect("build the client")
}

/// Asserts that `text` does not contain the secret.
pub fn assert_no_secret(text: &str) {
    assert!(!text.contains(SECRET), "the secret leaked into: {text}");
    assert!(
        !text.contains("SECRET_never_printed"),
        "part of the secret leaked into: {text}"
    );
}
