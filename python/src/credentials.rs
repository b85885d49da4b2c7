//! The legacy constructor's rules for credentials.
//!
//! `sethealth.Client` raises at once when a credential is neither passed nor
//! set, as sethealth 1.8.0 did. A credential set to an empty string is
//! accepted, and every token call on that client raises instead. The core's
//! `ClientBuilder::build` rejects both cases and reports only the first
//! problem it finds, checking the key before the secret. So after it reports
//! an empty credential, this module reads both credentials again: for the
//! client's `.key` and `.secret` attributes, and to raise at once when the
//! other credential is unset.

use std::env::VarError;

use sethealth::{ClientBuilder, Error, ErrorKind, KEY_ENV, SECRET_ENV};
use zeroize::Zeroizing;

/// The key and the secret of a client whose token calls fail because one of
/// them is empty. Either may be empty. The secret is wiped when dropped.
pub(crate) struct EmptyCredentials {
    pub(crate) key: String,
    pub(crate) secret: Zeroizing<String>,
}

/// Passes the credentials that were given to `builder`. The core reads
/// `SETHEALTH_KEY` and `SETHEALTH_SECRET` for the others when it builds.
pub(crate) fn apply(mut builder: ClientBuilder, key: Option<&str>, secret: Option<&str>) -> ClientBuilder {
    if let Some(key) = key {
        builder = builder.key(key);
    }
    if let Some(secret) = secret {
        builder = builder.secret(secret);
    }
    builder
}

/// Reports whether a build failed because a credential is set but empty,
/// which the legacy constructor accepts.
pub(crate) fn is_empty_credential(error: &Error) -> bool {
    error.kind() == ErrorKind::MissingCredentials && !error.is_unset_credential()
}

/// Reads both credentials after the core reported one of them as empty.
///
/// Control characters are not checked here: a client with an empty
/// credential never sends anything.
///
/// # Errors
///
/// [`ErrorKind::MissingCredentials`] naming the variable when a credential
/// is neither passed nor set, and [`ErrorKind::InvalidArgument`] when a
/// variable is not valid UTF-8.
pub(crate) fn read_after_empty(key: Option<&str>, secret: Option<&str>) -> Result<EmptyCredentials, Error> {
    let key = read_one(key, KEY_ENV, "key")?;
    let secret = read_one(secret, SECRET_ENV, "secret")?;
    Ok(EmptyCredentials {
        key: key.trim().to_owned(),
        secret: Zeroizing::new(secret.trim().to_owned()),
    })
}

/// Returns the argument, else the variable, untrimmed.
// TODO: the core resolves one credential at a time only privately, so this
// repeats its rule (argument, else variable) and its unset-variable error.
fn read_one(argument: Option<&str>, variable: &str, what: &str) -> Result<Zeroizing<String>, Error> {
    if let Some(value) = argument {
        return Ok(Zeroizing::new(value.to_owned()));
    }
    match std::env::var(variable) {
        Ok(value) => Ok(Zeroizing::new(value)),
        Err(VarError::NotPresent) => Err(Error::new(
            ErrorKind::MissingCredentials,
            format!(
                "{variable} is not set; set it to the service account's {what} \
                 from the Sethealth dashboard, or pass the {what} explicitly"
            ),
        )),
        Err(VarError::NotUnicode(_)) => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{variable} is not valid UTF-8; set it to the {what} from the Sethealth dashboard"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_credentials_are_trimmed() {
        let read = read_after_empty(Some(" sa_1 "), Some("  ")).unwrap();
        assert_eq!(read.key, "sa_1");
        assert_eq!(read.secret.as_str(), "");
    }

    #[test]
    fn empty_credential_is_recognised() {
        let empty = ClientBuilder::new().key("sa_1").secret(" ").build().unwrap_err();
        assert!(is_empty_credential(&empty), "{empty}");

        let invalid = ClientBuilder::new()
            .key("sa\u{7}1")
            .secret("s")
            .build()
            .unwrap_err();
        assert!(!is_empty_credential(&invalid), "{invalid}");
    }
}
