//! The client's configuration keywords, applied to the core's builder.
//!
//! The glue only converts: seconds become a [`Duration`] and integers the
//! core's integer types. Defaults and every range check (a zero timeout, a
//! base delay above the maximum, a fraction outside 0.0 to 1.0) are the
//! core's, in `ClientBuilder::build_config`.

use std::fmt::Display;
use std::path::PathBuf;
use std::time::Duration;

use sethealth::{CachePolicy, ClientBuilder, Error, ErrorKind, RetryPolicy};

/// The configuration keywords of `sethealth.Client`. `None` leaves a setting
/// to the core, which reads `SETHEALTH_API_URL` and `SETHEALTH_CA_FILE` or
/// uses its default. Durations are in seconds.
#[derive(Default)]
pub(crate) struct Settings {
    pub(crate) api_url: Option<String>,
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) timeout: Option<f64>,
    pub(crate) connect_timeout: Option<f64>,
    pub(crate) attempt_timeout: Option<f64>,
    pub(crate) max_attempts: Option<i64>,
    pub(crate) retry_base_delay: Option<f64>,
    pub(crate) retry_max_delay: Option<f64>,
    /// Whether tokens are cached; `None` keeps the core's default (on).
    pub(crate) cache: Option<bool>,
    pub(crate) cache_capacity: Option<i64>,
    pub(crate) cache_min_remaining_fraction: Option<f64>,
    pub(crate) cache_min_remaining: Option<f64>,
    pub(crate) cache_assumed_lifetime: Option<f64>,
    pub(crate) user_agent_suffix: String,
}

impl Settings {
    /// Applies the settings to `builder`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] naming the keyword when a duration is
    /// negative or not finite, or an integer does not fit the core's type.
    pub(crate) fn apply(&self, mut builder: ClientBuilder) -> Result<ClientBuilder, Error> {
        if let Some(url) = &self.api_url {
            builder = builder.api_url(url.as_str());
        }
        if let Some(path) = &self.ca_file {
            builder = builder.ca_file(path.clone());
        }
        if let Some(deadline) = duration("timeout", self.timeout)? {
            builder = builder.deadline(deadline);
        }
        if let Some(timeout) = duration("connect_timeout", self.connect_timeout)? {
            builder = builder.connect_timeout(timeout);
        }
        if let Some(timeout) = duration("attempt_timeout", self.attempt_timeout)? {
            builder = builder.attempt_timeout(timeout);
        }
        builder = builder.retry(self.retry_policy()?).cache(self.cache_policy()?);
        Ok(builder.user_agent_suffix(self.user_agent_suffix.as_str()))
    }

    /// Returns the core's default retry policy with the given keywords applied.
    fn retry_policy(&self) -> Result<RetryPolicy, Error> {
        let default = RetryPolicy::default();
        let max_attempts = match self.max_attempts {
            Some(attempts) => u32::try_from(attempts).map_err(|_| max_attempts_out_of_range(attempts))?,
            None => default.max_attempts,
        };
        Ok(RetryPolicy {
            max_attempts,
            base_delay: duration("retry_base_delay", self.retry_base_delay)?.unwrap_or(default.base_delay),
            max_delay: duration("retry_max_delay", self.retry_max_delay)?.unwrap_or(default.max_delay),
        })
    }

    /// Returns the core's default cache policy with the given keywords applied.
    fn cache_policy(&self) -> Result<CachePolicy, Error> {
        let default = CachePolicy::default();
        let capacity = match self.cache_capacity {
            Some(capacity) => usize::try_from(capacity).map_err(|_| cache_capacity_out_of_range(capacity))?,
            None => default.capacity,
        };
        Ok(CachePolicy {
            enabled: self.cache.unwrap_or(default.enabled),
            capacity,
            min_remaining_fraction: self
                .cache_min_remaining_fraction
                .unwrap_or(default.min_remaining_fraction),
            min_remaining: duration("cache_min_remaining", self.cache_min_remaining)?
                .unwrap_or(default.min_remaining),
            assumed_lifetime: duration("cache_assumed_lifetime", self.cache_assumed_lifetime)?
                .unwrap_or(default.assumed_lifetime),
        })
    }
}

/// Converts an optional duration keyword in seconds into a [`Duration`].
fn duration(keyword: &str, seconds: Option<f64>) -> Result<Option<Duration>, Error> {
    let Some(seconds) = seconds else {
        return Ok(None);
    };
    Duration::try_from_secs_f64(seconds).map(Some).map_err(|_| {
        Error::new(
            ErrorKind::InvalidConfig,
            format!(
                "{keyword}={seconds} is not a usable duration; pass a finite number of seconds, not negative"
            ),
        )
    })
}

/// Returns the error for a `max_attempts` that does not fit in 32 bits.
pub(crate) fn max_attempts_out_of_range(value: impl Display) -> Error {
    let default = RetryPolicy::default().max_attempts;
    Error::new(
        ErrorKind::InvalidConfig,
        format!(
            "max_attempts={value} is out of range; pass 1 or more (1 disables retries, the default is {default})"
        ),
    )
}

/// Returns the error for a `cache_capacity` that is negative or too large.
pub(crate) fn cache_capacity_out_of_range(value: impl Display) -> Error {
    let default = CachePolicy::default().capacity;
    Error::new(
        ErrorKind::InvalidConfig,
        format!("cache_capacity={value} is out of range; pass 1 or more (the default is {default})"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_and_infinite_durations_name_the_keyword() {
        for seconds in [-1.0, f64::NAN, f64::INFINITY] {
            let error = duration("connect_timeout", Some(seconds)).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidConfig);
            assert!(error.message().starts_with("connect_timeout="), "{error}");
        }
    }

    #[test]
    fn fractional_duration_keeps_its_fraction() {
        assert_eq!(
            duration("timeout", Some(0.25)).unwrap(),
            Some(Duration::from_millis(250))
        );
    }

    #[test]
    fn unset_keywords_keep_the_core_defaults() {
        let settings = Settings::default();
        assert_eq!(settings.retry_policy().unwrap(), RetryPolicy::default());
        assert_eq!(settings.cache_policy().unwrap(), CachePolicy::default());
    }

    #[test]
    fn keywords_replace_only_their_field() {
        let settings = Settings {
            retry_max_delay: Some(1.5),
            cache_capacity: Some(7),
            cache_min_remaining_fraction: Some(0.25),
            ..Settings::default()
        };

        let retry = settings.retry_policy().unwrap();
        assert_eq!(retry.max_delay, Duration::from_millis(1500));
        assert_eq!(retry.base_delay, RetryPolicy::default().base_delay);

        let cache = settings.cache_policy().unwrap();
        assert_eq!(cache.capacity, 7);
        assert_eq!(cache.min_remaining_fraction, 0.25);
        assert_eq!(cache.min_remaining, CachePolicy::default().min_remaining);
    }

    #[test]
    fn negative_and_huge_integers_are_out_of_range() {
        let negative = Settings {
            cache_capacity: Some(-1),
            ..Settings::default()
        };
        let error = negative.cache_policy().unwrap_err();
        assert!(
            error.message().starts_with("cache_capacity=-1 is out of range"),
            "{error}"
        );

        for attempts in [-1, i64::from(u32::MAX) + 1] {
            let settings = Settings {
                max_attempts: Some(attempts),
                ..Settings::default()
            };
            assert!(settings.retry_policy().is_err(), "{attempts}");
        }
    }
}
