//! The client: credentials, configuration, a connection pool and a cache.

use std::fmt;
use std::sync::{Arc, Mutex};

use futures_util::FutureExt;
use tokio::task::AbortHandle;

use crate::cache::{CacheKey, Lookup, TokenCache};
use crate::config::{ClientBuilder, Config};
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::options::TokenOptions;
use crate::retry::fetch_with_retries;
use crate::runtime::{self, CancelToken};
use crate::token::Token;
use crate::transport::build_http_client;

/// Mints access tokens for one service account.
///
/// A `Client` owns one HTTPS connection pool, so repeated calls reuse a
/// connection instead of paying a new TCP and TLS handshake, and one token
/// cache. Cloning is cheap and clones share both. It is `Send + Sync`: share
/// one client between threads and tasks rather than building one per call.
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> sethealth::Result<()> {
/// let client = sethealth::Client::from_env()?;
/// let token = client.get_token(&sethealth::TokenOptions::default()).await?;
/// println!("{}", token.as_str());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    credentials: Credentials,
    config: Config,
    /// The pool and the process id it belongs to; see the fork note in `runtime`.
    http: Mutex<(u32, reqwest::Client)>,
    cache: Option<TokenCache>,
}

impl Client {
    /// Returns a builder for a client with non-default settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Builds a client from `SETHEALTH_KEY`, `SETHEALTH_SECRET` and the
    /// other `SETHEALTH_*` variables, read now.
    ///
    /// # Errors
    ///
    /// As [`ClientBuilder::build`].
    pub fn from_env() -> Result<Client> {
        ClientBuilder::new().build()
    }

    /// Builds a client for the given service account, with the other
    /// settings from the environment or their defaults.
    ///
    /// # Errors
    ///
    /// As [`ClientBuilder::build`].
    pub fn new(key: &str, secret: &str) -> Result<Client> {
        ClientBuilder::new().key(key).secret(secret).build()
    }

    pub(crate) fn from_parts(credentials: Credentials, config: Config) -> Result<Client> {
        let http = build_http_client(&config)?;
        let cache = config.cache.enabled.then(|| TokenCache::new(config.cache));
        Ok(Client {
            inner: Arc::new(ClientInner {
                credentials,
                config,
                http: Mutex::new((std::process::id(), http)),
                cache,
            }),
        })
    }

    /// Returns the service account's key (its id).
    pub fn key(&self) -> &str {
        self.inner.credentials.key()
    }

    /// Returns the service account's credentials. Never log the secret.
    pub fn credentials(&self) -> &Credentials {
        &self.inner.credentials
    }

    /// Returns the validated configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Returns an access token: a cached one that has enough of its lifetime
    /// left, else a new one. Concurrent calls with equal options share one
    /// request to the service.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidArgument`] for bad options, before anything is
    /// sent; otherwise the error of the last attempt (see [`ErrorKind`]).
    ///
    /// # Cancellation
    ///
    /// Dropping the future stops this caller's wait. A request shared with
    /// other callers goes on for them, and is aborted when the last of them
    /// stops waiting.
    pub async fn get_token(&self, options: &TokenOptions) -> Result<Token> {
        options.validate()?;
        let Some(cache) = &self.inner.cache else {
            return self.inner.fetch(options).await;
        };

        let key = self.inner.cache_key(options)?;
        let now = self.inner.config.clock.now();
        let lookup = cache.get_or_join(&key, now, options.fresh, |id| {
            self.start_flight(key.clone(), id, options)
        });
        match lookup {
            Lookup::Hit(token) => Ok(token),
            Lookup::Wait { fetch, flight } => {
                let _waiter = Waiter {
                    cache,
                    key: &key,
                    flight,
                };
                fetch.await
            }
        }
    }

    /// Blocks the calling thread on [`get_token`](Client::get_token), running
    /// it on the process-wide runtime. For callers without an async runtime.
    ///
    /// # Errors
    ///
    /// As [`get_token`](Client::get_token); [`ErrorKind::Cancelled`] as soon
    /// as `cancel` fires; [`ErrorKind::InvalidArgument`] when called from
    /// inside a tokio runtime.
    pub fn get_token_blocking(&self, options: &TokenOptions, cancel: Option<&CancelToken>) -> Result<Token> {
        runtime::ensure_blocking_allowed()?;
        if cancel.is_some_and(CancelToken::is_cancelled) {
            return Err(runtime::cancelled());
        }
        // A cache hit needs no runtime: entering one costs more than the lookup.
        if let Some(token) = self.cached_token(options) {
            return Ok(token);
        }
        runtime::block_on(self.get_token(options), cancel)
    }

    /// Returns the cached token for these options if it still has enough of
    /// its lifetime left, without sending anything or waiting. Returns `None`
    /// when the cache is off, the options ask for a fresh token or are
    /// invalid, or there is no usable entry. Bindings call it before handing
    /// a call to a runtime, because a hit then costs a map lookup only.
    pub fn cached_token(&self, options: &TokenOptions) -> Option<Token> {
        let cache = self.inner.cache.as_ref()?;
        if options.fresh || options.validate().is_err() {
            return None;
        }
        let key = self.inner.cache_key(options).ok()?;
        cache.lookup(&key, self.inner.config.clock.now())
    }

    /// Drops the cached token for these options, such as one the browser
    /// reported as rejected. The next call mints a new one.
    pub fn invalidate(&self, options: &TokenOptions) {
        if let (Some(cache), Ok(key)) = (&self.inner.cache, self.inner.cache_key(options)) {
            cache.invalidate(&key);
        }
    }

    /// Drops every cached token of this client.
    pub fn clear_cache(&self) {
        if let Some(cache) = &self.inner.cache {
            cache.clear();
        }
    }

    /// Returns how many tokens this client has cached.
    pub fn cached_tokens(&self) -> usize {
        self.inner.cache.as_ref().map_or(0, TokenCache::len)
    }

    /// Starts the shared request for a cache key as a task, so that it goes
    /// on for the other callers when the one that started it gives up.
    fn start_flight(
        &self,
        key: CacheKey,
        id: u64,
        options: &TokenOptions,
    ) -> (crate::cache::SharedFetch, Option<AbortHandle>) {
        let inner = Arc::clone(&self.inner);
        let options = options.clone();
        let task = async move {
            let result = inner.fetch(&options).await;
            if let Some(cache) = &inner.cache {
                cache.complete(&key, id, &result, inner.config.clock.now());
            }
            result
        };

        let spawned = match tokio::runtime::Handle::try_current().or_else(|_| runtime::handle()) {
            Ok(handle) => handle.spawn(task),
            Err(error) => return (futures_util::future::ready(Err(error)).boxed().shared(), None),
        };
        let abort = spawned.abort_handle();
        let fetch = async move {
            spawned.await.unwrap_or_else(|join_error| {
                if join_error.is_cancelled() {
                    return Err(runtime::cancelled());
                }
                Err(Error::new(
                    ErrorKind::Internal,
                    "the token request task panicked; this is a bug in sethealth-core",
                ))
            })
        };
        (fetch.boxed().shared(), Some(abort))
    }
}

/// One caller waiting on a shared request. Dropping it, when the request
/// finishes or the caller gives up, removes the caller from the cache's count.
struct Waiter<'a> {
    cache: &'a TokenCache,
    key: &'a CacheKey,
    flight: u64,
}

impl Drop for Waiter<'_> {
    fn drop(&mut self) {
        self.cache.leave(self.key, self.flight);
    }
}

impl ClientInner {
    async fn fetch(&self, options: &TokenOptions) -> Result<Token> {
        let http = self.http()?;
        fetch_with_retries(&http, &self.config, &self.credentials, options).await
    }

    /// Returns the connection pool of the current process, building a new one
    /// after `fork()`; the parent's pool is leaked in the child, never dropped.
    fn http(&self) -> Result<reqwest::Client> {
        let pid = std::process::id();
        let mut slot = self.http.lock().unwrap_or_else(|poison| poison.into_inner());
        if slot.0 != pid {
            let fresh = build_http_client(&self.config)?;
            std::mem::forget(std::mem::replace(&mut slot.1, fresh));
            slot.0 = pid;
        }
        Ok(slot.1.clone())
    }

    fn cache_key(&self, options: &TokenOptions) -> Result<CacheKey> {
        Ok(CacheKey {
            api_url: self.config.api_url().to_owned(),
            key: self.credentials.key().to_owned(),
            user_id: options.user_id_or_empty().to_owned(),
            test_mode: options.test_mode,
            lifetime_nanos: options.expires_in_nanos()?,
        })
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("key", &self.key())
            .field("api_url", &self.inner.config.api_url())
            .field("cache", &self.inner.cache.is_some())
            .finish_non_exhaustive()
    }
}
