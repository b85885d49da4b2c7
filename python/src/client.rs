//! `NativeClient`: one core client behind `sethealth.Client`.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use pyo3::prelude::*;
use pyo3::types::PyInt;
use sethealth::{Client, Config, Credentials, Error, ErrorKind, ExpirySource, Token};

use crate::asyncio::{self, PendingCall};
use crate::blocking;
use crate::errors::to_py_err;
use crate::options::token_options;
use crate::settings::{Settings, cache_capacity_out_of_range, max_attempts_out_of_range};

/// A token as Python receives it: the value, when it was requested and when
/// it expires (seconds since the Unix epoch), and where the expiry comes from.
pub(crate) type TokenTuple = (String, f64, Option<f64>, &'static str);

/// The core client, or, when a credential is empty, what the legacy API
/// exposes of a client that was constructed but whose token calls all fail.
enum State {
    Ready(Client),
    Unusable(Box<Unusable>),
}

struct Unusable {
    /// The trimmed credentials, one of them empty.
    credentials: Credentials,
    config: Config,
    /// The error every token call raises, naming the empty variable.
    error: Error,
}

/// The native half of `sethealth.Client`. Thread-safe: every method takes
/// `&self` and the core client is `Send + Sync`.
#[pyclass(frozen, module = "sethealth._native")]
pub(crate) struct NativeClient {
    state: State,
}

#[pymethods]
impl NativeClient {
    /// Builds the client. The environment is read now, by the core.
    #[new]
    #[pyo3(signature = (
        key=None, secret=None, *, api_url=None, ca_file=None, timeout=None,
        connect_timeout=None, attempt_timeout=None, max_attempts=None,
        retry_base_delay=None, retry_max_delay=None, cache=None, cache_capacity=None,
        cache_min_remaining_fraction=None, cache_min_remaining=None, cache_assumed_lifetime=None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        key: Option<&str>,
        secret: Option<&str>,
        api_url: Option<String>,
        ca_file: Option<PathBuf>,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        attempt_timeout: Option<f64>,
        max_attempts: Option<Bound<'_, PyInt>>,
        retry_base_delay: Option<f64>,
        retry_max_delay: Option<f64>,
        cache: Option<bool>,
        cache_capacity: Option<Bound<'_, PyInt>>,
        cache_min_remaining_fraction: Option<f64>,
        cache_min_remaining: Option<f64>,
        cache_assumed_lifetime: Option<f64>,
    ) -> PyResult<NativeClient> {
        let version = py.version_info();
        let settings = Settings {
            api_url,
            ca_file,
            timeout,
            connect_timeout,
            attempt_timeout,
            max_attempts: convert(py, integer(max_attempts.as_ref(), max_attempts_out_of_range))?,
            retry_base_delay,
            retry_max_delay,
            cache,
            cache_capacity: convert(py, integer(cache_capacity.as_ref(), cache_capacity_out_of_range))?,
            cache_min_remaining_fraction,
            cache_min_remaining,
            cache_assumed_lifetime,
            user_agent_suffix: format!("python/{}.{}", version.major, version.minor),
        };
        // NOTE: the GIL stays held while the core reads the environment, so
        // no other Python thread changes it at the same time.
        NativeClient::build(key, secret, &settings).map_err(|error| to_py_err(py, &error))
    }

    /// The service account's key, trimmed; empty when it was set empty.
    #[getter]
    fn key(&self) -> &str {
        match &self.state {
            State::Ready(client) => client.credentials().key(),
            State::Unusable(unusable) => unusable.credentials.key(),
        }
    }

    /// The service account's secret, trimmed. Never log or display it.
    #[getter]
    fn secret(&self) -> &str {
        match &self.state {
            State::Ready(client) => client.credentials().secret(),
            State::Unusable(unusable) => unusable.credentials.secret(),
        }
    }

    /// The base URL that tokens are requested from.
    #[getter]
    fn api_url(&self) -> &str {
        match &self.state {
            State::Ready(client) => client.config().api_url(),
            State::Unusable(unusable) => unusable.config.api_url(),
        }
    }

    /// Requests a token, blocking with the GIL released.
    #[pyo3(signature = (*, user_id=None, expires_in=None, test_mode=false, fresh=false))]
    fn get_token(
        &self,
        py: Python<'_>,
        user_id: Option<String>,
        expires_in: Option<f64>,
        test_mode: bool,
        fresh: bool,
    ) -> PyResult<TokenTuple> {
        let client = self.ready(py)?;
        let options = convert(py, token_options(user_id, expires_in, test_mode, fresh))?;
        let token = blocking::get_token(py, client, options)?;
        Ok(token_tuple(&token))
    }

    /// Starts a token request and returns at once; the event loop later runs
    /// `callback(token_tuple, None)` or `callback(None, exception)`.
    #[pyo3(signature = (event_loop, callback, *, user_id=None, expires_in=None, test_mode=false, fresh=false))]
    #[allow(clippy::too_many_arguments)]
    fn start_get_token(
        &self,
        py: Python<'_>,
        event_loop: Py<PyAny>,
        callback: Py<PyAny>,
        user_id: Option<String>,
        expires_in: Option<f64>,
        test_mode: bool,
        fresh: bool,
    ) -> PyResult<PendingCall> {
        let client = self.ready(py)?;
        let options = convert(py, token_options(user_id, expires_in, test_mode, fresh))?;
        asyncio::start(py, client, options, event_loop, callback)
    }

    /// Drops the cached token for these options.
    #[pyo3(signature = (*, user_id=None, expires_in=None, test_mode=false))]
    fn invalidate(
        &self,
        py: Python<'_>,
        user_id: Option<String>,
        expires_in: Option<f64>,
        test_mode: bool,
    ) -> PyResult<()> {
        let options = convert(py, token_options(user_id, expires_in, test_mode, false))?;
        if let State::Ready(client) = &self.state {
            client.invalidate(&options);
        }
        Ok(())
    }

    /// Drops every cached token of this client.
    fn clear_cache(&self) {
        if let State::Ready(client) = &self.state {
            client.clear_cache();
        }
    }

    /// Returns how many tokens this client has cached.
    fn cached_tokens(&self) -> usize {
        match &self.state {
            State::Ready(client) => client.cached_tokens(),
            State::Unusable(_) => 0,
        }
    }

    fn __repr__(&self) -> String {
        format!("NativeClient(key={:?}, api_url={:?})", self.key(), self.api_url())
    }
}

impl NativeClient {
    /// Builds the core client. A credential that is neither passed nor set
    /// fails at once, as in sethealth 1.8.0. When one is set but empty, only
    /// the configuration is validated, and the client keeps the error for
    /// its token calls.
    fn build(key: Option<&str>, secret: Option<&str>, settings: &Settings) -> Result<NativeClient, Error> {
        let builder = settings.apply(Client::builder())?;
        let credentials = Credentials::lookup(key, secret)?;
        let state = match credentials.validate() {
            Ok(()) => State::Ready(
                builder
                    .key(credentials.key())
                    .secret(credentials.secret())
                    .build()?,
            ),
            Err(error) if error.kind() == ErrorKind::MissingCredentials => {
                State::Unusable(Box::new(Unusable {
                    credentials,
                    config: builder.build_config()?,
                    error,
                }))
            }
            Err(error) => return Err(error),
        };
        Ok(NativeClient { state })
    }

    fn ready(&self, py: Python<'_>) -> PyResult<&Client> {
        match &self.state {
            State::Ready(client) => Ok(client),
            State::Unusable(unusable) => Err(to_py_err(py, &unusable.error)),
        }
    }
}

/// Converts an integer keyword to `i64`, or to `out_of_range(value)` when
/// it does not fit, so that the error names the value as given.
fn integer(
    value: Option<&Bound<'_, PyInt>>,
    out_of_range: fn(String) -> Error,
) -> Result<Option<i64>, Error> {
    let Some(value) = value else {
        return Ok(None);
    };
    value
        .extract::<i64>()
        .map(Some)
        .map_err(|_| out_of_range(value.to_string()))
}

fn convert<T>(py: Python<'_>, result: Result<T, Error>) -> PyResult<T> {
    result.map_err(|error| to_py_err(py, &error))
}

/// Converts a token into the tuple that `sethealth.Token` is built from.
pub(crate) fn token_tuple(token: &Token) -> TokenTuple {
    let source = match token.expiry_source() {
        ExpirySource::Claim => "claim",
        ExpirySource::Requested => "requested",
        _ => "assumed",
    };
    (
        token.as_str().to_owned(),
        unix_seconds(token.issued_at()),
        token.expires_at().map(unix_seconds),
        source,
    )
}

fn unix_seconds(time: SystemTime) -> f64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_secs_f64(),
        Err(before) => -before.duration().as_secs_f64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emulator_settings() -> Settings {
        Settings {
            api_url: Some("https://127.0.0.1:9".into()),
            user_agent_suffix: "python/3.11".into(),
            ..Settings::default()
        }
    }

    #[test]
    fn empty_secret_builds_an_unusable_client() {
        let client = NativeClient::build(Some(" sa_1 "), Some(""), &emulator_settings()).unwrap();

        assert_eq!(client.api_url(), "https://127.0.0.1:9");
        assert_eq!(client.key(), "sa_1");
        let State::Unusable(unusable) = &client.state else {
            panic!("an empty secret must leave the client unusable");
        };
        assert_eq!(unusable.error.kind(), sethealth::ErrorKind::MissingCredentials);
        assert!(
            unusable.error.message().contains("SETHEALTH_SECRET"),
            "{}",
            unusable.error
        );
    }

    #[test]
    fn empty_credential_still_validates_the_configuration() {
        let settings = Settings {
            timeout: Some(0.0),
            ..emulator_settings()
        };

        let Err(error) = NativeClient::build(Some("sa_1"), Some(""), &settings) else {
            panic!("a zero timeout must be rejected even with an empty secret");
        };
        assert_eq!(error.kind(), sethealth::ErrorKind::InvalidConfig);
    }

    #[test]
    fn ready_client_exposes_trimmed_credentials() {
        let client = NativeClient::build(Some(" sa_1 "), Some("s3cret\n"), &emulator_settings()).unwrap();

        assert!(matches!(client.state, State::Ready(_)));
        assert_eq!(client.key(), "sa_1");
        assert_eq!(client.secret(), "s3cret");
    }
}
