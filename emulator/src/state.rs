//! State shared by the emulator handle and its connections: accounts, the token signer,
//! counters, recorded requests and queued faults.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::watch;

use crate::config::Account;
use crate::faults::{Fault, FaultQueue};
use crate::token::TokenSigner;

/// Number of most recent token requests kept by [`Emulator::requests`](crate::Emulator::requests).
pub const MAX_RECORDED_REQUESTS: usize = 1000;

/// Counters of token requests (`/token`) since start or the last reset. Admin requests
/// (`/_emulator/...`) are not counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Every token request whose body was received, whatever its method, outcome or fault.
    pub requests: u64,
    /// Tokens issued in 200 responses, including under a `delay` or `lifetime` fault.
    pub tokens_issued: u64,
    /// Requests rejected with 401 because of an unknown `id` or a wrong `secret`.
    pub rejections: u64,
    /// Requests that a queued fault applied to.
    pub faults_applied: u64,
    /// Number of responses per HTTP status code. Requests under a `stall` or
    /// `close_before_response` fault get no status and are missing here, while a
    /// `close_mid_response` fault counts as 200 because its status line is sent.
    pub by_status: BTreeMap<u16, u64>,
}

/// One token request as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// HTTP method, such as "POST".
    pub method: String,
    /// Request path without the query, such as "/token".
    pub path: String,
    /// Headers with lowercase names. Repeated headers are joined with ", ". With HTTP/2
    /// the `:authority` pseudo-header is recorded as `host`.
    pub headers: BTreeMap<String, String>,
    /// Raw body, including the secret, decoded as UTF-8 with invalid bytes replaced by
    /// U+FFFD. A body over the 64 KiB limit is cut at the limit.
    pub body: String,
    /// Whether the body names a known account `id` with its correct `secret`.
    pub secret_ok: bool,
}

/// Counters, recordings and faults, guarded together so that a reset is atomic.
#[derive(Default)]
pub(crate) struct Mutable {
    pub(crate) stats: Stats,
    pub(crate) requests: VecDeque<RecordedRequest>,
    pub(crate) faults: FaultQueue,
}

pub(crate) struct Shared {
    /// SHA-256 of each account's secret by key id. Comparing digests takes the same time
    /// whatever the secret's length.
    secrets: HashMap<String, [u8; 32]>,
    pub(crate) signer: TokenSigner,
    pub(crate) default_lifetime: Duration,
    mutable: Mutex<Mutable>,
    shutdown: watch::Receiver<bool>,
}

impl Shared {
    /// Builds the state for `accounts`. Fails when one key id is listed with two
    /// different secrets.
    pub(crate) fn new(
        accounts: &[Account],
        default_lifetime: Duration,
        shutdown: watch::Receiver<bool>,
    ) -> io::Result<Shared> {
        let mut secrets = HashMap::new();
        for account in accounts {
            let digest: [u8; 32] = Sha256::digest(account.secret.as_bytes()).into();
            if let Some(previous) = secrets.insert(account.key.clone(), digest) {
                if previous != digest {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!(
                            "account key '{}' is listed twice with different secrets",
                            account.key
                        ),
                    ));
                }
            }
        }
        Ok(Shared {
            secrets,
            signer: TokenSigner::generate()?,
            default_lifetime,
            mutable: Mutex::new(Mutable::default()),
            shutdown,
        })
    }

    /// Returns whether `id` is a known key id and `secret` is its secret. The secret is
    /// compared in constant time. An unknown id is compared against a fixed digest so it
    /// takes about as long as a known one.
    pub(crate) fn check_credentials(&self, id: &str, secret: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        match self.secrets.get(id) {
            Some(expected) => bool::from(expected.ct_eq(&digest)),
            None => {
                let unknown = [0u8; 32];
                let _ = unknown.ct_eq(&digest);
                false
            }
        }
    }

    /// Locks the mutable state. A poisoned lock is recovered, because the critical
    /// sections only increment counters and push or pop list entries, which leaves the
    /// state valid at every step.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Mutable> {
        self.mutable
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Counts and records a token request, then takes the fault that applies to it.
    pub(crate) fn begin_token_request(&self, request: RecordedRequest) -> Option<Fault> {
        let mut mutable = self.lock();
        mutable.stats.requests += 1;
        if mutable.requests.len() == MAX_RECORDED_REQUESTS {
            mutable.requests.pop_front();
        }
        mutable.requests.push_back(request);
        let fault = mutable.faults.pop();
        if fault.is_some() {
            mutable.stats.faults_applied += 1;
        }
        fault
    }

    /// Counts the status of a token response.
    pub(crate) fn count_status(&self, status: u16) {
        let mut mutable = self.lock();
        *mutable.stats.by_status.entry(status).or_insert(0) += 1;
    }

    /// Counts a request rejected for its credentials.
    pub(crate) fn count_rejection(&self) {
        self.lock().stats.rejections += 1;
    }

    /// Counts a token issued in a 200 response.
    pub(crate) fn count_token_issued(&self) {
        self.lock().stats.tokens_issued += 1;
    }

    /// Clears counters, recordings and queued faults.
    pub(crate) fn reset(&self) {
        *self.lock() = Mutable::default();
    }

    /// Waits until the emulator shuts down. Returns at once if it already has.
    pub(crate) async fn wait_for_shutdown(&self) {
        wait_for_shutdown(self.shutdown.clone()).await;
    }
}

/// Waits until `shutdown` turns true or its sender is dropped.
pub(crate) async fn wait_for_shutdown(mut shutdown: watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stopping| *stopping).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(accounts: &[Account]) -> Shared {
        let (_sender, receiver) = watch::channel(false);
        Shared::new(accounts, Duration::from_secs(60), receiver).unwrap()
    }

    #[test]
    fn check_credentials_matches_exact_secret() {
        let state = shared(&[Account::new("sa_1", "secret=")]);
        assert!(state.check_credentials("sa_1", "secret="));
        assert!(!state.check_credentials("sa_1", "secret"));
        assert!(!state.check_credentials("sa_2", "secret="));
    }

    #[test]
    fn new_rejects_conflicting_duplicate_keys() {
        let (_sender, receiver) = watch::channel(false);
        let same = [Account::new("a", "1"), Account::new("a", "1")];
        assert!(Shared::new(&same, Duration::from_secs(1), receiver.clone()).is_ok());

        let conflicting = [Account::new("a", "1"), Account::new("a", "2")];
        let error = Shared::new(&conflicting, Duration::from_secs(1), receiver)
            .err()
            .unwrap();
        assert!(error.to_string().contains("'a'"), "{error}");
    }

    #[test]
    fn recordings_keep_most_recent() {
        let state = shared(&[]);
        for index in 0..MAX_RECORDED_REQUESTS + 5 {
            state.begin_token_request(RecordedRequest {
                method: "POST".into(),
                path: "/token".into(),
                headers: BTreeMap::new(),
                body: index.to_string(),
                secret_ok: false,
            });
        }
        let mutable = state.lock();
        assert_eq!(mutable.requests.len(), MAX_RECORDED_REQUESTS);
        assert_eq!(mutable.requests.front().unwrap().body, "5");
        assert_eq!(mutable.stats.requests, (MAX_RECORDED_REQUESTS + 5) as u64);
    }
}
