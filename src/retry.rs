//! The retry loop: attempts, backoff with full jitter, `Retry-After` and the
//! overall deadline of one call.

use std::time::Duration;

use tokio::time::Instant;

use crate::config::{Config, RetryPolicy};
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result, format_duration};
use crate::options::TokenOptions;
use crate::token::Token;
use crate::transport::send_once;

/// Requests a token, retrying retryable failures until one succeeds, the
/// attempts run out, or the overall deadline passes.
///
/// # Errors
///
/// The last attempt's error, with the number of attempts recorded; a
/// [`ErrorKind::Timeout`] when the deadline passes first.
///
/// # Cancellation
///
/// Dropping the future abandons the attempt in flight and sends nothing more.
pub(crate) async fn fetch_with_retries(
    http: &reqwest::Client,
    config: &Config,
    credentials: &Credentials,
    options: &TokenOptions,
) -> Result<Token> {
    // The configuration caps the deadline at one day, so this cannot overflow.
    let deadline = Instant::now() + config.deadline;
    let policy = config.retry;
    let mut attempt = 0;

    loop {
        attempt += 1;
        let remaining = deadline.saturating_duration_since(Instant::now());
        let budget = config.attempt_timeout.min(remaining);

        let error = match tokio::time::timeout(budget, send_once(http, config, credentials, options)).await {
            Ok(Ok(token)) => return Ok(token),
            Ok(Err(error)) => error,
            Err(_) => attempt_timed_out(config, budget),
        };

        let remaining = deadline.saturating_duration_since(Instant::now());
        let delay = match next_delay(&error, attempt, policy, remaining) {
            Ok(delay) => delay,
            Err(final_error) => {
                tracing::warn!(
                    endpoint = %config.token_url,
                    key = credentials.key(),
                    attempts = attempt,
                    kind = %final_error.kind(),
                    error = %final_error,
                    "token request failed"
                );
                return Err(final_error.with_attempts(attempt));
            }
        };

        tracing::warn!(
            endpoint = %config.token_url,
            key = credentials.key(),
            attempt,
            status = error.status(),
            kind = %error.kind(),
            delay_ms = delay.as_millis() as u64,
            error = %error,
            "token request failed; retrying"
        );
        tokio::time::sleep(delay).await;
    }
}

/// Decides whether to try again after `error`, and after how long. Returns
/// the error to give up with otherwise.
fn next_delay(
    error: &Error,
    attempt: u32,
    policy: RetryPolicy,
    remaining: Duration,
) -> Result<Duration, Error> {
    if !error.is_retryable() || attempt >= policy.max_attempts || remaining.is_zero() {
        return Err(error.clone());
    }

    if let Some(asked) = error.retry_after() {
        if asked >= remaining {
            let kind = if error.kind() == ErrorKind::Server {
                ErrorKind::Server
            } else {
                ErrorKind::RateLimited
            };
            let status = error.status().unwrap_or(429);
            return Err(Error::new(
                kind,
                format!(
                    "the server answered HTTP {status} and asked to wait {} (Retry-After), longer than \
                     the {} left before the overall deadline; try again after that delay",
                    format_duration(asked),
                    format_duration(remaining)
                ),
            )
            .with_status(status)
            .with_retry_after(Some(asked)));
        }
        return Ok(asked);
    }

    let delay = backoff(attempt, policy);
    if delay >= remaining {
        return Err(error.clone());
    }
    Ok(delay)
}

/// Returns a random delay from zero to `min(max_delay, base_delay * 2^(attempt-1))`.
pub(crate) fn backoff(attempt: u32, policy: RetryPolicy) -> Duration {
    let exponent = attempt.saturating_sub(1).min(31);
    let ceiling = policy
        .base_delay
        .saturating_mul(1u32 << exponent)
        .min(policy.max_delay);
    ceiling.mul_f64(fastrand::f64())
}

/// Describes a timed-out attempt by the limit that cut it: the overall
/// deadline when the attempt had less than a full attempt timeout left.
fn attempt_timed_out(config: &Config, budget: Duration) -> Error {
    let host = crate::transport::authority(config);
    let limit = if budget < config.attempt_timeout {
        format!(
            "before the overall deadline of {}",
            format_duration(config.deadline)
        )
    } else {
        format!(
            "within the attempt timeout of {}",
            format_duration(config.attempt_timeout)
        )
    };
    Error::new(
        ErrorKind::Timeout,
        format!(
            "the token request to {host} got no complete answer {limit}; \
             the service may be slow or unreachable, try again later or raise the timeout"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
    }

    #[test]
    fn backoff_stays_under_the_doubling_ceiling() {
        for attempt in 1..=10 {
            let ceiling = Duration::from_millis(200)
                .saturating_mul(1 << (attempt - 1))
                .min(Duration::from_secs(5));
            for _ in 0..200 {
                assert!(backoff(attempt, policy()) <= ceiling, "attempt {attempt}");
            }
        }
    }

    #[test]
    fn huge_attempt_numbers_do_not_overflow() {
        assert!(backoff(u32::MAX, policy()) <= Duration::from_secs(5));
    }

    #[test]
    fn non_retryable_errors_stop_at_once() {
        let error = Error::new(ErrorKind::Rejected, "no").with_status(401);
        assert!(next_delay(&error, 1, policy(), Duration::from_secs(30)).is_err());
    }

    #[test]
    fn last_attempt_stops() {
        let error = Error::new(ErrorKind::Server, "down").with_status(503);
        assert!(next_delay(&error, 2, policy(), Duration::from_secs(30)).is_ok());
        assert!(next_delay(&error, 3, policy(), Duration::from_secs(30)).is_err());
    }

    #[test]
    fn retry_after_within_deadline_is_honoured() {
        let error = Error::new(ErrorKind::RateLimited, "slow")
            .with_status(429)
            .with_retry_after(Some(Duration::from_secs(1)));
        assert_eq!(
            next_delay(&error, 1, policy(), Duration::from_secs(30)).unwrap(),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn retry_after_past_deadline_fails_as_rate_limited() {
        let error = Error::new(ErrorKind::RateLimited, "slow")
            .with_status(429)
            .with_retry_after(Some(Duration::from_secs(3600)));
        let final_error = next_delay(&error, 1, policy(), Duration::from_secs(30)).unwrap_err();
        assert_eq!(final_error.kind(), ErrorKind::RateLimited);
        assert_eq!(final_error.retry_after(), Some(Duration::from_secs(3600)));
        assert_eq!(final_error.status(), Some(429));
        assert!(final_error.message().contains("Retry-After"), "{final_error}");
    }
}
