//! Per-call token options, converted from Python arguments.

use std::time::Duration;

use sethealth::{Error, ErrorKind, TokenOptions};

/// Builds the core's options from the keyword arguments of a token call.
/// `expires_in` is in seconds; `None` or zero lets the server choose.
///
/// # Errors
///
/// [`ErrorKind::InvalidArgument`] naming `expires_in` when it is negative or
/// not finite. Every other check (user id length and characters, a lifetime
/// too long for the wire) is the core's, made when the call runs.
pub(crate) fn token_options(
    user_id: Option<String>,
    expires_in: Option<f64>,
    test_mode: bool,
    fresh: bool,
) -> Result<TokenOptions, Error> {
    let mut options = TokenOptions::default();
    options.user_id = user_id;
    options.expires_in = expires_in.map(lifetime).transpose()?;
    options.test_mode = test_mode;
    options.fresh = fresh;
    Ok(options)
}

fn lifetime(seconds: f64) -> Result<Duration, Error> {
    Duration::try_from_secs_f64(seconds).map_err(|_| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "expires_in={seconds} is not a usable lifetime; pass a number of seconds of zero \
                 or more, or None to let the server choose"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_lifetime_is_invalid_argument() {
        let error = token_options(None, Some(-5.0), false, false).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
        assert!(error.message().contains("expires_in=-5"), "{error}");
    }

    #[test]
    fn options_are_copied() {
        let options = token_options(Some("patient-42".into()), Some(1800.0), true, true).unwrap();
        assert_eq!(options.user_id.as_deref(), Some("patient-42"));
        assert_eq!(options.expires_in, Some(Duration::from_secs(1800)));
        assert!(options.test_mode);
        assert!(options.fresh);
    }
}
