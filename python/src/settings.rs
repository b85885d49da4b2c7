//! The client's configuration keywords, applied to the core's builder.

use std::path::PathBuf;
use std::time::Duration;

use sethealth::{CachePolicy, ClientBuilder, Error, ErrorKind, RetryPolicy};

/// The configuration keywords of `sethealth.Client`. `None` leaves a setting
/// to the core, which reads `SETHEALTH_API_URL` and `SETHEALTH_CA_FILE` or
/// uses its default. Durations are in seconds.
pub(crate) struct Settings {
    pub(crate) api_url: Option<String>,
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) timeout: Option<f64>,
    pub(crate) connect_timeout: Option<f64>,
    pub(crate) attempt_timeout: Option<f64>,
    pub(crate) max_attempts: Option<i64>,
    pub(crate) cache: bool,
    pub(crate) user_agent_suffix: String,
}

impl Settings {
    /// Applies the settings to `builder`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] naming the keyword when a duration is
    /// negative or not finite, or `max_attempts` does not fit in 32 bits.
    /// Zero durations and zero attempts are left to the core's own checks.
    pub(crate) fn apply(&self, mut builder: ClientBuilder) -> Result<ClientBuilder, Error> {
        if let Some(url) = &self.api_url {
            builder = builder.api_url(url.as_str());
        }
        if let Some(path) = &self.ca_file {
            builder = builder.ca_file(path.clone());
        }
        if let Some(seconds) = self.timeout {
            builder = builder.deadline(timeout_duration("timeout", seconds)?);
        }
        if let Some(seconds) = self.connect_timeout {
            builder = builder.connect_timeout(timeout_duration("connect_timeout", seconds)?);
        }
        if let Some(seconds) = self.attempt_timeout {
            builder = builder.attempt_timeout(timeout_duration("attempt_timeout", seconds)?);
        }
        if let Some(attempts) = self.max_attempts {
            builder = builder.retry(RetryPolicy {
                max_attempts: attempt_count(attempts)?,
                ..RetryPolicy::default()
            });
        }
        builder = builder.cache(CachePolicy {
            enabled: self.cache,
            ..CachePolicy::default()
        });
        Ok(builder.user_agent_suffix(self.user_agent_suffix.as_str()))
    }
}

/// Converts a timeout keyword in seconds into a [`Duration`].
fn timeout_duration(keyword: &str, seconds: f64) -> Result<Duration, Error> {
    Duration::try_from_secs_f64(seconds).map_err(|_| {
        Error::new(
            ErrorKind::InvalidConfig,
            format!("{keyword}={seconds} is not a usable timeout; pass a positive number of seconds"),
        )
    })
}

fn attempt_count(attempts: i64) -> Result<u32, Error> {
    u32::try_from(attempts).map_err(|_| {
        Error::new(
            ErrorKind::InvalidConfig,
            format!("max_attempts={attempts} is out of range; pass 1 or more (1 disables retries, the default is 3)"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_and_infinite_timeouts_name_the_keyword() {
        for seconds in [-1.0, f64::NAN, f64::INFINITY] {
            let error = timeout_duration("connect_timeout", seconds).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidConfig);
            assert!(error.message().starts_with("connect_timeout="), "{error}");
        }
    }

    #[test]
    fn fractional_timeout_keeps_its_fraction() {
        assert_eq!(
            timeout_duration("timeout", 0.25).unwrap(),
            Duration::from_millis(250)
        );
    }

    #[test]
    fn attempt_count_rejects_negative_and_huge_values() {
        assert!(attempt_count(-1).is_err());
        assert!(attempt_count(i64::from(u32::MAX) + 1).is_err());
        assert_eq!(attempt_count(2).unwrap(), 2);
    }
}
