//! One HTTP attempt: the exact request of the protocol, and the
//! classification of its outcome into a [`Token`] or an [`Error`].

use std::error::Error as StdError;
use std::time::{Duration, Instant, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, LOCATION, RETRY_AFTER};
use serde::Serialize;

use crate::config::{Config, is_loopback};
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::options::TokenOptions;
use crate::token::Token;

/// The largest response body read, in bytes; a larger one is a bad response.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The maximum number of characters of a failure body quoted in an error message.
const MAX_QUOTED_CHARS: usize = 200;

/// The JSON body of `POST /token`, members in the order the Go client sends them.
#[derive(Serialize)]
struct TokenRequestBody<'a> {
    id: &'a str,
    secret: &'a str,
    #[serde(rename = "test-mode")]
    test_mode: bool,
    #[serde(rename = "expires-in")]
    expires_in: i64,
    #[serde(rename = "user-id")]
    user_id: &'a str,
}

/// Builds the connection pool for one client and one process.
pub(crate) fn build_http_client(config: &Config) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .user_agent(config.user_agent.clone())
        .connect_timeout(config.connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_nodelay(true);

    if !config.extra_roots.is_empty() {
        builder = builder.tls_certs_merge(config.extra_roots.iter().cloned());
    }
    if config.token_url.host_str().is_some_and(is_loopback) {
        // A proxy from the environment must not intercept a loopback emulator.
        builder = builder.no_proxy();
    }

    builder.build().map_err(|err| {
        Error::new(
            ErrorKind::InvalidConfig,
            format!(
                "cannot set up the HTTPS client: {err}; check {} and the system's CA store",
                crate::config::CA_FILE_ENV
            ),
        )
        .with_source(err)
    })
}

/// Sends one token request and reads its response, without any timeout of
/// its own but the connect timeout; the caller bounds it.
pub(crate) async fn send_once(
    http: &reqwest::Client,
    config: &Config,
    credentials: &Credentials,
    options: &TokenOptions,
) -> Result<Token> {
    let body = serde_json::to_vec(&TokenRequestBody {
        id: credentials.key(),
        secret: credentials.secret(),
        test_mode: options.test_mode,
        expires_in: options.expires_in_nanos()?,
        user_id: options.user_id_or_empty(),
    })
    .map_err(|err| {
        Error::new(
            ErrorKind::Internal,
            format!("cannot encode the request body: {err}"),
        )
    })?;

    let issued_at = config.clock.now();
    let started = Instant::now();
    // NOTE: reqwest owns the body buffer, so its copy of the secret is freed
    // without being zeroized.
    let response = http
        .post(config.token_url.clone())
        .header(CONTENT_TYPE, "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
        .map_err(|err| classify_transport_error(err, config))?;

    let status = response.status();
    let headers = response.headers().clone();
    let body = read_capped_body(response, config).await;
    tracing::debug!(
        endpoint = %config.token_url,
        key = credentials.key(),
        status = status.as_u16(),
        duration_ms = started.elapsed().as_millis() as u64,
        "token request finished"
    );
    let body = body?;

    if status == StatusCode::OK {
        return parse_token(&body, issued_at, options);
    }
    Err(status_error(status, &headers, &body, config, credentials))
}

async fn read_capped_body(mut response: reqwest::Response, config: &Config) -> Result<Vec<u8>> {
    if response
        .content_length()
        .is_some_and(|len| len > MAX_BODY_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|err| classify_transport_error(err, config))?
    {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn too_large() -> Error {
    Error::new(
        ErrorKind::BadResponse,
        format!(
            "the token response is larger than {MAX_BODY_BYTES} bytes; \
             check that the API URL points at the Sethealth token service"
        ),
    )
}

fn parse_token(body: &[u8], issued_at: SystemTime, options: &TokenOptions) -> Result<Token> {
    let not_an_object = |detail: String| {
        Error::new(
            ErrorKind::BadResponse,
            format!(
                "the token response is not a JSON object ({detail}); \
                 check that the API URL points at the Sethealth token service"
            ),
        )
    };
    let parsed: serde_json::Value =
        serde_json::from_slice(body).map_err(|err| not_an_object(err.to_string()))?;
    let Some(members) = parsed.as_object() else {
        return Err(not_an_object(format!("found {}", json_type(&parsed))));
    };

    match members.get("token") {
        Some(serde_json::Value::String(token)) if is_printable_token(token) => {
            Ok(Token::new(token.clone(), issued_at, options.requested_lifetime()))
        }
        Some(_) => Err(Error::new(
            ErrorKind::BadResponse,
            "the token response has a \"token\" member that is empty, not a string, \
             or contains whitespace or control characters",
        )),
        None => Err(Error::new(
            ErrorKind::BadResponse,
            "the token response has no \"token\" member; \
             check that the API URL points at the Sethealth token service",
        )),
    }
}

/// Names the JSON type of a value for a message.
fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Reports whether a token can be handed to a browser as it is: non-empty,
/// without whitespace or control characters.
fn is_printable_token(token: &str) -> bool {
    !token.is_empty() && !token.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Returns `host:port` of the token URL, for messages.
pub(crate) fn authority(config: &Config) -> String {
    let url = &config.token_url;
    let host = url.host_str().unwrap_or("the server");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// Turns a response other than 200 into an error of the matching kind.
fn status_error(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    config: &Config,
    credentials: &Credentials,
) -> Error {
    let code = status.as_u16();
    let quoted = quote_body(body, credentials);
    let url = &config.token_url;

    let (kind, message) = match code {
        300..=399 => {
            let location = headers
                .get(LOCATION)
                .and_then(|value| value.to_str().ok())
                .map_or_else(|| "nowhere".to_owned(), |location| credentials.scrub(location));
            (
                ErrorKind::BadResponse,
                format!(
                    "the server answered {url} with a redirect ({code}) to {location}, which is not \
                     followed because it would send the secret elsewhere; set the API URL to the final address"
                ),
            )
        }
        401 | 403 => (
            ErrorKind::Rejected,
            format!(
                "the server rejected the credentials of service account {:?} (HTTP {code}){quoted}; \
                 check SETHEALTH_KEY and SETHEALTH_SECRET",
                credentials.key()
            ),
        ),
        404 => (
            ErrorKind::Rejected,
            format!(
                "no token endpoint at {url} (HTTP 404){quoted}; check the API URL, which is the base \
                 URL such as {} without /token",
                crate::config::DEFAULT_API_URL
            ),
        ),
        408 => (
            ErrorKind::Server,
            format!("the server timed out reading the request (HTTP 408){quoted}; try again later"),
        ),
        429 => (
            ErrorKind::RateLimited,
            format!(
                "the server is rate limiting token requests (HTTP 429){quoted}; slow down or try again later"
            ),
        ),
        400..=499 => (
            ErrorKind::Rejected,
            format!("the server rejected the token request (HTTP {code}){quoted}; check the options sent"),
        ),
        500..=599 => (
            ErrorKind::Server,
            format!("the token service failed (HTTP {code}){quoted}; try again later"),
        ),
        _ => (
            ErrorKind::BadResponse,
            format!("the server answered with the unexpected status {code}{quoted}"),
        ),
    };

    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| parse_retry_after(value, config.clock.now()));
    Error::new(kind, message)
        .with_status(code)
        .with_retry_after(retry_after)
}

/// Returns `: "<body>"` with the body shortened, control characters
/// replaced and the secret scrubbed, or nothing for an empty body.
fn quote_body(body: &[u8], credentials: &Credentials) -> String {
    let text = String::from_utf8_lossy(body);
    let text = credentials.scrub(text.trim());
    if text.is_empty() {
        return String::new();
    }
    let mut short: String = text
        .chars()
        .take(MAX_QUOTED_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > MAX_QUOTED_CHARS {
        short.push_str("...");
    }
    format!(": {short:?}")
}

/// Parses `Retry-After` as delay seconds or an HTTP date relative to `now`.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) {
        // A number too large for u64 still means "much later than any deadline".
        return Some(Duration::from_secs(value.parse::<u64>().unwrap_or(u64::MAX)));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Classifies a failure of reqwest before or while reading a response.
pub(crate) fn classify_transport_error(err: reqwest::Error, config: &Config) -> Error {
    let host = authority(config);
    let cause = root_cause(&err);

    if is_tls_error(&err) {
        return Error::new(
            ErrorKind::Tls,
            format!(
                "the TLS handshake with {host} failed ({cause}); if the server uses a private CA, \
                 pass its certificate with {} or the ca_file setting",
                crate::config::CA_FILE_ENV
            ),
        )
        .with_source(err);
    }
    if err.is_timeout() {
        return Error::new(
            ErrorKind::Timeout,
            format!(
                "connecting to {host} timed out after {}; check the network and the API URL, or raise the connect timeout",
                crate::error::format_duration(config.connect_timeout)
            ),
        )
        .with_source(err);
    }
    if err.is_connect() {
        return Error::new(
            ErrorKind::Network,
            format!("cannot connect to {host} ({cause}); check the API URL and the network"),
        )
        .with_source(err);
    }
    Error::new(
        ErrorKind::Network,
        format!("the connection to {host} failed ({cause}); try again"),
    )
    .with_source(err)
}

fn root_cause(err: &(dyn StdError + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// Reports whether a rustls error is anywhere in the chain. `io::Error`
/// hides a wrapped error from `source()`, so it is opened with `get_ref()`.
fn is_tls_error(err: &(dyn StdError + 'static)) -> bool {
    if err.is::<rustls::Error>() {
        return true;
    }
    if let Some(inner) = err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
        if is_tls_error(inner) {
            return true;
        }
    }
    err.source().is_some_and(is_tls_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn request_body_has_five_members_in_order() {
        let body = serde_json::to_string(&TokenRequestBody {
            id: "sa_1",
            secret: "s",
            test_mode: true,
            expires_in: 1_800_000_000_000,
            user_id: "u",
        })
        .unwrap();
        assert_eq!(
            body,
            r#"{"id":"sa_1","secret":"s","test-mode":true,"expires-in":1800000000000,"user-id":"u"}"#
        );
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(120));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(120)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(5));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn quoted_body_is_scrubbed_and_capped() {
        let credentials = Credentials::new("sa_1", "hunter2=").unwrap();
        let quoted = quote_body(b"bad secret hunter2= given\n", &credentials);
        assert!(!quoted.contains("hunter2"), "{quoted}");
        assert!(quoted.contains("<redacted>"), "{quoted}");

        let long = vec![b'x'; 1000];
        let quoted = quote_body(&long, &credentials);
        assert!(quoted.len() < 220, "{}", quoted.len());
        assert!(quoted.ends_with("...\""), "{quoted}");
        assert_eq!(quote_body(b"  ", &credentials), "");
    }
}
