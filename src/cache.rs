//! The token cache: a bounded LRU map of minted tokens, and single-flight
//! bookkeeping so that concurrent callers for one key share one request.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use futures_util::future::{BoxFuture, Shared};
use lru::LruCache;
use tokio::task::AbortHandle;

use crate::config::CachePolicy;
use crate::error::Result;
use crate::token::Token;

/// The identity of a cached token. The secret is left out on purpose: each
/// client has its own cache, so a client with a wrong secret can never be
/// handed a token that another client minted.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct CacheKey {
    pub api_url: String,
    pub key: String,
    pub user_id: String,
    pub test_mode: bool,
    pub lifetime_nanos: i64,
}

/// A request in flight, shared by every caller waiting for the same key.
pub(crate) type SharedFetch = Shared<BoxFuture<'static, Result<Token>>>;

struct Flight {
    pid: u32,
    id: u64,
    fetch: SharedFetch,
    /// The callers waiting on `fetch`; the last one to leave aborts it.
    waiters: usize,
    abort: Option<AbortHandle>,
}

struct State {
    ready: LruCache<CacheKey, Token>,
    pending: HashMap<CacheKey, Flight>,
    next_id: u64,
}

/// The result of [`TokenCache::get_or_join`].
pub(crate) enum Lookup {
    /// A cached token that still has enough of its lifetime left.
    Hit(Token),
    /// A request in flight to wait on, started by this call or joined. The
    /// caller must call [`TokenCache::leave`] with `flight` when it stops
    /// waiting, whether the request finished or not.
    Wait {
        /// The shared request.
        fetch: SharedFetch,
        /// The flight's id, for [`TokenCache::leave`].
        flight: u64,
    },
}

pub(crate) struct TokenCache {
    policy: CachePolicy,
    state: Mutex<State>,
}

impl TokenCache {
    pub(crate) fn new(policy: CachePolicy) -> TokenCache {
        let capacity = NonZeroUsize::new(policy.capacity).unwrap_or(NonZeroUsize::MIN);
        TokenCache {
            policy,
            state: Mutex::new(State {
                ready: LruCache::new(capacity),
                pending: HashMap::new(),
                next_id: 0,
            }),
        }
    }

    /// Returns a usable cached token, or joins the request in flight for
    /// `key`, or starts one with `start(flight_id)`. With `fresh`, a cached
    /// token is skipped but a request in flight is still joined. One lock
    /// covers the whole decision, so two callers never both start a request
    /// for one key.
    pub(crate) fn get_or_join(
        &self,
        key: &CacheKey,
        now: SystemTime,
        fresh: bool,
        start: impl FnOnce(u64) -> (SharedFetch, Option<AbortHandle>),
    ) -> Lookup {
        let mut state = self.lock();
        if !fresh {
            if let Some(token) = state.ready.get(key) {
                if self.is_usable(token, now) {
                    return Lookup::Hit(token.clone());
                }
            }
        }

        let pid = std::process::id();
        if let Some(flight) = state.pending.get_mut(key) {
            // A flight started before fork() has no thread left to finish it.
            if flight.pid == pid {
                flight.waiters += 1;
                return Lookup::Wait {
                    fetch: flight.fetch.clone(),
                    flight: flight.id,
                };
            }
        }

        state.next_id += 1;
        let id = state.next_id;
        let (fetch, abort) = start(id);
        let flight = Flight {
            pid,
            id,
            fetch: fetch.clone(),
            waiters: 1,
            abort,
        };
        state.pending.insert(key.clone(), flight);
        Lookup::Wait { fetch, flight: id }
    }

    /// Returns the cached token for `key` if it is still usable at `now`.
    pub(crate) fn lookup(&self, key: &CacheKey, now: SystemTime) -> Option<Token> {
        let mut state = self.lock();
        let token = state.ready.get(key)?;
        self.is_usable(token, now).then(|| token.clone())
    }

    /// Records that one caller stopped waiting on flight `id`. When the last
    /// caller leaves before the request finished, the request is aborted and
    /// forgotten, so nobody's cancelled call keeps a connection busy.
    pub(crate) fn leave(&self, key: &CacheKey, id: u64) {
        let mut state = self.lock();
        let Some(flight) = state.pending.get_mut(key) else {
            return;
        };
        if flight.id != id {
            return;
        }
        flight.waiters = flight.waiters.saturating_sub(1);
        if flight.waiters == 0 {
            if let Some(abort) = &flight.abort {
                abort.abort();
            }
            state.pending.remove(key);
        }
    }

    /// Ends the flight `id` for `key` and stores its token if it is usable.
    /// A failure is not cached, and a stale flight (replaced after fork) is ignored.
    pub(crate) fn complete(&self, key: &CacheKey, id: u64, result: &Result<Token>, now: SystemTime) {
        let mut state = self.lock();
        match state.pending.get(key) {
            Some(flight) if flight.id == id => {
                state.pending.remove(key);
            }
            _ => return,
        }
        if let Ok(token) = result {
            if self.is_usable(token, now) {
                state.ready.put(key.clone(), token.clone());
            }
        }
    }

    /// Drops the cached token for `key`; a request in flight is left alone.
    pub(crate) fn invalidate(&self, key: &CacheKey) {
        self.lock().ready.pop(key);
    }

    /// Drops every cached token.
    pub(crate) fn clear(&self) {
        self.lock().ready.clear();
    }

    /// Returns how many tokens are cached.
    pub(crate) fn len(&self) -> usize {
        self.lock().ready.len()
    }

    /// Reports whether `token` still has at least the required share of its
    /// lifetime, and the absolute margin, left at `now`.
    fn is_usable(&self, token: &Token, now: SystemTime) -> bool {
        let expiry = token.effective_expiry(self.policy.assumed_lifetime);
        let Ok(remaining) = expiry.duration_since(now) else {
            return false;
        };
        let lifetime = expiry.duration_since(token.issued_at()).unwrap_or(Duration::ZERO);
        if remaining.is_zero() || remaining < self.policy.min_remaining {
            return false;
        }
        // Compared in f64 nanoseconds, which is exact below about 104 days:
        // rounding the required share to whole nanoseconds first would hand
        // out a token one nanosecond past half-life when the lifetime is odd.
        remaining.as_nanos() as f64 >= lifetime.as_nanos() as f64 * self.policy.min_remaining_fraction
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent between statements, so a panic elsewhere
        // while the lock was held does not make it unusable.
        self.state.lock().unwrap_or_else(|poison| poison.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn key(user: &str) -> CacheKey {
        CacheKey {
            api_url: "https://api.set.health".into(),
            key: "sa_1".into(),
            user_id: user.into(),
            test_mode: false,
            lifetime_nanos: 0,
        }
    }

    fn policy() -> CachePolicy {
        CachePolicy {
            min_remaining: Duration::ZERO,
            ..CachePolicy::default()
        }
    }

    fn token(issued: u64, lifetime: u64) -> Token {
        Token::new(
            "t".into(),
            UNIX_EPOCH + Duration::from_secs(issued),
            Some(Duration::from_secs(lifetime)),
        )
    }

    #[test]
    fn usable_until_exactly_half_life() {
        let cache = TokenCache::new(policy());
        let token = token(1000, 3600);
        let half = UNIX_EPOCH + Duration::from_secs(1000 + 1800);
        assert!(cache.is_usable(&token, half - Duration::from_nanos(1)));
        assert!(cache.is_usable(&token, half));
        assert!(!cache.is_usable(&token, half + Duration::from_nanos(1)));
    }

    #[test]
    fn odd_lifetime_is_not_usable_past_half() {
        let cache = TokenCache::new(policy());
        let issued = UNIX_EPOCH + Duration::from_secs(1000);
        let token = Token::new("t".into(), issued, Some(Duration::from_nanos(3_000_000_001)));
        let half = issued + Duration::from_nanos(1_500_000_000);
        assert!(cache.is_usable(&token, half));
        assert!(!cache.is_usable(&token, half + Duration::from_nanos(1)));
    }

    #[test]
    fn expired_token_is_not_usable() {
        let cache = TokenCache::new(CachePolicy {
            min_remaining_fraction: 0.0,
            ..policy()
        });
        let token = token(1000, 60);
        assert!(cache.is_usable(&token, UNIX_EPOCH + Duration::from_secs(1059)));
        assert!(!cache.is_usable(&token, UNIX_EPOCH + Duration::from_secs(1060)));
        assert!(!cache.is_usable(&token, UNIX_EPOCH + Duration::from_secs(5000)));
    }

    #[test]
    fn absolute_margin_applies_to_short_tokens() {
        let cache = TokenCache::new(CachePolicy {
            min_remaining: Duration::from_secs(30),
            ..policy()
        });
        let token = token(0, 40);
        assert!(cache.is_usable(&token, UNIX_EPOCH + Duration::from_secs(10)));
        assert!(!cache.is_usable(&token, UNIX_EPOCH + Duration::from_secs(11)));
    }

    #[test]
    fn least_recently_used_entry_is_evicted() {
        let cache = TokenCache::new(CachePolicy {
            capacity: 2,
            ..policy()
        });
        let now = UNIX_EPOCH + Duration::from_secs(1);
        for user in ["a", "b", "c"] {
            let id = match cache.get_or_join(&key(user), now, false, |_| never()) {
                Lookup::Wait { flight, .. } => flight,
                Lookup::Hit(_) => panic!("unexpected hit for {user}"),
            };
            cache.complete(&key(user), id, &Ok(token(0, 3600)), now);
        }
        assert_eq!(cache.len(), 2);
        assert!(matches!(
            cache.get_or_join(&key("a"), now, false, |_| never()),
            Lookup::Wait { .. }
        ));
        assert!(matches!(
            cache.get_or_join(&key("c"), now, false, |_| never()),
            Lookup::Hit(_)
        ));
    }

    #[test]
    fn stale_flight_completion_is_ignored() {
        let cache = TokenCache::new(policy());
        let now = UNIX_EPOCH;
        let _ = cache.get_or_join(&key("a"), now, false, |_| never());
        cache.complete(&key("a"), 999, &Ok(token(0, 3600)), now);
        assert_eq!(cache.len(), 0);
        assert_eq!(cache.lock().pending.len(), 1);
    }

    #[test]
    fn last_waiter_leaving_forgets_the_flight() {
        let cache = TokenCache::new(policy());
        let first = cache.get_or_join(&key("a"), UNIX_EPOCH, false, |_| never());
        let second = cache.get_or_join(&key("a"), UNIX_EPOCH, false, |_| panic!("must join"));
        let (Lookup::Wait { flight: one, .. }, Lookup::Wait { flight: two, .. }) = (first, second) else {
            panic!("expected two waits");
        };
        assert_eq!(one, two);

        cache.leave(&key("a"), one);
        assert_eq!(cache.lock().pending[&key("a")].waiters, 1);
        cache.leave(&key("a"), one);
        assert!(cache.lock().pending.is_empty());
    }

    fn never() -> (SharedFetch, Option<AbortHandle>) {
        use futures_util::FutureExt;
        (
            futures_util::future::pending::<Result<Token>>().boxed().shared(),
            None,
        )
    }
}
