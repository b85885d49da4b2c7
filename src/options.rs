//! Per-call options of a token request.

use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};

/// The maximum length of a user id, in bytes.
pub const MAX_USER_ID_BYTES: usize = 1024;

/// Options of one token request. The default requests a live token with the
/// server's default lifetime and no user id.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let mut options = sethealth::TokenOptions::default();
/// options.user_id = Some("patient-42".into());
/// options.expires_in = Some(Duration::from_secs(30 * 60));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TokenOptions {
    /// The end user the token is minted for; `None` or empty sends `""`.
    pub user_id: Option<String>,
    /// The requested lifetime, sent as integer nanoseconds; `None` or zero
    /// lets the server choose (some hours). At most about 292 years.
    pub expires_in: Option<Duration>,
    /// Asks for a test-mode token.
    pub test_mode: bool,
    /// Skips the cache and replaces its entry with the new token.
    pub fresh: bool,
}

impl TokenOptions {
    /// Checks the options before anything is sent.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidArgument`] naming the value when the user id is
    /// too long or contains a control character, or the lifetime does not
    /// fit in 64-bit nanoseconds.
    pub fn validate(&self) -> Result<()> {
        if let Some(user_id) = &self.user_id {
            if user_id.len() > MAX_USER_ID_BYTES {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "the user id is {} bytes long, over the limit of {MAX_USER_ID_BYTES}; \
                         pass a shorter id",
                        user_id.len()
                    ),
                ));
            }
            if user_id.contains(char::is_control) {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("the user id {user_id:?} contains a control character; remove it"),
                ));
            }
        }
        self.expires_in_nanos()?;
        Ok(())
    }

    /// Returns the lifetime as the wire value: integer nanoseconds, 0 when unset.
    pub(crate) fn expires_in_nanos(&self) -> Result<i64> {
        let Some(lifetime) = self.expires_in else {
            return Ok(0);
        };
        i64::try_from(lifetime.as_nanos()).map_err(|_| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "the lifetime {lifetime:?} does not fit in 64-bit nanoseconds \
                     (about 292 years); ask for a shorter lifetime"
                ),
            )
        })
    }

    /// Returns the requested lifetime, treating zero as unset.
    pub(crate) fn requested_lifetime(&self) -> Option<Duration> {
        self.expires_in.filter(|lifetime| !lifetime.is_zero())
    }

    pub(crate) fn user_id_or_empty(&self) -> &str {
        self.user_id.as_deref().unwrap_or("")
    }
}
