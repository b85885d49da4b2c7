//! Client configuration: the builder, its defaults and their validation.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;

use crate::clock::{Clock, SystemClock};
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};

/// The environment variable that overrides the base URL.
pub const API_URL_ENV: &str = "SETHEALTH_API_URL";

/// The environment variable naming a PEM file of extra trusted CA certificates.
pub const CA_FILE_ENV: &str = "SETHEALTH_CA_FILE";

/// The base URL of the Sethealth API.
pub const DEFAULT_API_URL: &str = "https://api.set.health";

/// The maximum timeout, deadline or retry delay: one day. Longer values are
/// rejected, because adding them to the monotonic clock could overflow.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 60 * 60);

/// The user agent's product token, before any binding suffix.
pub const USER_AGENT: &str = concat!("sethealth-core/", env!("CARGO_PKG_VERSION"));

/// The retry rules for failed attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 disables retries. Default 3.
    pub max_attempts: u32,
    /// The backoff before the second attempt; it doubles per attempt. Default 200 ms.
    pub base_delay: Duration,
    /// The maximum backoff. Default 5 s. Each wait is drawn uniformly from
    /// zero to the capped value ("full jitter").
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

/// The cache rules, including when a cached token is too old to hand out.
///
/// A cached token is handed out only while the time it has left is at least
/// `min_remaining_fraction` of its lifetime and at least `min_remaining`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CachePolicy {
    /// Whether tokens are cached at all. Default true.
    pub enabled: bool,
    /// The maximum number of entries; the least recently used one is evicted. Default 1024.
    pub capacity: usize,
    /// The fraction of the lifetime that must remain, from 0.0 to 1.0. Default 0.5.
    pub min_remaining_fraction: f64,
    /// The absolute time that must remain. Default 30 s.
    pub min_remaining: Duration,
    /// The lifetime assumed when neither the token nor the request states one.
    /// Default 10 minutes.
    pub assumed_lifetime: Duration,
}

impl Default for CachePolicy {
    fn default() -> CachePolicy {
        CachePolicy {
            enabled: true,
            capacity: 1024,
            min_remaining_fraction: 0.5,
            min_remaining: Duration::from_secs(30),
            assumed_lifetime: Duration::from_secs(600),
        }
    }
}

/// The validated settings of a [`Client`](crate::Client).
#[derive(Clone)]
pub struct Config {
    pub(crate) api_url: Url,
    pub(crate) token_url: Url,
    pub(crate) extra_roots: Vec<reqwest::Certificate>,
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) connect_timeout: Duration,
    pub(crate) attempt_timeout: Duration,
    pub(crate) deadline: Duration,
    pub(crate) user_agent: String,
    pub(crate) retry: RetryPolicy,
    pub(crate) cache: CachePolicy,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Config {
    /// Returns the base URL, without a trailing slash.
    pub fn api_url(&self) -> &str {
        self.api_url.as_str().trim_end_matches('/')
    }

    /// Returns the full URL that tokens are requested from.
    pub fn token_url(&self) -> &str {
        self.token_url.as_str()
    }

    /// Returns the extra CA file, if one was configured.
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }

    /// Returns the TCP and TLS connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Returns the timeout of one HTTP attempt, body included.
    pub fn attempt_timeout(&self) -> Duration {
        self.attempt_timeout
    }

    /// Returns the overall deadline of one call, retries and waits included.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// Returns the `User-Agent` header sent.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// Returns the retry policy.
    pub fn retry(&self) -> RetryPolicy {
        self.retry
    }

    /// Returns the cache policy.
    pub fn cache(&self) -> CachePolicy {
        self.cache
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("api_url", &self.api_url())
            .field("ca_file", &self.ca_file)
            .field("extra_roots", &self.extra_roots.len())
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("deadline", &self.deadline)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("cache", &self.cache)
            .finish()
    }
}

/// Builds a [`Client`](crate::Client). Every setting has a default; the
/// environment fills in what is not set explicitly when [`build`](ClientBuilder::build)
/// runs, never earlier.
#[derive(Clone, Default)]
pub struct ClientBuilder {
    pub(crate) key: Option<String>,
    pub(crate) secret: Option<zeroize::Zeroizing<String>>,
    pub(crate) api_url: Option<String>,
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) ca_pem: Vec<Vec<u8>>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) user_agent_suffix: Option<String>,
    pub(crate) retry: RetryPolicy,
    pub(crate) cache: CachePolicy,
    pub(crate) clock: Option<Arc<dyn Clock>>,
}

impl ClientBuilder {
    /// Creates a builder with every setting at its default.
    pub fn new() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Sets the service account's key. Default: `SETHEALTH_KEY`.
    pub fn key(mut self, key: impl Into<String>) -> ClientBuilder {
        self.key = Some(key.into());
        self
    }

    /// Sets the service account's secret. Default: `SETHEALTH_SECRET`.
    pub fn secret(mut self, secret: impl Into<String>) -> ClientBuilder {
        self.secret = Some(zeroize::Zeroizing::new(secret.into()));
        self
    }

    /// Sets the base URL. Default: `SETHEALTH_API_URL`, else `https://api.set.health`.
    /// Tokens are requested from `<base URL>/token`.
    pub fn api_url(mut self, url: impl Into<String>) -> ClientBuilder {
        self.api_url = Some(url.into());
        self
    }

    /// Adds the CA certificates of a PEM file to the system's trusted roots.
    /// Default: `SETHEALTH_CA_FILE`, else none.
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> ClientBuilder {
        self.ca_file = Some(path.into());
        self
    }

    /// Adds the CA certificates of a PEM bundle to the trusted roots.
    pub fn add_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> ClientBuilder {
        self.ca_pem.push(pem.into());
        self
    }

    /// Sets the TCP and TLS connect timeout. Default 5 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sets the timeout of one HTTP attempt, from sending to the last byte of
    /// the body. Default 15 s.
    pub fn attempt_timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Sets the overall deadline of one call, covering every attempt and every
    /// wait between them. Default 30 s.
    pub fn deadline(mut self, deadline: Duration) -> ClientBuilder {
        self.deadline = Some(deadline);
        self
    }

    /// Appends a product token such as `python/3.11` to the `User-Agent`.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> ClientBuilder {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Sets the retry policy. Default: [`RetryPolicy::default`].
    pub fn retry(mut self, policy: RetryPolicy) -> ClientBuilder {
        self.retry = policy;
        self
    }

    /// Sets the cache policy. Default: [`CachePolicy::default`].
    pub fn cache(mut self, policy: CachePolicy) -> ClientBuilder {
        self.cache = policy;
        self
    }

    /// Sets the wall clock the cache reads. Default: the system clock.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> ClientBuilder {
        self.clock = Some(clock);
        self
    }

    /// Validates the settings, reads the environment for what is unset, and
    /// builds the client.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingCredentials`] or [`ErrorKind::InvalidArgument`] for
    /// the credentials; [`ErrorKind::InvalidConfig`] for a bad URL, an
    /// unreadable or empty CA file, a zero timeout or an out-of-range policy.
    pub fn build(self) -> Result<crate::Client> {
        let credentials =
            Credentials::resolve(self.key.as_deref(), self.secret.as_deref().map(String::as_str))?;
        let config = self.build_config()?;
        crate::Client::from_parts(credentials, config)
    }

    /// Validates every setting but the credentials and reads the environment
    /// for what is unset, without building a client. A binding that must
    /// accept empty credentials until the first call uses it to report a bad
    /// configuration at once.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`], as [`build`](ClientBuilder::build).
    pub fn build_config(self) -> Result<Config> {
        let api_url = match self.api_url {
            Some(url) => url,
            None => env_setting(API_URL_ENV)?.unwrap_or_else(|| DEFAULT_API_URL.to_owned()),
        };
        let api_url = parse_api_url(&api_url)?;
        let token_url = api_url
            .join("token")
            .map_err(|err| invalid_config(format!("cannot append /token to {api_url}: {err}")))?;

        let ca_file = match self.ca_file {
            Some(path) => Some(path),
            None => env_setting(CA_FILE_ENV)?.map(PathBuf::from),
        };
        let mut extra_roots = Vec::new();
        if let Some(path) = &ca_file {
            extra_roots.extend(read_ca_file(path)?);
        }
        for pem in &self.ca_pem {
            extra_roots.extend(parse_pem(pem, "the CA certificate passed to add_ca_pem")?);
        }

        let connect_timeout = positive("connect timeout", self.connect_timeout, Duration::from_secs(5))?;
        let attempt_timeout = positive("attempt timeout", self.attempt_timeout, Duration::from_secs(15))?;
        let deadline = positive("deadline", self.deadline, Duration::from_secs(30))?;

        Ok(Config {
            api_url,
            token_url,
            extra_roots,
            ca_file,
            connect_timeout,
            attempt_timeout,
            deadline,
            user_agent: user_agent(self.user_agent_suffix.as_deref())?,
            retry: check_retry(self.retry)?,
            cache: check_cache(self.cache)?,
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("key", &self.key)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("api_url", &self.api_url)
            .field("ca_file", &self.ca_file)
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("deadline", &self.deadline)
            .field("retry", &self.retry)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

fn invalid_config(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidConfig, message)
}

/// Reads an optional setting from the environment; empty counts as unset.
fn env_setting(variable: &str) -> Result<Option<String>> {
    match std::env::var(variable) {
        Ok(value) if value.trim().is_empty() => Ok(None),
        Ok(value) => Ok(Some(value.trim().to_owned())),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(invalid_config(format!(
            "{variable} is not valid UTF-8; fix or unset it"
        ))),
    }
}

/// Parses the base URL and applies the transport rules: `https`, or `http`
/// to a loopback host only, and no credentials, query or fragment.
pub(crate) fn parse_api_url(text: &str) -> Result<Url> {
    let mut url = Url::parse(text.trim()).map_err(|err| {
        invalid_config(format!(
            "the API URL {text:?} is invalid ({err}); use a URL such as {DEFAULT_API_URL}"
        ))
    })?;

    let host = url.host_str().unwrap_or_default().to_owned();
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => {
            return Err(invalid_config(format!(
                "the API URL {text:?} uses plain http:// to {host}, which would send the secret \
                 unencrypted; use https://, or a loopback host such as 127.0.0.1 for an emulator"
            )));
        }
        scheme => {
            return Err(invalid_config(format!(
                "the API URL {text:?} has the scheme {scheme:?}; use https://"
            )));
        }
    }
    if host.is_empty() {
        return Err(invalid_config(format!(
            "the API URL {text:?} has no host; use a URL such as {DEFAULT_API_URL}"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid_config(
            "the API URL contains a user name or password; remove them, the service account is sent in the body",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid_config(format!(
            "the API URL {text:?} has a query or fragment; pass only scheme, host, port and path prefix"
        )));
    }

    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Reports whether `host` is `localhost` or a loopback IP literal.
pub(crate) fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn read_ca_file(path: &Path) -> Result<Vec<reqwest::Certificate>> {
    let pem = std::fs::read(path).map_err(|err| {
        invalid_config(format!(
            "cannot read the CA file {}: {err}; fix the path in {CA_FILE_ENV} or the ca_file setting",
            path.display()
        ))
        .with_source(err)
    })?;
    parse_pem(&pem, &format!("the CA file {}", path.display()))
}

fn parse_pem(pem: &[u8], what: &str) -> Result<Vec<reqwest::Certificate>> {
    let certs = reqwest::Certificate::from_pem_bundle(pem)
        .map_err(|err| invalid_config(format!("{what} is not a valid PEM bundle: {err}")).with_source(err))?;
    if certs.is_empty() {
        return Err(invalid_config(format!(
            "{what} contains no PEM certificate; expected -----BEGIN CERTIFICATE----- blocks"
        )));
    }
    Ok(certs)
}

fn positive(name: &str, value: Option<Duration>, default: Duration) -> Result<Duration> {
    match value {
        Some(value) if value.is_zero() => Err(invalid_config(format!(
            "the {name} is zero; pass a positive duration (default {default:?})"
        ))),
        Some(value) if value > MAX_DURATION => Err(invalid_config(format!(
            "the {name} {value:?} is longer than the maximum of one day; pass a shorter duration \
             (default {default:?})"
        ))),
        Some(value) => Ok(value),
        None => Ok(default),
    }
}

fn user_agent(suffix: Option<&str>) -> Result<String> {
    let Some(suffix) = suffix.map(str::trim).filter(|suffix| !suffix.is_empty()) else {
        return Ok(USER_AGENT.to_owned());
    };
    if !suffix.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
        return Err(invalid_config(format!(
            "the user agent suffix {suffix:?} must be printable ASCII, such as \"python/3.11\""
        )));
    }
    Ok(format!("{USER_AGENT} {suffix}"))
}

fn check_retry(policy: RetryPolicy) -> Result<RetryPolicy> {
    if policy.max_attempts == 0 {
        return Err(invalid_config(
            "max_attempts is 0; pass at least 1 (1 disables retries, the default is 3)",
        ));
    }
    if policy.max_delay > MAX_DURATION {
        return Err(invalid_config(format!(
            "the maximum retry delay {:?} is longer than one day; pass a shorter delay (default 5s)",
            policy.max_delay
        )));
    }
    if policy.base_delay > policy.max_delay {
        return Err(invalid_config(format!(
            "the retry base delay {:?} is longer than the maximum delay {:?}; lower the base or raise the maximum",
            policy.base_delay, policy.max_delay
        )));
    }
    Ok(policy)
}

fn check_cache(policy: CachePolicy) -> Result<CachePolicy> {
    if !(0.0..=1.0).contains(&policy.min_remaining_fraction) {
        return Err(invalid_config(format!(
            "the minimum remaining fraction {} is outside 0.0 to 1.0; the default is 0.5",
            policy.min_remaining_fraction
        )));
    }
    if policy.enabled && policy.capacity == 0 {
        return Err(invalid_config(
            "the cache capacity is 0; pass at least 1 or disable the cache",
        ));
    }
    if policy.assumed_lifetime.is_zero() {
        return Err(invalid_config(
            "the assumed token lifetime is zero; pass a positive duration (default 10 minutes)",
        ));
    }
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for host in ["localhost", "LOCALHOST", "127.0.0.1", "127.8.9.1", "[::1]", "::1"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "example.com",
            "10.0.0.1",
            "169.254.169.254",
            "[::2]",
            "localhost.evil",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn api_url_rules() {
        let url = parse_api_url("https://api.set.health").unwrap();
        assert_eq!(
            url.join("token").unwrap().as_str(),
            "https://api.set.health/token"
        );

        let url = parse_api_url("http://127.0.0.1:8080/prefix").unwrap();
        assert_eq!(
            url.join("token").unwrap().as_str(),
            "http://127.0.0.1:8080/prefix/token"
        );

        for bad in [
            "http://api.set.health",
            "ftp://127.0.0.1",
            "not a url",
            "https://user:pw@api.set.health",
            "https://api.set.health/?a=b",
        ] {
            let err = parse_api_url(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{bad}");
        }
    }

    #[test]
    fn plain_http_message_names_host_and_fix() {
        let err = parse_api_url("http://api.set.health").unwrap_err();
        assert!(err.message().contains("api.set.health"), "{err}");
        assert!(err.message().contains("use https://"), "{err}");
    }

    #[test]
    fn user_agent_suffix_is_appended() {
        assert_eq!(user_agent(None).unwrap(), USER_AGENT);
        assert_eq!(
            user_agent(Some("go/1.26")).unwrap(),
            format!("{USER_AGENT} go/1.26")
        );
        assert!(user_agent(Some("bad\nsuffix")).is_err());
    }
}
