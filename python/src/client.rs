//! `NativeClient`: one core client behind `sethealth.Client`.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use pyo3::prelude::*;
use sethealth::{Client, Error, ErrorKind, ExpirySource, Token};
use zeroize::Zeroizing;

use crate::asyncio::{self, PendingCall};
use crate::blocking;
use crate::credentials::{self, ResolvedCredentials};
use crate::errors::to_py_err;
use crate::options::token_options;
use crate::settings::Settings;

/// A token as Python receives it: the value, when it was requested and when
/// it expires (seconds since the Unix epoch), and where the expiry comes from.
pub(crate) type TokenTuple = (String, f64, Option<f64>, &'static str);

/// A placeholder service account, used only to validate the configuration of
/// a client whose real credential is empty. Nothing is ever sent with it.
const PLACEHOLDER: &str = "placeholder";

/// The core client, or the error every token call raises when a credential
/// is empty (the legacy API constructs such a client and fails later).
enum State {
    Ready(Client),
    Unusable(Error),
}

/// The native half of `sethealth.Client`. Thread-safe: every method takes
/// `&self` and the core client is `Send + Sync`.
#[pyclass(frozen, module = "sethealth._native")]
pub(crate) struct NativeClient {
    key: String,
    secret: Zeroizing<String>,
    api_url: String,
    state: State,
}

#[pymethods]
impl NativeClient {
    /// Builds the client. The environment is read now, by the core.
    #[new]
    #[pyo3(signature = (
        key=None, secret=None, *, api_url=None, ca_file=None, timeout=None,
        connect_timeout=None, attempt_timeout=None, max_attempts=None, cache=true,
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
        max_attempts: Option<i64>,
        cache: bool,
    ) -> PyResult<NativeClient> {
        let version = py.version_info();
        let settings = Settings {
            api_url,
            ca_file,
            timeout,
            connect_timeout,
            attempt_timeout,
            max_attempts,
            cache,
            user_agent_suffix: format!("python/{}.{}", version.major, version.minor),
        };
        // NOTE: the GIL stays held while the core reads the environment, so
        // no other Python thread changes it at the same time.
        NativeClient::build(key, secret, &settings).map_err(|error| to_py_err(py, &error))
    }

    /// The service account's key, trimmed; empty when it was set empty.
    #[getter]
    fn key(&self) -> &str {
        &self.key
    }

    /// The service account's secret, trimmed. Never log or display it.
    #[getter]
    fn secret(&self) -> &str {
        &self.secret
    }

    /// The base URL that tokens are requested from.
    #[getter]
    fn api_url(&self) -> &str {
        &self.api_url
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
        format!("NativeClient(key={:?}, api_url={:?})", self.key, self.api_url)
    }
}

impl NativeClient {
    fn build(key: Option<&str>, secret: Option<&str>, settings: &Settings) -> Result<NativeClient, Error> {
        let ResolvedCredentials { key, secret } = credentials::resolve(key, secret)?;
        let builder = settings.apply(Client::builder())?;

        let built = builder.clone().key(key.as_str()).secret(secret.as_str()).build();
        let (api_url, state) = match built {
            Ok(client) => (client.config().api_url().to_owned(), State::Ready(client)),
            // Explicit credentials are missing only when one is empty.
            Err(error) if error.kind() == ErrorKind::MissingCredentials => {
                let probe = builder.key(PLACEHOLDER).secret(PLACEHOLDER).build()?;
                (probe.config().api_url().to_owned(), State::Unusable(error))
            }
            Err(error) => return Err(error),
        };
        Ok(NativeClient {
            key,
            secret,
            api_url,
            state,
        })
    }

    fn ready(&self, py: Python<'_>) -> PyResult<&Client> {
        match &self.state {
            State::Ready(client) => Ok(client),
            State::Unusable(error) => Err(to_py_err(py, error)),
        }
    }
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

    #[test]
    fn empty_secret_builds_an_unusable_client() {
        let settings = Settings {
            api_url: Some("https://127.0.0.1:9".into()),
            ca_file: None,
            timeout: None,
            connect_timeout: None,
            attempt_timeout: None,
            max_attempts: None,
            cache: true,
            user_agent_suffix: "python/3.11".into(),
        };
        let client = NativeClient::build(Some("sa_1"), Some(""), &settings).unwrap();
        assert_eq!(client.api_url, "https://127.0.0.1:9");
        let State::Unusable(error) = &client.state else {
            panic!("an empty secret must leave the client unusable");
        };
        assert_eq!(error.kind(), ErrorKind::MissingCredentials);
        assert!(error.message().contains("SETHEALTH_SECRET"), "{error}");
    }
}
