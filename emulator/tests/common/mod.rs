//! Helpers shared by the integration tests: an emulator with one account and reqwest
//! clients that trust its CA.

#![allow(dead_code)]

use std::time::Duration;

use reqwest::{Certificate, Client, ClientBuilder, Response};
use sethealth_emulator::{Config, Emulator};

pub const KEY: &str = "sa_0000000000000";
pub const SECRET: &str = "r_xxxxxxxxxxxxxxxxxxxxxxxx=";

/// Client timeout, generous so that a slow or busy machine does not fail the tests.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// Starts a TLS emulator on 127.0.0.1 that accepts [`KEY`] and [`SECRET`].
pub async fn start() -> Emulator {
    start_with(Config::with_account(KEY, SECRET)).await
}

pub async fn start_with(config: Config) -> Emulator {
    Emulator::start(config).await.expect("emulator starts")
}

/// Returns a client builder that trusts only the emulator's CA and ignores proxy
/// settings from the environment.
pub fn client_builder(emulator: &Emulator) -> ClientBuilder {
    let mut builder = Client::builder().no_proxy().timeout(CLIENT_TIMEOUT);
    if let Some(ca_pem) = emulator.ca_pem() {
        let ca = Certificate::from_pem(ca_pem.as_bytes()).expect("CA PEM parses");
        builder = builder.tls_certs_only([ca]);
    }
    builder
}

/// Returns a client that negotiates HTTP/2 or HTTP/1.1 through ALPN.
pub fn client(emulator: &Emulator) -> Client {
    client_builder(emulator).build().expect("client builds")
}

/// Returns a client restricted to HTTP/1.1.
pub fn http1_client(emulator: &Emulator) -> Client {
    client_builder(emulator)
        .http1_only()
        .build()
        .expect("client builds")
}

/// Returns the body the Go and .NET clients send, with every member present.
pub fn full_body(test_mode: bool, expires_in_nanos: u64, user_id: &str) -> String {
    serde_json::json!({
        "id": KEY,
        "secret": SECRET,
        "test-mode": test_mode,
        "expires-in": expires_in_nanos,
        "user-id": user_id,
    })
    .to_string()
}

/// Returns the body the Python client sends: only `id` and `secret`.
pub fn minimal_body() -> String {
    serde_json::json!({ "id": KEY, "secret": SECRET }).to_string()
}

/// Sends `body` to `POST /token` with `Content-Type: application/json; charset=utf-8`.
pub async fn post_token(client: &Client, emulator: &Emulator, body: &str) -> Response {
    client
        .post(format!("{}/token", emulator.url()))
        .header("content-type", "application/json; charset=utf-8")
        .body(body.to_string())
        .send()
        .await
        .expect("token request gets a response")
}

/// Reads a response body as JSON.
pub async fn json_body(response: Response) -> serde_json::Value {
    let text = response.text().await.expect("body is readable");
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("body {text:?} is not JSON: {error}"))
}

/// Returns the `token` member of a successful token response.
pub async fn token_from(response: Response) -> String {
    assert_eq!(response.status(), 200);
    let body = json_body(response).await;
    body["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no string token in {body}"))
        .to_string()
}
