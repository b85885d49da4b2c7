//! A local stand-in for the Sethealth token endpoint, `POST https://api.set.health/token`.
//!
//! [`Emulator::start`] serves `POST /token` on loopback over HTTPS, with a certificate
//! signed by a CA generated at start ([`Emulator::ca_pem`]), or over plain HTTP. It
//! checks the request like the real service (method, `Content-Type`, JSON members,
//! credentials) and issues HS256 JWTs that [`Emulator::verify_token`] can check. Tests
//! can read counters and recorded requests and queue [`Fault`]s such as a 503, a stall
//! or a connection closed mid-response.
//!
//! ```no_run
//! # async fn example() -> std::io::Result<()> {
//! use sethealth_emulator::{Config, Emulator};
//!
//! let emulator = Emulator::start(Config::with_account("sa_test", "secret=")).await?;
//! let token_url = format!("{}/token", emulator.url());
//! let ca_pem = emulator.ca_pem().expect("TLS is on by default");
//! // ... point a client at `token_url`, trusting `ca_pem` ...
//! assert_eq!(emulator.stats().requests, 0);
//! emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! The same listener serves admin endpoints for tests in other processes:
//! `GET /_emulator/health`, `GET /_emulator/stats`, `GET /_emulator/requests` (bodies with
//! the secret redacted), `GET` and `POST /_emulator/faults` and `POST /_emulator/reset`.

#![deny(missing_docs)]

mod admin;
mod certs;
mod config;
mod faults;
mod responses;
mod routes;
mod server;
mod state;
mod token;
mod token_request;

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tracing::debug;

pub use admin::REDACTED;
pub use config::{Account, AccountError, Config, DEFAULT_TOKEN_LIFETIME};
pub use faults::{Fault, FaultRule, MIN_OVERSIZED_BYTES};
pub use routes::MAX_BODY_BYTES;
pub use state::{MAX_RECORDED_REQUESTS, RecordedRequest, Stats};
pub use token::{Claims, ISSUER};

use state::Shared;

/// A running emulator. Dropping it or calling [`Emulator::shutdown`] stops it.
///
/// The server runs as tasks on the Tokio runtime that called [`Emulator::start`], which
/// may be a current-thread runtime such as the default of `#[tokio::test]`. The runtime
/// must keep running for the emulator to respond.
pub struct Emulator {
    addr: SocketAddr,
    tls: bool,
    ca_pem: Option<String>,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Generates the CA and signing key, binds the listener and starts serving.
    ///
    /// The listener is bound when this returns, so requests to [`Emulator::url`] succeed
    /// at once. Fails when binding fails, when certificate generation fails, or with
    /// [`io::ErrorKind::InvalidInput`] when a key id is listed twice with different
    /// secrets. Must be called within a Tokio runtime.
    pub async fn start(config: Config) -> io::Result<Emulator> {
        let (shutdown, shutdown_receiver) = watch::channel(false);
        let shared = Arc::new(Shared::new(
            &config.accounts,
            config.default_lifetime,
            shutdown_receiver.clone(),
        )?);

        let (acceptor, ca_pem) = if config.tls {
            let material = certs::generate(config.bind)?;
            (
                Some(TlsAcceptor::from(material.server_config)),
                Some(material.ca_pem),
            )
        } else {
            (None, None)
        };

        let listener = TcpListener::bind(SocketAddr::new(config.bind, config.port)).await?;
        let addr = listener.local_addr()?;
        debug!(%addr, tls = config.tls, accounts = config.accounts.len(), "emulator listening");

        let server = tokio::spawn(server::run(listener, acceptor, shared.clone(), shutdown_receiver));
        Ok(Emulator {
            addr,
            tls: config.tls,
            ca_pem,
            shared,
            shutdown,
            server: Some(server),
        })
    }

    /// Returns the base URL without a trailing slash, such as `https://127.0.0.1:43121`.
    /// The token endpoint is this URL followed by `/token`.
    ///
    /// When bound to an unspecified address (0.0.0.0 or ::), the URL names the loopback
    /// address of the same family, which the certificate covers.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        let host = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!("{scheme}://{}", SocketAddr::new(host, self.addr.port()))
    }

    /// Returns the address the listener is bound to, with the actual port.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Returns the PEM of the CA certificate that signed the server certificate, or
    /// `None` when serving plain HTTP. Clients must trust it to connect.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Returns a snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.shared.lock().stats.clone()
    }

    /// Returns the most recent token requests (at most [`MAX_RECORDED_REQUESTS`]),
    /// oldest first, with their raw bodies including the secret.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.iter().cloned().collect()
    }

    /// Queues `fault` for the next `count` token requests, after any faults already
    /// queued. A count of 0 queues nothing. The fault is applied as given, without the
    /// range checks of [`Fault::validate`].
    pub fn inject(&self, fault: Fault, count: u32) {
        debug!(fault = %fault, count, "fault queued");
        self.shared.lock().faults.push(fault, count);
    }

    /// Clears counters, recorded requests and queued faults. Issued tokens stay valid.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Checks that `token` is a JWT this emulator issued, with a valid HS256 signature,
    /// and returns its claims.
    ///
    /// It does not check `exp`, so that tests can inspect expired tokens. Compare
    /// `claims.exp` with the current time to check expiry. The error describes what is
    /// wrong with the token.
    pub fn verify_token(&self, token: &str) -> Result<Claims, String> {
        self.shared.signer.verify(token)
    }

    /// Stops accepting connections and waits for the server to stop.
    ///
    /// In-flight requests get about one second to finish before their connections are
    /// closed. Stalled requests are closed at once. Fresh connections are refused once
    /// this returns.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for Emulator {
    /// Signals the server tasks to stop. They finish on the runtime shortly after.
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("url", &self.url())
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}
