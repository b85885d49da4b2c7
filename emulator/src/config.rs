//! Emulator settings and the service accounts it accepts.

use std::error::Error;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

/// Lifetime of an issued token when the request has no positive `expires-in`.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// A service account that the emulator accepts: the key id sent as `id` and its secret.
///
/// The `Debug` output hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// Key id, matched exactly against the request's `id` member.
    pub key: String,
    /// Secret, compared in constant time against the request's `secret` member.
    pub secret: String,
}

impl Account {
    /// Creates an account from a key id and a secret.
    pub fn new(key: impl Into<String>, secret: impl Into<String>) -> Account {
        Account {
            key: key.into(),
            secret: secret.into(),
        }
    }

    /// Parses one `KEY:SECRET` entry, split at the first ':' so the secret may contain ':'.
    ///
    /// Whitespace around the whole entry is ignored. The error message never contains
    /// the secret, and it contains the key only when the entry has a ':'.
    pub fn parse(entry: &str) -> Result<Account, AccountError> {
        let entry = entry.trim();
        let Some((key, secret)) = entry.split_once(':') else {
            return Err(AccountError::new(
                "account entry has no ':' between key and secret; expected KEY:SECRET",
            ));
        };
        if key.is_empty() {
            return Err(AccountError::new(
                "account entry has an empty key before ':'; expected KEY:SECRET",
            ));
        }
        if secret.is_empty() {
            return Err(AccountError::new(format!(
                "account entry for key '{key}' has an empty secret after ':'; expected KEY:SECRET"
            )));
        }
        Ok(Account::new(key, secret))
    }

    /// Parses a comma-separated list of `KEY:SECRET` entries, the format of the
    /// `SETHEALTH_EMULATOR_ACCOUNTS` environment variable.
    ///
    /// Empty entries (such as a trailing comma) are skipped. The error names the
    /// position of the invalid entry, counting from 1.
    pub fn parse_list(list: &str) -> Result<Vec<Account>, AccountError> {
        let mut accounts = Vec::new();
        for (index, entry) in list.split(',').enumerate() {
            if entry.trim().is_empty() {
                continue;
            }
            let account = Account::parse(entry)
                .map_err(|error| AccountError::new(format!("entry {}: {error}", index + 1)))?;
            accounts.push(account);
        }
        Ok(accounts)
    }

    /// Parses the text of an accounts file: one `KEY:SECRET` per line.
    ///
    /// Blank lines and lines whose first non-blank character is '#' are skipped.
    /// The error names the line number, counting from 1.
    pub fn parse_file(text: &str) -> Result<Vec<Account>, AccountError> {
        let mut accounts = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let account = Account::parse(line)
                .map_err(|error| AccountError::new(format!("line {}: {error}", index + 1)))?;
            accounts.push(account);
        }
        Ok(accounts)
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("key", &self.key)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Error from parsing an account entry, list or file. The message never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountError {
    message: String,
}

impl AccountError {
    fn new(message: impl Into<String>) -> AccountError {
        AccountError {
            message: message.into(),
        }
    }
}

impl fmt::Display for AccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for AccountError {}

/// Settings for [`Emulator::start`](crate::Emulator::start).
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on. Default 127.0.0.1.
    pub bind: IpAddr,
    /// TCP port to listen on, 0 for a free port chosen by the OS. Default 0.
    pub port: u16,
    /// Serve HTTPS with a certificate from a CA generated at start when true, plain HTTP
    /// when false. Default true.
    pub tls: bool,
    /// Accepted service accounts. With none, every token request is rejected with 401.
    pub accounts: Vec<Account>,
    /// Token lifetime when a request has no positive `expires-in`. Default 1 hour.
    /// Lifetimes are whole seconds, so this is rounded down, with a minimum of 1 second.
    pub default_lifetime: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            tls: true,
            accounts: Vec::new(),
            default_lifetime: DEFAULT_TOKEN_LIFETIME,
        }
    }
}

impl Config {
    /// Returns a default configuration that accepts one account.
    pub fn with_account(key: impl Into<String>, secret: impl Into<String>) -> Config {
        Config {
            accounts: vec![Account::new(key, secret)],
            ..Config::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_splits_at_first_colon() {
        let account = Account::parse(" sa_1:abc:def= ").unwrap();
        assert_eq!(account.key, "sa_1");
        assert_eq!(account.secret, "abc:def=");
    }

    #[test]
    fn parse_errors_never_contain_secret() {
        let missing_colon = Account::parse("supersecret").unwrap_err().to_string();
        assert!(!missing_colon.contains("supersecret"), "{missing_colon}");

        let empty_key = Account::parse(":supersecret").unwrap_err().to_string();
        assert!(!empty_key.contains("supersecret"), "{empty_key}");

        let empty_secret = Account::parse("sa_1:").unwrap_err().to_string();
        assert!(empty_secret.contains("sa_1"), "{empty_secret}");
    }

    #[test]
    fn parse_list_skips_empty_entries() {
        let accounts = Account::parse_list("a:1, b:2,").unwrap();
        assert_eq!(accounts, vec![Account::new("a", "1"), Account::new("b", "2")]);
    }

    #[test]
    fn parse_list_names_invalid_entry() {
        let error = Account::parse_list("a:1,oops").unwrap_err().to_string();
        assert!(error.starts_with("entry 2:"), "{error}");
    }

    #[test]
    fn parse_file_skips_comments_and_names_line() {
        let accounts = Account::parse_file("# team\n\na:1\n  # note\nb:2\n").unwrap();
        assert_eq!(accounts, vec![Account::new("a", "1"), Account::new("b", "2")]);

        let error = Account::parse_file("a:1\n\nbroken\n").unwrap_err().to_string();
        assert!(error.starts_with("line 3:"), "{error}");
    }

    #[test]
    fn debug_hides_secret() {
        let text = format!("{:?}", Account::new("sa_1", "supersecret"));
        assert!(!text.contains("supersecret"), "{text}");
        assert!(text.contains("sa_1"), "{text}");
    }
}
