//! The service account's key and secret.

use std::fmt;

use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind, Result};

/// The environment variable that contains the service account's key (its id).
pub const KEY_ENV: &str = "SETHEALTH_KEY";

/// The environment variable that contains the service account's secret.
pub const SECRET_ENV: &str = "SETHEALTH_SECRET";

/// A service account: the key (its id, not secret) and the secret.
///
/// Surrounding whitespace is trimmed from both, because secrets read from
/// files often end in a newline. The secret is wiped from memory when the
/// last copy is dropped, and `Debug` prints it as `<redacted>`.
#[derive(Clone)]
pub struct Credentials {
    key: String,
    secret: Zeroizing<String>,
}

impl Credentials {
    /// Creates credentials from a key and a secret.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingCredentials`] when either is empty after trimming,
    /// [`ErrorKind::InvalidArgument`] when either contains a control character.
    pub fn new(key: &str, secret: &str) -> Result<Credentials> {
        Credentials::resolve(Some(key), Some(secret))
    }

    /// Reads the credentials from `SETHEALTH_KEY` and `SETHEALTH_SECRET` now.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingCredentials`] naming the variable that is unset or
    /// empty, [`ErrorKind::InvalidArgument`] when a value is not UTF-8 or
    /// contains a control character.
    pub fn from_env() -> Result<Credentials> {
        Credentials::resolve(None, None)
    }

    /// Takes each credential from its argument, or from its environment
    /// variable when the argument is `None`, and checks both.
    ///
    /// # Errors
    ///
    /// As [`Credentials::lookup`], then as [`Credentials::validate`].
    pub fn resolve(key: Option<&str>, secret: Option<&str>) -> Result<Credentials> {
        let credentials = Credentials::lookup(key, secret)?;
        credentials.validate()?;
        Ok(credentials)
    }

    /// Takes each credential from its argument, or from its environment
    /// variable when the argument is `None`, and trims it, without checking
    /// the values. Bindings whose legacy API accepts an empty credential
    /// until the first call use it with [`validate`](Credentials::validate).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingCredentials`] naming the variable when a
    /// credential is neither passed nor set (the key is looked up first);
    /// [`is_unset_credential`](Error::is_unset_credential) is then true.
    /// [`ErrorKind::InvalidArgument`] when a variable is not UTF-8.
    pub fn lookup(key: Option<&str>, secret: Option<&str>) -> Result<Credentials> {
        let key = lookup_one(key, KEY_ENV, "key")?.trim().to_owned();
        let secret = Zeroizing::new(lookup_one(secret, SECRET_ENV, "secret")?.trim().to_owned());
        Ok(Credentials { key, secret })
    }

    /// Checks that both credentials are non-empty and free of control characters.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingCredentials`] naming the empty credential and its
    /// variable (the key is checked first), [`ErrorKind::InvalidArgument`]
    /// when either contains a control character.
    pub fn validate(&self) -> Result<()> {
        for (value, variable, what) in [(&self.key, KEY_ENV, "key"), (&*self.secret, SECRET_ENV, "secret")] {
            if value.is_empty() {
                return Err(Error::new(
                    ErrorKind::MissingCredentials,
                    format!(
                        "the service-account {what} is empty; set {variable} to the {what} \
                         shown in the Sethealth dashboard, or pass it explicitly"
                    ),
                ));
            }
        }

        if let Some(position) = self.key.find(char::is_control) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "the service-account key {:?} contains a control character at byte {position}; \
                     copy the key again from the Sethealth dashboard",
                    self.key
                ),
            ));
        }
        if self.secret.contains(char::is_control) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "the service-account secret contains a control character; \
                 copy the secret again from the Sethealth dashboard",
            ));
        }
        Ok(())
    }

    /// Returns the key (the service account's id). It is not secret.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Returns the secret. Never log or display it.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// Replaces every occurrence of the secret in `text` with `<redacted>`,
    /// as it is and in its JSON-escaped and percent-encoded forms, for text
    /// that came from outside, such as a response body.
    ///
    /// A secret shorter than [`MIN_SCRUBBED_SECRET_CHARS`] would be revealed
    /// by the gaps that scrubbing leaves in ordinary words, so then the whole
    /// text is replaced.
    pub(crate) fn scrub(&self, text: &str) -> String {
        if self.secret.is_empty() {
            return text.to_owned();
        }
        if self.secret.chars().count() < MIN_SCRUBBED_SECRET_CHARS {
            return "<omitted: the secret is too short to redact safely>".to_owned();
        }

        let mut scrubbed = text.to_owned();
        for form in secret_forms(&self.secret) {
            scrubbed = scrubbed.replace(form.as_str(), "<redacted>");
        }
        scrubbed
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("key", &self.key)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// The shortest secret that [`Credentials::scrub`] redacts in place.
const MIN_SCRUBBED_SECRET_CHARS: usize = 8;

/// Returns the secret as it is, JSON-escaped (with and without `\/` for
/// `/`), and percent-encoded with upper- and lower-case hex digits.
fn secret_forms(secret: &str) -> Vec<Zeroizing<String>> {
    // serde_json quotes every string, so the quotes are the first and last bytes.
    let quoted = Zeroizing::new(serde_json::to_string(secret).unwrap_or_else(|_| "\"\"".to_owned()));
    let json = quoted[1..quoted.len() - 1].to_owned();
    let json_slash = json.replace('/', "\\/");
    let percent = |upper: bool| -> String {
        secret
            .bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    char::from(byte).to_string()
                }
                _ if upper => format!("%{byte:02X}"),
                _ => format!("%{byte:02x}"),
            })
            .collect()
    };
    [secret.to_owned(), json, json_slash, percent(true), percent(false)]
        .into_iter()
        .map(Zeroizing::new)
        .collect()
}

/// Returns the argument, or the variable when the argument is `None`.
fn lookup_one(argument: Option<&str>, variable: &str, what: &str) -> Result<Zeroizing<String>> {
    match argument {
        Some(value) => Ok(Zeroizing::new(value.to_owned())),
        None => read_env(variable, what).map(Zeroizing::new),
    }
}

fn read_env(variable: &str, what: &str) -> Result<String> {
    match std::env::var(variable) {
        Ok(value) => Ok(value),
        Err(std::env::VarError::NotPresent) => Err(Error::new(
            ErrorKind::MissingCredentials,
            format!(
                "{variable} is not set; set it to the service account's {what} \
                 from the Sethealth dashboard, or pass the {what} explicitly"
            ),
        )
        .with_unset_credential()),
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{variable} is not valid UTF-8; set it to the {what} from the Sethealth dashboard"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_covers_escaped_and_encoded_forms() {
        let credentials = Credentials::new("sa_1", "s3cr3t+/XyZ=\"q").unwrap();
        let text = "raw s3cr3t+/XyZ=\"q json s3cr3t+\\/XyZ=\\\"q url s3cr3t%2B%2FXyZ%3D%22q lower s3cr3t%2b%2fXyZ%3d%22q";

        let scrubbed = credentials.scrub(text);

        assert!(!scrubbed.contains("s3cr3t"), "{scrubbed}");
        assert_eq!(scrubbed.matches("<redacted>").count(), 4, "{scrubbed}");
    }

    #[test]
    fn short_secret_hides_the_whole_text() {
        let credentials = Credentials::new("sa_1", "a").unwrap();

        let scrubbed = credentials.scrub("invalid_credentials");

        assert!(!scrubbed.contains("inv"), "{scrubbed}");
    }
}
